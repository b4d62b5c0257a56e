package okrcore_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/storage/bolt"
)

// The operations in service.go run against the real bbolt store: what they
// write is what a later transaction reads.

var (
	ctx = context.Background()
	// t0 is when the fixture's OKRs are created, t1 when people check in.
	t0 = time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
)

func ptr[T any](v T) *T { return &v }

func openDB(tb testing.TB) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// update runs fn in a write transaction and fails the test on error. fn
// runs on the store's committer goroutine, so it reports by returning.
func update(tb testing.TB, db okrcore.Store, fn func(tx okrcore.Tx) error) {
	tb.Helper()
	if err := db.Update(ctx, fn); err != nil {
		tb.Fatalf("update: %v", err)
	}
}

func view(tb testing.TB, db okrcore.Store, fn func(tx okrcore.Tx) error) {
	tb.Helper()
	if err := db.View(ctx, fn); err != nil {
		tb.Fatalf("view: %v", err)
	}
}

// attempt runs op in a write transaction that commits whatever op wrote,
// even when op fails, and returns op's error. A refused operation must be
// refused before it writes anything; attempt proves it without relying on
// the store's rollback.
func attempt(tb testing.TB, db okrcore.Store, op func(tx okrcore.Tx) error) error {
	tb.Helper()
	var opErr error
	update(tb, db, func(tx okrcore.Tx) error {
		opErr = op(tx)
		return nil
	})
	return opErr
}

// wantErr checks err's kind and that its message is a sentence for a person
// mentioning every key word.
func wantErr(t *testing.T, err error, kind okrcore.ErrorKind, keywords ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if k := okrcore.ErrorKindOf(err); k != kind {
		t.Fatalf("error kind %q, want %q: %v", k, kind, err)
	}
	msg := okrcore.ErrorMessage(err)
	if msg == "" {
		t.Fatalf("error %v has no message for people", err)
	}
	if r := []rune(msg)[0]; !unicode.IsUpper(r) && r != '"' {
		t.Errorf("message %q does not start like a sentence", msg)
	}
	if !strings.HasSuffix(msg, ".") {
		t.Errorf("message %q does not end like a sentence", msg)
	}
	low := strings.ToLower(msg)
	for _, w := range keywords {
		if !strings.Contains(low, strings.ToLower(w)) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

// putter collects the first error of a sequence of writes.
type putter struct{ err error }

func (p *putter) do(err error) {
	if p.err == nil {
		p.err = err
	}
}

// fixture is workspace A:
//
//	Ada    admin
//	Alice  member of Growth (lead Lee)
//	Lee    lead of Growth
//	Bob    member of Platform (lead Quinn), under Engineering (lead Pat)
//	Quinn  lead of Platform
//	Pat    lead of Engineering
//	Carol  member of no team
//	Olga   observer
//
// with Q1 2027 current and open, and Q4 2026 closed; and workspace B with
// its own admin and member.
type fixture struct {
	db                                            *bolt.DB
	ada, alice, lee, bob, quinn, pat, carol, olga *okrcore.User
	growth, platform, eng                         *okrcore.Team
	cycle, closed                                 *okrcore.Cycle
	bea, zed                                      *okrcore.User // workspace B
	cycleB                                        *okrcore.Cycle
}

func user(ws, name string, role okrcore.Role) *okrcore.User {
	return &okrcore.User{Workspace: ws, Platform: "shell", PlatformID: strings.ToLower(name), Name: name, Role: role, CreatedAt: t0}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{db: openDB(t)}
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		q1 := okrcore.QuarterOf(t0)
		q1.Workspace = "A"
		f.cycle = &q1
		p.do(tx.PutCycle(f.cycle))
		q4 := okrcore.QuarterOf(t0.AddDate(0, -3, 0))
		q4.Workspace, q4.Closed = "A", true
		f.closed = &q4
		p.do(tx.PutCycle(f.closed))
		p.do(tx.PutWorkspace(&okrcore.Workspace{ID: "A", Name: "Acme", CurrentCycle: f.cycle.ID, CreatedAt: t0}))
		f.ada = user("A", "Ada", okrcore.RoleAdmin)
		f.alice = user("A", "Alice", okrcore.RoleMember)
		f.lee = user("A", "Lee", okrcore.RoleMember)
		f.bob = user("A", "Bob", okrcore.RoleMember)
		f.quinn = user("A", "Quinn", okrcore.RoleMember)
		f.pat = user("A", "Pat", okrcore.RoleMember)
		f.carol = user("A", "Carol", okrcore.RoleMember)
		f.olga = user("A", "Olga", okrcore.RoleObserver)
		for _, u := range []*okrcore.User{f.ada, f.alice, f.lee, f.bob, f.quinn, f.pat, f.carol, f.olga} {
			p.do(tx.PutUser(u))
		}
		f.eng = &okrcore.Team{Workspace: "A", Name: "Engineering", Lead: f.pat.ID}
		p.do(tx.PutTeam(f.eng))
		f.growth = &okrcore.Team{Workspace: "A", Name: "Growth", Lead: f.lee.ID, Members: []okrcore.ID{f.alice.ID}}
		p.do(tx.PutTeam(f.growth))
		f.platform = &okrcore.Team{Workspace: "A", Name: "Platform", Lead: f.quinn.ID, Members: []okrcore.ID{f.bob.ID}, Parent: f.eng.ID}
		p.do(tx.PutTeam(f.platform))

		qb := okrcore.QuarterOf(t0)
		qb.Workspace = "B"
		f.cycleB = &qb
		p.do(tx.PutCycle(f.cycleB))
		p.do(tx.PutWorkspace(&okrcore.Workspace{ID: "B", Name: "Beta", CurrentCycle: f.cycleB.ID, CreatedAt: t0}))
		f.bea = user("B", "Bea", okrcore.RoleAdmin)
		f.zed = user("B", "Zed", okrcore.RoleMember)
		p.do(tx.PutUser(f.bea))
		p.do(tx.PutUser(f.zed))
		return p.err
	})
	return f
}

// objective creates an objective in the current cycle as Ada (an admin).
func (f *fixture) objective(t *testing.T, title string, owner okrcore.Owner, parentKR, parentObj okrcore.ID) *okrcore.Objective {
	t.Helper()
	o := &okrcore.Objective{Title: title, Owner: owner, Cycle: f.cycle.ID, ParentKR: parentKR, ParentObjective: parentObj}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.CreateObjective(tx, t0, f.ada, o)
		return err
	})
	return o
}

// keyResult creates a key result 0→100 at current under an objective, as Ada.
func (f *fixture) keyResult(t *testing.T, obj okrcore.ID, owner okrcore.Owner, current float64) *okrcore.KeyResult {
	t.Helper()
	k := &okrcore.KeyResult{Objective: obj, Title: "Reach 100", Owner: owner, Start: 0, Target: 100, Current: current}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.CreateKeyResult(tx, t0, f.ada, k)
		return err
	})
	return k
}

func (f *fixture) getKR(t *testing.T, ws string, id okrcore.ID) *okrcore.KeyResult {
	t.Helper()
	var k *okrcore.KeyResult
	view(t, f.db, func(tx okrcore.Tx) (err error) { k, err = tx.KeyResult(ws, id); return err })
	return k
}

func (f *fixture) getObjective(t *testing.T, ws string, id okrcore.ID) *okrcore.Objective {
	t.Helper()
	var o *okrcore.Objective
	view(t, f.db, func(tx okrcore.Tx) (err error) { o, err = tx.Objective(ws, id); return err })
	return o
}

func (f *fixture) checkIns(t *testing.T, ws string, target okrcore.TargetKind, id okrcore.ID) []*okrcore.CheckIn {
	t.Helper()
	var cs []*okrcore.CheckIn
	view(t, f.db, func(tx okrcore.Tx) (err error) { cs, err = tx.CheckIns(ws, target, id, time.Time{}, 0); return err })
	return cs
}

