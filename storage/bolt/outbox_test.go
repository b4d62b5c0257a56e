package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

var outboxTime = time.Date(2025, 11, 17, 9, 0, 0, 0, time.UTC)

func testItem(ws, key string, due time.Time) *okrcore.OutboxItem {
	return &okrcore.OutboxItem{Workspace: ws, Key: key, Kind: okrcore.OutboxCheckIn, User: 1, Period: "2025-W47", DueAt: due, CreatedAt: outboxTime}
}

// IDs that AddOutbox gave or reported in an update that rolled back are
// reset, as for records created by a put.
func TestOutboxRollbackResetsIDs(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	stored := testItem("w", "k1", outboxTime)
	if err := db.Update(ctx, func(tx okrcore.Tx) error { _, err := tx.AddOutbox(stored); return err }); err != nil {
		t.Fatal(err)
	}
	dup, fresh := testItem("w", "k1", outboxTime), testItem("w", "k2", outboxTime)
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		if ok, err := tx.AddOutbox(dup); err != nil || ok || dup.ID != 1 {
			return fmt.Errorf("duplicate: %v, %v, ID %d", ok, err, dup.ID)
		}
		if ok, err := tx.AddOutbox(fresh); err != nil || !ok || fresh.ID != 2 {
			return fmt.Errorf("fresh: %v, %v, ID %d", ok, err, fresh.ID)
		}
		return errSentinelTest
	})
	if !errors.Is(err, errSentinelTest) || dup.ID != 0 || fresh.ID != 0 {
		t.Fatalf("after rollback: %v, IDs %d and %d, want 0 and 0", err, dup.ID, fresh.ID)
	}
	// An ID the caller set stays: only what the store set is taken back.
	dup.ID = 1
	_ = db.Update(ctx, func(tx okrcore.Tx) error { _, _ = tx.AddOutbox(dup); return errSentinelTest })
	if dup.ID != 1 {
		t.Fatalf("caller's ID after rollback = %d", dup.ID)
	}

	// Group commit re-runs: failing calls leave nothing and no ID; one
	// item per key survives.
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it := testItem("w", fmt.Sprint("g", i%10), outboxTime.Add(time.Duration(i)*time.Second))
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				if it.ID != 0 {
					return fmt.Errorf("fn re-run with a stale ID %d", it.ID)
				}
				if _, err := tx.AddOutbox(it); err != nil {
					return err
				}
				if i%3 == 0 {
					return errSentinelTest
				}
				return nil
			})
			switch {
			case i%3 == 0 && (!errors.Is(err, errSentinelTest) || it.ID != 0):
				t.Errorf("failing call %d: %v, ID %d", i, err, it.ID)
			case i%3 != 0 && (err != nil || it.ID == 0):
				t.Errorf("call %d: %v, ID %d", i, err, it.ID)
			}
		}()
	}
	wg.Wait()
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		n, _, err := tx.OpenOutbox()
		if err != nil || n != 11 {
			return fmt.Errorf("open items: %d, %v; want 11", n, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxExplicitIDs(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	imported := testItem("w", "k1", outboxTime)
	imported.ID = 10
	next := testItem("w", "k2", outboxTime)
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		return errors.Join(second(tx.AddOutbox(imported)), second(tx.AddOutbox(next)))
	}); err != nil {
		t.Fatal(err)
	}
	if imported.ID != 10 || next.ID != 11 {
		t.Fatalf("IDs %d and %d, want 10 and 11", imported.ID, next.ID)
	}
	clash := testItem("w", "k3", outboxTime)
	clash.ID = 10
	err := db.Update(ctx, func(tx okrcore.Tx) error { return second(tx.AddOutbox(clash)) })
	if okrcore.ErrorKindOf(err) != okrcore.KindConflict {
		t.Fatalf("AddOutbox under the ID of another key: %v", err)
	}
	// A stored key wins over the ID the caller brought.
	again := testItem("w", "k2", outboxTime)
	again.ID = 99
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		ok, err := tx.AddOutbox(again)
		if ok || err != nil {
			return fmt.Errorf("AddOutbox of a stored key with another ID: %v, %v", ok, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if again.ID != 11 {
		t.Fatalf("ID after AddOutbox of a stored key = %d, want 11", again.ID)
	}
}

func second[T any](_ T, err error) error { return err }

// Keys and workspaces may hold any byte; the due index gives them back.
func TestOutboxOddKeys(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	long := strings.Repeat("k", check.MaxOutboxKey)
	items := []*okrcore.OutboxItem{
		testItem("w\x00", "a\x00b", outboxTime),
		testItem("w", "a", outboxTime),
		testItem("w\x00\x01", "\x01\x00", outboxTime),
		testItem("ü", long, outboxTime),
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for _, it := range items {
			if ok, err := tx.AddOutbox(it); err != nil || !ok {
				return fmt.Errorf("%q/%q: %v, %v", it.Workspace, it.Key, ok, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		due, err := tx.DueOutbox(outboxTime, 0)
		if err != nil {
			return err
		}
		var got []string
		for _, it := range due {
			got = append(got, fmt.Sprintf("%q", it.Workspace))
		}
		if want := `"w" "w\x00" "w\x00\x01" "ü"`; strings.Join(got, " ") != want {
			return fmt.Errorf("due workspaces %s, want %s", strings.Join(got, " "), want)
		}
		if _, err := tx.OutboxByKey("w", "a\x00b"); !okrcore.IsNotFound(err) {
			return fmt.Errorf("key of w\\x00 found in w: %v", err)
		}
		it, err := tx.OutboxByKey("w\x00", "a\x00b")
		if err != nil || it.ID != 1 {
			return fmt.Errorf("key with a NUL: %v, %v", it, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tooLong := testItem("w", long+"k", outboxTime)
	err := db.Update(ctx, func(tx okrcore.Tx) error { return second(tx.AddOutbox(tooLong)) })
	if okrcore.ErrorKindOf(err) != okrcore.KindInvalid || !strings.Contains(err.Error(), "1025 bytes") {
		t.Fatalf("AddOutbox of a key too long: %v", err)
	}
	notText := testItem("w", "checkin:\xff", outboxTime)
	err = db.Update(ctx, func(tx okrcore.Tx) error { return second(tx.AddOutbox(notText)) })
	if okrcore.ErrorKindOf(err) != okrcore.KindInvalid || !strings.Contains(err.Error(), "not UTF-8") {
		t.Fatalf("AddOutbox of a key that is not UTF-8: %v", err)
	}
}

func TestStrAt(t *testing.T) {
	for _, s := range []string{"", "a", "a\x00", "\x00", "\x00\x00\x01", "ab\xffc\x00\x01", strings.Repeat("\x00", 5)} {
		k := key([]byte{9, 9}).str(s).id(7)
		got, next, ok := strAt(k, 2)
		if !ok || got != s || next != len(k)-8 {
			t.Fatalf("strAt of %q = %q, %d, %v", s, got, next, ok)
		}
	}
	for _, bad := range [][]byte{nil, {'a'}, {'a', 0}, {'a', 0, 2}, {0}} {
		if _, _, ok := strAt(bad, 0); ok {
			t.Fatalf("strAt(%x) read a string", bad)
		}
	}
	if _, _, ok := strAt([]byte{0, 1}, 3); ok {
		t.Fatal("strAt past the end read a string")
	}
}

// okrbot check finds what a buggy outbox write would leave.
func TestCheckFindsOutboxDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(tx *bbolt.Tx) error
		want   string
	}{
		{"counter too high", func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keyOutboxOpen, key(nil).u64(3))
		}, "counter says 3 open items, 2 are open"},
		{"counter missing", func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketMeta).Delete(keyOutboxOpen)
		}, "counter says 0 open items, 2 are open"},
		{"due entry of a closed item", func(tx *bbolt.Tx) error {
			it := testItem("w", "k3", outboxTime)
			it.ID = 3
			return tx.Bucket(idxOutboxDue).Put(dueKey(it), nil)
		}, "idx_outbox_due: stale entry"},
		{"due entry missing", func(tx *bbolt.Tx) error {
			it := testItem("w", "k1", outboxTime)
			it.ID = 1
			return tx.Bucket(idxOutboxDue).Delete(dueKey(it))
		}, "idx_outbox_due: 1 entries missing"},
		{"two items under one key", func(tx *bbolt.Tx) error {
			return tx.Bucket(idxOutboxKey).Put(newKey("w").str("k1").id(2), nil)
		}, "two items under one key"},
		{"workspace under another key", func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketWorkspaces).Put(newKey("x"), []byte(`{"id":"w"}`))
		}, `workspace "w" stored under key`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(t.TempDir()+"/okrbot.db", Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if err := db.Update(ctx, func(tx okrcore.Tx) error {
				closed := testItem("w", "k3", outboxTime)
				closed.State = okrcore.OutboxSent
				return errors.Join(tx.PutWorkspace(&okrcore.Workspace{ID: "w"}),
					second(tx.AddOutbox(testItem("w", "k1", outboxTime))),
					second(tx.AddOutbox(testItem("w", "k2", outboxTime.Add(time.Hour)))),
					second(tx.AddOutbox(closed)))
			}); err != nil {
				t.Fatal(err)
			}
			if err := db.Check(ctx); err != nil {
				t.Fatalf("check before damage: %v", err)
			}
			if err := db.bolt.Update(tc.damage); err != nil {
				t.Fatal(err)
			}
			if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("check after %s: %v, want %q", tc.name, err, tc.want)
			}
		})
	}
}

