package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestOpenBackend: the database setting picks the backend, a file held by
// another process says so in words and matches errHeld, and bbolt has
// every maintenance capability.
func TestOpenBackend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	held, err := openBackend(path, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, tt := range []struct {
		name, setting string
		held          bool
		says          string
	}{
		{"postgres", "postgres://okrbot@127.0.0.1:1/okrbot", false, "the PostgreSQL server cannot be reached at 127.0.0.1:1/okrbot"},
		{"postgresql", "postgresql://127.0.0.1:1/okrbot", false, "the PostgreSQL server cannot be reached"},
		{"a held file", path, true, "in use by another okrbot process"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := openBackend(tt.setting, openOptions{wait: 50 * time.Millisecond})
			if err == nil {
				b.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.says) || errors.Is(err, errHeld) != tt.held {
				t.Errorf("error %q (held %v), want %q (held %v)", err, errors.Is(err, errHeld), tt.says, tt.held)
			}
		})
	}
	if _, ok := held.(hotBackup); !ok {
		t.Error("bbolt cannot stream a backup")
	}
	if _, ok := held.(fileBackup); !ok {
		t.Error("bbolt cannot back up to a file")
	}
	if _, ok := held.(purger); !ok {
		t.Error("bbolt cannot purge")
	}
}

// TestPostgresUnreachable: every command that opens the database answers
// a PostgreSQL server that is down with one sentence naming it and exit 1,
// and touches no file named like it; restore, which replaces a file, says
// what restores a PostgreSQL database.
func TestPostgresUnreachable(t *testing.T) {
	dir := t.TempDir()
	url := "postgres://okrbot:secret@127.0.0.1:1/okrbot"
	slackEnv := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	down := "the PostgreSQL server cannot be reached at 127.0.0.1:1/okrbot"
	for _, tt := range []struct {
		args []string
		env  map[string]string
		says string
	}{
		{[]string{"shell", "--db", url}, nil, down},
		{[]string{"shell"}, map[string]string{"OKRBOT_DATABASE_URL": url}, down},
		{[]string{"serve", "--database-url", url, "--addr", "127.0.0.1:0"}, slackEnv, down},
		{[]string{"backup", filepath.Join(dir, "b.db"), "--db", url}, nil, down},
		{[]string{"restore", filepath.Join(dir, "b.db"), "--db", url}, nil, "pg_restore"},
	} {
		t.Run(tt.args[0], func(t *testing.T) {
			var errOut bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), io.Discard, &errOut, envOf(tt.env))
			msg := strings.TrimSpace(errOut.String())
			if code != 1 || !strings.Contains(msg, tt.says) || strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
				t.Errorf("exit %d, stderr %q; want exit 1 and one line saying %q", code, msg, tt.says)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// TestPostgresBackend: on a PostgreSQL server the store opens, purges,
// answers a ping, and backups are left to pg_dump in words.
func TestPostgresBackend(t *testing.T) {
	url := postgrestest.URL(t)
	db, err := openBackend(url, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, ok := db.(purger); !ok {
		t.Error("PostgreSQL cannot purge")
	}
	if _, ok := db.(pinger); !ok {
		t.Error("PostgreSQL cannot be pinged")
	}
	if _, err := backupInto(context.Background(), db, filepath.Join(t.TempDir(), "b.db")); !errors.Is(err, errNoHotBackup) {
		t.Errorf("backup: %v", err)
	}
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"backup", filepath.Join(t.TempDir(), "b.db"), "--database-url", url},
		strings.NewReader(""), io.Discard, &errOut, envOf(nil))
	if code != 1 || !strings.Contains(errOut.String(), "pg_dump") {
		t.Errorf("okrbot backup on PostgreSQL: exit %d, %q", code, errOut.String())
	}
}

// storeOnly is a backend with no capability beyond the store.
type storeOnly struct{ okrcore.Store }

func (storeOnly) Close() error { return nil }

// TestMissingCapabilityIsASentence: a backend that cannot write backups
// still opens, and what needs a backup says why it cannot have one.
func TestMissingCapabilityIsASentence(t *testing.T) {
	db := storeOnly{}
	dir := t.TempDir()
	if _, err := backupInto(context.Background(), db, filepath.Join(dir, "b.db")); !errors.Is(err, errNoHotBackup) {
		t.Errorf("okrbot backup: %v", err)
	}
	cfg := &config{backupDir: filepath.Join(dir, "backups"), backupEvery: time.Hour, backupKeep: 1}
	if _, err := backupsFor(db, cfg, slog.New(slog.DiscardHandler)); err == nil ||
		!strings.Contains(err.Error(), "backup-dir "+cfg.backupDir+": okrbot does not copy a PostgreSQL database") {
		t.Errorf("--backup-dir: %v", err)
	}
	cfg.backupDir = ""
	if b, err := backupsFor(db, cfg, slog.New(slog.DiscardHandler)); b != nil || err != nil {
		t.Errorf("without --backup-dir: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}
