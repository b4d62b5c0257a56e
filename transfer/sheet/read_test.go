package sheet

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

func read(t *testing.T, name, content string, opts Options) (*transfer.Programme, error) {
	t.Helper()
	return Read(name, strings.NewReader(content), int64(len(content)), opts)
}

func mustRead(t *testing.T, name, content string, opts Options) *transfer.Programme {
	t.Helper()
	p, err := read(t, name, content, opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return p
}

func item(t *testing.T, p *transfer.Programme, key transfer.Key) transfer.Item {
	t.Helper()
	for _, it := range p.Items {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no item %s among %d", key, len(p.Items))
	return transfer.Item{}
}

func warned(p *transfer.Programme, record, part string) bool {
	return slices.ContainsFunc(p.Warnings, func(w transfer.Warning) bool {
		return (record == "" || w.Record == record) && strings.Contains(w.Message, part)
	})
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReadTemplateExample(t *testing.T) {
	b, err := os.ReadFile("testdata/template-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := mustRead(t, "testdata/Template-Example.csv", string(b), Options{})
	if p.Source != "okrbot-sheet:template-example" {
		t.Errorf("source %q", p.Source)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
	if len(p.Cycles) != 1 || !p.Cycles[0].Start.Equal(day(2026, 1, 1)) || !p.Cycles[0].End.Equal(day(2026, 4, 1)) {
		t.Errorf("cycles %+v", p.Cycles)
	}
	tests := []struct {
		key    transfer.Key
		kind   transfer.ItemKind
		parent transfer.Key
		owner  transfer.Owner
		cycle  transfer.Key
		check  func(transfer.Item) bool
	}{
		{"O1", transfer.ItemObjective, "", transfer.Owner{Person: "ana@example.com", Team: "sales"}, "q1 2026", nil},
		{"KR1.1", transfer.ItemKeyResult, "O1", transfer.Owner{Person: "ana@example.com", Team: "sales"}, "q1 2026", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricNumber && it.Target == 40 && it.Current == 12 && it.Weight == 2 && it.Status == okrcore.StatusOnTrack && it.Unit == "customers"
		}},
		{"KR1.2", transfer.ItemKeyResult, "O1", transfer.Owner{Person: "bo@example.com", Team: "sales"}, "q1 2026", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricPercent && it.Start == 8 && it.Target == 4 && it.Direction == okrcore.Decrease && it.Status == okrcore.StatusAtRisk
		}},
		{"KR1.3", transfer.ItemKeyResult, "O1", transfer.Owner{Team: "operations"}, "q1 2026", func(it transfer.Item) bool {
			return it.Metric == okrcore.MetricMilestone && it.Target == 1 && it.Current == 0
		}},
		{"I1", transfer.ItemInitiative, "KR1.1", transfer.Owner{Person: "ana@example.com"}, "", nil},
		{"O2", transfer.ItemObjective, "KR1.1", transfer.Owner{Person: "cy@example.com", Team: "support"}, "q1 2026", nil},
		// A key result without a cycle is in its objective's.
		{"KR2.1", transfer.ItemKeyResult, "O2", transfer.Owner{Person: "cy@example.com", Team: "support"}, "q1 2026", func(it transfer.Item) bool {
			return it.Current == 14 && it.Direction == okrcore.Decrease
		}},
		{"KPI1", transfer.ItemKPI, "", transfer.Owner{Team: "sales"}, "", func(it transfer.Item) bool {
			return it.Current == 120000 && it.HealthyMin == 100000 && it.HealthyMax == 150000 && it.Unit == "€"
		}},
	}
	for _, tt := range tests {
		it := item(t, p, tt.key)
		if it.Kind != tt.kind || it.Parent != tt.parent || it.Owner != tt.owner || it.Cycle != tt.cycle {
			t.Errorf("%s: %+v", tt.key, it)
		}
		if tt.check != nil && !tt.check(it) {
			t.Errorf("%s: values %+v", tt.key, it)
		}
	}
	var names []string
	for _, per := range p.People {
		names = append(names, per.Name+"/"+string(per.Key))
	}
	if want := []string{"Ana Alves/ana@example.com", "Bo Berg/bo@example.com", "Cy Chen/cy@example.com"}; !slices.Equal(names, want) {
		t.Errorf("people %v, want %v", names, want)
	}
	members := map[transfer.Key][]transfer.Key{}
	for _, tm := range p.Teams {
		members[tm.Key] = tm.Members
	}
	if len(members) != 3 || !slices.Equal(members["sales"], []transfer.Key{"ana@example.com", "bo@example.com"}) ||
		!slices.Equal(members["support"], []transfer.Key{"cy@example.com"}) || len(members["operations"]) != 0 {
		t.Errorf("teams %+v", p.Teams)
	}
}

const templateHeader = "Ref,Type,Title,Parent,Owner,Cycle,Cycle Start,Cycle End,Metric,Start,Target,Current\n"

func TestReadBadRows(t *testing.T) {
	content := templateHeader +
		"O1,objective,Grow,,ana@example.com,Q1 2026,2026-01-01,2026-03-31,,,,\n" + // 2
		"K1,key rezult,Typo,O1,ana@example.com,,,,number,0,10,\n" + // 3: unknown type
		"K2,key result,Revenue,O1,ana@example.com,,,,number,0,ten,\n" + // 4: not a number
		"K3,key result,,O1,ana@example.com,,,,number,0,10,\n" + // 5: no title
		"K4,key result,Orphan,O9,ana@example.com,,,,number,0,10,\n" + // 6: no such parent
		"O2,objective,Later,,ana@example.com,Q2 2026,2026-04-01,2026-13-01,,,,\n" + // 7: not a date
		"I1,initiative,Under a typo,K1,ana@example.com,,,,,,,\n" + // 8: under a bad row
		"K5,key result,Fine,O1,bo@example.com,,,,percent,,,40\n" // 9
	tests := []struct {
		name string
		row  int
		part string
	}{
		{"unknown type", 3, "key rezult"},
		{"not a number", 4, "not a number"},
		{"no title", 5, "has no title"},
		{"no parent", 6, "O9"},
		{"not a date", 7, "not a date"},
		{"under a bad row", 8, "row 3"},
	}
	_, err := read(t, "plan.csv", content, Options{})
	var bad *BadRowsError
	if !errors.As(err, &bad) {
		t.Fatalf("err %v, want BadRowsError", err)
	}
	if len(bad.Rows) != len(tests) {
		t.Errorf("bad rows %v", bad.Rows)
	}
	if !strings.HasPrefix(err.Error(), "6 rows can't be read") || strings.Contains(err.Error(), "\n") {
		t.Errorf("message %q", err)
	}
	p := mustRead(t, "plan.csv", content, Options{SkipBadRows: true})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if i < len(bad.Rows) && (bad.Rows[i].Row != tt.row || !strings.Contains(bad.Rows[i].Reason, tt.part)) {
				t.Errorf("error %d: %v, want row %d with %q", i, bad.Rows[i], tt.row, tt.part)
			}
			if !warned(p, rowName(tt.row), tt.part) {
				t.Errorf("skipped: no warning for row %d with %q in %v", tt.row, tt.part, p.Warnings)
			}
		})
	}
	if len(p.Items) != 2 || item(t, p, "K5").Target != 100 || item(t, p, "K5").Current != 40 {
		t.Errorf("items %+v", p.Items)
	}
	if len(p.People) != 2 {
		t.Errorf("people %+v", p.People)
	}
}

