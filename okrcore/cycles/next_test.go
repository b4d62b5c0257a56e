package cycles_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestSuccessor: the cycle after each kind of cycle, by its name's
// pattern and its length, and the names that show none.
func TestSuccessor(t *testing.T) {
	custom := func(name string, first, last time.Time) *okrcore.Cycle {
		return &okrcore.Cycle{Name: name, Kind: okrcore.CycleCustom, Start: first, End: last.AddDate(0, 0, 1)}
	}
	q4 := okrcore.QuarterOf(day(2026, 10, 1))
	year := okrcore.YearOf(day(2027, 1, 1))
	for _, tc := range []struct {
		name        string
		of          *okrcore.Cycle
		want        string
		first, last time.Time
	}{
		{"a quarter", &q4, "Q1 2027", day(2027, 1, 1), day(2027, 3, 31)},
		{"a year", &year, "2028", day(2028, 1, 1), day(2028, 12, 31)},
		{"the first half", custom("H1 2027", day(2027, 1, 1), day(2027, 6, 30)), "H2 2027", day(2027, 7, 1), day(2027, 12, 31)},
		{"the second half", custom("H2 2027", day(2027, 7, 1), day(2027, 12, 31)), "H1 2028", day(2028, 1, 1), day(2028, 6, 30)},
		{"a half, year first", custom("2027-h2", day(2027, 7, 1), day(2027, 12, 31)), "2028-h1", day(2028, 1, 1), day(2028, 6, 30)},
		{"a fiscal year", custom("FY27", day(2026, 7, 1), day(2027, 6, 30)), "FY28", day(2027, 7, 1), day(2028, 6, 30)},
		{"a fiscal year's wrap", custom("FY99", day(2098, 7, 1), day(2099, 6, 30)), "FY00", day(2099, 7, 1), day(2100, 6, 30)},
		{"a fiscal quarter", custom("Q4 FY27", day(2027, 4, 1), day(2027, 6, 30)), "Q1 FY28", day(2027, 7, 1), day(2027, 9, 30)},
		{"a six-week sprint", custom("Sprint 3", day(2027, 1, 11), day(2027, 2, 21)), "Sprint 4", day(2027, 2, 22), day(2027, 4, 4)},
		{"a count in a word", custom("Cycle9 2027", day(2027, 1, 1), day(2027, 1, 14)), "Cycle10 2027", day(2027, 1, 15), day(2027, 1, 28)},
		{"a padded count", custom("Sprint 09", day(2027, 1, 1), day(2027, 1, 14)), "Sprint 10", day(2027, 1, 15), day(2027, 1, 28)},
		{"a year in words", custom("Company 2027", day(2027, 2, 1), day(2028, 1, 31)), "Company 2028", day(2028, 2, 1), day(2029, 1, 31)},
		{"months from the 31st", custom("Run 1", day(2027, 1, 31), day(2027, 2, 27)), "Run 2", day(2027, 2, 28), day(2027, 3, 27)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := cycles.Successor(tc.of)
			if !ok || got.Name != tc.want || !got.Start.Equal(tc.first) || !got.End.Equal(tc.last.AddDate(0, 0, 1)) || got.Kind != tc.of.Kind {
				t.Errorf("after %s came %q %s–%s (%v, ok %v), want %q %s–%s", tc.of.Name, got.Name, got.Start.Format(time.DateOnly), got.End.AddDate(0, 0, -1).Format(time.DateOnly), got.Kind, ok,
					tc.want, tc.first.Format(time.DateOnly), tc.last.Format(time.DateOnly))
			}
		})
	}
	for _, name := range []string{"Sprint", "H2", "Launch", "", "Build 1234567890", "日本"} {
		t.Run("no pattern in "+name, func(t *testing.T) {
			if got, ok := cycles.Successor(custom(name, day(2027, 1, 1), day(2027, 1, 31))); ok {
				t.Errorf("after %q came %q, want no guess", name, got.Name)
			}
		})
	}
}

// TestEarlyCloseSaysDays: the refusal counts the days left in words, one
// day without an s.
func TestEarlyCloseSaysDays(t *testing.T) {
	q1 := okrcore.QuarterOf(day(2027, 1, 1))
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{day(2027, 3, 31).Add(9 * time.Hour), "freezes them 1 day early."},
		{day(2027, 3, 30).Add(9 * time.Hour), "freezes them 2 days early."},
	} {
		if got := (&cycles.EarlyClose{Cycle: &q1, Now: tc.now}).Error(); !strings.HasSuffix(got, tc.want) {
			t.Errorf("at %s: %q, want it to end %q", tc.now, got, tc.want)
		}
	}
}
