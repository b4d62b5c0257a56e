package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// openTest opens a fresh database that is checked and closed at cleanup.
func openTest(t *testing.T, opts Options) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "okrbot.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			t.Errorf("index check: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) okrcore.Store { return openTest(t, Options{}) })
}

func TestOpenLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	start := time.Now()
	second, err := Open(path, Options{})
	took := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatal("second Open of a held file succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "in use by another okrbot process") || !strings.Contains(err.Error(), path) {
		t.Fatalf("unclear error: %v", err)
	}
	if took < 500*time.Millisecond || took > 2*time.Second {
		t.Fatalf("second Open gave up after %s, want about 1s", took)
	}
	t.Logf("second Open: %v after %s", err, took.Round(time.Millisecond))

	// Checking a held file fails the same way instead of hanging.
	if err := CheckFile(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("CheckFile of a held file: %v", err)
	}

	// Once closed, the file opens again.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestSchemaMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		return tx.PutObjective(&okrcore.Objective{Workspace: "w", Cycle: 1, Title: "Keep me"})
	}); err != nil {
		t.Fatal(err)
	}
	if got := readVersion(t, db); got != SchemaVersion() {
		t.Fatalf("new database at schema %d, want %d", got, SchemaVersion())
	}
	db.Close()

	// A binary with two more migrations upgrades the file once, in order.
	var ran []int
	migs := append([]migration(nil), migrations...)
	migs = append(migs,
		func(tx *bbolt.Tx) error {
			ran = append(ran, len(migrations)+1)
			_, err := tx.CreateBucket([]byte("v2_extra"))
			return err
		},
		func(tx *bbolt.Tx) error {
			ran = append(ran, len(migrations)+2)
			return tx.Bucket([]byte("v2_extra")).Put([]byte("k"), []byte("v"))
		})
	db, err = openWith(path, Options{NoSync: true}, migs)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ran) != fmt.Sprint([]int{len(migrations) + 1, len(migrations) + 2}) {
		t.Fatalf("migrations ran %v", ran)
	}
	if got := readVersion(t, db); got != len(migs) {
		t.Fatalf("schema after upgrade = %d, want %d", got, len(migs))
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		o, err := tx.Objective("w", 1)
		if err != nil {
			return err
		}
		if o.Title != "Keep me" {
			return fmt.Errorf("objective after upgrade: %+v", o)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ran = nil
	db, err = openWith(path, Options{NoSync: true}, migs)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if len(ran) != 0 {
		t.Fatalf("migrations ran again on an upgraded file: %v", ran)
	}

	// A failing migration leaves the file as it was: all or nothing.
	failing := append(append([]migration(nil), migs...),
		func(tx *bbolt.Tx) error {
			if _, err := tx.CreateBucket([]byte("half_done")); err != nil {
				return err
			}
			return errors.New("disk says no")
		})
	if _, err := openWith(path, Options{NoSync: true}, failing); err == nil || !strings.Contains(err.Error(), "disk says no") {
		t.Fatalf("open with a failing migration: %v", err)
	}
	db, err = openWith(path, Options{NoSync: true}, migs)
	if err != nil {
		t.Fatal(err)
	}
	if got := readVersion(t, db); got != len(migs) {
		t.Fatalf("schema after failed migration = %d", got)
	}
	if err := db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte("half_done")) != nil {
			return errors.New("failed migration left a bucket behind")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// This binary (fewer migrations) refuses the newer file and leaves it alone.
	start := time.Now()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a newer file: %v, want ErrNewerSchema", err)
	}
	want := fmt.Sprintf("schema version %d, this binary knows up to %d", len(migs), SchemaVersion())
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "upgrade okrbot") {
		t.Fatalf("unclear error: %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("refusal took too long (lock not released?)")
	}
	if err := CheckFile(path); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("CheckFile of a newer file: %v", err)
	}
	db, err = openWith(path, Options{NoSync: true}, migs)
	if err != nil {
		t.Fatalf("reopen after refusal: %v", err)
	}
	db.Close()
}

