package storagetest

// Conformance of the deletes that roll back an import: a deleted record
// leaves no trace in any lookup, nothing else moves, and a rollback can
// run again.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// row is one record a lookup returned, by ID and content.
type row struct {
	ID     okrcore.ID
	Record string
}

// readings are the answers of every lookup of a workspace, keyed "kind:
// lookup"; a getter that found nothing has no rows.
type readings map[string][]row

func readList[T ided](t *testing.T, r readings, key string, list []T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	rows := []row{}
	for _, rec := range list {
		rows = append(rows, row{idOf(rec), dump(rec)})
	}
	r[key] = rows
}

func readOne[T ided](t *testing.T, r readings, key string, rec T, err error) {
	t.Helper()
	if okrcore.IsNotFound(err) {
		r[key] = []row{}
		return
	}
	readList(t, r, key, []T{rec}, err)
}

// readAll reads ws through every lookup, for the IDs 1 to 4 of each kind
// the rollback fixture uses and the owners and cycles it refers to.
func readAll(t *testing.T, s okrcore.Store, ws string) readings {
	t.Helper()
	r := readings{}
	view(t, s, func(tx okrcore.Tx) error {
		readTeams(t, tx, ws, r)
		readOKRs(t, tx, ws, r)
		readCheckIns(t, tx, ws, r)
		return nil
	})
	return r
}

var (
	rollbackIDs    = []okrcore.ID{1, 2, 3, 4}
	rollbackCycles = []okrcore.ID{0, 1, 2}
	rollbackOwners = []okrcore.Owner{
		okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.UserOwner(3),
		okrcore.TeamOwner(1), okrcore.TeamOwner(2),
	}
)

func readTeams(t *testing.T, tx okrcore.Tx, ws string, r readings) {
	t.Helper()
	users, err := tx.Users(ws)
	readList(t, r, "user: Users", users, err)
	teams, err := tx.Teams(ws)
	readList(t, r, "team: Teams", teams, err)
	for _, id := range rollbackIDs {
		team, err := tx.Team(ws, id)
		readOne(t, r, fmt.Sprintf("team: Team %d", id), team, err)
		teams, err := tx.TeamsOfUser(ws, id)
		readList(t, r, fmt.Sprintf("team: TeamsOfUser %d", id), teams, err)
	}
	for _, name := range []string{"platform", "GROWTH"} {
		team, err := tx.TeamByName(ws, name)
		readOne(t, r, "team: TeamByName "+name, team, err)
	}
}

func readOKRs(t *testing.T, tx okrcore.Tx, ws string, r readings) {
	t.Helper()
	cycles, err := tx.Cycles(ws)
	readList(t, r, "cycle: Cycles", cycles, err)
	kpis, err := tx.KPIs(ws)
	readList(t, r, "KPI: KPIs", kpis, err)
	for _, id := range rollbackIDs {
		c, err := tx.Cycle(ws, id)
		readOne(t, r, fmt.Sprintf("cycle: Cycle %d", id), c, err)
		o, err := tx.Objective(ws, id)
		readOne(t, r, fmt.Sprintf("objective: Objective %d", id), o, err)
		k, err := tx.KeyResult(ws, id)
		readOne(t, r, fmt.Sprintf("key result: KeyResult %d", id), k, err)
		p, err := tx.KPI(ws, id)
		readOne(t, r, fmt.Sprintf("KPI: KPI %d", id), p, err)
		i, err := tx.Initiative(ws, id)
		readOne(t, r, fmt.Sprintf("initiative: Initiative %d", id), i, err)
		krs, err := tx.KeyResultsByObjective(ws, id)
		readList(t, r, fmt.Sprintf("key result: KeyResultsByObjective %d", id), krs, err)
		inits, err := tx.InitiativesByKeyResult(ws, id)
		readList(t, r, fmt.Sprintf("initiative: InitiativesByKeyResult %d", id), inits, err)
		for _, parent := range []okrcore.Ref{{Kind: okrcore.RefKeyResult, ID: id}, {Kind: okrcore.RefObjective, ID: id}} {
			objs, err := tx.ObjectivesAlignedTo(ws, parent)
			readList(t, r, "objective: ObjectivesAlignedTo "+parent.String(), objs, err)
		}
	}
	for _, c := range rollbackCycles {
		objs, err := tx.ObjectivesByCycle(ws, c)
		readList(t, r, fmt.Sprintf("objective: ObjectivesByCycle %d", c), objs, err)
		krs, err := tx.KeyResultsByCycle(ws, c)
		readList(t, r, fmt.Sprintf("key result: KeyResultsByCycle %d", c), krs, err)
		for _, o := range rollbackOwners {
			objs, err := tx.ObjectivesByOwner(ws, o, c)
			readList(t, r, fmt.Sprintf("objective: ObjectivesByOwner %s %d %d", o.Kind, o.ID, c), objs, err)
			krs, err := tx.KeyResultsByOwner(ws, o, c)
			readList(t, r, fmt.Sprintf("key result: KeyResultsByOwner %s %d %d", o.Kind, o.ID, c), krs, err)
		}
	}
}

