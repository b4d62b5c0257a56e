package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange its closing with t.Cleanup.
//
// The contract it checks, beyond the comments of okrcore.Store and Tx:
//   - lists are in ID order, check-ins newest first (ties by ID, newest first);
//   - cycle 0 in ObjectivesByOwner, KeyResultsByOwner, ObjectivesByCycle and
//     KeyResultsByCycle means every cycle;
//   - a Put with a new ID stores the record under that ID, and later IDs of
//     that kind continue after it;
//   - a user's (platform, platform ID) and a team's name (case-insensitive)
//     are unique in a workspace: a clash is KindConflict;
//   - AddCheckIn with the ID of a stored check-in is KindConflict;
//   - CheckInTimesByAuthor gives the At of each check-in CheckInsByAuthor
//     lists, in the same order, to the nanosecond;
//   - an objective with both parents set, and a check-in whose target is
//     neither a key result nor a KPI, are KindInvalid;
//   - the error fn returns from Update is returned as is, and nothing fn wrote
//     is kept;
//   - UserByName and TeamByName give the lowest ID when several match;
//   - Workspaces lists workspaces in byte order of their IDs;
//   - outbox items take IDs per workspace like other kinds; AddOutbox of a
//     Key stored in the workspace (in this transaction or before) returns
//     false, writes nothing and sets the item's ID to the stored item's,
//     leaving its other fields alone; an empty State is stored (and set on
//     the item) as pending; a nil item, an empty Workspace or Key, and an
//     unknown Kind or State are KindInvalid;
//   - PutOutbox changes a stored item only: ID 0 is KindInvalid, an ID not
//     stored in the item's workspace KindNotFound, a changed Key
//     KindInvalid;
//   - DueOutbox orders by due instant, then workspace, then ID, includes
//     items due exactly at now, and counts only pending and sending items,
//     as does OpenOutbox.
func Run(t *testing.T, open func(t *testing.T) okrcore.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s okrcore.Store)
	}{
		{"Workspace", testWorkspace},
		{"Users", testUsers},
		{"Teams", testTeams},
		{"Cycles", testCycles},
		{"Objectives", testObjectives},
		{"KeyResults", testKeyResults},
		{"KPIs", testKPIs},
		{"Initiatives", testInitiatives},
		{"CheckIns", testCheckIns},
		{"State", testState},
		{"Workspaces", testWorkspaces},
		{"OutboxAdd", testOutboxAdd},
		{"OutboxIsolation", testOutboxIsolation},
		{"OutboxDue", testOutboxDue},
		{"OutboxStates", testOutboxStates},
		{"OutboxOpenCount", testOutboxOpenCount},
		{"OutboxConcurrentAdd", testOutboxConcurrentAdd},
		{"IDsPerKindAndWorkspace", testIDs},
		{"ExplicitIDs", testExplicitIDs},
		{"NotFound", testNotFound},
		{"WorkspaceIsolation", testIsolation},
		{"Copies", testCopies},
		{"Rollback", testRollback},
		{"ReadOnlyView", testReadOnlyView},
		{"Context", testContext},
		{"ConcurrentUpdates", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func testWorkspace(t *testing.T, s okrcore.Store) {
	_, err := get(t, s, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("w1") })
	wantNotFound(t, err, "workspace before it is stored")

	w := &okrcore.Workspace{ID: "w1", Name: "Acme", CurrentCycle: 3, Rules: okrcore.DefaultRules(), CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error { return tx.PutWorkspace(w) })
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("w1") })
	equal(t, "workspace", got, w)

	w2 := *w
	w2.Name, w2.CurrentCycle = "Acme Inc", 4
	put(t, s, func(tx okrcore.Tx) error { return tx.PutWorkspace(&w2) })
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("w1") })
	equal(t, "replaced workspace", got, &w2)

	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace("w2") })
	wantNotFound(t, err, "other workspace")

	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutWorkspace(&okrcore.Workspace{Name: "no id"}) })
	wantKind(t, err, okrcore.KindInvalid, "workspace without ID")
}

func newUser(ws, platformID, name string) *okrcore.User {
	return &okrcore.User{
		Workspace: ws, Platform: "slack", PlatformID: platformID, Name: name,
		Email: platformID + "@example.com", TimeZone: "Europe/Berlin", Role: okrcore.RoleMember, CreatedAt: base,
	}
}

func testUsers(t *testing.T, s okrcore.Store) {
	alice, bob, carol := newUser("w", "U1", "Alice Smith"), newUser("w", "U2", "Bob"), newUser("w", "U3", "Carol")
	carol.Platform = "teams"
	put(t, s, func(tx okrcore.Tx) error {
		for _, u := range []*okrcore.User{alice, bob, carol} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "assigned IDs", []okrcore.ID{alice.ID, bob.ID, carol.ID}, []okrcore.ID{1, 2, 3})

	got := must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 2) })
	equal(t, "user 2", got, bob)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U1") })
	equal(t, "user by platform", got, alice)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "teams", "U3") })
	equal(t, "teams user by platform", got, carol)
	_, err := get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "teams", "U1") })
	wantNotFound(t, err, "platform ID on another platform")
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "ALICE smith") })
	equal(t, "user by name, other case", got, alice)
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "Alice") })
	wantNotFound(t, err, "user by part of a name")

	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users("w") })
	wantIDs(t, "users", list, err, 1, 2, 3)
	equal(t, "users", list, []*okrcore.User{alice, bob, carol})

	// Rename Alice and move her to another platform ID: the old keys go.
	alice2 := *alice
	alice2.Name, alice2.PlatformID, alice2.Role = "Alicia", "U9", okrcore.RoleAdmin
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(&alice2) })
	equal(t, "ID kept on replace", alice2.ID, okrcore.ID(1))
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "Alice Smith") })
	wantNotFound(t, err, "old name after rename")
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U1") })
	wantNotFound(t, err, "old platform ID after change")
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "alicia") })
	equal(t, "user by new name", got, &alice2)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U9") })
	equal(t, "user by new platform ID", got, &alice2)

	// The freed platform ID can be taken by someone else; a taken one cannot.
	dave := newUser("w", "U1", "Dave")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(dave) })
	equal(t, "dave's ID", dave.ID, okrcore.ID(4))
	clash := newUser("w", "U2", "Bob's twin")
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutUser(clash) })
	wantKind(t, err, okrcore.KindConflict, "second user with Bob's platform ID")
	bob2 := *bob
	bob2.PlatformID = "U9"
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutUser(&bob2) })
	wantKind(t, err, okrcore.KindConflict, "moving Bob onto Alicia's platform ID")
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U2") })
	equal(t, "Bob after refused change", got, bob)

	// A linked account on another platform finds the same person; taking
	// someone else's account is refused; unlinking frees it.
	alice3 := alice2
	alice3.Linked = []okrcore.Account{{Platform: "teams", PlatformID: "29:alice", DM: "a:conv"}}
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(&alice3) })
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "teams", "29:alice") })
	equal(t, "user by linked account", got, &alice3)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U9") })
	equal(t, "user by first account with a linked one", got, &alice3)
	bob4 := *bob
	bob4.Linked = []okrcore.Account{{Platform: "teams", PlatformID: "29:alice"}}
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutUser(&bob4) })
	wantKind(t, err, okrcore.KindConflict, "linking Alicia's Teams account to Bob")
	carol2 := *carol
	carol2.Linked = []okrcore.Account{{Platform: "slack", PlatformID: "U9"}}
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutUser(&carol2) })
	wantKind(t, err, okrcore.KindConflict, "linking Alicia's first account to Carol")
	alice4 := alice3
	alice4.Linked = nil
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(&alice4) })
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "teams", "29:alice") })
	wantNotFound(t, err, "unlinked account")

	// Deleting a person removes every way to find them.
	put(t, s, func(tx okrcore.Tx) error { return tx.DeleteUser("w", alice4.ID) })
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", alice4.ID) })
	wantNotFound(t, err, "deleted user")
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("w", "slack", "U9") })
	wantNotFound(t, err, "deleted user by platform")
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "alicia") })
	wantNotFound(t, err, "deleted user by name")
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.DeleteUser("w", alice4.ID) })
	wantNotFound(t, err, "deleting a deleted user")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(&alice4) })
	alice2 = alice4

	// Names are not unique: the lowest ID wins.
	bob3 := newUser("w", "U5", "BOB")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(bob3) })
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName("w", "bob") })
	equal(t, "first of two Bobs", got.ID, bob.ID)
	list, err = get(t, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users("w") })
	wantIDs(t, "users after changes", list, err, 1, 2, 3, 4, 5)
}

