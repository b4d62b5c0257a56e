package report

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// TestTeamBurnupIsTheDigests: the web page's burn-up (TeamBurnup), which
// reads only what it draws, draws what the team digest's chart draws, for
// every team of an organisation where teams have more objectives than a
// chart shows, objectives hold key results of other people, check-ins are
// undone and imported late, people move, a year runs beside the quarter
// with check-ins from before the quarter began; with a fresh reading and
// with one a page has read already.
func TestTeamBurnupIsTheDigests(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 120, start)
	year := &okrcore.Cycle{Workspace: o.ws, Name: "2026", Kind: okrcore.CycleAnnual,
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Started: true}
	var yearly []*okrcore.CheckIn
	o.update(t, func(tx okrcore.Tx) error {
		if err := tx.PutCycle(year); err != nil {
			return err
		}
		w, err := tx.Workspace(o.ws)
		if err != nil {
			return err
		}
		w.AlsoCurrent = []okrcore.ID{year.ID}
		if err := tx.PutWorkspace(w); err != nil {
			return err
		}
		for i := 1; i < len(o.users); i += 3 {
			u := o.users[i]
			obj := &okrcore.Objective{Workspace: o.ws, Cycle: year.ID, Title: "Y", Owner: okrcore.UserOwner(u.ID), CreatedAt: year.Start}
			if err := tx.PutObjective(obj); err != nil {
				return err
			}
			kr := &okrcore.KeyResult{Workspace: o.ws, Objective: obj.ID, Cycle: year.ID, Title: "YKR", Owner: okrcore.UserOwner(u.ID),
				Metric: okrcore.MetricNumber, Target: 100, Direction: okrcore.Increase, Weight: 1, CreatedAt: year.Start}
			if err := tx.PutKeyResult(kr); err != nil {
				return err
			}
			for m := range 11 {
				yearly = append(yearly, &okrcore.CheckIn{Workspace: o.ws, Target: okrcore.TargetKR, TargetID: kr.ID, Author: u.ID,
					At: year.Start.AddDate(0, m, 3), Value: float64(9 * m)})
			}
		}
		return okrcore.ImportCheckIns(tx, yearly)
	})
	// The quarter's key results checked in on before the quarter began too.
	o.live(t, 150, start.AddDate(0, 0, -20), start.AddDate(0, 0, -20))
	now := o.live(t, 150, start, start)
	var many, risky, drawn int
	for step := range 4 {
		now = o.live(t, 60, now, start.AddDate(0, 0, -10))
		err := o.db.View(context.Background(), func(tx okrcore.Tx) error {
			w, cs, teams, err := digestScope(tx, o.ws)
			if err != nil {
				return err
			}
			for _, team := range teams {
				d, err := buildTeamDigest(tx, w, team, cs, now, "")
				if err != nil {
					return err
				}
				want, _ := d.burnupOf(d.bySeverity())
				r := NewReading(tx, o.ws, now)
				if step%2 == 1 { // as the team page reads before its chart
					objs, err := TeamObjectives(tx, o.ws, team, cs[0].ID)
					if err != nil {
						return err
					}
					for _, ob := range objs {
						krs, err := tx.KeyResultsByObjective(o.ws, ob.ID)
						if err != nil {
							return err
						}
						r.Know(ob.ID, krs)
						r.Objective(ob)
					}
				}
				got, err := TeamBurnup(tx, w, team, cs, r)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("step %d, %s: the page's burn-up\n%+v\nthe digest's\n%+v", step, team.Name, got, want)
				}
				many += btoi(len(d.objs) > maxChartLines)
				drawn += len(got.Objectives)
				for _, ob := range got.Objectives {
					risky += btoi(ob.AtRisk)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if many == 0 || risky == 0 || drawn == 0 {
		t.Errorf("the organisation does not try the chart: %d teams with more objectives than it draws, %d lines, %d at risk", many, drawn, risky)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
