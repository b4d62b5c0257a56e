package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

var (
	now   = time.Date(2026, 2, 15, 12, 0, 0, 0, time.UTC)
	start = day(2026, 1, 1)
)

func document() *transfer.Document {
	score := 0.7
	return &transfer.Document{
		Format: transfer.DocumentFormat, Version: transfer.DocumentVersion,
		Workspace: &okrcore.Workspace{ID: "w", Name: "Acme", Rules: okrcore.DefaultRules()},
		People: []*okrcore.User{
			{ID: 1, Workspace: "w", Name: "Ana Alves", Email: "ana@example.com"},
			{ID: 2, Workspace: "w", Name: "Bo Berg", Email: "bo@example.com"},
			{ID: 3, Workspace: "w", Name: "=cmd|' /C calc'!A0"},
		},
		Teams: []*okrcore.Team{{ID: 1, Workspace: "w", Name: "Sales", Lead: 1, Members: []okrcore.ID{2}}},
		Cycles: []*okrcore.Cycle{
			{ID: 1, Workspace: "w", Name: "Q1 2026", Kind: okrcore.CycleQuarter, Start: start, End: day(2026, 4, 1)},
		},
		Objectives: []*okrcore.Objective{
			{ID: 1, Workspace: "w", Cycle: 1, Title: "Grow, \"fast\"", Owner: okrcore.TeamOwner(1), Progress: 0.4, CreatedAt: start},
			{ID: 2, Workspace: "w", Cycle: 1, Title: "Sell in Oslo", Owner: okrcore.UserOwner(2), ParentKR: 1, Weight: 2, CreatedAt: start},
			{ID: 3, Workspace: "w", Cycle: 1, Title: "+1 on support\nand more", Owner: okrcore.UserOwner(3), ParentObjective: 1, Score: &score, CreatedAt: start},
		},
		KeyResults: []*okrcore.KeyResult{
			{ID: 1, Workspace: "w", Objective: 1, Cycle: 1, Title: "Revenue", Owner: okrcore.UserOwner(1), Metric: okrcore.MetricCurrency, Unit: "€",
				Start: 0, Target: 1e6, Current: 250000.5, Direction: okrcore.Increase, Weight: 1, Progress: 0.25, CreatedAt: start},
			{ID: 2, Workspace: "w", Objective: 1, Cycle: 1, Title: "Churn", Owner: okrcore.UserOwner(2), Metric: okrcore.MetricPercent,
				Start: 10, Target: 5, Current: 7, Direction: okrcore.Decrease, Weight: 0.5, Progress: 0.6, CreatedAt: start},
			{ID: 3, Workspace: "w", Objective: 2, Cycle: 1, Title: "Open the office", Owner: okrcore.UserOwner(2), Metric: okrcore.MetricMilestone,
				Start: 0, Target: 1, Current: 1, Direction: okrcore.Increase, Weight: 1, Progress: 1, CreatedAt: start},
		},
		KPIs:        []*okrcore.KPI{{ID: 1, Workspace: "w", Title: "Uptime", Owner: okrcore.TeamOwner(1), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100}},
		Initiatives: []*okrcore.Initiative{{ID: 1, Workspace: "w", KeyResult: 1, Title: "New CRM", Owner: 1, Done: true}},
		CheckIns: []*okrcore.CheckIn{
			{ID: 1, Workspace: "w", Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: day(2026, 1, 12).Add(9 * time.Hour), Value: 100000, Status: okrcore.StatusOnTrack, Note: "first deals"},
			{ID: 2, Workspace: "w", Target: okrcore.TargetKR, TargetID: 1, Author: 1, At: day(2026, 1, 19).Add(9 * time.Hour), Value: 250000.5, Previous: 100000, Note: "two lines,\nwith a comma", Blockers: "-legal"},
			{ID: 3, Workspace: "w", Target: okrcore.TargetKPI, TargetID: 1, Author: 2, At: day(2026, 1, 20), Value: 99.95, Previous: 99.8},
		},
	}
}

// shape is an item as a tree shows it, for comparing what was written with
// what is read back.
func shape(it transfer.Item) string {
	s := fmt.Sprintf("%s %s %q under %s owner %s/%s cycle %s weight %v", it.Key, it.Kind, it.Title, it.Parent, it.Owner.Person, it.Owner.Team, it.Cycle, it.Weight)
	switch it.Kind {
	case transfer.ItemKeyResult:
		s += fmt.Sprintf(" %s %s %v→%v now %v %s", it.Metric, it.Unit, it.Start, it.Target, it.Current, it.Direction)
	case transfer.ItemKPI:
		s += fmt.Sprintf(" %s now %v healthy %v–%v", it.Unit, it.Current, it.HealthyMin, it.HealthyMax)
	case transfer.ItemInitiative:
		s += fmt.Sprintf(" done %v", it.Done)
	}
	if it.Score != nil {
		s += fmt.Sprintf(" score %v", *it.Score)
	}
	return s
}

func TestWriteOKRsRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteOKRs(&b, document(), now); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), bom+"Ref,Type,Title,") {
		t.Errorf("head %q", b.String()[:40])
	}
	if strings.Contains(b.String(), ",=cmd") || strings.Contains(b.String(), ",+1 on") {
		t.Errorf("a formula is written as one:\n%s", b.String())
	}
	p := mustRead(t, "export.csv", b.String(), Options{})
	var got []string
	for _, it := range p.Items {
		got = append(got, shape(it))
	}
	want := []string{
		`O1 objective "Grow, \"fast\"" under  owner /sales cycle q1 2026 weight 0`,
		`KR1 key result "Revenue" under O1 owner ana@example.com/sales cycle q1 2026 weight 1 currency € 0→1e+06 now 250000.5 increase`,
		`I1 initiative "New CRM" under KR1 owner ana@example.com/sales cycle  weight 0 done true`,
		`KR2 key result "Churn" under O1 owner bo@example.com/sales cycle q1 2026 weight 0.5 percent  10→5 now 7 decrease`,
		`O2 objective "Sell in Oslo" under KR1 owner bo@example.com/sales cycle q1 2026 weight 2`,
		`KR3 key result "Open the office" under O2 owner bo@example.com/sales cycle q1 2026 weight 1 milestone  0→1 now 1 increase`,
		`O3 objective "+1 on support\nand more" under O1 owner name:=cmd|' /c calc'!a0/ cycle q1 2026 weight 0 score 0.7`,
		`KPI1 KPI "Uptime" under  owner /sales cycle  weight 0 % now 99.95 healthy 99.9–100`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("read back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Cycles) != 1 || !p.Cycles[0].Start.Equal(start) || !p.Cycles[0].End.Equal(day(2026, 4, 1)) {
		t.Errorf("cycles %+v", p.Cycles)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
	// Written twice, the same bytes.
	var again bytes.Buffer
	if err := WriteOKRs(&again, document(), now); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Errorf("second export differs (%v)", err)
	}
}

func TestWriteOKRsStatus(t *testing.T) {
	var b bytes.Buffer
	if err := WriteOKRs(&b, document(), now); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "Status")
	prog := slices.Index(rows[0], "Progress %")
	byRef := map[string][]string{}
	for _, r := range rows[1:] {
		byRef[r[0]] = r
	}
	d := document()
	for _, tt := range []struct {
		ref, status, progress string
	}{
		{"KR1", okrcore.KRStanding(d.KeyResults[0], d.Cycles[0], now, d.Workspace.Rules).Status.Label(), "25"},
		{"KR3", okrcore.KRStanding(d.KeyResults[2], d.Cycles[0], now, d.Workspace.Rules).Status.Label(), "100"},
		{"I1", "done", ""},
		{"O1", okrcore.ObjectiveStanding(d.Objectives[0], d.KeyResults[:2], d.Cycles[0], now, d.Workspace.Rules).Status.Label(), "40"},
	} {
		if r := byRef[tt.ref]; r == nil || r[col] != tt.status || r[prog] != tt.progress {
			t.Errorf("%s: %v, want status %q progress %q", tt.ref, r, tt.status, tt.progress)
		}
	}
}

func TestWriteCheckIns(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCheckIns(&b, document()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		checkInColumns,
		{"2026-01-12T09:00:00Z", "KR1", "Revenue", "Ana Alves", "ana@example.com", "100000", "0", "on track", "first deals", ""},
		{"2026-01-19T09:00:00Z", "KR1", "Revenue", "Ana Alves", "ana@example.com", "250000.5", "100000", "", "two lines,\nwith a comma", "'-legal"},
		{"2026-01-20T00:00:00Z", "KPI1", "Uptime", "Bo Berg", "bo@example.com", "99.95", "99.8", "", "", ""},
	}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("rows\n%q\nwant\n%q", rows, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for name, write := range map[string]func() error{
		"okrs":      func() error { return WriteOKRs(failingWriter{}, document(), now) },
		"check-ins": func() error { return WriteCheckIns(failingWriter{}, document()) },
	} {
		if err := write(); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