// assertKRUnchanged compares everything a check-in could change.
func assertKRUnchanged(t *testing.T, got, want *okrcore.KeyResult) {
	t.Helper()
	if got.Current != want.Current || got.Progress != want.Progress || got.Status != want.Status ||
		got.StatusSet != want.StatusSet || !got.LastCheckIn.Equal(want.LastCheckIn) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
		(got.Confidence == nil) != (want.Confidence == nil) || (got.Score == nil) != (want.Score == nil) {
		t.Errorf("key result changed:\n got %+v\nwant %+v", got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCanChange(t *testing.T) {
	f := newFixture(t)
	noKind := okrcore.Owner{ID: 1}
	tests := []struct {
		name     string
		actor    *okrcore.User
		owner    okrcore.Owner
		keywords []string // nil: allowed
	}{
		{"owner", f.alice, okrcore.UserOwner(f.alice.ID), nil},
		{"owner's team lead", f.lee, okrcore.UserOwner(f.alice.ID), nil},
		{"admin on a user's", f.ada, okrcore.UserOwner(f.alice.ID), nil},
		{"another member", f.carol, okrcore.UserOwner(f.alice.ID), []string{"Only Alice", "team lead", "admin"}},
		{"a member of another team", f.bob, okrcore.UserOwner(f.alice.ID), []string{"Only Alice"}},
		{"a lead of another team", f.quinn, okrcore.UserOwner(f.alice.ID), []string{"Only Alice"}},
		{"the owner on the lead's", f.alice, okrcore.UserOwner(f.lee.ID), []string{"Only Lee"}},
		{"observer", f.olga, okrcore.UserOwner(f.alice.ID), []string{"observers", "change nothing"}},
		{"observer on own", f.olga, okrcore.UserOwner(f.olga.ID), []string{"observers"}},
		{"member of the owning team", f.bob, okrcore.TeamOwner(f.platform.ID), nil},
		{"lead of the owning team", f.quinn, okrcore.TeamOwner(f.platform.ID), nil},
		{"lead of the owning team's parent", f.pat, okrcore.TeamOwner(f.platform.ID), nil},
		{"admin on a team's", f.ada, okrcore.TeamOwner(f.platform.ID), nil},
		{"non-member on a team's", f.carol, okrcore.TeamOwner(f.platform.ID), []string{"Only members of Platform", "lead", "admin"}},
		{"member of a sibling team", f.alice, okrcore.TeamOwner(f.platform.ID), []string{"Platform"}},
		{"member of the child team on the parent's", f.bob, okrcore.TeamOwner(f.eng.ID), []string{"Engineering"}},
		{"observer on a team's", f.olga, okrcore.TeamOwner(f.platform.ID), []string{"observers"}},
		{"unknown user owner", f.carol, okrcore.UserOwner(999), []string{"its owner"}},
		{"no owner kind", f.carol, noKind, []string{"no owner", "admin"}},
		{"admin on no owner kind", f.ada, noKind, nil},
		{"nobody", nil, okrcore.UserOwner(f.alice.ID), []string{"who you are"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			view(t, f.db, func(tx okrcore.Tx) error { err = okrcore.CanChange(tx, tc.actor, tc.owner); return nil })
			if tc.keywords == nil {
				if err != nil {
					t.Fatalf("CanChange refused: %v", err)
				}
				return
			}
			wantErr(t, err, okrcore.KindForbidden, tc.keywords...)
		})
	}
	t.Run("unknown team", func(t *testing.T) {
		var err error
		view(t, f.db, func(tx okrcore.Tx) error { err = okrcore.CanChange(tx, f.bob, okrcore.TeamOwner(999)); return nil })
		if !okrcore.IsNotFound(err) {
			t.Errorf("CanChange on unknown team = %v, want not found", err)
		}
	})
	t.Run("RequireAdmin", func(t *testing.T) {
		if err := okrcore.RequireAdmin(f.ada, "close a cycle"); err != nil {
			t.Errorf("admin refused: %v", err)
		}
		for _, u := range []*okrcore.User{f.alice, f.olga, nil} {
			wantErr(t, okrcore.RequireAdmin(u, "close a cycle"), okrcore.KindForbidden, "Only an admin can close a cycle.")
		}
	})
}

func TestCreateObjective(t *testing.T) {
	f := newFixture(t)
	t.Run("stored with defaults", func(t *testing.T) {
		o := &okrcore.Objective{Title: "  Win the market  ", Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.cycle.ID,
			ID: 77, Workspace: "B", Progress: 0.9, Status: okrcore.StatusDone, Score: ptr(1.0)}
		var warnings []string
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			warnings, err = okrcore.CreateObjective(tx, t0, f.alice, o)
			return err
		})
		if len(warnings) != 0 {
			t.Errorf("warnings %q for one objective", warnings)
		}
		got := f.getObjective(t, "A", o.ID)
		if o.ID == 0 || o.ID == 77 || got.Workspace != "A" || got.CreatedBy != f.alice.ID || !got.CreatedAt.Equal(t0) ||
			!got.UpdatedAt.Equal(t0) || got.Progress != 0 || got.Score != nil || got.Owner != okrcore.UserOwner(f.alice.ID) {
			t.Errorf("stored %+v", got)
		}
	})
	t.Run("warns past the maximum", func(t *testing.T) {
		owner := okrcore.UserOwner(f.bob.ID)
		var last []string
		for i := 1; i <= 6; i++ {
			update(t, f.db, func(tx okrcore.Tx) (err error) {
				last, err = okrcore.CreateObjective(tx, t0, f.bob, &okrcore.Objective{Title: "Objective", Owner: owner, Cycle: f.cycle.ID})
				return err
			})
			if i <= 5 && len(last) != 0 {
				t.Errorf("objective %d: warnings %q", i, last)
			}
		}
		if len(last) != 1 || !strings.Contains(last[0], "6 objectives") || !strings.Contains(last[0], "3–5") {
			t.Errorf("sixth objective: warnings %q", last)
		}
	})
	t.Run("aligned and rolled up", func(t *testing.T) {
		parent := f.objective(t, "Company", okrcore.UserOwner(f.ada.ID), 0, 0)
		k := f.keyResult(t, parent.ID, okrcore.UserOwner(f.ada.ID), 100)
		if p := f.getObjective(t, "A", parent.ID).Progress; p != 1 {
			t.Fatalf("parent progress %v, want 1", p)
		}
		child := f.objective(t, "Team", okrcore.TeamOwner(f.growth.ID), k.ID, 0)
		// The new objective has no key results: it pulls its parent to (1+0)/2.
		if p := f.getObjective(t, "A", parent.ID).Progress; !near(p, 0.5) {
			t.Errorf("parent progress after aligning an empty objective %v, want 0.5", p)
		}
		if got := f.getObjective(t, "A", child.ID); got.ParentKR != k.ID {
			t.Errorf("child stored %+v", got)
		}
	})

	otherCycleKR := func() okrcore.ID {
		var id okrcore.ID
		update(t, f.db, func(tx okrcore.Tx) error {
			c := &okrcore.Cycle{Workspace: "A", Name: "Q2 2027", Kind: okrcore.CycleQuarter, Start: f.cycle.End, End: f.cycle.End.AddDate(0, 3, 0)}
			var p putter
			p.do(tx.PutCycle(c))
			o := &okrcore.Objective{Workspace: "A", Cycle: c.ID, Title: "Later", Owner: okrcore.UserOwner(f.ada.ID)}
			p.do(tx.PutObjective(o))
			k := &okrcore.KeyResult{Workspace: "A", Objective: o.ID, Cycle: c.ID, Title: "Later", Owner: o.Owner, Metric: okrcore.MetricNumber, Target: 1, Direction: okrcore.Increase, Weight: 1}
			p.do(tx.PutKeyResult(k))
			id = k.ID
			return p.err
		})
		return id
	}()
	refusals := []struct {
		name     string
		actor    *okrcore.User
		o        okrcore.Objective
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"another member's", f.carol, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.cycle.ID}, okrcore.KindForbidden, []string{"Only Alice"}},
		{"observer", f.olga, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.olga.ID), Cycle: f.cycle.ID}, okrcore.KindForbidden, []string{"observers"}},
		{"no title", f.alice, okrcore.Objective{Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.cycle.ID}, okrcore.KindInvalid, []string{"title"}},
		{"no cycle", f.alice, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.alice.ID)}, okrcore.KindInvalid, []string{"cycle"}},
		{"closed cycle", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.closed.ID}, okrcore.KindConflict, []string{f.closed.Name, "closed"}},
		{"unknown owner", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(999), Cycle: f.cycle.ID}, okrcore.KindNotFound, nil},
		{"unknown team", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.TeamOwner(999), Cycle: f.cycle.ID}, okrcore.KindNotFound, nil},
		{"unknown cycle", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.ada.ID), Cycle: 999}, okrcore.KindNotFound, nil},
		{"unknown parent key result", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.ada.ID), Cycle: f.cycle.ID, ParentKR: 999}, okrcore.KindNotFound, nil},
		{"unknown parent objective", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.ada.ID), Cycle: f.cycle.ID, ParentObjective: 999}, okrcore.KindNotFound, nil},
		{"parent in another cycle", f.ada, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.ada.ID), Cycle: f.cycle.ID, ParentKR: otherCycleKR}, okrcore.KindInvalid, []string{"another cycle"}},
		{"cycle of another workspace", f.bea, okrcore.Objective{Title: "X", Owner: okrcore.UserOwner(f.bea.ID), Cycle: f.closed.ID}, okrcore.KindNotFound, nil},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			var before []*okrcore.Objective
			view(t, f.db, func(tx okrcore.Tx) (err error) { before, err = tx.ObjectivesByCycle("A", f.cycle.ID); return err })
			o := tc.o
			err := attempt(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.CreateObjective(tx, t0, tc.actor, &o); return err })
			if tc.keywords != nil {
				wantErr(t, err, tc.kind, tc.keywords...)
			} else if k := okrcore.ErrorKindOf(err); k != tc.kind {
				t.Fatalf("error %v, want kind %s", err, tc.kind)
			}
			var after []*okrcore.Objective
			view(t, f.db, func(tx okrcore.Tx) (err error) { after, err = tx.ObjectivesByCycle("A", f.cycle.ID); return err })
			if len(after) != len(before) {
				t.Errorf("%d objectives stored after a refusal, %d before", len(after), len(before))
			}
		})
	}
}

