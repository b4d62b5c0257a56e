package okrcore_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/okrcore/tracking"
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

// currentNames are the workspace's current cycles by name, shortest first.
func currentNames(t *testing.T, f *fixture, ws string) []string {
	t.Helper()
	var names []string
	view(t, f.db, func(tx okrcore.Tx) error {
		cs, err := okrcore.CurrentCycles(tx, ws)
		for _, c := range cs {
			names = append(names, c.Name)
		}
		if okrcore.IsNotFound(err) {
			return nil
		}
		return err
	})
	return names
}

func wantNames(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("current cycles %q, want %q", got, want)
	}
}

// TestCurrentCycles: a year runs beside its quarter, the quarter first;
// setting a cycle replaces only the current one of its kind; a workspace
// from before keeps its one current cycle.
func TestCurrentCycles(t *testing.T) {
	f := newFixture(t)
	wantNames(t, currentNames(t, f, "A"), "Q1 2027")
	var current bool
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		_, current, err = cycles.Create(tx, t1, f.ada, parsed("2027"))
		return err
	})
	if !current {
		t.Error("the first annual cycle did not become current beside the quarter")
	}
	wantNames(t, currentNames(t, f, "A"), "Q1 2027", "2027")
	if c, _ := viewCycle(t, f, "A"); c.Name != "Q1 2027" {
		t.Errorf("new objectives go to %s, want the quarter", c.Name)
	}
	update(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Set(tx, f.ada, "Q4 2026"); return err })
	wantNames(t, currentNames(t, f, "A"), "Q4 2026", "2027")
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		_, current, err = cycles.Create(tx, t1, f.ada, parsed("Q2 2027"))
		return err
	})
	if current {
		t.Error("a later quarter became current")
	}
	wantNames(t, currentNames(t, f, "A"), "Q4 2026", "2027")
	wantNames(t, currentNames(t, f, "B"), "Q1 2027")
}

// TestCycleNext: the cycle after a quarter or a year, and what is refused.
func TestCycleNext(t *testing.T) {
	f := newFixture(t)
	var next *okrcore.Cycle
	var current bool
	update(t, f.db, func(tx okrcore.Tx) (err error) { next, current, err = cycles.Next(tx, t1, f.ada, ""); return err })
	if next.Name != "Q2 2027" || !next.Start.Equal(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) || current || next.Kind != okrcore.CycleQuarter {
		t.Errorf("next %+v, current %v; want Q2 2027 from Apr 1, not current yet", next, current)
	}
	update(t, f.db, func(tx okrcore.Tx) error { _, _, err := cycles.Create(tx, t1, f.ada, parsed("2027")); return err })
	update(t, f.db, func(tx okrcore.Tx) (err error) { next, _, err = cycles.Next(tx, t1, f.ada, "2027"); return err })
	if next.Name != "2028" || next.Kind != okrcore.CycleAnnual {
		t.Errorf("after 2027 came %+v, want 2028", next)
	}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, _, err := cycles.Create(tx, t1, f.ada, parsed("H1 2027 2027-01-01 2027-06-30"))
		return err
	})
	update(t, f.db, func(tx okrcore.Tx) (err error) { next, _, err = cycles.Next(tx, t1, f.ada, "H1 2027"); return err })
	if next.Name != "H2 2027" || next.Kind != okrcore.CycleCustom || !next.Start.Equal(time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)) || !next.End.Equal(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("after H1 2027 came %+v, want H2 2027 from Jul 1 to Dec 31", next)
	}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, _, err := cycles.Create(tx, t1, f.ada, parsed("Sprint 2027-01-15 2027-02-15"))
		return err
	})
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		of       string
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"a member", f.alice, "", okrcore.KindForbidden, []string{"Only an admin can change cycles."}},
		{"an unknown cycle", f.ada, "Q3 2031", okrcore.KindNotFound, []string{`There is no cycle called "Q3 2031".`}},
		{"twice", f.ada, "Q1 2027", okrcore.KindConflict, []string{"Q1 2027 already has its next cycle, Q2 2027"}},
		{"a custom cycle without a pattern", f.ada, "Sprint", okrcore.KindInvalid, []string{"custom cycle", "/okr cycle new NAME 2027-02-16 2027-03-19"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, _, err := cycles.Next(tx, t1, tc.actor, tc.of); return err }, tc.kind, tc.keywords...)
		})
	}
}

