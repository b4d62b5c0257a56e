package okrcore

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RetroCloses is when answering a cycle's retrospective closes: once its
// last day has ended in every time zone (12:00 UTC on the day after it, as
// UTC−12 is the last to finish it), so that nobody loses their last day.
func (c *Cycle) RetroCloses() time.Time { return c.End.Add(12 * time.Hour) }

// RetroOpen reports whether a cycle's retrospective takes answers at now:
// until RetroCloses, or until the cycle is closed.
func (c *Cycle) RetroOpen(now time.Time) bool { return !c.Closed && now.Before(c.RetroCloses()) }

// QuarterOf returns the calendar quarter containing t (Q1 = Jan–Mar).
func QuarterOf(t time.Time) Cycle {
	t = t.UTC()
	q := (int(t.Month()) - 1) / 3
	start := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	return Cycle{
		Name:  fmt.Sprintf("Q%d %d", q+1, t.Year()),
		Kind:  CycleQuarter,
		Start: start,
		End:   start.AddDate(0, 3, 0),
	}
}

// YearOf returns the calendar year containing t as an annual cycle.
func YearOf(t time.Time) Cycle {
	start := time.Date(t.UTC().Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	return Cycle{Name: strconv.Itoa(start.Year()), Kind: CycleAnnual, Start: start, End: start.AddDate(1, 0, 0)}
}

// ParseCycle reads a cycle as people name it: "Q1 2027", "2027-Q1", "2027"
// (a year), or a custom span "H1 2027 2027-01-01 2027-06-30" (name, then
// first and last day, inclusive).
func ParseCycle(s string) (Cycle, error) {
	f := strings.Fields(s)
	bad := Errorf(KindInvalid, "I couldn't read that cycle. Try `Q1 2027`, `2027` or `H1 2027 2027-01-01 2027-06-30`.")
	switch len(f) {
	case 1:
		up := strings.ToUpper(f[0])
		if y, err := strconv.Atoi(up); err == nil && y >= 2000 && y <= 2200 {
			return YearOf(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)), nil
		}
		if i := strings.Index(up, "-Q"); i > 0 {
			return quarter(up[i+1:], up[:i], bad)
		}
		return Cycle{}, bad
	case 2:
		return quarter(strings.ToUpper(f[0]), f[1], bad)
	}
	if len(f) >= 3 {
		from, err1 := time.Parse("2006-01-02", f[len(f)-2])
		to, err2 := time.Parse("2006-01-02", f[len(f)-1])
		if err1 != nil || err2 != nil {
			return Cycle{}, bad
		}
		if !to.After(from) {
			return Cycle{}, Errorf(KindInvalid, "A cycle ends after it starts: %s is not after %s.", f[len(f)-1], f[len(f)-2])
		}
		if to.Sub(from) > 3*366*24*time.Hour {
			return Cycle{}, Errorf(KindInvalid, "Cycles are at most three years long.")
		}
		return Cycle{Name: strings.Join(f[:len(f)-2], " "), Kind: CycleCustom, Start: from, End: to.AddDate(0, 0, 1)}, nil
	}
	return Cycle{}, bad
}

func quarter(q, year string, bad error) (Cycle, error) {
	y, err := strconv.Atoi(year)
	if err != nil || y < 2000 || y > 2200 || len(q) != 2 || q[0] != 'Q' || q[1] < '1' || q[1] > '4' {
		return Cycle{}, bad
	}
	m := time.Month((int(q[1]-'0')-1)*3 + 1)
	return QuarterOf(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)), nil
}