// TestPurgeOutbox: closed items older than the cutoff go with their index
// entries; open ones stay however old, and so do recent ones.
func TestPurgeOutbox(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	cutoff := outboxTime.Add(90 * 24 * time.Hour)
	type spec struct {
		ws, key string
		state   okrcore.OutboxState
		created time.Time
		kept    bool
	}
	specs := []spec{
		{"w", "old-sent", okrcore.OutboxSent, outboxTime, false},
		{"w", "old-skipped", okrcore.OutboxSkipped, outboxTime, false},
		{"w", "old-failed", okrcore.OutboxFailed, outboxTime, false},
		{"w", "old-pending", okrcore.OutboxPending, outboxTime, true},
		{"w", "old-sending", okrcore.OutboxSending, outboxTime, true},
		{"w", "new-sent", okrcore.OutboxSent, cutoff, true},
		{"v", "other-old-sent", okrcore.OutboxSent, outboxTime, false},
		{"v", "other-new-sent", okrcore.OutboxSent, cutoff.Add(time.Hour), true},
	}
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		for _, w := range []string{"v", "w"} {
			if err := tx.PutWorkspace(&okrcore.Workspace{ID: w}); err != nil {
				return err
			}
		}
		for _, s := range specs {
			it := testItem(s.ws, s.key, s.created)
			it.CreatedAt = s.created
			if _, err := tx.AddOutbox(it); err != nil {
				return err
			}
			it.State = s.state
			if err := tx.PutOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeOutbox(ctx, cutoff)
	if err != nil || n != 4 {
		t.Fatalf("purged %d, %v; want 4", n, err)
	}
	err = db.View(ctx, func(tx okrcore.Tx) error {
		for _, s := range specs {
			_, err := tx.OutboxByKey(s.ws, s.key)
			if kept := err == nil; kept != s.kept {
				t.Errorf("%s/%s kept %v, want %v (%v)", s.ws, s.key, kept, s.kept, err)
			}
		}
		open, _, err := tx.OpenOutbox()
		if open != 2 {
			t.Errorf("open items after purge: %d, want 2", open)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("check after purge: %v", err)
	}
	if n, err := db.PurgeOutbox(ctx, cutoff); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v", n, err)
	}
}

// BenchmarkPurgeOutbox purges a year of closed items of a 10,000-person
// organisation's weekly nudges and reminders (sized by OKRBOT_PURGE_ITEMS,
// default 200,000), and then times an hourly pass that finds nothing.
func BenchmarkPurgeOutbox(b *testing.B) {
	items := 200000
	if v, err := strconv.Atoi(os.Getenv("OKRBOT_PURGE_ITEMS")); err == nil && v > 0 {
		items = v
	}
	for b.Loop() {
		b.StopTimer()
		db, err := Open(filepath.Join(b.TempDir(), "okrbot.db"), Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for start := 0; start < items; start += 10000 {
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				if err := tx.PutWorkspace(&okrcore.Workspace{ID: "w"}); err != nil {
					return err
				}
				for i := start; i < min(start+10000, items); i++ {
					it := testItem("w", fmt.Sprint("checkin:u", i), outboxTime.Add(time.Duration(i)*time.Second))
					it.CreatedAt, it.State = it.DueAt, okrcore.OutboxSent
					if _, err := tx.AddOutbox(it); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		n, err := db.PurgeOutbox(ctx, outboxTime.Add(time.Duration(items)*time.Second))
		if err != nil || n != items {
			b.Fatalf("purged %d, %v", n, err)
		}
		all := time.Since(t0)
		t1 := time.Now()
		if n, err := db.PurgeOutbox(ctx, outboxTime.Add(time.Duration(items)*time.Second)); err != nil || n != 0 {
			b.Fatalf("second pass purged %d, %v", n, err)
		}
		b.ReportMetric(all.Seconds(), "s/purge-all")
		b.ReportMetric(float64(time.Since(t1).Microseconds()), "µs/idle-pass")
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