func newTeam(ws, name string, lead okrcore.ID, members ...okrcore.ID) *okrcore.Team {
	return &okrcore.Team{Workspace: ws, Name: name, Lead: lead, Members: members, DigestChannel: "C-" + name, TimeZone: "UTC"}
}

func testTeams(t *testing.T, s okrcore.Store) {
	// Users 1..5 are referred to by ID only; the store does not check them.
	eng := newTeam("w", "Engineering", 1, 2, 3)
	sales := newTeam("w", "Sales", 4, 5, 2)
	exec := newTeam("w", "Exec", 1)
	exec.Members = nil
	put(t, s, func(tx okrcore.Tx) error {
		for _, tm := range []*okrcore.Team{eng, sales, exec} {
			if err := tx.PutTeam(tm); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "team IDs", []okrcore.ID{eng.ID, sales.ID, exec.ID}, []okrcore.ID{1, 2, 3})
	sales.Parent = exec.ID
	put(t, s, func(tx okrcore.Tx) error { return tx.PutTeam(sales) })

	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 2) })
	equal(t, "team 2", got, sales)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName("w", "engineering") })
	equal(t, "team by name", got, eng)
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName("w", "SALES") })
	equal(t, "team by name, upper case", got, sales)
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.Teams("w") })
	wantIDs(t, "teams", list, err, 1, 2, 3)
	equal(t, "teams", list, []*okrcore.Team{eng, sales, exec})

	teamsOf := func(u okrcore.ID) ([]*okrcore.Team, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.TeamsOfUser("w", u) })
	}
	list, err = teamsOf(1)
	wantIDs(t, "teams of the lead of two teams", list, err, 1, 3)
	list, err = teamsOf(2)
	wantIDs(t, "teams of a member of two teams", list, err, 1, 2)
	list, err = teamsOf(4)
	wantIDs(t, "teams of a lead", list, err, 2)
	list, err = teamsOf(9)
	wantIDs(t, "teams of nobody", list, err)

	// Rename Engineering, swap its lead and members: old entries go.
	eng2 := *eng
	eng2.Name, eng2.Lead, eng2.Members = "Platform", 3, []okrcore.ID{5, 3}
	put(t, s, func(tx okrcore.Tx) error { return tx.PutTeam(&eng2) })
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName("w", "Engineering") })
	wantNotFound(t, err, "old team name")
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName("w", "platform") })
	equal(t, "renamed team", got, &eng2)
	list, err = teamsOf(1)
	wantIDs(t, "teams of the former lead", list, err, 3)
	list, err = teamsOf(2)
	wantIDs(t, "teams of a removed member", list, err, 2)
	list, err = teamsOf(3)
	wantIDs(t, "teams of the new lead", list, err, 1)
	list, err = teamsOf(5)
	wantIDs(t, "teams of a new member", list, err, 1, 2)

	// Names are unique, case-insensitively; a team may change its own case.
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutTeam(newTeam("w", "sales", 1)) })
	wantKind(t, err, okrcore.KindConflict, "second team called sales")
	exec2 := *exec
	exec2.Name = "Platform"
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutTeam(&exec2) })
	wantKind(t, err, okrcore.KindConflict, "renaming onto another team's name")
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 3) })
	equal(t, "team after refused rename", got, exec)
	sales2 := *sales
	sales2.Name = "SALES"
	put(t, s, func(tx okrcore.Tx) error { return tx.PutTeam(&sales2) })
	got = must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName("w", "sales") })
	equal(t, "team after case change", got, &sales2)
}

func newCycle(ws, name string, start time.Time) *okrcore.Cycle {
	return &okrcore.Cycle{Workspace: ws, Name: name, Kind: okrcore.CycleQuarter, Start: start, End: start.AddDate(0, 3, 0)}
}

func testCycles(t *testing.T, s okrcore.Store) {
	q1 := newCycle("w", "Q1 2025", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	q2 := newCycle("w", "Q2 2025", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutCycle(q1); err != nil {
			return err
		}
		return tx.PutCycle(q2)
	})
	equal(t, "cycle IDs", []okrcore.ID{q1.ID, q2.ID}, []okrcore.ID{1, 2})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Cycle, error) { return tx.Cycle("w", 2) })
	equal(t, "cycle 2", got, q2)
	q1.Closed = true
	put(t, s, func(tx okrcore.Tx) error { return tx.PutCycle(q1) })
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.Cycle, error) { return tx.Cycles("w") })
	wantIDs(t, "cycles", list, err, 1, 2)
	equal(t, "cycles", list, []*okrcore.Cycle{q1, q2})
}

func newObjective(ws string, cycle okrcore.ID, owner okrcore.Owner, title string) *okrcore.Objective {
	return &okrcore.Objective{
		Workspace: ws, Cycle: cycle, Title: title, Owner: owner, Weight: 1,
		Progress: 0.25, Status: okrcore.StatusOnTrack, CreatedBy: 1, CreatedAt: base, UpdatedAt: base.Add(time.Hour),
	}
}

