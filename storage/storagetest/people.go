package storagetest

// Conformance of workspaces, people and teams.

import (
	"context"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

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
