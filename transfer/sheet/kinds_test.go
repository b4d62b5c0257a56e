package sheet

import (
	"errors"
	"strings"
	"testing"
	// The people list's zones are found on machines without tzdata, as
	// they are in okrbot, which embeds it.
	_ "time/tzdata"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

const explorerHeader = "Id,Title,Team,Owner,Owner Email,Period,Start Date,End Date,Description,Aligned To,Unit,Start,Target,Object type,Goal Type,Progress (%),Status\n"

func TestReadExplorer(t *testing.T) {
	content := explorerHeader +
		"101,Grow the business,Leadership,Ana Alves,ana@example.com,Q1 2026,1/1/2026,3/31/2026,Top level,,,,,Objective,Committed,40,On Track\n" +
		"102,Revenue,Leadership,Ana Alves,ana@example.com,Q1 2026,1/1/2026,3/31/2026,,101,$,0,1000000,Key Result,Committed,25,Behind\n" +
		"103,Churn down,Support,Bo Berg,bo@example.com,Q1 2026,1/15/2026,4/15/2026,,Grow the business,%,10,5,Key Result,Aspirational,50,At Risk\n" +
		"104,Sell in Oslo,Sales,Cy Chen,cy@example.com,Q1 2026,1/1/2026,3/31/2026,,Revenue,,,,Objective,,0,Not Started\n" +
		"105,New CRM,Sales,Cy Chen,,,,,,102,,,,Project,,100,Completed\n" +
		"106,Uptime,Ops,Bo Berg,,,,,,,%,,,KPI,,99.9,On Track\n" +
		"107,Partner deals,Sales,Cy Chen,cy@example.com,Q1 2026,1/1/2026,3/31/2026,,Objective of another team,,,,Objective,,0,Postponed\n" +
		"108,Win rate,Sales,Cy Chen,cy@example.com,Q1 2026,1/1/2026,3/31/2026,,104,,,,Key Result,,30,On Track\n"
	p := mustRead(t, "Explorer export.csv", content, Options{})
	if p.Source != SourceExplorer {
		t.Errorf("source %q", p.Source)
	}
	tests := []struct {
		key    transfer.Key
		kind   transfer.ItemKind
		parent transfer.Key
		check  func(transfer.Item) bool
	}{
		{"101", transfer.ItemObjective, "", func(it transfer.Item) bool { return it.Status == okrcore.StatusOnTrack && it.Cycle == "q1 2026" }},
		{"102", transfer.ItemKeyResult, "101", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricCurrency && it.Current == 250000 && it.Status == okrcore.StatusOffTrack
		}},
		// Aligned To by title; a percentage going down, half way.
		{"103", transfer.ItemKeyResult, "101", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricPercent && it.Current == 7.5 && it.Direction == okrcore.Decrease
		}},
		{"104", transfer.ItemObjective, "102", nil},
		{"105", transfer.ItemInitiative, "102", func(it transfer.Item) bool { return it.Done && it.Owner.Person == "cy@example.com" }},
		{"106", transfer.ItemKPI, "", func(it transfer.Item) bool { return it.Current == 99.9 }},
		{"107", transfer.ItemObjective, "", func(it transfer.Item) bool { return it.Status == okrcore.StatusNone }},
		// No start or target: a percentage whose progress is its value.
		{"108", transfer.ItemKeyResult, "104", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricPercent && it.Start == 0 && it.Target == 100 && it.Current == 30
		}},
	}
	for _, tt := range tests {
		it := item(t, p, tt.key)
		if it.Kind != tt.kind || it.Parent != tt.parent {
			t.Errorf("%s: kind %s parent %q", tt.key, it.Kind, it.Parent)
		}
		if tt.check != nil && !tt.check(it) {
			t.Errorf("%s: %+v", tt.key, it)
		}
	}
	for _, w := range []struct{ record, part string }{
		{"row 1", "Description"},
		{"row 8", "not in the file"},
		{"row 8", "Postponed"},
		{"row 2", "first start to the last end"},
	} {
		if !warned(p, w.record, w.part) {
			t.Errorf("no warning %q for %s in %v", w.part, w.record, p.Warnings)
		}
	}
	if len(p.Cycles) != 1 || !p.Cycles[0].Start.Equal(day(2026, 1, 1)) || !p.Cycles[0].End.Equal(day(2026, 4, 16)) {
		t.Errorf("cycles %+v", p.Cycles)
	}
	// Bo is named with and without his address: one person.
	if len(p.People) != 3 {
		t.Errorf("people %+v", p.People)
	}
}

