package sheet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	other := openStore(t)
	importFile(t, other, "export.csv", first)
	if got := exportCSV(t, other); !bytes.Equal(got, first) {
		t.Errorf("export → import → export differs:\n%s\nwant\n%s", got, first)
	}
}