func testObjectives(t *testing.T, s okrcore.Store) {
	u1, u2, t1 := okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.TeamOwner(1)
	o1 := newObjective("w", 1, u1, "Delight customers")
	o2 := newObjective("w", 2, u1, "Ship faster")
	o3 := newObjective("w", 1, t1, "Grow revenue")
	o3.ParentKR = 5
	o4 := newObjective("w", 1, u2, "Hire well")
	o4.ParentObjective = 1
	o4.Score = floatp(0.7)
	put(t, s, func(tx okrcore.Tx) error {
		for _, o := range []*okrcore.Objective{o1, o2, o3, o4} {
			if err := tx.PutObjective(o); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "objective IDs", []okrcore.ID{o1.ID, o2.ID, o3.ID, o4.ID}, []okrcore.ID{1, 2, 3, 4})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 4) })
	equal(t, "objective 4", got, o4)

	byCycle := func(c okrcore.ID) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesByCycle("w", c) })
	}
	byOwner := func(o okrcore.Owner, c okrcore.ID) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesByOwner("w", o, c) })
	}
	aligned := func(r okrcore.Ref) ([]*okrcore.Objective, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Objective, error) { return tx.ObjectivesAlignedTo("w", r) })
	}
	kr := func(id okrcore.ID) okrcore.Ref { return okrcore.Ref{Kind: okrcore.RefKeyResult, ID: id} }
	obj := func(id okrcore.ID) okrcore.Ref { return okrcore.Ref{Kind: okrcore.RefObjective, ID: id} }

	list, err := byCycle(1)
	wantIDs(t, "objectives of cycle 1", list, err, 1, 3, 4)
	equal(t, "objectives of cycle 1", list, []*okrcore.Objective{o1, o3, o4})
	list, err = byCycle(0)
	wantIDs(t, "objectives of every cycle", list, err, 1, 2, 3, 4)
	list, err = byCycle(7)
	wantIDs(t, "objectives of an empty cycle", list, err)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's objectives in cycle 1", list, err, 1)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's objectives", list, err, 1, 2)
	list, err = byOwner(t1, 1)
	wantIDs(t, "team 1's objectives (not user 1's)", list, err, 3)
	list, err = byOwner(u2, 2)
	wantIDs(t, "user 2's objectives in cycle 2", list, err)
	list, err = aligned(kr(5))
	wantIDs(t, "aligned to KR5", list, err, 3)
	list, err = aligned(obj(1))
	wantIDs(t, "aligned to O1", list, err, 4)
	list, err = aligned(kr(1))
	wantIDs(t, "aligned to KR1 (not O1)", list, err)
	list, err = aligned(obj(5))
	wantIDs(t, "aligned to O5 (not KR5)", list, err)

	// Move O1 to user 2, cycle 2, under KR7; take O4 off O1 and put it under KR5.
	o1b := *o1
	o1b.Owner, o1b.Cycle, o1b.ParentKR, o1b.Title = u2, 2, 7, "Delight every customer"
	o4b := *o4
	o4b.ParentObjective, o4b.ParentKR = 0, 5
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(&o1b); err != nil {
			return err
		}
		return tx.PutObjective(&o4b)
	})
	list, err = byCycle(1)
	wantIDs(t, "cycle 1 after move", list, err, 3, 4)
	list, err = byCycle(2)
	wantIDs(t, "cycle 2 after move", list, err, 1, 2)
	equal(t, "moved objective", list[0], &o1b)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1 after move", list, err, 2)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1 in cycle 1 after move", list, err)
	list, err = byOwner(u2, 0)
	wantIDs(t, "user 2 after move", list, err, 1, 4)
	list, err = byOwner(u2, 2)
	wantIDs(t, "user 2 in cycle 2 after move", list, err, 1)
	list, err = aligned(kr(7))
	wantIDs(t, "aligned to KR7", list, err, 1)
	list, err = aligned(kr(5))
	wantIDs(t, "aligned to KR5 after move", list, err, 3, 4)
	list, err = aligned(obj(1))
	wantIDs(t, "aligned to O1 after move", list, err)

	both := newObjective("w", 1, u1, "Two parents")
	both.ParentKR, both.ParentObjective = 1, 2
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutObjective(both) })
	wantKind(t, err, okrcore.KindInvalid, "objective with two parents")
	list, err = byCycle(0)
	wantIDs(t, "objectives after refused put", list, err, 1, 2, 3, 4)
}

func newKR(ws string, objective, cycle okrcore.ID, owner okrcore.Owner, title string) *okrcore.KeyResult {
	return &okrcore.KeyResult{
		Workspace: ws, Objective: objective, Cycle: cycle, Title: title, Owner: owner,
		Metric: okrcore.MetricNumber, Start: 10, Target: 110, Current: 35, Unit: "users",
		Direction: okrcore.Increase, Weight: 1, Progress: 0.25, Status: okrcore.StatusAtRisk,
		Confidence: intp(6), CreatedAt: base, UpdatedAt: base.Add(2 * time.Hour),
	}
}

func testKeyResults(t *testing.T, s okrcore.Store) {
	u1, u2, t1 := okrcore.UserOwner(1), okrcore.UserOwner(2), okrcore.TeamOwner(1)
	k1 := newKR("w", 1, 1, u1, "Signups")
	k2 := newKR("w", 1, 1, u2, "Churn")
	k2.Direction, k2.StatusSet, k2.LastCheckIn, k2.Score = okrcore.Decrease, true, base.Add(48*time.Hour), floatp(0.4)
	k3 := newKR("w", 2, 1, t1, "Revenue")
	k3.Metric, k3.Unit = okrcore.MetricCurrency, "€"
	k4 := newKR("w", 3, 2, u1, "Launch")
	k4.Metric, k4.Confidence = okrcore.MetricMilestone, nil
	put(t, s, func(tx okrcore.Tx) error {
		for _, k := range []*okrcore.KeyResult{k1, k2, k3, k4} {
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "KR IDs", []okrcore.ID{k1.ID, k2.ID, k3.ID, k4.ID}, []okrcore.ID{1, 2, 3, 4})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult("w", 2) })
	equal(t, "KR2", got, k2)

	byObj := func(o okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("w", o) })
	}
	byOwner := func(o okrcore.Owner, c okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByOwner("w", o, c) })
	}
	byCycle := func(c okrcore.ID) ([]*okrcore.KeyResult, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByCycle("w", c) })
	}
	list, err := byObj(1)
	wantIDs(t, "KRs of O1", list, err, 1, 2)
	equal(t, "KRs of O1", list, []*okrcore.KeyResult{k1, k2})
	list, err = byObj(9)
	wantIDs(t, "KRs of O9", list, err)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's KRs in cycle 1", list, err, 1)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's KRs", list, err, 1, 4)
	list, err = byOwner(t1, 0)
	wantIDs(t, "team 1's KRs", list, err, 3)
	list, err = byCycle(1)
	wantIDs(t, "KRs of cycle 1", list, err, 1, 2, 3)
	list, err = byCycle(0)
	wantIDs(t, "KRs of every cycle", list, err, 1, 2, 3, 4)

	// Move KR1 to O2, owner team 1, cycle 2.
	k1b := *k1
	k1b.Objective, k1b.Owner, k1b.Cycle, k1b.Current = 2, t1, 2, 60
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKeyResult(&k1b) })
	list, err = byObj(1)
	wantIDs(t, "KRs of O1 after move", list, err, 2)
	list, err = byObj(2)
	wantIDs(t, "KRs of O2 after move", list, err, 1, 3)
	equal(t, "moved KR", list[0], &k1b)
	list, err = byOwner(u1, 0)
	wantIDs(t, "user 1's KRs after move", list, err, 4)
	list, err = byOwner(u1, 1)
	wantIDs(t, "user 1's KRs in cycle 1 after move", list, err)
	list, err = byOwner(t1, 0)
	wantIDs(t, "team 1's KRs after move", list, err, 1, 3)
	list, err = byOwner(t1, 2)
	wantIDs(t, "team 1's KRs in cycle 2 after move", list, err, 1)
	list, err = byCycle(1)
	wantIDs(t, "KRs of cycle 1 after move", list, err, 2, 3)
	list, err = byCycle(2)
	wantIDs(t, "KRs of cycle 2 after move", list, err, 1, 4)
}

