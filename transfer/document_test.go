package transfer

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/okrcore/teams"
	"github.com/okrbot/okrbot/okrcore/tracking"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

var ctx = context.Background()

func openStore(tb testing.TB) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(filepath.Join(tb.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// seeded is a small but realistic workspace "acme": a generated
// organisation with three check-ins per key result, plus what the
// generator does not make: an undone check-in, a person with a linked
// Teams account, a team with its own schedule, a KPI with history,
// initiatives, notes in HTML and other scripts, and a closed, scored
// cycle before the current one.
func seeded(tb testing.TB) (*bolt.DB, time.Time) {
	tb.Helper()
	s := openStore(tb)
	org, err := storagetest.GenerateOrg(ctx, s, storagetest.OrgSpec{Workspace: "acme", Users: 40, Teams: 6, Departments: 2, Objectives: 24, KeyResults: 60, CheckInsPerKR: 3})
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	now := org.Now
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
	}
	must(s.Update(ctx, func(tx okrcore.Tx) error {
		admin, err := tx.User("acme", 1)
		if err != nil {
			return err
		}
		past, _, err := cycles.Create(tx, now, admin, okrcore.Given(okrcore.Cycle{Name: "Q3 2026", Kind: okrcore.CycleQuarter,
			Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}))
		if err != nil {
			return err
		}
		o := &okrcore.Objective{Title: "Ship the <b>beta</b> — für alle 日本", Owner: okrcore.UserOwner(2), Cycle: past.ID}
		if _, err := okrcore.CreateObjective(tx, now.AddDate(0, -3, 0), admin, o); err != nil {
			return err
		}
		for _, target := range []float64{10, 4} {
			k := &okrcore.KeyResult{Objective: o.ID, Title: "Reach & keep", Owner: okrcore.UserOwner(2), Target: target}
			if _, err := okrcore.CreateKeyResult(tx, now.AddDate(0, -3, 0), admin, k); err != nil {
				return err
			}
			v := target * 0.8
			if _, err := okrcore.RecordCheckIn(tx, now.AddDate(0, -2, 0), admin, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: &v, Note: "<i>nearly</i> là"}); err != nil {
				return err
			}
		}
		if _, err := cycles.Close(tx, now.AddDate(0, -1, -20), admin, past.Name, true); err != nil {
			return err
		}
		u, err := tx.User("acme", 2)
		if err != nil {
			return err
		}
		u.EmailVerified, u.NudgeOn, u.DM = true, "teams", "D2"
		u.SetAccount(okrcore.Account{Platform: "teams", PlatformID: "29:user2", DM: "a:1", DMRef: `{"conversation":"a:1"}`})
		if err := tx.PutUser(u); err != nil {
			return err
		}
		if _, err := teams.SetTeamSchedule(tx, admin, 1, func(sc *okrcore.Schedule) error {
			sc.CheckIn = okrcore.Slot{Cadence: okrcore.Biweekly, Weekday: time.Tuesday, Hour: 9, Minute: 30}
			return nil
		}); err != nil {
			return err
		}
		kpi := &okrcore.KPI{Title: "Uptime", Unit: "%", Current: 99.9, HealthyMin: 99.5, HealthyMax: 100, Owner: okrcore.TeamOwner(1)}
		if err := tracking.CreateKPI(tx, now.AddDate(0, -1, 0), admin, kpi); err != nil {
			return err
		}
		v := 99.7
		if _, err := okrcore.RecordCheckIn(tx, now.Add(-48*time.Hour), admin, okrcore.CheckInInput{Target: okrcore.TargetKPI, TargetID: kpi.ID, Value: &v}); err != nil {
			return err
		}
		for _, kr := range []okrcore.ID{1, 2, 3} {
			if err := tracking.CreateInitiative(tx, now.AddDate(0, 0, -10), admin, &okrcore.Initiative{KeyResult: kr, Title: "Work on KR" + strconv.Itoa(int(kr))}); err != nil {
				return err
			}
		}
		w := 42.0
		if _, err := okrcore.RecordCheckIn(tx, now.Add(-time.Hour), admin, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: 5, Value: &w, Note: "oops"}); err != nil {
			return err
		}
		_, err = okrcore.UndoLastCheckIn(tx, now.Add(-30*time.Minute), admin)
		return err
	}))
	return s, now
}

func export(tb testing.TB, s okrcore.Store, ws, cycle string) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := Export(ctx, s, ws, cycle, &b, nil); err != nil {
		tb.Fatalf("export %s: %v", ws, err)
	}
	return b.Bytes()
}