func readVersion(t *testing.T, db *DB) int {
	t.Helper()
	var v int
	if err := db.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		v, err = schemaVersion(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenForeignFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "other.db")
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("someone_else")); return err }); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNotOkrbot) {
		t.Fatalf("Open of a foreign bbolt file: %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(junk, Options{}); err == nil || !strings.Contains(err.Error(), junk) {
		t.Fatalf("Open of junk: %v", err)
	}
	if err := CheckFile(junk); err == nil {
		t.Fatal("CheckFile of junk passed")
	}
}

func TestBackupWhileWriting(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		return tx.PutKeyResult(&okrcore.KeyResult{Workspace: "w", Objective: 1, Cycle: 1, Title: "Counter"})
	}); err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		acked []okrcore.ID
		stop  = make(chan struct{})
		wg    sync.WaitGroup
		errc  = make(chan error, 16)
	)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var c *okrcore.CheckIn
				err := db.Update(ctx, func(tx okrcore.Tx) error {
					k, err := tx.KeyResult("w", 1)
					if err != nil {
						return err
					}
					c = &okrcore.CheckIn{Workspace: "w", Target: okrcore.TargetKR, TargetID: 1, Author: okrcore.ID(w + 1),
						At: time.Unix(int64(i), 0), Value: k.Current + 1, Previous: k.Current, Note: strings.Repeat("n", 200)}
					if err := tx.AddCheckIn(c); err != nil {
						return err
					}
					k.Current++
					return tx.PutKeyResult(k)
				})
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				acked = append(acked, c.ID)
				mu.Unlock()
			}
		}()
	}
	waitAcked := func(n int) {
		for {
			mu.Lock()
			got := len(acked)
			mu.Unlock()
			if got >= n {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitAcked(300)
	mu.Lock()
	before := append([]okrcore.ID(nil), acked...)
	mu.Unlock()
	backup := filepath.Join(t.TempDir(), "backup.db")
	n, err := db.BackupToFile(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	waitAcked(len(before) + 100) // writers kept going through the backup
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	fi, err := os.Stat(backup)
	if err != nil || fi.Size() != n {
		t.Fatalf("backup file: %v, size %d, Backup said %d", err, fi.Size(), n)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v", fi.Mode())
	}
	if err := CheckFile(backup); err != nil {
		t.Fatalf("CheckFile(backup): %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(backup))
	if len(entries) != 1 {
		t.Fatalf("backup left temporary files: %v", entries)
	}

	bk, err := Open(backup, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bk.Close()
	if err := bk.View(ctx, func(tx okrcore.Tx) error {
		k, err := tx.KeyResult("w", 1)
		if err != nil {
			return err
		}
		cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)
		if err != nil {
			return err
		}
		if float64(len(cis)) != k.Current {
			return fmt.Errorf("backup is torn: KR at %g, %d check-ins", k.Current, len(cis))
		}
		have := map[okrcore.ID]bool{}
		for _, c := range cis {
			have[c.ID] = true
		}
		for _, id := range before {
			if !have[id] {
				return fmt.Errorf("check-in %d acknowledged before the backup is missing from it", id)
			}
		}
		t.Logf("backup: %d bytes, %d check-ins (%d acknowledged before it began)", n, len(cis), len(before))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestBackupCancelled(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "b.db")
	if _, err := db.BackupToFile(ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled backup: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("cancelled backup left a file: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Fatalf("cancelled backup left temporary files: %v", entries)
	}
}

func TestCheckFileFindsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for i := range 200 {
			if err := tx.PutObjective(&okrcore.Objective{Workspace: "w", Cycle: 1, Owner: okrcore.UserOwner(1), Title: fmt.Sprint("objective ", i)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A stale index entry (as a buggy Put would leave) is found.
	if err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(idxObjOwner).Put(ownerKey(newKey("w"), okrcore.UserOwner(9)).id(1).id(3), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), "stale entry") {
		t.Fatalf("Check with a stale index entry: %v", err)
	}
	db.Close()
	if err := CheckFile(path); err == nil || !strings.Contains(err.Error(), "stale entry") {
		t.Fatalf("CheckFile with a stale index entry: %v", err)
	}
}

func TestRollbackResetsAssignedIDs(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	u := &okrcore.User{Workspace: "w", Platform: "slack", PlatformID: "U1", Name: "Ann"}
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if u.ID != 1 {
			return fmt.Errorf("ID inside the transaction = %d", u.ID)
		}
		return errors.New("no")
	})
	if err == nil || u.ID != 0 {
		t.Fatalf("after rollback: err %v, ID %d, want ID 0", err, u.ID)
	}
	// Someone else takes ID 1; retrying with the same struct must create,
	// not overwrite.
	other := &okrcore.User{Workspace: "w", Platform: "slack", PlatformID: "U2", Name: "Ben"}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutUser(other) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutUser(u) }); err != nil {
		t.Fatal(err)
	}
	if u.ID != 2 {
		t.Fatalf("retried user got ID %d, want 2", u.ID)
	}
}

func TestGroupCommitReruns(t *testing.T) {
	for name, opts := range map[string]Options{
		"group":     {NoSync: true, MaxBatchSize: 16},
		"boltBatch": {NoSync: true, MaxBatchSize: 16, boltBatch: true, boltBatchDelay: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) { testGroupCommitReruns(t, openTest(t, opts)) })
	}
}

// testGroupCommitReruns makes many concurrent calls of which some fail:
// failing calls leave nothing and get their ID back to zero, succeeding
// ones commit exactly once, and IDs stay dense.
func testGroupCommitReruns(t *testing.T, db *DB) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[okrcore.ID]string{}
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &okrcore.Objective{Workspace: "w", Cycle: 1, Title: fmt.Sprint("o", i)}
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				if o.ID != 0 {
					return fmt.Errorf("fn re-run with a stale ID %d", o.ID)
				}
				if i%7 == 0 {
					time.Sleep(100 * time.Microsecond) // let groups form
				}
				if err := tx.PutObjective(o); err != nil {
					return err
				}
				if i%7 == 0 {
					return errSentinelTest
				}
				return nil
			})
			if i%7 == 0 {
				if !errors.Is(err, errSentinelTest) || o.ID != 0 {
					t.Errorf("failing call %d: %v, ID %d", i, err, o.ID)
				}
				return
			}
			if err != nil {
				t.Errorf("call %d: %v", i, err)
				return
			}
			mu.Lock()
			created[o.ID] = o.Title
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		all, err := tx.ObjectivesByCycle("w", 0)
		if err != nil {
			return err
		}
		if len(all) != len(created) {
			return fmt.Errorf("%d objectives stored, %d acknowledged", len(all), len(created))
		}
		for i, o := range all {
			if o.ID != okrcore.ID(i+1) || created[o.ID] != o.Title {
				return fmt.Errorf("objective %d = %q, acknowledged %q", o.ID, o.Title, created[o.ID])
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

var errSentinelTest = errors.New("planned")

func TestPanicInUpdate(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want boom", p)
			}
		}()
		_ = db.Update(ctx, func(tx okrcore.Tx) error {
			_ = tx.PutState("w", "k", []byte("v"), time.Time{})
			panic("boom")
		})
		t.Fatal("Update returned after fn panicked")
	}()
	// The database carries on, without the panicking call's writes.
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutState("w", "k2", []byte("v"), time.Time{}) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		if _, err := tx.State("w", "k"); !okrcore.IsNotFound(err) {
			return fmt.Errorf("state of panicked call: %v", err)
		}
		_, err := tx.State("w", "k2")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestClose(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "okrbot.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Updates queued when Close is called still commit.
	var wg sync.WaitGroup
	results := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- db.Update(ctx, func(tx okrcore.Tx) error {
				return tx.PutState("w", fmt.Sprint(i), []byte("v"), time.Time{})
			})
		}()
	}
	time.Sleep(time.Millisecond)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(results)
	committed := 0
	for err := range results {
		switch {
		case err == nil:
			committed++
		case !errors.Is(err, ErrClosed):
			t.Fatalf("update racing Close: %v", err)
		}
	}
	if err := db.Update(ctx, func(okrcore.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Update after Close: %v", err)
	}
	if err := db.View(ctx, func(okrcore.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("View after Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	db, err = Open(db.Path(), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := 0
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		for i := range 50 {
			if _, err := tx.State("w", fmt.Sprint(i)); err == nil {
				stored++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if stored != committed {
		t.Fatalf("%d updates acknowledged, %d stored", committed, stored)
	}
}

func TestStateExpiryAndPurge(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	db := openTest(t, Options{NoSync: true, Now: clock})
	ctx := context.Background()
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for i := range 100 {
			exp := clock().Add(time.Duration(i+1) * time.Minute)
			if err := tx.PutState("w", fmt.Sprint("event:", i), []byte("seen"), exp); err != nil {
				return err
			}
		}
		return tx.PutState("w", "forever", []byte("f"), time.Time{})
	}); err != nil {
		t.Fatal(err)
	}
	countLive := func() int {
		n := 0
		_ = db.View(ctx, func(tx okrcore.Tx) error {
			for i := range 100 {
				if _, err := tx.State("w", fmt.Sprint("event:", i)); err == nil {
					n++
				}
			}
			return nil
		})
		return n
	}
	if n := countLive(); n != 100 {
		t.Fatalf("%d live entries, want 100", n)
	}
	advance(30 * time.Minute) // entries 0..29 expire (expiry <= now)
	if n := countLive(); n != 70 {
		t.Fatalf("after 30 minutes %d live entries, want 70", n)
	}
	stored := func() int {
		n := 0
		_ = db.bolt.View(func(tx *bbolt.Tx) error { n = tx.Bucket(bucketState).Stats().KeyN; return nil })
		return n
	}
	if got := stored(); got != 101 {
		t.Fatalf("%d stored before purge", got)
	}
	// A write removes a few due entries on the side.
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutState("w", "x", nil, time.Time{}) }); err != nil {
		t.Fatal(err)
	}
	if got := stored(); got != 102-lazyPurge {
		t.Fatalf("%d stored after one write, want %d", got, 102-lazyPurge)
	}
	n, err := db.PurgeExpiredState(ctx, clock())
	if err != nil || n != 30-lazyPurge {
		t.Fatalf("purge: %d, %v; want %d", n, err, 30-lazyPurge)
	}
	if got := stored(); got != 72 {
		t.Fatalf("%d stored after purge, want 72", got)
	}
	if n := countLive(); n != 70 {
		t.Fatalf("after purge %d live entries, want 70", n)
	}
	n, err = db.PurgeExpiredState(ctx, clock().Add(24*time.Hour))
	if err != nil || n != 70 {
		t.Fatalf("purge of the rest: %d, %v", n, err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error { _, err := tx.State("w", "forever"); return err }); err != nil {
		t.Fatalf("entry without expiry after purge: %v", err)
	}
}

func TestKeyEncoding(t *testing.T) {
	// Strings may hold any byte and never run into the next component.
	a := newKey("a\x00").id(1)
	b := newKey("a").str("\x01").id(1)
	if string(a) == string(b) {
		t.Fatal("escaped NUL collides")
	}
	for _, ws := range []string{"a", "a\x00", "a\x00\x01", "ab", "a\xff"} {
		p := newKey("a")
		k := newKey(ws).id(1)
		if ws != "a" && strings.HasPrefix(string(k), string(p)) {
			t.Fatalf("key of %q has the prefix of workspace a", ws)
		}
	}
	times := []time.Time{
		{}, time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(-5, 0), time.Unix(0, 0),
		time.Unix(0, 1), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		x, y := string(key(nil).time(times[i-1])), string(key(nil).time(times[i]))
		if x > y || (x == y && i != 1) {
			t.Fatalf("time %v does not sort before %v", times[i-1], times[i])
		}
	}
	if prefixEnd([]byte{1, 0xff}) == nil || string(prefixEnd([]byte{1, 0xff})) != "\x02" || prefixEnd([]byte{0xff}) != nil {
		t.Fatal("prefixEnd")
	}
}