func testKPIs(t *testing.T, s okrcore.Store) {
	k1 := &okrcore.KPI{Workspace: "w", Title: "Uptime", Owner: okrcore.TeamOwner(2), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100, CreatedAt: base}
	k2 := &okrcore.KPI{Workspace: "w", Title: "NPS", Owner: okrcore.UserOwner(1), Current: 40, HealthyMin: 30, HealthyMax: 100, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutKPI(k1); err != nil {
			return err
		}
		return tx.PutKPI(k2)
	})
	equal(t, "KPI IDs", []okrcore.ID{k1.ID, k2.ID}, []okrcore.ID{1, 2})
	k1.Current, k1.LastCheckIn = 99.5, base.Add(time.Hour)
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKPI(k1) })
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.KPI, error) { return tx.KPI("w", 1) })
	equal(t, "KPI1", got, k1)
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.KPI, error) { return tx.KPIs("w") })
	wantIDs(t, "KPIs", list, err, 1, 2)
	equal(t, "KPIs", list, []*okrcore.KPI{k1, k2})
}

func testInitiatives(t *testing.T, s okrcore.Store) {
	i1 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Onboarding emails", Owner: 3, CreatedAt: base}
	i2 := &okrcore.Initiative{Workspace: "w", KeyResult: 2, Title: "Pricing page", CreatedAt: base}
	i3 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Referral program", Done: true, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		for _, i := range []*okrcore.Initiative{i1, i2, i3} {
			if err := tx.PutInitiative(i); err != nil {
				return err
			}
		}
		return nil
	})
	equal(t, "initiative IDs", []okrcore.ID{i1.ID, i2.ID, i3.ID}, []okrcore.ID{1, 2, 3})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Initiative, error) { return tx.Initiative("w", 3) })
	equal(t, "I3", got, i3)
	byKR := func(kr okrcore.ID) ([]*okrcore.Initiative, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Initiative, error) { return tx.InitiativesByKeyResult("w", kr) })
	}
	list, err := byKR(1)
	wantIDs(t, "initiatives of KR1", list, err, 1, 3)
	equal(t, "initiatives of KR1", list, []*okrcore.Initiative{i1, i3})
	i1.KeyResult, i1.Done = 2, true
	put(t, s, func(tx okrcore.Tx) error { return tx.PutInitiative(i1) })
	list, err = byKR(1)
	wantIDs(t, "initiatives of KR1 after move", list, err, 3)
	list, err = byKR(2)
	wantIDs(t, "initiatives of KR2 after move", list, err, 1, 2)
	equal(t, "moved initiative", list[0], i1)
}

func newCheckIn(ws string, target okrcore.TargetKind, id, author okrcore.ID, at time.Time, value float64) *okrcore.CheckIn {
	return &okrcore.CheckIn{
		Workspace: ws, Target: target, TargetID: id, Author: author, At: at, Value: value,
		Previous: value - 1, Confidence: intp(7), Status: okrcore.StatusOnTrack, Note: fmt.Sprintf("note %g", value),
	}
}

