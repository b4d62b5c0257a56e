package storagetest

// Conformance of cycles, objectives, key results, KPIs and initiatives.

import (
	"context"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func newCycle(ws, name string, start time.Time) *okrcore.Cycle {
	return &okrcore.Cycle{Workspace: ws, Name: name, Kind: okrcore.CycleQuarter, Start: start, End: start.AddDate(0, 3, 0)}
}

func testCycles(t *testing.T, s okrcore.Store) {
	q1 := newCycle("w", "Q1 2025", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	q2 := newCycle("w", "Q2 2025", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutCycle(q1); err != nil {
			return err
		}
		return tx.PutCycle(q2)
	})
	equal(t, "cycle IDs", []okrcore.ID{q1.ID, q2.ID}, []okrcore.ID{1, 2})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Cycle, error) { return tx.Cycle("w", 2) })
	equal(t, "cycle 2", got, q2)
	q1.Closed = true
	put(t, s, func(tx okrcore.Tx) error { return tx.PutCycle(q1) })
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.Cycle, error) { return tx.Cycles("w") })
	wantIDs(t, "cycles", list, err, 1, 2)
	equal(t, "cycles", list, []*okrcore.Cycle{q1, q2})
}

func newObjective(ws string, cycle okrcore.ID, owner okrcore.Owner, title string) *okrcore.Objective {
	return &okrcore.Objective{
		Workspace: ws, Cycle: cycle, Title: title, Owner: owner, Weight: 1,
		Progress: 0.25, Status: okrcore.StatusOnTrack, CreatedBy: 1, CreatedAt: base, UpdatedAt: base.Add(time.Hour),
	}
}

func testObjectives(t *testing.T, s okrcore.Store) {
	u1, u2, t1 := okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.TeamOwner(1)
	o1 := newObjective("w", 1, u1, "Delight customers")
	o2 := newObjective("w", 2, u1, "Ship faster")
	o3 := newObjective("w", 1, t1, "Grow revenue")
	o3.ParentKR = 5
	o4 := newObjective("w", 1, u2, "Hire well")
	o4.ParentObjective = 1
	o4.Score = floatp(0.7)
	put(t, s, func(tx okrcore.Tx) error {
		for _, o := range []*okrcore.Objective{o1, o2, o3, o4} {
			if err := tx.PutObjective(o); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "objective IDs", []okrcore.ID{o1.ID, o2.ID, o3.ID, o4.ID}, []okrcore.ID{1, 2, 3, 4})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 4) })
	equal(t, "objective 4", got, o4)

	byCycle := func(c okrcore.ID) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesByCycle("w", c) })
	}
	byOwner := func(o okrcore.Owner, c okrcore.ID) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesByOwner("w", o, c) })
	}
	aligned := func(r okrcore.Ref) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesAlignedTo("w", r) })
	}
	kr := func(id okrcore.ID) okrcore.Ref { return okrcore.Ref{Kind: okrcore.RefKeyResult, ID: id} }
	obj := func(id okrcore.ID) okrcore.Ref { return okrcore.Ref{Kind: okrcore.RefObjective, ID: id} }

	list, err := byCycle(1)
	wantIDs(t, "objectives of cycle 1", list, err, 1, 3, 4)
	equal(t, "objectives of cycle 1", list, []*okrcore.Objective{o1, o3, o4})
	list, err = byCycle(0)
	wantIDs(t, "objectives of every cycle", list, err, 1, 2, 3, 4)
	list, err = byCycle(7)
	wantIDs(t, "objectives of an empty cycle", list, err)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's objectives in cycle 1", list, err, 1)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's objectives", list, err, 1, 2)
	list, err = byOwner(t1, 1)
	wantIDs(t, "team 1's objectives (not user 1's)", list, err, 3)
	list, err = byOwner(u2, 2)
	wantIDs(t, "user 2's objectives in cycle 2", list, err)
	list, err = aligned(kr(5))
	wantIDs(t, "aligned to KR5", list, err, 3)
	list, err = aligned(obj(1))
	wantIDs(t, "aligned to O1", list, err, 4)
	list, err = aligned(kr(1))
	wantIDs(t, "aligned to KR1 (not O1)", list, err)
	list, err = aligned(obj(5))
	wantIDs(t, "aligned to O5 (not KR5)", list, err)

	// Move O1 to user 2, cycle 2, under KR7; take O4 off O1 and put it under KR5.
	o1b := *o1
	o1b.Owner, o1b.Cycle, o1b.ParentKR, o1b.Title = u2, 2, 7, "Delight every customer"
	o4b := *o4
	o4b.ParentObjective, o4b.ParentKR = 0, 5
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(&o1b); err != nil {
			return err
		}
		return tx.PutObjective(&o4b)
	})
	list, err = byCycle(1)
	wantIDs(t, "cycle 1 after move", list, err, 3, 4)
	list, err = byCycle(2)
	wantIDs(t, "cycle 2 after move", list, err, 1, 2)
	equal(t, "moved objective", list[0], &o1b)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1 after move", list, err, 2)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1 in cycle 1 after move", list, err)
	list, err = byOwner(u2, 0)
	wantIDs(t, "user 2 after move", list, err, 1, 4)
	list, err = byOwner(u2, 2)
	wantIDs(t, "user 2 in cycle 2 after move", list, err, 1)
	list, err = aligned(kr(7))
	wantIDs(t, "aligned to KR7", list, err, 1)
	list, err = aligned(kr(5))
	wantIDs(t, "aligned to KR5 after move", list, err, 3, 4)
	list, err = aligned(obj(1))
	wantIDs(t, "aligned to O1 after move", list, err)

	both := newObjective("w", 1, u1, "Two parents")
	both.ParentKR, both.ParentObjective = 1, 2
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutObjective(both) })
	wantKind(t, err, okrcore.KindInvalid, "objective with two parents")
	list, err = byCycle(0)
	wantIDs(t, "objectives after refused put", list, err, 1, 2, 3, 4)
}