func TestReadExplorerBadRows(t *testing.T) {
	tests := []struct {
		name, row, part string
	}{
		{"key result with missing parent", "201,Lost,Sales,Cy,cy@example.com,Q1 2026,,,,999,,,,Key Result,,0,", "not the Id of any row"},
		{"unknown object type", "201,Odd,Sales,Cy,cy@example.com,Q1 2026,,,,,,,,Big Idea,,0,", "Big Idea"},
		{"ambiguous title", "201,Twin,Sales,Cy,cy@example.com,Q1 2026,,,,Same,,,,Key Result,,0,", "title of 2 rows"},
		{"bad progress", "201,KR,Sales,Cy,cy@example.com,Q1 2026,,,,A1,,,,Key Result,,lots,", "not a number"},
	}
	base := explorerHeader +
		"A1,Same,Sales,Cy,cy@example.com,Q1 2026,,,,,,,,Objective,,0,\n" +
		"A2,Same,Sales,Cy,cy@example.com,Q1 2026,,,,,,,,Objective,,0,\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, "export.csv", base+tt.row+"\n", Options{})
			var bad *BadRowsError
			if !errors.As(err, &bad) || len(bad.Rows) != 1 || bad.Rows[0].Row != 4 || !strings.Contains(bad.Rows[0].Reason, tt.part) {
				t.Fatalf("err %v, want row 4 with %q", err, tt.part)
			}
		})
	}
}

const peopleHeader = "Name,E-mail,Team,Lead,Time zone,Parent team\n"

func TestReadPeople(t *testing.T) {
	content := peopleHeader +
		"Ana Alves,ana@example.com,Sales,yes,Europe/Lisbon,Company\n" +
		"Bo Berg,BO@example.com,Sales,,Europe/Oslo,\n" +
		"Bo Berg,bo@example.com,Support,x,,Company\n" +
		"Cy Chen,cy@example.com,,,Mars/Olympus,\n" +
		"Dee,,Support,no,,\n"
	p := mustRead(t, "people.csv", content, Options{})
	if p.Source != SourcePeople || len(p.Items) != 0 {
		t.Fatalf("source %q items %d", p.Source, len(p.Items))
	}
	people := map[transfer.Key]transfer.Person{}
	for _, per := range p.People {
		people[per.Key] = per
	}
	if len(people) != 4 || people["ana@example.com"].TimeZone != "Europe/Lisbon" || people["bo@example.com"].TimeZone != "Europe/Oslo" ||
		people["cy@example.com"].TimeZone != "" || people["name:dee"].Name != "Dee" {
		t.Errorf("people %+v", p.People)
	}
	teams := map[transfer.Key]transfer.Team{}
	for _, tm := range p.Teams {
		teams[tm.Key] = tm
	}
	if s := teams["sales"]; s.Lead != "ana@example.com" || len(s.Members) != 2 || s.Parent != "company" {
		t.Errorf("sales %+v", s)
	}
	if s := teams["support"]; s.Lead != "bo@example.com" || len(s.Members) != 2 || s.Parent != "company" {
		t.Errorf("support %+v", s)
	}
	if _, ok := teams["company"]; !ok {
		t.Errorf("no parent team in %+v", p.Teams)
	}
	if !warned(p, "row 5", "Mars/Olympus") {
		t.Errorf("warnings %v", p.Warnings)
	}
}

func TestReadPeopleBadRows(t *testing.T) {
	tests := []struct {
		name, row, part string
	}{
		{"nobody", ",,Sales,,,", "neither a name nor an e-mail"},
		{"bad address", "Eve,eve-at-example,Sales,,,", "not an e-mail address"},
		{"bad lead", "Eve,eve@example.com,Sales,maybe,,", "maybe"},
		{"lead without team", "Eve,eve@example.com,,yes,,", "names no team"},
		{"second lead", "Eve,eve@example.com,Sales,yes,,", "one lead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := peopleHeader + "Ana,ana@example.com,Sales,yes,,\n" + tt.row + "\n"
			_, err := read(t, "people.csv", content, Options{})
			var bad *BadRowsError
			if !errors.As(err, &bad) || len(bad.Rows) != 1 || bad.Rows[0].Row != 3 || !strings.Contains(bad.Rows[0].Reason, tt.part) {
				t.Fatalf("err %v, want row 3 with %q", err, tt.part)
			}
			p := mustRead(t, "people.csv", content, Options{SkipBadRows: true})
			if len(p.People) != 1 || !warned(p, "row 3", "left out") {
				t.Errorf("people %+v, warnings %v", p.People, p.Warnings)
			}
		})
	}
}

func TestReadPeopleWithJobTitle(t *testing.T) {
	p := mustRead(t, "hr.csv", "Name,Title,Email,Team\nAna,Head of Sales,ana@example.com,Sales\n", Options{})
	if p.Source != SourcePeople || len(p.People) != 1 || len(p.Items) != 0 || !warned(p, "row 1", "Title") {
		t.Errorf("programme %+v", p)
	}
}
