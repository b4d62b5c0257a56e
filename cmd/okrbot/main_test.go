package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

func noEnv(string) string { return "" }

// syncBuffer is a bytes.Buffer safe for a writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestShellScriptOnDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "okrbot.db")
	script := strings.Join([]string{
		"/okr mine",
		"KR4 30, confidence 7, blocked: waiting on legal",
		"/as carol",
		"/okr team Engineering",
		"KR8 lots",
		"/quit",
	}, "\n")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--demo", "--db", db}, strings.NewReader(script), &out, &errOut, noEnv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, w := range []string{
		"Seeded a demo organisation",
		"alice> /okr mine",
		"O2 Win the mid-market",
		"Checked in ✓",
		"Rolled up: O2 Win the mid-market",
		"Blocked: waiting on legal",
		"You are now carol.",
		"== Team Engineering (T3) ==",
		`I couldn't read "lots"`,
	} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	// A second start on the same file keeps the data and does not seed again.
	out.Reset()
	code = run(context.Background(), []string{"--demo", "--db", db, "--as", "alice"}, strings.NewReader("show KR4\n"), &out, &errOut, noEnv)
	if code != 0 || strings.Contains(out.String(), "Seeded") || !strings.Contains(out.String(), "30 customers of 40 customers") {
		t.Errorf("restart: exit %d\n%s", code, out.String())
	}
}

func TestBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"launch"}, 2, `unknown command "launch"`},
		{[]string{"--log-level", "loud"}, 2, "--log-level"},
		{[]string{"--log-format", "xml"}, 2, "--log-format"},
		{[]string{"backup"}, 2, "usage: okrbot backup FILE"},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
		{[]string{"--dialog-ttl", "0s"}, 2, "--dialog-ttl"},
		{[]string{"--grace", "-1h"}, 2, "--grace"},
		{[]string{"--outbox-lease", "1s"}, 2, "--outbox-lease 1s: use 3s to 1h0m0s"},
		{[]string{"--outbox-lease", "2h"}, 2, "--outbox-lease"},
		{[]string{"--schedule", "sometimes"}, 2, "--schedule"},
		{[]string{"backup", "/tmp/x.db", "--db", "/nonexistent/okrbot.db"}, 1, "no database at"},
		{[]string{"check", "/nonexistent.db"}, 1, "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut, noEnv)
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tt.code, tt.want)
			}
		})
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, nil, &out, io.Discard, noEnv); code != 0 || !strings.HasPrefix(out.String(), "okrbot ") {
		t.Errorf("version: %d %q", code, out.String())
	}
}

func TestSecondProcessGetsClearError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	bottest.Store(t, bottest.File(path), bottest.Fsync(true)) // held until the test ends
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"--db", path}, strings.NewReader("mine\n"), io.Discard, &errOut, noEnv)
	if code != 1 || !strings.Contains(errOut.String(), "in use by another okrbot process") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestBackupWhileRunning runs the terminal chat (holding the database) and
