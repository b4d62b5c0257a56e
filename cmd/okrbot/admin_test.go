package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// importedDB is a database filled by an import of vivaExport into the
// Slack workspace T1: people by address, and nobody an admin.
func importedDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	file := writeFile(t, dir, "export.zip", vivaExport(t))
	db := filepath.Join(dir, "okrbot.db")
	code, out, stderr := okrbotRun(t, nil, "import", file, "--db", db, "--workspace", "T1", "--platform", "slack")
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "okrbot admin") {
		t.Errorf("the import's warning does not say how to make an admin:\n%s", out)
	}
	return db
}

// roleOf reads the role of the person with address email from a database
// no okrbot holds.
func roleOf(t *testing.T, db, email string) okrcore.Role {
	t.Helper()
	store, err := bolt.Open(db, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var role okrcore.Role
	err = store.View(context.Background(), func(tx okrcore.Tx) error {
		users, err := tx.UsersByEmail("T1", email)
		if err != nil || len(users) != 1 {
			t.Fatalf("people with %s: %v, %v", email, users, err)
		}
		role = users[0].Role
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return role
}

func TestAdminAfterImport(t *testing.T) {
	db := importedDB(t)
	if got := roleOf(t, db, "ana@acme.example"); got == okrcore.RoleAdmin {
		t.Fatalf("ana is an admin before anyone made her one")
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"by address", []string{"admin", "Ana@Acme.example"}, 0, "Ana Müller (ana@acme.example) is now an admin of T1"},
		{"twice", []string{"admin", "ana@acme.example"}, 0, "is already an admin of T1"},
		{"by name", []string{"admin", "@Bo Li"}, 0, "Bo Li (bo@acme.example) is now an admin of T1"},
		{"unknown address", []string{"admin", "zoe@acme.example"}, 1, "nobody in T1 has the address zoe@acme.example"},
		{"unknown name", []string{"admin", "zoe"}, 1, `nobody in T1 is called "zoe"`},
		{"unknown workspace", []string{"admin", "ana@acme.example", "--workspace", "T9"}, 1, `the database has no workspace "T9"; it holds T1 (slack)`},
		{"nobody named", []string{"admin", " "}, 2, "usage: okrbot admin EMAIL|NAME"},
		{"two people", []string{"admin", "ana@acme.example", "bo@acme.example"}, 2, "usage: okrbot admin EMAIL|NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := okrbotRun(t, nil, append(tt.args, "--db", db)...)
			if code != tt.code || !strings.Contains(out+stderr, tt.contains) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d saying %q", code, out, stderr, tt.code, tt.contains)
			}
			if code != 0 {
				oneLineRefusal(t, stderr)
			}
		})
	}
	for _, email := range []string{"ana@acme.example", "bo@acme.example"} {
		if got := roleOf(t, db, email); got != okrcore.RoleAdmin {
			t.Errorf("%s is %q; want admin", email, got)
		}
	}
}

func TestAdminWithoutADatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing.db")
	code, _, stderr := okrbotRun(t, nil, "admin", "ana@acme.example", "--db", missing)
	if code != 1 || !strings.Contains(stderr, "no okrbot database at "+missing) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	oneLineRefusal(t, stderr)
	if _, err := bolt.Open(missing, bolt.Options{ReadOnly: true}); err == nil {
		t.Errorf("okrbot admin created a database at %s", missing)
	}
}

// TestAdminThroughServe makes the admin while okrbot serve holds the
// database: the running okrbot changes the role.
func TestAdminThroughServe(t *testing.T) {
	db := importedDB(t)
	slack := newOrgSlack(t)
	env := map[string]string{"SLACK_BOT_TOKEN": orgSlackTk, "SLACK_SIGNING_SECRET": orgSecret, "SLACK_API_URL": slack.srv.URL + "/api/"}
	s := startOrgServe(t, []string{"serve", "--db", db, "--log-level", "info"}, env)
	code, out, stderr := okrbotRun(t, env, "admin", "ana@acme.example", "--db", db)
	if code != 0 || !strings.Contains(out, "is now an admin of T1") {
		t.Fatalf("admin through serve: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	code, _, stderr = okrbotRun(t, env, "admin", "zoe@acme.example", "--db", db)
	if code != 1 || !strings.Contains(stderr, "nobody in T1 has the address zoe@acme.example") {
		t.Errorf("unknown address through serve: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(s.log.String(), "admin role given over control socket") {
		t.Errorf("the role did not change through the running okrbot:\n%s", s.log.String())
	}
	s.stop(t)
	if got := roleOf(t, db, "ana@acme.example"); got != okrcore.RoleAdmin {
		t.Errorf("ana is %q after serve stopped; want admin", got)
	}
}
