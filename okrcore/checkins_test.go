package okrcore_test

import (
	"context"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// TestCheckInsRollUpOnce records check-ins of two people in one
// transaction, two of them on one key result, and finds what one at a time
// would have stored: both land in order, and every objective above holds
// what a full roll-up computes.
func TestCheckInsRollUpOnce(t *testing.T) {
	tests := []struct {
		name  string
		steps []batchStep
	}{
		{"one", []batchStep{{func(f *fixture) *okrcore.User { return f.alice }, 0, 40}}},
		{"same key result twice", []batchStep{
			{func(f *fixture) *okrcore.User { return f.alice }, 0, 10},
			{func(f *fixture) *okrcore.User { return f.alice }, 0, 30},
		}},
		{"two people, shared ancestors", []batchStep{
			{func(f *fixture) *okrcore.User { return f.alice }, 0, 60},
			{func(f *fixture) *okrcore.User { return f.bob }, 1, 90},
			{func(f *fixture) *okrcore.User { return f.alice }, 0, 70},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batched, krsB := checkInTree(t)
			single, krsS := checkInTree(t)
			at := t0.Add(time.Hour)
			var results []*okrcore.CheckInResult
			update(t, batched.db, func(tx okrcore.Tx) error {
				var c okrcore.CheckIns
				results = results[:0]
				for _, s := range tt.steps {
					res, err := c.Record(tx, at, s.who(batched), okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: krsB[s.kr], Value: ptr(s.value)})
					if err != nil {
						return err
					}
					results = append(results, res)
				}
				return c.Finish(tx, at)
			})
			for _, s := range tt.steps {
				update(t, single.db, func(tx okrcore.Tx) error {
					_, err := okrcore.RecordCheckIn(tx, at, s.who(single), okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: krsS[s.kr], Value: ptr(s.value)})
					return err
				})
			}
			objsB, fullB := storedTree(t, batched)
			objsS, _ := storedTree(t, single)
			for id, o := range objsB {
				if !near(o.Progress, fullB[id]) || !near(o.Progress, objsS[id].Progress) || o.Status != objsS[id].Status {
					t.Errorf("O%d: %v %s, full roll-up %v, one at a time %v %s", id, o.Progress, o.Status, fullB[id], objsS[id].Progress, objsS[id].Status)
				}
			}
			for i, s := range tt.steps {
				r := results[i]
				if r.CheckIn.Value != s.value || len(r.Objectives) == 0 || r.Objectives[0].ID != r.After.Objective {
					t.Errorf("result %d: value %v, %d objectives", i, r.CheckIn.Value, len(r.Objectives))
				}
				if i > 0 && tt.steps[i-1].kr == s.kr && r.CheckIn.Previous != tt.steps[i-1].value {
					t.Errorf("check-in %d follows %v, want %v", i, r.CheckIn.Previous, tt.steps[i-1].value)
				}
				for _, o := range r.Objectives {
					if !near(o.Progress, objsB[o.ID].Progress) {
						t.Errorf("result %d shows O%d at %v, stored %v", i, o.ID, o.Progress, objsB[o.ID].Progress)
					}
				}
			}
			if got := len(batched.checkIns(t, "A", okrcore.TargetKR, krsB[0])); got != countKR(tt.steps, 0) {
				t.Errorf("%d check-ins stored on the first key result, want %d", got, countKR(tt.steps, 0))
			}
		})
	}
}

// TestCheckInsRefused: a check-in refused in a batch is an error of its
// own; Finish is not reached and the caller's transaction rolls back.
func TestCheckInsRefused(t *testing.T) {
	f, krs := checkInTree(t)
	err := f.db.Update(context.Background(), func(tx okrcore.Tx) error {
		var c okrcore.CheckIns
		if _, err := c.Record(tx, t0, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: krs[0], Value: ptr(50.0)}); err != nil {
			return err
		}
		if _, err := c.Record(tx, t0, f.olga, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: krs[1], Value: ptr(50.0)}); err != nil {
			return err
		}
		return c.Finish(tx, t0)
	})
	wantErr(t, err, okrcore.KindForbidden, "Observers")
	if n := len(f.checkIns(t, "A", okrcore.TargetKR, krs[0])); n != 0 {
		t.Errorf("%d check-ins stored after a refused batch", n)
	}
}

func countKR(steps []batchStep, kr int) int {
	n := 0
	for _, s := range steps {
		if s.kr == kr {
			n++
		}
	}
	return n
}

// batchStep is one check-in of TestCheckInsRollUpOnce.
type batchStep struct {
	who   func(f *fixture) *okrcore.User
	kr    int // index into checkInTree's key results
	value float64
}

// checkInTree is a company objective with a division, Alice's objective
// beneath the division and the Platform team's beside it, and the key
// results Alice and Bob check in on.
func checkInTree(t *testing.T) (*fixture, []okrcore.ID) {
	t.Helper()
	f := newFixture(t)
	o1 := f.objective(t, "Company", okrcore.UserOwner(f.ada.ID), 0, 0)
	kr1 := f.keyResult(t, o1.ID, okrcore.Owner{}, 10)
	o2 := f.objective(t, "Division", okrcore.TeamOwner(f.growth.ID), kr1.ID, 0)
	f.keyResult(t, o2.ID, okrcore.Owner{}, 20)
	o3 := f.objective(t, "Alice's", okrcore.UserOwner(f.alice.ID), 0, o2.ID)
	alice := f.keyResult(t, o3.ID, okrcore.Owner{}, 0)
	f.keyResult(t, o3.ID, okrcore.Owner{}, 50)
	s := f.objective(t, "Platform's", okrcore.TeamOwner(f.platform.ID), kr1.ID, 0)
	bob := f.keyResult(t, s.ID, okrcore.Owner{}, 5)
	return f, []okrcore.ID{alice.ID, bob.ID}
}

// storedTree is every objective of the fixture's cycle and what a full
// roll-up computes for each.
func storedTree(t *testing.T, f *fixture) (map[okrcore.ID]*okrcore.Objective, map[okrcore.ID]float64) {
	t.Helper()
	var objs []*okrcore.Objective
	var krs []*okrcore.KeyResult
	view(t, f.db, func(tx okrcore.Tx) (err error) {
		if objs, err = tx.ObjectivesByCycle("A", f.cycle.ID); err != nil {
			return err
		}
		krs, err = tx.KeyResultsByCycle("A", f.cycle.ID)
		return err
	})
	byID := map[okrcore.ID]*okrcore.Objective{}
	for _, o := range objs {
		byID[o.ID] = o
	}
	return byID, okrcore.RollUpAll(objs, krs)
}