func newKR(ws string, objective, cycle okrcore.ID, owner okrcore.Owner, title string) *okrcore.KeyResult {
	return &okrcore.KeyResult{
		Workspace: ws, Objective: objective, Cycle: cycle, Title: title, Owner: owner,
		Metric: okrcore.MetricNumber, Start: 10, Target: 110, Current: 35, Unit: "users",
		Direction: okrcore.Increase, Weight: 1, Progress: 0.25, Status: okrcore.StatusAtRisk,
		Confidence: intp(6), CreatedAt: base, UpdatedAt: base.Add(2 * time.Hour),
	}
}

func testKeyResults(t *testing.T, s okrcore.Store) {
	u1, u2, t1 := okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.TeamOwner(1)
	k1 := newKR("w", 1, 1, u1, "Signups")
	k2 := newKR("w", 1, 1, u2, "Churn")
	k2.Direction, k2.StatusSet, k2.LastCheckIn, k2.Score = okrcore.Decrease, true, base.Add(48*time.Hour), floatp(0.4)
	k3 := newKR("w", 2, 1, t1, "Revenue")
	k3.Metric, k3.Unit = okrcore.MetricCurrency, "€"
	k4 := newKR("w", 3, 2, u1, "Launch")
	k4.Metric, k4.Confidence = okrcore.MetricMilestone, nil
	put(t, s, func(tx okrcore.Tx) error {
		for _, k := range []*okrcore.KeyResult{k1, k2, k3, k4} {
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "KR IDs", []okrcore.ID{k1.ID, k2.ID, k3.ID, k4.ID}, []okrcore.ID{1, 2, 3, 4})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult("w", 2) })
	equal(t, "KR2", got, k2)

	byObj := func(o okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("w", o) })
	}
	byOwner := func(o okrcore.Owner, c okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByOwner("w", o, c) })
	}
	byCycle := func(c okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByCycle("w", c) })
	}
	list, err := byObj(1)
	wantIDs(t, "KRs of O1", list, err, 1, 2)
	equal(t, "KRs of O1", list, []*okrcore.KeyResult{k1, k2})
	list, err = byObj(9)
	wantIDs(t, "KRs of O9", list, err)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's KRs in cycle 1", list, err, 1)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's KRs", list, err, 1, 4)
	list, err = byOwner(t1, 0)
	wantIDs(t, "team 1's KRs", list, err, 3)
	list, err = byCycle(1)
	wantIDs(t, "KRs of cycle 1", list, err, 1, 2, 3)
	list, err = byCycle(0)
	wantIDs(t, "KRs of every cycle", list, err, 1, 2, 3, 4)

	// Move KR1 to O2, owner team 1, cycle 2.
	k1b := *k1
	k1b.Objective, k1b.Owner, k1b.Cycle, k1b.Current = 2, t1, 2, 60
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKeyResult(&k1b) })
	list, err = byObj(1)
	wantIDs(t, "KRs of O1 after move", list, err, 2)
	list, err = byObj(2)
	wantIDs(t, "KRs of O2 after move", list, err, 1, 3)
	equal(t, "moved KR", list[0], &k1b)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's KRs after move", list, err, 4)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's KRs in cycle 1 after move", list, err)
	list, err = byOwner(t1, 0)
	wantIDs(t, "team 1's KRs after move", list, err, 1, 3)
	list, err = byOwner(t1, 2)
	wantIDs(t, "team 1's KRs in cycle 2 after move", list, err, 1)
	list, err = byCycle(1)
	wantIDs(t, "KRs of cycle 1 after move", list, err, 2, 3)
	list, err = byCycle(2)
	wantIDs(t, "KRs of cycle 2 after move", list, err, 1, 4)
}