func TestCreateKeyResult(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	t.Run("defaults filled and rolled up", func(t *testing.T) {
		k := &okrcore.KeyResult{Objective: o.ID, Title: "Cut churn", Start: 8, Target: 4,
			ID: 55, Cycle: 99, Score: ptr(1.0), StatusSet: true, Confidence: ptr(3)}
		var warnings []string
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			warnings, err = okrcore.CreateKeyResult(tx, t0, f.alice, k)
			return err
		})
		got := f.getKR(t, "A", k.ID)
		if k.ID == 55 || got.Owner != o.Owner || got.Cycle != f.cycle.ID || got.Direction != okrcore.Decrease ||
			got.Weight != 1 || got.Metric != okrcore.MetricNumber || got.Current != 8 || got.Progress != 0 ||
			got.Score != nil || got.StatusSet || got.Confidence != nil || !got.CreatedAt.Equal(t0) {
			t.Errorf("stored %+v", got)
		}
		// Written on day 31: its straight line starts now, so nothing done
		// yet is on track, not "behind" for the weeks before it existed.
		if got.Status != okrcore.StatusOnTrack {
			t.Errorf("status %q, want on track", got.Status)
		}
		// "Add at least 2" is not worth a warning while an objective is being built.
		if len(warnings) != 0 {
			t.Errorf("warnings %q", warnings)
		}
		f.keyResult(t, o.ID, okrcore.Owner{}, 50)
		if p := f.getObjective(t, "A", o.ID).Progress; !near(p, 0.25) {
			t.Errorf("objective progress %v, want (0+0.5)/2", p)
		}
	})
	t.Run("milestone", func(t *testing.T) {
		k := &okrcore.KeyResult{Objective: o.ID, Title: "Launch", Metric: okrcore.MetricMilestone, Owner: okrcore.TeamOwner(f.growth.ID)}
		update(t, f.db, func(tx okrcore.Tx) (err error) { _, err = okrcore.CreateKeyResult(tx, t0, f.lee, k); return err })
		got := f.getKR(t, "A", k.ID)
		if got.Start != 0 || got.Target != 1 || got.Current != 0 || got.Owner != okrcore.TeamOwner(f.growth.ID) {
			t.Errorf("stored %+v", got)
		}
	})
	t.Run("warns past the maximum", func(t *testing.T) {
		o2 := f.objective(t, "Many", okrcore.UserOwner(f.alice.ID), 0, 0)
		var last []string
		for i := 1; i <= 6; i++ {
			update(t, f.db, func(tx okrcore.Tx) (err error) {
				last, err = okrcore.CreateKeyResult(tx, t0, f.alice, &okrcore.KeyResult{Objective: o2.ID, Title: "KR", Target: 10})
				return err
			})
			if i <= 5 && len(last) != 0 {
				t.Errorf("key result %d: warnings %q", i, last)
			}
		}
		if len(last) != 1 || !strings.Contains(last[0], "6 key results") {
			t.Errorf("sixth key result: warnings %q", last)
		}
	})
	closedObj := &okrcore.Objective{Workspace: "A", Cycle: f.closed.ID, Title: "Old", Owner: okrcore.UserOwner(f.alice.ID)}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutObjective(closedObj) })
	refusals := []struct {
		name     string
		actor    *okrcore.User
		k        okrcore.KeyResult
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"another member", f.carol, okrcore.KeyResult{Objective: o.ID, Title: "X", Target: 1}, okrcore.KindForbidden, []string{"Only Alice"}},
		{"observer", f.olga, okrcore.KeyResult{Objective: o.ID, Title: "X", Target: 1}, okrcore.KindForbidden, []string{"observers"}},
		{"closed cycle", f.alice, okrcore.KeyResult{Objective: closedObj.ID, Title: "X", Target: 1}, okrcore.KindConflict, []string{"closed"}},
		{"target equals start", f.alice, okrcore.KeyResult{Objective: o.ID, Title: "X", Start: 5, Target: 5}, okrcore.KindInvalid, []string{"target", "start"}},
		{"direction mismatch", f.alice, okrcore.KeyResult{Objective: o.ID, Title: "X", Start: 5, Target: 1, Direction: okrcore.Increase}, okrcore.KindInvalid, []string{"increase", "higher"}},
		{"NaN target", f.alice, okrcore.KeyResult{Objective: o.ID, Title: "X", Target: math.NaN()}, okrcore.KindInvalid, []string{"target"}},
		{"unknown owner", f.alice, okrcore.KeyResult{Objective: o.ID, Title: "X", Target: 1, Owner: okrcore.UserOwner(999)}, okrcore.KindNotFound, nil},
		{"unknown objective", f.ada, okrcore.KeyResult{Objective: 999, Title: "X", Target: 1}, okrcore.KindNotFound, nil},
		{"objective of another workspace", f.bea, okrcore.KeyResult{Objective: o.ID, Title: "X", Target: 1}, okrcore.KindNotFound, nil},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := f.getObjective(t, "A", o.ID)
			var krsBefore []*okrcore.KeyResult
			view(t, f.db, func(tx okrcore.Tx) (err error) { krsBefore, err = tx.KeyResultsByCycle("A", 0); return err })
			k := tc.k
			err := attempt(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.CreateKeyResult(tx, t1, tc.actor, &k); return err })
			if tc.keywords != nil {
				wantErr(t, err, tc.kind, tc.keywords...)
			} else if kd := okrcore.ErrorKindOf(err); kd != tc.kind {
				t.Fatalf("error %v, want kind %s", err, tc.kind)
			}
			var krsAfter []*okrcore.KeyResult
			view(t, f.db, func(tx okrcore.Tx) (err error) { krsAfter, err = tx.KeyResultsByCycle("A", 0); return err })
			if len(krsAfter) != len(krsBefore) {
				t.Errorf("%d key results after a refusal, %d before", len(krsAfter), len(krsBefore))
			}
			if after := f.getObjective(t, "A", o.ID); !after.UpdatedAt.Equal(before.UpdatedAt) || after.Progress != before.Progress {
				t.Errorf("objective changed by a refusal: %+v", after)
			}
		})
	}
}

