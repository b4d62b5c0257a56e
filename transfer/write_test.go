package transfer

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/tracking"
)

// newerDocument is the export of acme after more work: a renamed
// objective, a moved team, more check-ins, a new person and a new KPI.
// Imported into a store that holds the older export, it updates and
// creates records in many transactions.
func newerDocument(t *testing.T) (older, newer []byte) {
	t.Helper()
	s, now := seeded(t)
	older = export(t, s, "acme", "")
	if err := s.Update(ctx, func(tx okrcore.Tx) error {
		admin, err := tx.User("acme", 1)
		if err != nil {
			return err
		}
		o, err := tx.Objective("acme", 4)
		if err != nil {
			return err
		}
		o.Title = "Renamed objective"
		if err := okrcore.UpdateObjective(tx, now, admin, o); err != nil {
			return err
		}
		for id := okrcore.ID(1); id <= 30; id++ {
			v := float64(id)
			if k, err := tx.KeyResult("acme", id); err == nil && k.Metric != okrcore.MetricMilestone {
				if _, err := okrcore.RecordCheckIn(tx, now.Add(time.Duration(id)*time.Minute), admin, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: id, Value: &v}); err != nil {
					return err
				}
			}
		}
		if err := tx.PutUser(&okrcore.User{Workspace: "acme", Platform: "bench", PlatformID: "u99", Name: "Late joiner", Role: okrcore.RoleMember, CreatedAt: now}); err != nil {
			return err
		}
		return tracking.CreateKPI(tx, now, admin, &okrcore.KPI{Title: "Churn", HealthyMax: 2, Owner: okrcore.UserOwner(3)})
	}); err != nil {
		t.Fatalf("more work: %v", err)
	}
	return older, export(t, s, "acme", "")
}

// TestRollbackAfterCrash: an import that stops after any number of its
// transactions, as a process that dies, is rolled back by Recover to the
// bytes the store exported before it; into a new workspace, to nothing.
func TestRollbackAfterCrash(t *testing.T) {
	older, newer := newerDocument(t)
	for _, tc := range []struct {
		name   string
		before []byte // nil: the workspace is new
		batch  int
	}{{"into the workspace it came from", older, 8}, {"into a new workspace", nil, 60}} {
		t.Run(tc.name, func(t *testing.T) {
			for k := 1; ; k++ {
				s := openStore(t)
				if tc.before != nil {
					importDoc(t, s, tc.before, Options{})
				}
				p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planDocument(tx, readDoc(t, newer), Options{}) })
				if err != nil {
					t.Fatal(err)
				}
				err = p.writeStopping(ctx, s, Options{Batch: tc.batch}, k)
				if err == nil {
					if k < 3 {
						t.Fatalf("the import took %d transactions; the test needs more", k)
					}
					if got := export(t, s, "acme", ""); !bytes.Equal(got, newer) {
						t.Fatalf("import of the whole: %s", diff(newer, got))
					}
					return
				}
				if !errors.Is(err, errStopped) {
					t.Fatalf("stopped after %d: %v", k, err)
				}
				if _, err := Import(ctx, s, readDoc(t, newer), Options{}); okrcore.ErrorKindOf(err) != okrcore.KindConflict {
					t.Fatalf("an import while one stopped half way: %v", err)
				}
				n, err := Recover(ctx, s)
				if err != nil || n != 1 {
					t.Fatalf("recover after %d transactions: %d, %v", k, n, err)
				}
				if tc.before == nil {
					assertEmpty(t, s, "acme")
				} else if got := export(t, s, "acme", ""); !bytes.Equal(got, tc.before) {
					t.Fatalf("after %d transactions and Recover: %s", k, diff(tc.before, got))
				}
				if n, err := Recover(ctx, s); err != nil || n != 0 {
					t.Fatalf("second recover: %d, %v", n, err)
				}
			}
		})
	}
}