func readDoc(tb testing.TB, b []byte) *Document {
	tb.Helper()
	d, err := ReadDocument(bytes.NewReader(b), 0)
	if err != nil {
		tb.Fatalf("read document: %v", err)
	}
	return d
}

func importDoc(tb testing.TB, s okrcore.Store, b []byte, opts Options) *Summary {
	tb.Helper()
	sum, err := Import(ctx, s, readDoc(tb, b), opts)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return sum
}

// diff shows the first line where two exports differ.
func diff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + la[i] + "\n+ " + lb[i]
		}
	}
	return "lengths differ"
}

func TestExportLayout(t *testing.T) {
	s, _ := seeded(t)
	b := export(t, s, "acme", "")
	lines := strings.Split(string(b), "\n")
	if !strings.HasPrefix(lines[0], `{"format":"okrbot-export","version":1,`) || !strings.HasPrefix(lines[1], `"workspace":{"id":"acme"`) {
		t.Errorf("export starts\n%s\n%s", lines[0], lines[1])
	}
	for _, want := range []string{`"people":[`, `"teams":[`, `"cycles":[`, `"objectives":[`, `"key_results":[`, `"kpis":[`, `"initiatives":[`, `"check_ins":[`, `<b>beta</b>`, `"undo_of":`, `"linked":[`, `"schedule":{`, `"score":`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("export lacks %s", want)
		}
	}
	if again := export(t, s, "acme", ""); !bytes.Equal(again, b) {
		t.Errorf("two exports differ: %s", diff(b, again))
	}
	d := readDoc(t, b)
	if len(d.People) != 40 || len(d.Teams) != 6 || len(d.Cycles) != 2 || len(d.Objectives) != 25 || len(d.KeyResults) != 62 || len(d.KPIs) != 1 || len(d.Initiatives) != 3 || len(d.CheckIns) != 60*3+2+1+2 {
		t.Errorf("document holds %d people, %d teams, %d cycles, %d objectives, %d key results, %d KPIs, %d initiatives, %d check-ins",
			len(d.People), len(d.Teams), len(d.Cycles), len(d.Objectives), len(d.KeyResults), len(d.KPIs), len(d.Initiatives), len(d.CheckIns))
	}
	for i := 1; i < len(d.People); i++ {
		if d.People[i-1].ID >= d.People[i].ID {
			t.Fatalf("people out of id order at %d", i)
		}
	}
}

func TestExportCycle(t *testing.T) {
	s, _ := seeded(t)
	b := export(t, s, "acme", "q3 2026")
	d := readDoc(t, b)
	if d.Cycle != "Q3 2026" || len(d.Cycles) != 1 || len(d.Objectives) != 1 || len(d.KeyResults) != 2 || len(d.CheckIns) != 2 || len(d.KPIs) != 0 || len(d.People) != 40 {
		t.Errorf("cycle export: cycle %q, %d cycles, %d objectives, %d key results, %d check-ins, %d KPIs, %d people",
			d.Cycle, len(d.Cycles), len(d.Objectives), len(d.KeyResults), len(d.CheckIns), len(d.KPIs), len(d.People))
	}
	// Into an empty workspace: the cycle becomes the current one.
	to := openStore(t)
	sum := importDoc(t, to, b, Options{})
	if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].Message, "current cycle") {
		t.Errorf("warnings %v", sum.Warnings)
	}
	w, err := okrcore.View(ctx, to, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("acme") })
	if err != nil || w.CurrentCycle != d.Cycles[0].ID {
		t.Errorf("workspace %+v, %v", w, err)
	}
	var missing bytes.Buffer
	err = Export(ctx, s, "acme", "Q9 2031", &missing, nil)
	if msg := okrcore.ErrorMessage(err); !strings.Contains(msg, "Q9 2031") {
		t.Errorf("export of a missing cycle: %v", err)
	}
}

// TestRoundTrip: export, import into an empty database, export again
// gives the same bytes; into another, empty workspace of the same store
// the same records under the new workspace id.
func TestRoundTrip(t *testing.T) {
	s, _ := seeded(t)
	a := export(t, s, "acme", "")
	to := openStore(t)
	sum := importDoc(t, to, a, Options{Batch: 100})
	if c := sum.Counts[KindCheckIn]; c.Created != 185 || c.Updated+c.Unchanged != 0 {
		t.Errorf("check-ins %+v", c)
	}
	if b := export(t, to, "acme", ""); !bytes.Equal(a, b) {
		t.Fatalf("round trip differs: %s", diff(a, b))
	}
	sum = importDoc(t, s, a, Options{Workspace: "copy"})
	if sum.Workspace != "copy" {
		t.Errorf("summary of workspace %q", sum.Workspace)
	}
	want := strings.ReplaceAll(strings.Replace(string(a), `"workspace":{"id":"acme"`, `"workspace":{"id":"copy"`, 1), `"ws":"acme"`, `"ws":"copy"`)
	if got := export(t, s, "copy", ""); string(got) != want {
		t.Errorf("copy differs: %s", diff([]byte(want), got))
	}
}