func TestBadRowsErrorMessage(t *testing.T) {
	e := &BadRowsError{}
	for i := range 25 {
		e.Rows = append(e.Rows, RowError{Row: i + 2, Reason: "has no title"})
	}
	msg := e.Error()
	if !strings.Contains(msg, "row 21: has no title") || strings.Contains(msg, "row 22:") || !strings.HasSuffix(msg, "and 5 more") {
		t.Errorf("message %q", msg)
	}
}

func TestReadTemplateRowRules(t *testing.T) {
	base := "O1,objective,Grow,,ana@example.com,Q1 2026,2026-01-01,2026-03-31,,,,\n"
	tests := []struct {
		name, row, part string
	}{
		{"key result without objective", "K1,key result,Alone,,ana@example.com,,,,number,0,10,", "without its objective"},
		{"initiative under an objective", "I1,initiative,Work,O1,ana@example.com,,,,,,,", "can't sit under"},
		{"duplicate ref", "O1,objective,Again,,ana@example.com,Q1 2026,,,,,,", "also the Ref of row 2"},
		{"start equals target", "K1,key result,Flat,O1,ana@example.com,,,,number,5,5,", "equals the start"},
		{"number without target", "K1,key result,Open,O1,ana@example.com,,,,number,5,,", "without a target"},
		{"unknown metric", "K1,key result,Odd,O1,ana@example.com,,,,ratio,0,1,", "ratio"},
		{"cycle dates differ", "O2,objective,Other,,ana@example.com,Q1 2026,2026-01-01,2026-03-30,,,,", "row 2"},
		{"cycle start only", "O2,objective,Other,,ana@example.com,Q2 2026,2026-04-01,,,,,", "no Cycle End"},
		{"cycle ends first", "O2,objective,Other,,ana@example.com,Q2 2026,2026-04-01,2026-03-01,,,,", "before it starts"},
		{"key result in another cycle", "K1,key result,Moved,O1,ana@example.com,Q2 2026,,,number,0,10,", "its objective's cycle"},
		{"owner not an address", "K1,key result,Who,O1,ana@,,,,number,0,10,", "not a name or an e-mail"},
		{"own parent", "O2,objective,Loop,O2,ana@example.com,,,,,,,", "sits under itself"},
		{"no type", "X1,,Untyped,,ana@example.com,,,,,,,", "has no type"},
		{"title too long", "O2,objective," + strings.Repeat("a", okrcore.MaxTitle+1) + ",,ana@example.com,,,,,,,", "characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, "plan.csv", templateHeader+base+tt.row+"\n", Options{})
			var bad *BadRowsError
			if !errors.As(err, &bad) || len(bad.Rows) != 1 || bad.Rows[0].Row != 3 || !strings.Contains(bad.Rows[0].Reason, tt.part) {
				t.Fatalf("err %v, want row 3 with %q", err, tt.part)
			}
		})
	}
}

