package vivagoals_test

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// warned reports whether a warning of record says says.
func warned(p *transfer.Programme, record, says string) bool {
	for _, w := range p.Warnings {
		if strings.HasPrefix(w.Record, record) && strings.Contains(w.Message, says) {
			return true
		}
	}
	return false
}

// Exports vary in how they write a value; each shape is read, and what
// okrbot cannot take as said is warned about.
func TestReadShapes(t *testing.T) {
	const objective = `{"ID": "o1", "Title": "Grow", "Type": "Big rock", "Owner": [{"ID": 1}], "Time Period": {"ID": 7, "Name": "Q3 2025"}}`
	for _, tc := range []struct {
		name                 string
		objectives, checkins string
		check                func(t *testing.T, p *transfer.Programme)
	}{
		{"ids as text, one owner, one team, a period by name",
			`[{"ID": "o1", "Title": "Grow", "Type": "Big rock", "Owner": {"ID": "1", "Name": "Ana"}, "Teams": {"ID": 5, "Name": "Nobody's"}, "Time Period": "Q3 2025"}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				it := itemByKey(t, p, "o1")
				if it.Owner.Person != "1" || it.Cycle != "7" || it.Owner.Team != "" {
					t.Errorf("read %+v", it)
				}
				if !warned(p, "objective o1", "its team, “Nobody's”, is not in the export") {
					t.Errorf("no warning of the missing team: %v", p.Warnings)
				}
			}},
		{"an owner by e-mail alone is the user",
			`[{"ID": 2, "Title": "Grow", "Type": "Big rock", "Owner": "ANA@example.com", "Time Period": {"ID": 7}}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				if it := itemByKey(t, p, "2"); it.Owner.Person != "1" || len(p.People) != 1 {
					t.Errorf("owner %q, %d people", it.Owner.Person, len(p.People))
				}
			}},
		{"weights as a fraction, a number and 0%",
			`[` + objective + `,
			{"ID": "k1", "Title": "A", "Type": "Kpi", "Alignment": [{"ID": "o1", "Weight": "0.25"}], "Outcome": {"Outcome Type": "Percentage"}},
			{"ID": "k2", "Title": "B", "Type": "Kpi", "Alignment": [{"ID": "o1", "Weight": 75}], "Outcome": {"Outcome Type": "Percentage"}},
			{"ID": "k3", "Title": "C", "Type": "Kpi", "Alignment": [{"ID": "o1", "Weight": "0%"}], "Outcome": {"Outcome Type": "Percentage"}}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				if a, b, c := itemByKey(t, p, "k1"), itemByKey(t, p, "k2"), itemByKey(t, p, "k3"); a.Weight != 0.25 || b.Weight != 0.75 || c.Weight != 0 || a.Parent != "o1" {
					t.Errorf("weights %v %v %v", a.Weight, b.Weight, c.Weight)
				}
				if !warned(p, "key result k3", "its weight is 0%") {
					t.Errorf("no warning of the 0%% weight: %v", p.Warnings)
				}
			}},
		{"two parents, the first kept",
			`[` + objective + `, {"ID": "o2", "Title": "Other", "Type": "Big rock"},
			{"ID": "k1", "Title": "A", "Type": "Kpi", "Parent IDs": ["o2", "o1"], "Outcome": {"Outcome Type": "Percentage"}}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				if k := itemByKey(t, p, "k1"); k.Parent != "o2" || !warned(p, "key result k1", "aligned to 2 OKRs") {
					t.Errorf("parent %q; %v", k.Parent, p.Warnings)
				}
			}},
		{"alignment in a loop",
			`[{"ID": "a", "Title": "A", "Type": "Big rock", "Parent IDs": ["b"]}, {"ID": "b", "Title": "B", "Type": "Big rock", "Parent IDs": "a"}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				a, b := itemByKey(t, p, "a"), itemByKey(t, p, "b")
				if (a.Parent == "") == (b.Parent == "") || !warned(p, "objective", "leads back to itself") {
					t.Errorf("parents %q %q; %v", a.Parent, b.Parent, p.Warnings)
				}
			}},
		{"measures that need mending",
			`[` + objective + `,
			{"ID": "k1", "Title": "No target", "Type": "Kpi", "Parent IDs": ["o1"], "Progress": 40, "Outcome": {"Outcome Type": "Metric", "Metric Unit": "deals"}},
			{"ID": "k2", "Title": "Flat", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Metric", "Start": 5, "Target": 5, "Target Type": "Increase to"}},
			{"ID": "k3", "Title": "Backwards", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Metric", "Start": 10, "Target": 4, "Target Type": "Increase to"}},
			{"ID": "k4", "Title": "Odd outcome", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Ratio", "Start": 0, "Target": 3}},
			{"ID": "k5", "Title": "No outcome", "Type": "Kpi", "Parent IDs": ["o1"], "Progress": "30"},
			{"ID": "k6", "Title": "Stay below", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Metric", "Start": 2, "Target": 5, "Target Type": "Stay below"}},
			{"ID": "k7", "Title": "Mystery", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Metric", "Start": 0, "Target": 5, "Target Type": "Stay between"}}]`, `[]`,
			func(t *testing.T, p *transfer.Programme) {
				for _, tc := range []struct {
					key           transfer.Key
					metric        okrcore.MetricKind
					start, target float64
					dir           okrcore.Direction
					current       float64
					says          string
				}{
					{"k1", okrcore.MetricPercent, 0, 100, okrcore.Increase, 40, "its metric has no target"},
					{"k2", okrcore.MetricNumber, 0, 5, okrcore.Increase, 0, "its start equals its target"},
					{"k3", okrcore.MetricNumber, 10, 4, okrcore.Decrease, 10, "on the other side of its start"},
					{"k4", okrcore.MetricNumber, 0, 3, okrcore.Increase, 0, "its outcome type, “Ratio”, is not one okrbot knows"},
					{"k5", okrcore.MetricPercent, 0, 100, okrcore.Increase, 30, ""},
					{"k6", okrcore.MetricNumber, 10, 5, okrcore.Decrease, 10, "“Stay below” 5, has no equivalent"},
					{"k7", okrcore.MetricNumber, 0, 5, okrcore.Increase, 0, "its target type, “Stay between”, is not one okrbot knows"},
				} {
					k := itemByKey(t, p, tc.key)
					if k.Metric != tc.metric || k.Start != tc.start || k.Target != tc.target || k.Direction != tc.dir || k.Current != tc.current {
						t.Errorf("%s measures %s %v→%v %s at %v; want %s %v→%v %s at %v", tc.key, k.Metric, k.Start, k.Target, k.Direction, k.Current, tc.metric, tc.start, tc.target, tc.dir, tc.current)
					}
					if tc.says != "" && !warned(p, "key result "+string(tc.key), tc.says) {
						t.Errorf("%s: no warning saying %q: %v", tc.key, tc.says, p.Warnings)
					}
				}
			}},
		{"check-ins of every shape",
			`[` + objective + `, {"ID": "k1", "Title": "A", "Type": "Kpi", "Parent IDs": ["o1"], "Outcome": {"Outcome Type": "Metric", "Start": 0, "Target": 10}}]`,
			`[{"ID": 1, "OKR ID": "k1", "CheckIn Date": "2025-07-07", "Check In Owner": "ana@example.com", "Current Value": "2.5", "Check In Note": "plain \"text\""},
			{"ID": 3, "OKR ID": "k1", "CheckIn Date": "2025-07-21", "Check In Owner": {"ID": 1}, "Current Value": 4, "Status": "on track"},
			{"ID": 2, "OKR ID": "k1", "Activity Date": "2025-07-14T10:00:00Z", "Check In Owner": {"Name": "Zed Gone"}, "Current Value": null, "Check In Note": {"Check In Note HTML": "<p>a\u00e9</p>"}},
			{"ID": 3, "OKR ID": "k1", "CheckIn Date": "2025-07-28", "Current Value": 9},
			{"ID": 4, "OKR ID": "k1", "CheckIn Date": "someday", "Current Value": 9},
			{"OKR ID": "", "CheckIn Date": "2025-07-28"}]`,
			func(t *testing.T, p *transfer.Programme) {
				if cs := checkInsOf(t, p); len(cs) != 3 {
					t.Fatalf("%d check-ins: %+v", len(cs), cs)
				}
				// A reading told to stop stops, and the next reads all.
				n := 0
				if err := p.EachCheckIn(func(*transfer.CheckIn) bool { n++; return false }); err != nil || n != 1 {
					t.Errorf("a reading told to stop at the first: %d read, %v", n, err)
				}
				a, b, c := checkInByKey(t, p, "1"), checkInByKey(t, p, "2"), checkInByKey(t, p, "3")
				if a.Author != "1" || a.Value != 2.5 || !a.HasValue || a.Note != `plain "text"` {
					t.Errorf("first %+v", a)
				}
				if b.HasValue || b.Note != "aé" || b.At.Hour() != 10 || b.Author != "name Zed Gone" {
					t.Errorf("second %+v", b)
				}
				if c.Status != okrcore.StatusOnTrack || c.Value != 4 {
					t.Errorf("third %+v", c)
				}
				// The latest check-in with a value is the current value.
				if k := itemByKey(t, p, "k1"); k.Current != 4 {
					t.Errorf("current %v, want 4", k.Current)
				}
				for _, w := range []struct{ record, says string }{
					{"check-in 2", "Zed Gone, is not among the export's Users"},
					{"check-in 3", "the ID of an earlier one (1, this one the first)"},
					{"check-in 4", "without a readable date (1, this one the first)"},
					{"a check-in of OKR ", "name no OKR"},
				} {
					if !warned(p, w.record, w.says) {
						t.Errorf("no warning of %s saying %q: %v", w.record, w.says, p.Warnings)
					}
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, mustRead(t, minimal(t, tc.objectives, tc.checkins)))
		})
	}
}

// What a zip holds besides the export's files is not read, and the files
// it can do without are warned about.
func TestReadFiles(t *testing.T) {
	p := mustRead(t, zipOf(t,
		file{"__MACOSX/._Users.json", "\x00\x05\x16\x07 not JSON"},
		file{"readme.txt", "hello"},
		file{"users.JSON", `[{"ID": 1, "Name": "Ana", "Email": "ana@example.com", "Status": "Deactivated"}]`},
		file{"Time_Periods.json", `[{"ID": 7, "Time Period Name": "Q3 2025", "Start Date": "2025-07-01", "End Date": "someday"}]`},
		file{"objectives-1.json", `[{"ID": 1, "Title": "One", "Type": "Big rock"}]`},
		file{"objectives-2.json", `[{"ID": 2, "Title": "Two", "Type": "Big rock"}, {"ID": 1, "Title": "Again", "Type": "Big rock"}]`},
	))
	if len(p.Items) != 2 || len(p.People) != 1 || !p.People[0].Left || len(p.Cycles) != 1 || !p.Cycles[0].End.IsZero() {
		t.Errorf("read %d items, people %+v, cycles %+v", len(p.Items), p.People, p.Cycles)
	}
	for _, w := range []struct{ record, says string }{
		{"", "no Teams file"},
		{"", "no checkins file"},
		{"objective 1", "another OKR has the same ID"},
		{"time period 7", "its end date, “someday”, is not a date okrbot can read"},
	} {
		if !warned(p, w.record, w.says) {
			t.Errorf("no warning of %q saying %q: %v", w.record, w.says, p.Warnings)
		}
	}
}
