package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// okrbotRun runs okrbot with args and env, with nothing on standard input.
func okrbotRun(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

// demoDB makes a database holding the demo organisation in workspace
// local.
func demoDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, stderr := okrbotRun(t, nil, "--demo", "--db", db); code != 0 {
		t.Fatalf("seed the demo: exit %d: %s", code, stderr)
	}
	return db
}

// twoWorkspaceDB makes a database with two empty workspaces.
func twoWorkspaceDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "two.db")
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := bot.EnsureWorkspace(tx, "T1", "slack", now); err != nil {
			return err
		}
		return bot.EnsureWorkspace(tx, "acme", "teams", now)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// exportOf is okrbot export of the database's one workspace, as JSON.
func exportOf(t *testing.T, db string, args ...string) []byte {
	t.Helper()
	code, out, stderr := okrbotRun(t, nil, append([]string{"export", "-", "--db", db}, args...)...)
	if code != 0 {
		t.Fatalf("export %s: exit %d: %s", db, code, stderr)
	}
	return []byte(out)
}

// fingerprint is what the database holds: the export of each of its
// workspaces, in order.
func fingerprint(t *testing.T, path string) []byte {
	t.Helper()
	db, err := openBackend(path, openOptions{readOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wss, err := workspacesOf(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, w := range wss {
		if err := transfer.Export(context.Background(), db, w.ID, "", &b, nil); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// writeFile writes a file into dir and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// countLines are a summary's lines of counts, in order, without the
// counts of none: "objectives: 3 created, 0 updated, 1 unchanged" is
// "objectives: 3 created, 1 unchanged".
func countLines(out string) []string {
	var lines []string
	for line := range strings.Lines(out) {
		for _, k := range transfer.Kinds() {
			counts, ok := strings.CutPrefix(strings.TrimSpace(line), string(k)+": ")
			if !ok {
				continue
			}
			var some []string
			for _, c := range strings.Split(counts, ", ") {
				if !strings.HasPrefix(c, "0 ") {
					some = append(some, c)
				}
			}
			lines = append(lines, string(k)+": "+strings.Join(some, ", "))
		}
	}
	return lines
}

// checkNothingChanged wants a summary in which every record is unchanged.
func checkNothingChanged(t *testing.T, out string) {
	t.Helper()
	lines := countLines(out)
	if len(lines) == 0 {
		t.Errorf("the summary counts nothing:\n%s", out)
	}
	for _, line := range lines {
		if strings.Contains(line, "created") || strings.Contains(line, "updated") {
			t.Errorf("a second import changed something: %q\n%s", line, out)
		}
	}
}

// oneLineRefusal checks that stderr is one line from okrbot.
func oneLineRefusal(t *testing.T, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "okrbot: ") {
		t.Errorf("want one line from okrbot, got %q", stderr)
	}
}

func TestImportRefusals(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, dir, "okrs.csv", []byte("Id,Title,Owner\n1,Grow,alice@example.com\n"))
	export := writeFile(t, dir, "export.json", exportOf(t, demoDB(t)))
	viva := vivagoalstest.Zip(t, map[string]string{"Users.json": "[]", "objectives.json": "[]"})
	vivaWith := func(name, body string) string {
		files := map[string]string{"TimePeriods.json": "[]", "Users.json": "[]", "Teams.json": "[]", "objectives.json": "[]", "checkins.json": "[]"}
		files[name] = body
		return writeFile(t, t.TempDir(), "export.zip", vivagoalstest.Zip(t, files))
	}
	bomb := vivaWith("objectives.json", "["+strings.Repeat(" ", 8<<20)+"]")
	escaping := vivaWith("../../objectives.json", "[]")
	broken := vivaWith("checkins.json", `[{"ID": 1, "OKR ID": `)
	notViva := writeFile(t, dir, "photos.zip", vivagoalstest.Zip(t, map[string]string{"IMG_0001.json": "{}"}))
	newWS := []string{"--workspace", "T1", "--platform", "slack"}
	badRow := writeFile(t, dir, "template.csv", []byte(templateWithABadRow))
	slack := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	both := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TENANT_ID": "t"}
	tests := []struct {
		name string
		db   func(t *testing.T) string // "" for none yet
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"too big", nil, nil, []string{csv, "--import-max-bytes", "10"}, 1, "okrs.csv is 40 bytes, over the import limit of 10 bytes; nothing was imported"},
		{"too big by the environment", nil, map[string]string{"OKRBOT_IMPORT_MAX_BYTES": "12"}, []string{csv}, 1, "over the import limit of 12 bytes"},
		{"limit not a number", nil, map[string]string{"OKRBOT_IMPORT_MAX_BYTES": "lots"}, []string{csv}, 2, `OKRBOT_IMPORT_MAX_BYTES "lots" is not a whole number`},
		{"limit zero", nil, nil, []string{csv, "--import-max-bytes", "0"}, 2, "must be at least 1 byte"},
		{"missing file", nil, nil, []string{filepath.Join(dir, "nope.zip")}, 1, "cannot read"},
		{"directory", nil, nil, []string{dir}, 1, "is a directory"},
		{"empty file", nil, nil, []string{writeFile(t, dir, "empty.csv", nil)}, 1, "is empty: there is nothing to import"},
		{"other JSON", nil, nil, []string{writeFile(t, dir, "objectives.json", []byte(`[{"ID":"1"}]`))}, 1, "is JSON but not an okrbot export"},
		{"binary", nil, nil, []string{writeFile(t, dir, "a.out", []byte{0x7f, 'E', 'L', 'F', 0, 1})}, 1, "not a file okrbot can import"},
		{"zip cut short", nil, nil, []string{writeFile(t, dir, "cut.zip", viva[:len(viva)/2])}, 1, "cut short"},
		{"zip bomb", nil, nil, append([]string{bomb}, newWS...), 1, "inflates more than 100 times, which no real export does; it looks like a zip bomb"},
		{"path out of the zip", nil, nil, append([]string{escaping}, newWS...), 1, `climbs out of the archive with ..`},
		{"malformed JSON", nil, nil, append([]string{broken}, newWS...), 1, "is not valid JSON: it ends in the middle of a record"},
		{"not a Viva Goals zip", nil, nil, append([]string{notViva}, newWS...), 1, "This zip is not a Viva Goals data export"},
		{"cut-off okrbot export", nil, nil, []string{writeFile(t, dir, "cut.json", []byte(`{"format":"okrbot-export","version":1,"workspace":{"id":"local"`))}, 1, "cut.json: The export is cut off"},
		{"a row in error", nil, nil, append([]string{badRow}, newWS...), 1,
			"template.csv: 1 row can't be read (correct them, or import the other rows with --skip-bad-rows): row 4: Target says “lots”, which is not a number. Nothing was imported."},
		{"bad format", nil, nil, []string{csv, "--format", "pdf"}, 2, `--format "pdf"`},
		{"bad platform", nil, nil, []string{csv, "--platform", "irc"}, 2, `--platform "irc"`},
		{"export flags", nil, nil, []string{csv, "--cycle", "Q1"}, 2, "are for okrbot export"},
		{"no file", nil, nil, nil, 2, "usage: okrbot import"},
		{"unknown workspace", demoDB, nil, []string{export, "--workspace", "nope"}, 1, `the database has no workspace "nope"; it holds local (shell)`},
		{"several workspaces", twoWorkspaceDB, nil, []string{export}, 1, "the database holds 2 workspaces: T1 (slack), acme (teams); say which"},
		{"none yet on slack", nil, slack, []string{csv}, 1, "say which to create with --workspace ID (the id /okr whoami shows in Slack)"},
		{"none yet on both", nil, both, []string{csv, "--workspace", "acme"}, 1, "both Slack and Teams are configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "new.db")
			var before []byte
			if tt.db != nil {
				db = tt.db(t)
				before = fingerprint(t, db)
			}
			code, stdout, stderr := okrbotRun(t, tt.env, append(append([]string{"import"}, tt.args...), "--db", db)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q (stdout %q)", code, stderr, tt.code, tt.want, stdout)
			}
			oneLineRefusal(t, stderr)
			_, err := os.Stat(db)
			switch {
			case tt.db == nil && err == nil:
				t.Errorf("a refused import left a database behind")
			case tt.db != nil && !bytes.Equal(before, fingerprint(t, db)):
				t.Errorf("a refused import changed the database")
			}
		})
	}
}

func TestExportRefusals(t *testing.T) {
	demo := demoDB(t)
	tests := []struct {
		name string
		db   string
		args []string
		code int
		want string
	}{
		{"no database", filepath.Join(t.TempDir(), "none.db"), []string{"-"}, 1, "no database at"},
		{"unknown workspace", demo, []string{"-", "--workspace", "T9"}, 1, `the database has no workspace "T9"; it holds local (shell)`},
		{"several workspaces", twoWorkspaceDB(t), []string{"-"}, 1, "say which to export with --workspace ID"},
		{"unknown cycle", demo, []string{"-", "--cycle", "Q7 1999"}, 1, `workspace local has no cycle "Q7 1999"; its cycles are`},
		{"check-ins as JSON", demo, []string{"-", "--what", "checkins"}, 2, "--what checkins is for --format csv"},
		{"bad format", demo, []string{"-", "--format", "xml"}, 2, `--format "xml": okrbot export writes json or csv`},
		{"bad what", demo, []string{"-", "--format", "csv", "--what", "people"}, 2, `--what "people"`},
		{"import flags", demo, []string{"-", "--dry-run"}, 2, "are for okrbot import"},
		{"into a directory", demo, []string{t.TempDir()}, 1, "is a directory"},
		{"no file", demo, nil, 2, "usage: okrbot export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := okrbotRun(t, nil, append(append([]string{"export"}, tt.args...), "--db", tt.db)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			oneLineRefusal(t, stderr)
			if stdout != "" {
				t.Errorf("a refused export wrote %q", stdout)
			}
		})
	}
}

