package okrcore_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// TestImportKeepsRecords: an import stores what the record says, its
// progress, status and times included, under the id it gives.
func TestImportKeepsRecords(t *testing.T) {
	f := newFixture(t)
	stamp := time.Date(2026, 12, 3, 8, 30, 0, 0, time.FixedZone("", 3600))
	o := &okrcore.Objective{ID: 40, Workspace: "A", Cycle: f.cycle.ID, Title: "Imported", Owner: okrcore.TeamOwner(f.growth.ID),
		Progress: 0.4, Status: okrcore.StatusAtRisk, CreatedBy: f.ada.ID, CreatedAt: stamp, UpdatedAt: stamp}
	k := &okrcore.KeyResult{ID: 41, Workspace: "A", Objective: 40, Cycle: f.cycle.ID, Title: "Deals", Owner: okrcore.UserOwner(f.alice.ID),
		Metric: okrcore.MetricNumber, Start: 0, Target: 10, Current: 4, Direction: okrcore.Increase, Weight: 1, Progress: 0.4,
		Status: okrcore.StatusOnTrack, StatusSet: true, Stated: &okrcore.Statement{Status: okrcore.StatusOnTrack, By: f.alice.ID, At: stamp, Until: stamp},
		LastCheckIn: stamp, CreatedAt: stamp, UpdatedAt: stamp}
	c := &okrcore.CheckIn{ID: 9, Workspace: "A", Target: okrcore.TargetKR, TargetID: 41, Author: f.alice.ID, At: stamp, Value: 4, Previous: 2, Note: "good\nweek"}
	in := &okrcore.Initiative{ID: 5, Workspace: "A", KeyResult: 41, Title: "Call them", Owner: f.alice.ID, CreatedAt: stamp}
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		p.do(okrcore.ImportObjective(tx, o))
		p.do(okrcore.ImportKeyResult(tx, k))
		p.do(okrcore.ImportCheckIn(tx, c))
		p.do(okrcore.ImportInitiative(tx, in))
		return p.err
	})
	gotO, gotK := f.getObjective(t, "A", 40), f.getKR(t, "A", 41)
	if gotO.Progress != 0.4 || gotO.Status != okrcore.StatusAtRisk || !gotO.CreatedAt.Equal(stamp) || gotO.ID != 40 {
		t.Errorf("objective stored as %+v", gotO)
	}
	if gotK.Current != 4 || gotK.Progress != 0.4 || !gotK.LastCheckIn.Equal(stamp) || gotK.Stated == nil || gotK.Stated.By != f.alice.ID {
		t.Errorf("key result stored as %+v", gotK)
	}
	if cis := f.checkIns(t, "A", okrcore.TargetKR, 41); len(cis) != 1 || cis[0].ID != 9 || cis[0].Note != "good\nweek" {
		t.Errorf("check-ins stored as %+v", cis)
	}
}