func TestRecordCheckIn(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	other := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)

	t.Run("value", func(t *testing.T) {
		var res *okrcore.CheckInResult
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			res, err = okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{
				Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(60.0), Note: "  signed two customers ", Blockers: " legal ",
			})
			return err
		})
		got := f.getKR(t, "A", k.ID)
		if got.Current != 60 || !near(got.Progress, 0.6) || got.Status != okrcore.StatusOnTrack || got.StatusSet ||
			!got.LastCheckIn.Equal(t1) || !got.UpdatedAt.Equal(t1) {
			t.Errorf("key result after check-in %+v", got)
		}
		if res.Before.Current != 0 || res.After.Current != 60 {
			t.Errorf("result before %v after %v", res.Before.Current, res.After.Current)
		}
		cs := f.checkIns(t, "A", okrcore.TargetKR, k.ID)
		if len(cs) != 1 {
			t.Fatalf("%d check-ins stored, want 1", len(cs))
		}
		c := cs[0]
		if c.Value != 60 || c.Previous != 0 || c.Author != f.alice.ID || !c.At.Equal(t1) || c.Note != "signed two customers" ||
			c.Blockers != "legal" || c.Target != okrcore.TargetKR || c.Workspace != "A" || c.ID == 0 {
			t.Errorf("check-in stored %+v", c)
		}
		if len(res.Objectives) != 1 || res.Objectives[0].ID != o.ID || !near(res.Objectives[0].Progress, 0.3) ||
			res.PreviousProgress[o.ID] != 0 {
			t.Errorf("result objectives %+v, previous %v", res.Objectives, res.PreviousProgress)
		}
		if so := f.getObjective(t, "A", o.ID); !near(so.Progress, 0.3) || !so.UpdatedAt.Equal(t1) {
			t.Errorf("objective stored %+v", so)
		}
	})
	t.Run("status", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Status: okrcore.StatusOffTrack})
			return err
		})
		got := f.getKR(t, "A", k.ID)
		if got.Status != okrcore.StatusOffTrack || !got.StatusSet || got.Current != 60 {
			t.Errorf("key result %+v", got)
		}
		// The objective is no better than what its owners say.
		if so := f.getObjective(t, "A", o.ID); so.Status != okrcore.StatusOffTrack {
			t.Errorf("objective status %q, want off track", so.Status)
		}
		cs := f.checkIns(t, "A", okrcore.TargetKR, k.ID)
		if len(cs) != 2 || cs[0].Status != okrcore.StatusOffTrack || cs[0].Value != 60 || cs[0].Previous != 60 {
			t.Errorf("newest check-in %+v", cs[0])
		}
	})
	t.Run("confidence", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(70.0), Confidence: ptr(5)})
			return err
		})
		got := f.getKR(t, "A", k.ID)
		if got.Confidence == nil || *got.Confidence != 5 || got.Status != okrcore.StatusAtRisk || !got.StatusSet || got.Current != 70 {
			t.Errorf("key result %+v", got)
		}
		if so := f.getObjective(t, "A", o.ID); so.Status != okrcore.StatusAtRisk {
			t.Errorf("objective status %q, want at risk", so.Status)
		}
		cs := f.checkIns(t, "A", okrcore.TargetKR, k.ID)
		if cs[0].Confidence == nil || *cs[0].Confidence != 5 {
			t.Errorf("check-in confidence %v", cs[0].Confidence)
		}
		// Full confidence on a met key result is done, whatever the number says.
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(120.0), Confidence: ptr(10)})
			return err
		})
		if got := f.getKR(t, "A", k.ID); got.Status != okrcore.StatusDone || got.Progress != 1 {
			t.Errorf("met key result %+v", got)
		}
	})
	t.Run("a later plain value clears a set status", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(40.0)})
			return err
		})
		got := f.getKR(t, "A", k.ID)
		if got.StatusSet || got.Status != okrcore.StatusOnTrack || got.Confidence == nil {
			t.Errorf("key result %+v", got)
		}
	})
	t.Run("note only", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Note: strings.Repeat("é", okrcore.MaxNote)})
			return err
		})
		cs := f.checkIns(t, "A", okrcore.TargetKR, k.ID)
		if got := f.getKR(t, "A", k.ID); got.Current != 40 || cs[0].Value != 40 || cs[0].Previous != 40 {
			t.Errorf("note-only check-in changed the value: %+v / %+v", got, cs[0])
		}
	})

	refusals := []struct {
		name     string
		actor    *okrcore.User
		in       okrcore.CheckInInput
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"confidence 11", f.alice, okrcore.CheckInInput{Value: ptr(90.0), Confidence: ptr(11)}, okrcore.KindInvalid, []string{"confidence", "0", "10", "11"}},
		{"confidence -1", f.alice, okrcore.CheckInInput{Confidence: ptr(-1)}, okrcore.KindInvalid, []string{"confidence", "-1"}},
		{"NaN value", f.alice, okrcore.CheckInInput{Value: ptr(math.NaN())}, okrcore.KindInvalid, []string{"new value", "number"}},
		{"infinite value", f.alice, okrcore.CheckInInput{Value: ptr(math.Inf(1))}, okrcore.KindInvalid, []string{"new value"}},
		{"unknown status", f.alice, okrcore.CheckInInput{Status: "meh"}, okrcore.KindInvalid, []string{"meh", "not a status"}},
		{"long note", f.alice, okrcore.CheckInInput{Note: strings.Repeat("é", okrcore.MaxNote+1)}, okrcore.KindInvalid, []string{"notes", "2000"}},
		{"long blockers", f.alice, okrcore.CheckInInput{Blockers: strings.Repeat("x", okrcore.MaxNote+1)}, okrcore.KindInvalid, []string{"blockers"}},
		{"another member", f.carol, okrcore.CheckInInput{Value: ptr(90.0)}, okrcore.KindForbidden, []string{"Only Alice", "team lead", "admin"}},
		{"observer", f.olga, okrcore.CheckInInput{Value: ptr(90.0)}, okrcore.KindForbidden, []string{"observers"}},
		{"unknown key result", f.alice, okrcore.CheckInInput{TargetID: 999, Value: ptr(1.0)}, okrcore.KindNotFound, nil},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := f.getKR(t, "A", k.ID)
			objBefore := f.getObjective(t, "A", o.ID)
			n := len(f.checkIns(t, "A", okrcore.TargetKR, k.ID))
			in := tc.in
			in.Target = okrcore.TargetKR
			if in.TargetID == 0 {
				in.TargetID = k.ID
			}
			err := attempt(t, f.db, func(tx okrcore.Tx) error {
				_, err := okrcore.RecordCheckIn(tx, t1.Add(time.Hour), tc.actor, in)
				return err
			})
			if tc.keywords != nil {
				wantErr(t, err, tc.kind, tc.keywords...)
			} else if kd := okrcore.ErrorKindOf(err); kd != tc.kind {
				t.Fatalf("error %v, want kind %s", err, tc.kind)
			}
			assertKRUnchanged(t, f.getKR(t, "A", k.ID), before)
			if got := len(f.checkIns(t, "A", okrcore.TargetKR, k.ID)); got != n {
				t.Errorf("%d check-ins after a refusal, %d before", got, n)
			}
			if after := f.getObjective(t, "A", o.ID); !after.UpdatedAt.Equal(objBefore.UpdatedAt) {
				t.Errorf("objective touched by a refusal")
			}
		})
	}
	t.Run("milestone values", func(t *testing.T) {
		m := &okrcore.KeyResult{Objective: o.ID, Title: "Launch", Metric: okrcore.MetricMilestone}
		update(t, f.db, func(tx okrcore.Tx) (err error) { _, err = okrcore.CreateKeyResult(tx, t0, f.alice, m); return err })
		err := attempt(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: m.ID, Value: ptr(0.5)})
			return err
		})
		wantErr(t, err, okrcore.KindInvalid, "milestone", "done")
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: m.ID, Value: ptr(1.0)})
			return err
		})
		if got := f.getKR(t, "A", m.ID); got.Progress != 1 || got.Status != okrcore.StatusDone {
			t.Errorf("done milestone %+v", got)
		}
	})
	t.Run("percent out of range", func(t *testing.T) {
		p := &okrcore.KeyResult{Objective: o.ID, Title: "Coverage", Metric: okrcore.MetricPercent, Start: 40, Target: 80}
		update(t, f.db, func(tx okrcore.Tx) (err error) { _, err = okrcore.CreateKeyResult(tx, t0, f.alice, p); return err })
		for _, v := range []float64{-1, 1001} {
			err := attempt(t, f.db, func(tx okrcore.Tx) error {
				_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: p.ID, Value: ptr(v)})
				return err
			})
			wantErr(t, err, okrcore.KindInvalid, "percentage", "out of range")
		}
		if got := f.getKR(t, "A", p.ID); got.Current != 40 {
			t.Errorf("percentage stored %v after refusals", got.Current)
		}
	})
	if got := f.getKR(t, "A", other.ID); !got.UpdatedAt.Equal(t0) || got.Current != 0 {
		t.Errorf("sibling key result touched: %+v", got)
	}
}

