package okrcore_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// The rules of okrcore/cycles are tested here, on okrcore's fixture and
// the real store, as okrcore's own are.

func parsed(spec string) okrcore.Later[okrcore.Cycle] {
	return func() (okrcore.Cycle, error) { return okrcore.ParseCycle(spec) }
}

func TestCreateCycle(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name        string
		spec        string
		current     bool
		wantCurrent string
	}{
		// Q1 2027 is current and holds t1: a later quarter waits.
		{"a later quarter", "Q2 2027", false, "Q1 2027"},
		// A custom span around t1 takes over.
		{"a span holding now", "Sprint 2027-01-15 2027-02-15", true, "Sprint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *okrcore.Cycle
			var current bool
			update(t, f.db, func(tx okrcore.Tx) (err error) {
				c, current, err = cycles.Create(tx, t1, f.ada, parsed(tc.spec))
				return err
			})
			if current != tc.current || c.Workspace != "A" || c.ID == 0 {
				t.Errorf("created %+v, current %v; want current %v", c, current, tc.current)
			}
			if got, _ := viewCycle(t, f, "A"); got.Name != tc.wantCurrent {
				t.Errorf("current cycle %s, want %s", got.Name, tc.wantCurrent)
			}
		})
	}
	t.Run("the first cycle is current whenever it is", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			return tx.PutWorkspace(&okrcore.Workspace{ID: "C", Name: "Cyan", CreatedAt: t0})
		})
		admin := user("C", "Cy", okrcore.RoleAdmin)
		update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(admin) })
		var current bool
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			_, current, err = cycles.Create(tx, t1, admin, parsed("2030"))
			return err
		})
		if got, _ := viewCycle(t, f, "C"); !current || got.Name != "2030" {
			t.Errorf("current %v, cycle %v; want 2030 current", current, got)
		}
	})

	errTyped := okrcore.Errorf(okrcore.KindInvalid, "I couldn't read that cycle.")
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		cycle    tracked[okrcore.Cycle]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, tracked[okrcore.Cycle]{v: okrcore.QuarterOf(t0.AddDate(1, 0, 0))}, okrcore.KindForbidden, []string{"Only an admin can change cycles."}, false},
		{"an observer", f.olga, tracked[okrcore.Cycle]{err: errTyped}, okrcore.KindForbidden, []string{"change cycles"}, false},
		{"a name taken, whatever its case", f.ada, tracked[okrcore.Cycle]{v: okrcore.Cycle{Name: "q1 2027", Start: t0, End: t1}}, okrcore.KindConflict, []string{"There is already a cycle called q1 2027 (C1)."}, true},
		{"no name", f.ada, tracked[okrcore.Cycle]{v: okrcore.Cycle{Start: t0, End: t1}}, okrcore.KindInvalid, []string{"name"}, true},
		{"ending before it starts", f.ada, tracked[okrcore.Cycle]{v: okrcore.Cycle{Name: "Backwards", Start: t1, End: t0}}, okrcore.KindInvalid, []string{"ends after it starts"}, true},
		{"what the person typed", f.ada, tracked[okrcore.Cycle]{err: errTyped}, okrcore.KindInvalid, []string{"couldn't read"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cycle := tc.cycle
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := cycles.Create(tx, t1, tc.actor, cycle.later())
				return err
			}, tc.kind, tc.keywords...)
			if cycle.called != tc.asked {
				t.Errorf("cycle read: %v, want %v", cycle.called, tc.asked)
			}
		})
	}
}

func TestSetCurrentCycle(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ name, spec, want string }{
		{"by name, whatever its case", "q4 2026", "Q4 2026"},
		{"by reference", "C1", "Q1 2027"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *okrcore.Cycle
			update(t, f.db, func(tx okrcore.Tx) (err error) { c, err = cycles.Set(tx, f.ada, tc.spec); return err })
			if got, _ := viewCycle(t, f, "A"); c.Name != tc.want || got.Name != tc.want {
				t.Errorf("set %v, current %v; want %s", c, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		spec     string
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"a member", f.alice, "Q4 2026", okrcore.KindForbidden, []string{"Only an admin can change cycles."}},
		{"an unknown cycle", f.ada, "Q3 2031", okrcore.KindNotFound, []string{`There is no cycle called "Q3 2031".`, "/okr cycle list"}},
		{"another workspace's", f.bea, "Q4 2026", okrcore.KindNotFound, []string{"Q4 2026"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Set(tx, tc.actor, tc.spec); return err }, tc.kind, tc.keywords...)
		})
	}
}

func TestCloseCurrentCycle(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	f.keyResult(t, o.ID, okrcore.Owner{}, 80)
	closing := func(actor *okrcore.User) func(tx okrcore.Tx) error {
		return func(tx okrcore.Tx) error { _, err := cycles.Close(tx, t1, actor, "", true); return err }
	}
	wantRefused(t, f.db, closing(f.lee), okrcore.KindForbidden, "Only an admin can close a cycle.")

	var cl *cycles.Closing
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		cl, err = cycles.Close(tx, t1, f.ada, "", true)
		return err
	})
	if cl.Cycle.Name != "Q1 2027" || cl.Objectives != 1 || cl.Achieved != 1 {
		t.Errorf("closed %+v; want Q1 2027, 1 objective, 1 achieved", cl)
	}
	var stored *okrcore.Cycle
	view(t, f.db, func(tx okrcore.Tx) (err error) { stored, err = tx.Cycle("A", f.cycle.ID); return err })
	if !stored.Closed {
		t.Error("the current cycle is still open")
	}
	wantRefused(t, f.db, closing(f.ada), okrcore.KindConflict, "closed already")

	t.Run("no current cycle", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			return tx.PutWorkspace(&okrcore.Workspace{ID: "C", Name: "Cyan", CreatedAt: t0.Add(-time.Hour)})
		})
		admin := user("C", "Cy", okrcore.RoleAdmin)
		update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(admin) })
		err := attempt(t, f.db, closing(admin))
		wantErr(t, err, okrcore.KindNotFound, "no current cycle")
	})
}