// TestImportRefuses: every import passes typed input's validation and
// finds what it refers to; a refused record writes nothing.
func TestImportRefuses(t *testing.T) {
	f := newFixture(t)
	var kr *okrcore.KeyResult
	var parent *okrcore.Objective
	update(t, f.db, func(tx okrcore.Tx) error {
		parent = &okrcore.Objective{Workspace: "A", Cycle: f.cycle.ID, Title: "Top", Owner: okrcore.UserOwner(f.ada.ID)}
		if err := okrcore.ImportObjective(tx, parent); err != nil {
			return err
		}
		kr = &okrcore.KeyResult{Workspace: "A", Objective: parent.ID, Cycle: f.cycle.ID, Title: "Ten", Owner: okrcore.UserOwner(f.ada.ID), Target: 10}
		return okrcore.ImportKeyResult(tx, kr)
	})
	obj := func(change func(o *okrcore.Objective)) func(tx okrcore.Tx) error {
		o := &okrcore.Objective{Workspace: "A", Cycle: f.cycle.ID, Title: "Grow", Owner: okrcore.UserOwner(f.alice.ID)}
		change(o)
		return func(tx okrcore.Tx) error { return okrcore.ImportObjective(tx, o) }
	}
	keyResult := func(change func(k *okrcore.KeyResult)) func(tx okrcore.Tx) error {
		k := &okrcore.KeyResult{Workspace: "A", Objective: parent.ID, Cycle: f.cycle.ID, Title: "More", Owner: okrcore.UserOwner(f.alice.ID), Target: 5}
		change(k)
		return func(tx okrcore.Tx) error { return okrcore.ImportKeyResult(tx, k) }
	}
	checkIn := func(change func(c *okrcore.CheckIn)) func(tx okrcore.Tx) error {
		c := &okrcore.CheckIn{Workspace: "A", Target: okrcore.TargetKR, TargetID: kr.ID, Author: f.alice.ID, At: t1, Value: 3}
		change(c)
		return func(tx okrcore.Tx) error { return okrcore.ImportCheckIn(tx, c) }
	}
	for _, tc := range []struct {
		name     string
		op       func(tx okrcore.Tx) error
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"objective without title", obj(func(o *okrcore.Objective) { o.Title = "\x1b[2J " }), okrcore.KindInvalid, []string{"title"}},
		{"objective of a missing cycle", obj(func(o *okrcore.Objective) { o.Cycle = 99 }), okrcore.KindNotFound, nil},
		{"objective of a missing owner", obj(func(o *okrcore.Objective) { o.Owner = okrcore.TeamOwner(99) }), okrcore.KindNotFound, nil},
		{"objective under a missing key result", obj(func(o *okrcore.Objective) { o.ParentKR = 99 }), okrcore.KindNotFound, []string{"align"}},
		{"objective aligned under itself", obj(func(o *okrcore.Objective) { o.ID, o.ParentObjective = parent.ID, parent.ID }), okrcore.KindInvalid, []string{"aligned"}},
		{"objective with a score above 1", obj(func(o *okrcore.Objective) { o.Score = ptr(1.5) }), okrcore.KindInvalid, []string{"scores"}},
		{"objective with an unknown status", obj(func(o *okrcore.Objective) { o.Status = "green" }), okrcore.KindInvalid, []string{"status"}},
		{"key result without a target", keyResult(func(k *okrcore.KeyResult) { k.Target = 0 }), okrcore.KindInvalid, []string{"target"}},
		{"key result of a missing objective", keyResult(func(k *okrcore.KeyResult) { k.Objective = 99 }), okrcore.KindNotFound, nil},
		{"key result in another cycle", keyResult(func(k *okrcore.KeyResult) { k.Cycle = f.closed.ID }), okrcore.KindInvalid, []string{"cycle"}},
		{"key result with a weight over 100", keyResult(func(k *okrcore.KeyResult) { k.Weight = 101 }), okrcore.KindInvalid, []string{"weights"}},
		{"key result stated by nobody known", keyResult(func(k *okrcore.KeyResult) { k.Stated = &okrcore.Statement{By: 99} }), okrcore.KindNotFound, nil},
		{"check-in of a missing key result", checkIn(func(c *okrcore.CheckIn) { c.TargetID = 99 }), okrcore.KindNotFound, nil},
		{"check-in by a missing person", checkIn(func(c *okrcore.CheckIn) { c.Author = 99 }), okrcore.KindNotFound, nil},
		{"check-in of nothing", checkIn(func(c *okrcore.CheckIn) { c.Target = "objective" }), okrcore.KindInvalid, []string{"key result"}},
		{"check-in without a time", checkIn(func(c *okrcore.CheckIn) { c.At = time.Time{} }), okrcore.KindInvalid, []string{"time"}},
		{"check-in with confidence 11", checkIn(func(c *okrcore.CheckIn) { c.Confidence = ptr(11) }), okrcore.KindInvalid, []string{"confidence"}},
		{"cycle that ends before it starts", func(tx okrcore.Tx) error {
			return okrcore.ImportCycle(tx, &okrcore.Cycle{Workspace: "A", Name: "H1", Start: t1, End: t0})
		}, okrcore.KindInvalid, []string{"ends"}},
		{"cycle of an unknown kind", func(tx okrcore.Tx) error {
			return okrcore.ImportCycle(tx, &okrcore.Cycle{Workspace: "A", Name: "H1", Kind: "fortnight", Start: t0, End: t1})
		}, okrcore.KindInvalid, []string{"kind"}},
		{"team without a name", func(tx okrcore.Tx) error {
			return okrcore.ImportTeam(tx, &okrcore.Team{Workspace: "A", Name: " \t"})
		}, okrcore.KindInvalid, []string{"name"}},
		{"team with a missing member", func(tx okrcore.Tx) error {
			return okrcore.ImportTeam(tx, &okrcore.Team{Workspace: "A", Name: "Ghosts", Members: []okrcore.ID{99}})
		}, okrcore.KindNotFound, nil},
		{"team under its own sub-team", func(tx okrcore.Tx) error {
			return okrcore.ImportTeam(tx, &okrcore.Team{ID: f.eng.ID, Workspace: "A", Name: "Engineering", Lead: f.pat.ID, Parent: f.platform.ID})
		}, okrcore.KindInvalid, []string{"itself"}},
		{"person with an unknown role", func(tx okrcore.Tx) error {
			return okrcore.ImportUser(tx, &okrcore.User{Workspace: "A", Name: "Max", Role: "owner"})
		}, okrcore.KindInvalid, []string{"role"}},
		{"KPI with a backwards range", func(tx okrcore.Tx) error {
			return okrcore.ImportKPI(tx, &okrcore.KPI{Workspace: "A", Title: "Uptime", HealthyMin: 2, HealthyMax: 1, Owner: okrcore.UserOwner(f.ada.ID)})
		}, okrcore.KindInvalid, []string{"backwards"}},
		{"initiative of a missing key result", func(tx okrcore.Tx) error {
			return okrcore.ImportInitiative(tx, &okrcore.Initiative{Workspace: "A", KeyResult: 99, Title: "Work"})
		}, okrcore.KindNotFound, nil},
		{"workspace whose current cycle is missing", func(tx okrcore.Tx) error {
			return okrcore.ImportWorkspace(tx, &okrcore.Workspace{ID: "A", Name: "Acme", CurrentCycle: 99})
		}, okrcore.KindNotFound, nil},
		{"workspace with backwards rules", func(tx okrcore.Tx) error {
			return okrcore.ImportWorkspace(tx, &okrcore.Workspace{ID: "A", Rules: okrcore.Rules{MinObjectives: 5, MaxObjectives: 2}})
		}, okrcore.KindInvalid, []string{"rules"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, tc.op, tc.kind, tc.keywords...)
		})
	}
	if err := okrcore.ValidateImport(&okrcore.OutboxItem{}); okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
		t.Errorf("ValidateImport of an outbox item = %v, want refused", err)
	}
}

