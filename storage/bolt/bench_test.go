package bolt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The write benchmarks are durable: fsync on every commit, as in
// production. Each check-in does what the engine does: read the key result
// and its objective, append the check-in, write both back.
//
//	go test -run '^$' -bench CheckIn -benchtime 2s ./storage/bolt
//	go test -run '^$' -bench Burst -benchtime 1x ./storage/bolt

const (
	benchUsers = 1000
	benchKRs   = 3000 // three per objective, one objective per user
)

var benchStart = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)

// benchDB opens a durable database in dir with benchUsers users, their
// objectives and key results, bulk-loaded without fsync.
func benchDB(b *testing.B, opts Options) *DB {
	b.Helper()
	db, err := Open(filepath.Join(b.TempDir(), "bench.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	loadOKRs(b, db, "w", benchUsers, 1, 3)
	return db
}

// loadOKRs bulk-loads users users with one objective per cycle each and
// krsPer key results per objective, all owned by the user.
func loadOKRs(b *testing.B, db *DB, ws string, users, cycles, krsPer int) {
	b.Helper()
	ctx := context.Background()
	db.bolt.NoSync = true
	defer func() {
		db.bolt.NoSync = false
		if err := db.bolt.Sync(); err != nil {
			b.Fatal(err)
		}
	}()
	const chunk = 2000
	for start := 0; start < users; start += chunk {
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			if start == 0 {
				if err := tx.PutWorkspace(&okrcore.Workspace{ID: ws, Name: "Bench"}); err != nil {
					return err
				}
				for c := range cycles {
					if err := tx.PutCycle(&okrcore.Cycle{Workspace: ws, Name: fmt.Sprint("Q", c+1), Start: benchStart, End: benchStart.AddDate(0, 3, 0)}); err != nil {
						return err
					}
				}
			}
			for u := start; u < min(start+chunk, users); u++ {
				user := &okrcore.User{Workspace: ws, Platform: "slack", PlatformID: fmt.Sprintf("U%07d", u), Name: fmt.Sprint("User ", u), Role: okrcore.RoleMember, TimeZone: "Europe/Berlin", CreatedAt: benchStart}
				if err := tx.PutUser(user); err != nil {
					return err
				}
				for c := range cycles {
					o := &okrcore.Objective{Workspace: ws, Cycle: okrcore.ID(c + 1), Owner: okrcore.UserOwner(user.ID), Title: fmt.Sprintf("Objective of user %d in Q%d: make customers happier", u, c+1), Weight: 1, CreatedAt: benchStart, UpdatedAt: benchStart}
					if err := tx.PutObjective(o); err != nil {
						return err
					}
					for k := range krsPer {
						kr := &okrcore.KeyResult{Workspace: ws, Objective: o.ID, Cycle: o.Cycle, Owner: o.Owner, Title: fmt.Sprintf("Key result %d: raise weekly active users", k+1), Metric: okrcore.MetricNumber, Start: 100, Target: 1000, Current: 100, Unit: "users", Direction: okrcore.Increase, Weight: 1, CreatedAt: benchStart, UpdatedAt: benchStart}
						if err := tx.PutKeyResult(kr); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// checkIn records one check-in the way the engine will.
func checkIn(ctx context.Context, db *DB, kr okrcore.ID, at time.Time) error {
	return db.Update(ctx, func(tx okrcore.Tx) error {
		k, err := tx.KeyResult("w", kr)
		if err != nil {
			return err
		}
		o, err := tx.Objective("w", k.Objective)
		if err != nil {
			return err
		}
		c := &okrcore.CheckIn{Workspace: "w", Target: okrcore.TargetKR, TargetID: k.ID, Author: k.Owner.ID, At: at,
			Value: k.Current + 10, Previous: k.Current, Confidence: new(int), Status: okrcore.StatusOnTrack,
			Note: "Shipped the onboarding flow; numbers are moving.", Blockers: ""}
		*c.Confidence = 7
		if err := tx.AddCheckIn(c); err != nil {
			return err
		}
		k.Current = c.Value
		k.Progress = (k.Current - k.Start) / (k.Target - k.Start)
		k.LastCheckIn, k.UpdatedAt = at, at
		if err := tx.PutKeyResult(k); err != nil {
			return err
		}
		o.Progress, o.UpdatedAt = k.Progress, at
		return tx.PutObjective(o)
	})
}

// BenchmarkCheckInConcurrent64 runs b.N check-ins from 64 goroutines. The
// sub-benchmarks compare the group committer with bbolt's DB.Batch.
func BenchmarkCheckInConcurrent64(b *testing.B) {
	for _, m := range writeModes {
		b.Run(m.name, func(b *testing.B) {
			db := benchDB(b, m.opts)
			b.ResetTimer()
			lat, elapsed := burst(b, db, b.N, 64)
			reportBurst(b, db, lat, elapsed)
		})
	}
}

var writeModes = []struct {
	name string
	opts Options
}{
	{"group", Options{}},                         // the default: group commit, adaptive wait
	{"group-nowait", Options{MaxBatchDelay: -1}}, // group commit, never waits
	{"boltBatch-default", Options{boltBatch: true, MaxBatchSize: 1000, boltBatchDelay: 10 * time.Millisecond}}, // bbolt's defaults
	{"boltBatch-64-2ms", Options{boltBatch: true, MaxBatchSize: 64, boltBatchDelay: 2 * time.Millisecond}},
}

// BenchmarkBurst10k64 is Monday morning: 10,000 check-ins from 64 writers
// at once. Targets: under 2 s in total, p99 under 20 ms.
func BenchmarkBurst10k64(b *testing.B) {
	for _, m := range writeModes {
		b.Run(m.name, func(b *testing.B) {
			db := benchDB(b, m.opts)
			var lat []time.Duration
			var total time.Duration
			for b.Loop() {
				l, e := burst(b, db, 10000, 64)
				lat, total = append(lat, l...), total+e
			}
			reportBurst(b, db, lat, total)
			b.ReportMetric(total.Seconds()/float64(b.N), "s/burst")
		})
	}
}

// burst runs n check-ins from writers goroutines and returns each one's
// latency and the wall time of the whole burst.
func burst(b *testing.B, db *DB, n, writers int) ([]time.Duration, time.Duration) {
	b.Helper()
	ctx := context.Background()
	var next atomic.Int64
	lats := make([][]time.Duration, writers)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				if err := checkIn(ctx, db, okrcore.ID(i%benchKRs+1), benchStart.Add(time.Duration(i)*time.Millisecond)); err != nil {
					errs <- err
					return
				}
				lats[w] = append(lats[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return slices.Concat(lats...), elapsed
}

func reportBurst(b *testing.B, db *DB, lat []time.Duration, elapsed time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "writes/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	if c := db.commits.Load(); c > 0 {
		b.ReportMetric(float64(db.calls.Load())/float64(c), "calls/commit")
	}
}

// Read benchmarks share one larger dataset: 10,000 users, each with one
// objective in each of two cycles and three key results per objective
// (20,000 objectives, 60,000 key results), and 20 check-ins on KR1.
var (
	readOnce sync.Once
	readDB   *DB
	readErr  error
	readDir  string
)

func readData(b *testing.B) *DB {
	b.Helper()
	readOnce.Do(func() {
		if readDir, readErr = os.MkdirTemp("", "okrbot-bench-"); readErr != nil {
			return
		}
		if readDB, readErr = Open(filepath.Join(readDir, "read.db"), Options{NoSync: true}); readErr != nil {
			return
		}
		start := time.Now()
		loadOKRs(b, readDB, "w", 10000, 2, 3)
		for i := range 20 {
			if readErr = checkIn(context.Background(), readDB, 1, benchStart.Add(time.Duration(i)*time.Hour)); readErr != nil {
				return
			}
		}
		b.Logf("read dataset loaded in %s", time.Since(start).Round(time.Millisecond))
	})
	if readErr != nil {
		b.Fatal(readErr)
	}
	return readDB
}

func TestMain(m *testing.M) {
	code := m.Run()
	if readDB != nil {
		readDB.Close()
	}
	if readDir != "" {
		os.RemoveAll(readDir)
	}
	os.Exit(code)
}

func BenchmarkListKeyResultsByOwner(b *testing.B) {
	db := readData(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		u := okrcore.ID(i%10000 + 1)
		err := db.View(ctx, func(tx okrcore.Tx) error {
			krs, err := tx.KeyResultsByOwner("w", okrcore.UserOwner(u), 2)
			if err == nil && len(krs) != 3 {
				err = fmt.Errorf("user %d has %d key results in Q2", u, len(krs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkKeyResultsByCycle reads a whole cycle (30,000 key results), as a
// company-wide digest would.
func BenchmarkKeyResultsByCycle(b *testing.B) {
	db := readData(b)
	ctx := context.Background()
	for b.Loop() {
		err := db.View(ctx, func(tx okrcore.Tx) error {
			krs, err := tx.KeyResultsByCycle("w", 1)
			if err == nil && len(krs) != 30000 {
				err = fmt.Errorf("%d key results in Q1", len(krs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLatestCheckIns(b *testing.B) {
	db := readData(b)
	ctx := context.Background()
	for b.Loop() {
		err := db.View(ctx, func(tx okrcore.Tx) error {
			cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 5)
			if err == nil && len(cis) != 5 {
				err = fmt.Errorf("%d check-ins", len(cis))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckInSerial is one writer: every check-in pays a whole commit.
func BenchmarkCheckInSerial(b *testing.B) {
	for _, m := range writeModes {
		b.Run(m.name, func(b *testing.B) {
			db := benchDB(b, m.opts)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if err := checkIn(ctx, db, okrcore.ID(i%benchKRs+1), benchStart.Add(time.Duration(i)*time.Second)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// Outbox benchmarks: a scheduler tick enqueues a week's check-in nudges for
// 10,000 people in one durable update; the sender scans what is due.
//
//	go test -run '^$' -bench 'Enqueue|DueOutbox|OpenOutbox' ./storage/bolt

const outboxBenchItems = 10000

var outboxBenchStart = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// enqueueWeek adds one check-in nudge per person for week w in one update
// and returns how many were new. Due times spread over the day as time
// zones would spread them.
func enqueueWeek(ctx context.Context, db *DB, ws string, w, n int) (int, error) {
	monday := outboxBenchStart.AddDate(0, 0, 7*w)
	period := fmt.Sprintf("2026-W%02d", 47+w)
	created := 0
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		created = 0
		for u := range n {
			it := &okrcore.OutboxItem{Workspace: ws, Key: fmt.Sprintf("checkin:u%d:%s", u+1, period), Kind: okrcore.OutboxCheckIn,
				User: okrcore.ID(u + 1), Period: period, DueAt: monday.Add(time.Duration(u%24)*time.Hour + time.Duration(u)*time.Millisecond),
				State: okrcore.OutboxPending, CreatedAt: monday}
			ok, err := tx.AddOutbox(it)
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

// BenchmarkEnqueue10k enqueues 10,000 new items in one durable update, a
// new week each iteration (so the outbox grows as it would in service).
func BenchmarkEnqueue10k(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "outbox.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	w := 0
	for b.Loop() {
		n, err := enqueueWeek(ctx, db, "w", w, outboxBenchItems)
		if err != nil || n != outboxBenchItems {
			b.Fatalf("week %d: %d created, %v", w, n, err)
		}
		w++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*outboxBenchItems), "ns/item")
}

// BenchmarkEnqueue10kExisting is a tick after a restart: the 10,000 items
// exist already and every AddOutbox is a lookup that writes nothing.
func BenchmarkEnqueue10kExisting(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "outbox.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := enqueueWeek(ctx, db, "w", 0, outboxBenchItems); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if n, err := enqueueWeek(ctx, db, "w", 0, outboxBenchItems); err != nil || n != 0 {
			b.Fatalf("%d created, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*outboxBenchItems), "ns/item")
}

// outboxScanDB holds 10,000 open items over ten workspaces and, as a
// database in service would, 20,000 sent ones.
func outboxScanDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(filepath.Join(b.TempDir(), "outbox.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ctx := context.Background()
	for ws := range 10 {
		for w := range 3 {
			if _, err := enqueueWeek(ctx, db, fmt.Sprint("T", ws), w, outboxBenchItems/10); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Weeks 0 and 1 were sent.
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		due, err := tx.DueOutbox(outboxBenchStart.AddDate(0, 0, 14).Add(-1), 0)
		if err != nil {
			return err
		}
		for _, it := range due {
			it.State, it.SentRef, it.SentAt = okrcore.OutboxSent, "D/1", it.DueAt
			if err := tx.PutOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkDueOutboxScan reads all 10,000 open items in due order.
func BenchmarkDueOutboxScan(b *testing.B) {
	db := outboxScanDB(b)
	ctx := context.Background()
	end := outboxBenchStart.AddDate(0, 0, 30)
	for b.Loop() {
		err := db.View(ctx, func(tx okrcore.Tx) error {
			due, err := tx.DueOutbox(end, 0)
			if err == nil && len(due) != outboxBenchItems {
				err = fmt.Errorf("%d due, want %d", len(due), outboxBenchItems)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDueOutboxBatch reads the first 100 due items, as a sender takes
// a batch.
func BenchmarkDueOutboxBatch(b *testing.B) {
	db := outboxScanDB(b)
	ctx := context.Background()
	end := outboxBenchStart.AddDate(0, 0, 30)
	for b.Loop() {
		err := db.View(ctx, func(tx okrcore.Tx) error {
			due, err := tx.DueOutbox(end, 100)
			if err == nil && len(due) != 100 {
				err = fmt.Errorf("%d due", len(due))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenOutbox is what a /metrics scrape costs.
func BenchmarkOpenOutbox(b *testing.B) {
	db := outboxScanDB(b)
	ctx := context.Background()
	for b.Loop() {
		err := db.View(ctx, func(tx okrcore.Tx) error {
			n, _, err := tx.OpenOutbox()
			if err == nil && n != outboxBenchItems {
				err = fmt.Errorf("%d open", n)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
