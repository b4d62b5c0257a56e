package wording_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/wording"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

var ctx = context.Background()

// backends are the stores the words must live in alike: bbolt, and
// PostgreSQL when OKRBOT_TEST_DATABASE_URL names one.
func backends(t *testing.T, run func(t *testing.T, db okrcore.Store)) {
	t.Run("bolt", func(t *testing.T) {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		run(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(ctx, postgrestest.URL(t), postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		run(t, db)
	})
}

// world is a workspace on db with an admin and a member.
func world(t *testing.T, db okrcore.Store) (okrcore.Store, *okrcore.User, *okrcore.User) {
	t.Helper()
	admin := &okrcore.User{Workspace: "A", Platform: "slack", PlatformID: "U1", Name: "Ada", Role: okrcore.RoleAdmin}
	member := &okrcore.User{Workspace: "A", Platform: "slack", PlatformID: "U2", Name: "Max", Role: okrcore.RoleMember}
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		if err := okrcore.EnsureWorkspace(tx, "A", "slack", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)); err != nil {
			return err
		}
		if err := tx.PutUser(admin); err != nil {
			return err
		}
		return tx.PutUser(member)
	}); err != nil {
		t.Fatal(err)
	}
	return db, admin, member
}

// stored is the words the workspace's record holds now.
func stored(t *testing.T, db okrcore.Store) wording.Words {
	t.Helper()
	w, err := okrcore.View(ctx, db, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("A") })
	if err != nil {
		t.Fatal(err)
	}
	return wording.Of(w)
}

func set(db okrcore.Store, u *okrcore.User, term, s, p string) error {
	return db.Update(ctx, func(tx okrcore.Tx) error {
		_, err := wording.Set(tx, u, term, s, p, func(w string) bool { return w == "show" || w == "update" && term != "check-in" })
		return err
	})
}

func term(key string) wording.Term {
	for _, t := range wording.Terms() {
		if t.Key == key {
			return t
		}
	}
	panic(key)
}

func TestSetAndReset(t *testing.T) { backends(t, testSetAndReset) }

func testSetAndReset(t *testing.T, db okrcore.Store) {
	db, admin, _ := world(t, db)
	for _, c := range [][4]string{{"objective", "Goal", ""}, {"key-result", "Measure", "Measures"}, {"check-in", "update", ""}} {
		if err := set(db, admin, c[0], c[1], c[2]); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
	}
	w := stored(t, db)
	for key, want := range map[string][2]string{"objective": {"Goal", "Goals"}, "key-result": {"Measure", "Measures"}, "check-in": {"update", "updates"}} {
		if got := [2]string{w.Singular(term(key)), w.Plural(term(key))}; got != want {
			t.Errorf("%s: %v, want %v", key, got, want)
		}
	}
	// A term is found by the word chosen for it, too.
	if tm, ok := wording.TermOf(w, "Goals"); !ok || tm.Key != "objective" {
		t.Errorf("Goals names %v %v", tm, ok)
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { _, err := wording.Reset(tx, admin, "goal"); return err }); err != nil {
		t.Fatal(err)
	}
	if w := stored(t, db); w.Renamed(term("objective")) || !w.Renamed(term("key-result")) {
		t.Errorf("reset of one term: objective %q, key result %q", w.Singular(term("objective")), w.Singular(term("key-result")))
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { _, err := wording.Reset(tx, admin); return err }); err != nil {
		t.Fatal(err)
	}
	if w := stored(t, db); w.Any() {
		t.Error("reset kept words")
	}
	// Choosing the bot's own word again is a reset of that term.
	if err := set(db, admin, "kr", "Measure", ""); err != nil {
		t.Fatal(err)
	}
	if err := set(db, admin, "key result", "Key Result", ""); err != nil {
		t.Fatal(err)
	}
	if stored(t, db).Any() {
		t.Error("the bot's own word was kept as a chosen one")
	}
}

func TestRefusals(t *testing.T) { backends(t, testRefusals) }

func testRefusals(t *testing.T, db okrcore.Store) {
	db, admin, member := world(t, db)
	if err := set(db, admin, "check-in", "Pulse", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who              *okrcore.User
		term, s, p, want string
	}{
		{member, "objective", "Goal", "", "Only an admin"},
		{admin, "vision", "Goal", "", "I can rename objective, key-result and check-in"},
		{admin, "objective", "", "", "Give the word"},
		{admin, "objective", "   ", "", "Give the word"},
		{admin, "objective", strings.Repeat("g", wording.MaxWord+1), "", "characters long"},
		{admin, "objective", "Goal", strings.Repeat("g", wording.MaxWord+1), "characters long"},
		{admin, "objective", "a b c d", "", "more than 3 words"},
		{admin, "objective", "*Goal*", "", "starts with a letter"},
		{admin, "objective", "Goal*", "", "no markup"},
		{admin, "objective", "<@U123>", "", "starts with a letter"},
		{admin, "objective", "Goal<@U1>", "", "no markup, mentions or links"},
		{admin, "objective", "evil.example", "", "no markup"},
		{admin, "objective", "Goal`", "", "no markup"},
		{admin, "objective", "Goal\u202e", "", "no markup"},
		{admin, "objective", "1st", "", "starts with a letter"},
		{admin, "objective", "Key results", "", "already means key result"},
		{admin, "objective", "Pulse", "", "already means check-in"},
		{admin, "key-result", "Show", "", "one of my commands"},
	} {
		err := set(db, c.who, c.term, c.s, c.p)
		msg := okrcore.ErrorMessage(err)
		if err == nil || !strings.Contains(msg, c.want) {
			t.Errorf("%s %q %q: %v (%q), want %q", c.term, c.s, c.p, err, msg, c.want)
		}
	}
	if w := stored(t, db); w.Renamed(term("objective")) || w.Singular(term("check-in")) != "Pulse" {
		t.Errorf("a refusal changed the words: %q %q", w.Singular(term("objective")), w.Singular(term("check-in")))
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { _, err := wording.Reset(tx, member); return err }); err == nil {
		t.Error("a member reset the words")
	}
}

func TestPluralize(t *testing.T) {
	for in, want := range map[string]string{"Goal": "Goals", "Priority": "Priorities", "Big Rock": "Big Rocks", "Pitch": "Pitches", "Bus": "Buses", "Key": "Keys", "KPI": "KPIs", "BOX": "BOXes", "update": "updates", "": ""} {
		if got := wording.Pluralize(in); got != want {
			t.Errorf("Pluralize(%q) = %q, want %q", in, got, want)
		}
	}
}
