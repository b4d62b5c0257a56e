package vivagoalstest

import (
	"fmt"
	"time"
)

// The realistic export, which every Spec holds: Acme's 2025 in Viva Goals.
//
//   - Users 1–8; Oscar Berg (99) owns key result 1031 and checked it in,
//     but left and is not in Users.
//   - Teams 10 Acme ← 11 Engineering ← 13 Platform, 10 ← 12 Sales, and 14
//     Growth, whose parent "Marketing" is not in the export. Engineering
//     has two owners. Acme and Platform have descriptions.
//   - Periods 100 Q1 2025 and 101 Q2 2025 have ended with every objective
//     and key result scored and closed; 102 Q3 2025 is under way (the
//     latest check-in is 30 September); 103 FY 2025 spans the year. Their
//     dates are written as ISO dates, ISO date-times and MM/DD/YYYY.
//   - Q3: objective 1000 with key results 1001 (USD, increasing, weight
//     60%) and 1002 (%, decreasing, 40%); objective 1010 aligned to key
//     result 1001, with 1011 (percentage), 1012 (ms, decreasing; project
//     1013 under it) and 1060 (Stay above 99.5%); objective 1020 aligned to
//     key result 1011 (three objectives deep), with 1021 (drills, no
//     check-ins, progress 50%), 1022 (Achieve: a milestone, done) and
//     project 1023 directly under the objective; objective 1030 under 1000
//     with 1031 (owned by Oscar), 1032 (EUR) and 1033 (Postponed); key
//     result 1040 aligned to 9999, which is not in the export; key result
//     1041 aligned to key result 1001; 1050 of the unknown type "Theme".
//   - Q1: objective 2000 with 2001 and 2002; Q2: objective 3000 with 3001
//     (decreasing), 3002 (scored 0) and project 3003 under 3001. FY:
//     objective 4000 with 4001.
//   - Check-ins of 1001, 1002 (notes in HTML only, dates without a zone),
//     1011 (MM/DD/YYYY, HTML with non-ASCII text), 1012 (one without a
//     value), 1031 (by Oscar, +02:00, one "Paused"), 2001 (dates only,
//     text and HTML), 3001 (a space for the T), 4001; one of objective
//     1000, one of project 1013 and two of OKR 8888, which is not in the
//     export: those four are left out.
type fixture struct {
	users   []user
	left    user
	teams   []team
	periods []period
	okrs    []okr
	checks  []checkIn
}

// fixtureTotals is what the realistic export holds as the reader counts it.
func fixtureTotals() Totals {
	return Totals{People: 9, Teams: 5, Cycles: 4, Objectives: 8, KeyResults: 18, Initiatives: 2, CheckIns: 60}
}

func metric(unit string, start, target float64, targetType string) *outcome {
	return &outcome{typ: "Metric", name: unit, unit: unit, start: start, target: target, hasStart: true, hasTarget: true, targetType: targetType}
}

func percentage() *outcome { return &outcome{typ: "Percentage"} }

func newFixture() fixture {
	f := fixture{
		users: []user{
			{1, "Ana García", "ana.garcia@example.com"},
			{2, "Björn Lindqvist", "bjorn.lindqvist@example.com"},
			{3, "Chloé Dubois", "chloe.dubois@example.com"},
			{4, "Dmitri Ivanov", "dmitri.ivanov@example.com"},
			{5, "Emeka Okafor", "emeka.okafor@example.com"},
			{6, "Fatima Zahra", "fatima.zahra@example.com"},
			{7, "Grace Kim", "grace.kim@example.com"},
			{8, "Hiro Tanaka", "hiro.tanaka@example.com"},
		},
		left: user{99, "Oscar Berg", "oscar.berg@example.com"},
		teams: []team{
			{id: 10, name: "Acme", owners: []int{1}, kind: "Organization", status: "Active", description: "The whole company"},
			{id: 11, name: "Engineering", parent: "Acme", owners: []int{2, 3}, kind: "Team", status: "Active"},
			{id: 12, name: "Sales", parent: "Acme", owners: []int{4}, kind: "Team", status: "Active"},
			{id: 13, name: "Platform", parent: "Engineering", owners: []int{5}, kind: "Team", status: "Active", description: "Keeps the lights on"},
			{id: 14, name: "Growth", parent: "Marketing", owners: []int{6}, kind: "Team", status: "Active"},
		},
		periods: []period{
			{100, "Q1 2025", "2025-01-01", "2025-03-31"},
			{101, "Q2 2025", "2025-04-01T00:00:00Z", "2025-06-30T00:00:00Z"},
			{102, "Q3 2025", "07/01/2025", "09/30/2025"},
			{103, "FY 2025", "2025-01-01", "2025-12-31"},
		},
	}
	f.okrs = fixtureOKRs()
	f.checks = fixtureCheckIns()
	return f
}