func testCheckIns(t *testing.T, s okrcore.Store) {
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	// KR1 gets check-ins at hours 3, 1, 4, 2, 0 (stored out of order), by
	// authors 1 and 2; KPI1 (same number, other kind) gets two; KR2 one; at
	// hour 2 KR1 gets a second check-in at the same instant.
	var all []*okrcore.CheckIn
	add := func(c *okrcore.CheckIn) { all = append(all, c) }
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(3), 30))  // 1
	add(newCheckIn("w", okrcore.TargetKR, 1, 2, h(1), 10))  // 2
	add(newCheckIn("w", okrcore.TargetKPI, 1, 1, h(5), 50)) // 3
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(4), 40))  // 4
	add(newCheckIn("w", okrcore.TargetKR, 1, 2, h(2), 20))  // 5
	add(newCheckIn("w", okrcore.TargetKR, 2, 1, h(6), 60))  // 6
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(0), 0))   // 7
	add(newCheckIn("w", okrcore.TargetKPI, 1, 2, h(1), 11)) // 8
	add(newCheckIn("w", okrcore.TargetKR, 1, 1, h(2), 21))  // 9
	all[4].Blockers, all[4].Confidence, all[4].Status = "waiting on legal", nil, okrcore.StatusAtRisk
	put(t, s, func(tx okrcore.Tx) error {
		for _, c := range all {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	})
	for i, c := range all {
		if c.ID != okrcore.ID(i+1) {
			t.Fatalf("check-in %d got ID %d", i+1, c.ID)
		}
	}
	byTarget := func(kind okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) { return tx.CheckIns("w", kind, id, since, limit) })
	}
	byAuthor := func(a okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) { return tx.CheckInsByAuthor("w", a, since, limit) })
	}
	list, err := byTarget(okrcore.TargetKR, 1, time.Time{}, 0)
	wantIDs(t, "KR1 check-ins, newest first", list, err, 4, 1, 9, 5, 2, 7)
	equal(t, "KR1 check-ins", list, []*okrcore.CheckIn{all[3], all[0], all[8], all[4], all[1], all[6]})
	list, err = byTarget(okrcore.TargetKR, 1, time.Time{}, 2)
	wantIDs(t, "KR1 last two", list, err, 4, 1)
	list, err = byTarget(okrcore.TargetKR, 1, h(2), 0)
	wantIDs(t, "KR1 since hour 2 (inclusive)", list, err, 4, 1, 9, 5)
	list, err = byTarget(okrcore.TargetKR, 1, h(2), 3)
	wantIDs(t, "KR1 since hour 2, three", list, err, 4, 1, 9)
	list, err = byTarget(okrcore.TargetKR, 1, h(2).Add(time.Nanosecond), 0)
	wantIDs(t, "KR1 after hour 2", list, err, 4, 1)
	list, err = byTarget(okrcore.TargetKR, 1, h(10), 0)
	wantIDs(t, "KR1 since the future", list, err)
	list, err = byTarget(okrcore.TargetKPI, 1, time.Time{}, 0)
	wantIDs(t, "KPI1 check-ins (not KR1's)", list, err, 3, 8)
	list, err = byTarget(okrcore.TargetKR, 2, time.Time{}, 0)
	wantIDs(t, "KR2 check-ins", list, err, 6)
	list, err = byTarget(okrcore.TargetKR, 3, time.Time{}, 0)
	wantIDs(t, "KR3 check-ins", list, err)
	list, err = byAuthor(1, time.Time{}, 0)
	wantIDs(t, "author 1", list, err, 6, 3, 4, 1, 9, 7)
	list, err = byAuthor(2, time.Time{}, 0)
	wantIDs(t, "author 2 (same instant: higher ID first)", list, err, 5, 8, 2)
	list, err = byAuthor(1, h(3), 2)
	wantIDs(t, "author 1 since hour 3, two", list, err, 6, 3)
	list, err = byAuthor(3, time.Time{}, 0)
	wantIDs(t, "author 3", list, err)

	// History is append-only.
	dup := *all[0]
	dup.Value = 99
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.AddCheckIn(&dup) })
	wantKind(t, err, okrcore.KindConflict, "re-adding check-in 1")
	list, err = byTarget(okrcore.TargetKR, 1, h(3), 1)
	wantIDs(t, "KR1 newest after refused rewrite", list, err, 4)
	list, err = byTarget(okrcore.TargetKR, 1, h(3), 0)
	equal(t, "check-in 1 after refused rewrite", list[1], all[0])
	bad := newCheckIn("w", "objective", 1, 1, h(7), 1)
	err = s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.AddCheckIn(bad) })
	wantKind(t, err, okrcore.KindInvalid, "check-in on an objective")

	// CheckInTimesByAuthor lists the times of what CheckInsByAuthor lists,
	// in its order.
	sameTimes := func(what string, a okrcore.ID, since time.Time, want ...okrcore.ID) {
		t.Helper()
		cis, err := byAuthor(a, since, 0)
		wantIDs(t, what+": CheckInsByAuthor", cis, err, want...)
		got, err := get(t, s, func(tx okrcore.Tx) ([]time.Time, error) { return tx.CheckInTimesByAuthor("w", a, since) })
		wantTimes(t, what, got, err, atOf(cis)...)
	}
	sameTimes("times of author 1", 1, time.Time{}, 6, 3, 4, 1, 9, 7)
	sameTimes("times of author 2 (one instant twice)", 2, time.Time{}, 5, 8, 2)
	sameTimes("times of author 1 since hour 2 (inclusive)", 1, h(2), 6, 3, 4, 1, 9)
	sameTimes("times of author 2 since hour 1 (inclusive)", 2, h(1), 5, 8, 2)
	sameTimes("times of author 1 after hour 2", 1, h(2).Add(time.Nanosecond), 6, 3, 4, 1)
	sameTimes("times of author 1 since hour 6 (the newest)", 1, h(6), 6)
	sameTimes("times of author 1 since the future", 1, h(10))
	sameTimes("times of author 3 (no check-ins)", 3, time.Time{})
	// Nanoseconds, another time zone, and times far from now.
	berlin := time.FixedZone("CET", 3600)
	odd := []*okrcore.CheckIn{
		newCheckIn("w", okrcore.TargetKR, 9, 4, h(1).Add(123456789).In(berlin), 1),              // 10
		newCheckIn("w", okrcore.TargetKR, 9, 4, h(1).Add(123456788), 2),                         // 11
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(1600, 3, 1, 0, 0, 0, 0, time.UTC), 3), // 12
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(1500, 3, 1, 0, 0, 0, 0, time.UTC), 4), // 13
		newCheckIn("w", okrcore.TargetKR, 9, 4, time.Date(2300, 3, 1, 0, 0, 0, 0, time.UTC), 5), // 14
		newCheckIn("w", okrcore.TargetKR, 9, 1, h(8), 6),                                        // 15
	}
	put(t, s, func(tx okrcore.Tx) error {
		for _, c := range odd {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	})
	sameTimes("times of author 4", 4, time.Time{}, 14, 10, 11, 13, 12)
	sameTimes("times of author 4 since a nanosecond time (inclusive)", 4, h(1).Add(123456789), 14, 10)
	sameTimes("times of author 4 since a nanosecond later", 4, h(1).Add(123456790), 14)
	sameTimes("times of author 1 with a newer one", 1, h(2), 15, 6, 3, 4, 1, 9)
}

// atOf lists the times of check-ins.
func atOf(cis []*okrcore.CheckIn) []time.Time {
	out := make([]time.Time, len(cis))
	for i, c := range cis {
		out[i] = c.At
	}
	return out
}

// wantTimes compares instants, whatever their locations.
func wantTimes(t *testing.T, what string, got []time.Time, err error, want ...time.Time) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Equal(want[i])
	}
	if !same {
		t.Fatalf("%s:\ngot  %v\nwant %v", what, got, want)
	}
}

func testState(t *testing.T, s okrcore.Store) {
	now := time.Now()
	state := func(ws, k string) ([]byte, error) {
		return get(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State(ws, k) })
	}
	_, err := state("w", "dialog:U1")
	wantNotFound(t, err, "state before put")

	put(t, s, func(tx okrcore.Tx) error {
		for _, e := range []struct {
			k, v string
			exp  time.Time
		}{
			{"forever", "f", time.Time{}},
			{"future", "fu", now.Add(time.Hour)},
			{"past", "p", now.Add(-time.Minute)},
			{"long-past", "lp", base},
			{"empty", "", time.Time{}},
		} {
			if err := tx.PutState("w", e.k, []byte(e.v), e.exp); err != nil {
				return err
			}
		}
		return tx.PutState("w2", "forever", []byte("other workspace"), time.Time{})
	})
	for k, want := range map[string]string{"forever": "f", "future": "fu", "empty": ""} {
		got, err := state("w", k)
		if err != nil {
			t.Fatalf("state %q: %v", k, err)
		}
		if string(got) != want {
			t.Fatalf("state %q = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"past", "long-past"} {
		_, err := state("w", k)
		wantNotFound(t, err, "expired state "+k)
	}
	got, err := state("w2", "forever")
	if err != nil || string(got) != "other workspace" {
		t.Fatalf("state of w2 = %q, %v", got, err)
	}
	_, err = state("w2", "future")
	wantNotFound(t, err, "state of w in w2")

	// Overwrite: a new value and expiry replace the old; an expired entry
	// can be written again.
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutState("w", "future", []byte("gone"), now.Add(-time.Second)); err != nil {
			return err
		}
		return tx.PutState("w", "past", []byte("back"), now.Add(time.Hour))
	})
	_, err = state("w", "future")
	wantNotFound(t, err, "state overwritten with a past expiry")
	got, err = state("w", "past")
	if err != nil || string(got) != "back" {
		t.Fatalf("rewritten state = %q, %v", got, err)
	}

	// Reads and writes see their own transaction.
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutState("w", "seen", []byte("1"), now.Add(time.Hour)); err != nil {
			return err
		}
		v, err := tx.State("w", "seen")
		if err != nil || string(v) != "1" {
			return fmt.Errorf("state in the writing transaction = %q, %v", v, err)
		}
		return nil
	})

	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.DeleteState("w", "forever"); err != nil {
			return err
		}
		return tx.DeleteState("w", "never-stored")
	})
	_, err = state("w", "forever")
	wantNotFound(t, err, "deleted state")
	got, err = state("w2", "forever")
	if err != nil || string(got) != "other workspace" {
		t.Fatalf("w2 state after deleting w's = %q, %v", got, err)
	}
}

