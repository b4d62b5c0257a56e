package report

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
	"github.com/okrbot/okrbot/storage/bolt"
)

// The tally, kept up to date by check-ins, undos and imports, says what
// the history says, whoever moved team meanwhile: for random people and
// spans of time, and in the adoption report and the manager digest, whose
// output is the same whether the tally is kept or counted again from the
// history (as for a store from before it).

var tallyZones = []string{"UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin", "Pacific/Auckland", "Asia/Kolkata", "America/St_Johns"}

type tallyOrg struct {
	db    *bolt.DB
	ws    string
	users []*okrcore.User
	teams []*okrcore.Team
	rnd   *rand.Rand
}

func newTallyOrg(t *testing.T, people int, start time.Time) *tallyOrg {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "tally.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o := &tallyOrg{db: db, ws: "w", rnd: rand.New(rand.NewPCG(7, 13))}
	o.update(t, func(tx okrcore.Tx) error {
		if err := okrcore.EnsureWorkspace(tx, o.ws, "shell", start); err != nil {
			return err
		}
		w, err := tx.Workspace(o.ws)
		if err != nil {
			return err
		}
		for i := range people {
			u := &okrcore.User{Workspace: o.ws, Platform: "shell", PlatformID: fmt.Sprintf("u%d", i+1), Name: fmt.Sprintf("user%d", i+1),
				TimeZone: tallyZones[i%len(tallyZones)], Role: okrcore.RoleMember}
			if i == 0 {
				u.Role = okrcore.RoleAdmin
			}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			o.users = append(o.users, u)
			// Every fifth person has no key results: counted among
			// people, not among those who check in; half of them own an
			// objective (so have OKRs) all the same.
			if i%10 == 4 {
				continue
			}
			obj := &okrcore.Objective{Workspace: o.ws, Cycle: w.CurrentCycle, Title: "O", Owner: okrcore.UserOwner(u.ID), CreatedAt: start}
			if err := tx.PutObjective(obj); err != nil {
				return err
			}
			if i%10 == 9 {
				continue
			}
			kr := &okrcore.KeyResult{Workspace: o.ws, Objective: obj.ID, Cycle: w.CurrentCycle, Title: "KR", Owner: okrcore.UserOwner(u.ID),
				Metric: okrcore.MetricNumber, Target: 100, Direction: okrcore.Increase, Weight: 1, CreatedAt: start}
			if err := tx.PutKeyResult(kr); err != nil {
				return err
			}
			// Some objectives have a key result of the person before
			// them as well: not all their own.
			if i%10 == 7 {
				other := *kr
				other.ID, other.Owner, other.Title = 0, okrcore.UserOwner(o.users[i-1].ID), "KR of another"
				if err := tx.PutKeyResult(&other); err != nil {
					return err
				}
			}
		}
		root := &okrcore.Team{Workspace: o.ws, Name: "Company", Lead: 1}
		if err := tx.PutTeam(root); err != nil {
			return err
		}
		o.teams = append(o.teams, root)
		for i := range 8 {
			t := &okrcore.Team{Workspace: o.ws, Name: fmt.Sprintf("Team %d", i), Parent: root.ID, Lead: okrcore.ID(2 + i)}
			for id := 2 + i; id <= people; id += 8 {
				t.Members = append(t.Members, okrcore.ID(id))
			}
			if err := tx.PutTeam(t); err != nil {
				return err
			}
			o.teams = append(o.teams, t)
		}
		return nil
	})
	return o
}