func fixtureOKRs() []okr {
	pct := percentage()
	pctRange := &outcome{typ: "Percentage", start: 20, target: 90, hasStart: true, hasTarget: true, targetType: "Increase to"}
	conv := &outcome{typ: "Percentage", start: 5, target: 12, hasStart: true, hasTarget: true, targetType: "Increase to"}
	achieve := &outcome{typ: "Metric", name: "Backups", targetType: "Achieve"}
	return []okr{
		{id: 2000, title: "Launch the self-serve plan", typ: "Big rock", owners: []int{1}, team: 10, period: 100, status: "Closed", goalType: "Committed", progress: 70, score: 0.7, created: "2024-12-16T10:00:00Z"},
		{id: 2001, title: "Self-serve sign-ups", typ: "Kpi", owners: []int{3}, team: 11, period: 100, parents: []int{2000}, weights: []string{"50%"}, status: "Closed", progress: 80, score: 0.8, outcome: metric("sign-ups", 0, 500, "Increase to")},
		{id: 2002, title: "Trial-to-paid conversion", typ: "Kpi", owners: []int{4}, team: 12, period: 100, parents: []int{2000}, weights: []string{"50%"}, status: "Closed", progress: 57, score: 0.6, outcome: conv},
		{id: 3000, title: "Make onboarding effortless", typ: "Big rock", owners: []int{3}, team: 11, period: 101, status: "Closed", goalType: "Committed", progress: 50, score: 0.5},
		{id: 3001, title: "Days to first value", typ: "Kpi", owners: []int{2}, team: 11, period: 101, parents: []int{3000}, status: "Closed", progress: 45, score: 0.4, outcome: metric("days", 14, 3, "Decrease to")},
		{id: 3002, title: "Onboarding satisfaction", typ: "Kpi", owners: []int{3}, team: 11, period: 101, parents: []int{3000}, status: "Closed", progress: 0, score: 0, outcome: pct},
		{id: 3003, title: "Guided setup wizard", typ: "Project", owners: []int{5}, team: 13, period: 101, parents: []int{3001}, status: "Closed", progress: 100},
		{id: 1000, title: "Become the first choice for mid-size teams", typ: "Big rock", owners: []int{1}, team: 10, period: 102, status: "On Track", goalType: "Aspirational", description: "Our north star for the second half.", progress: 48, created: "2025-06-20T08:00:00Z"},
		{id: 1001, title: "Grow ARR to $5M", typ: "Kpi", owners: []int{1}, team: 10, period: 102, parents: []int{1000}, weights: []string{"60%"}, status: "On Track", progress: 48, outcome: metric("USD", 3_000_000, 5_000_000, "Increase to")},
		{id: 1002, title: "Cut monthly churn to 2%", typ: "Kpi", owners: []int{4}, team: 12, period: 102, parents: []int{1000}, weights: []string{"40%"}, status: "At Risk", progress: 60, outcome: metric("%", 5, 2, "Decrease to")},
		{id: 1010, title: "Ship the platform rewrite", typ: "Big rock", owners: []int{2}, team: 11, period: 102, parents: []int{1001}, status: "On Track", goalType: "Committed", progress: 40},
		{id: 1011, title: "Migrate services to the new platform", typ: "Kpi", owners: []int{5}, team: 13, period: 102, parents: []int{1010}, status: "On Track", progress: 60, outcome: pct},
		{id: 1012, title: "p95 latency under 200 ms", typ: "Kpi", owners: []int{3}, team: 11, period: 102, parents: []int{1010}, status: "Behind", progress: 28, outcome: metric("ms", 450, 200, "Decrease to")},
		{id: 1013, title: "Load-test the new gateway", typ: "Project", owners: []int{5}, team: 13, period: 102, parents: []int{1012}, status: "Completed", progress: 100},
		{id: 1060, title: "Uptime", typ: "Kpi", owners: []int{8}, team: 13, period: 102, parents: []int{1010}, status: "On Track", progress: 100, outcome: metric("%", 99.9, 99.5, "Stay above")},
		{id: 1020, title: "Harden the data tier", typ: "Big rock", owners: []int{5}, team: 13, period: 102, parents: []int{1011}, status: "Not Started", goalType: "Committed", progress: 30},
		{id: 1021, title: "Restore drills passed", typ: "Kpi", owners: []int{5}, team: 13, period: 102, parents: []int{1020}, status: "On Track", progress: 50, outcome: metric("drills", 0, 6, "Increase to")},
		{id: 1022, title: "Encrypt every backup", typ: "Kpi", owners: []int{8}, team: 13, period: 102, parents: []int{1020}, status: "Completed", progress: 100, outcome: achieve},
		{id: 1023, title: "Write the recovery runbook", typ: "Project", owners: []int{8}, team: 13, period: 102, parents: []int{1020}, status: "On Track", progress: 25},
		{id: 1030, title: "Win the Nordics", typ: "Big rock", owners: []int{4}, team: 12, period: 102, parents: []int{1000}, status: "At Risk", goalType: "Aspirational", description: "Sweden first, then Norway.", progress: 30},
		{id: 1031, title: "Signed customers in Sweden", typ: "Kpi", owners: []int{99}, team: 12, period: 102, parents: []int{1030}, status: "On Track", progress: 37.5, outcome: metric("customers", 0, 40, "Increase to")},
		{id: 1032, title: "Nordic pipeline", typ: "Kpi", owners: []int{4}, team: 12, period: 102, parents: []int{1030}, status: "At Risk", progress: 35, outcome: metric("EUR", 0, 2_000_000, "Increase to")},
		{id: 1033, title: "Answer every lead within a day", typ: "Kpi", owners: []int{6}, team: 12, period: 102, parents: []int{1030}, status: "Postponed", progress: 10, outcome: pctRange},
		{id: 1040, title: "Net promoter score", typ: "Kpi", owners: []int{6}, team: 14, period: 102, parents: []int{9999}, status: "On Track", progress: 40, outcome: metric("points", 30, 50, "Increase to")},
		{id: 1041, title: "Expansion revenue", typ: "Kpi", owners: []int{7}, team: 12, period: 102, parents: []int{1001}, status: "On Track", progress: 20, outcome: metric("$", 500_000, 1_200_000, "Increase to")},
		{id: 1050, title: "Be a great place to work", typ: "Theme", owners: []int{7}, period: 103, status: "On Track", progress: 0},
		{id: 4000, title: "Hire a world-class team", typ: "Big rock", owners: []int{1}, team: 10, period: 103, status: "On Track", goalType: "Committed", progress: 42},
		{id: 4001, title: "Engineers hired", typ: "Kpi", owners: []int{2}, team: 11, period: 103, parents: []int{4000}, status: "Behind", progress: 42, outcome: metric("hires", 0, 12, "Increase to")},
	}
}

