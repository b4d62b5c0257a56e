package okrcore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestKRStanding(t *testing.T) {
	c := okrcore.QuarterOf(t0) // Q1 2027; t0 is Monday February 1, a third of the way
	r := okrcore.DefaultRules()
	monday := t0
	k := &okrcore.KeyResult{ID: 1, Progress: 0.05, CreatedAt: c.Start}
	stated := func(s okrcore.Status, until time.Time) *okrcore.KeyResult {
		x := *k
		x.Status, x.StatusSet, x.LastCheckIn = s, true, monday
		x.Stated = &okrcore.Statement{Status: s, By: 7, At: monday, Until: until}
		return &x
	}
	legacy := *k
	legacy.Status, legacy.StatusSet, legacy.LastCheckIn = okrcore.StatusOnTrack, true, monday.Add(2*time.Hour)
	for _, tc := range []struct {
		name string
		k    *okrcore.KeyResult
		c    *okrcore.Cycle
		now  time.Time
		want okrcore.Standing
	}{
		{"nobody said anything", k, &c, monday, okrcore.Standing{Status: okrcore.StatusAtRisk, Computed: okrcore.StatusAtRisk}},
		{"what was said holds for its week", stated(okrcore.StatusOnTrack, monday.AddDate(0, 0, 7)), &c, monday.AddDate(0, 0, 6),
			okrcore.Standing{Status: okrcore.StatusOnTrack, Computed: okrcore.StatusOffTrack, Said: okrcore.StatusOnTrack, SaidBy: 7, SaidAt: monday, InForce: true}},
		{"then progress decides", stated(okrcore.StatusOnTrack, monday.AddDate(0, 0, 7)), &c, monday.AddDate(0, 0, 7),
			okrcore.Standing{Status: okrcore.StatusOffTrack, Computed: okrcore.StatusOffTrack, Said: okrcore.StatusOnTrack, SaidBy: 7, SaidAt: monday}},
		{"stated before statements were dated: its check-in week", &legacy, &c, monday.AddDate(0, 0, 6),
			okrcore.Standing{Status: okrcore.StatusOnTrack, Computed: okrcore.StatusOffTrack, Said: okrcore.StatusOnTrack, SaidAt: legacy.LastCheckIn, InForce: true}},
		{"and not after it", &legacy, &c, monday.AddDate(0, 0, 7),
			okrcore.Standing{Status: okrcore.StatusOffTrack, Computed: okrcore.StatusOffTrack, Said: okrcore.StatusOnTrack, SaidAt: legacy.LastCheckIn}},
		{"no cycle: nothing to lag behind", k, nil, monday, okrcore.Standing{Status: okrcore.StatusOnTrack, Computed: okrcore.StatusOnTrack}},
	} {
		if got := okrcore.KRStanding(tc.k, tc.c, tc.now, r); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
	if s := okrcore.KRStanding(stated(okrcore.StatusOffTrack, monday.AddDate(0, 0, 7)), &c, monday.AddDate(0, 0, 6), r); s.Disputed() {
		t.Errorf("off track said and computed is not disputed: %+v", s)
	}
}

func TestObjectiveStanding(t *testing.T) {
	c := okrcore.QuarterOf(t0)
	r := okrcore.DefaultRules()
	o := &okrcore.Objective{ID: 1, Progress: 0.3, CreatedAt: c.Start}
	k := &okrcore.KeyResult{ID: 1, Objective: 1, Progress: 0.3, Weight: 1, CreatedAt: c.Start, StatusSet: true, Status: okrcore.StatusOffTrack, LastCheckIn: t0,
		Stated: &okrcore.Statement{Status: okrcore.StatusOffTrack, By: 7, At: t0, Until: t0.AddDate(0, 0, 7)}}
	krs := []*okrcore.KeyResult{k}
	if s := okrcore.ObjectiveStanding(o, krs, &c, t0, r); s.Status != okrcore.StatusOffTrack || s.Computed != okrcore.StatusOnTrack {
		t.Errorf("while a key result is said off track: %+v", s)
	}
	if s := okrcore.ObjectiveStanding(o, krs, &c, t0.AddDate(0, 0, 7), r); s.Status != s.Computed {
		t.Errorf("after the statement's week: %+v, want the computed status", s)
	}
}

func TestPeriodEnd(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	wed := time.Date(2027, 2, 3, 23, 30, 0, 0, time.UTC) // Thursday 00:30 in Berlin
	for _, tc := range []struct {
		name string
		s    okrcore.Slot
		t    time.Time
		loc  *time.Location
		want time.Time
	}{
		{"weekly: next Monday", okrcore.Slot{Cadence: okrcore.Weekly}, wed, time.UTC, time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)},
		{"weekly, in the author's zone", okrcore.Slot{Cadence: okrcore.Weekly}, wed, berlin, time.Date(2027, 2, 8, 0, 0, 0, 0, berlin)},
		{"unset is weekly", okrcore.Slot{}, wed, time.UTC, time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)},
		// February 1, 2027 is 161 weeks after January 1, 2024: the second
		// week of a biweekly period, and February 8 begins the next.
		{"biweekly, its second week", okrcore.Slot{Cadence: okrcore.Biweekly}, wed, time.UTC, time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)},
		{"biweekly, its first week", okrcore.Slot{Cadence: okrcore.Biweekly}, wed.AddDate(0, 0, 7), time.UTC, time.Date(2027, 2, 22, 0, 0, 0, 0, time.UTC)},
		{"monthly", okrcore.Slot{Cadence: okrcore.Monthly, Day: 3}, wed, time.UTC, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := okrcore.PeriodEnd(tc.s, tc.t, tc.loc); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestStatementHoldsUntil: a stated status holds until the end of the
// check-in period the caller says (the author's, in their time zone), or
// of the week in UTC; a plain value states nothing.
func TestStatementHoldsUntil(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	checkIn := func(who *okrcore.User, in okrcore.CheckInInput) *okrcore.KeyResult {
		in.Target, in.TargetID = okrcore.TargetKR, k.ID
		update(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.RecordCheckIn(tx, t1, who, in); return err })
		return f.getKR(t, "A", k.ID)
	}
	berlin := time.FixedZone("CET", 3600)
	until := time.Date(2027, 3, 1, 0, 0, 0, 0, berlin)
	got := checkIn(f.alice, okrcore.CheckInInput{Confidence: ptr(7), Until: until})
	if s := got.Stated; s == nil || s.Status != okrcore.StatusOnTrack || s.By != f.alice.ID || !s.At.Equal(t1) || !s.Until.Equal(until) ||
		s.At.Format("Jan 2 15:04") != "Feb 2 10:00" || !got.StatusSet || got.Status != okrcore.StatusOnTrack {
		t.Errorf("stated %+v, want on track by Alice, at Feb 2 10:00 in Berlin, until %v", got.Stated, until)
	}
	if got := checkIn(f.lee, okrcore.CheckInInput{Status: okrcore.StatusAtRisk}); got.Stated == nil || got.Stated.By != f.lee.ID ||
		!got.Stated.Until.Equal(time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("stated %+v, want at risk by Lee until Monday February 8 in UTC", got.Stated)
	}
	if got := checkIn(f.alice, okrcore.CheckInInput{Value: ptr(5.0)}); got.Stated != nil || got.StatusSet {
		t.Errorf("a plain value: stated %+v, want nothing stated", got.Stated)
	}
}
