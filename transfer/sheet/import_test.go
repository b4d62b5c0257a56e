package sheet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/transfer"
)

func openStore(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

func importFile(t *testing.T, db *bolt.DB, name string, b []byte) *transfer.Summary {
	t.Helper()
	p, err := Read(name, bytes.NewReader(b), int64(len(b)), Options{})
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	sum, err := transfer.Import(context.Background(), db, p, transfer.Options{Workspace: "acme", Platform: "slack", Now: now})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return sum
}

// exportCSV is the workspace as WriteOKRs writes it.
func exportCSV(t *testing.T, db *bolt.DB) []byte {
	t.Helper()
	var j bytes.Buffer
	if err := transfer.Export(context.Background(), db, "acme", "", &j, nil); err != nil {
		t.Fatal(err)
	}
	d, err := transfer.ReadDocument(&j, 0)
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := WriteOKRs(&c, d, now); err != nil {
		t.Fatal(err)
	}
	return c.Bytes()
}

// TestImportTemplate takes the worked example through the real import:
// what it creates, that a second import changes nothing, and that its CSV
// export imported into an empty database exports the same again.
func TestImportTemplate(t *testing.T) {
	b, err := os.ReadFile("testdata/template-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	db := openStore(t)
	sum := importFile(t, db, "template-example.csv", b)
	want := map[transfer.Kind]int{transfer.KindCycle: 1, transfer.KindTeam: 3, transfer.KindPerson: 3, transfer.KindObjective: 2,
		transfer.KindKeyResult: 4, transfer.KindKPI: 1, transfer.KindInitiative: 1}
	for kind, n := range want {
		if got := sum.Counts[kind].Created; got != n {
			t.Errorf("%s created %d, want %d (%v)", kind, got, n, sum.Counts)
		}
	}
	first := exportCSV(t, db)
	again := importFile(t, db, "template-example.csv", b)
	for _, kind := range transfer.Kinds() {
		if c := again.Counts[kind]; c.Created != 0 || c.Updated != 0 {
			t.Errorf("second import: %s %+v", kind, c)
		}
	}
	if second := exportCSV(t, db); !bytes.Equal(first, second) {
		t.Errorf("export changed after the second import:\n%s\n%s", first, second)
	}
	// The same rows as a workbook of the same name are the same file.
	var rows [][]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var cells []any
		for _, c := range strings.Split(line, ",") {
			cells = append(cells, c)
		}
		rows = append(rows, cells)
	}
	x := workbook(t, map[string][][]any{"OKRs": rows}, []string{"OKRs"}, nil)
	if sum := importFile(t, db, "Template-Example.xlsx", x); sum.Counts[transfer.KindObjective] != (transfer.Count{Unchanged: 2}) {
		t.Errorf("the workbook: %v", sum.Counts)
	}
	other := openStore(t)
	importFile(t, other, "export.csv", first)
	if got := exportCSV(t, other); !bytes.Equal(got, first) {
		t.Errorf("export → import → export differs:\n%s\nwant\n%s", got, first)
	}
}

func TestImportTwice(t *testing.T) {
	tests := []struct {
		name, content string
		kind          transfer.Kind
		n             int
	}{
		{"explorer", explorerHeader +
			"101,Grow,Leadership,Ana Alves,ana@example.com,Q1 2026,1/1/2026,3/31/2026,,,,,,Objective,,40,On Track\n" +
			"102,Revenue,Leadership,Ana Alves,ana@example.com,Q1 2026,1/1/2026,3/31/2026,,101,$,0,1000,Key Result,,25,Behind\n" +
			"103,CRM,Leadership,Ana Alves,,,,,,102,,,,Project,,100,Completed\n", transfer.KindKeyResult, 1},
		{"people", peopleHeader + "Ana Alves,ana@example.com,Sales,yes,Europe/Lisbon,Company\nBo Berg,bo@example.com,Sales,,,\n", transfer.KindPerson, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openStore(t)
			if sum := importFile(t, db, tt.name+".csv", []byte(tt.content)); sum.Counts[tt.kind].Created != tt.n {
				t.Fatalf("first import %v", sum.Counts)
			}
			again := importFile(t, db, tt.name+".csv", []byte(tt.content))
			for _, kind := range transfer.Kinds() {
				if c := again.Counts[kind]; c.Created != 0 || c.Updated != 0 {
					t.Errorf("second import: %s %+v", kind, c)
				}
			}
		})
	}
}
