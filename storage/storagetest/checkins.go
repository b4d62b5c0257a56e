package storagetest

// Conformance of check-ins and the lists of them by target and by author.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func newCheckIn(ws string, target okrcore.TargetKind, id, author okrcore.ID, at time.Time, value float64) *okrcore.CheckIn {
	return &okrcore.CheckIn{
		Workspace: ws, Target: target, TargetID: id, Author: author, At: at, Value: value,
		Previous: value - 1, Confidence: intp(7), Status: okrcore.StatusOnTrack, Note: fmt.Sprintf("note %g", value),
	}
}

func testCheckIns(t *testing.T, s okrcore.Store) {
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	// KR1 gets check-ins at hours 3, 1, 4, 2, 0 (stored out of order), by
	// authors 1 and 2; KPI1 (same number, other kind) gets two; KR2 one; at
	// hour 2 KR1 gets a second check-in at the same instant.
	var all []*okrcore.CheckIn
	add := func(c *okrcore.CheckIn) { all = append(all, c) }
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(3), 30))  // 1
	add(newCheckIn("w", okrcore.TargetKR, 1, 2, h(1), 10))  // 2
	add(newCheckIn("w", okrcore.TargetKPI, 1, 1, h(5), 50)) // 3
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(4), 40))  // 4
	add(newCheckIn("w", okrcore.TargetKR, 1, 2, h(2), 20))  // 5
	add(newCheckIn("w", okrcore.TargetKR, 2, 1, h(6), 60))  // 6
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(0), 0))   // 7
	add(newCheckIn("w", okrcore.TargetKPI, 1, 2, h(1), 11)) // 8
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(2), 21))  // 9
	all[4].Blockers, all[4].Confidence, all[4].Status = "waiting on legal", nil, okrcore.StatusAtRisk
	put(t, s, func(tx okrcore.Tx) error {
		for _, c := range all {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	})
	for i, c := range all {
		if c.ID != okrcore.ID(i+1) {
			t.Fatalf("check-in %d got ID %d", i+1, c.ID)
		}
	}
	byTarget := func(kind okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) { return tx.CheckIns("w", kind, id, since, limit) })
	}
	byAuthor := func(a okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) { return tx.CheckInsByAuthor("w", a, since, limit) })
	}
	list, err := byTarget(okrcore.TargetKR, 1, time.Time{}, 0)
	wantIDs(t, "KR1 check-ins, newest first", list, err, 4, 1, 9, 5, 2, 7)
	equal(t, "KR1 check-ins", list, []*okrcore.CheckIn{all[3], all[0], all[8], all[4], all[1], all[6]})
	list, err = byTarget(okrcore.TargetKR, 1, time.Time{}, 2)
	wantIDs(t, "KR1 last two", list, err, 4, 1)
	list, err = byTarget(okrcore.TargetKR, 1, h(2), 0)
	wantIDs(t, "KR1 since hour 2 (inclusive)", list, err, 4, 1, 9, 5)
	list, err = byTarget(okrcore.TargetKR, 1, h(2), 3)
	wantIDs(t, "KR1 since hour 2, three", list, err, 4, 1, 9)
	list, err = byTarget(okrcore.TargetKR, 1, h(2).Add(time.Nanosecond), 0)
	wantIDs(t, "KR1 after hour 2", list, err, 4, 1)
	list, err = byTarget(okrcore.TargetKR, 1, h(10), 0)
	wantIDs(t, "KR1 since the future", list, err)
	list, err = byTarget(okrcore.TargetKPI, 1, time.Time{}, 0)
	wantIDs(t, "KPI1 check-ins (not KR1's)", list, err, 3, 8)
	list, err = byTarget(okrcore.TargetKR, 2, time.Time{}, 0)
	wantIDs(t, "KR2 check-ins", list, err, 6)
	list, err = byTarget(okrcore.TargetKR, 3, time.Time{}, 0)
	wantIDs(t, "KR3 check-ins", list, err)
	list, err = byAuthor(1, time.Time{}, 0)
	wantIDs(t, "author 1", list, err, 6, 3, 4, 1, 9, 7)
	list, err = byAuthor(2, time.Time{}, 0)
	wantIDs(t, "author 2 (same instant: higher ID first)", list, err, 5, 8, 2)
	list, err = byAuthor(1, h(3), 2)
	wantIDs(t, "author 1 since hour 3, two", list, err, 6, 3)
	list, err = byAuthor(3, time.Time{}, 0)
	wantIDs(t, "author 3", list, err)

	// History is append-only.
	dup := *all[0]
	dup.Value = 99
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.AddCheckIn(&dup) })
	wantKind(t, err, okrcore.KindConflict, "re-adding check-in 1")
	list, err = byTarget(okrcore.TargetKR, 1, h(3), 1)
	wantIDs(t, "KR1 newest after refused rewrite", list, err, 4)
	list, err = byTarget(okrcore.TargetKR, 1, h(3), 0)
	equal(t, "check-in 1 after refused rewrite", list[1], all[0])
	bad := newCheckIn("w", "objective", 1, 1, h(7), 1)
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.AddCheckIn(bad) })
	wantKind(t, err, okrcore.KindInvalid, "check-in on an objective")

	// CheckInTimesByAuthor lists the times of what CheckInsByAuthor lists,
	// in its order.
	sameTimes := func(what string, a okrcore.ID, since time.Time, want ...okrcore.ID) {
		t.Helper()
		cis, err := byAuthor(a, since, 0)
		wantIDs(t, what+": CheckInsByAuthor", cis, err, want...)
		got, err := get(t, s, func(tx okrcore.Tx) ([]time.Time, error) { return tx.CheckInTimesByAuthor("w", a, since) })
		wantTimes(t, what, got, err, atOf(cis)...)
	}
	sameTimes("times of author 1", 1, time.Time{}, 6, 3, 4, 1, 9, 7)
	sameTimes("times of author 2 (one instant twice)", 2, time.Time{}, 5, 8, 2)
	sameTimes("times of author 1 since hour 2 (inclusive)", 1, h(2), 6, 3, 4, 1, 9)
	sameTimes("times of author 2 since hour 1 (inclusive)", 2, h(1), 5, 8, 2)
	sameTimes("times of author 1 after hour 2", 1, h(2).Add(time.Nanosecond), 6, 3, 4, 1)
	sameTimes("times of author 1 since hour 6 (the newest)", 1, h(6), 6)
	sameTimes("times of author 1 since the future", 1, h(10))
	sameTimes("times of author 3 (no check-ins)", 3, time.Time{})
	// Nanoseconds, another time zone, and times far from now.
	berlin := time.FixedZone("CET", 3600)
	odd := []*okrcore.CheckIn{
		newCheckIn("w", okrcore.TargetKR, 9, 4, h(1).Add(123456789).In(berlin), 1),              // 10
		newCheckIn("w", okrcore.TargetKR, 9, 4, h(1).Add(123456788), 2),                         // 11
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(1600, 3, 1, 0, 0, 0, 0, time.UTC), 3), // 12
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(1500, 3, 1, 0, 0, 0, 0, time.UTC), 4), // 13
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(2300, 3, 1, 0, 0, 0, 0, time.UTC), 5), // 14
		newCheckIn("w", okrcore.TargetKR, 9, 1, h(8), 6),                                        // 15
	}
	put(t, s, func(tx okrcore.Tx) error {
		for _, c := range odd {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	})
	sameTimes("times of author 4", 4, time.Time{}, 14, 10, 11, 13, 12)
	sameTimes("times of author 4 since a nanosecond time (inclusive)", 4, h(1).Add(123456789), 14, 10)
	sameTimes("times of author 4 since a nanosecond later", 4, h(1).Add(123456790), 14)
	sameTimes("times of author 1 with a newer one", 1, h(2), 15, 6, 3, 4, 1, 9)
}

// atOf lists the times of check-ins.
func atOf(cis []*okrcore.CheckIn) []time.Time {
	out := make([]time.Time, len(cis))
	for i, c := range cis {
		out[i] = c.At
	}
	return out
}

// wantTimes compares instants, whatever their locations.
func wantTimes(t *testing.T, what string, got []time.Time, err error, want ...time.Time) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Equal(want[i])
	}
	if !same {
		t.Fatalf("%s:\ngot  %v\nwant %v", what, got, want)
	}
}