func TestReadCircularParents(t *testing.T) {
	content := templateHeader +
		"O1,objective,A,O2,ana@example.com,,,,,,,\n" +
		"O2,objective,B,O1,ana@example.com,,,,,,,\n"
	_, err := read(t, "plan.csv", content, Options{})
	var bad *BadRowsError
	if !errors.As(err, &bad) || len(bad.Rows) != 2 || !strings.Contains(bad.Rows[0].Reason, "back to itself") {
		t.Fatalf("err %v", err)
	}
}

func TestReadGuesses(t *testing.T) {
	content := templateHeader +
		"O3,,Untyped objective,,ana@example.com; bo@example.com,Q1 2026,,,,,,\n" +
		"KR4,key result,Guessed,O3,Ana,,,,,,,\n" +
		"KR5,key result,Late,O3,ana@example.com,,,,percent,,,\n"
	p := mustRead(t, "plan.csv", strings.Replace(content, "Current\n", "Current,Status\n", 1)+"KR6,key result,Paused,O3,ana@example.com,,,,,,,,Postponed\n", Options{})
	if it := item(t, p, "O3"); it.Kind != transfer.ItemObjective || !warned(p, "row 2", "as an objective") {
		t.Errorf("O3 %+v, warnings %v", it, p.Warnings)
	}
	if !warned(p, "row 2", "keeps one owner") {
		t.Errorf("no warning of two owners: %v", p.Warnings)
	}
	if it := item(t, p, "KR4"); it.Metric != okrcore.MetricPercent || it.Target != 100 {
		t.Errorf("KR4 %+v", it)
	}
	if it := item(t, p, "KR6"); it.Status != okrcore.StatusNone || !warned(p, "row 5", "Postponed") {
		t.Errorf("KR6 %+v, %v", it, p.Warnings)
	}
	// Row 2's second owner is not kept, and "Ana" by name alone is not
	// known to be ana@example.com: two people.
	if len(p.People) != 2 {
		t.Errorf("people %+v", p.People)
	}
}

func TestReadEncodingsAndSeparators(t *testing.T) {
	semicolon := "Ref;Type;Title;Parent;Owner;Cycle;Metric;Start;Target;Current\n" +
		"O1;objective;Grow;;ana@example.com;Q1 2026;;;;\n" +
		"K1;key result;Revenue;O1;ana@example.com;;currency;1.000,5;12,5;\"3,25\"\n"
	utf16 := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	tests := []struct {
		name, content string
		start, target float64
		note          string
	}{
		{"bom", "\ufeff" + templateHeader + "O1,objective,Grow,,ana@example.com,,,,,,,\nK1,key result,Revenue,O1,ana@example.com,,,,number,0,\"1,200.5\",3\n", 0, 1200.5, ""},
		{"semicolons and decimal commas", semicolon, 1000.5, 12.5, ""},
		{"sep line", "sep=;\n" + semicolon, 1000.5, 12.5, ""},
		{"utf-16 with tabs", utf16(strings.ReplaceAll(strings.ReplaceAll(semicolon, "\"", ""), ";", "\t")), 1000.5, 12.5, ""},
		{"windows-1252", templateHeader + "O1,objective,Gr\xf6\xdfer werden,,ana@example.com,,,,,,,\nK1,key result,Umsatz,O1,ana@example.com,,,,number,0,5,\n", 0, 5, "Windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustRead(t, "plan.csv", tt.content, Options{})
			k := item(t, p, "K1")
			if k.Start != tt.start || k.Target != tt.target {
				t.Errorf("start %v target %v, want %v %v", k.Start, k.Target, tt.start, tt.target)
			}
			if tt.note != "" && (!warned(p, "", tt.note) || item(t, p, "O1").Title != "Größer werden") {
				t.Errorf("warnings %v, title %q", p.Warnings, item(t, p, "O1").Title)
			}
		})
	}
}

