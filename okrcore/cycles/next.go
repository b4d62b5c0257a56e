package cycles

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// piece is a run of letters ending in digits ("H1", "FY27", "Sprint3",
// "2027"): the parts of a custom cycle's name that count.
var piece = regexp.MustCompile(`[A-Za-z]*[0-9]+`)

// periods is how many of each named part of a year there are: halves,
// semesters and quarters as people write them in a custom cycle's name
// ("H1 2027", "Q1 FY27").
var periods = map[string]int{"H": 2, "S": 2, "Q": 4}

// Successor is the cycle that follows c by its name and its length: a
// quarter or a year the calendar's, and a custom one named by the pattern
// of its name and as long as it: the next half-year, semester or quarter
// of a year ("H1 2027" then "H2 2027", then "H1 2028"), the next count
// ("Sprint 3" then "Sprint 4"), else the next year ("FY27" then "FY28").
// It starts the day after c ends; a span of whole months stays whole
// months. ok is false when the name shows no pattern.
func Successor(c *okrcore.Cycle) (next okrcore.Cycle, ok bool) {
	switch c.Kind {
	case okrcore.CycleQuarter:
		return okrcore.QuarterOf(c.End), true
	case okrcore.CycleAnnual:
		return okrcore.YearOf(c.End), true
	}
	name, ok := nextName(c.Name)
	if !ok {
		return okrcore.Cycle{}, false
	}
	return okrcore.Cycle{Name: name, Kind: c.Kind, Start: c.End, End: sameLength(c.Start, c.End)}, true
}

// sameLength is the end of a cycle that starts at end and lasts as long
// as the one from start to end: in months when that one was whole months
// (so that halves stay on the calendar's), else in days.
func sameLength(start, end time.Time) time.Time {
	if start.Day() <= 28 {
		for m := 1; m <= 36; m++ {
			if start.AddDate(0, m, 0).Equal(end) {
				return end.AddDate(0, m, 0)
			}
		}
	}
	days := int(end.Sub(start).Round(24*time.Hour) / (24 * time.Hour))
	return end.AddDate(0, 0, max(days, 1))
}

// nextName is the name after name by its pattern (see Successor).
func nextName(name string) (string, bool) {
	locs := piece.FindAllStringIndex(name, -1)
	period, year, count := -1, -1, -1
	for i, l := range locs {
		letters, digits := split(name[l[0]:l[1]])
		switch {
		case len(digits) > 9: // a serial number, not a count people follow
			continue
		case period < 0 && len(digits) == 1 && periods[strings.ToUpper(letters)] >= int(digits[0]-'0') && digits[0] > '0':
			period = i
		case isYear(letters, digits):
			year = i
		default:
			count = i
		}
	}
	bump := func(i int, wrap bool) string {
		l := locs[i]
		letters, digits := split(name[l[0]:l[1]])
		return name[:l[0]] + letters + increment(digits, wrap) + name[l[1]:]
	}
	switch {
	case period >= 0:
		l := locs[period]
		letters, digits := split(name[l[0]:l[1]])
		if n := int(digits[0] - '0'); n < periods[strings.ToUpper(letters)] {
			return name[:l[0]] + letters + strconv.Itoa(n+1) + name[l[1]:], true
		}
		if year < 0 {
			return "", false
		}
		// A year keeps its width, so the period's offsets still hold.
		name = bump(year, true)
		return name[:l[0]] + letters + "1" + name[l[1]:], true
	case count >= 0:
		return bump(count, false), true
	case year >= 0:
		return bump(year, true), true
	}
	return "", false
}

// split parts a piece into its letters and its digits.
func split(p string) (letters, digits string) {
	i := strings.IndexAny(p, "0123456789")
	return p[:i], p[i:]
}

// isYear reports whether a piece is a year: 2027, or FY27, FY2027.
func isYear(letters, digits string) bool {
	if strings.EqualFold(letters, "FY") {
		return len(digits) == 2 || len(digits) == 4
	}
	y, err := strconv.Atoi(digits)
	return letters == "" && len(digits) == 4 && err == nil && y >= 2000 && y <= 2200
}

// increment adds one to a number of at most nine digits, keeping its
// width ("09" then "10"); a year of two digits wraps (FY99 then FY00).
func increment(digits string, wrap bool) string {
	n, _ := strconv.Atoi(digits)
	n++
	if s := fmt.Sprintf("%0*d", len(digits), n); len(s) == len(digits) || !wrap {
		return s
	}
	return fmt.Sprintf("%0*d", len(digits), 0)
}
