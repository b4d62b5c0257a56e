package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// TestDatabaseSize measures what check-ins cost on disk: the generated
// 10,000-person organisation (storagetest.GenerateOrg, 100,000 key
// results) gets a check-in on every key result every week, written as the
// engine writes one (sizeCheckIn), week after week, 2,000 to a
// transaction. It logs the file's growth divided by the check-ins, the
// file's size, what the check-in buckets hold, and the Go heap after
// reading a whole cycle and a thousand histories from the file. It takes
// minutes, so it runs only when asked:
//
//	OKRBOT_SIZE_WEEKS=13 go test -run TestDatabaseSize -v -timeout 30m ./storage/bolt   # a quarter
//	OKRBOT_SIZE_WEEKS=52 go test -run TestDatabaseSize -v -timeout 60m ./storage/bolt   # a year
//
// OKRBOT_SIZE_PEOPLE changes the organisation's size (10000).
func TestDatabaseSize(t *testing.T) {
	weeks := envInt(t, "OKRBOT_SIZE_WEEKS", 0)
	if weeks == 0 {
		t.Skip("set OKRBOT_SIZE_WEEKS (13 for a quarter, 52 for a year) to measure the database's size")
	}
	people := envInt(t, "OKRBOT_SIZE_PEOPLE", 10000)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "size.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	spec := storagetest.OrgSpec{Users: people, Teams: people / 5, Objectives: people * 3, KeyResults: people * 10}
	org, err := storagetest.GenerateOrg(ctx, db, spec)
	if err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, path)
	start := time.Now()
	n, err := checkInWeeks(ctx, db, org, weeks)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	after := fileSize(t, path)
	t.Logf("%d people, %d key results: %d MB before check-ins", org.Users, org.KeyResults, before>>20)
	t.Logf("%d weeks: %d check-ins in %s; file %d MB (%.2f GB), %.0f bytes per check-in of file growth",
		weeks, n, took.Round(time.Second), after>>20, float64(after)/1e9, float64(after-before)/float64(n))
	logBuckets(t, path, n)
	logHeap(t, path, org)
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 0 {
		t.Fatalf("%s=%q is not a count", name, s)
	}
	return n
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// sizeNotes are what people write when they write a note (one check-in in
// five, as in storagetest's generator, but longer than its notes): a
// sentence, sometimes two.
var sizeNotes = []string{
	"On plan.",
	"Two deals slipped to next week, the rest closed as expected.",
	"New hire is ramping up; expect the numbers to move from mid-month.",
	"Vendor delivered the first batch late, integration starts Monday.",
	"Blocked most of the week on the security review; unblocked Thursday. Should catch up by the end of the month.",
	"Holiday week, little progress.",
}

// sizeCheckIn writes what okrcore.RecordCheckIn writes for one check-in
// of actor on k in the week of monday, at a random moment of its first
// three days, that brings k to frac of the way to its target: the
// check-in, with what an undo would put back, counted into the check-in
// tally (through ImportCheckIns, which keeps it as RecordCheckIn does), and
// the key result with the status stated. (The roll-up of the objectives
// above is left out: it rewrites a fixed number of objectives and their
// totals in place and takes most of the time.)
func sizeCheckIn(tx okrcore.Tx, r *rand.Rand, k *okrcore.KeyResult, actor *okrcore.User, monday time.Time, frac float64) error {
	k, err := tx.KeyResult(k.Workspace, k.ID)
	if err != nil {
		return err
	}
	at := monday.Add(time.Duration(r.Int64N(int64(72 * time.Hour))))
	ci := &okrcore.CheckIn{Workspace: k.Workspace, Target: okrcore.TargetKR, TargetID: k.ID, Author: actor.ID, At: at,
		Value: k.Current, Previous: k.Current,
		Prior: &okrcore.Prior{Confidence: k.Confidence, Status: k.Status, StatusSet: k.StatusSet, Stated: k.Stated, LastCheckIn: k.LastCheckIn}}
	if k.Metric != okrcore.MetricMilestone {
		ci.Value = float64(int((k.Start+(k.Target-k.Start)*frac)*10)) / 10
	}
	if r.IntN(2) == 0 {
		c := 4 + r.IntN(7)
		ci.Confidence = &c
	}
	if r.IntN(5) == 0 {
		ci.Note = sizeNotes[r.IntN(len(sizeNotes))]
	}
	if r.IntN(20) == 0 {
		ci.Blockers = "Waiting on legal for the contract."
	}
	k.Current, k.Confidence = ci.Value, ci.Confidence
	k.Progress = okrcore.KRProgress(k)
	k.Stated, k.StatusSet = nil, ci.Confidence != nil
	if k.StatusSet {
		k.Status = okrcore.StatusFromConfidence(*ci.Confidence)
		k.Stated = &okrcore.Statement{Status: k.Status, By: actor.ID, At: at, Until: okrcore.PeriodEnd(okrcore.Slot{}, at, time.UTC)}
	}
	k.LastCheckIn, k.UpdatedAt = at, at
	if err := okrcore.ImportCheckIns(tx, []*okrcore.CheckIn{ci}); err != nil {
		return err
	}
	return tx.PutKeyResult(k)
}

