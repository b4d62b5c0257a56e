package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/reccodec"
	"github.com/okrbot/okrbot/storage/storagetest"
)

const fixtureV5 = "testdata/v5.db"

// storedAlike reports whether two stored values of bucket hold the same
// record: the compact kinds in either form (schema 6 re-encodes them),
// anything else byte for byte.
func storedAlike(t *testing.T, bucket, a, b []byte) bool {
	t.Helper()
	for _, cb := range compactBuckets {
		if bytes.Equal(cb.bucket, bucket) {
			ca, erra := cb.recode(a)
			cbb, errb := cb.recode(b)
			if erra != nil || errb != nil {
				t.Fatalf("%s: %v, %v", bucket, erra, errb)
			}
			return bytes.Equal(ca, cbb)
		}
	}
	return bytes.Equal(a, b)
}

// writeV5 creates a database at path as schema version 5 wrote it, its
// people, teams, objectives and key results as JSON: writeV3's records
// (in a version 5 file) and records with every field of those kinds set
// (an account on two platforms, a person who left, a team with a rhythm
// of its own, a graded objective, a key result with a stated status, a
// confidence and a score, times with nanoseconds and an offset).
func writeV5(t testing.TB, path string) {
	t.Helper()
	db := openOld(t, path, 5)
	defer closeOld(t, db, 5)
	tokyo := time.FixedZone("", 9*3600)
	at := time.Date(2026, 11, 2, 9, 15, 30, 123456789, tokyo)
	conf, score := 3, 0.65
	for _, ws := range []string{"T5", "7f0c3a52-1e4b-4c8e-9a0d-5b6f7e8d9c05"} {
		err := db.Update(context.Background(), func(tx okrcore.Tx) error {
			if err := seedV3(tx, ws); err != nil {
				return err
			}
			errs := []error{
				tx.PutUser(&okrcore.User{Workspace: ws, Platform: "teams", PlatformID: "29:1a2b", Name: "Dana Öz", Email: "dana@acme.example",
					EmailVerified: true, TimeZone: "Asia/Tokyo", Role: okrcore.RoleObserver, DM: "a:1dm", DMRef: `{"serviceUrl":"https://smba.example/"}`,
					Linked: []okrcore.Account{{Platform: "slack", PlatformID: "U77", DM: "D77"}}, NudgeOn: "slack", Left: true, CreatedAt: at}),
				tx.PutTeam(&okrcore.Team{Workspace: ws, Name: "Tokyo office", Lead: 4, Members: []okrcore.ID{1, 4}, Parent: 1, DigestChannel: "19:chan",
					DigestPlatform: "teams", TimeZone: "Asia/Tokyo", Schedule: &okrcore.Schedule{
						CheckIn:  okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Tuesday, Hour: 9, Minute: 30},
						Reminder: okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Wednesday, Hour: 9},
						Digest:   okrcore.Slot{Cadence: okrcore.Monthly, Day: 28, Hour: 17}, GradingDays: -1}}),
				tx.PutObjective(&okrcore.Objective{Workspace: ws, Cycle: 1, Title: "Open the Tokyo market", Owner: okrcore.TeamOwner(2),
					ParentObjective: 1, Weight: 2.5, Progress: 0.4166666666666667, Status: okrcore.StatusAtRisk, Score: &score, CreatedBy: 4,
					CreatedAt: at, UpdatedAt: at.Add(time.Hour)}),
				tx.PutKeyResult(&okrcore.KeyResult{Workspace: ws, Objective: 3, Cycle: 1, Title: "¥120M in signed contracts", Owner: okrcore.UserOwner(4),
					Metric: okrcore.MetricCurrency, Start: 0, Target: 1.2e8, Current: 4.35e7, Unit: "JPY", Direction: okrcore.Increase, Weight: 0.5,
					Progress: 0.3625, Status: okrcore.StatusOffTrack, Confidence: &conf, StatusSet: true,
					Stated:      &okrcore.Statement{Status: okrcore.StatusOffTrack, By: 4, At: at, Until: at.AddDate(0, 0, 7)},
					LastCheckIn: at, Score: &score, CreatedAt: at, UpdatedAt: at}),
			}
			for _, err := range errs {
				if err != nil {
					return err
				}
			}
			return tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 3, Author: 4, At: at, Value: 4.35e7, Confidence: &conf})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// compactContents reads, with bbolt alone, every value of the compact
