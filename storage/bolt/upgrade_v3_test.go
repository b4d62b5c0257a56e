package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
)

const fixtureV3 = "testdata/v3.db"

var v3Time = time.Date(2026, 9, 7, 8, 30, 0, 0, time.UTC)

// writeV3 creates a database at path as schema version 3 wrote it, with
// check-ins as JSON records: two workspaces (a Slack team and a Teams
// tenant), people, a team, a cycle, objectives, key results and a KPI
// with check-ins of every shape (notes, blockers, confidence, a stated
// status, what an undo puts back, an undo, times with nanoseconds and an
// offset), an initiative, outbox items and state.
func writeV3(t testing.TB, path string) {
	t.Helper()
	db := openOld(t, path, 3)
	defer closeOld(t, db, 3)
	for _, ws := range []string{"T3", "7f0c3a52-1e4b-4c8e-9a0d-5b6f7e8d9c01"} {
		if err := db.Update(context.Background(), func(tx okrcore.Tx) error { return seedV3(tx, ws) }); err != nil {
			t.Fatal(err)
		}
		addCheckInsV3(t, db, checkInsV3(ws)...)
	}
}

// checkInsV3 are the check-ins writeV3 stores in workspace ws.
func checkInsV3(ws string) []*okrcore.CheckIn {
	conf := func(n int) *int { return &n }
	berlin := time.FixedZone("", 2*3600)
	stated := &okrcore.Statement{Status: okrcore.StatusAtRisk, By: 2, At: v3Time.Add(7 * 24 * time.Hour).In(berlin), Until: v3Time.Add(12 * 24 * time.Hour)}
	return []*okrcore.CheckIn{
		{Workspace: ws, Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v3Time.Add(24 * time.Hour), Value: 33, Previous: 30,
			Note: "first survey back", Prior: &okrcore.Prior{}},
		{Workspace: ws, Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v3Time.Add(8*24*time.Hour + 123456789), Value: 35, Previous: 33,
			Confidence: conf(4), Status: okrcore.StatusAtRisk, Blockers: "legal has the contract", Prior: &okrcore.Prior{LastCheckIn: v3Time.Add(24 * time.Hour)}},
		{Workspace: ws, Target: okrcore.TargetKR, TargetID: 2, Author: 2, At: v3Time.Add(7 * 24 * time.Hour).In(berlin), Value: 4.25, Previous: 5,
			Confidence: conf(0), Status: okrcore.StatusOffTrack, Note: "two blockers – the vendor and the API quota, both being chased",
			Prior: &okrcore.Prior{Confidence: conf(7), Status: okrcore.StatusOnTrack, StatusSet: true, Stated: stated, LastCheckIn: v3Time}},
		{Workspace: ws, Target: okrcore.TargetKR, TargetID: 2, Author: 2, At: v3Time.Add(7*24*time.Hour + time.Minute), Value: 4.25, Previous: 4.25,
			UndoOf: 3, Prior: &okrcore.Prior{Status: okrcore.StatusOffTrack, StatusSet: true, LastCheckIn: v3Time.Add(7 * 24 * time.Hour)}},
		{Workspace: ws, Target: okrcore.TargetKPI, TargetID: 1, Author: 3, At: v3Time.Add(2 * 24 * time.Hour), Value: 99.95, Previous: -1.5e-7,
			Status: okrcore.StatusDone},
	}
}