func testKPIs(t *testing.T, s okrcore.Store) {
	k1 := &okrcore.KPI{Workspace: "w", Title: "Uptime", Owner: okrcore.TeamOwner(2), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100, CreatedAt: base}
	k2 := &okrcore.KPI{Workspace: "w", Title: "NPS", Owner: okrcore.UserOwner(1), Current: 40, HealthyMin: 30, HealthyMax: 100, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutKPI(k1); err != nil {
			return err
		}
		return tx.PutKPI(k2)
	})
	equal(t, "KPI IDs", []okrcore.ID{k1.ID, k2.ID}, []okrcore.ID{1, 2})
	k1.Current, k1.LastCheckIn = 99.5, base.Add(time.Hour)
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKPI(k1) })
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.KPI, error) { return tx.KPI("w", 1) })
	equal(t, "KPI1", got, k1)
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.KPI, error) { return tx.KPIs("w") })
	wantIDs(t, "KPIs", list, err, 1, 2)
	equal(t, "KPIs", list, []*okrcore.KPI{k1, k2})
}

func testInitiatives(t *testing.T, s okrcore.Store) {
	i1 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Onboarding emails", Owner: 3, CreatedAt: base}
	i2 := &okrcore.Initiative{Workspace: "w", KeyResult: 2, Title: "Pricing page", CreatedAt: base}
	i3 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Referral program", Done: true, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		for _, i := range []*okrcore.Initiative{i1, i2, i3} {
			if err := tx.PutInitiative(i); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "initiative IDs", []okrcore.ID{i1.ID, i2.ID, i3.ID}, []okrcore.ID{1, 2, 3})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Initiative, error) { return tx.Initiative("w", 3) })
	equal(t, "I3", got, i3)
	byKR := func(kr okrcore.ID) ([]*okrcore.Initiative, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Initiative, error) { return tx.InitiativesByKeyResult("w", kr) })
	}
	list, err := byKR(1)
	wantIDs(t, "initiatives of KR1", list, err, 1, 3)
	equal(t, "initiatives of KR1", list, []*okrcore.Initiative{i1, i3})
	i1.KeyResult, i1.Done = 2, true
	put(t, s, func(tx okrcore.Tx) error { return tx.PutInitiative(i1) })
	list, err = byKR(1)
	wantIDs(t, "initiatives of KR1 after move", list, err, 3)
	list, err = byKR(2)
	wantIDs(t, "initiatives of KR2 after move", list, err, 1, 2)
	equal(t, "moved initiative", list[0], i1)
}