func TestRecordCheckInPermissions(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	mine := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	team := f.keyResult(t, o.ID, okrcore.TeamOwner(f.platform.ID), 0)
	tests := []struct {
		name     string
		actor    *okrcore.User
		kr       *okrcore.KeyResult
		keywords []string // nil: allowed
	}{
		{"owner", f.alice, mine, nil},
		{"owner's team lead", f.lee, mine, nil},
		{"admin", f.ada, mine, nil},
		{"another member", f.carol, mine, []string{"Only Alice"}},
		{"observer", f.olga, mine, []string{"Observers can read everything"}},
		{"member of the owning team", f.bob, team, nil},
		{"lead of the owning team", f.quinn, team, nil},
		{"lead of the parent team", f.pat, team, nil},
		{"member of another team", f.alice, team, []string{"Only members of Platform"}},
		{"observer on a team's", f.olga, team, []string{"Observers"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.getKR(t, "A", tc.kr.ID)
			n := len(f.checkIns(t, "A", okrcore.TargetKR, tc.kr.ID))
			v := float64(10 + i)
			at := t1.Add(time.Duration(i) * time.Minute)
			err := attempt(t, f.db, func(tx okrcore.Tx) error {
				_, err := okrcore.RecordCheckIn(tx, at, tc.actor, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: tc.kr.ID, Value: &v})
				return err
			})
			after := f.getKR(t, "A", tc.kr.ID)
			cs := f.checkIns(t, "A", okrcore.TargetKR, tc.kr.ID)
			if tc.keywords == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if after.Current != v || len(cs) != n+1 || cs[0].Author != tc.actor.ID {
					t.Errorf("check-in not stored: %+v, %d check-ins", after, len(cs))
				}
				return
			}
			wantErr(t, err, okrcore.KindForbidden, tc.keywords...)
			assertKRUnchanged(t, after, before)
			if len(cs) != n {
				t.Errorf("%d check-ins after a refusal, %d before", len(cs), n)
			}
		})
	}
}

func TestRecordCheckInClosedCycle(t *testing.T) {
	f := newFixture(t)
	var o *okrcore.Objective
	var k *okrcore.KeyResult
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		o = &okrcore.Objective{Workspace: "A", Cycle: f.closed.ID, Title: "Old", Owner: okrcore.UserOwner(f.alice.ID), Progress: 0.4, UpdatedAt: t0}
		p.do(tx.PutObjective(o))
		k = &okrcore.KeyResult{Workspace: "A", Objective: o.ID, Cycle: f.closed.ID, Title: "Old", Owner: o.Owner,
			Metric: okrcore.MetricNumber, Target: 10, Current: 4, Progress: 0.4, Direction: okrcore.Increase, Weight: 1, UpdatedAt: t0}
		p.do(tx.PutKeyResult(k))
		return p.err
	})
	for _, actor := range []*okrcore.User{f.alice, f.ada} {
		err := attempt(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, actor, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(9.0), Confidence: ptr(8)})
			return err
		})
		wantErr(t, err, okrcore.KindConflict, f.closed.Name, "closed", "no longer change")
	}
	assertKRUnchanged(t, f.getKR(t, "A", k.ID), k)
	if n := len(f.checkIns(t, "A", okrcore.TargetKR, k.ID)); n != 0 {
		t.Errorf("%d check-ins stored in a closed cycle", n)
	}
	if got := f.getObjective(t, "A", o.ID); got.Progress != 0.4 || !got.UpdatedAt.Equal(t0) {
		t.Errorf("objective of a closed cycle changed: %+v", got)
	}
}