// TestRecoverInterrupted: a rollback that stops half way goes on where it
// stopped.
func TestRecoverInterrupted(t *testing.T) {
	older, newer := newerDocument(t)
	s := openStore(t)
	importDoc(t, s, older, Options{})
	p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planDocument(tx, readDoc(t, newer), Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	if err := p.writeStopping(ctx, s, Options{Batch: 8}, 4); !errors.Is(err, errStopped) {
		t.Fatalf("write: %v", err)
	}
	// Undo the newest part only, as a rollback that died after one
	// transaction would have.
	if err := s.Update(ctx, func(tx okrcore.Tx) error {
		j, err := journalOf(tx, "acme")
		if err != nil {
			return err
		}
		part, err := readJSON[journalPart](tx, "acme", journalPartKey(j.Parts))
		if err != nil {
			return err
		}
		if err := undo(tx, "acme", part); err != nil {
			return err
		}
		if err := tx.DeleteState("acme", journalPartKey(j.Parts)); err != nil {
			return err
		}
		j.Parts--
		return putJSON(tx, "acme", journalKey, j)
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := Recover(ctx, s); err != nil || n != 1 {
		t.Fatalf("recover: %d, %v", n, err)
	}
	if got := export(t, s, "acme", ""); !bytes.Equal(got, older) {
		t.Errorf("after an interrupted rollback: %s", diff(older, got))
	}
}

// TestFailedWriteRollsBack: a write refused half way through the import
// takes back what the transactions before it wrote.
func TestFailedWriteRollsBack(t *testing.T) {
	older, newer := newerDocument(t)
	s := openStore(t)
	importDoc(t, s, older, Options{})
	p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planDocument(tx, readDoc(t, newer), Options{}) })
	if err != nil {
		t.Fatal(err)
	}
	// A check-in the planner did not see: the store refuses it in the
	// last transactions.
	bad := *p.steps[len(p.steps)-2].rec.(*okrcore.CheckIn)
	bad.ID = 1
	p.steps = append(p.steps[:len(p.steps)-1:len(p.steps)-1], step{rec: &bad}, p.steps[len(p.steps)-1])
	var seen []Progress
	err = p.write(ctx, s, Options{Batch: 8, Progress: func(pr Progress) { seen = append(seen, pr) }})
	if okrcore.ErrorKindOf(err) != okrcore.KindConflict || !strings.Contains(err.Error(), "Check-in 1 is already") {
		t.Fatalf("write: %v", err)
	}
	if len(seen) < 2 || seen[0].Phase != "write" || seen[0].Done != 8 || seen[0].Total != len(p.steps) {
		t.Errorf("progress %+v", seen)
	}
	if got := export(t, s, "acme", ""); !bytes.Equal(got, older) {
		t.Errorf("after a failed write: %s", diff(older, got))
	}
	if n, err := Recover(ctx, s); err != nil || n != 0 {
		t.Errorf("recover after a rolled back import: %d, %v", n, err)
	}
}

// TestPlaceholders: records a plan creates get the store's next ids, and
// every reference to them follows, across transactions; the source keys
// name the ids written.
func TestPlaceholders(t *testing.T) {
	s, _ := seeded(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	lead := &okrcore.User{ID: placeholder(1), Workspace: "acme", Platform: "bench", PlatformID: "p1", Name: "Pia", Role: okrcore.RoleMember, CreatedAt: now}
	team := &okrcore.Team{ID: placeholder(2), Workspace: "acme", Name: "Imported", Lead: placeholder(1), Members: []okrcore.ID{3, placeholder(1)}, Parent: 1}
	obj := &okrcore.Objective{ID: placeholder(3), Workspace: "acme", Cycle: 1, Title: "Imported objective", Owner: okrcore.TeamOwner(placeholder(2)), ParentKR: 1, CreatedAt: now, UpdatedAt: now}
	kr := &okrcore.KeyResult{ID: placeholder(4), Workspace: "acme", Objective: placeholder(3), Cycle: 1, Title: "Imported KR", Owner: okrcore.UserOwner(placeholder(1)),
		Target: 10, Current: 5, Progress: 0.5, Stated: &okrcore.Statement{Status: okrcore.StatusOnTrack, By: placeholder(1), At: now, Until: now}, CreatedAt: now, UpdatedAt: now}
	ci := &okrcore.CheckIn{ID: placeholder(5), Workspace: "acme", Target: okrcore.TargetKR, TargetID: placeholder(4), Author: placeholder(1), At: now, Value: 5}
	in := &okrcore.Initiative{ID: placeholder(6), Workspace: "acme", KeyResult: placeholder(4), Title: "Imported work", Owner: placeholder(1), CreatedAt: now}
	p := &plan{workspace: "acme", steps: []step{
		{rec: lead}, {rec: sourceKey{state: "src:test:people:1", id: placeholder(1)}},
		{rec: team}, {rec: obj}, {rec: kr}, {rec: ci}, {rec: in},
		{rec: sourceKey{state: "src:test:key results:9", id: placeholder(4)}},
	}}
	if err := p.write(ctx, s, Options{Batch: 2}); err != nil {
		t.Fatalf("write: %v", err)
	}
	if isPlaceholder(lead.ID) != true || team.Members[1] != placeholder(1) {
		t.Errorf("the plan's records were changed: %+v %+v", lead, team)
	}
	err := s.View(ctx, func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform("acme", "bench", "p1")
		if err != nil {
			return err
		}
		tm, err := tx.TeamByName("acme", "Imported")
		if err != nil {
			return err
		}
		if u.ID != 41 || tm.Lead != u.ID || tm.Members[1] != u.ID || tm.Members[0] != 3 || tm.ID != 7 {
			t.Errorf("person %d, team %+v", u.ID, tm)
		}
		objs, err := tx.ObjectivesByOwner("acme", okrcore.TeamOwner(tm.ID), 1)
		if err != nil || len(objs) != 1 {
			return errors.Join(err, errors.New("no objective of the team"))
		}
		krs, err := tx.KeyResultsByObjective("acme", objs[0].ID)
		if err != nil || len(krs) != 1 {
			return errors.Join(err, errors.New("no key result"))
		}
		k := krs[0]
		if k.Owner.ID != u.ID || k.Stated.By != u.ID {
			t.Errorf("key result %+v", k)
		}
		cis, err := tx.CheckIns("acme", okrcore.TargetKR, k.ID, time.Time{}, 0)
		if err != nil || len(cis) != 1 || cis[0].Author != u.ID {
			t.Errorf("check-ins %+v, %v", cis, err)
		}
		ins, err := tx.InitiativesByKeyResult("acme", k.ID)
		if err != nil || len(ins) != 1 || ins[0].Owner != u.ID {
			t.Errorf("initiatives %+v, %v", ins, err)
		}
		for key, want := range map[string]okrcore.ID{"src:test:people:1": u.ID, "src:test:key results:9": k.ID} {
			if b, err := tx.State("acme", key); err != nil || string(b) != strconvID(want) {
				t.Errorf("state %s = %q, %v; want %d", key, b, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func strconvID(id okrcore.ID) string { return strconv.FormatUint(uint64(id), 10) }

// TestUnresolvedPlaceholder: a reference to a record the plan has not
// written is refused, and what was written before is rolled back.
func TestUnresolvedPlaceholder(t *testing.T) {
	s, _ := seeded(t)
	before := export(t, s, "acme", "")
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := &plan{workspace: "acme", steps: []step{
		{rec: &okrcore.User{ID: placeholder(1), Workspace: "acme", Platform: "bench", PlatformID: "p1", Name: "Pia", CreatedAt: now}},
		{rec: &okrcore.Cycle{ID: placeholder(2), Workspace: "acme", Name: "H1 2027", Kind: okrcore.CycleCustom, Start: now, End: now.AddDate(0, 6, 0)}},
		{rec: &okrcore.Team{ID: placeholder(3), Workspace: "acme", Name: "Ghosts", Lead: placeholder(9)}},
	}}
	err := p.write(ctx, s, Options{Batch: 1})
	if err == nil || !strings.Contains(err.Error(), "before it is written") {
		t.Fatalf("write: %v", err)
	}
	if got := export(t, s, "acme", ""); !bytes.Equal(got, before) {
		t.Errorf("after a refused plan: %s", diff(before, got))
	}
	other := &plan{workspace: "acme", steps: []step{{rec: &okrcore.KPI{Workspace: "elsewhere", Title: "x", HealthyMax: 1, Owner: okrcore.UserOwner(1)}}}}
	if err := other.write(ctx, s, Options{}); err == nil || !strings.Contains(err.Error(), "elsewhere") {
		t.Errorf("a record of another workspace: %v", err)
	}
}
