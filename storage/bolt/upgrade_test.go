package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
)

// Schema upgrades are tested on databases written by the previous schema:
// one made here by the first migrations only, and one committed in
// testdata, made once by writeV1 and never regenerated, so that a change
// to writeV1 or to the code it calls cannot quietly change what "a version
// 1 database" is. testdata/v2.db is version 2's, made by writeV2, and
// testdata/v3.db version 3's, made by writeV3; the next schema change adds
// testdata/v4.db the same way.
//
//	go test ./storage/bolt -run 'TestFixtureV[0-9]' -write-fixtures   # only to make a missing fixture

var writeFixtures = flag.Bool("write-fixtures", false, "write missing testdata fixtures of earlier schema versions")

const (
	fixtureV1 = "testdata/v1.db"
	fixtureV2 = "testdata/v2.db"
)

var v1Time = time.Date(2025, 10, 6, 9, 0, 0, 0, time.UTC)

// workspaceV1 is a workspace record as schema version 1 wrote it, before
// Workspace had a schedule.
type workspaceV1 struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	CurrentCycle okrcore.ID    `json:"current_cycle,omitempty"`
	Rules        okrcore.Rules `json:"rules"`
	CreatedAt    time.Time     `json:"created_at"`
}

// writeV1 creates a database at path with the migrations of schema version
// 1 only, holding a small workspace: three users, a team, a cycle, two
// objectives with key results and check-ins, a KPI, an initiative and
// state entries.
func writeV1(t testing.TB, path string) {
	t.Helper()
	db := openOld(t, path, 1)
	defer closeOld(t, db, 1)
	if err := db.bolt.Update(func(tx *bbolt.Tx) error {
		data, err := json.Marshal(workspaceV1{ID: "T1", Name: "Acme", CurrentCycle: 1, Rules: okrcore.DefaultRules(), CreatedAt: v1Time})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketWorkspaces).Put(newKey("T1"), data)
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		for i, name := range []string{"Ann Lee", "Ben Ode", "Cai Wu"} {
			u := &okrcore.User{Workspace: "T1", Platform: "slack", PlatformID: fmt.Sprint("U", i+1), Name: name,
				TimeZone: "Europe/Berlin", Role: okrcore.RoleMember, CreatedAt: v1Time}
			if i == 0 {
				u.Role = okrcore.RoleAdmin
			}
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		errs := []error{
			tx.PutTeam(&okrcore.Team{Workspace: "T1", Name: "Growth", Lead: 1, Members: []okrcore.ID{2, 3}, DigestChannel: "C1", TimeZone: "Europe/Berlin"}),
			tx.PutCycle(&okrcore.Cycle{Workspace: "T1", Name: "Q4 2025", Kind: okrcore.CycleQuarter,
				Start: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}),
			tx.PutObjective(&okrcore.Objective{Workspace: "T1", Cycle: 1, Title: "Delight customers", Owner: okrcore.TeamOwner(1), Weight: 1, CreatedAt: v1Time, UpdatedAt: v1Time}),
			tx.PutObjective(&okrcore.Objective{Workspace: "T1", Cycle: 1, Title: "Faster onboarding", Owner: okrcore.UserOwner(2), ParentKR: 1, Weight: 1, CreatedAt: v1Time, UpdatedAt: v1Time}),
			tx.PutKeyResult(&okrcore.KeyResult{Workspace: "T1", Objective: 1, Cycle: 1, Title: "NPS to 50", Owner: okrcore.UserOwner(1),
				Metric: okrcore.MetricNumber, Start: 30, Target: 50, Current: 35, Direction: okrcore.Increase, Weight: 1, Progress: 0.25, CreatedAt: v1Time, UpdatedAt: v1Time}),
			tx.PutKeyResult(&okrcore.KeyResult{Workspace: "T1", Objective: 2, Cycle: 1, Title: "Time to first value under 2 days", Owner: okrcore.UserOwner(2),
				Metric: okrcore.MetricNumber, Start: 5, Target: 2, Current: 5, Unit: "days", Direction: okrcore.Decrease, Weight: 1, CreatedAt: v1Time, UpdatedAt: v1Time}),
			tx.PutKPI(&okrcore.KPI{Workspace: "T1", Title: "Uptime", Owner: okrcore.TeamOwner(1), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100, CreatedAt: v1Time}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: "T1", KeyResult: 1, Title: "Survey every customer", Owner: 3, CreatedAt: v1Time}),
			tx.PutState("T1", "scheduler:last_tick", []byte("2025-10-13T09:00:00Z"), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)),
			tx.PutState("T1", "install", []byte("done"), time.Time{}),
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	addCheckInsV3(t, db,
		&okrcore.CheckIn{Workspace: "T1", Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v1Time.Add(24 * time.Hour), Value: 33, Previous: 30, Note: "first survey back"},
		&okrcore.CheckIn{Workspace: "T1", Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v1Time.Add(8 * 24 * time.Hour), Value: 35, Previous: 33, Status: okrcore.StatusAtRisk})
}

// openOld opens path with the migrations of schema version v only. This
// binary's puts keep the indexes later versions added too: their buckets
// are made for them here, and closeOld drops them again, so that the file
// holds what a binary of version v wrote.
func openOld(t testing.TB, path string, v int) *DB {
	t.Helper()
	db, err := openWith(path, Options{NoSync: true}, migrations[:v])
	if err != nil {
		t.Fatal(err)
	}
	if err := db.bolt.Update(func(tx *bbolt.Tx) error {
		for _, name := range laterIndexes(v) {
			if _, err := tx.CreateBucket(name); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func closeOld(t testing.TB, db *DB, v int) {
	t.Helper()
	if err := db.bolt.Update(func(tx *bbolt.Tx) error {
		for _, name := range laterIndexes(v) {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("drop %s: %w", name, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// laterIndexes are the index buckets of record kinds that versions after
// v added.
func laterIndexes(v int) [][]byte {
	var out [][]byte
	if v < 3 {
		out = append(out, bucketsVersion3...)
	}
	if v < 7 {
		out = append(out, bucketsVersion7...)
	}
	return out
}

// checkUpgradedV1 checks that a database writeV1 made, now opened by this
// binary, has its records and a working outbox.
func checkUpgradedV1(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	if v := readVersion(t, db); v != SchemaVersion() {
		t.Fatalf("schema after upgrade = %d, want %d", v, SchemaVersion())
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after upgrade: %v", err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		if len(wss) != 1 || wss[0].ID != "T1" || wss[0].Name != "Acme" || wss[0].CurrentCycle != 1 || !wss[0].CreatedAt.Equal(v1Time) {
			return fmt.Errorf("workspaces after upgrade: %+v", wss)
		}
		if wss[0].Schedule != (okrcore.Schedule{}) || wss[0].Schedule.OrDefault().CheckIn != okrcore.DefaultSchedule().CheckIn {
			return fmt.Errorf("v1 workspace has schedule %+v, want the zero one", wss[0].Schedule)
		}
		users, err := tx.Users("T1")
		if err != nil || len(users) != 3 || users[0].DM != "" {
			return fmt.Errorf("users after upgrade: %d, %v", len(users), err)
		}
		u, err := tx.UserByPlatform("T1", "slack", "U2")
		if err != nil || u.Name != "Ben Ode" {
			return fmt.Errorf("user by platform after upgrade: %+v, %v", u, err)
		}
		team, err := tx.TeamByName("T1", "growth")
		if err != nil || team.Schedule != nil || !team.HasMember(3) {
			return fmt.Errorf("team after upgrade: %+v, %v", team, err)
		}
		objs, err := tx.ObjectivesAlignedTo("T1", okrcore.Ref{Kind: okrcore.RefKeyResult, ID: 1})
		if err != nil || len(objs) != 1 || objs[0].Title != "Faster onboarding" {
			return fmt.Errorf("aligned objectives after upgrade: %v", err)
		}
		cis, err := tx.CheckIns("T1", okrcore.TargetKR, 1, time.Time{}, 0)
		if err != nil || len(cis) != 2 || cis[0].Value != 35 {
			return fmt.Errorf("check-ins after upgrade: %d, %v", len(cis), err)
		}
		if v, err := tx.State("T1", "install"); err != nil || string(v) != "done" {
			return fmt.Errorf("state after upgrade: %q, %v", v, err)
		}
		n, oldest, err := tx.OpenOutbox()
		if err != nil || n != 0 || !oldest.IsZero() {
			return fmt.Errorf("outbox after upgrade: %d, %v, %v", n, oldest, err)
		}
		ins, err := tx.InitiativesByOwner("T1", 3)
		if err != nil || len(ins) != 1 || ins[0].Title != "Survey every customer" {
			return fmt.Errorf("initiatives by owner after upgrade: %d, %v", len(ins), err)
		}
		kpis, err := tx.KPIsByOwner("T1", okrcore.TeamOwner(1))
		if err != nil || len(kpis) != 1 || kpis[0].Title != "Uptime" {
			return fmt.Errorf("KPIs by owner after upgrade: %d, %v", len(kpis), err)
		}
		admins, err := tx.UsersByRole("T1", okrcore.RoleAdmin)
		if err != nil || len(admins) != 1 || admins[0].Name != "Ann Lee" {
			return fmt.Errorf("admins after upgrade: %d, %v", len(admins), err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The outbox works on the upgraded file.
	due := v1Time.Add(7 * 24 * time.Hour)
	var items []*okrcore.OutboxItem
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		items = items[:0]
		for u := okrcore.ID(1); u <= 3; u++ {
			it := &okrcore.OutboxItem{Workspace: "T1", Key: fmt.Sprintf("checkin:u%d:2025-W42", u), Kind: okrcore.OutboxCheckIn,
				User: u, Period: "2025-W42", DueAt: due.Add(time.Duration(u) * time.Minute), CreatedAt: due}
			if ok, err := tx.AddOutbox(it); err != nil || !ok {
				return fmt.Errorf("AddOutbox on the upgraded file: %v, %v", ok, err)
			}
			items = append(items, it)
		}
		items[0].State, items[0].SentRef = okrcore.OutboxSent, "D1/1"
		return tx.PutOutbox(items[0])
	}); err != nil {
		t.Fatal(err)
	}
	if items[0].ID != 1 {
		t.Fatalf("first outbox item got ID %d", items[0].ID)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		n, oldest, err := tx.OpenOutbox()
		if err != nil || n != 2 || !oldest.Equal(items[1].DueAt) {
			return fmt.Errorf("OpenOutbox on the upgraded file: %d, %v, %v", n, oldest, err)
		}
		list, err := tx.DueOutbox(due.Add(time.Hour), 0)
		if err != nil || len(list) != 2 || list[0].ID != 2 || list[1].ID != 3 {
			return fmt.Errorf("DueOutbox on the upgraded file: %d items, %v", len(list), err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after using the outbox: %v", err)
	}
}

// upgradeV1 opens a version 1 file with this binary, checks it, and opens
// it once more: the upgrade does not run twice and nothing is lost.
func upgradeV1(t *testing.T, path string) {
	t.Helper()
	if v := fileVersion(t, path); v != 1 {
		t.Fatalf("%s is at schema %d, want 1", path, v)
	}
	// An older file is not for this binary's index checks.
	if err := CheckFile(path); err != nil {
		t.Fatalf("CheckFile of a version 1 file: %v", err)
	}
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("open a version 1 file: %v", err)
	}
	checkUpgradedV1(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(path); err != nil {
		t.Fatalf("CheckFile after the upgrade: %v", err)
	}
	db, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(context.Background(), func(tx okrcore.Tx) error {
		n, _, err := tx.OpenOutbox()
		if err != nil || n != 2 {
			return fmt.Errorf("open outbox items after reopening: %d, %v", n, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// fileVersion reads the schema version of a closed file without upgrading it.
func fileVersion(t *testing.T, path string) int {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var v int
	if err := bdb.View(func(tx *bbolt.Tx) error {
		v, err = schemaVersion(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestUpgradeFromV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	writeV1(t, path)
	upgradeV1(t, path)
}

func TestFixtureV1(t *testing.T) { testFixture(t, fixtureV1, writeV1, upgradeV1) }

func TestUpgradeFromV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	writeV2(t, path)
	upgradeV2(t, path)
}

func TestFixtureV2(t *testing.T) { testFixture(t, fixtureV2, writeV2, upgradeV2) }

// testFixture upgrades a copy of the committed fixture, which it writes
// only when asked to and the fixture is missing.
func testFixture(t *testing.T, fixture string, write func(testing.TB, string), upgrade func(*testing.T, string)) {
	if *writeFixtures {
		if _, err := os.Stat(fixture); err == nil {
			t.Fatalf("%s exists; fixtures are never rewritten", fixture)
		}
		tmp := filepath.Join(t.TempDir(), "old.db")
		write(t, tmp)
		compactTo(t, tmp, fixture)
	}
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatalf("the fixture: %v", err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(fixture))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	upgrade(t, path)
	if now, err := os.ReadFile(fixture); err != nil || !bytes.Equal(now, data) {
		t.Fatalf("the fixture changed under the test: %v", err)
	}
}

// copyFixture is a copy of the fixture file in the test's directory, for a
// test that changes it.
func copyFixture(t *testing.T, fixture string) string {
	t.Helper()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(fixture))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// compactTo writes a compacted copy of the bbolt file src to dst.
func compactTo(t *testing.T, src, dst string) {
	t.Helper()
	from, err := bbolt.Open(src, 0o400, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	to, err := bbolt.Open(dst, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bbolt.Compact(to, from, 0); err != nil {
		to.Close()
		t.Fatal(err)
	}
	if err := to.Close(); err != nil {
		t.Fatal(err)
	}
}
