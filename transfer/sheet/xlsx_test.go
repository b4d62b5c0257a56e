package sheet

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/xuri/excelize/v2"
)

// workbook builds an .xlsx whose sheets hold rows; set may style cells.
func workbook(t *testing.T, sheets map[string][][]any, order []string, set func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, cells := range sheets[name] {
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetSheetRow(name, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	if set != nil {
		set(f)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readBytes(t *testing.T, name string, b []byte, opts Options) error {
	t.Helper()
	_, err := Read(name, bytes.NewReader(b), int64(len(b)), opts)
	return err
}

func TestReadXLSX(t *testing.T) {
	header := []any{"Ref", "Type", "Title", "Parent", "Owner", "Cycle", "Cycle Start", "Cycle End", "Metric", "Start", "Target", "Current"}
	rows := [][]any{
		header,
		{"O1", "Objective", "Grow", "", "ana@example.com", "Q1 2026", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
		{"K1", "Key result", "Conversion", "O1", "ana@example.com", "", "", "", "percent", 0.1, 0.3, 0.25},
		{"K2", "Key result", "Deals", "O1", "ana@example.com", "", "", "", "number", 0, 12.5, 3},
	}
	notes := [][]any{{"How to fill this workbook"}, {"One row per item"}}
	b := workbook(t, map[string][][]any{"Read me": notes, "OKRs": rows, "Copy": rows}, []string{"Read me", "OKRs", "Copy"}, func(f *excelize.File) {
		style, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("OKRs", "J3", "L3", style); err != nil {
			t.Fatal(err)
		}
	})
	p, err := Read("plan.xlsx", bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cycles) != 1 || !p.Cycles[0].Start.Equal(day(2026, 1, 1)) || !p.Cycles[0].End.Equal(day(2026, 4, 1)) {
		t.Errorf("cycles %+v", p.Cycles)
	}
	// Cells formatted 0% store 0.25 and show 25%: the value is 25.
	if k := item(t, p, "K1"); k.Metric != okrcore.MetricPercent || k.Start != 10 || k.Target != 30 || k.Current != 25 {
		t.Errorf("K1 %+v", k)
	}
	if k := item(t, p, "K2"); k.Target != 12.5 || k.Current != 3 {
		t.Errorf("K2 %+v", k)
	}
	if !warned(p, "", "only the first, \u201cOKRs\u201d") {
		t.Errorf("warnings %v", p.Warnings)
	}
	if p.Source != "okrbot-sheet:plan" {
		t.Errorf("source %q", p.Source)
	}
}

func TestReadXLSXBadRows(t *testing.T) {
	rows := [][]any{
		{"Name", "Email", "Team", "Lead"},
		{"Ana", "ana@example.com", "Sales", "yes"},
		{},
		{"Bo", "not an address", "Sales", ""},
	}
	b := workbook(t, map[string][][]any{"People": rows}, []string{"People"}, nil)
	err := readBytes(t, "people.xlsx", b, Options{})
	if err == nil || !strings.Contains(err.Error(), "row 4: ") {
		t.Fatalf("err %v, want row 4", err)
	}
}

// zipOf is a zip of the named parts.
func zipOf(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range parts {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a zip whose one part declares it unpacks to size bytes.
func bomb(t *testing.T, size uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	if _, err := w.Create("[Content_Types].xml"); err != nil {
		t.Fatal(err)
	}
	body := []byte{0x03, 0x00} // an empty deflate stream
	f, err := w.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(len(body)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadXLSXRefusals(t *testing.T) {
	good := workbook(t, map[string][][]any{"S": {{"Name", "Email"}, {"Ana", "ana@example.com"}}}, []string{"S"}, nil)
	tests := []struct {
		name string
		b    []byte
		part string
	}{
		{"zip bomb ratio", bomb(t, 8<<20), "zip bomb"},
		{"zip bomb total", bomb(t, 4<<30), "more than 1 GB"},
		{"not a workbook", zipOf(t, map[string]string{"users.json": "[]"}), "not an Excel workbook"},
		{"content types only", zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "not xml"}), "would not open"},
		{"cut short", good[:len(good)/2], "cut short"},
		{"no known header", workbook(t, map[string][][]any{"S": {{"Foo", "Bar"}, {"1", "2"}}}, []string{"S"}, nil), "no header row okrbot knows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readBytes(t, "plan.xlsx", tt.b, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.part) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want one line with %q", err, tt.part)
			}
			if _, ok := err.(*refusal); !ok {
				t.Errorf("err %T, want a refusal", err)
			}
		})
	}
}