// takes a backup through it; the backup checks out and holds every
// check-in acknowledged before it began.
func TestBackupWhileRunning(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "okrbot.db")
	inR, inW := io.Pipe()
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--demo", "--db", db}, inR, out, io.Discard, noEnv) }()

	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q in output:\n%s", want, out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, v := range []string{"21", "22", "23"} {
		if _, err := io.WriteString(inW, "KR4 "+v+"\n"); err != nil {
			t.Fatal(err)
		}
		waitFor("→ " + v + " customers")
	}
	backupFile := filepath.Join(dir, "backup.db")
	var bout, berr bytes.Buffer
	if code := run(context.Background(), []string{"backup", backupFile, "--db", db}, nil, &bout, &berr, noEnv); code != 0 {
		t.Fatalf("backup exit %d: %s", code, berr.String())
	}
	if !strings.Contains(bout.String(), "checked") {
		t.Errorf("backup said %q", bout.String())
	}
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("shell exit %d", code)
	}

	var cout bytes.Buffer
	if code := run(context.Background(), []string{"check", backupFile}, nil, &cout, io.Discard, noEnv); code != 0 || !strings.Contains(cout.String(), "healthy") {
		t.Errorf("check: %d %q", code, cout.String())
	}

	copyDB := bottest.Store(t, bottest.File(backupFile), bottest.Fsync(true))
	err := copyDB.View(context.Background(), func(tx okrcore.Tx) error {
		k, err := tx.KeyResult(shell.Workspace, 4)
		if err != nil {
			return err
		}
		if k.Current != 23 {
			t.Errorf("backup has KR4 = %v, want 23", k.Current)
		}
		cis, err := tx.CheckIns(shell.Workspace, okrcore.TargetKR, 4, time.Time{}, 3)
		if err != nil {
			return err
		}
		if len(cis) != 3 || cis[0].Value != 23 || cis[2].Value != 21 {
			t.Errorf("backup lacks the acknowledged check-ins: %+v", cis)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScriptedWeekWithClock drives a week through the terminal chat on a
// clock the script moves: nudges arrive at local times, a check-in stops
// the reminder, the clock refuses to go back.
func TestScriptedWeekWithClock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "okrbot.db")
	script := strings.Join([]string{
		"/clock +1h",                  // Monday 09:00 UTC = 10:00 in Berlin
		"same as last week",           // alice checks in
		"/clock 2026-11-24T09:30:00Z", // Tuesday: reminders
		"/clock 2026-11-20T00:00:00Z", // the past
		"/clock soon",
		"/as erin", // erin's messages waited for her
	}, "\n")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--demo", "--db", db, "--clock", "2026-11-23T08:00:00Z"}, strings.NewReader(script), &out, &errOut, noEnv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	monday, tuesday, _ := strings.Cut(got, "alice> /clock 2026-11-24T09:30:00Z")
	// Others' messages are not printed among alice's: one line says they
	// wait.
	for _, w := range []string{"[to alice]\nHi alice! Time for your weekly check-in", "1 for erin", "It is now Mon 2026-11-23 09:00 UTC", "Checked in ✓"} {
		if !strings.Contains(monday, w) {
			t.Errorf("Monday lacks %q:\n%s", w, monday)
		}
	}
	if strings.Contains(monday, "[to bob]") || strings.Contains(monday, "for bob") {
		t.Errorf("bob (Los Angeles) was nudged before 10:00 his time:\n%s", monday)
	}
	if !strings.Contains(tuesday, "[to erin]\nHi erin, a reminder") || strings.Contains(tuesday, "Hi alice, a reminder") {
		t.Errorf("Tuesday's reminders wrong:\n%s", tuesday)
	}
	for _, w := range []string{"The clock only moves forward", "Usage: /clock"} {
		if !strings.Contains(tuesday, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if code := run(context.Background(), []string{"--clock", "tomorrow"}, strings.NewReader(""), io.Discard, &errOut, noEnv); code != 2 {
		t.Errorf("bad --clock: exit %d", code)
	}
}

func TestRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "okrbot.db")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--demo", "--db", db}, strings.NewReader("KR4 21\n"), &out, io.Discard, noEnv); code != 0 {
		t.Fatal("seed failed")
	}
	backupFile := filepath.Join(dir, "b.db")
	if code := run(context.Background(), []string{"backup", backupFile, "--db", db}, nil, io.Discard, io.Discard, noEnv); code != 0 {
		t.Fatal("backup failed")
	}
	run(context.Background(), []string{"--db", db, "--as", "alice"}, strings.NewReader("KR4 35\n"), io.Discard, io.Discard, noEnv)

	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte("not a database"), 0o600)
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"restore", garbage, "--db", db}, nil, io.Discard, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), "nothing was changed") {
		t.Errorf("restoring garbage: %d %q", code, errOut.String())
	}
	held := bottest.Store(t, bottest.File(db), bottest.Fsync(true))
	errOut.Reset()
	if code := run(context.Background(), []string{"restore", backupFile, "--db", db}, nil, io.Discard, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), "stop it first") {
		t.Errorf("restoring under a running okrbot: %d %q", code, errOut.String())
	}
	held.Close()
	out.Reset()
	if code := run(context.Background(), []string{"restore", backupFile, "--db", db}, nil, &out, io.Discard, noEnv); code != 0 || !strings.Contains(out.String(), "before-restore") {
		t.Fatalf("restore: %d %q", code, out.String())
	}
	out.Reset()
	run(context.Background(), []string{"--db", db, "--as", "alice"}, strings.NewReader("show KR4\n"), &out, io.Discard, noEnv)
	if !strings.Contains(out.String(), "21 customers of 40") {
		t.Errorf("restored database does not hold the backed-up value:\n%s", out.String())
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "token")
	os.WriteFile(f, []byte("xoxb-from-file\n"), 0o600)
	env := map[string]string{"SLACK_BOT_TOKEN_FILE": f, "SLACK_SIGNING_SECRET": "s"}
	c, ok, err := slackConfig(func(k string) string { return env[k] })
	if !ok || err != nil || c.BotToken != "xoxb-from-file" {
		t.Errorf("token from file = %q", c.BotToken)
	}
	env["SLACK_BOT_TOKEN_FILE"] = "/nonexistent"
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"--db", filepath.Join(t.TempDir(), "x.db")}, nil, io.Discard, &errOut, func(k string) string { return env[k] }); code != 1 || !strings.Contains(errOut.String(), "SLACK_BOT_TOKEN_FILE: cannot read /nonexistent") {
		t.Errorf("unreadable secret file: %d %q", code, errOut.String())
	}
}

