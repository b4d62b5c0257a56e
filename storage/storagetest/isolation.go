package storagetest

// Conformance of workspaces' isolation: the same IDs and names in
// workspaces whose IDs share prefixes never mix.

import (
	"errors"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// fixture is what seed stores in one workspace.
type fixture struct {
	user, user2 *okrcore.User
	team        *okrcore.Team
	cycle       *okrcore.Cycle
	obj, obj2   *okrcore.Objective
	kr          *okrcore.KeyResult
	kpi         *okrcore.KPI
	init        *okrcore.Initiative
	checkIn     *okrcore.CheckIn
	kpiCheckIn  *okrcore.CheckIn
}

// seed stores one record of each kind (two users and objectives) in ws.
// Every title and name starts with ws + ":" except user and team names,
// which are the same in every workspace.
func seed(t *testing.T, s okrcore.Store, ws string) *fixture {
	t.Helper()
	f := &fixture{
		user:  newUser(ws, "U1", "Ann Lee"),
		user2: newUser(ws, "U2", "Ben Ode"),
		team:  newTeam(ws, "Growth", 1, 2),
		cycle: newCycle(ws, ws+":Q1", base),
		obj:   newObjective(ws, 1, okrcore.UserOwner(1), ws+":objective"),
		obj2:  newObjective(ws, 1, okrcore.TeamOwner(1), ws+":aligned"),
		kr:    newKR(ws, 1, 1, okrcore.UserOwner(1), ws+":kr"),
		kpi:   &okrcore.KPI{Workspace: ws, Title: ws + ":kpi", Owner: okrcore.UserOwner(1), CreatedAt: base},
		init:  &okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: ws + ":initiative", CreatedAt: base},
	}
	f.user.Email = ws + ":ann@example.com"
	f.user2.Email = ws + ":ben@example.com"
	f.team.DigestChannel = ws + ":C1"
	f.obj2.ParentKR = 1
	f.checkIn = newCheckIn(ws, okrcore.TargetKR, 1, 1, base, 1)
	f.checkIn.Note = ws + ":note"
	f.kpiCheckIn = newCheckIn(ws, okrcore.TargetKPI, 1, 1, base, 2)
	f.kpiCheckIn.Note = ws + ":kpi note"
	put(t, s, func(tx okrcore.Tx) error {
		return errors.Join(
			tx.PutWorkspace(&okrcore.Workspace{ID: ws, Name: ws + ":workspace", CreatedAt: base}),
			tx.PutUser(f.user), tx.PutUser(f.user2), tx.PutTeam(f.team), tx.PutCycle(f.cycle),
			tx.PutObjective(f.obj), tx.PutObjective(f.obj2), tx.PutKeyResult(f.kr), tx.PutKPI(f.kpi),
			tx.PutInitiative(f.init), tx.AddCheckIn(f.checkIn), tx.AddCheckIn(f.kpiCheckIn),
			tx.PutState(ws, "k", []byte(ws+":state"), time.Time{}),
		)
	})
	return f
}

func testIsolation(t *testing.T, s okrcore.Store) {
	fx := seedIsolation(t, s)
	for _, ws := range []string{"a", "ab", "a b"} {
		t.Run(ws, func(t *testing.T) {
			view(t, s, func(tx okrcore.Tx) error {
				wantOwnPeople(t, tx, ws, fx[ws])
				wantOwnOKRs(t, tx, ws, fx[ws])
				wantOwnCheckInsAndState(t, tx, ws, fx[ws])
				wantNothingOfB(t, tx, ws)
				return nil
			})
		})
	}
	testChangeStaysInWorkspace(t, s, fx)
}

// seedIsolation seeds workspaces whose IDs share prefixes ("a", "ab" and
// "a b"), so that a store keying records by a plain concatenation of
// workspace and ID would mix them; all three hold the same IDs, names and
// platform IDs. "b" holds more records than they do, under IDs and names
// none of them may find.
func seedIsolation(t *testing.T, s okrcore.Store) map[string]*fixture {
	t.Helper()
	fx := map[string]*fixture{}
	for _, ws := range []string{"a", "ab", "a b", "b"} {
		fx[ws] = seed(t, s, ws)
	}
	put(t, s, func(tx okrcore.Tx) error {
		return errors.Join(
			tx.PutUser(newUser("b", "U3", "Only B")),
			tx.PutTeam(newTeam("b", "Only B", 3)),
			tx.PutCycle(newCycle("b", "b:Q2", base)),
			tx.PutObjective(newObjective("b", 2, okrcore.UserOwner(3), "b:only")),
			tx.PutKeyResult(newKR("b", 3, 2, okrcore.UserOwner(3), "b:only")),
			tx.PutKPI(&okrcore.KPI{Workspace: "b", Title: "b:only"}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: "b", KeyResult: 2, Title: "b:only"}),
			tx.AddCheckIn(newCheckIn("b", okrcore.TargetKR, 2, 3, base, 5)),
			tx.PutState("b", "only-b", []byte("b"), time.Time{}),
		)
	})
	return fx
}

