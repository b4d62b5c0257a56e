package transfer

import (
	"math"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// mini is a programme of two people and two cycles, for one case to add
// its items to.
func mini(items ...Item) *Programme {
	return &Programme{
		Source: "csv",
		People: []Person{
			{Key: "ann", Name: "Ann", Email: "ann@example.com", TimeZone: "Mars/Olympus"},
			{Key: "ben", Name: "Ben", Email: "ben@example.com"},
			{Key: "ann2", Name: "Ann again", Email: "ANN@example.com"},
		},
		Teams: []Team{{Key: "ops", Name: "Ops", Lead: "gone", Members: []Key{"ben"}}},
		Cycles: []Cycle{
			{Key: "q4", Name: "Q4 2026", Start: day(2026, 10, 1), End: day(2027, 1, 1)},
			{Key: "y", Name: "2026", Start: day(2026, 1, 1), End: day(2027, 1, 1)},
		},
		Items: items,
	}
}

func obj(key, title string, owner Key, cycle, parent Key) Item {
	return Item{Key: Key(key), Kind: ItemObjective, Title: title, Owner: Owner{Person: owner}, Cycle: cycle, Parent: parent}
}

func kr(key, title string, owner Key, parent Key, start, target float64) Item {
	return Item{Key: Key(key), Kind: ItemKeyResult, Title: title, Owner: Owner{Person: owner}, Cycle: "q4", Parent: parent, Start: start, Target: target}
}

func TestPlanProgrammeMends(t *testing.T) {
	tests := []struct {
		name  string
		p     *Programme
		warns map[string]string // record: words of its warning
		check func(t *testing.T, got *storedWS)
	}{{
		name:  "an alignment loop is broken once",
		p:     mini(obj("a", "A", "ann", "q4", "b"), obj("b", "B", "ann", "q4", "a")),
		warns: map[string]string{"objective b": "a loop"},
		check: func(t *testing.T, got *storedWS) {
			a, b := got.objs["A"], got.objs["B"]
			if a.ParentObjective != b.ID || b.ParentObjective != 0 {
				t.Errorf("a %+v b %+v", a, b)
			}
		},
	}, {
		name:  "alignment across cycles goes to the top",
		p:     mini(obj("y1", "Year", "ann", "y", ""), obj("q1", "Quarter", "ann", "q4", "y1")),
		warns: map[string]string{"objective q1": "another cycle"},
		check: func(t *testing.T, got *storedWS) {
			if got.objs["Quarter"].ParentObjective != 0 {
				t.Errorf("%+v", got.objs["Quarter"])
			}
		},
	}, {
		name:  "a key result under a key result goes to its objective",
		p:     mini(obj("o", "O", "ann", "q4", ""), kr("k", "K", "ann", "o", 0, 1), kr("kk", "KK", "ann", "k", 0, 1)),
		warns: map[string]string{"key result kk": "that key result's objective"},
		check: func(t *testing.T, got *storedWS) {
			if got.krs["KK"].Objective != got.objs["O"].ID {
				t.Errorf("%+v", got.krs["KK"])
			}
		},
	}, {
		name: "initiatives without a key result become milestones",
		p: mini(obj("o", "O", "ann", "q4", ""),
			Item{Key: "i1", Kind: ItemInitiative, Title: "Under an objective", Owner: Owner{Person: "ben"}, Parent: "o", Done: true},
			Item{Key: "i2", Kind: ItemInitiative, Title: "On its own", Owner: Owner{Person: "ben"}}),
		warns: map[string]string{"initiative i1": "milestone key result of that objective", "initiative i2": "milestone key result"},
		check: func(t *testing.T, got *storedWS) {
			i1, i2 := got.krs["Under an objective"], got.krs["On its own"]
			if i1 == nil || i1.Objective != got.objs["O"].ID || i1.Metric != okrcore.MetricMilestone || i1.Current != 1 {
				t.Errorf("i1 %+v", i1)
			}
			if i2 == nil || i2.Objective != got.objs[holderTitle].ID || i2.Current != 0 {
				t.Errorf("i2 %+v", i2)
			}
		},
	}, {
		name: "owners: the parent's, else the first person",
		p: mini(obj("o", "O", "nobody", "q4", ""), kr("k", "K", "nobody", "o", 0, 10),
			Item{Key: "m", Kind: ItemKPI, Title: "M", HealthyMin: 5, HealthyMax: 1}),
		warns: map[string]string{"objective o": "owned by Ann", "key result k": "who owns objective o", "KPI m": "names no owner", "KPI m ": "other way round"},
		check: func(t *testing.T, got *storedWS) {
			ann := got.users["ann@example.com"]
			if got.objs["O"].Owner != okrcore.UserOwner(ann.ID) || got.krs["K"].Owner != okrcore.UserOwner(ann.ID) {
				t.Errorf("O %+v K %+v", got.objs["O"].Owner, got.krs["K"].Owner)
			}
			if k := got.kpis["M"]; k.HealthyMin != 1 || k.HealthyMax != 5 {
				t.Errorf("KPI %+v", k)
			}
		},
	}, {
		name: "no cycle contains today: a new workspace starts with today's quarter",
		p: func() *Programme {
			p := mini(obj("o", "Old", "ann", "q1", ""))
			p.Cycles = []Cycle{{Key: "q1", Name: "Q1 2025", Start: day(2025, 1, 1), End: day(2025, 4, 1), Closed: true}}
			return p
		}(),
		warns: map[string]string{"": "starts with Q4 2026"},
		check: func(t *testing.T, got *storedWS) {
			if got.cur == nil || got.cur.Name != "Q4 2026" || got.nc != 2 {
				t.Errorf("current %+v of %d cycles", got.cur, got.nc)
			}
		},
	}, {
		name:  "one address is one person; an unknown zone is UTC; a lead who is not there is no lead",
		p:     mini(),
		warns: map[string]string{"person ann2": "same e-mail address", "person ann": "Mars/Olympus", "team ops": "gone"},
		check: func(t *testing.T, got *storedWS) {
			if len(got.users) != 2 || got.users["ann@example.com"].TimeZone != "UTC" {
				t.Errorf("people %v", got.users)
			}
			if ops := got.teams["Ops"]; ops.Lead != 0 || len(ops.Members) != 1 {
				t.Errorf("ops %+v", ops)
			}
		},
	}, {
		name: "numbers okrbot can't keep get their nearest meaning",
		p: func() *Programme {
			p := mini(obj("o", "O", "ann", "q4", ""),
				kr("same", "Zero incidents", "ann", "o", 0, 0),
				kr("nan", "Broken", "ann", "o", math.NaN(), 10),
				kr("pct", "Share", "ann", "o", 0, 100),
				kr("w", "Heavy", "ann", "o", 0, 10))
			p.Items[1].Direction = okrcore.Decrease
			p.Items[2].Current = math.Inf(1)
			p.Items[3].Metric = okrcore.MetricPercent
			p.Items[4].Weight = 150
			at := day(2026, 10, 5)
			p.CheckIns = []CheckIn{
				{Item: "same", Author: "ann", At: at, Value: 3, HasValue: true},
				{Item: "same", Author: "ann", At: at.AddDate(0, 0, 7), Value: 0, HasValue: true},
				{Item: "pct", Author: "ann", At: at, Value: 2000, HasValue: true},
				{Item: "pct", Author: "zed", At: at.AddDate(0, 0, 7), Value: math.NaN(), HasValue: true, Record: "row 9"},
				{Item: "pct", Author: "zed", At: at.AddDate(0, 0, 14), Value: 50, HasValue: true, Status: "purple", Record: "row 10"},
			}
			return p
		}(),
		warns: map[string]string{
			"key result same": "imported as a milestone", "key result nan": "its start, target or current value is not a number",
			"key result w": "usual weight", "check-in": "1000", "row 9": "zed", "row 9 ": "keeps the value before it", "row 10": "purple",
		},
		check: func(t *testing.T, got *storedWS) {
			z := got.krs["Zero incidents"]
			if z.Metric != okrcore.MetricMilestone || z.Current != 1 || got.hist["Zero incidents"][0].Value != 0 {
				t.Errorf("zero incidents %+v", z)
			}
			if b := got.krs["Broken"]; b.Start != 0 || b.Target != 10 || b.Current != 0 {
				t.Errorf("broken %+v", b)
			}
			h := got.hist["Share"]
			if len(h) != 3 || h[0].Value != 1000 || h[1].Value != 1000 || h[2].Value != 50 || h[1].Author != got.users["ann@example.com"].ID {
				t.Errorf("share's history %+v", h)
			}
			if got.krs["Heavy"].Weight != 1 {
				t.Errorf("heavy %+v", got.krs["Heavy"])
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			pl := planAndWrite(t, s, tt.p, progOptions("acme"))
			for rec, words := range tt.warns {
				if !hasWarningFor(pl.summary.Warnings, rec, words) {
					t.Errorf("no warning for %q saying %q in %v", rec, words, pl.summary.Warnings)
				}
			}
			tt.check(t, readWS(t, s, "acme"))
			later := progOptions("acme")
			later.Now = later.Now.Add(30 * 24 * time.Hour)
			if again := planIn(t, s, tt.p, later); again.size() != 0 {
				t.Errorf("%d steps after writing", again.size())
			}
		})
	}
}

// hasWarningFor is hasWarning for a record named with trailing spaces
// where one record has several warnings.
func hasWarningFor(ws []Warning, record, words string) bool {
	for len(record) > 0 && record[len(record)-1] == ' ' {
		record = record[:len(record)-1]
	}
	if record == "check-in" {
		record = ""
	}
	return hasWarning(ws, record, words)
}
