package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoOnAnExistingDatabaseSaysSo: --demo on a database that has people
// seeds nothing and says so in one line, instead of being silently
// ignored.
func TestDemoOnAnExistingDatabaseSaysSo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "okrbot.db")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--db", db}, strings.NewReader("/okr whoami\n"), &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"--demo", "--db", db}, strings.NewReader(""), &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := "--demo added nothing: " + db + " already has people in it, and the demo goes only into an empty database; for a fresh demo, name a new file: --db demo.db\n"
	if out.String() != want {
		t.Errorf("--demo on a used database printed %q, want %q", out.String(), want)
	}
}

// TestAsSomeoneNewInTheDemo: `/as` a name nobody in the demo has asks
// before becoming a new person; a demo person is not asked about.
func TestAsSomeoneNewInTheDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "okrbot.db")
	var out, errOut bytes.Buffer
	script := "/as zed\nno\n/okr users\n/as dana\n"
	if code := run(context.Background(), []string{"--demo", "--db", db}, strings.NewReader(script), &out, &errOut, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, w := range []string{"Nobody is called zed here yet. Become zed, a new person? (yes/no)", "You are still alice; nobody new was added.", "You are now dana."} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	if strings.Count(got, "Nobody is called") != 1 || strings.Contains(got, "zed (") || strings.Contains(got, "@zed") {
		t.Errorf("zed was added, or dana was asked about:\n%s", got)
	}
}

// TestShellLogBesideTheDatabase: when the chat and the log would share a
// terminal, the log goes to DB.log and the chat says so; nothing of it is
// printed between messages.
func TestShellLogBesideTheDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "okrbot.db")
	cfg, err := parseArgs([]string{"--demo", "--db", db, "--clock", "2026-11-23T08:00:00Z", "--log-level", "info"}, noEnv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.outTTY = true
	var out, errOut bytes.Buffer
	if err := execute(context.Background(), cfg, strings.NewReader("/clock +1d\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "okrbot's log goes to "+db+".log.\n") || strings.Contains(out.String(), "level=") || errOut.Len() != 0 {
		t.Errorf("chat:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	b, err := os.ReadFile(db + ".log")
	if err != nil || !strings.Contains(string(b), "level=INFO") {
		t.Errorf("the log file: %v\n%s", err, b)
	}
}