// TestImportTwice: importing the same export again, into the copy or into
// the workspace it came from, creates and changes nothing.
func TestImportTwice(t *testing.T) {
	s, _ := seeded(t)
	a := export(t, s, "acme", "")
	to := openStore(t)
	importDoc(t, to, a, Options{})
	for name, store := range map[string]okrcore.Store{"copy": to, "origin": s} {
		sum := importDoc(t, store, a, Options{Batch: 50})
		for k, c := range sum.Counts {
			if c.Created != 0 || c.Updated != 0 {
				t.Errorf("%s: second import of %s: %+v", name, k, c)
			}
		}
		if sum.Counts[KindCheckIn].Unchanged != 185 || sum.Counts[KindPerson].Unchanged != 40 {
			t.Errorf("%s: counts %+v", name, sum.Counts)
		}
		if b := export(t, store, "acme", ""); !bytes.Equal(a, b) {
			t.Errorf("%s: export after a second import differs: %s", name, diff(a, b))
		}
	}
}

// TestImportIntoOrigin: an export brings back what changed since, and
// leaves what is new alone.
func TestImportIntoOrigin(t *testing.T) {
	s, now := seeded(t)
	a := export(t, s, "acme", "")
	if err := s.Update(ctx, func(tx okrcore.Tx) error {
		o, err := tx.Objective("acme", 3)
		if err != nil {
			return err
		}
		o.Title = "Renamed since"
		if err := tx.PutObjective(o); err != nil {
			return err
		}
		return tx.PutUser(&okrcore.User{Workspace: "acme", Platform: "bench", PlatformID: "new", Name: "Newcomer", Role: okrcore.RoleMember, CreatedAt: now})
	}); err != nil {
		t.Fatal(err)
	}
	sum := importDoc(t, s, a, Options{})
	if c := sum.Counts[KindObjective]; c.Updated != 1 || c.Created != 0 || c.Unchanged != 24 {
		t.Errorf("objectives %+v", c)
	}
	b := export(t, s, "acme", "")
	if !bytes.Contains(b, []byte(`"name":"Newcomer"`)) || bytes.Contains(b, []byte("Renamed since")) {
		t.Errorf("after import into origin:\n%s", b)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s, _ := seeded(t)
	a := export(t, s, "acme", "")
	to := openStore(t)
	sum, err := Import(ctx, to, readDoc(t, a), Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !sum.DryRun || sum.Counts[KindObjective].Created != 25 {
		t.Errorf("dry run summary %+v", sum)
	}
	wss, err := okrcore.View(ctx, to, func(tx okrcore.Tx) ([]*okrcore.Workspace, error) { return tx.Workspaces() })
	if err != nil || len(wss) != 0 {
		t.Errorf("dry run made workspaces %v, %v", wss, err)
	}
	assertEmpty(t, to, "acme")
	if _, err := Import(ctx, s, readDoc(t, a), Options{DryRun: true, Workspace: "copy"}); err != nil {
		t.Fatal(err)
	}
	if b := export(t, s, "acme", ""); !bytes.Equal(a, b) {
		t.Errorf("dry run changed the origin: %s", diff(a, b))
	}
	assertEmpty(t, s, "copy")
}

// assertEmpty fails when ws holds any record or an import's journal.
func assertEmpty(t *testing.T, s okrcore.Store, ws string) {
	t.Helper()
	err := s.View(ctx, func(tx okrcore.Tx) error {
		us, _ := tx.Users(ws)
		ts, _ := tx.Teams(ws)
		cs, _ := tx.Cycles(ws)
		ks, _ := tx.KPIs(ws)
		_, werr := tx.Workspace(ws)
		_, jerr := tx.State(ws, journalKey)
		run, _ := running(tx)
		if len(us)+len(ts)+len(cs)+len(ks)+len(run) > 0 || werr == nil || jerr == nil {
			t.Errorf("workspace %s holds %d people, %d teams, %d cycles, %d KPIs, workspace record %v, journal %v, running %v", ws, len(us), len(ts), len(cs), len(ks), werr == nil, jerr == nil, run)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
