package vivagoalstest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// Every file a good export holds is a JSON list of objects.
func TestBuildWritesJSONLists(t *testing.T) {
	for _, s := range []Spec{{}, {Seed: 9, People: 30, Objectives: 10, KeyResults: 25, Projects: 4, CheckInsPerKR: 3, Folder: "a/b"}} {
		var buf bytes.Buffer
		if err := Build(&buf, s); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			var list []map[string]any
			if err := json.Unmarshal(b, &list); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			name := f.Name[strings.LastIndexByte(f.Name, '/')+1:]
			counts[name] = len(list)
		}
		want := s.Totals()
		if counts["Users.json"] != want.People-1 || counts["Teams.json"] != want.Teams || counts["TimePeriods.json"] != want.Cycles {
			t.Errorf("spec %+v wrote %v, want %+v", s, counts, want)
		}
		// The realistic export's 64 check-ins, four of which the reader
		// leaves out, and the generated ones.
		if counts["checkins.json"] != want.CheckIns+4 {
			t.Errorf("spec %+v wrote %d check-ins, want %d", s, counts["checkins.json"], want.CheckIns+4)
		}
	}
}

func TestBuildFaults(t *testing.T) {
	good := build(t, Spec{})
	for _, tc := range []struct {
		fault Fault
		check func([]byte) bool
	}{
		{NotZip, func(b []byte) bool { return !bytes.HasPrefix(b, []byte("PK")) }},
		{Truncated, func(b []byte) bool { return len(b) == len(good)/2 && bytes.Equal(b, good[:len(b)]) }},
		{EscapingPath, func(b []byte) bool { return bytes.Contains(b, []byte("../escaped/objectives.json")) }},
		{MissingFile, func(b []byte) bool { return !bytes.Contains(b, []byte("objectives.json")) }},
		{MalformedJSON, func(b []byte) bool { return bytes.Contains(b, []byte("objectives.json")) && len(b) < len(good) }},
		{ZipBomb, func(b []byte) bool { return len(b) < 1<<20 && len(b) > 0 }},
	} {
		if b := build(t, Spec{Fault: tc.fault}); !tc.check(b) {
			t.Errorf("fault %d wrote %d bytes not of its kind", tc.fault, len(b))
		}
	}
}

func build(t *testing.T, s Spec) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Build(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