func testIDs(t *testing.T, s okrcore.Store) {
	var got []okrcore.ID
	put(t, s, func(tx okrcore.Tx) error {
		for _, ws := range []string{"a", "b"} {
			u := newUser(ws, "U1", "Ann")
			tm := newTeam(ws, "Team", 1)
			c := newCycle(ws, "Q1", base)
			o := newObjective(ws, 1, okrcore.UserOwner(1), "O")
			k := newKR(ws, 1, 1, okrcore.UserOwner(1), "KR")
			kpi := &okrcore.KPI{Workspace: ws, Title: "KPI"}
			in := &okrcore.Initiative{Workspace: ws, KeyResult: 1, Title: "I"}
			ci := newCheckIn(ws, okrcore.TargetKR, 1, 1, base, 1)
			errs := []error{tx.PutUser(u), tx.PutTeam(tm), tx.PutCycle(c), tx.PutObjective(o), tx.PutKeyResult(k),
				tx.PutKPI(kpi), tx.PutInitiative(in), tx.AddCheckIn(ci)}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			got = append(got, u.ID, tm.ID, c.ID, o.ID, k.ID, kpi.ID, in.ID, ci.ID)
		}
		o2 := newObjective("a", 1, okrcore.UserOwner(1), "O2")
		if err := tx.PutObjective(o2); err != nil {
			return err
		}
		got = append(got, o2.ID)
		return nil
	})
	want := []okrcore.ID{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2}
	equal(t, "first IDs of every kind in two workspaces", got, want)
	var o3 *okrcore.Objective
	put(t, s, func(tx okrcore.Tx) error {
		o3 = newObjective("b", 1, okrcore.UserOwner(1), "O2 of b")
		return tx.PutObjective(o3)
	})
	equal(t, "second objective of b", o3.ID, okrcore.ID(2))
}

func testExplicitIDs(t *testing.T, s okrcore.Store) {
	o := newObjective("w", 1, okrcore.UserOwner(1), "Imported")
	o.ID = 10
	k := newKR("w", 10, 1, okrcore.UserOwner(1), "Imported KR")
	k.ID = 34
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o); err != nil {
			return err
		}
		return tx.PutKeyResult(k)
	})
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 10) })
	equal(t, "O10", got, o)
	list, err := get(t, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("w", 10) })
	wantIDs(t, "KRs of O10", list, err, 34)
	o2 := newObjective("w", 1, okrcore.UserOwner(1), "After import")
	k2 := newKR("w", 10, 1, okrcore.UserOwner(1), "After import")
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o2); err != nil {
			return err
		}
		return tx.PutKeyResult(k2)
	})
	equal(t, "IDs after explicit ones", []okrcore.ID{o2.ID, k2.ID}, []okrcore.ID{11, 35})
	// A lower explicit ID does not move the sequence back.
	o3 := newObjective("w", 1, okrcore.UserOwner(1), "Gap filler")
	o3.ID = 5
	o4 := newObjective("w", 1, okrcore.UserOwner(1), "Next")
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutObjective(o3); err != nil {
			return err
		}
		return tx.PutObjective(o4)
	})
	equal(t, "ID after a lower explicit one", o4.ID, okrcore.ID(12))
}