// wantRead stops the test when a read failed, and compares what it read.
func wantRead(t *testing.T, what string, got any, err error, want any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	equal(t, what, got, want)
}

// wantOwnPeople checks that ws reads its own workspace, users and teams.
func wantOwnPeople(t *testing.T, tx okrcore.Tx, ws string, f *fixture) {
	w, err := tx.Workspace(ws)
	wantRead(t, "Workspace", w.Name, err, ws+":workspace")
	u, err := tx.User(ws, 1)
	wantRead(t, "User", u, err, f.user)
	u, err = tx.UserByPlatform(ws, "slack", "U1")
	wantRead(t, "UserByPlatform", u, err, f.user)
	u, err = tx.UserByName(ws, "ann lee")
	wantRead(t, "UserByName", u, err, f.user)
	users, err := tx.Users(ws)
	wantRead(t, "Users", users, err, []*okrcore.User{f.user, f.user2})
	tm, err := tx.Team(ws, 1)
	wantRead(t, "Team", tm, err, f.team)
	tm, err = tx.TeamByName(ws, "growth")
	wantRead(t, "TeamByName", tm, err, f.team)
	teams, err := tx.Teams(ws)
	wantRead(t, "Teams", teams, err, []*okrcore.Team{f.team})
	teams, err = tx.TeamsOfUser(ws, 2)
	wantRead(t, "TeamsOfUser", teams, err, []*okrcore.Team{f.team})
}

// wantOwnOKRs checks that ws reads its own cycle, objectives, key results,
// KPI and initiative, by each of their lookups and lists.
func wantOwnOKRs(t *testing.T, tx okrcore.Tx, ws string, f *fixture) {
	c, err := tx.Cycle(ws, 1)
	wantRead(t, "Cycle", c, err, f.cycle)
	cycles, err := tx.Cycles(ws)
	wantRead(t, "Cycles", cycles, err, []*okrcore.Cycle{f.cycle})
	o, err := tx.Objective(ws, 1)
	wantRead(t, "Objective", o, err, f.obj)
	objs, err := tx.ObjectivesByCycle(ws, 1)
	wantRead(t, "ObjectivesByCycle", objs, err, []*okrcore.Objective{f.obj, f.obj2})
	objs, err = tx.ObjectivesByCycle(ws, 0)
	wantRead(t, "ObjectivesByCycle 0", objs, err, []*okrcore.Objective{f.obj, f.obj2})
	objs, err = tx.ObjectivesByOwner(ws, okrcore.UserOwner(1), 1)
	wantRead(t, "ObjectivesByOwner", objs, err, []*okrcore.Objective{f.obj})
	objs, err = tx.ObjectivesByOwner(ws, okrcore.TeamOwner(1), 0)
	wantRead(t, "ObjectivesByOwner team", objs, err, []*okrcore.Objective{f.obj2})
	objs, err = tx.ObjectivesAlignedTo(ws, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: 1})
	wantRead(t, "ObjectivesAlignedTo", objs, err, []*okrcore.Objective{f.obj2})
	k, err := tx.KeyResult(ws, 1)
	wantRead(t, "KeyResult", k, err, f.kr)
	krs, err := tx.KeyResultsByObjective(ws, 1)
	wantRead(t, "KeyResultsByObjective", krs, err, []*okrcore.KeyResult{f.kr})
	krs, err = tx.KeyResultsByOwner(ws, okrcore.UserOwner(1), 1)
	wantRead(t, "KeyResultsByOwner", krs, err, []*okrcore.KeyResult{f.kr})
	krs, err = tx.KeyResultsByCycle(ws, 1)
	wantRead(t, "KeyResultsByCycle", krs, err, []*okrcore.KeyResult{f.kr})
	krs, err = tx.KeyResultsByCycle(ws, 0)
	wantRead(t, "KeyResultsByCycle 0", krs, err, []*okrcore.KeyResult{f.kr})
	kp, err := tx.KPI(ws, 1)
	wantRead(t, "KPI", kp, err, f.kpi)
	kpis, err := tx.KPIs(ws)
	wantRead(t, "KPIs", kpis, err, []*okrcore.KPI{f.kpi})
	in, err := tx.Initiative(ws, 1)
	wantRead(t, "Initiative", in, err, f.init)
	ins, err := tx.InitiativesByKeyResult(ws, 1)
	wantRead(t, "InitiativesByKeyResult", ins, err, []*okrcore.Initiative{f.init})
}

