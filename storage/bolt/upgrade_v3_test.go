package bolt

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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
	conf := func(n int) *int { return &n }
	berlin := time.FixedZone("", 2*3600)
	stated := &okrcore.Statement{Status: okrcore.StatusAtRisk, By: 2, At: v3Time.Add(7 * 24 * time.Hour).In(berlin), Until: v3Time.Add(12 * 24 * time.Hour)}
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
		tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v3Time.Add(24 * time.Hour), Value: 33, Previous: 30,
			Note: "first survey back", Prior: &okrcore.Prior{}}),
		tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: v3Time.Add(8*24*time.Hour + 123456789), Value: 35, Previous: 33,
			Confidence: conf(4), Status: okrcore.StatusAtRisk, Blockers: "legal has the contract", Prior: &okrcore.Prior{LastCheckIn: v3Time.Add(24 * time.Hour)}}),
		tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 2, Author: 2, At: v3Time.Add(7 * 24 * time.Hour).In(berlin), Value: 4.25, Previous: 5,
			Confidence: conf(0), Status: okrcore.StatusOffTrack, Note: "two blockers – the vendor and the API quota, both being chased",
			Prior: &okrcore.Prior{Confidence: conf(7), Status: okrcore.StatusOnTrack, StatusSet: true, Stated: stated, LastCheckIn: v3Time}}),
		tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKR, TargetID: 2, Author: 2, At: v3Time.Add(7*24*time.Hour + time.Minute), Value: 4.25, Previous: 4.25,
			UndoOf: 3, Prior: &okrcore.Prior{Status: okrcore.StatusOffTrack, StatusSet: true, LastCheckIn: v3Time.Add(7 * 24 * time.Hour)}}),
		tx.AddCheckIn(&okrcore.CheckIn{Workspace: ws, Target: okrcore.TargetKPI, TargetID: 1, Author: 3, At: v3Time.Add(2 * 24 * time.Hour), Value: 99.95, Previous: -1.5e-7,
			Status: okrcore.StatusDone}),
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

// upgradeV3 opens a version 3 file with this binary.
func upgradeV3(t *testing.T, path string) {
	t.Helper()
	if v := fileVersion(t, path); v != 3 {
		t.Fatalf("%s is at schema %d, want 3", path, v)
	}
}

func TestFixtureV3(t *testing.T) { testFixture(t, fixtureV3, writeV3, upgradeV3) }
