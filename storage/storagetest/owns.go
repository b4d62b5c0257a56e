package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// OwnershipIndex is who owns what, from the indexes alone (report's).
type OwnershipIndex interface {
	OwnsInCycle(ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error)
	KeyResultCount(ws string, objective okrcore.ID) (int, error)
}

// RunOwnsInCycle checks a backend's OwnsInCycle and KeyResultCount
// against what its records say.
func RunOwnsInCycle(t *testing.T, s okrcore.Store) {
	u, team := okrcore.UserOwner, okrcore.TeamOwner
	kr := func(ws string, obj, cycle okrcore.ID, owner okrcore.Owner) *okrcore.KeyResult {
		return &okrcore.KeyResult{Workspace: ws, Objective: obj, Cycle: cycle, Title: "KR", Owner: owner, Metric: okrcore.MetricNumber, Target: 10}
	}
	// In w: 1 owns objective 1, whose key result 2 owns; 3 one with none; 4 one in cycle 2;
	// team 1 one with a key result; 5 a key result deleted; 6 owns only in workspace x.
	put(t, s, func(tx okrcore.Tx) error {
		var errs []error
		for _, ws := range []string{"w", "x"} {
			errs = append(errs, tx.PutCycle(newCycle(ws, "Q1", base)), tx.PutCycle(newCycle(ws, "Q2", base.AddDate(0, 3, 0))))
		}
		for _, o := range []*okrcore.Objective{newObjective("w", 1, u(1), "A"), newObjective("w", 1, u(3), "C"), newObjective("w", 2, u(4), "D"),
			newObjective("w", 1, team(1), "T"), newObjective("x", 1, u(6), "X")} {
			errs = append(errs, tx.PutObjective(o))
		}
		for _, k := range []*okrcore.KeyResult{kr("w", 1, 1, u(2)), kr("w", 4, 1, team(1)), kr("x", 1, 1, u(6)), kr("w", 4, 1, u(5))} {
			errs = append(errs, tx.PutKeyResult(k))
		}
		return errors.Join(append(errs, tx.DeleteKeyResult("w", 3))...)
	})
	type want struct{ owns, hasKRs bool }
	cases := []struct {
		owner okrcore.Owner
		cycle okrcore.ID
		want  want
	}{
		{u(1), 1, want{true, true}}, {u(1), 2, want{}}, {u(1), 0, want{true, true}}, {u(2), 1, want{true, true}}, {u(2), 2, want{}},
		{u(3), 1, want{true, false}}, {u(4), 1, want{}}, {u(4), 2, want{true, false}}, {u(4), 0, want{true, false}},
		{team(1), 1, want{true, true}}, {team(2), 1, want{}}, {u(5), 1, want{}}, {u(6), 1, want{}}, {u(7), 1, want{}}, {okrcore.Owner{}, 1, want{}},
	}
	err := s.View(context.Background(), func(tx okrcore.Tx) error {
		ix, ok := tx.(OwnershipIndex)
		if !ok {
			t.Fatalf("%T has no OwnsInCycle", tx)
		}
		for obj := range okrcore.ID(6) {
			for _, ws := range []string{"w", "x"} {
				krs, err := tx.KeyResultsByObjective(ws, obj)
				if n, cerr := ix.KeyResultCount(ws, obj); err != nil || cerr != nil || n != len(krs) {
					t.Errorf("KeyResultCount(%s, %d) = %d, %v; want %d (%v)", ws, obj, n, cerr, len(krs), err)
				}
			}
		}
		for _, c := range cases {
			owns, hasKRs, err := ix.OwnsInCycle("w", c.owner, c.cycle)
			if got := (want{owns, hasKRs}); err != nil || got != c.want {
				t.Errorf("OwnsInCycle(%v, cycle %d) = %+v, %v; want %+v", c.owner, c.cycle, got, err, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Slices reads people and teams a slice at a time (the scheduler's).
type Slices interface {
	UsersAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.User, error)
	TeamsAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.Team, error)
}

// RunSlices checks a backend's UsersAfter and TeamsAfter: slice by slice
// (at most limit, all for 0) the same as Users and Teams.
func RunSlices(t *testing.T, s okrcore.Store) {
	put(t, s, func(tx okrcore.Tx) error {
		var errs []error
		for i := range 14 {
			ws, name := []string{"w", "x"}[i%2], string(rune('a'+i))
			errs = append(errs, tx.PutUser(&okrcore.User{Workspace: ws, Platform: "slack", PlatformID: name, Name: "P", Role: okrcore.RoleMember}),
				tx.PutTeam(&okrcore.Team{Workspace: ws, Name: name}))
		}
		return errors.Join(append(errs, tx.DeleteTeam("w", 3))...)
	})
	err := s.View(context.Background(), func(tx okrcore.Tx) error {
		sl, ok := tx.(Slices)
		if !ok {
			t.Fatalf("%T has no UsersAfter", tx)
		}
		users, err := tx.Users("w")
		teams, terr := tx.Teams("w")
		if err = errors.Join(err, terr); err != nil {
			return err
		}
		for _, limit := range []int{0, 1, 3, 7, 8} {
			equal(t, "people slice by slice", sliceBySlice(t, limit, func(a okrcore.ID) ([]*okrcore.User, error) { return sl.UsersAfter("w", a, limit) },
				func(u *okrcore.User) okrcore.ID { return u.ID }), users)
			equal(t, "teams slice by slice", sliceBySlice(t, limit, func(a okrcore.ID) ([]*okrcore.Team, error) { return sl.TeamsAfter("w", a, limit) },
				func(x *okrcore.Team) okrcore.ID { return x.ID }), teams)
		}
		if us, err := sl.UsersAfter("w", ^okrcore.ID(0), 0); err != nil || len(us) != 0 {
			t.Errorf("UsersAfter(the largest ID): %d people, %v", len(us), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sliceBySlice lists everything through after, a slice at a time.
func sliceBySlice[T any](t *testing.T, limit int, after func(okrcore.ID) ([]*T, error), id func(*T) okrcore.ID) []*T {
	t.Helper()
	var out []*T
	for a := okrcore.ID(0); ; {
		xs, err := after(a)
		if err != nil {
			t.Fatal(err)
		}
		if len(xs) == 0 || (limit > 0 && len(xs) > limit) {
			return append(out, xs...) // more than limit: not what Users says
		}
		out, a = append(out, xs...), id(xs[len(xs)-1])
	}
}
