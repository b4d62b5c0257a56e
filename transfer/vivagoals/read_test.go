package vivagoals_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"

	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReadRealisticCounts(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	want := vivagoalstest.Spec{}.Totals()
	kinds := map[transfer.ItemKind]int{}
	for _, it := range p.Items {
		kinds[it.Kind]++
	}
	got := vivagoalstest.Totals{People: len(p.People), Teams: len(p.Teams), Cycles: len(p.Cycles),
		Objectives: kinds[transfer.ItemObjective], KeyResults: kinds[transfer.ItemKeyResult], Initiatives: kinds[transfer.ItemInitiative], CheckIns: len(checkInsOf(t, p))}
	if got != want {
		t.Errorf("read %+v, want %+v", got, want)
	}
	if p.Source != "vivagoals" {
		t.Errorf("source %q", p.Source)
	}
}

func TestReadRealisticPeopleAndTeams(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	people := map[transfer.Key]transfer.Person{}
	for _, x := range p.People {
		people[x.Key] = x
	}
	for _, tc := range []struct {
		key         transfer.Key
		name, email string
		left        bool
	}{
		{"1", "Ana García", "ana.garcia@example.com", false},
		{"3", "Chloé Dubois", "chloe.dubois@example.com", false},
		{"99", "Oscar Berg", "oscar.berg@example.com", true},
	} {
		got, ok := people[tc.key]
		if !ok || got.Name != tc.name || got.Email != tc.email || got.Left != tc.left {
			t.Errorf("person %s = %+v, want %s <%s> left %v", tc.key, got, tc.name, tc.email, tc.left)
		}
	}
	teams := map[transfer.Key]transfer.Team{}
	for _, x := range p.Teams {
		teams[x.Key] = x
	}
	for _, tc := range []struct {
		key, parent, lead transfer.Key
		name              string
		members           string
	}{
		{"10", "", "1", "Acme", "1"},
		{"11", "10", "2", "Engineering", "2 3"},
		{"13", "11", "5", "Platform", "5"},
		{"14", "", "6", "Growth", "6"}, // its parent "Marketing" is not in the export
	} {
		got := teams[tc.key]
		var members []string
		for _, m := range got.Members {
			members = append(members, string(m))
		}
		if got.Name != tc.name || got.Parent != tc.parent || got.Lead != tc.lead || strings.Join(members, " ") != tc.members {
			t.Errorf("team %s = %+v, want %s under %q led by %s with %s", tc.key, got, tc.name, tc.parent, tc.lead, tc.members)
		}
	}
}