// kinds' buckets, and how many of them are in the compact form.
func compactContents(t *testing.T, path string) (vals map[string][]byte, compact int) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	vals = map[string][]byte{}
	if err := bdb.View(func(tx *bbolt.Tx) error {
		for _, cb := range compactBuckets {
			if err := tx.Bucket(cb.bucket).ForEach(func(k, v []byte) error {
				vals[fmt.Sprintf("%s %x", cb.bucket, k)] = bytes.Clone(v)
				if reccodec.IsCompact(v) {
					compact++
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return vals, compact
}

// recordsRead is every record of the compact kinds as db's Tx reads them,
// as JSON, by workspace and kind.
func recordsRead(t *testing.T, db *DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		for _, w := range wss {
			users, err := tx.Users(w.ID)
			if err != nil {
				return err
			}
			teams, err := tx.Teams(w.ID)
			if err != nil {
				return err
			}
			objs, err := tx.ObjectivesByCycle(w.ID, 0)
			if err != nil {
				return err
			}
			krs, err := tx.KeyResultsByCycle(w.ID, 0)
			if err != nil {
				return err
			}
			for kind, recs := range map[string]any{"users": users, "teams": teams, "objectives": objs, "key results": krs} {
				b, err := json.Marshal(recs)
				if err != nil {
					return err
				}
				out[w.ID+" "+kind] = string(b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// upgradeV5 opens a version 5 file read-only (it reads its JSON records)
// and then to write (it converts them), and checks that every record
// reads back as it was and that every value is compact and smaller.
func upgradeV5(t *testing.T, path string) {
	t.Helper()
	if v := fileVersion(t, path); v != 5 {
		t.Fatalf("%s is at schema %d, want 5", path, v)
	}
	before, compact := compactContents(t, path)
	if compact == len(before) {
		t.Fatalf("the version 5 file has no JSON records (%d values)", len(before))
	}
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want := recordsRead(t, ro)
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if len(want) != 8 {
		t.Fatalf("read %d lists of records, want 4 kinds in 2 workspaces", len(want))
	}
	for range 2 {
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("open a version 5 file: %v", err)
		}
		if v := readVersion(t, db); v != SchemaVersion() {
			t.Fatalf("schema after upgrade = %d, want %d", v, SchemaVersion())
		}
		if err := db.Check(context.Background()); err != nil {
			t.Fatalf("check after upgrade: %v", err)
		}
		got := recordsRead(t, db)
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("%s after the upgrade:\n%s\nwant\n%s", k, got[k], w)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := CheckFile(path); err != nil {
			t.Fatalf("CheckFile after the upgrade: %v", err)
		}
	}
	after, compact := compactContents(t, path)
	if compact != len(after) || len(after) != len(before) {
		t.Fatalf("%d values of %d compact after the upgrade (%d before)", compact, len(after), len(before))
	}
	var was, is int
	for k, v := range before {
		was, is = was+len(v), is+len(after[k])
		if !storedAlike(t, bytes.Fields([]byte(k))[0], v, after[k]) {
			t.Fatalf("%s is another record after the upgrade", k)
		}
	}
	t.Logf("%d records: %d bytes as JSON, %d compact", len(before), was, is)
	if is*2 > was {
		t.Fatalf("the compact records take %d bytes, more than half of JSON's %d", is, was)
	}
}

func TestUpgradeFromV5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	writeV5(t, path)
	upgradeV5(t, path)
}

func TestFixtureV5(t *testing.T) { testFixture(t, fixtureV5, writeV5, upgradeV5) }

// TestUpgradeV5Interrupted is the conversion stopped after its first
// batch: the file, still at version 5 with records of both forms, reads
// whole, and the next open finishes the conversion.
func TestUpgradeV5Interrupted(t *testing.T) {
	path := copyFixture(t, fixtureV5)
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	want := recordsRead(t, ro)
	ro.Close()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var done bool
	err = bdb.Update(func(tx *bbolt.Tx) (err error) {
		done, err = compactRecords(tx, 3)
		return err
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil || done {
		t.Fatalf("first batch: done %v, %v", done, err)
	}
	if v := fileVersion(t, path); v != 5 {
		t.Fatalf("an interrupted conversion left schema %d, want 5", v)
	}
	if _, compact := compactContents(t, path); compact != 3 {
		t.Fatalf("%d values compact after a batch of 3", compact)
	}
	for _, opts := range []Options{{ReadOnly: true}, {NoSync: true}} {
		db, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		got := recordsRead(t, db)
		for k, w := range want {
			if got[k] != w {
				t.Fatalf("read-only %v: %s:\n%s\nwant\n%s", opts.ReadOnly, k, got[k], w)
			}
		}
		db.Close()
	}
	if all, compact := compactContents(t, path); compact != len(all) {
		t.Fatalf("%d values of %d compact after the open that finished the conversion", compact, len(all))
	}
}

// TestDamagedCompactRecord: a compact value damaged on disk is an error
// for the reader and for the file check, not a panic nor a wrong record.
func TestDamagedCompactRecord(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "okrbot.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	u := &okrcore.User{Workspace: "T1", Platform: "slack", PlatformID: "U1", Name: "Ann", Role: okrcore.RoleMember}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutUser(u) }); err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketUsers).Put(newKey("T1").id(u.ID), []byte{reccodec.Format, 0, 1, 2, 'T'})
	}); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx okrcore.Tx) error {
		_, err := tx.User("T1", u.ID)
		return err
	})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("decode user 1")) {
		t.Fatalf("reading a damaged person: %v", err)
	}
	if err := db.Check(ctx); err == nil || !bytes.Contains([]byte(err.Error()), []byte("decode user 1")) {
		t.Fatalf("the check of a damaged person: %v", err)
	}
}

// BenchmarkConvertRecords is the first open of a version 5 file of a
// 10,000-person organisation without check-ins (10,000 people, 2,000
// teams, 30,000 objectives, 100,000 key results as JSON): the conversion
// to compactVersion, in its batches, with fsync. It reports the file's
// size before and the pages in use after: bbolt never shrinks a file,
// and the pages the conversion frees are where the file grows next.
//
//	go test -run '^$' -bench ConvertRecords -benchtime 1x ./storage/bolt
func BenchmarkConvertRecords(b *testing.B) {
	src := filepath.Join(b.TempDir(), "v5.db")
	db := openOld(b, src, 5)
	spec := storagetest.OrgSpec{Users: 10000, Teams: 2000, Objectives: 30000, KeyResults: 100000}
	if _, err := storagetest.GenerateOrg(context.Background(), db, spec); err != nil {
		b.Fatal(err)
	}
	closeOld(b, db, 5)
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	var inUse float64
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
		st, ps := db.bolt.Stats(), db.bolt.Info().PageSize
		if fi, err := os.Stat(path); err == nil {
			inUse = float64(fi.Size()-int64((st.FreePageN+st.PendingPageN)*ps)) / (1 << 20)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(142000*b.N)/took.Seconds(), "records/s")
	b.ReportMetric(float64(len(data))/(1<<20), "MiB-before")
	b.ReportMetric(inUse, "MiB-in-use-after")
}

// TestUpgradeV5DamagedRecord: a JSON record that does not decode does not
// stop the upgrade; it stays as it was (reading it fails as before, the
// file check names it) and the others are converted.
func TestUpgradeV5DamagedRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	writeV5(t, path)
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	bad := newKey("T5").id(2)
	err = bdb.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketUsers).Put(bad, []byte(`{"id":2,"ws":"T5","name":`)) })
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("a damaged record stopped the upgrade: %v", err)
	}
	if v := readVersion(t, db); v != SchemaVersion() {
		t.Fatalf("schema %d after the upgrade", v)
	}
	err = db.View(context.Background(), func(tx okrcore.Tx) error {
		if _, err := tx.User("T5", 2); err == nil {
			t.Error("the damaged person was read")
		}
		u, err := tx.User("T5", 1)
		if err == nil && u.Name != "Ann Lee" {
			t.Errorf("person 1 reads as %+v", u)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(context.Background()); err == nil || !bytes.Contains([]byte(err.Error()), []byte("user at")) {
		t.Fatalf("the check of the damaged person: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	all, compact := compactContents(t, path)
	if compact != len(all)-1 {
		t.Fatalf("%d values of %d compact, want all but the damaged one", compact, len(all))
	}
}
