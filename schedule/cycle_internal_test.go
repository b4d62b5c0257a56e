package schedule

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestLocalWorkingHours(t *testing.T) {
	ny, kolkata := mustLoc(t, "America/New_York"), mustLoc(t, "Asia/Kolkata")
	lordHowe, kiritimati := mustLoc(t, "Australia/Lord_Howe"), mustLoc(t, "Pacific/Kiritimati")
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		got  time.Time
		want string
	}{
		{"an ordinary day", localAt(day(2026, 12, 25), 10, 0, ny), "2026-12-25T15:00Z"},
		{"half-hour offset", localAt(day(2026, 12, 25), 10, 0, kolkata), "2026-12-25T04:30Z"},
		{"spring forward: 10:00 EDT", localAt(day(2027, 3, 14), 10, 0, ny), "2027-03-14T14:00Z"},
		{"spring forward: 02:30 is 03:30 EDT", localAt(day(2027, 3, 14), 2, 30, ny), "2027-03-14T07:30Z"},
		{"spring forward by half an hour: 02:15 is 02:45", localAt(day(2026, 10, 4), 2, 15, lordHowe), "2026-10-03T15:45Z"},
		{"fall back: the first 01:30 (EDT)", localAt(day(2026, 11, 1), 1, 30, ny), "2026-11-01T05:30Z"},
		{"fall back: 10:00 EST", localAt(day(2026, 11, 1), 10, 0, ny), "2026-11-01T15:00Z"},
		// Answering Q4 2026 closes at 12:00 UTC on Jan 1.
		{"summary: 16:00 in New York is after the close", firstAfter(day(2027, 1, 1).Add(12*time.Hour), day(2027, 1, 1), 16, 0, ny), "2027-01-01T21:00Z"},
		{"summary: 16:00 in Kolkata is before it, so the next day", firstAfter(day(2027, 1, 1).Add(12*time.Hour), day(2027, 1, 1), 16, 0, kolkata), "2027-01-02T10:30Z"},
		{"summary: 01:00 at UTC+14 needs two days", firstAfter(day(2027, 1, 1).Add(12*time.Hour), day(2027, 1, 1), 1, 0, kiritimati), "2027-01-02T11:00Z"},
	} {
		if got := tc.got.UTC().Format("2006-01-02T15:04Z"); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if h, m := workingHour(okrcore.Slot{Cadence: okrcore.Off}); h != 10 || m != 0 {
		t.Errorf("with check-ins off: %02d:%02d, want 10:00", h, m)
	}
	if h, m := workingHour(okrcore.Slot{Cadence: okrcore.Biweekly, Weekday: time.Tuesday, Hour: 9, Minute: 30}); h != 9 || m != 30 {
		t.Errorf("with check-ins at 09:30: %02d:%02d", h, m)
	}
}

// TestCycleJobDays: grading N days before the end, the retrospective two
// days later but on the last day at the latest.
func TestCycleJobDays(t *testing.T) {
	c := &okrcore.Cycle{End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)} // last day Dec 31
	for _, tc := range []struct {
		gd             int
		grading, retro string
	}{
		{7, "2026-12-25", "2026-12-27"},
		{2, "2026-12-30", "2026-12-31"},
		{1, "2026-12-31", "2026-12-31"},
	} {
		if g, r := gradingDay(c, tc.gd).Format(time.DateOnly), retroDay(c, tc.gd).Format(time.DateOnly); g != tc.grading || r != tc.retro {
			t.Errorf("grading %d days before: grading %s, retro %s; want %s, %s", tc.gd, g, r, tc.grading, tc.retro)
		}
	}
}