// readCheckIns reads the check-in lists, and the times by author as rows
// of the check-ins they are the times of, which the contract of
// CheckInTimesByAuthor allows.
func readCheckIns(t *testing.T, tx okrcore.Tx, ws string, r readings) {
	t.Helper()
	for _, id := range rollbackIDs {
		for _, target := range []okrcore.TargetKind{okrcore.TargetKR, okrcore.TargetKPI} {
			cis, err := tx.CheckIns(ws, target, id, time.Time{}, 0)
			readList(t, r, fmt.Sprintf("check-in: CheckIns %s %d", target, id), cis, err)
		}
		for _, since := range []time.Time{{}, base.Add(time.Hour)} {
			key := fmt.Sprintf("check-in: CheckInsByAuthor %d since %s", id, since.Format(time.Kitchen))
			cis, err := tx.CheckInsByAuthor(ws, id, since, 0)
			readList(t, r, key, cis, err)
			times, err := tx.CheckInTimesByAuthor(ws, id, since)
			if err != nil {
				t.Fatalf("CheckInTimesByAuthor %d: %v", id, err)
			}
			if len(times) != len(cis) {
				t.Fatalf("CheckInTimesByAuthor %d: %d times for %d check-ins", id, len(times), len(cis))
			}
			rows := []row{}
			for i, at := range times {
				if !at.Equal(cis[i].At) {
					t.Fatalf("CheckInTimesByAuthor %d: time %d is %v, check-in %d was at %v", id, i, at, cis[i].ID, cis[i].At)
				}
				rows = append(rows, row{cis[i].ID, at.UTC().Format(time.RFC3339Nano)})
			}
			r[strings.Replace(key, "CheckInsByAuthor", "CheckInTimesByAuthor", 1)] = rows
		}
	}
}

// without is what r reads once the record id of kind is gone.
func without(r readings, kind string, id okrcore.ID) readings {
	out := readings{}
	for key, rows := range r {
		if strings.HasPrefix(key, kind+":") {
			rows = slices.DeleteFunc(slices.Clone(rows), func(x row) bool { return x.ID == id })
		}
		out[key] = rows
	}
	return out
}

func wantReadings(t *testing.T, what string, got, want readings) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for key := range want {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		if !slices.Equal(got[key], want[key]) {
			t.Fatalf("%s: %s:\ngot  %s\nwant %s", what, key, dump(got[key]), dump(want[key]))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d lookups, want %d", what, len(got), len(want))
	}
}

// seedRollback stores in ws records that share every index with the ones
// the cases delete, so that a delete taking too much shows. IDs start at 1
// in each kind, in the order written here.
func seedRollback(t *testing.T, s okrcore.Store, ws string) {
	t.Helper()
	u1, u2, t1 := okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.TeamOwner(1)
	o2 := newObjective(ws, 2, u2, "aligned to O1")
	o2.ParentObjective = 1
	o3 := newObjective(ws, 1, t1, "team's, aligned to KR1")
	o3.ParentKR = 1
	o4 := newObjective(ws, 1, u1, "Ann's, aligned to KR1")
	o4.ParentKR = 1
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	put(t, s, func(tx okrcore.Tx) error {
		return errors.Join(
			tx.PutUser(newUser(ws, "U1", "Ann")), tx.PutUser(newUser(ws, "U2", "Ben")), tx.PutUser(newUser(ws, "U3", "Cat")),
			tx.PutTeam(newTeam(ws, "Platform", 2, 1)), tx.PutTeam(newTeam(ws, "Growth", 1, 2, 3)),
			tx.PutCycle(newCycle(ws, "Q1", base)), tx.PutCycle(newCycle(ws, "Q2", base.AddDate(0, 3, 0))),
			tx.PutObjective(newObjective(ws, 1, u1, "Ann's")), tx.PutObjective(o2), tx.PutObjective(o3), tx.PutObjective(o4),
			tx.PutKeyResult(newKR(ws, 1, 1, u1, "first")), tx.PutKeyResult(newKR(ws, 3, 1, t1, "team's")),
			tx.PutKeyResult(newKR(ws, 1, 1, u1, "second")),
			tx.PutKPI(&okrcore.KPI{Workspace: ws, Title: "Uptime", Owner: t1, CreatedAt: base}),
			tx.PutKPI(&okrcore.KPI{Workspace: ws, Title: "NPS", Owner: u1, CreatedAt: base}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: "first", CreatedAt: base}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: ws, KeyResult: 3, Title: "other KR's", CreatedAt: base}),
			tx.PutInitiative(&okrcore.Initiative{Workspace: ws, KeyResult: 1, Owner: 2, Title: "second", CreatedAt: base}),
			tx.AddCheckIn(newCheckIn(ws, okrcore.TargetKR, 1, 1, h(0), 10)),
			tx.AddCheckIn(newCheckIn(ws, okrcore.TargetKPI, 1, 2, h(1), 20)),
			tx.AddCheckIn(newCheckIn(ws, okrcore.TargetKR, 1, 2, h(2), 30)),
			tx.AddCheckIn(newCheckIn(ws, okrcore.TargetKR, 1, 1, h(3), 40)),
		)
	})
}