func testNotFound(t *testing.T, s okrcore.Store) {
	// One record of each kind in workspace "w", ID 1, so that lookups of ID
	// 2 miss by ID only.
	seed(t, s, "w")
	cases := []struct {
		name string
		fn   func(tx okrcore.Tx) error
	}{
		{"Workspace", func(tx okrcore.Tx) error { _, err := tx.Workspace("nope"); return err }},
		{"User", func(tx okrcore.Tx) error { _, err := tx.User("w", 99); return err }},
		{"User 0", func(tx okrcore.Tx) error { _, err := tx.User("w", 0); return err }},
		{"UserByPlatform", func(tx okrcore.Tx) error { _, err := tx.UserByPlatform("w", "slack", "nope"); return err }},
		{"UserByName", func(tx okrcore.Tx) error { _, err := tx.UserByName("w", "nobody"); return err }},
		{"UserByName empty", func(tx okrcore.Tx) error { _, err := tx.UserByName("w", ""); return err }},
		{"Team", func(tx okrcore.Tx) error { _, err := tx.Team("w", 99); return err }},
		{"TeamByName", func(tx okrcore.Tx) error { _, err := tx.TeamByName("w", "nope"); return err }},
		{"Cycle", func(tx okrcore.Tx) error { _, err := tx.Cycle("w", 99); return err }},
		{"Objective", func(tx okrcore.Tx) error { _, err := tx.Objective("w", 99); return err }},
		{"KeyResult", func(tx okrcore.Tx) error { _, err := tx.KeyResult("w", 99); return err }},
		{"KPI", func(tx okrcore.Tx) error { _, err := tx.KPI("w", 99); return err }},
		{"Initiative", func(tx okrcore.Tx) error { _, err := tx.Initiative("w", 99); return err }},
		{"State", func(tx okrcore.Tx) error { _, err := tx.State("w", "nope"); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var lookupErr error
			view(t, s, func(tx okrcore.Tx) error { lookupErr = c.fn(tx); return nil })
			wantNotFound(t, lookupErr, c.name)
		})
	}
	// The person-facing message names the reference people typed.
	_, err := get(t, s, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult("w", 12) })
	if msg := okrcore.ErrorMessage(err); msg != "I can't find KR12." {
		t.Fatalf("message for missing KR12 = %q", msg)
	}
	_, err = get(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 7) })
	if msg := okrcore.ErrorMessage(err); msg != "I can't find O7." {
		t.Fatalf("message for missing O7 = %q", msg)
	}
	// Empty lists are not errors.
	view(t, s, func(tx okrcore.Tx) error {
		for name, n := range map[string]func() (int, error){
			"Users":                  func() (int, error) { l, err := tx.Users("nope"); return len(l), err },
			"Teams":                  func() (int, error) { l, err := tx.Teams("nope"); return len(l), err },
			"TeamsOfUser":            func() (int, error) { l, err := tx.TeamsOfUser("w", 99); return len(l), err },
			"Cycles":                 func() (int, error) { l, err := tx.Cycles("nope"); return len(l), err },
			"ObjectivesByCycle":      func() (int, error) { l, err := tx.ObjectivesByCycle("w", 99); return len(l), err },
			"ObjectivesByOwner":      func() (int, error) { l, err := tx.ObjectivesByOwner("w", okrcore.UserOwner(99), 0); return len(l), err },
			"KeyResultsByObjective":  func() (int, error) { l, err := tx.KeyResultsByObjective("w", 99); return len(l), err },
			"KeyResultsByCycle":      func() (int, error) { l, err := tx.KeyResultsByCycle("w", 99); return len(l), err },
			"KPIs":                   func() (int, error) { l, err := tx.KPIs("nope"); return len(l), err },
			"InitiativesByKeyResult": func() (int, error) { l, err := tx.InitiativesByKeyResult("w", 99); return len(l), err },
			"CheckIns": func() (int, error) {
				l, err := tx.CheckIns("w", okrcore.TargetKR, 99, time.Time{}, 0)
				return len(l), err
			},
		} {
			if got, err := n(); err != nil || got != 0 {
				t.Errorf("%s of nothing: %d records, %v", name, got, err)
			}
		}
		return nil
	})
}

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
	// "a", "ab" and "a b" share prefixes; all three hold the same IDs,
	// names and platform IDs. "b" holds more records than "a".
	spaces := []string{"a", "ab", "a b", "b"}
	fx := map[string]*fixture{}
	for _, ws := range spaces {
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
	for _, ws := range []string{"a", "ab", "a b"} {
		t.Run(ws, func(t *testing.T) {
			f := fx[ws]
			view(t, s, func(tx okrcore.Tx) error {
				one := func(what string, got any, err error, want any) {
					t.Helper()
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					equal(t, what, got, want)
				}
				w, err := tx.Workspace(ws)
				one("Workspace", w.Name, err, ws+":workspace")
				u, err := tx.User(ws, 1)
				one("User", u, err, f.user)
				u, err = tx.UserByPlatform(ws, "slack", "U1")
				one("UserByPlatform", u, err, f.user)
				u, err = tx.UserByName(ws, "ann lee")
				one("UserByName", u, err, f.user)
				users, err := tx.Users(ws)
				one("Users", users, err, []*okrcore.User{f.user, f.user2})
				tm, err := tx.Team(ws, 1)
				one("Team", tm, err, f.team)
				tm, err = tx.TeamByName(ws, "growth")
				one("TeamByName", tm, err, f.team)
				teams, err := tx.Teams(ws)
				one("Teams", teams, err, []*okrcore.Team{f.team})
				teams, err = tx.TeamsOfUser(ws, 2)
				one("TeamsOfUser", teams, err, []*okrcore.Team{f.team})
				c, err := tx.Cycle(ws, 1)
				one("Cycle", c, err, f.cycle)
				cycles, err := tx.Cycles(ws)
				one("Cycles", cycles, err, []*okrcore.Cycle{f.cycle})
				o, err := tx.Objective(ws, 1)
				one("Objective", o, err, f.obj)
				objs, err := tx.ObjectivesByCycle(ws, 1)
				one("ObjectivesByCycle", objs, err, []*okrcore.Objective{f.obj, f.obj2})
				objs, err = tx.ObjectivesByCycle(ws, 0)
				one("ObjectivesByCycle 0", objs, err, []*okrcore.Objective{f.obj, f.obj2})
				objs, err = tx.ObjectivesByOwner(ws, okrcore.UserOwner(1), 1)
				one("ObjectivesByOwner", objs, err, []*okrcore.Objective{f.obj})
				objs, err = tx.ObjectivesByOwner(ws, okrcore.TeamOwner(1), 0)
				one("ObjectivesByOwner team", objs, err, []*okrcore.Objective{f.obj2})
				objs, err = tx.ObjectivesAlignedTo(ws, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: 1})
				one("ObjectivesAlignedTo", objs, err, []*okrcore.Objective{f.obj2})
				k, err := tx.KeyResult(ws, 1)
				one("KeyResult", k, err, f.kr)
				krs, err := tx.KeyResultsByObjective(ws, 1)
				one("KeyResultsByObjective", krs, err, []*okrcore.KeyResult{f.kr})
				krs, err = tx.KeyResultsByOwner(ws, okrcore.UserOwner(1), 1)
				one("KeyResultsByOwner", krs, err, []*okrcore.KeyResult{f.kr})
				krs, err = tx.KeyResultsByCycle(ws, 1)
				one("KeyResultsByCycle", krs, err, []*okrcore.KeyResult{f.kr})
				krs, err = tx.KeyResultsByCycle(ws, 0)
				one("KeyResultsByCycle 0", krs, err, []*okrcore.KeyResult{f.kr})
				kp, err := tx.KPI(ws, 1)
				one("KPI", kp, err, f.kpi)
				kpis, err := tx.KPIs(ws)
				one("KPIs", kpis, err, []*okrcore.KPI{f.kpi})
				in, err := tx.Initiative(ws, 1)
				one("Initiative", in, err, f.init)
				ins, err := tx.InitiativesByKeyResult(ws, 1)
				one("InitiativesByKeyResult", ins, err, []*okrcore.Initiative{f.init})
				cis, err := tx.CheckIns(ws, okrcore.TargetKR, 1, time.Time{}, 0)
				one("CheckIns", cis, err, []*okrcore.CheckIn{f.checkIn})
				cis, err = tx.CheckIns(ws, okrcore.TargetKPI, 1, time.Time{}, 0)
				one("CheckIns KPI", cis, err, []*okrcore.CheckIn{f.kpiCheckIn})
				cis, err = tx.CheckInsByAuthor(ws, 1, time.Time{}, 0)
				one("CheckInsByAuthor", cis, err, []*okrcore.CheckIn{f.kpiCheckIn, f.checkIn})
				ats, err := tx.CheckInTimesByAuthor(ws, 1, time.Time{})
				wantTimes(t, "CheckInTimesByAuthor", ats, err, f.kpiCheckIn.At, f.checkIn.At)
				v, err := tx.State(ws, "k")
				one("State", string(v), err, ws+":state")

				// What exists only in b stays there.
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
				return nil
			})
		})
	}
	// A change in one workspace leaves the same IDs elsewhere alone.
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

func testCopies(t *testing.T, s okrcore.Store) {
	tm := newTeam("w", "Core", 1, 2, 3)
	st := []byte("state")
	put(t, s, func(tx okrcore.Tx) error {
		return errors.Join(tx.PutTeam(tm), tx.PutState("w", "k", st, time.Time{}))
	})
	// Changing what was put changes nothing stored.
	tm.Members[0], tm.Name = 9, "Changed"
	st[0] = 'X'
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 1) })
	equal(t, "team after changing the put value", got.Members, []okrcore.ID{2, 3})
	equal(t, "team name after changing the put value", got.Name, "Core")
	// Changing what was read changes nothing stored.
	got.Members[0] = 7
	got.Name = "Mutated"
	v := must(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State("w", "k") })
	equal(t, "state after changing the put value", string(v), "state")
	v[0] = 'Y'
	again := must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 1) })
	equal(t, "team after changing a read copy", again.Members, []okrcore.ID{2, 3})
	v = must(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State("w", "k") })
	equal(t, "state after changing a read copy", string(v), "state")
	// Values read inside a transaction stay valid after it, while others write.
	var kept []*okrcore.Team
	var keptState []byte
	view(t, s, func(tx okrcore.Tx) error {
		var err error
		kept, err = tx.Teams("w")
		if err != nil {
			return err
		}
		keptState, err = tx.State("w", "k")
		return err
	})
	for i := range 50 {
		put(t, s, func(tx okrcore.Tx) error {
			return errors.Join(tx.PutTeam(newTeam("w", fmt.Sprintf("T%d", i), 1, 2)),
				tx.PutState("w", "k", []byte(fmt.Sprintf("overwritten %d", i)), time.Time{}))
		})
	}
	equal(t, "team kept from a closed transaction", kept[0].Name, "Core")
	equal(t, "state kept from a closed transaction", string(keptState), "state")
}