// TestRecordCheckInRollsUpFiveLevels builds five levels of alignment, mixing
// alignment under key results and under objectives, with a sibling branch
// at two levels, a descendant below the checked-in key result and an
// unrelated root, and checks that one check-in updates exactly the chain of
// ancestors, to the values a full roll-up gives.
//
//	O1 ← KR1 ← O2 ← O3 ← KR3 ← O4 ← KR4 ← O5 (KR5 checked in) ← KR5 ← C6
//	      KR1 ← S2     O3 ← S4
//	R (unrelated)
func TestRecordCheckInRollsUpFiveLevels(t *testing.T) {
	f := newFixture(t)
	alice := okrcore.UserOwner(f.alice.ID)
	growth := okrcore.TeamOwner(f.growth.ID)
	o1 := f.objective(t, "Company", okrcore.UserOwner(f.ada.ID), 0, 0)
	kr1 := f.keyResult(t, o1.ID, okrcore.Owner{}, 0)
	o2 := f.objective(t, "Division", growth, kr1.ID, 0)
	f.keyResult(t, o2.ID, okrcore.Owner{}, 0)
	s2 := f.objective(t, "Sibling division", okrcore.TeamOwner(f.platform.ID), kr1.ID, 0)
	f.keyResult(t, s2.ID, okrcore.Owner{}, 50)
	o3 := f.objective(t, "Department", growth, 0, o2.ID)
	kr3 := f.keyResult(t, o3.ID, okrcore.Owner{}, 0)
	s4 := f.objective(t, "Sibling team", growth, 0, o3.ID)
	f.keyResult(t, s4.ID, okrcore.Owner{}, 20)
	o4 := f.objective(t, "Team", growth, kr3.ID, 0)
	kr4 := f.keyResult(t, o4.ID, okrcore.Owner{}, 0)
	o5 := f.objective(t, "Alice's", alice, kr4.ID, 0)
	kr5 := f.keyResult(t, o5.ID, okrcore.Owner{}, 0)
	c6 := f.objective(t, "Below", alice, kr5.ID, 0)
	f.keyResult(t, c6.ID, okrcore.Owner{}, 40)
	r := f.objective(t, "Unrelated", okrcore.UserOwner(f.carol.ID), 0, 0)
	f.keyResult(t, r.ID, okrcore.Owner{}, 30)

	stored := func() (map[okrcore.ID]*okrcore.Objective, map[okrcore.ID]float64) {
		t.Helper()
		return storedTree(t, f)
	}
	// Creating the OKRs rolled up as it went: what is stored is what a full
	// roll-up computes.
	before, full := stored()
	if len(before) != 9 {
		t.Fatalf("%d objectives stored, want 9", len(before))
	}
	for id, o := range before {
		if !near(o.Progress, full[id]) {
			t.Errorf("before: O%d stored %v, full roll-up %v", id, o.Progress, full[id])
		}
	}
	wantBefore := map[okrcore.ID]float64{o5.ID: 0.2, o4.ID: 0.1, o3.ID: 0.1, o2.ID: 0.05, o1.ID: 0.55 / 3}
	for id, w := range wantBefore {
		if !near(before[id].Progress, w) {
			t.Errorf("before: O%d = %v, want %v", id, before[id].Progress, w)
		}
	}

	var res *okrcore.CheckInResult
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		res, err = okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kr5.ID, Value: ptr(100.0)})
		return err
	})

	after, full := stored()
	// O5 = (1 + .4)/2; O4 = (0 + .7)/2; O3 = (0 + .35 + .2)/3; O2 = O3/2; O1 = (0 + O2 + .5)/3.
	o3p := 0.55 / 3
	want := map[okrcore.ID]float64{o5.ID: 0.7, o4.ID: 0.35, o3.ID: o3p, o2.ID: o3p / 2, o1.ID: (o3p/2 + 0.5) / 3}
	chain := []okrcore.ID{o5.ID, o4.ID, o3.ID, o2.ID, o1.ID}
	for _, id := range chain {
		o := after[id]
		if !near(o.Progress, want[id]) {
			t.Errorf("after: O%d = %v, want %v", id, o.Progress, want[id])
		}
		if !o.UpdatedAt.Equal(t1) {
			t.Errorf("ancestor O%d not updated (UpdatedAt %v)", id, o.UpdatedAt)
		}
	}
	for id, o := range after {
		if !near(o.Progress, full[id]) {
			t.Errorf("after: O%d stored %v, full roll-up %v", id, o.Progress, full[id])
		}
	}
	for _, id := range []okrcore.ID{s2.ID, s4.ID, c6.ID, r.ID} {
		if o := after[id]; !o.UpdatedAt.Equal(before[id].UpdatedAt) || o.Progress != before[id].Progress {
			t.Errorf("O%d is not an ancestor but was touched: %+v", id, o)
		}
	}
	if len(res.Objectives) != len(chain) {
		t.Fatalf("result lists %d objectives, want %d", len(res.Objectives), len(chain))
	}
	for i, id := range chain {
		if res.Objectives[i].ID != id || !near(res.Objectives[i].Progress, want[id]) {
			t.Errorf("result objective %d = O%d at %v, want O%d at %v", i, res.Objectives[i].ID, res.Objectives[i].Progress, id, want[id])
		}
		if p, ok := res.PreviousProgress[id]; !ok || !near(p, wantBefore[id]) {
			t.Errorf("previous progress of O%d = %v, want %v", id, p, wantBefore[id])
		}
	}
	if len(res.PreviousProgress) != len(chain) {
		t.Errorf("previous progress has %d entries, want %d", len(res.PreviousProgress), len(chain))
	}
}

// TestRollUpChainLoop: an alignment loop in bad data (which UpdateObjective
// refuses to create) ends the walk instead of looping.
func TestRollUpChainLoop(t *testing.T) {
	f := newFixture(t)
	x := f.objective(t, "X", okrcore.UserOwner(f.alice.ID), 0, 0)
	kx := f.keyResult(t, x.ID, okrcore.Owner{}, 0)
	y := f.objective(t, "Y", okrcore.UserOwner(f.alice.ID), kx.ID, 0)
	f.keyResult(t, y.ID, okrcore.Owner{}, 50)
	update(t, f.db, func(tx okrcore.Tx) error {
		bad, err := tx.Objective("A", x.ID)
		if err != nil {
			return err
		}
		bad.ParentObjective = y.ID // X under Y under X's key result
		return tx.PutObjective(bad)
	})
	var res *okrcore.CheckInResult
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		res, err = okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kx.ID, Value: ptr(100.0)})
		return err
	})
	if len(res.Objectives) != 2 || res.Objectives[0].ID != x.ID || res.Objectives[1].ID != y.ID {
		t.Errorf("chain %v, want X then Y once each", res.Objectives)
	}
}

func TestWorkspaceIsolation(t *testing.T) {
	f := newFixture(t)
	// Workspace A gets several objectives and key results, B one of each:
	// A's later IDs do not exist in B.
	f.objective(t, "A's first", okrcore.UserOwner(f.alice.ID), 0, 0)
	oa := f.objective(t, "A's", okrcore.UserOwner(f.alice.ID), 0, 0)
	var ka []*okrcore.KeyResult
	for range 4 {
		ka = append(ka, f.keyResult(t, oa.ID, okrcore.Owner{}, 0))
	}
	ob := &okrcore.Objective{Title: "B's", Owner: okrcore.UserOwner(f.zed.ID), Cycle: f.cycleB.ID}
	kb := &okrcore.KeyResult{Title: "B's", Target: 10}
	update(t, f.db, func(tx okrcore.Tx) error {
		if _, err := okrcore.CreateObjective(tx, t0, f.bea, ob); err != nil {
			return err
		}
		kb.Objective = ob.ID
		_, err := okrcore.CreateKeyResult(tx, t0, f.bea, kb)
		return err
	})
	foreign := ka[3]
	if kb.ID == foreign.ID || ob.ID == oa.ID {
		t.Fatalf("test setup: B's key result has A's id %d", kb.ID)
	}
	ops := map[string]func(tx okrcore.Tx) error{
		"check in": func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.bea, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: foreign.ID, Value: ptr(99.0)})
			return err
		},
		"grade": func(tx okrcore.Tx) error {
			_, _, err := okrcore.GradeKeyResult(tx, t1, f.bea, foreign.ID, 1)
			return err
		},
		"add a key result": func(tx okrcore.Tx) error {
			_, err := okrcore.CreateKeyResult(tx, t1, f.bea, &okrcore.KeyResult{Objective: oa.ID, Title: "Sneak", Target: 1})
			return err
		},
		"align": func(tx okrcore.Tx) error {
			_, err := okrcore.CreateObjective(tx, t1, f.bea, &okrcore.Objective{Title: "Sneak", Owner: okrcore.UserOwner(f.bea.ID), Cycle: f.cycleB.ID, ParentKR: foreign.ID})
			return err
		},
		"edit": func(tx okrcore.Tx) error {
			k := *foreign
			k.Title = "Sneak"
			return okrcore.UpdateKeyResult(tx, t1, f.bea, &k)
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			err := attempt(t, f.db, op)
			if !okrcore.IsNotFound(err) {
				t.Errorf("got %v, want not found", err)
			}
			got := f.getKR(t, "A", foreign.ID)
			assertKRUnchanged(t, got, foreign)
			if got.Title != foreign.Title || got.Score != nil {
				t.Errorf("A's key result changed: %+v", got)
			}
			if n := len(f.checkIns(t, "A", okrcore.TargetKR, foreign.ID)); n != 0 {
				t.Errorf("%d check-ins on A's key result", n)
			}
		})
	}
	t.Run("same id in each workspace", func(t *testing.T) {
		update(t, f.db, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t1, f.zed, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kb.ID, Value: ptr(5.0)})
			return err
		})
		if got := f.getKR(t, "B", kb.ID); got.Current != 5 {
			t.Errorf("B's key result %+v", got)
		}
		for _, k := range ka {
			if got := f.getKR(t, "A", k.ID); got.Current != 0 || !got.UpdatedAt.Equal(t0) {
				t.Errorf("A's KR%d touched by B's check-in: %+v", k.ID, got)
			}
		}
		if got := f.getObjective(t, "A", oa.ID); !got.UpdatedAt.Equal(t0) {
			t.Errorf("A's objective touched by B's check-in")
		}
	})
}

