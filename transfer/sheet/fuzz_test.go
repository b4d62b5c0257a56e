package sheet

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// checkRead holds for whatever Read makes of any input: a refusal written
// for people or a programme whose references all resolve.
func checkRead(t *testing.T, p *transfer.Programme, err error) {
	t.Helper()
	if err != nil {
		var r *refusal
		var b *BadRowsError
		if !errors.As(err, &r) && !errors.As(err, &b) {
			t.Fatalf("err %T %v is not a refusal", err, err)
		}
		if strings.ContainsAny(err.Error(), "\r") || (r != nil && strings.Contains(err.Error(), "\n")) {
			t.Fatalf("reason over several lines: %q", err)
		}
		return
	}
	people, teams, cycles, items := map[transfer.Key]bool{}, map[transfer.Key]bool{}, map[transfer.Key]bool{}, map[transfer.Key]transfer.ItemKind{}
	for _, x := range p.People {
		if x.Key == "" || people[x.Key] {
			t.Fatalf("person key %q empty or twice", x.Key)
		}
		people[x.Key] = true
	}
	for _, x := range p.Teams {
		if x.Key == "" || teams[x.Key] {
			t.Fatalf("team key %q empty or twice", x.Key)
		}
		teams[x.Key] = true
	}
	for _, x := range p.Cycles {
		if x.Key == "" || cycles[x.Key] || (!x.Start.IsZero() && !x.Start.Before(x.End)) {
			t.Fatalf("cycle %+v", x)
		}
		cycles[x.Key] = true
	}
	for _, it := range p.Items {
		if _, dup := items[it.Key]; it.Key != "" && dup {
			t.Fatalf("item key %q twice", it.Key)
		}
		items[it.Key] = it.Kind
		if it.Title == "" || okrcore.ValidNumber("", it.Start) != nil || okrcore.ValidNumber("", it.Target) != nil || okrcore.ValidNumber("", it.Current) != nil {
			t.Fatalf("item %+v", it)
		}
	}
	for _, it := range p.Items {
		if it.Parent != "" {
			if _, ok := items[it.Parent]; !ok {
				t.Fatalf("item %q under %q, which is not in the programme", it.Key, it.Parent)
			}
		}
		if (it.Owner.Person != "" && !people[it.Owner.Person]) || (it.Owner.Team != "" && !teams[it.Owner.Team]) || (it.Cycle != "" && !cycles[it.Cycle]) {
			t.Fatalf("item %+v refers to what is not there", it)
		}
	}
	for _, x := range p.Teams {
		for _, m := range append(x.Members, x.Lead) {
			if m != "" && !people[m] {
				t.Fatalf("team %+v refers to nobody", x)
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		templateHeader + "O1,objective,Grow,,ana@example.com,Q1 2026,2026-01-01,2026-03-31,,,,\nK1,key result,Rev,O1,ana,,,,number,0,10,5\n",
		"\ufeff" + explorerHeader + "1,Grow,Sales,Ana,ana@example.com,Q1,1/1/2026,3/31/2026,,,,,,Objective,,10,On Track\n2,KR,Sales,Ana,,Q1,,,,Grow,%,,,Key Result,,5,\n",
		"sep=;\nRef;Type;Title;Parent;Start;Target\nO1;O;A;;;\nK;KR;B;O1;1,5;2.000,25\n",
		peopleHeader + "Ana,ana@example.com,Sales,yes,Europe/Berlin,Co\nBo,,Sales,,,\n",
		"\xff\xfeN\x00a\x00m\x00e\x00\n\x00A\x00\n\x00",
		"Ref,Type,Title\n\"a\nb\",\"O\",\"x\"\"y\"\n\n,,\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, b []byte, skip bool) {
		p, err := Read("fuzz.csv", strings.NewReader(string(b)), int64(len(b)), Options{SkipBadRows: skip, MaxRows: 2000})
		checkRead(t, p, err)
	})
}

// FuzzTemplateRow feeds the row reader cells of every kind, past the
// text layer, with a parent row for them to sit under. The cells come as
// one string split at "|": one argument keeps the fuzzer's minimising
// quick.
func FuzzTemplateRow(f *testing.F) {
	f.Add("K1|key result|Revenue|O1|Ana <ana@example.com>|Q1|2026-01-01|2026-03-31|number|0|1,5|50%|down|on track", false)
	f.Add("O2|objective|x|K1|team:Sales||1/2/26|13/2/26|||||up|postponed", true)
	f.Add("|kpi|Uptime|O1|a@b.c; d@e.f|||||1e3|-5|x||", false)
	f.Add("X|milestone|Ship|O1|ana||||milestone||||done", true)
	header := []string{"Ref", "Type", "Title", "Parent", "Owner", "Cycle", "Cycle Start", "Cycle End", "Metric", "Start", "Target", "Current", "Direction", "Status"}
	f.Fuzz(func(t *testing.T, line string, decimalComma bool) {
		cells := strings.SplitN(line, "|", len(header))
		tb := &table{decimalComma: decimalComma, rows: []row{
			{n: 1, cells: header},
			{n: 2, cells: []string{"O1", "objective", "Parent", "", "ana@example.com", "Q1"}},
			{n: 3, cells: cells, raw: cells[:min(len(cells), 12)]},
		}}
		p, bad, err := readKind("fuzz.csv", tb)
		if err == nil && len(bad) > 0 {
			err = &BadRowsError{Rows: bad}
		}
		checkRead(t, p, err)
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"12", "12,5", "1.234,5", "1,234.5", "45%", "$1,200", "€ 12", "-3", "1e3", ".5", "1,2,3", "0x10", "NaN", "1 000"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, decimalComma bool) {
		n, ok := parseNumber(s, decimalComma)
		if !ok {
			return
		}
		if math.IsNaN(n.v) || math.IsInf(n.v, 0) || okrcore.ValidNumber("", n.v) != nil {
			t.Fatalf("parseNumber(%q) = %v", s, n.v)
		}
		if !strings.ContainsAny(s, "0123456789") {
			t.Fatalf("parseNumber(%q) = %v without a digit", s, n.v)
		}
	})
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		s            string
		decimalComma bool
		want         float64
		ok           bool
	}{
		{"12", false, 12, true},
		{"12.5", false, 12.5, true},
		{"1,200.50", false, 1200.5, true},
		{"12,5", false, 0, false},
		{"12,5", true, 12.5, true},
		{"1.200,5", true, 1200.5, true},
		{"1.5", true, 1.5, true},
		{"45%", false, 45, true},
		{"$1,200", false, 1200, true},
		{"€\u00a012,5", true, 12.5, true},
		{"1\u202f000", false, 1000, true},
		{"-3", false, -3, true},
		{"1e3", false, 1000, true},
		{"0x10", false, 0, false},
		{"NaN", false, 0, false},
		{"Inf", false, 0, false},
		{"1e400", false, 0, false},
		{"ten", false, 0, false},
		{"", false, 0, false},
	}
	for _, tt := range tests {
		n, ok := parseNumber(tt.s, tt.decimalComma)
		if ok != tt.ok || (ok && n.v != tt.want) {
			t.Errorf("parseNumber(%q, %v) = %v %v, want %v %v", tt.s, tt.decimalComma, n.v, ok, tt.want, tt.ok)
		}
	}
}

// FuzzReadXLSX mutates a small workbook: whatever the zip or its XML
// becomes, Read refuses it with a sentence or reads it.
func FuzzReadXLSX(f *testing.F) {
	t := &testing.T{}
	f.Add(workbook(t, map[string][][]any{"OKRs": {
		{"Ref", "Type", "Title", "Parent", "Owner", "Cycle Start", "Cycle End", "Start", "Target"},
		{"O1", "objective", "Grow", "", "ana@example.com", 46023, 46112},
		{"K1", "key result", "Rev", "O1", "ana@example.com", "", "", 0.1, 0.5},
	}}, []string{"OKRs"}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Read("fuzz.xlsx", bytes.NewReader(b), int64(len(b)), Options{MaxRows: 2000})
		checkRead(t, p, err)
	})
}