func testRollback(t *testing.T, s okrcore.Store) {
	err := s.Update(context.Background(), func(tx okrcore.Tx) error {
		u := newUser("w", "U1", "Ann")
		o := newObjective("w", 1, okrcore.UserOwner(1), "Doomed")
		c := newCheckIn("w", okrcore.TargetKR, 1, 1, base, 1)
		if err := errors.Join(tx.PutWorkspace(&okrcore.Workspace{ID: "w"}), tx.PutUser(u), tx.PutObjective(o),
			tx.AddCheckIn(c), tx.PutState("w", "k", []byte("v"), time.Time{})); err != nil {
			return err
		}
		if _, err := tx.User("w", u.ID); err != nil {
			return fmt.Errorf("own write not visible: %w", err)
		}
		return fmt.Errorf("wrapped: %w", errSentinel)
	})
	if !errors.Is(err, errSentinel) {
		t.Fatalf("Update returned %v, want the error fn returned", err)
	}
	view(t, s, func(tx okrcore.Tx) error {
		wantNotFound(t, second(tx.Workspace("w")), "workspace after rollback")
		wantNotFound(t, second(tx.User("w", 1)), "user after rollback")
		wantNotFound(t, second(tx.UserByPlatform("w", "slack", "U1")), "user by platform after rollback")
		wantNotFound(t, second(tx.UserByName("w", "ann")), "user by name after rollback")
		wantNotFound(t, second(tx.Objective("w", 1)), "objective after rollback")
		wantNotFound(t, second(tx.State("w", "k")), "state after rollback")
		equal(t, "objectives by owner after rollback", lenOf(tx.ObjectivesByOwner("w", okrcore.UserOwner(1), 0)), 0)
		equal(t, "check-ins after rollback", lenOf(tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)), 0)
		return nil
	})
	// IDs handed out in the rolled-back transaction are handed out again.
	u := newUser("w", "U2", "Ben")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(u) })
	equal(t, "first user ID after rollback", u.ID, okrcore.ID(1))

	// An okrcore error keeps its kind; a failed update keeps earlier data.
	err = s.Update(context.Background(), func(tx okrcore.Tx) error {
		u2 := *u
		u2.Name = "Changed"
		if err := tx.PutUser(&u2); err != nil {
			return err
		}
		return okrcore.Errorf(okrcore.KindForbidden, "Only admins can do that.")
	})
	wantKind(t, err, okrcore.KindForbidden, "forbidden from fn")
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })
	equal(t, "user after failed change", got, u)

	// A refused put inside fn, with fn returning that error, keeps nothing.
	err = s.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := tx.PutObjective(newObjective("w", 1, okrcore.UserOwner(1), "kept?")); err != nil {
			return err
		}
		return tx.PutUser(newUser("w", "U2", "Clash"))
	})
	wantKind(t, err, okrcore.KindConflict, "conflict from fn")
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 1) })), "objective from failed update")
}

func testReadOnlyView(t *testing.T, s okrcore.Store) {
	var errs []error
	view(t, s, func(tx okrcore.Tx) error {
		errs = append(errs,
			tx.PutWorkspace(&okrcore.Workspace{ID: "w"}),
			tx.PutUser(newUser("w", "U1", "Ann")),
			tx.PutObjective(newObjective("w", 1, okrcore.UserOwner(1), "x")),
			tx.AddCheckIn(newCheckIn("w", okrcore.TargetKR, 1, 1, base, 1)),
			tx.PutState("w", "k", []byte("v"), time.Time{}),
			tx.DeleteState("w", "k"),
			second(tx.AddOutbox(newItem("w", "k", base))),
			tx.PutOutbox(&okrcore.OutboxItem{ID: 1, Workspace: "w", Key: "k", Kind: okrcore.OutboxDigest}),
		)
		return nil
	})
	for i, err := range errs {
		if err == nil {
			t.Errorf("write %d in View succeeded", i)
		}
	}
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })), "user written in View")
}

func testContext(t *testing.T, s okrcore.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx okrcore.Tx) error { ran = true; return tx.PutUser(newUser("w", "U1", "Ann")) })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Update with a cancelled context: err %v, ran %v", err, ran)
	}
	err = s.View(ctx, func(tx okrcore.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("View with a cancelled context: err %v, ran %v", err, ran)
	}
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })), "user of a cancelled update")
}

func testConcurrent(t *testing.T, s okrcore.Store) {
	const writers, each = 32, 20
	kr := newKR("w", 1, 1, okrcore.UserOwner(1), "Counter")
	kr.Current = 0
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKeyResult(kr) })

	// Each writer checks in on the KR (read, add, write back); every fifth
	// update fails after writing and must leave no trace. Readers run
	// alongside and must always see the KR and its check-ins agree.
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+8)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				err := s.View(context.Background(), func(tx okrcore.Tx) error {
					k, err := tx.KeyResult("w", 1)
					if err != nil {
						return err
					}
					cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)
					if err != nil {
						return err
					}
					if float64(len(cis)) != k.Current {
						return fmt.Errorf("reader saw KR at %g with %d check-ins", k.Current, len(cis))
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				fail := i%5 == 4
				err := s.Update(context.Background(), func(tx okrcore.Tx) error {
					k, err := tx.KeyResult("w", 1)
					if err != nil {
						return err
					}
					c := &okrcore.CheckIn{
						Workspace: "w", Target: okrcore.TargetKR, TargetID: 1, Author: okrcore.ID(w + 1),
						At: base.Add(time.Duration(w*each+i) * time.Second), Value: k.Current + 1, Previous: k.Current,
					}
					if err := tx.AddCheckIn(c); err != nil {
						return err
					}
					k.Current++
					k.LastCheckIn = c.At
					if err := tx.PutKeyResult(k); err != nil {
						return err
					}
					if fail {
						return errSentinel
					}
					return nil
				})
				if fail && !errors.Is(err, errSentinel) {
					errs <- fmt.Errorf("failing update returned %v", err)
				} else if !fail && err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	const kept = writers * each * 4 / 5
	view(t, s, func(tx okrcore.Tx) error {
		k, err := tx.KeyResult("w", 1)
		if err != nil {
			return err
		}
		if k.Current != kept {
			t.Errorf("KR counter = %g, want %d", k.Current, kept)
		}
		cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)
		if err != nil {
			return err
		}
		got := ids(cis)
		slices.Sort(got)
		want := make([]okrcore.ID, kept)
		for i := range want {
			want[i] = okrcore.ID(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Errorf("check-in IDs are not 1..%d without gaps: %v", kept, got)
		}
		values := map[float64]bool{}
		for _, c := range cis {
			values[c.Value] = true
		}
		if len(values) != kept {
			t.Errorf("%d distinct check-in values, want %d: lost updates", len(values), kept)
		}
		perAuthor := map[okrcore.ID]int{}
		for _, c := range cis {
			perAuthor[c.Author]++
		}
		for a := okrcore.ID(1); a <= writers; a++ {
			if perAuthor[a] != each*4/5 {
				t.Errorf("author %d has %d check-ins, want %d", a, perAuthor[a], each*4/5)
			}
			mine, err := tx.CheckInsByAuthor("w", a, time.Time{}, 0)
			if err != nil || len(mine) != each*4/5 {
				t.Errorf("CheckInsByAuthor(%d) = %d, %v", a, len(mine), err)
			}
		}
		return nil
	})
}