// checkInWeeks records one check-in on every key result of org each week,
// by its owner or the lead of its owning team, oldest week first.
func checkInWeeks(ctx context.Context, db *DB, org *storagetest.Org, weeks int) (int, error) {
	var krs []*okrcore.KeyResult
	authors := map[okrcore.ID]*okrcore.User{}
	err := db.View(ctx, func(tx okrcore.Tx) error {
		var err error
		if krs, err = tx.KeyResultsByCycle(org.Workspace, org.Cycle); err != nil {
			return err
		}
		for _, k := range krs {
			id := k.Owner.ID
			if k.Owner.Kind == okrcore.OwnerTeam {
				team, err := tx.Team(org.Workspace, id)
				if err != nil {
					return err
				}
				id = team.Lead
			}
			if authors[k.ID], err = tx.User(org.Workspace, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Every block of the tally built, as the first report leaves them, so
	// that the check-ins keep it as they do in a served workspace.
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		for b := range okrcore.ID(org.Users/okrcore.TallyBlock + 1) {
			if err := tx.PutState(org.Workspace, okrcore.TallyKey(b, -1), okrcore.EncodeTally(nil), time.Time{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	first := org.Now.AddDate(0, 0, -7*weeks)
	n := 0
	const batch = 2000
	for w := range weeks {
		monday := first.AddDate(0, 0, 7*w)
		for from := 0; from < len(krs); from += batch {
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				for _, k := range krs[from:min(from+batch, len(krs))] {
					if err := sizeCheckIn(tx, r, k, authors[k.ID], monday, float64(w+1)/float64(weeks+2)); err != nil {
						return fmt.Errorf("KR%d in week %d: %w", k.ID, w+1, err)
					}
				}
				return nil
			})
			if err != nil {
				return n, err
			}
			n += min(batch, len(krs)-from)
		}
	}
	return n, nil
}

// logBuckets logs the bytes of the pages each check-in bucket takes, per
// check-in, and the free pages of the file.
func logBuckets(t *testing.T, path string, n int) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.View(func(tx *bbolt.Tx) error {
		line := ""
		for _, name := range [][]byte{bucketCI, ciByTarget.bucket, ciByAuthor.bucket, bucketKeyResults, bucketObjectives, bucketState} {
			s := tx.Bucket(name).Stats()
			line += fmt.Sprintf(" %s %.1f B (%d MB, leaf pages %.0f%% full);", name,
				float64(s.LeafAlloc+s.BranchAlloc)/float64(n), (s.LeafAlloc+s.BranchAlloc)>>20, 100*float64(s.LeafInuse)/float64(max(1, s.LeafAlloc)))
		}
		t.Logf("per check-in:%s %d free pages", line, bdb.Stats().FreePageN)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// logHeap opens the file as a server does and logs the Go heap in use
// after reading the whole cycle's key results and the history of a
// thousand of them: the store's part of serving the organisation (the
// file itself is mapped, outside the heap).
func logHeap(t *testing.T, path string, org *storagetest.Org) {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept []*okrcore.CheckIn
	err = db.View(context.Background(), func(tx okrcore.Tx) error {
		krs, err := tx.KeyResultsByCycle(org.Workspace, org.Cycle)
		for _, k := range krs[:min(1000, len(krs))] {
			cis, err := tx.CheckIns(org.Workspace, okrcore.TargetKR, k.ID, time.Time{}, 0)
			if err != nil {
				return err
			}
			kept = append(kept, cis[:min(1, len(cis))]...)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("Go heap in use after opening the file and reading a cycle and 1,000 histories: %d MB (%d check-ins kept)", m.HeapInuse>>20, len(kept))
}
