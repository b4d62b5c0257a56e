package okrcore_test

import (
	"errors"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func TestEnsureWorkspace(t *testing.T) {
	db := openDB(t)
	update(t, db, func(tx okrcore.Tx) error { return okrcore.EnsureWorkspace(tx, "W", "", t0) })
	w := getWorkspace(t, db, "W")
	var c *okrcore.Cycle
	view(t, db, func(tx okrcore.Tx) (err error) { c, err = okrcore.CurrentCycle(tx, "W"); return err })
	if w.Name != "W" || w.Platform != "" || w.Rules != okrcore.DefaultRules() || !w.CreatedAt.Equal(t0) || c.Name != "Q1 2027" {
		t.Errorf("workspace %+v with cycle %+v", w, c)
	}
	// A platform is remembered once known; nothing else changes.
	for _, p := range []string{"slack", "teams"} {
		update(t, db, func(tx okrcore.Tx) error { return okrcore.EnsureWorkspace(tx, "W", p, t1) })
		if got := getWorkspace(t, db, "W"); got.Platform != "slack" || got.CurrentCycle != c.ID || !got.CreatedAt.Equal(t0) {
			t.Errorf("after %s: %+v", p, got)
		}
	}
	var cs []*okrcore.Cycle
	view(t, db, func(tx okrcore.Tx) (err error) { cs, err = tx.Cycles("W"); return err })
	if len(cs) != 1 {
		t.Errorf("%d cycles, want the first one only", len(cs))
	}
}

func TestSetRules(t *testing.T) {
	f := newFixture(t)
	var r okrcore.Rules
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		r, err = okrcore.SetRules(tx, f.ada, func(r *okrcore.Rules) error { r.MinObjectives, r.MaxObjectives = 2, 4; return nil })
		return err
	})
	want := okrcore.DefaultRules()
	want.MinObjectives, want.MaxObjectives = 2, 4
	if got := getWorkspace(t, f.db, "A").Rules; got != want || r != want {
		t.Errorf("rules %+v, returned %+v; want %+v", got, r, want)
	}

	errTyped := okrcore.Errorf(okrcore.KindInvalid, "Write the range as whole numbers low-high.")
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		change   func(*okrcore.Rules) error
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, nil, okrcore.KindForbidden, []string{"Only an admin can change the OKR rules."}, false},
		{"an observer", f.olga, nil, okrcore.KindForbidden, []string{"OKR rules"}, false},
		{"backwards", f.ada, func(r *okrcore.Rules) error { r.MinKeyResults, r.MaxKeyResults = 5, 2; return nil }, okrcore.KindInvalid, []string{"5–2"}, true},
		{"too many", f.ada, func(r *okrcore.Rules) error { r.MaxObjectives = 51; return nil }, okrcore.KindInvalid, []string{"50"}, true},
		{"what the person typed", f.ada, func(*okrcore.Rules) error { return errTyped }, okrcore.KindInvalid, []string{"whole numbers"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			var opErr error
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, opErr = okrcore.SetRules(tx, tc.actor, func(r *okrcore.Rules) error {
					asked = true
					if tc.change == nil {
						r.MaxObjectives = 9
						return nil
					}
					return tc.change(r)
				})
				return opErr
			}, tc.kind, tc.keywords...)
			if asked != tc.asked {
				t.Errorf("change ran: %v, want %v", asked, tc.asked)
			}
			if tc.name == "what the person typed" && !errors.Is(opErr, errTyped) {
				t.Errorf("error %v, want the one typed", opErr)
			}
		})
	}
}
