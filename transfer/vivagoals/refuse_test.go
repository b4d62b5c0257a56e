package vivagoals_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer/vivagoals"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// stored makes a zip whose entries are stored, not compressed, so that a
// test can change their bytes in place.
func stored(t *testing.T, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store})
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

func TestReadRefuses(t *testing.T) {
	fixture := build(t, vivagoalstest.Spec{})
	kit := func(f vivagoalstest.Fault) func(*testing.T) []byte {
		return func(t *testing.T) []byte { return build(t, vivagoalstest.Spec{Fault: f}) }
	}
	objectives := func(body string) func(*testing.T) []byte {
		return func(t *testing.T) []byte { return minimal(t, body, "[]") }
	}
	checkins := func(body string) func(*testing.T) []byte {
		return func(t *testing.T) []byte { return minimal(t, "[]", body) }
	}
	with := func(name string) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			return zipOf(t, file{"Users.json", "[]"}, file{"TimePeriods.json", "[]"}, file{"objectives.json", "[]"}, file{name, "[]"})
		}
	}
	def := vivagoals.DefaultLimits()
	limited := func(f func(*vivagoals.Limits)) vivagoals.Limits {
		l := def
		f(&l)
		return l
	}
	for _, tc := range []struct {
		name string
		file func(*testing.T) []byte
		lim  vivagoals.Limits
		says []string
	}{
		{"not a zip", kit(vivagoalstest.NotZip), def, []string{"This file is not a zip archive"}},
		{"empty file", func(*testing.T) []byte { return nil }, def, []string{"not a zip archive"}},
		{"truncated", kit(vivagoalstest.Truncated), def, []string{"This zip file is cut short or damaged"}},
		{"climbing path", kit(vivagoalstest.EscapingPath), def, []string{"climbs out of the archive", `"../escaped/objectives.json"`}},
		{"absolute path", with("/etc/cron.d/objectives.json"), def, []string{"is absolute"}},
		{"backslash", with(`export\..\..\objectives.json`), def, []string{"contains a backslash"}},
		{"drive", with("C:/Windows/Users.json"), def, []string{"names a drive"}},
		{"missing file", kit(vivagoalstest.MissingFile), def, []string{"not a Viva Goals data export", "no objectives file"}},
		{"none of the files", func(t *testing.T) []byte { return zipOf(t, file{"notes.txt", "hello"}) }, def, []string{"no Users, TimePeriods, objectives file"}},
		{"malformed JSON", kit(vivagoalstest.MalformedJSON), def, []string{"objectives.json is not valid JSON", "line 3, column 10", "a quote"}},
		{"zip bomb", kit(vivagoalstest.ZipBomb), def, []string{"checkins.json", "inflates more than 100 times", "zip bomb"}},
		{"over the total", func(*testing.T) []byte { return fixture }, limited(func(l *vivagoals.Limits) { l.MaxUncompressedBytes = 2000 }), []string{"inflates to more than 2 KB", "zip bomb"}},
		{"too many entries", func(*testing.T) []byte { return fixture }, limited(func(l *vivagoals.Limits) { l.MaxEntries = 3 }), []string{"holds 5 files, more than the 3"}},
		{"too large", func(*testing.T) []byte { return fixture }, limited(func(l *vivagoals.Limits) { l.MaxFileBytes = 1000 }), []string{"larger than the 1 KB an import accepts"}},
		{"record too large", checkins(`[{"ID": 1, "OKR ID": 2, "Check In Note": "` + strings.Repeat("ab", 1<<20) + `"}]`),
			limited(func(l *vivagoals.Limits) { l.MaxRecordBytes = 1 << 10 }), []string{"One record in export/checkins.json is larger than 1 KB"}},
		{"not a list", objectives(`{"objectives": []}`), def, []string{"should hold a list of records, starting with ["}},
		{"data after the list", objectives("[]\n[]"), def, []string{"something follows its list, at line 2, column 1"}},
		{"cut JSON", objectives("[\n{\"ID\": 1, \"Title\": \"Grow\""), def, []string{"ends in the middle of a record (line 2)"}},
		{"empty JSON", objectives(""), def, []string{"objectives.json is not valid JSON"}},
		{"text for a number", objectives("[\n{\"ID\": 1,\n \"Title\": \"x\", \"Progress\": {}}]"), def, []string{"in the record at line 2", "“Progress” is an object, where a number belongs"}},
		{"number for text", objectives("[{\"ID\": 1,\n\"Title\": 5}]"), def, []string{"at line 2, column 10", "“Title” is a number, where text belongs"}},
		{"bad ID", objectives(`[{"ID": true}]`), def, []string{"“ID” is true or false, where an ID (a number or text) belongs"}},
		{"check-in not an object", checkins("[\n 7]"), def, []string{"in the record at line 2", "a check-in"}},
		{"unknown compression", func(t *testing.T) []byte {
			b := stored(t, file{"Users.json", "[]"}, file{"TimePeriods.json", "[]"}, file{"objectives.json", "[]"})
			// The method is at byte 8 of a local header, 10 of a central one.
			for sig, at := range map[string]int{"PK\x03\x04": 8, "PK\x01\x02": 10} {
				for i := bytes.Index(b, []byte(sig)); i >= 0; {
					b[i+at], b[i+at+1] = 99, 0
					j := bytes.Index(b[i+4:], []byte(sig))
					if j < 0 {
						break
					}
					i += 4 + j
				}
			}
			return b
		}, def, []string{"compressed in a way zip readers do not support"}},
		{"damaged entry", func(t *testing.T) []byte {
			b := stored(t, file{"Users.json", `[{"ID": 1, "Name": "Ana"}]`}, file{"TimePeriods.json", "[]"}, file{"objectives.json", "[]"})
			i := bytes.Index(b, []byte("Ana"))
			b[i] = 'B' // still JSON, but no longer what the checksum says
			return b
		}, def, []string{"The file Users.json in the zip is damaged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := read(tc.file(t), tc.lim)
			if err == nil {
				t.Fatalf("read it, %d items", len(p.Items))
			}
			if p != nil {
				t.Error("a refusal returned a programme too")
			}
			if okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
				t.Errorf("error %v is not a refusal", err)
			}
			msg := okrcore.ErrorMessage(err)
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("reason %q does not say %q", msg, s)
				}
			}
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 400 {
				t.Errorf("reason %q is not one line", msg)
			}
		})
	}
}

// The default limits take the realistic export and real-sized ones; the
// benchmark reads the 10,000-person export with them.
func TestDefaultLimitsTakeRealExports(t *testing.T) {
	lim := vivagoals.DefaultLimits()
	if lim.MaxFileBytes < 1<<30 || lim.MaxUncompressedBytes < 8<<30 || lim.MaxRatio < 50 || lim.MaxRatio > 500 || lim.MaxEntries < 100 || lim.MaxRecordBytes < 1<<20 {
		t.Errorf("default limits %+v do not leave room for a 50,000-person export or let a bomb through", lim)
	}
	mustRead(t, build(t, vivagoalstest.Spec{Folder: "Contoso/export 2025-12-01"}))
}