func TestExportToAFileReplacesItOnlyWhenDone(t *testing.T) {
	demo := demoDB(t)
	dir := t.TempDir()
	dest := writeFile(t, dir, "okrs.json", []byte("the previous export"))
	if code, _, stderr := okrbotRun(t, nil, "export", dest, "--db", demo, "--cycle", "nope"); code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(dest); string(b) != "the previous export" {
		t.Errorf("a failed export changed the file: %q", b)
	}
	code, stdout, stderr := okrbotRun(t, nil, "export", dest, "--db", demo)
	if code != 0 || !strings.HasPrefix(stdout, "Exported to "+dest+" as JSON: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if b, _ := os.ReadFile(dest); !bytes.Equal(b, exportOf(t, demo)) {
		t.Errorf("the file is not the export")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestJSONRoundTrip: export, import into an empty database, export again
// gives the same bytes; a dry run before writes nothing and a second
// import changes nothing.
func TestJSONRoundTrip(t *testing.T) {
	want := exportOf(t, demoDB(t))
	dir := t.TempDir()
	file := writeFile(t, dir, "okrbot-export.json", want)
	db := filepath.Join(dir, "okrbot.db")

	code, dry, stderr := okrbotRun(t, nil, "import", "--dry-run", file, "--db", db)
	if code != 0 || !strings.Contains(dry, "Dry run: nothing was written.") {
		t.Fatalf("dry run: exit %d, stdout %q, stderr %q", code, dry, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a dry run into a new database left the database behind")
	}
	code, first, stderr := okrbotRun(t, nil, "import", file, "--db", db)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	if line, _, _ := strings.Cut(first, "\n"); line != "Reading "+file+": an okrbot export (format okrbot, found from its content)." {
		t.Errorf("first line %q", line)
	}
	if !slices.Equal(countLines(dry), countLines(first)) {
		t.Errorf("the dry run said\n%s\nthe import\n%s", dry, first)
	}
	if got := exportOf(t, db); !bytes.Equal(got, want) {
		t.Errorf("export → import → export differs: %d bytes, then %d", len(want), len(got))
	}
	code, again, stderr := okrbotRun(t, nil, "import", file, "--db", db, "--format", "okrbot")
	if code != 0 {
		t.Fatalf("second import: exit %d: %s", code, stderr)
	}
	if !strings.Contains(again, "(format okrbot, as --format says)") {
		t.Errorf("with --format the first line says %q", again)
	}
	checkNothingChanged(t, again)
	if got := exportOf(t, db); !bytes.Equal(got, want) {
		t.Errorf("a second import changed the export")
	}
}

func TestCSVExport(t *testing.T) {
	demo := demoDB(t)
	okrs := string(exportOf(t, demo, "--format", "csv"))
	header, rest, _ := strings.Cut(okrs, "\n")
	if !strings.Contains(strings.ToLower(header), "title") || !strings.Contains(rest, "Win the mid-market") {
		t.Errorf("the OKRs as CSV:\n%s", okrs)
	}
	checkins := string(exportOf(t, demo, "--format", "csv", "--what", "checkins"))
	if n := strings.Count(checkins, "\n"); n < 10 {
		t.Errorf("the check-ins as CSV have %d lines:\n%s", n, checkins)
	}

	// --cycle takes the cycle's name in any case.
	db, err := openBackend(demo, openOptions{readOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	err = db.View(context.Background(), func(tx okrcore.Tx) error {
		cs, err := tx.Cycles("local")
		if err == nil && len(cs) > 0 {
			name = cs[len(cs)-1].Name
		}
		return err
	})
	db.Close()
	if err != nil || name == "" {
		t.Fatalf("the demo's cycles: %q, %v", name, err)
	}
	one := exportOf(t, demo, "--cycle", strings.ToUpper(name))
	if !bytes.Contains(one, []byte(`"cycle":"`+name+`"`)) && !bytes.Contains(one, []byte(`"cycle": "`+name+`"`)) {
		t.Errorf("the export of cycle %s does not say so:\n%.300s", name, one)
	}
}

// templateWithABadRow is okrbot's spreadsheet template, filled in, with
// a key result whose target is no number in row 4.
const templateWithABadRow = `Ref,Type,Title,Parent,Owner,Team,Cycle,Cycle Start,Cycle End,Metric,Unit,Start,Target,Current,Direction,Weight,Status,Healthy Min,Healthy Max
O1,objective,Win the Nordic market,,Ana Alves <ana@example.com>,Sales,Q1 2026,2026-01-01,2026-03-31,,,,,,,,,,
KR1.1,key result,Close new Nordic customers,O1,ana@example.com,Sales,Q1 2026,,,number,customers,0,40,12,,2,on track,,
KR1.2,key result,Sign the Oslo lease,O1,ana@example.com,Sales,Q1 2026,,,number,leases,0,lots,0,,,,,
`

// TestSpreadsheetSkipBadRows: with --skip-bad-rows the rows that read are
// imported and the one left out is a warning with its number.
func TestSpreadsheetSkipBadRows(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "template.csv", []byte(templateWithABadRow))
	db := filepath.Join(dir, "okrbot.db")
	code, out, stderr := okrbotRun(t, nil, "import", file, "--db", db, "--workspace", "T1", "--platform", "slack", "--skip-bad-rows")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if line, _, _ := strings.Cut(out, "\n"); line != "Reading "+file+": a CSV spreadsheet (format csv, found from its content)." {
		t.Errorf("first line %q", line)
	}
	if got, want := countLines(out), []string{"cycles: 1 created", "teams: 1 created", "people: 1 created", "objectives: 1 created", "key results: 1 created"}; !slices.Equal(got, want) {
		t.Errorf("counts %q, want %q", got, want)
	}
	if !strings.Contains(out, "  row 4: Target says “lots”, which is not a number; the row is left out\n") {
		t.Errorf("the row left out is not a warning:\n%s", out)
	}
	if exported := exportOf(t, db); !bytes.Contains(exported, []byte("Close new Nordic customers")) || bytes.Contains(exported, []byte("Oslo")) {
		t.Errorf("the import holds the wrong rows")
	}
}

// vivaExport is a small Viva Goals data export, in a folder as the
// export's zip has it: a quarter with a company objective, a team's
// objective aligned under it with a percentage and a decreasing metric
// key result, a project, and check-ins with notes.
func vivaExport(t *testing.T) []byte {
	t.Helper()
	return vivagoalstest.Zip(t, map[string]string{
		"Export/TimePeriods.json": `[{"ID": 11, "Time Period Name": "Q1 2026", "Start Date": "2026-01-01", "End Date": "2026-03-31"}]`,
		"Export/Users.json": `[{"ID": 1, "Name": "Ana Müller", "Email": "ana@acme.example"},
			{"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"}]`,
		"Export/Teams.json": `[{"ID": 21, "Team Name": "Sales", "Parent Team": "", "Team Owners": [{"ID": 1, "Name": "Ana Müller", "Email": "ana@acme.example"}],
			"Team Type": "Team", "Status": "Active", "Description": ""}]`,
		"Export/objectives.json": `[
			{"ID": 101, "Title": "Win the north", "Type": "Big rock", "Owner": [{"ID": 1, "Name": "Ana Müller", "Email": "ana@acme.example"}],
			 "Time Period": {"ID": 11, "Name": "Q1 2026"}, "Status": "On Track", "Progress": 40},
			{"ID": 102, "Title": "Grow Sales", "Type": "Big rock", "Owner": [{"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"}],
			 "Teams": [{"ID": 21, "Name": "Sales"}], "Time Period": {"ID": 11, "Name": "Q1 2026"},
			 "Alignment": [{"ID": 101, "Title": "Win the north", "Weight": "60%"}], "Parent IDs": [101], "Status": "At Risk", "Progress": 30},
			{"ID": 103, "Title": "Pipeline coverage", "Type": "Kpi", "Owner": [{"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"}],
			 "Time Period": {"ID": 11, "Name": "Q1 2026"}, "Parent IDs": [102], "Progress": 50,
			 "Outcome": {"Outcome Type": "Percentage", "Start": 0, "Target": 100, "Target Type": "Increase to"}},
			{"ID": 104, "Title": "Churn", "Type": "Kpi", "Owner": [{"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"}],
			 "Time Period": {"ID": 11, "Name": "Q1 2026"}, "Parent IDs": [102], "Progress": 25,
			 "Outcome": {"Outcome Type": "Metric", "Metric Name": "Churn", "Metric Unit": "%", "Start": 8, "Target": 4, "Target Type": "Decrease to"}},
			{"ID": 105, "Title": "Hire two account executives", "Type": "Project", "Owner": [{"ID": 1, "Name": "Ana Müller", "Email": "ana@acme.example"}],
			 "Time Period": {"ID": 11, "Name": "Q1 2026"}, "Parent IDs": [103], "Status": "Not Started"}]`,
		"Export/checkins.json": `[
			{"ID": 901, "OKR ID": 103, "CheckIn Date": "2026-01-12", "Check In Owner": {"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"},
			 "Check In Note": {"Check In Note": "Första veckan bra", "Check In Note HTML": "<p>Första veckan <b>bra</b></p>"}, "Status": "On Track", "Current Value": 20},
			{"ID": 902, "OKR ID": 103, "CheckIn Date": "2026-01-19", "Check In Owner": {"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"},
			 "Check In Note": {"Check In Note": "Two more deals", "Check In Note HTML": "<p>Two more deals</p>"}, "Status": "At Risk", "Current Value": 50},
			{"ID": 903, "OKR ID": 104, "CheckIn Date": "2026-01-19", "Check In Owner": {"ID": 2, "Name": "Bo Li", "Email": "bo@acme.example"},
			 "Check In Note": {"Check In Note": "", "Check In Note HTML": ""}, "Status": "On Track", "Current Value": 7}]`,
	})
}

// TestVivaGoalsImport: a Viva Goals export found by its content, a dry run
// that writes nothing, the import, and a second import that changes
// nothing.
func TestVivaGoalsImport(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "viva-goals-export.zip", vivaExport(t))
	db := filepath.Join(dir, "okrbot.db")
	args := []string{"import", file, "--db", db, "--workspace", "T1", "--platform", "slack"}
	code, dry, stderr := okrbotRun(t, nil, append(args, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a dry run into a new database left the database behind")
	}
	code, first, stderr := okrbotRun(t, nil, args...)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	if line, _, _ := strings.Cut(first, "\n"); line != "Reading "+file+": a Viva Goals data export (format vivagoals, found from its content)." {
		t.Errorf("first line %q", line)
	}
	want := []string{"cycles: 1 created", "teams: 1 created", "people: 2 created", "objectives: 2 created", "key results: 2 created", "initiatives: 1 created", "check-ins: 3 created"}
	if got := countLines(first); !slices.Equal(got, want) || !slices.Equal(countLines(dry), want) {
		t.Errorf("the import said\n%s\nthe dry run\n%s\nwant %q", first, dry, want)
	}
	exported := exportOf(t, db)
	for _, w := range []string{"Ana Müller", "Grow Sales", "Första veckan bra", `"direction":"decrease"`} {
		if !bytes.Contains(exported, []byte(w)) {
			t.Errorf("the export of the import lacks %s", w)
		}
	}
	code, again, stderr := okrbotRun(t, nil, args...)
	if code != 0 {
		t.Fatalf("second import: exit %d: %s", code, stderr)
	}
	checkNothingChanged(t, again)
	if !bytes.Equal(exportOf(t, db), exported) {
		t.Errorf("a second import changed the database")
	}
}
