package schedule

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/okrbot/okrbot/okrcore"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// occurrences ticks every minute from..to and returns each distinct
// occurrence the scheduler would handle, by its deterministic key.
func occurrences(slot okrcore.Slot, loc *time.Location, from, to time.Time, grace time.Duration) []string {
	var keys []string
	seen := map[string]bool{}
	for now := from; !now.After(to); now = now.Add(time.Minute) {
		if _, key, ok := latestOccurrence(slot, now, loc, grace); ok && !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
	}
	return keys
}

// cronFirings counts how often robfig/cron itself would fire in a window.
func cronFirings(t *testing.T, spec string, from, to time.Time) int {
	t.Helper()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for next := s.Next(from); !next.After(to); next = s.Next(next) {
		n++
	}
	return n
}

func TestDaylightSavingNeitherSkipsNorDoubles(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name      string
		slot      okrcore.Slot
		from, to  time.Time
		cronSpec  string
		cronCount int // what cron v3.0.1 does on its own, for the record
		want      []string
	}{
		{
			name:      "spring forward: 02:30 does not exist on 2027-03-14",
			slot:      okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Sunday, Hour: 2, Minute: 30},
			from:      time.Date(2027, 3, 13, 12, 0, 0, 0, ny),
			to:        time.Date(2027, 3, 14, 12, 0, 0, 0, ny),
			cronSpec:  "CRON_TZ=America/New_York 30 2 * * 0",
			cronCount: 0,
			want:      []string{"2027-03-14 02:30"},
		},
		{
			name:      "fall back: 01:30 happens twice on 2026-11-01",
			slot:      okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Sunday, Hour: 1, Minute: 30},
			from:      time.Date(2026, 10, 31, 12, 0, 0, 0, ny),
			to:        time.Date(2026, 11, 1, 12, 0, 0, 0, ny),
			cronSpec:  "CRON_TZ=America/New_York 30 1 * * 0",
			cronCount: 2,
			want:      []string{"2026-11-01 01:30"},
		},
		{
			name:      "an ordinary Monday 10:00",
			slot:      okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Monday, Hour: 10},
			from:      time.Date(2026, 11, 22, 0, 0, 0, 0, ny),
			to:        time.Date(2026, 11, 29, 0, 0, 0, 0, ny),
			cronSpec:  "CRON_TZ=America/New_York 0 10 * * 1",
			cronCount: 1,
			want:      []string{"2026-11-23 10:00"},
		},
		{
			name:      "monthly on the 1st",
			slot:      okrcore.Slot{Cadence: okrcore.Monthly, Day: 1, Hour: 9},
			from:      time.Date(2026, 11, 25, 0, 0, 0, 0, ny),
			to:        time.Date(2027, 1, 2, 0, 0, 0, 0, ny),
			cronSpec:  "CRON_TZ=America/New_York 0 9 1 * *",
			cronCount: 2,
			want:      []string{"2026-12-01 09:00", "2027-01-01 09:00"},
		},
		{
			name: "biweekly: every other Monday",
			slot: okrcore.Slot{Cadence: okrcore.Biweekly, Weekday: time.Monday, Hour: 10},
			from: time.Date(2026, 11, 22, 0, 0, 0, 0, ny),
			to:   time.Date(2026, 12, 20, 0, 0, 0, 0, ny),
			want: []string{"2026-11-30 10:00", "2026-12-14 10:00"},
		},
		{
			name: "off",
			slot: okrcore.Slot{Cadence: okrcore.Off},
			from: time.Date(2026, 11, 22, 0, 0, 0, 0, ny),
			to:   time.Date(2026, 12, 1, 0, 0, 0, 0, ny),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cronSpec != "" {
				if got := cronFirings(t, tt.cronSpec, tt.from, tt.to); got != tt.cronCount {
					t.Errorf("cron fires %d times, the test expected %d (did cron change?)", got, tt.cronCount)
				}
			}
			got := occurrences(tt.slot, ny, tt.from, tt.to, 12*time.Hour)
			if len(got) != len(tt.want) {
				t.Fatalf("occurrences %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("occurrence %d = %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestOccurrenceOutsideGraceIsSkipped(t *testing.T) {
	slot := okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Monday, Hour: 10}
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{mon.Add(-time.Minute), false},
		{mon, true},
		{mon.Add(11 * time.Hour), true},
		{mon.Add(13 * time.Hour), false},
	} {
		if _, _, ok := latestOccurrence(slot, tt.now, time.UTC, 12*time.Hour); ok != tt.want {
			t.Errorf("at %s: due=%v, want %v", tt.now, ok, tt.want)
		}
	}
}