// rollbackCase deletes one record of the rollback fixture.
type rollbackCase struct {
	name string
	kind string // the prefix of its lookups in readings
	id   okrcore.ID
	// listedBy are lookups that return the record before it is deleted,
	// which makes sure the fixture puts it in every index of its kind.
	listedBy []string
	del      func(tx okrcore.Tx, ws string, id okrcore.ID) error
	// create stores a new record of the kind and returns its ID, which
	// must follow the fixture's: sequences are not moved back.
	create func(tx okrcore.Tx, ws string) (okrcore.ID, error)
	next   okrcore.ID
}

func putNew[T any](rec *T, id *okrcore.ID, put func(*T) error) (okrcore.ID, error) {
	err := put(rec)
	return *id, err
}

func rollbackCases() []rollbackCase {
	return []rollbackCase{
		{
			name: "team", kind: "team", id: 2,
			listedBy: []string{"team: Team 2", "team: Teams", "team: TeamByName GROWTH", "team: TeamsOfUser 1", "team: TeamsOfUser 2", "team: TeamsOfUser 3"},
			del:      func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteTeam(ws, id) },
			create: func(tx okrcore.Tx, ws string) (okrcore.ID, error) {
				team := newTeam(ws, "Growth", 1)
				return putNew(team, &team.ID, tx.PutTeam)
			},
			next: 3,
		},
		{
			name: "cycle", kind: "cycle", id: 2,
			listedBy: []string{"cycle: Cycle 2", "cycle: Cycles"},
			del:      func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteCycle(ws, id) },
			create: func(tx okrcore.Tx, ws string) (okrcore.ID, error) {
				c := newCycle(ws, "Q3", base)
				return putNew(c, &c.ID, tx.PutCycle)
			},
			next: 3,
		},
		{
			name: "objective aligned to a key result", kind: "objective", id: 4,
			listedBy: []string{
				"objective: Objective 4", "objective: ObjectivesByCycle 0", "objective: ObjectivesByCycle 1",
				"objective: ObjectivesByOwner user 1 0", "objective: ObjectivesByOwner user 1 1", "objective: ObjectivesAlignedTo KR1",
			},
			del:    func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteObjective(ws, id) },
			create: newRollbackObjective,
			next:   5,
		},
		{
			name: "objective aligned to an objective", kind: "objective", id: 2,
			listedBy: []string{
				"objective: Objective 2", "objective: ObjectivesByCycle 0", "objective: ObjectivesByCycle 2",
				"objective: ObjectivesByOwner user 2 0", "objective: ObjectivesByOwner user 2 2", "objective: ObjectivesAlignedTo O1",
			},
			del:    func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteObjective(ws, id) },
			create: newRollbackObjective,
			next:   5,
		},
		{
			name: "key result", kind: "key result", id: 3,
			listedBy: []string{
				"key result: KeyResult 3", "key result: KeyResultsByObjective 1", "key result: KeyResultsByCycle 0",
				"key result: KeyResultsByCycle 1", "key result: KeyResultsByOwner user 1 0", "key result: KeyResultsByOwner user 1 1",
			},
			del: func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteKeyResult(ws, id) },
			create: func(tx okrcore.Tx, ws string) (okrcore.ID, error) {
				k := newKR(ws, 1, 1, okrcore.UserOwner(1), "again")
				return putNew(k, &k.ID, tx.PutKeyResult)
			},
			next: 4,
		},
		{
			name: "KPI", kind: "KPI", id: 2,
			listedBy: []string{"KPI: KPI 2", "KPI: KPIs"},
			del:      func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteKPI(ws, id) },
			create: func(tx okrcore.Tx, ws string) (okrcore.ID, error) {
				k := &okrcore.KPI{Workspace: ws, Title: "again", CreatedAt: base}
				return putNew(k, &k.ID, tx.PutKPI)
			},
			next: 3,
		},
		{
			name: "initiative", kind: "initiative", id: 3,
			listedBy: []string{"initiative: Initiative 3", "initiative: InitiativesByKeyResult 1"},
			del:      func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteInitiative(ws, id) },
			create: func(tx okrcore.Tx, ws string) (okrcore.ID, error) {
				i := &okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: "again", CreatedAt: base}
				return putNew(i, &i.ID, tx.PutInitiative)
			},
			next: 4,
		},
		{
			name: "check-in of a key result", kind: "check-in", id: 4,
			listedBy: []string{
				"check-in: CheckIns kr 1", "check-in: CheckInsByAuthor 1 since 12:00AM", "check-in: CheckInsByAuthor 1 since 10:00AM",
				"check-in: CheckInTimesByAuthor 1 since 12:00AM", "check-in: CheckInTimesByAuthor 1 since 10:00AM",
			},
			del:    func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteCheckIn(ws, id) },
			create: newRollbackCheckIn,
			next:   5,
		},
		{
			name: "check-in of a KPI", kind: "check-in", id: 2,
			listedBy: []string{
				"check-in: CheckIns kpi 1", "check-in: CheckInsByAuthor 2 since 12:00AM", "check-in: CheckInsByAuthor 2 since 10:00AM",
				"check-in: CheckInTimesByAuthor 2 since 12:00AM", "check-in: CheckInTimesByAuthor 2 since 10:00AM",
			},
			del:    func(tx okrcore.Tx, ws string, id okrcore.ID) error { return tx.DeleteCheckIn(ws, id) },
			create: newRollbackCheckIn,
			next:   5,
		},
	}
}