// TestAdvance: the next quarter becomes current when it starts, once: an
// admin's choice afterwards stands, and a cycle whose start is long past
// is not switched to on its own.
func TestAdvance(t *testing.T) {
	f := newFixture(t)
	update(t, f.db, func(tx okrcore.Tx) error { _, _, err := cycles.Next(tx, t1, f.ada, ""); return err })
	advance := func(at time.Time) (names []string) {
		t.Helper()
		update(t, f.db, func(tx okrcore.Tx) error {
			cs, err := cycles.Advance(tx, at, "A")
			for _, c := range cs {
				names = append(names, c.Name)
			}
			return err
		})
		return names
	}
	q2 := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		at      time.Time
		started []string
		current []string
	}{
		{"the last minute of Q1", q2.Add(-time.Minute), nil, []string{"Q1 2027"}},
		{"Q2 starts", q2, []string{"Q2 2027"}, []string{"Q2 2027"}},
		{"a tick later", q2.Add(time.Minute), nil, []string{"Q2 2027"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantNames(t, advance(tc.at), tc.started...)
			wantNames(t, currentNames(t, f, "A"), tc.current...)
		})
	}
	update(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Set(tx, f.ada, "Q1 2027"); return err })
	wantNames(t, advance(q2.Add(time.Hour)))
	wantNames(t, currentNames(t, f, "A"), "Q1 2027")

	update(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Set(tx, f.ada, "Q2 2027"); return err })
	update(t, f.db, func(tx okrcore.Tx) error { _, _, err := cycles.Next(tx, t1, f.ada, "Q2 2027"); return err })
	wantNames(t, advance(time.Date(2027, 7, 9, 0, 0, 0, 0, time.UTC)))
	wantNames(t, advance(time.Date(2027, 7, 2, 0, 0, 0, 0, time.UTC)), "Q3 2027")
}

// TestEarlyClose: closing before the cycle's end is refused, writing
// nothing, until it is confirmed; after the end it needs no confirmation.
func TestEarlyClose(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	f.keyResult(t, o.ID, okrcore.Owner{}, 50)
	wantRefusal(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Close(tx, t1, f.ada, "Q1 2027", false); return err }, func(err error) {
		t.Helper()
		var ec *cycles.EarlyClose
		if !errors.As(err, &ec) || ec.Cycle.Name != "Q1 2027" || ec.DaysLeft() != 58 {
			t.Errorf("early close answered %v, want EarlyClose with 58 days left (Feb 2 to Mar 31)", err)
		}
	})
	update(t, f.db, func(tx okrcore.Tx) error { _, err := cycles.Close(tx, t1, f.ada, "Q1 2027", true); return err })

	g := newFixture(t)
	update(t, g.db, func(tx okrcore.Tx) error {
		_, err := cycles.Close(tx, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), g.ada, "Q1 2027", false)
		return err
	})
	if c, _ := viewCycle(t, g, "A"); !c.Closed {
		t.Error("Q1 2027 was not closed after its end")
	}
}