func fixtureCheckIns() []checkIn {
	var cs []checkIn
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for w := range 13 {
		at := day(2025, 7, 7).AddDate(0, 0, 7*w).Add(9 * time.Hour)
		st := "On Track"
		if w == 5 || w == 6 {
			st = "At Risk"
		}
		cs = append(cs, checkIn{id: 50000 + w, okr: 1001, date: at.Format(time.RFC3339), owner: 1, status: st,
			note: fmt.Sprintf("Week %d: %d new accounts.", w+1, 3+w%4), value: 3_000_000 + 80_000*float64(w), hasValue: true})
	}
	for w := range 13 {
		at := day(2025, 7, 8).AddDate(0, 0, 7*w).Add(10*time.Hour + 30*time.Minute)
		v := 5 - 0.15*float64(w)
		cs = append(cs, checkIn{id: 51000 + w, okr: 1002, date: at.Format("2006-01-02T15:04:05"), owner: 4, status: "At Risk",
			html: fmt.Sprintf("<p>Churn is <b>%.2f%%</b> &amp; falling.</p><p>Next: call the at-risk accounts.</p>", v), value: v, hasValue: true})
	}
	for w := range 6 {
		at := day(2025, 7, 9).AddDate(0, 0, 14*w)
		cs = append(cs, checkIn{id: 52000 + w, okr: 1011, date: at.Format("01/02/2006"), owner: 5, status: "On Track",
			html: fmt.Sprintf("<div>Überprüfung der Dienste — %d von 10 完成 ✅<br>Nächster Schritt: Datenbank</div>", w+1), value: float64(10 * (w + 1)), hasValue: true})
	}
	for w, v := range []float64{450, 420, -1, 380} {
		at := day(2025, 7, 14).AddDate(0, 0, 14*w).Add(8 * time.Hour)
		c := checkIn{id: 53000 + w, okr: 1012, date: at.Format("2006-01-02T15:04:05.000Z"), owner: 3, status: "Behind", value: v, hasValue: v >= 0}
		if v < 0 {
			c.value, c.note = 0, "Vendor outage; no new numbers this week."
		}
		cs = append(cs, c)
	}
	cest := time.FixedZone("CEST", 2*3600)
	for w, v := range []float64{2, 5, 9, 12, 15} {
		at := time.Date(2025, 7, 10, 16, 0, 0, 0, cest).AddDate(0, 0, 14*w)
		st := "On Track"
		if w == 3 {
			st = "Paused"
		}
		cs = append(cs, checkIn{id: 54000 + w, okr: 1031, date: at.Format(time.RFC3339), owner: 99, status: st, note: fmt.Sprintf("%d signed; Malmö next.", int(v)), value: v, hasValue: true})
	}
	cs = append(cs,
		checkIn{id: 55000, okr: 1013, date: "2025-08-01T12:00:00Z", owner: 5, status: "Completed", note: "Gateway held 3× peak.", value: 100, hasValue: true},
		checkIn{id: 55001, okr: 1000, date: "2025-08-01T12:00:00Z", owner: 1, status: "On Track", note: "Good quarter so far."},
		checkIn{id: 55002, okr: 8888, date: "2025-08-02T12:00:00Z", owner: 7, status: "On Track", value: 1, hasValue: true},
		checkIn{id: 55003, okr: 8888, date: "2025-08-09T12:00:00Z", owner: 7, status: "On Track", value: 2, hasValue: true},
	)
	for w := range 6 {
		at := day(2025, 1, 13).AddDate(0, 0, 14*w)
		v := float64(50 + 70*w)
		cs = append(cs, checkIn{id: 56000 + w, okr: 2001, date: at.Format("2006-01-02"), owner: 3, status: "On Track",
			note: fmt.Sprintf("%d sign-ups", int(v)), html: fmt.Sprintf("<p>%d sign-ups</p>", int(v)), value: v, hasValue: true})
	}
	for w, v := range []float64{14, 11, 9, 9} {
		at := day(2025, 4, 14).AddDate(0, 0, 21*w).Add(9 * time.Hour)
		cs = append(cs, checkIn{id: 57000 + w, okr: 3001, date: at.Format("2006-01-02 15:04:05"), owner: 2, status: "On Track", value: v, hasValue: true})
	}
	for w, v := range []float64{0, 1, 1, 2, 3, 3, 4, 5, 5} {
		at := day(2025, time.Month(w+1), 28)
		cs = append(cs, checkIn{id: 58000 + w, okr: 4001, date: at.Format("2006-01-02"), owner: 2, status: "Behind", value: v, hasValue: true})
	}
	return cs
}