// addCheckInsV3 stores check-ins as schema versions 1 to 3 did, JSON
// under str(workspace) id with their two index entries, giving each the
// next ID of its workspace: this binary's AddCheckIn writes schema 4's.
func addCheckInsV3(t testing.TB, db *DB, cis ...*okrcore.CheckIn) {
	t.Helper()
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		bt := &boltTx{tx: tx}
		for _, c := range cis {
			id, err := bt.nextID(c.Workspace, checkInSeq)
			if err != nil {
				return err
			}
			c.ID = id
			data, err := json.Marshal(c)
			if err != nil {
				return err
			}
			ws := c.Workspace
			errs := []error{
				tx.Bucket(bucketCheckIns).Put(newKey(ws).id(id), data),
				tx.Bucket(idxCheckInTarget).Put(newKey(ws).str(string(c.Target)).id(c.TargetID).time(c.At).id(id), nil),
				tx.Bucket(idxCheckInAuthor).Put(newKey(ws).id(c.Author).time(c.At).id(id), nil),
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func seedV3(tx okrcore.Tx, ws string) error {
	for i, name := range []string{"Ann Lee", "Ben Ode", "Cai Wu"} {
		u := &okrcore.User{Workspace: ws, Platform: "slack", PlatformID: fmt.Sprint("U", i+1), Name: name, Email: fmt.Sprintf("u%d@acme.example", i+1),
			EmailVerified: i != 2, TimeZone: "Europe/Berlin", Role: okrcore.RoleMember, CreatedAt: v3Time}
		if i == 0 {
			u.Role = okrcore.RoleAdmin
		}
		if err := tx.PutUser(u); err != nil {
			return err
		}
	}
	stated := &okrcore.Statement{Status: okrcore.StatusAtRisk, By: 2, At: v3Time.Add(7 * 24 * time.Hour).In(time.FixedZone("", 2*3600)), Until: v3Time.Add(12 * 24 * time.Hour)}
	errs := []error{
		tx.PutWorkspace(&okrcore.Workspace{ID: ws, Name: "Acme", Platform: "slack", CurrentCycle: 1, Rules: okrcore.DefaultRules(), CreatedAt: v3Time}),
		tx.PutTeam(&okrcore.Team{Workspace: ws, Name: "Growth", Lead: 1, Members: []okrcore.ID{2, 3}, DigestChannel: "C1", TimeZone: "Europe/Berlin"}),
		tx.PutCycle(&okrcore.Cycle{Workspace: ws, Name: "Q3 2026", Kind: okrcore.CycleQuarter,
			Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}),
		tx.PutObjective(&okrcore.Objective{Workspace: ws, Cycle: 1, Title: "Delight customers", Owner: okrcore.TeamOwner(1), Weight: 1, CreatedAt: v3Time, UpdatedAt: v3Time}),
		tx.PutObjective(&okrcore.Objective{Workspace: ws, Cycle: 1, Title: "Faster onboarding", Owner: okrcore.UserOwner(2), ParentKR: 1, Weight: 1, CreatedAt: v3Time, UpdatedAt: v3Time}),
		tx.PutKeyResult(&okrcore.KeyResult{Workspace: ws, Objective: 1, Cycle: 1, Title: "NPS to 50", Owner: okrcore.UserOwner(1),
			Metric: okrcore.MetricNumber, Start: 30, Target: 50, Current: 35, Direction: okrcore.Increase, Weight: 1, Progress: 0.25, CreatedAt: v3Time, UpdatedAt: v3Time}),
		tx.PutKeyResult(&okrcore.KeyResult{Workspace: ws, Objective: 2, Cycle: 1, Title: "Time to first value under 2 days", Owner: okrcore.UserOwner(2),
			Metric: okrcore.MetricNumber, Start: 5, Target: 2, Current: 4.25, Unit: "days", Direction: okrcore.Decrease, Weight: 1, Stated: stated, CreatedAt: v3Time, UpdatedAt: v3Time}),
		tx.PutKPI(&okrcore.KPI{Workspace: ws, Title: "Uptime", Owner: okrcore.TeamOwner(1), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100, CreatedAt: v3Time}),
		tx.PutInitiative(&okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: "Survey every customer", Owner: 3, CreatedAt: v3Time}),
		tx.PutState(ws, "scheduler:last_tick", []byte("2026-09-14T09:00:00Z"), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)),
		tx.PutState(ws, "install", []byte("done"), time.Time{}),
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for u := okrcore.ID(1); u <= 3; u++ {
		it := &okrcore.OutboxItem{Workspace: ws, Key: fmt.Sprintf("checkin:u%d:2026-W38", u), Kind: okrcore.OutboxCheckIn,
			User: u, Period: "2026-W38", DueAt: v3Time.Add(time.Duration(u) * time.Hour), CreatedAt: v3Time}
		if _, err := tx.AddOutbox(it); err != nil {
			return err
		}
	}
	return nil
}

// unchangedV3 are the buckets schema 4 leaves as they were (and schema 6
// only re-encodes: see storedAlike).
var unchangedV3 = [][]byte{
	bucketWorkspaces, bucketUsers, bucketTeams, bucketCycles, bucketObjectives, bucketKeyResults, bucketKPIs,
	bucketInitiatives, bucketState, bucketOutbox, bucketSeq, idxUserPlatform, idxUserEmail, idxKROwner, idxOutboxDue,
}

// v3Contents reads what a closed version 3 file holds: its JSON
// check-ins, and every key and value of the buckets schema 4 keeps.
func v3Contents(t *testing.T, path string) (cis []*okrcore.CheckIn, kept map[string]string) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	kept = map[string]string{}
	err = bdb.View(func(tx *bbolt.Tx) error {
		for _, name := range unchangedV3 {
			if err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				kept[fmt.Sprintf("%s %x", name, k)] = string(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketCheckIns).ForEach(func(_, v []byte) error {
			c := new(okrcore.CheckIn)
			cis = append(cis, c)
			return json.Unmarshal(v, c)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return cis, kept
}

// upgradeV3 opens a version 3 file with this binary and checks that every
// check-in reads back as it was, through each way of reading them, that
// the other records are untouched, and that no JSON check-in is left.
func upgradeV3(t *testing.T, path string) {
	t.Helper()
	if v := fileVersion(t, path); v != 3 {
		t.Fatalf("%s is at schema %d, want 3", path, v)
	}
	want, kept := v3Contents(t, path)
	if len(want) == 0 {
		t.Fatal("the version 3 file has no check-ins")
	}
	for range 2 {
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("open a version 3 file: %v", err)
		}
		checkUpgradedV3(t, db, want)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := CheckFile(path); err != nil {
			t.Fatalf("CheckFile after the upgrade: %v", err)
		}
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.View(func(tx *bbolt.Tx) error {
		for _, name := range [][]byte{bucketCheckIns, idxCheckInTarget, idxCheckInAuthor} {
			if tx.Bucket(name) != nil {
				return fmt.Errorf("bucket %s is left after the upgrade", name)
			}
		}
		n := 0
		for _, name := range unchangedV3 {
			if err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				n++
				if w, ok := kept[fmt.Sprintf("%s %x", name, k)]; !ok || !storedAlike(t, name, []byte(w), v) {
					return fmt.Errorf("%s %x changed in the upgrade", name, k)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if n != len(kept) {
			return fmt.Errorf("%d records kept of %d", n, len(kept))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// checkUpgradedV3 reads every check-in of want back through the Tx.
func checkUpgradedV3(t *testing.T, db *DB, want []*okrcore.CheckIn) {
	t.Helper()
	if v := readVersion(t, db); v != SchemaVersion() {
		t.Fatalf("schema after upgrade = %d, want %d", v, SchemaVersion())
	}
	if err := db.Check(context.Background()); err != nil {
		t.Fatalf("check after upgrade: %v", err)
	}
	checkCheckInsRead(t, db, want)
}

// checkCheckInsRead checks that db gives back each of want, as it was,
// through each way of reading check-ins.
func checkCheckInsRead(t *testing.T, db *DB, want []*okrcore.CheckIn) {
	t.Helper()
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		found := 0
		for _, w := range want {
			byTarget, err := tx.CheckIns(w.Workspace, w.Target, w.TargetID, time.Time{}, 0)
			if err != nil {
				return err
			}
			byAuthor, err := tx.CheckInsByAuthor(w.Workspace, w.Author, w.At, 0)
			if err != nil {
				return err
			}
			times, err := tx.CheckInTimesByAuthor(w.Workspace, w.Author, w.At)
			if err != nil {
				return err
			}
			if len(times) != len(byAuthor) || !times[len(times)-1].Equal(w.At) {
				return fmt.Errorf("check-in %s/%d: times by author %v", w.Workspace, w.ID, times)
			}
			for _, list := range [][]*okrcore.CheckIn{byTarget, byAuthor} {
				if !hasSame(list, w) {
					return fmt.Errorf("check-in %s/%d is not read back as it was", w.Workspace, w.ID)
				}
			}
			found++
		}
		if found != len(want) {
			return fmt.Errorf("%d check-ins read back of %d", found, len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hasSame reports whether list holds a check-in equal to w, field by
// field, times with their offsets (as JSON writes them).
func hasSame(list []*okrcore.CheckIn, w *okrcore.CheckIn) bool {
	want, _ := json.Marshal(w)
	for _, c := range list {
		if got, _ := json.Marshal(c); bytes.Equal(got, want) {
			return true
		}
	}
	return false
}

func TestUpgradeFromV3(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	writeV3(t, path)
	upgradeV3(t, path)
}

func TestFixtureV3(t *testing.T) { testFixture(t, fixtureV3, writeV3, upgradeV3) }

// TestUpgradeV3Interrupted is the conversion stopped after its first
// batch (a crash, a kill): the next open finishes it and loses nothing.
func TestUpgradeV3Interrupted(t *testing.T) {
	path := copyFixture(t, fixtureV3)
	want, _ := v3Contents(t, path)
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var done bool
	err = bdb.Update(func(tx *bbolt.Tx) (err error) {
		done, err = convertCheckIns(tx, 3)
		return err
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil || done {
		t.Fatalf("first batch: done %v, %v", done, err)
	}
	if v := fileVersion(t, path); v != 3 {
		t.Fatalf("an interrupted conversion left schema %d, want 3", v)
	}
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkUpgradedV3(t, db, want)
}

// BenchmarkConvertCheckIns is the first open of a version 3 file holding
// 100,000 JSON check-ins (a week and a bit of a 10,000-person
// organisation's): the conversion to schema 4, in its batches, with fsync.
//
//	go test -run '^$' -bench ConvertCheckIns -benchtime 1x ./storage/bolt
func BenchmarkConvertCheckIns(b *testing.B) {
	const n = 100000
	src := filepath.Join(b.TempDir(), "v3.db")
	db := openOld(b, src, 3)
	r := rand.New(rand.NewPCG(3, 4))
	for from := 0; from < n; from += 10000 {
		cis := make([]*okrcore.CheckIn, 0, 10000)
		for i := from; i < from+10000; i++ {
			conf := r.IntN(11)
			at := v3Time.Add(time.Duration(i) * time.Second).Add(time.Duration(r.Int64N(1e9)))
			cis = append(cis, &okrcore.CheckIn{Workspace: "T3", Target: okrcore.TargetKR, TargetID: okrcore.ID(i%10000 + 1), Author: okrcore.ID(i%2000 + 1),
				At: at, Value: float64(i % 100), Previous: float64(i%100) - 1.5, Confidence: &conf, Note: sizeNotes[i%len(sizeNotes)][:10*(i%2)],
				Prior: &okrcore.Prior{Confidence: &conf, Status: okrcore.StatusOnTrack, StatusSet: true, LastCheckIn: at.AddDate(0, 0, -7)}})
		}
		addCheckInsV3(b, db, cis...)
	}
	closeOld(b, db, 3)
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "copy.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		db, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "check-ins/s")
}