// TestCarryOver: at the close each owner of an unfinished key result is
// asked; a carried key result starts in the next cycle from where it
// stood, under its objective's continuation (aligned under the year's
// objective as before), its history kept and linked; and what is refused.
func TestCarryOver(t *testing.T) {
	f := newFixture(t)
	var year *okrcore.Cycle
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		year, _, err = cycles.Create(tx, t0, f.ada, parsed("2027"))
		return err
	})
	company := &okrcore.Objective{Title: "Win the year", Owner: okrcore.UserOwner(f.ada.ID), Cycle: year.ID}
	update(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.CreateObjective(tx, t0, f.ada, company); return err })
	quarterly := f.objective(t, "Q", company.Owner, 0, 0)
	wantRefused(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.CreateObjective(tx, t0, f.ada, &okrcore.Objective{Title: "Under a quarter", Owner: company.Owner, Cycle: year.ID, ParentObjective: quarterly.ID})
		return err
	}, okrcore.KindInvalid, "another cycle")
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, company.ID)
	a := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	e := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 20)
	done := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 100)
	team := f.keyResult(t, f.objective(t, "Platform", okrcore.TeamOwner(f.platform.ID), 0, 0).ID, okrcore.TeamOwner(f.platform.ID), 10)
	child := f.keyResult(t, f.objective(t, "Beneath", okrcore.UserOwner(f.alice.ID), 0, o.ID).ID, okrcore.UserOwner(f.alice.ID), 10)
	in := &okrcore.Initiative{KeyResult: a.ID, Title: "Hire"}
	update(t, f.db, func(tx okrcore.Tx) error {
		if err := tracking.CreateInitiative(tx, t0, f.ada, in); err != nil {
			return err
		}
		_, err := okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: a.ID, Value: ptr(40.0)})
		return err
	})

	var cl *cycles.Closing
	update(t, f.db, func(tx okrcore.Tx) (err error) { cl, err = cycles.Close(tx, t1, f.ada, "Q1 2027", true); return err })
	// Ada's "Q" objective has no key results: unfinished are a, e, team.
	if cl.Unfinished != 4 || cl.Asked != 2 || cl.Next != nil {
		t.Errorf("close %+v: want 4 unfinished, 2 people asked, no next cycle", cl)
	}
	view(t, f.db, func(tx okrcore.Tx) error {
		for _, u := range []okrcore.ID{f.alice.ID, f.quinn.ID} {
			key := fmt.Sprintf("carry_over:u%d:%s", u, cycles.Period(f.cycle.ID))
			if it, err := tx.OutboxByKey("A", key); err != nil || it.Kind != okrcore.OutboxCarry {
				t.Errorf("no prompt %s: %v", key, err)
			}
		}
		return nil
	})
	decide := func(actor *okrcore.User, k *okrcore.KeyResult, what okrcore.Outcome) func(tx okrcore.Tx) error {
		return func(tx okrcore.Tx) error { _, err := cycles.Decide(tx, t1, actor, k.ID, what); return err }
	}
	wantRefused(t, f.db, decide(f.alice, a, okrcore.OutcomeCarried), okrcore.KindNotFound, "Q1 2027 has no next cycle yet", "/okr cycle next Q1 2027")
	update(t, f.db, func(tx okrcore.Tx) error { _, _, err := cycles.Next(tx, t1, f.ada, "Q1 2027"); return err })

	// The objective beneath Grow is carried first; it is aligned under
	// Grow's continuation once that exists.
	var d, beneath *cycles.Decision
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		beneath, err = cycles.Decide(tx, t1, f.alice, child.ID, okrcore.OutcomeCarried)
		return err
	})
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		d, err = cycles.Decide(tx, t1, f.alice, a.ID, okrcore.OutcomeCarried)
		return err
	})
	if got := f.getObjective(t, "A", beneath.Objective.ID); got.ParentObjective != d.Objective.ID {
		t.Errorf("the continuation of Beneath is under O%d, want Grow's continuation O%d", got.ParentObjective, d.Objective.ID)
	}
	old, nk := f.getKR(t, "A", a.ID), f.getKR(t, "A", d.New.ID)
	if nk.Start != 40 || nk.Current != 40 || nk.Target != 100 || nk.Progress != 0 || nk.CarriedFrom != a.ID || nk.Cycle != d.Next.ID || nk.Score != nil {
		t.Errorf("carried key result %+v: want 40 → 100 from KR%d in Q2 2027, ungraded", nk, a.ID)
	}
	if old.Outcome != okrcore.OutcomeCarried || old.CarriedTo != nk.ID || old.Score == nil {
		t.Errorf("old key result %+v: want carried to KR%d, its grade kept", old, nk.ID)
	}
	if cis := f.checkIns(t, "A", okrcore.TargetKR, a.ID); len(cis) != 1 {
		t.Errorf("the old key result has %d check-ins, want its 1", len(cis))
	}
	cont := f.getObjective(t, "A", nk.Objective)
	if cont.CarriedFrom != o.ID || cont.Title != "Grow" || cont.ParentObjective != company.ID || cont.Cycle != d.Next.ID {
		t.Errorf("continued objective %+v: want Grow from O%d under O%d in Q2 2027", cont, o.ID, company.ID)
	}
	var ins []*okrcore.Initiative
	view(t, f.db, func(tx okrcore.Tx) (err error) { ins, err = tx.InitiativesByKeyResult("A", nk.ID); return err })
	if len(ins) != 1 || ins[0].ID != in.ID {
		t.Errorf("initiatives of the carried key result: %v, want I%d moved along", ins, in.ID)
	}

	for _, tc := range []struct {
		name     string
		op       func(tx okrcore.Tx) error
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"someone else's", decide(f.bob, e, okrcore.OutcomeCarried), okrcore.KindForbidden, nil},
		{"carried twice", decide(f.alice, a, okrcore.OutcomeCarried), okrcore.KindConflict, []string{fmt.Sprintf("carried over already, as KR%d", nk.ID)}},
		{"dropped once carried", decide(f.alice, a, okrcore.OutcomeDropped), okrcore.KindConflict, []string{"carried over already"}},
		{"a finished one", decide(f.alice, done, okrcore.OutcomeCarried), okrcore.KindConflict, []string{"reached its target"}},
		{"one of an open cycle", decide(f.alice, nk, okrcore.OutcomeCarried), okrcore.KindConflict, []string{"still open"}},
		{"an unknown one", decide(f.alice, &okrcore.KeyResult{ID: 999}, okrcore.OutcomeCarried), okrcore.KindNotFound, []string{"There is no KR999."}},
		{"all from an open cycle", func(tx okrcore.Tx) error { _, err := cycles.CarryAll(tx, t1, f.ada, "Q2 2027", false); return err }, okrcore.KindConflict, []string{"still open"}},
		{"all from an unknown cycle", func(tx okrcore.Tx) error { _, err := cycles.CarryAll(tx, t1, f.ada, "Q9", false); return err }, okrcore.KindNotFound, []string{"no cycle called"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantRefused(t, f.db, tc.op, tc.kind, tc.keywords...) })
	}

	update(t, f.db, decide(f.quinn, team, okrcore.OutcomeDropped))
	update(t, f.db, decide(f.quinn, team, okrcore.OutcomeKept))
	if got := f.getKR(t, "A", team.ID); got.Outcome != okrcore.OutcomeKept {
		t.Errorf("the team's key result is %q, want kept (a mind changed)", got.Outcome)
	}
	var ds []*cycles.Decision
	update(t, f.db, func(tx okrcore.Tx) (err error) { ds, err = cycles.CarryAll(tx, t1, f.alice, "", true); return err })
	if len(ds) != 1 || ds[0].Old.ID != e.ID || ds[0].Objective.ID != cont.ID {
		t.Errorf("carry mine: %+v, want KR%d under the same continued O%d", ds, e.ID, cont.ID)
	}
	update(t, f.db, func(tx okrcore.Tx) (err error) { ds, err = cycles.CarryAll(tx, t1, f.ada, "", false); return err })
	if len(ds) != 0 {
		t.Errorf("carry all after everything was decided carried %d", len(ds))
	}
}