func newRollbackObjective(tx okrcore.Tx, ws string) (okrcore.ID, error) {
	o := newObjective(ws, 1, okrcore.UserOwner(1), "again")
	return putNew(o, &o.ID, tx.PutObjective)
}

func newRollbackCheckIn(tx okrcore.Tx, ws string) (okrcore.ID, error) {
	c := newCheckIn(ws, okrcore.TargetKR, 1, 1, base, 50)
	return putNew(c, &c.ID, tx.AddCheckIn)
}

func testRollbackDeletes(t *testing.T, s okrcore.Store) {
	for i, tc := range rollbackCases() {
		t.Run(tc.name, func(t *testing.T) {
			// The neighbour's ID extends ws's, so keys that mixed the two
			// would show.
			ws := fmt.Sprintf("r%d", i)
			neighbour := ws + "0"
			seedRollback(t, s, ws)
			seedRollback(t, s, neighbour)
			before, beside := readAll(t, s, ws), readAll(t, s, neighbour)
			for _, key := range tc.listedBy {
				if !slices.ContainsFunc(before[key], func(x row) bool { return x.ID == tc.id }) {
					t.Fatalf("fixture: %s does not list %s %d", key, tc.kind, tc.id)
				}
			}
			want := without(before, tc.kind, tc.id)

			put(t, s, func(tx okrcore.Tx) error { return tc.del(tx, ws, tc.id) })
			wantReadings(t, "after delete", readAll(t, s, ws), want)
			wantReadings(t, "neighbour workspace", readAll(t, s, neighbour), beside)

			// A rollback run again finds the record gone, and records that
			// were never there are no error either.
			put(t, s, func(tx okrcore.Tx) error {
				return errors.Join(tc.del(tx, ws, tc.id), tc.del(tx, ws, 99), tc.del(tx, "nowhere", tc.id))
			})
			wantReadings(t, "after deleting again", readAll(t, s, ws), want)
			wantReadings(t, "neighbour after deleting again", readAll(t, s, neighbour), beside)

			id, err := okrcore.Update(context.Background(), s, func(tx okrcore.Tx) (okrcore.ID, error) { return tc.create(tx, ws) })
			if err != nil {
				t.Fatalf("new %s after delete: %v", tc.kind, err)
			}
			if id != tc.next {
				t.Fatalf("new %s after delete got ID %d, want %d (IDs are never given twice)", tc.kind, id, tc.next)
			}
		})
	}
}
