package bolt

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

var v2Time = time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)

// writeV2 creates a database at path with the migrations of schema version
// 2 only, before people were indexed by address and initiatives by owner:
// four people (an address vouched for, the same one typed by someone else
// in other letters, another verified one, none), a key result with an
// owned and an unowned initiative, and an open outbox item.
func writeV2(t testing.TB, path string) {
	t.Helper()
	db := openOld(t, path, 2)
	defer closeOld(t, db, 2)
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		people := []*okrcore.User{
			{Workspace: "T2", Platform: "slack", PlatformID: "U1", Name: "Ann Lee", Email: "Ann.Lee@Acme.example", EmailVerified: true, Role: okrcore.RoleAdmin},
			{Workspace: "T2", Platform: "teams", PlatformID: "aad-2", Name: "Ann (Teams)", Email: "ann.lee@acme.example", Role: okrcore.RoleMember},
			{Workspace: "T2", Platform: "slack", PlatformID: "U3", Name: "Cai Wu", Email: "cai@acme.example", EmailVerified: true, Role: okrcore.RoleMember},
			{Workspace: "T2", Platform: "slack", PlatformID: "U4", Name: "Dee Roy", Role: okrcore.RoleMember},
		}
		for _, u := range people {
			u.TimeZone, u.CreatedAt = "Europe/Berlin", v2Time
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		cycle := &okrcore.Cycle{Workspace: "T2", Name: "Q2 2026", Kind: okrcore.CycleQuarter,
			Start: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
		errs := []error{
			tx.PutWorkspace(&okrcore.Workspace{ID: "T2", Name: "Acme", Platform: "slack", CurrentCycle: 1, Rules: okrcore.DefaultRules(), CreatedAt: v2Time}),
			tx.PutCycle(cycle),
			tx.PutObjective(&okrcore.Objective{Workspace: "T2", Cycle: 1, Title: "Delight customers", Owner: okrcore.UserOwner(1), Weight: 1, CreatedAt: v2Time, UpdatedAt: v2Time}),
			tx.PutKeyResult(&okrcore.KeyResult{Workspace: "T2", Objective: 1, Cycle: 1, Title: "NPS to 50", Owner: okrcore.UserOwner(3),
				Metric: okrcore.MetricNumber, Start: 30, Target: 50, Current: 30, Direction: okrcore.Increase, Weight: 1, CreatedAt: v2Time, UpdatedAt: v2Time}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: "T2", KeyResult: 1, Title: "Survey every customer", Owner: 3, CreatedAt: v2Time}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: "T2", KeyResult: 1, Title: "Call the churned", CreatedAt: v2Time}),
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		_, err := tx.AddOutbox(&okrcore.OutboxItem{Workspace: "T2", Key: "checkin:u3:2026-W15", Kind: okrcore.OutboxCheckIn,
			User: 3, Period: "2026-W15", DueAt: v2Time.Add(time.Hour), CreatedAt: v2Time})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// upgradeV2 opens a version 2 file with this binary and checks that the
// indexes of version 3 were built from its records, then opens it again.
// (Its workspace has no KPI: the version 1 fixture's KPI shows their
// owner index built.)
func upgradeV2(t *testing.T, path string) {
	t.Helper()
	if v := fileVersion(t, path); v != 2 {
		t.Fatalf("%s is at schema %d, want 2", path, v)
	}
	if err := CheckFile(path); err != nil {
		t.Fatalf("CheckFile of a version 2 file: %v", err)
	}
	for range 2 {
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatalf("open a version 2 file: %v", err)
		}
		checkUpgradedV2(t, db)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := CheckFile(path); err != nil {
			t.Fatalf("CheckFile after the upgrade: %v", err)
		}
	}
}

func checkUpgradedV2(t *testing.T, db *DB) {
	t.Helper()
	if v := readVersion(t, db); v != SchemaVersion() {
		t.Fatalf("schema after upgrade = %d, want %d", v, SchemaVersion())
	}
	ctx := context.Background()
	if err := db.Check(ctx); err != nil {
		t.Fatalf("check after upgrade: %v", err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		var errs []error
		byEmail := func(email string, want ...okrcore.ID) {
			us, err := tx.UsersByEmail("T2", email)
			var got []okrcore.ID
			for _, u := range us {
				got = append(got, u.ID)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				errs = append(errs, fmt.Errorf("people with %s: %v, %v; want %v", email, got, err, want))
			}
		}
		byEmail("ANN.LEE@acme.example", 1, 2)
		byEmail("cai@acme.example", 3)
		byEmail("dee@acme.example")
		if has, err := tx.HasUsers("T2"); err != nil || !has {
			errs = append(errs, fmt.Errorf("HasUsers: %v, %v", has, err))
		}
		ins, err := tx.InitiativesByOwner("T2", 3)
		if err != nil || len(ins) != 1 || ins[0].Title != "Survey every customer" {
			errs = append(errs, fmt.Errorf("initiatives of user 3: %d, %v", len(ins), err))
		}
		if us, err := tx.UsersByRole("T2", okrcore.RoleMember); err != nil || len(us) != 3 || us[0].ID != 2 {
			errs = append(errs, fmt.Errorf("members: %d, %v", len(us), err))
		}
		if n, _, err := tx.OpenOutbox(); err != nil || n != 1 {
			errs = append(errs, fmt.Errorf("open outbox items: %d, %v", n, err))
		}
		return errors.Join(errs...)
	}); err != nil {
		t.Fatal(err)
	}
}