// wantOwnCheckInsAndState checks that ws reads its own check-ins, by
// target and by author, and its own state.
func wantOwnCheckInsAndState(t *testing.T, tx okrcore.Tx, ws string, f *fixture) {
	cis, err := tx.CheckIns(ws, okrcore.TargetKR, 1, time.Time{}, 0)
	wantRead(t, "CheckIns", cis, err, []*okrcore.CheckIn{f.checkIn})
	cis, err = tx.CheckIns(ws, okrcore.TargetKPI, 1, time.Time{}, 0)
	wantRead(t, "CheckIns KPI", cis, err, []*okrcore.CheckIn{f.kpiCheckIn})
	cis, err = tx.CheckInsByAuthor(ws, 1, time.Time{}, 0)
	wantRead(t, "CheckInsByAuthor", cis, err, []*okrcore.CheckIn{f.kpiCheckIn, f.checkIn})
	ats, err := tx.CheckInTimesByAuthor(ws, 1, time.Time{})
	wantTimes(t, "CheckInTimesByAuthor", ats, err, f.kpiCheckIn.At, f.checkIn.At)
	v, err := tx.State(ws, "k")
	wantRead(t, "State", string(v), err, ws+":state")
}

// wantNothingOfB checks that what exists only in b stays there: its IDs,
// names and keys are not found in ws, and no list of ws holds its records.
func wantNothingOfB(t *testing.T, tx okrcore.Tx, ws string) {
	for name, err := range map[string]error{
		"User 3":            second(tx.User(ws, 3)),
		"UserByPlatform U3": second(tx.UserByPlatform(ws, "slack", "U3")),
		"UserByName":        second(tx.UserByName(ws, "only b")),
		"Team 2":            second(tx.Team(ws, 2)),
		"TeamByName":        second(tx.TeamByName(ws, "only b")),
		"Cycle 2":           second(tx.Cycle(ws, 2)),
		"Objective 3":       second(tx.Objective(ws, 3)),
		"KeyResult 2":       second(tx.KeyResult(ws, 2)),
		"KPI 2":             second(tx.KPI(ws, 2)),
		"Initiative 2":      second(tx.Initiative(ws, 2)),
		"State only-b":      second(tx.State(ws, "only-b")),
	} {
		wantNotFound(t, err, name+" of b in "+ws)
	}
	for name, n := range map[string]int{
		"TeamsOfUser 3":            lenOf(tx.TeamsOfUser(ws, 3)),
		"ObjectivesByCycle 2":      lenOf(tx.ObjectivesByCycle(ws, 2)),
		"ObjectivesByOwner 3":      lenOf(tx.ObjectivesByOwner(ws, okrcore.UserOwner(3), 0)),
		"KeyResultsByObjective 3":  lenOf(tx.KeyResultsByObjective(ws, 3)),
		"KeyResultsByOwner 3":      lenOf(tx.KeyResultsByOwner(ws, okrcore.UserOwner(3), 0)),
		"KeyResultsByCycle 2":      lenOf(tx.KeyResultsByCycle(ws, 2)),
		"InitiativesByKeyResult 2": lenOf(tx.InitiativesByKeyResult(ws, 2)),
		"CheckIns KR2":             lenOf(tx.CheckIns(ws, okrcore.TargetKR, 2, time.Time{}, 0)),
		"CheckInsByAuthor 3":       lenOf(tx.CheckInsByAuthor(ws, 3, time.Time{}, 0)),
		"CheckInTimesByAuthor 3":   lenOf(tx.CheckInTimesByAuthor(ws, 3, time.Time{})),
	} {
		if n != 0 {
			t.Errorf("%s in %s: %d records of b", name, ws, n)
		}
	}
}

// testChangeStaysInWorkspace changes, renames and deletes records of a and
// checks that the records of ab with the same IDs, names and keys are left
// alone.
func testChangeStaysInWorkspace(t *testing.T, s okrcore.Store, fx map[string]*fixture) {
	put(t, s, func(tx okrcore.Tx) error {
		o := *fx["a"].obj
		o.Owner, o.Cycle = okrcore.UserOwner(2), 2
		u := *fx["a"].user
		u.Name = "Renamed"
		return errors.Join(tx.PutObjective(&o), tx.PutUser(&u), tx.DeleteState("a", "k"))
	})
	view(t, s, func(tx okrcore.Tx) error {
		o, err := tx.Objective("ab", 1)
		if err != nil {
			return err
		}
		equal(t, "O1 of ab after changing O1 of a", o, fx["ab"].obj)
		objs, err := tx.ObjectivesByOwner("ab", okrcore.UserOwner(1), 1)
		wantIDs(t, "ObjectivesByOwner in ab after change in a", objs, err, 1)
		u, err := tx.UserByName("ab", "Ann Lee")
		if err != nil {
			return err
		}
		equal(t, "user of ab after rename in a", u, fx["ab"].user)
		v, err := tx.State("ab", "k")
		if err != nil || string(v) != "ab:state" {
			t.Fatalf("state of ab after delete in a: %q, %v", v, err)
		}
		return nil
	})
}

func second[T any](_ T, err error) error { return err }

func lenOf[T any](l []T, err error) int {
	if err != nil {
		return -1
	}
	return len(l)
}
