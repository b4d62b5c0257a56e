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
		{"postgres", "postgres://okrbot@db.example/okrbot", false, "PostgreSQL is not built into this okrbot yet"},
		{"postgresql", "postgresql://db.example/okrbot", false, "PostgreSQL is not built into this okrbot yet"},
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

// TestPostgresSettingIsAnswered: every command that opens the database
// answers a PostgreSQL URL with one sentence and exit 1, and touches no
// file named like it.
func TestPostgresSettingIsAnswered(t *testing.T) {
	dir := t.TempDir()
	url := "postgres://okrbot@db.example/okrbot"
	slackEnv := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	for _, tt := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"shell", "--db", url}, nil},
		{[]string{"serve", "--db", url, "--addr", "127.0.0.1:0"}, slackEnv},
		{[]string{"backup", filepath.Join(dir, "b.db"), "--db", url}, nil},
		{[]string{"restore", filepath.Join(dir, "b.db"), "--db", url}, nil},
	} {
		t.Run(tt.args[0], func(t *testing.T) {
			var errOut bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), io.Discard, &errOut, envOf(tt.env))
			if code != 1 || !strings.Contains(errOut.String(), "PostgreSQL is not built into this okrbot yet") ||
				strings.Count(strings.TrimSpace(errOut.String()), "\n") > 0 {
				t.Errorf("exit %d, stderr %q", code, errOut.String())
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
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
		!strings.Contains(err.Error(), "backup-dir "+cfg.backupDir+": this database cannot be backed up by okrbot") {
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