// TestImportCleansText: imported text is cleaned as typed text is.
func TestImportCleansText(t *testing.T) {
	for _, tc := range []struct {
		rec  any
		want string
	}{
		{&okrcore.Team{Name: "Sa\u202eles"}, "Sales"},
		{&okrcore.CheckIn{Target: okrcore.TargetKR, At: t0, Note: "a\r\nb\x1b[31m"}, "a\nb"},
		{&okrcore.Cycle{Name: "Q1\t2027", Start: t0, End: t1}, "Q1 2027"},
	} {
		if err := okrcore.ValidateImport(tc.rec); err != nil {
			t.Fatalf("ValidateImport(%T): %v", tc.rec, err)
		}
		var got string
		switch r := tc.rec.(type) {
		case *okrcore.Team:
			got = r.Name
		case *okrcore.CheckIn:
			got = r.Note
		case *okrcore.Cycle:
			got = r.Name
		}
		if got != tc.want {
			t.Errorf("%T cleaned to %q, want %q", tc.rec, got, tc.want)
		}
	}
}

// TestImportCheckIns: a history is written in order, or, when one of its
// check-ins is refused, not at all.
func TestImportCheckIns(t *testing.T) {
	f := newFixture(t)
	var kr *okrcore.KeyResult
	update(t, f.db, func(tx okrcore.Tx) error {
		o := &okrcore.Objective{Workspace: "A", Cycle: f.cycle.ID, Title: "Top", Owner: okrcore.UserOwner(f.ada.ID)}
		if err := okrcore.ImportObjective(tx, o); err != nil {
			return err
		}
		kr = &okrcore.KeyResult{Workspace: "A", Objective: o.ID, Cycle: f.cycle.ID, Title: "Ten", Owner: okrcore.UserOwner(f.ada.ID), Target: 10}
		return okrcore.ImportKeyResult(tx, kr)
	})
	history := func(authors ...okrcore.ID) []*okrcore.CheckIn {
		var cs []*okrcore.CheckIn
		for i, a := range authors {
			cs = append(cs, &okrcore.CheckIn{Workspace: "A", Target: okrcore.TargetKR, TargetID: kr.ID, Author: a, At: t1.Add(time.Duration(i) * time.Hour), Value: float64(i)})
		}
		return cs
	}
	wantRefused(t, f.db, func(tx okrcore.Tx) error {
		return okrcore.ImportCheckIns(tx, history(f.alice.ID, f.bob.ID, 999))
	}, okrcore.KindNotFound)
	update(t, f.db, func(tx okrcore.Tx) error {
		return okrcore.ImportCheckIns(tx, history(f.alice.ID, f.bob.ID, f.alice.ID))
	})
	cis := f.checkIns(t, "A", okrcore.TargetKR, kr.ID)
	if len(cis) != 3 || cis[0].Value != 2 || cis[2].Author != f.alice.ID || cis[1].Author != f.bob.ID {
		t.Errorf("history %+v", cis)
	}
}