func TestKPICheckIn(t *testing.T) {
	f := newFixture(t)
	kpi := &okrcore.KPI{Workspace: "A", Title: "Uptime", Owner: okrcore.TeamOwner(f.platform.ID), Unit: "%", Current: 99.9, HealthyMin: 99.5, HealthyMax: 100, CreatedAt: t0}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutKPI(kpi) })
	var res *okrcore.CheckInResult
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		res, err = okrcore.RecordCheckIn(tx, t1, f.bob, okrcore.CheckInInput{Target: okrcore.TargetKPI, TargetID: kpi.ID, Value: ptr(98.7), Note: "outage"})
		return err
	})
	var got *okrcore.KPI
	view(t, f.db, func(tx okrcore.Tx) (err error) { got, err = tx.KPI("A", kpi.ID); return err })
	if got.Current != 98.7 || !got.LastCheckIn.Equal(t1) || got.Healthy() {
		t.Errorf("KPI after check-in %+v", got)
	}
	if res.KPI == nil || res.KPI.Current != 98.7 || res.Before != nil || res.After != nil || len(res.Objectives) != 0 {
		t.Errorf("result %+v", res)
	}
	cs := f.checkIns(t, "A", okrcore.TargetKPI, kpi.ID)
	if len(cs) != 1 || cs[0].Target != okrcore.TargetKPI || cs[0].Value != 98.7 || cs[0].Previous != 99.9 || cs[0].Author != f.bob.ID || cs[0].Note != "outage" {
		t.Errorf("check-ins %+v", cs)
	}
	// A KPI check-in is not a key-result check-in with the same id.
	if n := len(f.checkIns(t, "A", okrcore.TargetKR, kpi.ID)); n != 0 {
		t.Errorf("%d key-result check-ins", n)
	}
	refusals := []struct {
		name  string
		actor *okrcore.User
		in    okrcore.CheckInInput
		kind  okrcore.ErrorKind
	}{
		{"non-member", f.carol, okrcore.CheckInInput{Value: ptr(1.0)}, okrcore.KindForbidden},
		{"observer", f.olga, okrcore.CheckInInput{Value: ptr(1.0)}, okrcore.KindForbidden},
		{"NaN", f.bob, okrcore.CheckInInput{Value: ptr(math.NaN())}, okrcore.KindInvalid},
		{"confidence 11", f.bob, okrcore.CheckInInput{Confidence: ptr(11)}, okrcore.KindInvalid},
		{"unknown", f.bob, okrcore.CheckInInput{TargetID: 999, Value: ptr(1.0)}, okrcore.KindNotFound},
		{"other workspace", f.bea, okrcore.CheckInInput{Value: ptr(1.0)}, okrcore.KindNotFound},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Target = okrcore.TargetKPI
			if in.TargetID == 0 {
				in.TargetID = kpi.ID
			}
			err := attempt(t, f.db, func(tx okrcore.Tx) error {
				_, err := okrcore.RecordCheckIn(tx, t1.Add(time.Hour), tc.actor, in)
				return err
			})
			if k := okrcore.ErrorKindOf(err); k != tc.kind {
				t.Fatalf("error %v, want %s", err, tc.kind)
			}
			if tc.kind != okrcore.KindNotFound {
				wantErr(t, err, tc.kind)
			}
			var now *okrcore.KPI
			view(t, f.db, func(tx okrcore.Tx) (err error) { now, err = tx.KPI("A", kpi.ID); return err })
			if now.Current != 98.7 || !now.LastCheckIn.Equal(t1) {
				t.Errorf("KPI changed by a refusal: %+v", now)
			}
			if n := len(f.checkIns(t, "A", okrcore.TargetKPI, kpi.ID)); n != 1 {
				t.Errorf("%d check-ins after a refusal", n)
			}
		})
	}
}

func TestGradeKeyResult(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	a := f.keyResult(t, o.ID, okrcore.Owner{}, 60)
	b := f.keyResult(t, o.ID, okrcore.Owner{}, 80)

	var gk *okrcore.KeyResult
	var gobj *okrcore.Objective
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		gk, gobj, err = okrcore.GradeKeyResult(tx, t1, f.alice, a.ID, 0.6049)
		return err
	})
	// The grade is kept to two decimals; the other key result, ungraded,
	// counts with its suggested score (0.8).
	if gk.Score == nil || *gk.Score != 0.6 || gobj.Score == nil || *gobj.Score != 0.7 {
		t.Fatalf("graded %v, objective %v", gk.Score, gobj.Score)
	}
	if !okrcore.Achieved(*gobj.Score, okrcore.DefaultRules()) {
		t.Errorf("objective scoring %v not achieved", *gobj.Score)
	}
	if got := f.getKR(t, "A", a.ID); got.Score == nil || *got.Score != 0.6 || !got.UpdatedAt.Equal(t1) || got.Current != 60 {
		t.Errorf("stored key result %+v", got)
	}
	if got := f.getObjective(t, "A", o.ID); got.Score == nil || *got.Score != 0.7 {
		t.Errorf("stored objective score %v", got.Score)
	}
	// The team lead grades the other one.
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		_, gobj, err = okrcore.GradeKeyResult(tx, t1, f.lee, b.ID, 0.4)
		return err
	})
	if *gobj.Score != 0.5 || okrcore.Achieved(*gobj.Score, okrcore.DefaultRules()) {
		t.Errorf("objective score %v after two grades", *gobj.Score)
	}

	closedObj := &okrcore.Objective{Workspace: "A", Cycle: f.closed.ID, Title: "Old", Owner: okrcore.UserOwner(f.alice.ID)}
	closedKR := &okrcore.KeyResult{Workspace: "A", Cycle: f.closed.ID, Title: "Old", Owner: okrcore.UserOwner(f.alice.ID), Metric: okrcore.MetricNumber, Target: 1, Direction: okrcore.Increase}
	update(t, f.db, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(closedObj); err != nil {
			return err
		}
		closedKR.Objective = closedObj.ID
		return tx.PutKeyResult(closedKR)
	})
	refusals := []struct {
		name     string
		actor    *okrcore.User
		id       okrcore.ID
		score    float64
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"above 1", f.alice, a.ID, 1.01, okrcore.KindInvalid, []string{"0.0 to 1.0", "0.7"}},
		{"negative", f.alice, a.ID, -0.1, okrcore.KindInvalid, []string{"0.0 to 1.0"}},
		{"NaN", f.alice, a.ID, math.NaN(), okrcore.KindInvalid, []string{"0.0 to 1.0"}},
		{"another member", f.carol, a.ID, 1, okrcore.KindForbidden, []string{"Only Alice"}},
		{"observer", f.olga, a.ID, 1, okrcore.KindForbidden, []string{"observers"}},
		{"closed cycle", f.alice, closedKR.ID, 1, okrcore.KindConflict, []string{"closed", "final"}},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			before := f.getKR(t, "A", tc.id)
			err := attempt(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := okrcore.GradeKeyResult(tx, t1.Add(time.Hour), tc.actor, tc.id, tc.score)
				return err
			})
			wantErr(t, err, tc.kind, tc.keywords...)
			after := f.getKR(t, "A", tc.id)
			if (after.Score == nil) != (before.Score == nil) || (after.Score != nil && *after.Score != *before.Score) || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("grade changed by a refusal: %v → %v", before.Score, after.Score)
			}
		})
	}
}

