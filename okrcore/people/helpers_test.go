package people_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// The operations run against the real bbolt store, as okrcore's do: what
// they write is what a later transaction reads. This is the small part of
// okrcore's test kit that people's tests need.

var (
	ctx = context.Background()
	// t0 is when the fixture's records are created, t1 when people act.
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

// putter collects the first error of a sequence of writes.
type putter struct{ err error }

func (p *putter) do(err error) {
	if p.err == nil {
		p.err = err
	}
}

// fixture is workspace A: Ada (admin), Alice (member of Growth), Bob
// (member of Platform) and Olga (observer), with Q1 2027 current.
type fixture struct {
	db                    *bolt.DB
	ada, alice, bob, olga *okrcore.User
	growth, platform      *okrcore.Team
	cycle                 *okrcore.Cycle
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{db: openDB(t)}
	user := func(name string, role okrcore.Role) *okrcore.User {
		return &okrcore.User{Workspace: "A", Platform: "shell", PlatformID: strings.ToLower(name), Name: name, Role: role, CreatedAt: t0}
	}
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		q1 := okrcore.QuarterOf(t0)
		q1.Workspace = "A"
		f.cycle = &q1
		p.do(tx.PutCycle(f.cycle))
		p.do(tx.PutWorkspace(&okrcore.Workspace{ID: "A", Name: "Acme", CurrentCycle: f.cycle.ID, CreatedAt: t0}))
		f.ada, f.alice, f.bob, f.olga = user("Ada", okrcore.RoleAdmin), user("Alice", okrcore.RoleMember), user("Bob", okrcore.RoleMember), user("Olga", okrcore.RoleObserver)
		for _, u := range []*okrcore.User{f.ada, f.alice, f.bob, f.olga} {
			p.do(tx.PutUser(u))
		}
		f.growth = &okrcore.Team{Workspace: "A", Name: "Growth", Members: []okrcore.ID{f.alice.ID}}
		p.do(tx.PutTeam(f.growth))
		f.platform = &okrcore.Team{Workspace: "A", Name: "Platform", Members: []okrcore.ID{f.bob.ID}}
		p.do(tx.PutTeam(f.platform))
		return p.err
	})
	return f
}

// objective creates an objective in the current cycle as Ada (an admin).
func (f *fixture) objective(t *testing.T, title string, owner okrcore.Owner, parentKR, parentObj okrcore.ID) *okrcore.Objective {
	t.Helper()
	o := &okrcore.Objective{Title: title, Owner: owner, Cycle: f.cycle.ID, ParentKR: parentKR, ParentObjective: parentObj}
	update(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.CreateObjective(tx, t0, f.ada, o); return err })
	return o
}

// keyResult creates a key result 0→100 at current under an objective, as Ada.
func (f *fixture) keyResult(t *testing.T, obj okrcore.ID, owner okrcore.Owner, current float64) *okrcore.KeyResult {
	t.Helper()
	k := &okrcore.KeyResult{Objective: obj, Title: "Reach 100", Owner: owner, Start: 0, Target: 100, Current: current}
	update(t, f.db, func(tx okrcore.Tx) error { _, err := okrcore.CreateKeyResult(tx, t0, f.ada, k); return err })
	return k
}

// wantErr checks err's kind and that its message is a sentence for a person
// mentioning every key word.
func wantErr(t *testing.T, err error, kind okrcore.ErrorKind, keywords ...string) {
	t.Helper()
	if k := okrcore.ErrorKindOf(err); err == nil || k != kind {
		t.Fatalf("error %v (kind %q), want kind %q", err, k, kind)
	}
	msg := okrcore.ErrorMessage(err)
	if msg == "" || !unicode.IsUpper([]rune(msg)[0]) && msg[0] != '"' || !strings.HasSuffix(msg, ".") {
		t.Errorf("message %q of %v is not a sentence", msg, err)
	}
	for _, w := range keywords {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

// wantRefused runs op in a write transaction that commits whatever op
// wrote, checks its error as wantErr does, and that the people and teams
// of workspace A, all these operations write, are as they were.
func wantRefused(t *testing.T, db okrcore.Store, op func(tx okrcore.Tx) error, kind okrcore.ErrorKind, keywords ...string) {
	t.Helper()
	wantRefusal(t, db, op, func(err error) { t.Helper(); wantErr(t, err, kind, keywords...) })
}

// wantRefusal is wantRefused with the error checked by check.
func wantRefusal(t *testing.T, db okrcore.Store, op func(tx okrcore.Tx) error, check func(err error)) {
	t.Helper()
	before := snapshot(t, db)
	var opErr error
	update(t, db, func(tx okrcore.Tx) error { opErr = op(tx); return nil })
	check(opErr)
	if after := snapshot(t, db); after != before {
		t.Errorf("a refused operation wrote:\nbefore %s\n after %s", before, after)
	}
}

func snapshot(t *testing.T, db okrcore.Store) string {
	t.Helper()
	var out []byte
	view(t, db, func(tx okrcore.Tx) error {
		users, err := tx.Users("A")
		if err != nil {
			return err
		}
		teams, err := tx.Teams("A")
		if err != nil {
			return err
		}
		out, err = json.Marshal([]any{users, teams})
		return err
	})
	return string(out)
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
