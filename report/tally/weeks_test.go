package tally_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
)

// TestClockWeek: which week of the cycle a moment is in for a person is
// the week of their own calendar, so a moment near midnight is in
// different weeks for people in different time zones; Bounds agrees with
// Week at both ends of every week, a clock change included.
func TestClockWeek(t *testing.T) {
	zone := func(name string) *time.Location {
		t.Helper()
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		return loc
	}
	auckland, la, berlin := zone("Pacific/Auckland"), zone("America/Los_Angeles"), zone("Europe/Berlin")
	// Q4 2026 begins on a Thursday: its first week is the one of Monday
	// September 28 on each person's calendar.
	c := &okrcore.Cycle{Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	sundayNightUTC := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC) // Monday 12:30 in Auckland
	mondayEarlyUTC := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)  // Sunday 16:30 in Los Angeles
	tests := []struct {
		name string
		loc  *time.Location
		at   time.Time
		want int
	}{
		{"UTC, Sunday 23:30", time.UTC, sundayNightUTC, 7},
		{"Auckland, the same moment on Monday", auckland, sundayNightUTC, 8},
		{"UTC, Monday 00:30", time.UTC, mondayEarlyUTC, 8},
		{"Los Angeles, the same moment on Sunday", la, mondayEarlyUTC, 7},
		{"Auckland, Monday 00:30 local", auckland, time.Date(2026, 11, 23, 0, 30, 0, 0, auckland), 8},
		{"Berlin, the cycle's first moment", berlin, c.Start, 0},
		{"Los Angeles, the cycle's first moment (still September 30)", la, c.Start, 0},
		{"UTC, the week before the cycle", time.UTC, c.Start.AddDate(0, 0, -4), -1},
		{"UTC, two weeks before", time.UTC, c.Start.AddDate(0, 0, -11), -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := tally.NewClock(c, tt.loc)
			if got := clk.Week(tt.at); got != tt.want {
				t.Errorf("Week(%s) = %d, want %d", tt.at.In(tt.loc).Format("Mon Jan 2 15:04 MST"), got, tt.want)
			}
			from, to := clk.Bounds(tt.want)
			if tt.at.Before(from) || !tt.at.Before(to) {
				t.Errorf("%s is not in week %d's bounds [%s, %s)", tt.at, tt.want, from, to)
			}
		})
	}
	for _, loc := range []*time.Location{time.UTC, auckland, la, berlin} {
		clk := tally.NewClock(c, loc)
		if s := clk.Start(); s.In(loc).Weekday() != time.Monday || s.In(loc).Hour() != 0 {
			t.Errorf("%s: the first week starts %s, not a Monday at midnight", loc, s.In(loc))
		}
		for i := range 14 { // Berlin and Los Angeles leave summer time in weeks 4 and 5
			from, to := clk.Bounds(i)
			if clk.Week(from) != i || clk.Week(to.Add(-time.Nanosecond)) != i || clk.Week(to) != i+1 {
				t.Errorf("%s: week %d's bounds [%s, %s) are not week %d", loc, i, from, to, i)
			}
		}
	}
}