func TestScheduledBackupsKeepTheNewest(t *testing.T) {
	dir := t.TempDir()
	db := bottest.Store(t, bottest.File(filepath.Join(dir, "okrbot.db")))
	backups := filepath.Join(dir, "backups")
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	var last string
	var err error
	for i := range 5 {
		if last, err = backupOnce(context.Background(), db, backups, 3, start.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(backups)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := "okrbot-20261122T120000Z.db,okrbot-20261122T130000Z.db,okrbot-20261122T140000Z.db"
	if strings.Join(names, ",") != want {
		t.Errorf("kept %v, want %s", names, want)
	}
	if err := bolt.CheckFile(last); err != nil {
		t.Errorf("backup does not check out: %v", err)
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--backup-dir", dir, "--backup-keep", "0"}, nil, io.Discard, &errOut, noEnv); code != 2 {
		t.Errorf("--backup-keep 0: exit %d", code)
	}
}

func TestPurgeStateEveryRemovesExpiredEntries(t *testing.T) {
	db := bottest.Store(t)
	ctx := context.Background()
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		if err := bot.EnsureWorkspace(tx, "w", "shell", time.Now()); err != nil {
			return err
		}
		if err := tx.PutState("w", "event:old", []byte{1}, time.Now().Add(-time.Hour)); err != nil {
			return err
		}
		if err := tx.PutState("w", "event:new", []byte{1}, time.Now().Add(time.Hour)); err != nil {
			return err
		}
		// Created oldest first, as the scheduler creates them.
		for _, x := range []struct {
			key string
			age time.Duration
		}{{"old", 100 * 24 * time.Hour}, {"recent", 24 * time.Hour}} {
			key, age := x.key, x.age
			it := &okrcore.OutboxItem{Workspace: "w", Key: key, Kind: okrcore.OutboxCheckIn, User: 1, Period: "p",
				DueAt: time.Now().Add(-age), CreatedAt: time.Now().Add(-age)}
			if _, err := tx.AddOutbox(it); err != nil {
				return err
			}
			it.State = okrcore.OutboxSent
			if err := tx.PutOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The pass at start does the work; the loop is then stopped.
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		purgeStateEvery(pctx, db, time.Hour, slog.New(slog.DiscardHandler))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var gone bool
		_ = db.View(ctx, func(tx okrcore.Tx) error {
			_, err := tx.OutboxByKey("w", "old")
			gone = okrcore.IsNotFound(err)
			return nil
		})
		if gone || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if n, err := db.PurgeExpiredState(ctx, time.Now()); err != nil || n != 0 {
		t.Errorf("expired entries left after the start-up purge: %d %v", n, err)
	}
	_ = db.View(ctx, func(tx okrcore.Tx) error {
		if _, err := tx.State("w", "event:new"); err != nil {
			t.Errorf("a live entry was purged: %v", err)
		}
		if _, err := tx.OutboxByKey("w", "old"); !okrcore.IsNotFound(err) {
			t.Errorf("a sent item 100 days old was kept: %v", err)
		}
		if _, err := tx.OutboxByKey("w", "recent"); err != nil {
			t.Errorf("a sent item a day old was purged: %v", err)
		}
		return nil
	})
}

// TestHelpListsEveryFlag: `okrbot help` and `okrbot -h` show the commands
// and every flag, with its environment variable.
func TestHelpListsEveryFlag(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, nil, &stdout, &stderr, noEnv); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		out := stdout.String() + stderr.String()
		for _, want := range []string{"okrbot serve", "-config file", "-workspace id", "-timezone zone", "-clock time", "(env OKRBOT_DB)", "-backup-keep"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out)
			}
		}
	}
}
