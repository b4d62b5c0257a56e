package cycles_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// FuzzFind: whatever a person types as a cycle's name, Find answers with
// one of the cycles it was given that the words name (its name in any
// case, its reference, or a way of writing its name that ParseCycle
// reads), or with a sentence saying there is none; and a prompt's period
// reads back as the cycle it was made from.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"Q4 2026", "q4  2026", "2026-Q4", "C2", "c3", "2027", "Sprint 1", "", " ", "Q5 2026", "C0", "C18446744073709551616", "H1 2027 2027-01-01 2027-06-30", "\x00", "Ｑ4 2026"} {
		f.Add(s, uint64(3))
	}
	q4 := okrcore.QuarterOf(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	year := okrcore.YearOf(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	q4.ID, year.ID = 1, 2
	custom := &okrcore.Cycle{ID: 3, Name: "Sprint 1", Kind: okrcore.CycleCustom, Start: year.Start, End: year.Start.AddDate(0, 0, 14)}
	cs := []*okrcore.Cycle{&q4, &year, custom}
	f.Fuzz(func(t *testing.T, name string, id uint64) {
		c, err := cycles.Find(cs, name)
		if err != nil {
			if !okrcore.IsNotFound(err) || okrcore.ErrorMessage(err) == "" {
				t.Fatalf("Find(%q) = %v, want a not-found sentence", name, err)
			}
		} else {
			words := strings.Join(strings.Fields(name), " ")
			p, perr := okrcore.ParseCycle(words)
			ref := okrcore.Ref{Kind: okrcore.RefCycle, ID: c.ID}.String()
			if !strings.EqualFold(c.Name, words) && !strings.EqualFold(ref, words) && (perr != nil || !strings.EqualFold(p.Name, c.Name)) {
				t.Fatalf("Find(%q) = %s, which it does not name", name, c.Name)
			}
		}
		if got := cycles.CycleOf(cycles.Period(okrcore.ID(id))); got != okrcore.ID(id) {
			t.Fatalf("period of C%d reads back as C%d", id, got)
		}
		_ = cycles.CycleOf(name)
	})
}

// FuzzSuccessor: whatever a custom cycle is called, the guess of the one
// after it never panics and, when there is one, has another name and
// starts where the cycle ends.
func FuzzSuccessor(f *testing.F) {
	for _, s := range []string{"H1 2027", "H2 2027", "FY27", "FY99", "Sprint 3", "Sprint 09", "Q4 FY27", "2027-h2", "Build 1234567890", "", "H9", "0", "Ｑ4 2026"} {
		f.Add(s, uint16(42))
	}
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string, days uint16) {
		c := &okrcore.Cycle{Name: name, Kind: okrcore.CycleCustom, Start: start, End: start.AddDate(0, 0, int(days%1100)+1)}
		n, ok := cycles.Successor(c)
		if ok && (n.Name == name || !n.Start.Equal(c.End) || !n.End.After(n.Start)) {
			t.Fatalf("after %q %v–%v came %q %v–%v", name, c.Start, c.End, n.Name, n.Start, n.End)
		}
	})
}