func TestCurrentCycle(t *testing.T) {
	f := newFixture(t)
	c, err := viewCycle(t, f, "A")
	if err != nil || c.ID != f.cycle.ID || c.Name != "Q1 2027" {
		t.Fatalf("CurrentCycle(A) = %+v, %v", c, err)
	}
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		p.do(tx.PutWorkspace(&okrcore.Workspace{ID: "none", Name: "No cycle"}))
		p.do(tx.PutWorkspace(&okrcore.Workspace{ID: "dangling", Name: "Dangling", CurrentCycle: 42}))
		return p.err
	})
	for _, ws := range []string{"none", "dangling", "never installed"} {
		c, err := viewCycle(t, f, ws)
		if !errors.Is(err, okrcore.ErrNoCurrentCycle) || c != nil {
			t.Errorf("CurrentCycle(%q) = %v, %v; want ErrNoCurrentCycle", ws, c, err)
		}
		wantErr(t, err, okrcore.KindNotFound, "no current cycle", "/okr cycle new")
	}
}

func viewCycle(t *testing.T, f *fixture, ws string) (c *okrcore.Cycle, err error) {
	t.Helper()
	view(t, f.db, func(tx okrcore.Tx) error { c, err = okrcore.CurrentCycle(tx, ws); return nil })
	return c, err
}

func TestUpdateKeyResult(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.Owner{}, 50)
	edit := *f.getKR(t, "A", k.ID)
	edit.Target = 200
	edit.Objective, edit.Cycle = 999, 999 // not editable
	update(t, f.db, func(tx okrcore.Tx) error { return okrcore.UpdateKeyResult(tx, t1, f.alice, &edit) })
	got := f.getKR(t, "A", k.ID)
	if got.Target != 200 || !near(got.Progress, 0.25) || got.Objective != o.ID || got.Cycle != f.cycle.ID || !got.UpdatedAt.Equal(t1) {
		t.Errorf("edited %+v", got)
	}
	if so := f.getObjective(t, "A", o.ID); !near(so.Progress, 0.25) || !so.UpdatedAt.Equal(t1) {
		t.Errorf("objective not rolled up: %+v", so)
	}
	// Reversing the span infers the direction again.
	edit = *got
	edit.Start, edit.Target = 100, 0
	update(t, f.db, func(tx okrcore.Tx) error { return okrcore.UpdateKeyResult(tx, t1, f.alice, &edit) })
	if got := f.getKR(t, "A", k.ID); got.Direction != okrcore.Decrease || !near(got.Progress, 0.5) {
		t.Errorf("reversed %+v", got)
	}
	edit = *f.getKR(t, "A", k.ID)
	edit.Title = "Stolen"
	err := attempt(t, f.db, func(tx okrcore.Tx) error { return okrcore.UpdateKeyResult(tx, t1, f.carol, &edit) })
	wantErr(t, err, okrcore.KindForbidden, "Only Alice")
	if got := f.getKR(t, "A", k.ID); got.Title == "Stolen" {
		t.Error("refused edit stored")
	}
}

func TestUpdateObjectiveRefusesLoops(t *testing.T) {
	f := newFixture(t)
	top := f.objective(t, "Top", okrcore.UserOwner(f.alice.ID), 0, 0)
	topKR := f.keyResult(t, top.ID, okrcore.Owner{}, 0)
	mid := f.objective(t, "Mid", okrcore.UserOwner(f.alice.ID), topKR.ID, 0)
	midKR := f.keyResult(t, mid.ID, okrcore.Owner{}, 0)
	low := f.objective(t, "Low", okrcore.UserOwner(f.alice.ID), 0, mid.ID)
	for name, set := range map[string]func(o *okrcore.Objective){
		"under itself":               func(o *okrcore.Objective) { o.ParentObjective = top.ID },
		"under its own key result":   func(o *okrcore.Objective) { o.ParentKR = topKR.ID },
		"under a child":              func(o *okrcore.Objective) { o.ParentObjective = mid.ID },
		"under a child's key result": func(o *okrcore.Objective) { o.ParentKR = midKR.ID },
		"under a grandchild":         func(o *okrcore.Objective) { o.ParentObjective = low.ID },
	} {
		t.Run(name, func(t *testing.T) {
			edit := *f.getObjective(t, "A", top.ID)
			set(&edit)
			err := attempt(t, f.db, func(tx okrcore.Tx) error { return okrcore.UpdateObjective(tx, t1, f.alice, &edit) })
			wantErr(t, err, okrcore.KindInvalid, "can't be aligned")
			if got := f.getObjective(t, "A", top.ID); got.ParentKR != 0 || got.ParentObjective != 0 {
				t.Errorf("loop stored: %+v", got)
			}
		})
	}
	// Moving Low from Mid to Top rolls up both chains.
	edit := *f.getObjective(t, "A", low.ID)
	edit.ParentObjective = top.ID
	update(t, f.db, func(tx okrcore.Tx) error { return okrcore.UpdateObjective(tx, t1, f.alice, &edit) })
	if got := f.getObjective(t, "A", mid.ID); !got.UpdatedAt.Equal(t1) {
		t.Errorf("old parent not rolled up")
	}
	var kids []*okrcore.Objective
	view(t, f.db, func(tx okrcore.Tx) (err error) {
		kids, err = tx.ObjectivesAlignedTo("A", okrcore.Ref{Kind: okrcore.RefObjective, ID: top.ID})
		return err
	})
	if len(kids) != 1 || kids[0].ID != low.ID {
		t.Errorf("aligned to Top: %v", kids)
	}
}

func TestCloseCycle(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	a := f.keyResult(t, o.ID, okrcore.Owner{}, 74)
	b := f.keyResult(t, o.ID, okrcore.Owner{}, 100)
	o2 := f.objective(t, "Fix", okrcore.UserOwner(f.alice.ID), 0, 0)
	f.keyResult(t, o2.ID, okrcore.Owner{}, 10)
	update(t, f.db, func(tx okrcore.Tx) error {
		_, _, err := okrcore.GradeKeyResult(tx, t1, f.alice, b.ID, 0.9)
		return err
	})

	err := attempt(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Close(tx, t1, f.alice, "Q1 2027", true); return err })
	wantErr(t, err, okrcore.KindForbidden, "Only an admin can close a cycle.")

	var n, achieved int
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		cl, err := cycles.Close(tx, t1, f.ada, "Q1 2027", true)
		if err == nil {
			n, achieved = cl.Objectives, cl.Achieved
		}
		return err
	})
	if n != 2 || achieved != 1 {
		t.Errorf("closed %d objectives, %d achieved; want 2, 1", n, achieved)
	}
	if got := f.getKR(t, "A", a.ID); got.Score == nil || *got.Score != 0.7 {
		t.Errorf("ungraded key result scored %v, want suggested 0.7", got.Score)
	}
	if got := f.getKR(t, "A", b.ID); got.Score == nil || *got.Score != 0.9 {
		t.Errorf("graded key result scored %v, want its grade 0.9", got.Score)
	}
	if got := f.getObjective(t, "A", o.ID); got.Score == nil || *got.Score != 0.8 {
		t.Errorf("objective scored %v, want 0.8", got.Score)
	}
	err = attempt(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: a.ID, Value: ptr(1.0)})
		return err
	})
	wantErr(t, err, okrcore.KindConflict, "closed")
	err = attempt(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Close(tx, t1, f.ada, "Q1 2027", true); return err })
	wantErr(t, err, okrcore.KindConflict, "closed")
}