func TestReadRealisticCycles(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	want := []transfer.Cycle{
		{Key: "100", Name: "Q1 2025", Start: day(2025, 1, 1), End: day(2025, 4, 1), Closed: true},
		{Key: "101", Name: "Q2 2025", Start: day(2025, 4, 1), End: day(2025, 7, 1), Closed: true},
		{Key: "102", Name: "Q3 2025", Start: day(2025, 7, 1), End: day(2025, 10, 1)},
		{Key: "103", Name: "FY 2025", Start: day(2025, 1, 1), End: day(2026, 1, 1)},
	}
	if len(p.Cycles) != len(want) {
		t.Fatalf("%d cycles, want %d", len(p.Cycles), len(want))
	}
	for i, w := range want {
		got := p.Cycles[i]
		if got.Key != w.Key || got.Name != w.Name || !got.Start.Equal(w.Start) || !got.End.Equal(w.End) || got.Closed != w.Closed {
			t.Errorf("cycle %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestReadRealisticItems(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	type want struct {
		kind      transfer.ItemKind
		parent    transfer.Key
		cycle     transfer.Key
		owner     transfer.Owner
		weight    float64
		metric    okrcore.MetricKind
		unit      string
		start     float64
		target    float64
		dir       okrcore.Direction
		current   float64
		status    okrcore.Status
		score     *float64
		done      bool
		titlePart string
	}
	obj := transfer.ItemObjective
	kr := transfer.ItemKeyResult
	ini := transfer.ItemInitiative
	for key, w := range map[transfer.Key]want{
		// Objectives, three deep: 1000 ← KR 1001 ← 1010 ← KR 1011 ← 1020.
		"1000": {kind: obj, cycle: "102", owner: transfer.Owner{Person: "1", Team: "10"}, status: okrcore.StatusOnTrack, titlePart: "first choice"},
		"1010": {kind: obj, parent: "1001", cycle: "102", owner: transfer.Owner{Person: "2", Team: "11"}, status: okrcore.StatusOnTrack},
		"1020": {kind: obj, parent: "1011", cycle: "102", owner: transfer.Owner{Person: "5", Team: "13"}},
		// Metric in USD, increasing, weight "60%"; current is its last check-in.
		"1001": {kind: kr, parent: "1000", cycle: "102", owner: transfer.Owner{Person: "1", Team: "10"}, weight: 0.6, metric: okrcore.MetricCurrency, unit: "$",
			start: 3_000_000, target: 5_000_000, dir: okrcore.Increase, current: 3_960_000, status: okrcore.StatusOnTrack},
		"1002": {kind: kr, parent: "1000", cycle: "102", owner: transfer.Owner{Person: "4", Team: "12"}, weight: 0.4, metric: okrcore.MetricNumber, unit: "%",
			start: 5, target: 2, dir: okrcore.Decrease, current: 3.2, status: okrcore.StatusAtRisk},
		// Percentage without start or target: 0 to 100.
		"1011": {kind: kr, parent: "1010", cycle: "102", owner: transfer.Owner{Person: "5", Team: "13"}, metric: okrcore.MetricPercent, start: 0, target: 100, dir: okrcore.Increase, current: 60, status: okrcore.StatusOnTrack},
		"1012": {kind: kr, parent: "1010", cycle: "102", owner: transfer.Owner{Person: "3", Team: "11"}, metric: okrcore.MetricNumber, unit: "ms", start: 450, target: 200, dir: okrcore.Decrease, current: 380, status: okrcore.StatusOffTrack},
		"1013": {kind: ini, parent: "1012", cycle: "102", owner: transfer.Owner{Person: "5", Team: "13"}, status: okrcore.StatusDone, done: true},
		// Stay above 99.5 from 99.9: measured from 0 up to 99.5.
		"1060": {kind: kr, parent: "1010", cycle: "102", owner: transfer.Owner{Person: "8", Team: "13"}, metric: okrcore.MetricNumber, unit: "%", start: 0, target: 99.5, dir: okrcore.Increase, current: 99.5, status: okrcore.StatusOnTrack},
		// No check-ins: current from Progress 50% of 0→6.
		"1021": {kind: kr, parent: "1020", cycle: "102", owner: transfer.Owner{Person: "5", Team: "13"}, metric: okrcore.MetricNumber, unit: "drills", start: 0, target: 6, dir: okrcore.Increase, current: 3, status: okrcore.StatusOnTrack},
		// Achieve: a milestone, done.
		"1022": {kind: kr, parent: "1020", cycle: "102", owner: transfer.Owner{Person: "8", Team: "13"}, metric: okrcore.MetricMilestone, start: 0, target: 1, dir: okrcore.Increase, current: 1, status: okrcore.StatusDone},
		// A project directly under an objective: a percentage key result.
		"1023": {kind: kr, parent: "1020", cycle: "102", owner: transfer.Owner{Person: "8", Team: "13"}, metric: okrcore.MetricPercent, start: 0, target: 100, dir: okrcore.Increase, current: 25, status: okrcore.StatusOnTrack},
		// Owned by someone who left.
		"1031": {kind: kr, parent: "1030", cycle: "102", owner: transfer.Owner{Person: "99", Team: "12"}, metric: okrcore.MetricNumber, unit: "customers", start: 0, target: 40, dir: okrcore.Increase, current: 15, status: okrcore.StatusOnTrack},
		"1032": {kind: kr, parent: "1030", cycle: "102", owner: transfer.Owner{Person: "4", Team: "12"}, metric: okrcore.MetricCurrency, unit: "€", start: 0, target: 2_000_000, dir: okrcore.Increase, current: 700_000, status: okrcore.StatusAtRisk},
		// Postponed has no equivalent: no status.
		"1033": {kind: kr, parent: "1030", cycle: "102", owner: transfer.Owner{Person: "6", Team: "12"}, metric: okrcore.MetricPercent, start: 20, target: 90, dir: okrcore.Increase, current: 27},
		// Its parent 9999 is not in the export: passed on for the import to place.
		"1040": {kind: kr, parent: "9999", cycle: "102", owner: transfer.Owner{Person: "6", Team: "14"}, metric: okrcore.MetricNumber, unit: "points", start: 30, target: 50, dir: okrcore.Increase, current: 38, status: okrcore.StatusOnTrack},
		// Aligned to key result 1001: placed under 1001's objective.
		"1041": {kind: kr, parent: "1000", cycle: "102", owner: transfer.Owner{Person: "7", Team: "12"}, metric: okrcore.MetricCurrency, unit: "$", start: 500_000, target: 1_200_000, dir: okrcore.Increase, current: 640_000, status: okrcore.StatusOnTrack},
		// Of the unknown type "Theme", without a metric: an objective.
		"1050": {kind: obj, cycle: "103", owner: transfer.Owner{Person: "7"}, status: okrcore.StatusOnTrack},
		// Closed quarters: scores kept, 0 included; Closed with progress below 100 has no status.
		"2000": {kind: obj, cycle: "100", owner: transfer.Owner{Person: "1", Team: "10"}, score: ptr(0.7)},
		"2001": {kind: kr, parent: "2000", cycle: "100", owner: transfer.Owner{Person: "3", Team: "11"}, weight: 0.5, metric: okrcore.MetricNumber, unit: "sign-ups", start: 0, target: 500, dir: okrcore.Increase, current: 400, score: ptr(0.8)},
		"3001": {kind: kr, parent: "3000", cycle: "101", owner: transfer.Owner{Person: "2", Team: "11"}, metric: okrcore.MetricNumber, unit: "days", start: 14, target: 3, dir: okrcore.Decrease, current: 9, score: ptr(0.4)},
		"3002": {kind: kr, parent: "3000", cycle: "101", owner: transfer.Owner{Person: "3", Team: "11"}, metric: okrcore.MetricPercent, start: 0, target: 100, dir: okrcore.Increase, current: 0, score: ptr(0)},
		"3003": {kind: ini, parent: "3001", cycle: "101", owner: transfer.Owner{Person: "5", Team: "13"}, status: okrcore.StatusDone, done: true},
		"4001": {kind: kr, parent: "4000", cycle: "103", owner: transfer.Owner{Person: "2", Team: "11"}, metric: okrcore.MetricNumber, unit: "hires", start: 0, target: 12, dir: okrcore.Increase, current: 5, status: okrcore.StatusOffTrack},
	} {
		t.Run(string(key), func(t *testing.T) {
			got := itemByKey(t, p, key)
			if got.Kind != w.kind || got.Parent != w.parent || got.Cycle != w.cycle || got.Owner != w.owner || got.Weight != w.weight {
				t.Errorf("%s is a %s under %q in %q owned by %+v weighing %v; want a %s under %q in %q owned by %+v weighing %v",
					key, got.Kind, got.Parent, got.Cycle, got.Owner, got.Weight, w.kind, w.parent, w.cycle, w.owner, w.weight)
			}
			if got.Metric != w.metric || got.Unit != w.unit || got.Start != w.start || got.Target != w.target || got.Direction != w.dir || got.Current != w.current {
				t.Errorf("%s measures %s %q %v→%v %s at %v; want %s %q %v→%v %s at %v", key, got.Metric, got.Unit, got.Start, got.Target, got.Direction, got.Current,
					w.metric, w.unit, w.start, w.target, w.dir, w.current)
			}
			if got.Status != w.status || got.Done != w.done || (got.Score == nil) != (w.score == nil) || got.Score != nil && *got.Score != *w.score {
				t.Errorf("%s has status %q done %v score %v; want %q %v %v", key, got.Status, got.Done, got.Score, w.status, w.done, w.score)
			}
			if !strings.Contains(got.Title, w.titlePart) || !strings.Contains(got.Record, string(key)) {
				t.Errorf("%s: title %q, record %q", key, got.Title, got.Record)
			}
		})
	}
	// An open quarter's Score of 0 is nobody's grade.
	if s := itemByKey(t, p, "1000").Score; s != nil {
		t.Errorf("objective 1000 of the open quarter has score %v", *s)
	}
	if c := itemByKey(t, p, "2000").Created; !c.Equal(time.Date(2024, 12, 16, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("objective 2000 created %v", c)
	}
}

func TestReadRealisticCheckIns(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	cest := time.FixedZone("CEST", 2*3600)
	for _, tc := range []struct {
		key      transfer.Key
		item     transfer.Key
		author   transfer.Key
		at       time.Time
		value    float64
		hasValue bool
		status   okrcore.Status
		note     string
	}{
		// ISO with Z.
		{"50000", "1001", "1", time.Date(2025, 7, 7, 9, 0, 0, 0, time.UTC), 3_000_000, true, okrcore.StatusOnTrack, "Week 1: 3 new accounts."},
		// Without a zone (UTC), the note only in HTML.
		{"51001", "1002", "4", time.Date(2025, 7, 15, 10, 30, 0, 0, time.UTC), 4.85, true, okrcore.StatusAtRisk, "Churn is 4.85% & falling.\n\nNext: call the at-risk accounts."},
		// MM/DD/YYYY, HTML with non-ASCII text and a line break.
		{"52000", "1011", "5", day(2025, 7, 9), 10, true, okrcore.StatusOnTrack, "Überprüfung der Dienste — 1 von 10 完成 ✅\nNächster Schritt: Datenbank"},
		// Milliseconds; no value: a status and a note only.
		{"53002", "1012", "3", time.Date(2025, 8, 11, 8, 0, 0, 0, time.UTC), 0, false, okrcore.StatusOffTrack, "Vendor outage; no new numbers this week."},
		// With an offset, by someone who left; "Paused" has no equivalent.
		{"54003", "1031", "99", time.Date(2025, 8, 21, 16, 0, 0, 0, cest), 12, true, okrcore.StatusNone, "12 signed; Malmö next."},
		// A date alone; text and HTML both: the text is kept.
		{"56001", "2001", "3", day(2025, 1, 27), 120, true, okrcore.StatusOnTrack, "120 sign-ups"},
		// A space for the T.
		{"57001", "3001", "2", time.Date(2025, 5, 5, 9, 0, 0, 0, time.UTC), 11, true, okrcore.StatusOnTrack, ""},
	} {
		got := checkInByKey(t, p, tc.key)
		if got.Item != tc.item || got.Author != tc.author || !got.At.Equal(tc.at) || got.Value != tc.value || got.HasValue != tc.hasValue || got.Status != tc.status || got.Note != tc.note {
			t.Errorf("check-in %s = %+v\nwant item %s by %s at %v value %v (%v) %q %q", tc.key, got, tc.item, tc.author, tc.at, tc.value, tc.hasValue, tc.status, tc.note)
		}
		if got.Record != "check-in "+string(tc.key) {
			t.Errorf("check-in %s has record %q", tc.key, got.Record)
		}
	}
	for _, left := range []transfer.Key{"55000", "55001", "55002", "55003"} {
		for _, c := range checkInsOf(t, p) {
			if c.Key == left {
				t.Errorf("check-in %s of an objective, a project or a missing OKR is kept", left)
			}
		}
	}
}

func TestReadRealisticWarnings(t *testing.T) {
	p := mustRead(t, build(t, vivagoalstest.Spec{}))
	for _, tc := range []struct{ record, says string }{
		{`key result 1031 “Signed customers in Sweden”`, "Oscar Berg <oscar.berg@example.com>, is not among the export's Users"},
		{`team 11 “Engineering”`, "2 owners"},
		{`team 14 “Growth”`, "“Marketing”, is not in the export"},
		{`project 1023 “Write the recovery runbook”`, "imported as a key result of that objective, measured in percent"},
		{`OKR 1050 “Be a great place to work”`, "“Theme”, is not one okrbot knows"},
		{`OKR 1050 “Be a great place to work”`, "imported as an objective"},
		{`key result 1060 “Uptime”`, "“Stay above” 99.5 %, has no equivalent"},
		{`key result 1033 “Answer every lead within a day”`, "“Postponed”, has no equivalent in okrbot"},
		{`key result 1041 “Expansion revenue”`, "placed under objective 1000"},
		{`objective 1000 “Become the first choice for mid-size teams”`, "its check-ins (1) are left out"},
		{`project 1013 “Load-test the new gateway”`, "its check-ins (1) are left out"},
		{`OKR 8888`, "check-ins of this OKR (2, the first check-in 55002) are left out"},
		{`check-in 54003`, "the status “Paused” (1, this one the first)"},
		{"", "The Goal Type (committed or aspirational) of 7 OKRs has no place in okrbot"},
		{"", "The description of 2 OKRs has no place in okrbot"},
		{"", "The description of 2 teams has no place in okrbot"},
	} {
		found := 0
		for _, w := range p.Warnings {
			if w.Record == tc.record && strings.Contains(w.Message, tc.says) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%d warnings of %q saying %q, want 1; warnings:\n%v", found, tc.record, tc.says, p.Warnings)
		}
	}
	for _, w := range p.Warnings {
		if strings.Contains(w.Message, "\n") || strings.Contains(w.Message, "%!") {
			t.Errorf("warning %q is not one clean line", w)
		}
	}
	if len(p.Warnings) != 15 {
		t.Errorf("%d warnings, want the 15 above (Goal Type and description once each): %v", len(p.Warnings), p.Warnings)
	}
}

// The large export holds the realistic one and reads as its Spec counts.
func TestReadGenerated(t *testing.T) {
	s := vivagoalstest.Spec{Seed: 3, People: 60, Objectives: 40, KeyResults: 120, Projects: 15, CheckInsPerKR: 4}
	a, b := build(t, s), build(t, s)
	if string(a) != string(b) {
		t.Fatal("the same Spec wrote different bytes")
	}
	p := mustRead(t, a)
	kinds := map[transfer.ItemKind]int{}
	for _, it := range p.Items {
		kinds[it.Kind]++
	}
	want := s.Totals()
	got := vivagoalstest.Totals{People: len(p.People), Teams: len(p.Teams), Cycles: len(p.Cycles),
		Objectives: kinds[transfer.ItemObjective], KeyResults: kinds[transfer.ItemKeyResult], Initiatives: kinds[transfer.ItemInitiative], CheckIns: len(checkInsOf(t, p))}
	if got != want {
		t.Errorf("read %+v, want %+v", got, want)
	}
	dirs := map[okrcore.Direction]int{}
	for _, it := range p.Items {
		if it.Kind == transfer.ItemKeyResult {
			dirs[it.Direction]++
		}
	}
	if dirs[okrcore.Increase] == 0 || dirs[okrcore.Decrease] == 0 {
		t.Errorf("directions %v, want both", dirs)
	}
}
