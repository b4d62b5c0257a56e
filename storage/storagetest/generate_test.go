package storagetest_test

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

var tinySpec = storagetest.OrgSpec{
	Workspace: "tiny", Users: 50, Teams: 10, Objectives: 100, KeyResults: 300,
	CheckInsPerKR: 3, BatchSize: 64,
}

func openBolt(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "org.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func generate(t *testing.T, s okrcore.Store, spec storagetest.OrgSpec) *storagetest.Org {
	t.Helper()
	org, err := storagetest.GenerateOrg(context.Background(), s, spec)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return org
}

func TestGenerateOrg(t *testing.T) {
	db := openBolt(t)
	org := generate(t, db, tinySpec)
	ws := org.Workspace
	t.Logf("objectives per level %v; teams %v (mid %s, largest %s); busiest %v, several %v, single %v, idle %v",
		org.ObjectivesPerLevel, org.TeamNames, org.MidTeam, org.LargestTeam, org.Busiest, org.Several, org.Single, org.Idle)
	if org.Users != 50 || org.Teams != 10 || org.Objectives != 100 || org.KeyResults != 300 || org.CheckIns != 900 {
		t.Fatalf("org counts: %+v", org)
	}
	if org.Depth != 5 {
		t.Errorf("org says alignment is %d levels deep, want 5", org.Depth)
	}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		w, err := tx.Workspace(ws)
		if err != nil {
			return err
		}
		if w.CurrentCycle != org.Cycle || !reflect.DeepEqual(w.Rules, okrcore.DefaultRules()) {
			t.Errorf("workspace = %+v", w)
		}
		c, err := okrcore.CurrentCycle(tx, ws)
		if err != nil {
			return err
		}
		if !c.Contains(org.Now) || c.Kind != okrcore.CycleQuarter || c.Name != org.CycleName {
			t.Errorf("current cycle %+v does not hold %s", c, org.Now)
		}

		users, err := tx.Users(ws)
		if err != nil {
			return err
		}
		teams, err := tx.Teams(ws)
		if err != nil {
			return err
		}
		objs, err := tx.ObjectivesByCycle(ws, org.Cycle)
		if err != nil {
			return err
		}
		krs, err := tx.KeyResultsByCycle(ws, org.Cycle)
		if err != nil {
			return err
		}
		if len(users) != 50 || len(teams) != 10 || len(objs) != 100 || len(krs) != 300 {
			t.Fatalf("stored %d users, %d teams, %d objectives, %d key results; want 50, 10, 100, 300",
				len(users), len(teams), len(objs), len(krs))
		}

		// Users and teams: every user in exactly one team, every team led
		// by one of its members, departments at the top.
		for i, u := range users {
			if want := "u" + strconv.Itoa(i+1); u.Platform != storagetest.BenchPlatform || u.PlatformID != want || u.Name != "user"+strconv.Itoa(i+1) {
				t.Errorf("user %d = %+v", i+1, u)
			}
			if got, err := tx.UserByPlatform(ws, storagetest.BenchPlatform, u.PlatformID); err != nil || got.ID != u.ID {
				t.Errorf("user %s by platform: %v", u.PlatformID, err)
			}
		}
		if users[0].Role != okrcore.RoleAdmin || org.Admin != users[0].PlatformID {
			t.Errorf("user 1 should be the admin: %+v (org admin %q)", users[0], org.Admin)
		}
		teamOf := map[okrcore.ID]okrcore.ID{}
		tops := 0
		for _, tm := range teams {
			if tm.Lead == 0 || !tm.HasMember(tm.Lead) {
				t.Errorf("team %s has lead %d, not one of its members", tm.Name, tm.Lead)
			}
			if tm.Parent == 0 {
				tops++
			}
			for _, m := range tm.Members {
				if prev, dup := teamOf[m]; dup {
					t.Errorf("user %d is in teams %d and %d", m, prev, tm.ID)
				}
				teamOf[m] = tm.ID
			}
		}
		if len(teamOf) != len(users) {
			t.Errorf("%d of %d users are in a team", len(teamOf), len(users))
		}
		if tops != len(org.Departments) || tops < 1 {
			t.Errorf("%d top-level teams, org lists departments %v", tops, org.Departments)
		}
		for _, name := range append([]string{org.MidTeam, org.LargestTeam}, org.TeamNames...) {
			if _, err := tx.TeamByName(ws, name); err != nil {
				t.Errorf("team %q: %v", name, err)
			}
		}

		// Alignment: five levels, each parent in the cycle.
		krByID := map[okrcore.ID]*okrcore.KeyResult{}
		for _, k := range krs {
			krByID[k.ID] = k
		}
		objByID := map[okrcore.ID]*okrcore.Objective{}
		for _, o := range objs {
			objByID[o.ID] = o
		}
		viaKR, viaObj := 0, 0
		depth := map[okrcore.ID]int{}
		var levelOf func(o *okrcore.Objective) int
		levelOf = func(o *okrcore.Objective) int {
			if d, ok := depth[o.ID]; ok {
				return d
			}
			d := 1
			switch {
			case o.ParentKR != 0:
				d = levelOf(objByID[krByID[o.ParentKR].Objective]) + 1
			case o.ParentObjective != 0:
				d = levelOf(objByID[o.ParentObjective]) + 1
			}
			depth[o.ID] = d
			return d
		}
		var perLevel [5]int
		maxDepth := 0
		for _, o := range objs {
			switch {
			case o.ParentKR != 0:
				viaKR++
			case o.ParentObjective != 0:
				viaObj++
			}
			d := levelOf(o)
			maxDepth = max(maxDepth, d)
			if d <= 5 {
				perLevel[d-1]++
			}
		}
		if maxDepth != 5 {
			t.Errorf("alignment is %d levels deep, want 5", maxDepth)
		}
		if perLevel != org.ObjectivesPerLevel {
			t.Errorf("objectives per level %v, org says %v", perLevel, org.ObjectivesPerLevel)
		}
		if viaKR <= viaObj || viaObj == 0 {
			t.Errorf("%d objectives aligned under key results, %d under objectives; want mostly key results, some objectives", viaKR, viaObj)
		}

		// Key results: valid, mixed, cached progress and latest check-in.
		metrics := map[okrcore.MetricKind]int{}
		owners := map[okrcore.OwnerKind]int{}
		decreasing := 0
		for _, k := range krs {
			metrics[k.Metric]++
			owners[k.Owner.Kind]++
			if k.Direction == okrcore.Decrease {
				decreasing++
			}
			norm := *k
			if err := okrcore.NormalizeKeyResult(&norm); err != nil || !reflect.DeepEqual(&norm, k) {
				t.Errorf("KR%d is not normalized (%v): %+v", k.ID, err, k)
			}
			if p := okrcore.KRProgress(k); p != k.Progress {
				t.Errorf("KR%d progress %v, want %v", k.ID, k.Progress, p)
			}
			cis, err := tx.CheckIns(ws, okrcore.TargetKR, k.ID, time.Time{}, 0)
			if err != nil {
				return err
			}
			if len(cis) != 3 || cis[0].Value != k.Current || !cis[0].At.Equal(k.LastCheckIn) || cis[2].Previous != k.Start {
				t.Errorf("KR%d (start %v, current %v, last check-in %s) has check-ins %+v", k.ID, k.Start, k.Current, k.LastCheckIn, cis)
			}
			for _, ci := range cis {
				if ci.At.Before(k.CreatedAt) || ci.At.After(org.Now) {
					t.Errorf("KR%d check-in at %s, outside %s–%s", k.ID, ci.At, k.CreatedAt, org.Now)
				}
			}
			if cis[0].Confidence != nil && (!k.StatusSet || k.Confidence == nil || *k.Confidence != *cis[0].Confidence) {
				t.Errorf("KR%d: last check-in had confidence %d, KR has %v (status set %v)", k.ID, *cis[0].Confidence, k.Confidence, k.StatusSet)
			}
		}
		for _, m := range []okrcore.MetricKind{okrcore.MetricPercent, okrcore.MetricNumber, okrcore.MetricCurrency, okrcore.MetricMilestone} {
			if metrics[m] == 0 {
				t.Errorf("no %s key results: %v", m, metrics)
			}
		}
		if owners[okrcore.OwnerUser] == 0 || owners[okrcore.OwnerTeam] == 0 || decreasing == 0 {
			t.Errorf("key result owners %v, %d decreasing; want users, teams and some decreasing", owners, decreasing)
		}

		// Objective progress is exactly the roll-up.
		want := okrcore.RollUpAll(objs, krs)
		for _, o := range objs {
			if math.Abs(o.Progress-want[o.ID]) > 1e-12 {
				t.Errorf("O%d progress %v, roll-up gives %v", o.ID, o.Progress, want[o.ID])
			}
			if o.Status == okrcore.StatusNone {
				t.Errorf("O%d has no status", o.ID)
			}
		}

		// What the org hands to benchmarks exists.
		for _, id := range append(append(append([]string{org.Admin}, org.Busiest...), org.Several...), org.Single...) {
			u, err := tx.UserByPlatform(ws, storagetest.BenchPlatform, id)
			if err != nil {
				t.Errorf("user %s: %v", id, err)
				continue
			}
			if mine, _ := tx.ObjectivesByOwner(ws, okrcore.UserOwner(u.ID), org.Cycle); len(mine) == 0 {
				t.Errorf("user %s owns no objectives", id)
			}
		}
		if len(org.Busiest) == 0 || len(org.Single) == 0 {
			t.Errorf("busiest %v, single %v", org.Busiest, org.Single)
		}
		for _, s := range org.SampleKRs {
			k := krByID[s.ID]
			if k == nil || k.Objective != s.Objective || k.Current != s.Current || depth[s.Objective] != s.Level {
				t.Errorf("sample %+v does not match KR %+v", s, k)
				continue
			}
			u, err := tx.UserByPlatform(ws, storagetest.BenchPlatform, s.CheckInAs)
			if err != nil {
				return err
			}
			if err := okrcore.CanChange(tx, u, k.Owner); err != nil {
				t.Errorf("%s may not check in on KR%d: %v", s.CheckInAs, k.ID, err)
			}
		}
		for l, ids := range org.LevelObjectives {
			for _, id := range ids {
				if depth[id] != l+1 {
					t.Errorf("O%d is listed at level %d but is at %d", id, l+1, depth[id])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Same spec, same organisation; and a used workspace is refused.
	again := generate(t, openBolt(t), tinySpec)
	if !reflect.DeepEqual(org, again) {
		t.Errorf("two runs differ:\n%+v\n%+v", org, again)
	}
	if _, err := storagetest.GenerateOrg(context.Background(), db, tinySpec); err == nil {
		t.Error("generating into an existing workspace succeeded")
	}
}

// TestGenerateOrgRollUpMatchesCheckIn checks that the cached values are the
// ones okrcore keeps: a check-in that changes nothing recomputes the chain
// above it to the same progress.
func TestGenerateOrgRollUpMatchesCheckIn(t *testing.T) {
	db := openBolt(t)
	spec := tinySpec
	spec.CheckInsPerKR = 0
	org := generate(t, db, spec)
	for _, s := range org.SampleKRs[:20] {
		err := db.Update(context.Background(), func(tx okrcore.Tx) error {
			u, err := tx.UserByPlatform(org.Workspace, storagetest.BenchPlatform, s.CheckInAs)
			if err != nil {
				return err
			}
			var before []*okrcore.Objective
			for id := s.Objective; id != 0; {
				o, err := tx.Objective(org.Workspace, id)
				if err != nil {
					return err
				}
				before = append(before, o)
				p, err := okrcore.ParentOf(tx, o)
				if err != nil {
					return err
				}
				id = 0
				if p != nil {
					id = p.ID
				}
			}
			res, err := okrcore.RecordCheckIn(tx, org.Now, u, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: s.ID})
			if err != nil {
				return err
			}
			if len(res.Objectives) != len(before) || len(before) != s.Level {
				t.Errorf("KR%d: rolled up %d objectives, chain has %d, level %d", s.ID, len(res.Objectives), len(before), s.Level)
				return nil
			}
			for i, o := range res.Objectives {
				if math.Abs(o.Progress-before[i].Progress) > 1e-9 || o.Status != before[i].Status {
					t.Errorf("KR%d: O%d was %v %s, roll-up gives %v %s", s.ID, o.ID, before[i].Progress, before[i].Status, o.Progress, o.Status)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestGenerateOrgDefaults(t *testing.T) {
	d := storagetest.DefaultOrgSpec()
	if d.Users != 10000 || d.Teams != 2000 || d.Objectives != 30000 || d.KeyResults != 100000 || d.CheckInsPerKR != 0 {
		t.Errorf("defaults: %+v", d)
	}
	for _, bad := range []storagetest.OrgSpec{
		{Users: 5, Teams: 10},
		{Users: 10, Teams: 5, Departments: 6},
	} {
		if _, err := storagetest.GenerateOrg(context.Background(), openBolt(t), bad); err == nil {
			t.Errorf("spec %+v accepted", bad)
		}
	}
}