func TestReadRowNumbers(t *testing.T) {
	// A cell over three lines is one row, a blank line an empty one: the
	// numbers are the ones a spreadsheet program shows.
	content := templateHeader +
		"O1,objective,\"Grow\nacross\nlines\",,ana@example.com,,,,,,,\n" + // row 2
		"\n" + // row 3
		"K1,key result,,O1,ana@example.com,,,,number,0,10,\n" // row 4
	_, err := read(t, "plan.csv", content, Options{})
	var bad *BadRowsError
	if !errors.As(err, &bad) || bad.Rows[0].Row != 4 {
		t.Fatalf("err %v, want row 4", err)
	}
	p := mustRead(t, "plan.csv", content, Options{SkipBadRows: true})
	if got := item(t, p, "O1").Title; got != "Grow\nacross\nlines" {
		t.Errorf("title %q", got)
	}
}

func TestReadDateOrder(t *testing.T) {
	tests := []struct {
		name, content string
		start         time.Time
		guess         bool
	}{
		{"day first said", templateHeader + "O1,objective,A,,a@example.com,Q1,13/01/2026,31/03/2026,,,,\n", day(2026, 1, 13), false},
		{"month first said", templateHeader + "O1,objective,A,,a@example.com,Q1,01/13/2026,03/31/2026,,,,\n", day(2026, 1, 13), false},
		{"ambiguous comma file", templateHeader + "O1,objective,A,,a@example.com,Q1,02/01/2026,03/01/2026,,,,\n", day(2026, 2, 1), true},
		{"ambiguous semicolon file", strings.ReplaceAll(templateHeader, ",", ";") + "O1;objective;A;;a@example.com;Q1;02/01/2026;03/01/2026;;;;\n", day(2026, 1, 2), true},
		{"iso", templateHeader + "O1,objective,A,,a@example.com,Q1,2026-01-02,2026-03-01,,,,\n", day(2026, 1, 2), false},
		{"words", templateHeader + "O1,objective,A,,a@example.com,Q1,2 Jan 2026,\"Mar 1, 2026\",,,,\n", day(2026, 1, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustRead(t, "plan.csv", tt.content, Options{})
			if !p.Cycles[0].Start.Equal(tt.start) {
				t.Errorf("start %v, want %v", p.Cycles[0].Start, tt.start)
			}
			if got := warned(p, "", "could be day/month"); got != tt.guess {
				t.Errorf("guess warned %v, want %v: %v", got, tt.guess, p.Warnings)
			}
		})
	}
}

func TestReadRefusals(t *testing.T) {
	tests := []struct {
		name, content, part string
	}{
		{"empty", "", "empty"},
		{"white space", " \n\n", "empty"},
		{"header only", templateHeader, "no rows below"},
		{"unknown header", "Foo,Bar\n1,2\n", "no header row okrbot knows"},
		{"bare quote", templateHeader + "O1,objective,Gr\"ow,,a@example.com,,,,,,,\n", "line 2"},
		{"open quote", templateHeader + "O1,objective,\"Grow,,a@example.com,,,,,,,\n", "never closed"},
		{"nul bytes", "Ref,Type,Title\x00\n", "bytes no text file has"},
		{"odd utf-16", "\xff\xfeR\x00e", "half a character"},
		{"old xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"},
		{"check-in export", bom + strings.Join(checkInColumns, ",") + "\n2026-01-12T09:00:00Z,KR1,Revenue,Ana,,1,0,,,\n", "check-ins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, "plan.csv", tt.content, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.part) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want one line with %q", err, tt.part)
			}
		})
	}
}

func TestReadMaxRows(t *testing.T) {
	content := templateHeader + strings.Repeat("O1,objective,A,,a@example.com,,,,,,,\n", 5)
	_, err := read(t, "plan.csv", content, Options{MaxRows: 3})
	if err == nil || !strings.Contains(err.Error(), "more than 3 rows") {
		t.Fatalf("err %v", err)
	}
}

func TestTemplateSource(t *testing.T) {
	tests := []struct{ name, want string }{
		{"plan.csv", "okrbot-sheet:plan"},
		{"plan.xlsx.csv", "okrbot-sheet:plan"},
		{"plan.v2.csv", "okrbot-sheet:plan.v2"},
		{"/home/ana/Q1 Plan.XLSX", "okrbot-sheet:q1 plan"},
		{`C:\Users\ana\plan.xlsx`, "okrbot-sheet:plan"},
		{"", "okrbot-sheet:"},
	}
	for _, tt := range tests {
		if got := TemplateSource(tt.name); got != tt.want {
			t.Errorf("TemplateSource(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