func (o *tallyOrg) update(t *testing.T, fn func(tx okrcore.Tx) error) {
	t.Helper()
	if err := o.db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// krOf is the key result person id checks in on, 0 for none.
func (o *tallyOrg) krOf(t *testing.T, id okrcore.ID) okrcore.ID {
	t.Helper()
	var kr okrcore.ID
	o.update(t, func(tx okrcore.Tx) error {
		ks, err := tx.KeyResultsByOwner(o.ws, okrcore.UserOwner(id), 1)
		if len(ks) > 0 {
			kr = ks[0].ID
		}
		return err
	})
	return kr
}

// history imports check-ins of people in the past, at random times
// between from and to.
func (o *tallyOrg) history(t *testing.T, n int, from, to time.Time) {
	t.Helper()
	var cs []*okrcore.CheckIn
	for range n {
		u := o.users[o.rnd.IntN(len(o.users))]
		kr := o.krOf(t, u.ID)
		if kr == 0 {
			continue
		}
		at := from.Add(time.Duration(o.rnd.Int64N(int64(to.Sub(from)))))
		cs = append(cs, &okrcore.CheckIn{Workspace: o.ws, Target: okrcore.TargetKR, TargetID: kr, Author: u.ID, At: at, Value: float64(o.rnd.IntN(100))})
	}
	o.update(t, func(tx okrcore.Tx) error { return okrcore.ImportCheckIns(tx, cs) })
}

// live runs n random steps from now on, a few minutes to hours apart:
// check-ins, undos, imports of older check-ins and moves between teams.
func (o *tallyOrg) live(t *testing.T, n int, now time.Time, importFrom time.Time) time.Time {
	t.Helper()
	for range n {
		now = now.Add(time.Duration(o.rnd.IntN(240)) * time.Minute)
		u := o.users[o.rnd.IntN(len(o.users))]
		switch r := o.rnd.IntN(100); {
		case r < 65:
			kr := o.krOf(t, u.ID)
			if kr == 0 {
				continue
			}
			v := float64(o.rnd.IntN(100))
			o.update(t, func(tx okrcore.Tx) error {
				_, err := okrcore.RecordCheckIn(tx, now, u, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kr, Value: &v})
				return err
			})
		case r < 85:
			err := o.db.Update(context.Background(), func(tx okrcore.Tx) error {
				_, err := okrcore.UndoLastCheckIn(tx, now, u)
				return err
			})
			if err != nil && okrcore.ErrorKindOf(err) != okrcore.KindNotFound && okrcore.ErrorKindOf(err) != okrcore.KindConflict {
				t.Fatalf("undo: %v", err)
			}
		case r < 93:
			o.history(t, 3, importFrom, now)
		default:
			from, to := o.teams[1+o.rnd.IntN(8)], o.teams[1+o.rnd.IntN(8)]
			o.update(t, func(tx okrcore.Tx) error {
				a, err := tx.Team(o.ws, from.ID)
				if err != nil || len(a.Members) == 0 {
					return err
				}
				b, err := tx.Team(o.ws, to.ID)
				if err != nil {
					return err
				}
				m := a.Members[o.rnd.IntN(len(a.Members))]
				a.Members = removeID(a.Members, m)
				if !b.HasMember(m) {
					b.Members = append(b.Members, m)
				}
				if err := tx.PutTeam(a); err != nil {
					return err
				}
				return tx.PutTeam(b)
			})
		}
	}
	return now
}

