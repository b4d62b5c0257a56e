package okrcore_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// wsRecords is everything stored in one workspace that an operation could
// change.
type wsRecords struct {
	Workspace   *okrcore.Workspace
	Users       []*okrcore.User
	Teams       []*okrcore.Team
	Cycles      []*okrcore.Cycle
	Objectives  []*okrcore.Objective
	KeyResults  []*okrcore.KeyResult
	KPIs        []*okrcore.KPI
	Initiatives []*okrcore.Initiative
	CheckIns    []*okrcore.CheckIn
}

// snapshot reads every record of the workspaces, as JSON, so that a test
// can tell that a refused operation wrote nothing.
func snapshot(tb testing.TB, db okrcore.Store, workspaces ...string) string {
	tb.Helper()
	var all []wsRecords
	view(tb, db, func(tx okrcore.Tx) error {
		for _, ws := range workspaces {
			r, err := readWorkspace(tx, ws)
			if err != nil {
				return err
			}
			all = append(all, r)
		}
		return nil
	})
	b, err := json.Marshal(all)
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	return string(b)
}

func readWorkspace(tx okrcore.Tx, ws string) (wsRecords, error) {
	var r wsRecords
	var err error
	if r.Workspace, err = tx.Workspace(ws); err != nil && !okrcore.IsNotFound(err) {
		return r, err
	}
	if r.Users, err = tx.Users(ws); err != nil {
		return r, err
	}
	if r.Teams, err = tx.Teams(ws); err != nil {
		return r, err
	}
	if r.Cycles, err = tx.Cycles(ws); err != nil {
		return r, err
	}
	if r.KPIs, err = tx.KPIs(ws); err != nil {
		return r, err
	}
	for _, c := range r.Cycles {
		objs, err := tx.ObjectivesByCycle(ws, c.ID)
		if err != nil {
			return r, err
		}
		r.Objectives = append(r.Objectives, objs...)
		krs, err := tx.KeyResultsByCycle(ws, c.ID)
		if err != nil {
			return r, err
		}
		r.KeyResults = append(r.KeyResults, krs...)
		for _, k := range krs {
			ins, err := tx.InitiativesByKeyResult(ws, k.ID)
			if err != nil {
				return r, err
			}
			r.Initiatives = append(r.Initiatives, ins...)
		}
	}
	for _, u := range r.Users {
		cs, err := tx.CheckInsByAuthor(ws, u.ID, time.Time{}, 0)
		if err != nil {
			return r, err
		}
		r.CheckIns = append(r.CheckIns, cs...)
	}
	return r, nil
}

// wantRefused runs op as attempt does (committing whatever it wrote),
// checks its error as wantErr does, and that workspaces A and B are as
// they were.
func wantRefused(t *testing.T, db okrcore.Store, op func(tx okrcore.Tx) error, kind okrcore.ErrorKind, keywords ...string) {
	t.Helper()
	wantRefusal(t, db, op, func(err error) { t.Helper(); wantErr(t, err, kind, keywords...) })
}

// wantRefusal is wantRefused with the error checked by check.
func wantRefusal(t *testing.T, db okrcore.Store, op func(tx okrcore.Tx) error, check func(err error)) {
	t.Helper()
	before := snapshot(t, db, "A", "B")
	check(attempt(t, db, op))
	if after := snapshot(t, db, "A", "B"); after != before {
		t.Errorf("a refused operation wrote:\nbefore %s\n after %s", before, after)
	}
}

// tracked is a Later that records whether it was read: an operation that
// refuses the actor must not read what they typed.
type tracked[T any] struct {
	v      T
	err    error
	called bool
}

func (l *tracked[T]) later() okrcore.Later[T] {
	return func() (T, error) { l.called = true; return l.v, l.err }
}

// ids is the Later of a list of people.
func ids(us ...*okrcore.User) okrcore.Later[[]okrcore.ID] {
	out := make([]okrcore.ID, 0, len(us))
	for _, u := range us {
		out = append(out, u.ID)
	}
	return okrcore.Given(out)
}

func getTeam(t *testing.T, db okrcore.Store, ws string, id okrcore.ID) *okrcore.Team {
	t.Helper()
	var tm *okrcore.Team
	view(t, db, func(tx okrcore.Tx) (err error) { tm, err = tx.Team(ws, id); return err })
	return tm
}

func getUser(t *testing.T, db okrcore.Store, ws string, id okrcore.ID) *okrcore.User {
	t.Helper()
	var u *okrcore.User
	view(t, db, func(tx okrcore.Tx) (err error) { u, err = tx.User(ws, id); return err })
	return u
}

func getWorkspace(t *testing.T, db okrcore.Store, ws string) *okrcore.Workspace {
	t.Helper()
	var w *okrcore.Workspace
	view(t, db, func(tx okrcore.Tx) (err error) { w, err = tx.Workspace(ws); return err })
	return w
}
