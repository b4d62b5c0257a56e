package storagetest

// Conformance of IDs (per kind and workspace, or given by the caller) and
// of lookups of what is not there.

import (
	"errors"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func testIDs(t *testing.T, s okrcore.Store) {
	var got []okrcore.ID
	put(t, s, func(tx okrcore.Tx) error {
		for _, ws := range []string{"a", "b"} {
			u := newUser(ws, "U1", "Ann")
			tm := newTeam(ws, "Team", 1)
			c := newCycle(ws, "Q1", base)
			o := newObjective(ws, 1, okrcore.UserOwner(1), "O")
			k := newKR(ws, 1, 1, okrcore.UserOwner(1), "KR")
			kpi := &okrcore.KPI{Workspace: ws, Title: "KPI"}
			in := &okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: "I"}
			ci := newCheckIn(ws, okrcore.TargetKR, 1, 1, base, 1)
			errs := []error{tx.PutUser(u), tx.PutTeam(tm), tx.PutCycle(c), tx.PutObjective(o), tx.PutKeyResult(k),
				tx.PutKPI(kpi), tx.PutInitiative(in), tx.AddCheckIn(ci)}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			got = append(got, u.ID, tm.ID, c.ID, o.ID, k.ID, kpi.ID, in.ID, ci.ID)
		}
		o2 := newObjective("a", 1, okrcore.UserOwner(1), "O2")
		if err := tx.PutObjective(o2); err != nil {
			return err
		}
		got = append(got, o2.ID)
		return nil
	})
	want := []okrcore.ID{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}
	equal(t, "first IDs of every kind in two workspaces", got, want)
	var o3 *okrcore.Objective
	put(t, s, func(tx okrcore.Tx) error {
		o3 = newObjective("b", 1, okrcore.UserOwner(1), "O2 of b")
		return tx.PutObjective(o3)
	})
	equal(t, "second objective of b", o3.ID, okrcore.ID(2))
}

func testExplicitIDs(t *testing.T, s okrcore.Store) {
	o := newObjective("w", 1, okrcore.UserOwner(1), "Imported")
	o.ID = 10
	k := newKR("w", 10, 1, okrcore.UserOwner(1), "Imported KR")
	k.ID = 34
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o); err != nil {
			return err
		}
		return tx.PutKeyResult(k)
	})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 10) })
	equal(t, "O10", got, o)
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("w", 10) })
	wantIDs(t, "KRs of O10", list, err, 34)
	o2 := newObjective("w", 1, okrcore.UserOwner(1), "After import")
	k2 := newKR("w", 10, 1, okrcore.UserOwner(1), "After import")
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o2); err != nil {
			return err
		}
		return tx.PutKeyResult(k2)
	})
	equal(t, "IDs after explicit ones", []okrcore.ID{o2.ID, k2.ID}, []okrcore.ID{11, 35})
	// A lower explicit ID does not move the sequence back.
	o3 := newObjective("w", 1, okrcore.UserOwner(1), "Gap filler")
	o3.ID = 5
	o4 := newObjective("w", 1, okrcore.UserOwner(1), "Next")
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o3); err != nil {
			return err
		}
		return tx.PutObjective(o4)
	})
	equal(t, "ID after a lower explicit one", o4.ID, okrcore.ID(12))
}

func testNotFound(t *testing.T, s okrcore.Store) {
	// One record of each kind in workspace "w", ID 1, so that lookups of ID
	// 2 miss by ID only.
	seed(t, s, "w")
	cases := []struct {
		name string
		fn   func(tx okrcore.Tx) error
	}{
		{"Workspace", func(tx okrcore.Tx) error { _, err := tx.Workspace("nope"); return err }},
		{"User", func(tx okrcore.Tx) error { _, err := tx.User("w", 99); return err }},
		{"User 0", func(tx okrcore.Tx) error { _, err := tx.User("w", 0); return err }},
		{"UserByPlatform", func(tx okrcore.Tx) error { _, err := tx.UserByPlatform("w", "slack", "nope"); return err }},
		{"UserByName", func(tx okrcore.Tx) error { _, err := tx.UserByName("w", "nobody"); return err }},
		{"UserByName empty", func(tx okrcore.Tx) error { _, err := tx.UserByName("w", ""); return err }},
		{"Team", func(tx okrcore.Tx) error { _, err := tx.Team("w", 99); return err }},
		{"TeamByName", func(tx okrcore.Tx) error { _, err := tx.TeamByName("w", "nope"); return err }},
		{"Cycle", func(tx okrcore.Tx) error { _, err := tx.Cycle("w", 99); return err }},
		{"Objective", func(tx okrcore.Tx) error { _, err := tx.Objective("w", 99); return err }},
		{"KeyResult", func(tx okrcore.Tx) error { _, err := tx.KeyResult("w", 99); return err }},
		{"KPI", func(tx okrcore.Tx) error { _, err := tx.KPI("w", 99); return err }},
		{"Initiative", func(tx okrcore.Tx) error { _, err := tx.Initiative("w", 99); return err }},
		{"State", func(tx okrcore.Tx) error { _, err := tx.State("w", "nope"); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var lookupErr error
			view(t, s, func(tx okrcore.Tx) error { lookupErr = c.fn(tx); return nil })
			wantNotFound(t, lookupErr, c.name)
		})
	}
	// The person-facing message names the reference people typed.
	_, err := get(t, s, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult("w", 12) })
	if msg := okrcore.ErrorMessage(err); msg != "I can't find KR12." {
		t.Fatalf("message for missing KR12 = %q", msg)
	}
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 7) })
	if msg := okrcore.ErrorMessage(err); msg != "I can't find O7." {
		t.Fatalf("message for missing O7 = %q", msg)
	}
	// Empty lists are not errors.
	view(t, s, func(tx okrcore.Tx) error {
		for name, n := range map[string]func() (int, error){
			"Users":                  func() (int, error) { l, err := tx.Users("nope"); return len(l), err },
			"Teams":                  func() (int, error) { l, err := tx.Teams("nope"); return len(l), err },
			"TeamsOfUser":            func() (int, error) { l, err := tx.TeamsOfUser("w", 99); return len(l), err },
			"Cycles":                 func() (int, error) { l, err := tx.Cycles("nope"); return len(l), err },
			"ObjectivesByCycle":      func() (int, error) { l, err := tx.ObjectivesByCycle("w", 99); return len(l), err },
			"ObjectivesByOwner":      func() (int, error) { l, err := tx.ObjectivesByOwner("w", okrcore.UserOwner(99), 0); return len(l), err },
			"KeyResultsByObjective":  func() (int, error) { l, err := tx.KeyResultsByObjective("w", 99); return len(l), err },
			"KeyResultsByCycle":      func() (int, error) { l, err := tx.KeyResultsByCycle("w", 99); return len(l), err },
			"KPIs":                   func() (int, error) { l, err := tx.KPIs("nope"); return len(l), err },
			"InitiativesByKeyResult": func() (int, error) { l, err := tx.InitiativesByKeyResult("w", 99); return len(l), err },
			"CheckIns": func() (int, error) {
				l, err := tx.CheckIns("w", okrcore.TargetKR, 99, time.Time{}, 0)
				return len(l), err
			},
		} {
			if got, err := n(); err != nil || got != 0 {
				t.Errorf("%s of nothing: %d records, %v", name, got, err)
			}
		}
		return nil
	})
}
