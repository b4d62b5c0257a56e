package storagetest

import (
	"context"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// OwnershipIndex is the lookup the org-wide reports ask of everyone
// (report's ownershipIndex): who owns what, from the indexes alone.
type OwnershipIndex interface {
	OwnsInCycle(ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error)
	KeyResultCount(ws string, objective okrcore.ID) (int, error)
}

// RunOwnsInCycle checks a backend's OwnsInCycle and KeyResultCount
// against what its records say, for owners of objectives with and without key results, of key
// results under someone else's objective, in another cycle or another
// workspace, a team, and after a delete.
func RunOwnsInCycle(t *testing.T, s okrcore.Store) {
	t.Helper()
	u := func(id okrcore.ID) okrcore.Owner { return okrcore.UserOwner(id) }
	kr := func(ws string, obj, cycle okrcore.ID, owner okrcore.Owner) *okrcore.KeyResult {
		return &okrcore.KeyResult{Workspace: ws, Objective: obj, Cycle: cycle, Title: "KR", Owner: owner,
			Metric: okrcore.MetricNumber, Target: 10, Direction: okrcore.Increase, Weight: 1, CreatedAt: base}
	}
	var gone okrcore.ID
	put(t, s, func(tx okrcore.Tx) error {
		for _, ws := range []string{"w", "x"} {
			for _, c := range []*okrcore.Cycle{newCycle(ws, "Q1", base), newCycle(ws, "Q2", base.AddDate(0, 3, 0))} {
				if err := tx.PutCycle(c); err != nil {
					return err
				}
			}
		}
		// In w: 1 owns an objective whose key result 2 owns; 3 one with
		// none; 4 one only in cycle 2; team 1 one with a key result; 5 a
		// key result deleted below; 6 owns only in workspace x.
		objs := []*okrcore.Objective{newObjective("w", 1, u(1), "A"), newObjective("w", 1, u(3), "C"), newObjective("w", 2, u(4), "D"),
			newObjective("w", 1, okrcore.TeamOwner(1), "T"), newObjective("x", 1, u(6), "X")}
		for _, o := range objs {
			if err := tx.PutObjective(o); err != nil {
				return err
			}
		}
		for _, k := range []*okrcore.KeyResult{kr("w", objs[0].ID, 1, u(2)), kr("w", objs[3].ID, 1, okrcore.TeamOwner(1)), kr("x", objs[4].ID, 1, u(6))} {
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
		}
		k := kr("w", objs[3].ID, 1, u(5))
		if err := tx.PutKeyResult(k); err != nil {
			return err
		}
		gone = k.ID
		return nil
	})
	put(t, s, func(tx okrcore.Tx) error { return tx.DeleteKeyResult("w", gone) })
	type want struct{ owns, hasKRs bool }
	cases := []struct {
		owner okrcore.Owner
		cycle okrcore.ID
		want  want
	}{
		{u(1), 1, want{true, true}}, {u(1), 2, want{}}, {u(1), 0, want{true, true}},
		{u(2), 1, want{true, true}}, {u(2), 2, want{}},
		{u(3), 1, want{true, false}}, {u(4), 1, want{}}, {u(4), 2, want{true, false}}, {u(4), 0, want{true, false}},
		{okrcore.TeamOwner(1), 1, want{true, true}}, {okrcore.TeamOwner(2), 1, want{}},
		{u(5), 1, want{}}, {u(6), 1, want{}}, {u(7), 1, want{}}, {okrcore.Owner{}, 1, want{}},
	}
	err := s.View(context.Background(), func(tx okrcore.Tx) error {
		ix, ok := tx.(OwnershipIndex)
		if !ok {
			t.Fatalf("%T has no OwnsInCycle", tx)
		}
		for obj := range okrcore.ID(6) {
			for _, ws := range []string{"w", "x"} {
				krs, err := tx.KeyResultsByObjective(ws, obj)
				if err != nil {
					return err
				}
				if n, err := ix.KeyResultCount(ws, obj); err != nil || n != len(krs) {
					t.Errorf("KeyResultCount(%s, %d) = %d, %v; want %d", ws, obj, n, err, len(krs))
				}
			}
		}
		for _, c := range cases {
			owns, hasKRs, err := ix.OwnsInCycle("w", c.owner, c.cycle)
			if err != nil {
				return err
			}
			if got := (want{owns, hasKRs}); got != c.want {
				t.Errorf("OwnsInCycle(%v, cycle %d) = %+v, want %+v", c.owner, c.cycle, got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
