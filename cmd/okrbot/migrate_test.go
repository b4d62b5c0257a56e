package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/inbox"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
	"github.com/okrbot/okrbot/transfer"
)

// migrateSpec is a generated organisation with a quarter of weekly
// check-ins: small enough for CI, with every kind the copy carries.
var migrateSpec = storagetest.OrgSpec{Users: 300, Teams: 40, Objectives: 150, KeyResults: 500, CheckInsPerKR: 13}

// TestMigrateRoundTrip moves a bbolt database into PostgreSQL and back:
// the okrbot export of the workspace is the same bytes at both ends, and
// the scheduled messages and acknowledged events come along.
func TestMigrateRoundTrip(t *testing.T) {
	url := postgrestest.URL(t)
	dir := t.TempDir()
	first, back := filepath.Join(dir, "okrbot.db"), filepath.Join(dir, "back.db")
	org := seedForMigrate(t, first)

	want := exportFrom(t, first, org.Workspace)
	out := runMigrate(t, 0, "--from", first, "--to", url)
	for _, kind := range []string{"people", "KPIs                       1", "initiatives                1", "scheduled messages         1", "inbox events               1"} {
		if !strings.Contains(out, kind) {
			t.Errorf("migrate's report names no %s:\n%s", kind, out)
		}
	}
	if strings.Contains(out, "check-ins                  0") {
		t.Errorf("no check-ins copied:\n%s", out)
	}
	if got := exportFrom(t, url, org.Workspace); !bytes.Equal(got, want) {
		t.Fatalf("export from PostgreSQL differs from bbolt's (%d bytes against %d)", len(got), len(want))
	}
	runMigrate(t, 0, "--from", url, "--to", back)
	if got := exportFrom(t, back, org.Workspace); !bytes.Equal(got, want) {
		t.Fatalf("export after the way back differs (%d bytes against %d)", len(got), len(want))
	}
	db := openFor(t, back)
	defer db.Close()
	view := func(fn func(tx okrcore.Tx) error) {
		t.Helper()
		if err := db.View(context.Background(), fn); err != nil {
			t.Fatal(err)
		}
	}
	view(func(tx okrcore.Tx) error {
		it, err := tx.OutboxByKey(org.Workspace, "digest:migrate")
		if err != nil || it.ID != 7 || it.State != okrcore.OutboxPending {
			t.Errorf("scheduled message after the way back: %+v, %v", it, err)
		}
		v, err := tx.State(inbox.Scope, inbox.Key(3))
		if err != nil || string(v) != "acknowledged event" {
			t.Errorf("inbox slot after the way back: %q, %v", v, err)
		}
		return nil
	})
}

// TestMigrateRefuses: a target that holds data, two files, a missing
// source and a running okrbot are refused in one line, nothing copied.
func TestMigrateRefuses(t *testing.T) {
	url := postgrestest.URL(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "okrbot.db")
	seedForMigrate(t, src)
	runMigrate(t, 0, "--from", src, "--to", url)
	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := bolt.Open(src, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"non-empty PostgreSQL", []string{"--from", filepath.Join(dir, "free.db"), "--to", url}, 1, "already holds okrbot data"},
		{"non-empty file", []string{"--from", url, "--to", other}, 1, "exists and is not empty"},
		{"two files", []string{"--from", src, "--to", other}, 2, "give one of each"},
		{"no target", []string{"--from", src}, 2, "usage: okrbot migrate"},
		{"missing source", []string{"--from", filepath.Join(dir, "none.db"), "--to", url}, 1, "no database at"},
		{"running okrbot", []string{"--from", src, "--to", postgrestest.URL(t)}, 1, "stop it first"},
		{"unreachable server", []string{"--from", filepath.Join(dir, "free.db"), "--to", "postgres://postgres@127.0.0.1:1/test"}, 1, "cannot be reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "non-empty PostgreSQL" {
				seedForMigrate(t, filepath.Join(dir, "free.db"))
			}
			out := runMigrateErr(t, tc.code, tc.args...)
			if !strings.Contains(out, tc.says) || strings.Count(strings.TrimSpace(out), "\n") > 0 {
				t.Errorf("stderr %q, want one line saying %q", out, tc.says)
			}
		})
	}
	held.Close()
	if b, _ := os.ReadFile(other); string(b) != "x" {
		t.Errorf("the refused target file was changed")
	}
}

// seedForMigrate writes a generated organisation into a new bbolt file,
// with a scheduled message under an ID of its own and an event in the
// inbox.
func seedForMigrate(t *testing.T, path string) *storagetest.Org {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	org, err := storagetest.GenerateOrg(ctx, db, migrateSpec)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		it := &okrcore.OutboxItem{ID: 7, Workspace: org.Workspace, Key: "digest:migrate", Kind: okrcore.OutboxDigest,
			Team: 1, Period: "2026-W47", DueAt: org.Now.Add(time.Hour), CreatedAt: org.Now}
		if _, err := tx.AddOutbox(it); err != nil {
			return err
		}
		kpi := &okrcore.KPI{Workspace: org.Workspace, Title: "Churn", Owner: okrcore.TeamOwner(1), Unit: "%", Current: 2, CreatedAt: org.Now}
		if err := tx.PutKPI(kpi); err != nil {
			return err
		}
		if err := tx.AddCheckIn(&okrcore.CheckIn{Workspace: org.Workspace, Target: okrcore.TargetKPI, TargetID: kpi.ID,
			Author: 1, At: org.Now.Add(-time.Hour), Value: 2, Previous: 3}); err != nil {
			return err
		}
		if err := tx.PutInitiative(&okrcore.Initiative{Workspace: org.Workspace, KeyResult: 1, Title: "Hire", Owner: 2, CreatedAt: org.Now}); err != nil {
			return err
		}
		return tx.PutState(inbox.Scope, inbox.Key(3), []byte("acknowledged event"), time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

func openFor(t *testing.T, setting string) backend {
	t.Helper()
	db, err := openBackend(setting, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func exportFrom(t *testing.T, setting, ws string) []byte {
	t.Helper()
	db := openFor(t, setting)
	defer db.Close()
	var b bytes.Buffer
	if err := transfer.Export(context.Background(), db, ws, "", &b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func runMigrate(t *testing.T, code int, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if got := run(context.Background(), append([]string{"migrate"}, args...), strings.NewReader(""), &out, &errOut, envOf(nil)); got != code {
		t.Fatalf("okrbot migrate %v: exit %d, want %d; stderr %s", args, got, code, errOut.String())
	}
	return out.String()
}

func runMigrateErr(t *testing.T, code int, args ...string) string {
	t.Helper()
	var errOut bytes.Buffer
	if got := run(context.Background(), append([]string{"migrate"}, args...), strings.NewReader(""), io.Discard, &errOut, envOf(nil)); got != code {
		t.Fatalf("okrbot migrate %v: exit %d, want %d; stderr %s", args, got, code, errOut.String())
	}
	return errOut.String()
}
