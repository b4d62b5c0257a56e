package bolt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/cicodec"
)

// TestCheckInDamaged: a check-in whose bytes were damaged, or whose record
// is gone from under its index entries, is an error for whoever reads it
// and for the index check, never a panic or a silent gap.
func TestCheckInDamaged(t *testing.T) {
	cases := []struct {
		name      string
		damage    func(b *bbolt.Bucket, k []byte) error
		read, chk string
	}{
		{"bad bytes", func(b *bbolt.Bucket, k []byte) error { return b.Put(k, []byte{cicodec.Format, 0xFF}) }, "decode check-in 1", "decode check-in 1"},
		{"unknown format", func(b *bbolt.Bucket, k []byte) error { return b.Put(k, []byte(`{"id":1}`)) }, "unknown format", "unknown format"},
		{"record gone", func(b *bbolt.Bucket, k []byte) error { return b.Delete(k) }, "index entry for missing check-in 1", "stale entry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(filepath.Join(t.TempDir(), "okrbot.db"), Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			at := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
			if err := db.Update(ctx, func(tx okrcore.Tx) error {
				return tx.AddCheckIn(&okrcore.CheckIn{Workspace: "T1", Target: okrcore.TargetKR, TargetID: 4, Author: 2, At: at, Value: 3})
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.bolt.Update(func(tx *bbolt.Tx) error {
				b := tx.Bucket(bucketCI)
				k, _ := b.Cursor().First()
				return tc.damage(b, k)
			}); err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx okrcore.Tx) error {
				_, err := tx.CheckIns("T1", okrcore.TargetKR, 4, time.Time{}, 0)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tc.read) {
				t.Errorf("reading: %v, want %q", err, tc.read)
			}
			if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.chk) {
				t.Errorf("check: %v, want %q", err, tc.chk)
			}
		})
	}
}

// TestCheckInWorkspaces: each workspace's check-ins stay its own, whatever
// its name (a Teams tenant, bytes a key escapes), and a workspace without
// any reads as empty.
func TestCheckInWorkspaces(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	at := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	names := []string{"T1", "7f0c3a52-1e4b-4c8e-9a0d-5b6f7e8d9c01", "a\x00b", "a"}
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for i, ws := range names {
			for j := range i + 1 {
				c := &okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: at.Add(time.Duration(j) * time.Hour), Value: float64(j)}
				if err := tx.AddCheckIn(c); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		for i, ws := range append(names, "none") {
			cis, err := tx.CheckIns(ws, okrcore.TargetKR, 1, time.Time{}, 0)
			times, terr := tx.CheckInTimesByAuthor(ws, 1, time.Time{})
			want := i + 1
			if ws == "none" {
				want = 0
			}
			if err != nil || terr != nil || len(cis) != want || len(times) != want || cis == nil {
				t.Errorf("workspace %q: %d check-ins, %d times (%v, %v), want %d", ws, len(cis), len(times), err, terr, want)
			}
			for _, c := range cis {
				if c.Workspace != ws {
					t.Errorf("workspace %q lists a check-in of %q", ws, c.Workspace)
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckInsOfOldFileReadOnly: a version 3 file opened read-only (the
// committed fixture, and one whose conversion stopped after a batch) is
// not converted, and its check-ins read as they were from its JSON.
func TestCheckInsOfOldFileReadOnly(t *testing.T) {
	for _, batch := range []int{0, 3} {
		data, err := os.ReadFile(fixtureV3)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "v3.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		want, _ := v3Contents(t, path)
		if batch > 0 {
			bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = bdb.Update(func(tx *bbolt.Tx) error { _, err := convertCheckIns(tx, batch); return err })
			if cerr := bdb.Close(); err != nil || cerr != nil {
				t.Fatal(err, cerr)
			}
		}
		db, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		checkCheckInsRead(t, db, want)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if v := fileVersion(t, path); v != 3 {
			t.Errorf("batch %d: reading left schema %d, want 3", batch, v)
		}
	}
}
