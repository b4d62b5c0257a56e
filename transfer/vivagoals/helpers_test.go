package vivagoals_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/vivagoals"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// file is one entry of a zip a test makes.
type file struct{ name, body string }

// zipOf makes a zip of files, in order.
func zipOf(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// minimal is the least an export holds, with objectives and check-ins as
// given.
func minimal(t testing.TB, objectives, checkins string) []byte {
	t.Helper()
	return zipOf(t,
		file{"export/Users.json", `[{"ID": 1, "Name": "Ana", "Email": "ana@example.com"}]`},
		file{"export/TimePeriods.json", `[{"ID": 7, "Time Period Name": "Q3 2025", "Start Date": "2025-07-01", "End Date": "2025-09-30"}]`},
		file{"export/Teams.json", `[]`},
		file{"export/objectives.json", objectives},
		file{"export/checkins.json", checkins},
	)
}

func build(t testing.TB, s vivagoalstest.Spec) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := vivagoalstest.Build(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(b []byte, lim vivagoals.Limits) (*transfer.Programme, error) {
	return vivagoals.Read(bytes.NewReader(b), int64(len(b)), lim)
}

func mustRead(t testing.TB, b []byte) *transfer.Programme {
	t.Helper()
	p, err := read(b, vivagoals.DefaultLimits())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return p
}

func itemByKey(t testing.TB, p *transfer.Programme, key transfer.Key) transfer.Item {
	t.Helper()
	for _, it := range p.Items {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no item %s", key)
	return transfer.Item{}
}

func checkInByKey(t testing.TB, p *transfer.Programme, key transfer.Key) transfer.CheckIn {
	t.Helper()
	for _, c := range checkInsOf(t, p) {
		if c.Key == key {
			return c
		}
	}
	t.Fatalf("no check-in %s", key)
	return transfer.CheckIn{}
}

func ptr(v float64) *float64 { return &v }

// checkInsOf reads the check-ins of p, which the reader reads again from
// the file, and checks they are as many as it says.
func checkInsOf(t testing.TB, p *transfer.Programme) []transfer.CheckIn {
	t.Helper()
	var cs []transfer.CheckIn
	if err := p.EachCheckIn(func(c *transfer.CheckIn) bool {
		cs = append(cs, *c)
		return true
	}); err != nil {
		t.Fatalf("read the check-ins again: %v", err)
	}
	if len(cs) != p.NumCheckIns() {
		t.Fatalf("read %d check-ins again, of %d", len(cs), p.NumCheckIns())
	}
	return cs
}