func removeID(ids []okrcore.ID, id okrcore.ID) []okrcore.ID {
	var out []okrcore.ID
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// forget deletes every block's slot, so that reports count from the
// history, as in a store from before the tally.
func (o *tallyOrg) forget(t *testing.T) {
	t.Helper()
	o.update(t, func(tx okrcore.Tx) error {
		for b := range okrcore.ID(len(o.users)/okrcore.TallyBlock + 1) {
			if err := tx.DeleteState(o.ws, okrcore.TallyKey(b, -1)); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestTallySaysWhatTheHistorySays(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 600, start)
	ctx := context.Background()
	// History from before the tally: its blocks are not built.
	o.history(t, 1500, start, start.AddDate(0, 0, 28))
	// The first block is built (as a report does), the others stay as
	// they are while check-ins, undos, imports and moves go on.
	if err := tally.Fill(ctx, o.db, o.ws, []okrcore.ID{1}); err != nil {
		t.Fatal(err)
	}
	now := o.live(t, 1500, start.AddDate(0, 0, 28), start)
	if err := tally.Fill(ctx, o.db, o.ws, []okrcore.ID{300}); err != nil {
		t.Fatal(err)
	}
	now = o.live(t, 600, now, start)

	err := o.db.View(ctx, func(tx okrcore.Tx) error {
		tr := tally.NewReader(tx, o.ws, start.AddDate(0, 0, -7), now)
		pr := tally.NewPersonReader(tx, o.ws, start.AddDate(0, 0, -7), now)
		var some []okrcore.ID // a team's people: every third, of every block
		for i := 0; i < len(o.users); i += 3 {
			some = append(some, o.users[i].ID)
		}
		tm := tally.NewTeamReader(tx, o.ws, start.AddDate(0, 0, -7), now, some)
		for range 3000 {
			u := o.users[o.rnd.IntN(len(o.users))]
			a := start.Add(time.Duration(o.rnd.Int64N(int64(now.Sub(start)))))
			b := a.Add(time.Duration(o.rnd.Int64N(int64(10 * 24 * time.Hour))))
			cis, err := tx.CheckInsByAuthor(o.ws, u.ID, a, 0)
			if err != nil {
				return err
			}
			eff := okrcore.Effective(cis)
			wantSince := len(eff) > 0
			wantBetween := false
			for _, c := range eff {
				wantBetween = wantBetween || c.At.Before(b)
			}
			if got, err := tr.CheckedInSince(u.ID, a); err != nil || got != wantSince {
				t.Errorf("%s checked in since %s: %v (%v), the history says %v", u.Name, a, got, err, wantSince)
			}
			if got, err := tr.CheckedInBetween(u.ID, a, b); err != nil || got != wantBetween {
				t.Errorf("%s checked in between %s and %s: %v (%v), the history says %v", u.Name, a, b, got, err, wantBetween)
			}
			if got, err := pr.CheckedInSince(u.ID, a); err != nil || got != wantSince {
				t.Errorf("person reader: %s checked in since %s: %v (%v), the history says %v", u.Name, a, got, err, wantSince)
			}
			if got, err := pr.CheckedInBetween(u.ID, a, b); err != nil || got != wantBetween {
				t.Errorf("person reader: %s checked in between %s and %s: %v (%v), the history says %v", u.Name, a, b, got, err, wantBetween)
			}
			if got, err := tm.CheckedInSince(u.ID, a); err != nil || got != wantSince {
				t.Errorf("team reader: %s checked in since %s: %v (%v), the history says %v", u.Name, a, got, err, wantSince)
			}
			if got, err := tm.CheckedInBetween(u.ID, a, b); err != nil || got != wantBetween {
				t.Errorf("team reader: %s checked in between %s and %s: %v (%v), the history says %v", u.Name, a, b, got, err, wantBetween)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The reports read from the tally kept, then counted again.
	reports := func() []any { return tallyReports(t, o, o.db, now) }
	kept := reports()
	// A store without the ownership index reads the records instead.
	if again := tallyReports(t, o, recordsOnly{o.db}, now); !reflect.DeepEqual(kept, again) {
		t.Errorf("the reports differ between the ownership index and the records:\n%v\n%v", kept, again)
	}
	o.forget(t)
	if again := reports(); !reflect.DeepEqual(kept, again) {
		t.Errorf("the reports differ between the tally kept and counted again:\n%v\n%v", kept, again)
	}
}

// recordsOnly is a store whose transactions have only okrcore.Tx's
// methods: no ownership index.
type recordsOnly struct{ okrcore.Store }

func (s recordsOnly) View(ctx context.Context, fn func(okrcore.Tx) error) error {
	return s.Store.View(ctx, func(tx okrcore.Tx) error { return fn(struct{ okrcore.Tx }{tx}) })
}

func (s recordsOnly) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	return s.Store.Update(ctx, func(tx okrcore.Tx) error { return fn(struct{ okrcore.Tx }{tx}) })
}

// tallyReports are adoption of everyone and of Team 3 and the first team's
// manager digest, read from store.
func tallyReports(t *testing.T, o *tallyOrg, store okrcore.Store, now time.Time) []any {
	t.Helper()
	ctx := context.Background()
	e := New(store, Options{Now: func() time.Time { return now }})
	var out []any
	for _, scope := range []string{"", "Team 3"} {
		m, err := e.Adoption(ctx, o.ws, now, scope)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	err := store.View(ctx, func(tx okrcore.Tx) error {
		w, cs, teams, err := digestScope(tx, o.ws)
		if err != nil {
			return err
		}
		m, err := buildManagerDigest(tx, w, teams[0], cs, newTeamTree(teams), now, "")
		if err == nil && len(chat.Images(m.Blocks)) != 1 {
			t.Errorf("the manager digest of %s carries %d charts, want its weekly rate", teams[0].Name, len(chat.Images(m.Blocks)))
		}
		out = append(out, m)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A manager digest builds the tally of the people it counts before it is
// composed (a store from before the tally, or people no report has counted
// yet), so that next week's reads it instead of everyone's history, and
// says the same either way.
func TestManagerDigestBuildsTheTallyItCounts(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 600, start)
	now := start.AddDate(0, 0, 28)
	o.history(t, 1500, start, now)
	ctx := context.Background()
	digest := func() chat.Message {
		t.Helper()
		var m chat.Message
		err := o.db.View(ctx, func(tx okrcore.Tx) error {
			w, cs, teams, err := digestScope(tx, o.ws)
			if err != nil {
				return err
			}
			m, err = buildManagerDigest(tx, w, o.teams[0], cs, newTeamTree(teams), now, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	built := func() (n int) {
		t.Helper()
		err := o.db.View(ctx, func(tx okrcore.Tx) error {
			for b := range okrcore.ID(len(o.users)/okrcore.TallyBlock + 1) {
				if _, err := tx.State(o.ws, okrcore.TallyKey(b, -1)); err == nil {
					n++
				} else if !okrcore.IsNotFound(err) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := built(); n != 0 {
		t.Fatalf("%d blocks of the tally built before any report", n)
	}
	fromHistory := digest()
	it := &okrcore.OutboxItem{ID: 1, Workspace: o.ws, Kind: okrcore.OutboxManagerDigest, Team: o.teams[0].ID, DueAt: now,
		Key: fmt.Sprintf("manager_digest:t%d:x", o.teams[0].ID), State: okrcore.OutboxPending}
	// A store that cannot build it: the digest counts from the history.
	readOnly := New(refusesWrites{o.db}, Options{Now: func() time.Time { return now }})
	if d, err := readOnly.Compose(ctx, it); err != nil || d.Skip != "" || built() != 0 {
		t.Fatalf("compose the manager digest on a store refusing writes: %v (skip %q), %d blocks built", err, d.Skip, built())
	}
	e := New(o.db, Options{Now: func() time.Time { return now }})
	if d, err := e.Compose(ctx, it); err != nil || d.Skip != "" {
		t.Fatalf("compose the manager digest: %v (skip %q)", err, d.Skip)
	}
	if n, want := built(), len(o.users)/okrcore.TallyBlock+1; n != want {
		t.Errorf("the manager digest built %d blocks of the tally, want every block of its people (%d)", n, want)
	}
	if fromTally := digest(); !reflect.DeepEqual(fromHistory, fromTally) {
		t.Errorf("the manager digest differs between the history and the tally it built:\n%v\n%v", fromHistory, fromTally)
	}
}

// refusesWrites is a store whose every write fails.
type refusesWrites struct{ okrcore.Store }

func (refusesWrites) Update(context.Context, func(okrcore.Tx) error) error {
	return errors.New("the store is read-only")
}

// digestScope is what composing a workspace's digests reads first: the
// workspace, its current cycles and its teams.
func digestScope(tx okrcore.Tx, ws string) (*okrcore.Workspace, []*okrcore.Cycle, []*okrcore.Team, error) {
	w, err := tx.Workspace(ws)
	if err != nil {
		return nil, nil, nil, err
	}
	cs, err := okrcore.CurrentCycles(tx, ws)
	if err != nil {
		return nil, nil, nil, err
	}
	teams, err := tx.Teams(ws)
	return w, cs, teams, err
}
