package storagetest

// Conformance of the lookups that first contact, a join by verified
// address, a link and a change of role make under the write lock: people
// by address and by role, whether anyone is in a workspace, KPIs and
// initiatives by owner.

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func testUsersByEmail(t *testing.T, s okrcore.Store) {
	ann, ben, cai := newUser("w", "U1", "Ann"), newUser("w", "U2", "Ben"), newUser("w", "U3", "Cai")
	ann.Email, ann.EmailVerified = "Ann.Lee@Example.com", true
	ben.Email = "ann.lee@example.com" // typed by Ben, not vouched for
	cai.Email, cai.EmailVerified = "cai@example.com", true
	other := newUser("w2", "U1", "Ann elsewhere")
	other.Email, other.EmailVerified = "ann.lee@example.com", true
	put(t, s, func(tx okrcore.Tx) error {
		for _, u := range []*okrcore.User{ann, ben, cai, other} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	byEmail := func(ws, email string) ([]*okrcore.User, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.UsersByEmail(ws, email) })
	}
	tests := []struct {
		name, ws, email string
		want            []okrcore.ID
	}{
		{"as stored", "w", "Ann.Lee@Example.com", []okrcore.ID{1, 2}},
		{"other case", "w", "ANN.LEE@EXAMPLE.COM", []okrcore.ID{1, 2}},
		{"spaces around", "w", "  ann.lee@example.com ", []okrcore.ID{1, 2}},
		{"one person", "w", "cai@example.com", []okrcore.ID{3}},
		{"nobody's", "w", "dan@example.com", nil},
		{"empty", "w", "", nil},
		{"part of one", "w", "ann.lee@example", nil},
		{"another workspace", "w2", "ann.lee@example.com", []okrcore.ID{1}},
		{"unknown workspace", "w3", "ann.lee@example.com", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := byEmail(tc.ws, tc.email)
			wantIDs(t, tc.email, list, err, tc.want...)
		})
	}
	list, err := byEmail("w", "ann.lee@example.com")
	wantIDs(t, "shared address", list, err, 1, 2)
	equal(t, "people by address, as stored", list, []*okrcore.User{ann, ben})
	equal(t, "other workspace's person", must(t, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.UsersByEmail("w2", "ann.lee@example.com") }),
		[]*okrcore.User{other})

	// Ben's platform vouches for a new address: the old one is not his
	// any more. Cai's address is cleared, Ann's deleted with her.
	ben.Email, ben.EmailVerified = "ben@example.com", true
	cai.Email, cai.EmailVerified = "", false
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutUser(ben); err != nil {
			return err
		}
		if err := tx.PutUser(cai); err != nil {
			return err
		}
		return tx.DeleteUser("w", ann.ID)
	})
	list, err = byEmail("w", "ann.lee@example.com")
	wantIDs(t, "address after its people changed and left", list, err)
	list, err = byEmail("w", "BEN@example.com")
	wantIDs(t, "new address", list, err, 2)
	equal(t, "verified now", list[0].EmailVerified, true)
	list, err = byEmail("w", "cai@example.com")
	wantIDs(t, "cleared address", list, err)
	list, err = byEmail("w2", "ann.lee@example.com")
	wantIDs(t, "other workspace after the changes", list, err, 1)

	// A change in a transaction that rolls back leaves the index as it was.
	ben.Email = "b@example.com"
	err = s.Update(t.Context(), func(tx okrcore.Tx) error {
		if err := tx.PutUser(ben); err != nil {
			return err
		}
		return okrcore.Errorf(okrcore.KindConflict, "rolled back")
	})
	wantKind(t, err, okrcore.KindConflict, "rolled back address change")
	list, err = byEmail("w", "ben@example.com")
	wantIDs(t, "address after a rollback", list, err, 2)
	list, err = byEmail("w", "b@example.com")
	wantIDs(t, "rolled back address", list, err)
}

func testHasUsers(t *testing.T, s okrcore.Store) {
	has := func(ws string) bool {
		t.Helper()
		return must(t, s, func(tx okrcore.Tx) (bool, error) { return tx.HasUsers(ws) })
	}
	for _, w := range []string{"w", "w2", "ww"} {
		if has(w) {
			t.Fatalf("HasUsers(%q) of an empty store", w)
		}
	}
	// Records of other kinds, and of a workspace whose ID starts like w's,
	// are nobody in w.
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutTeam(newTeam("w", "Growth", 0)); err != nil {
			return err
		}
		return tx.PutUser(newUser("ww", "U1", "Ann"))
	})
	equal(t, "w with a team and nobody", has("w"), false)
	equal(t, "ww with Ann", has("ww"), true)
	u := newUser("w", "U1", "Ben")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(u) })
	equal(t, "w with Ben", has("w"), true)
	equal(t, "w2", has("w2"), false)
	put(t, s, func(tx okrcore.Tx) error { return tx.DeleteUser("w", u.ID) })
	equal(t, "w after Ben was deleted", has("w"), false)
	equal(t, "ww after Ben was deleted", has("ww"), true)
}

func testInitiativesByOwner(t *testing.T, s okrcore.Store) {
	i1 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Onboarding emails", Owner: 3, CreatedAt: base}
	i2 := &okrcore.Initiative{Workspace: "w", KeyResult: 2, Title: "Pricing page", CreatedAt: base}
	i3 := &okrcore.Initiative{Workspace: "w", KeyResult: 1, Title: "Referral program", Owner: 3, CreatedAt: base}
	i4 := &okrcore.Initiative{Workspace: "w2", KeyResult: 1, Title: "Elsewhere", Owner: 3, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		for _, i := range []*okrcore.Initiative{i1, i2, i3, i4} {
			if err := tx.PutInitiative(i); err != nil {
				return err
			}
		}
		return nil
	})
	byOwner := func(ws string, owner okrcore.ID) ([]*okrcore.Initiative, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.Initiative, error) { return tx.InitiativesByOwner(ws, owner) })
	}
	list, err := byOwner("w", 3)
	wantIDs(t, "initiatives of user 3", list, err, 1, 3)
	equal(t, "initiatives of user 3", list, []*okrcore.Initiative{i1, i3})
	list, err = byOwner("w", 0)
	wantIDs(t, "initiatives of nobody", list, err)
	list, err = byOwner("w2", 3)
	wantIDs(t, "initiatives of user 3 in w2", list, err, 1)

	i1.Owner, i2.Owner = 4, 3
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutInitiative(i1); err != nil {
			return err
		}
		if err := tx.PutInitiative(i2); err != nil {
			return err
		}
		return tx.DeleteInitiative("w", i3.ID)
	})
	list, err = byOwner("w", 3)
	wantIDs(t, "initiatives of user 3 after the hand-over", list, err, 2)
	list, err = byOwner("w", 4)
	wantIDs(t, "initiatives of user 4", list, err, 1)
	list, err = byOwner("w2", 3)
	wantIDs(t, "w2 after the hand-over", list, err, 1)
}

func testUsersByRole(t *testing.T, s okrcore.Store) {
	ann, ben, cai := newUser("w", "U1", "Ann"), newUser("w", "U2", "Ben"), newUser("w", "U3", "Cai")
	ann.Role, cai.Role = okrcore.RoleAdmin, okrcore.RoleAdmin
	other := newUser("w2", "U1", "Dan")
	other.Role = okrcore.RoleAdmin
	put(t, s, func(tx okrcore.Tx) error {
		for _, u := range []*okrcore.User{ann, ben, cai, other} {
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	byRole := func(ws string, r okrcore.Role) ([]*okrcore.User, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.UsersByRole(ws, r) })
	}
	list, err := byRole("w", okrcore.RoleAdmin)
	wantIDs(t, "admins", list, err, 1, 3)
	equal(t, "admins", list, []*okrcore.User{ann, cai})
	list, err = byRole("w", okrcore.RoleObserver)
	wantIDs(t, "observers", list, err)
	list, err = byRole("w2", okrcore.RoleAdmin)
	wantIDs(t, "admins of w2", list, err, 1)

	cai.Role, ben.Role = okrcore.RoleObserver, okrcore.RoleAdmin
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutUser(cai); err != nil {
			return err
		}
		if err := tx.PutUser(ben); err != nil {
			return err
		}
		return tx.DeleteUser("w", ann.ID)
	})
	list, err = byRole("w", okrcore.RoleAdmin)
	wantIDs(t, "admins after the changes", list, err, 2)
	list, err = byRole("w", okrcore.RoleObserver)
	wantIDs(t, "observers after the changes", list, err, 3)
	list, err = byRole("w", okrcore.RoleMember)
	wantIDs(t, "members after the changes", list, err)
	list, err = byRole("w2", okrcore.RoleAdmin)
	wantIDs(t, "admins of w2 after the changes", list, err, 1)
}

func testKPIsByOwner(t *testing.T, s okrcore.Store) {
	team, user := okrcore.TeamOwner(3), okrcore.UserOwner(3)
	k1 := &okrcore.KPI{Workspace: "w", Title: "Uptime", Owner: team, CreatedAt: base}
	k2 := &okrcore.KPI{Workspace: "w", Title: "NPS", Owner: user, CreatedAt: base}
	k3 := &okrcore.KPI{Workspace: "w", Title: "Churn", Owner: team, CreatedAt: base}
	k4 := &okrcore.KPI{Workspace: "w2", Title: "Elsewhere", Owner: team, CreatedAt: base}
	put(t, s, func(tx okrcore.Tx) error {
		for _, k := range []*okrcore.KPI{k1, k2, k3, k4} {
			if err := tx.PutKPI(k); err != nil {
				return err
			}
		}
		return nil
	})
	byOwner := func(ws string, o okrcore.Owner) ([]*okrcore.KPI, error) {
		return get(t, s, func(tx okrcore.Tx) ([]*okrcore.KPI, error) { return tx.KPIsByOwner(ws, o) })
	}
	list, err := byOwner("w", team)
	wantIDs(t, "KPIs of team 3", list, err, 1, 3)
	equal(t, "KPIs of team 3", list, []*okrcore.KPI{k1, k3})
	list, err = byOwner("w", user)
	wantIDs(t, "KPIs of user 3, not of team 3", list, err, 2)
	list, err = byOwner("w", okrcore.Owner{})
	wantIDs(t, "KPIs of nobody", list, err)
	list, err = byOwner("w2", team)
	wantIDs(t, "KPIs of team 3 in w2", list, err, 1)

	k1.Owner = user
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutKPI(k1); err != nil {
			return err
		}
		return tx.DeleteKPI("w", k3.ID)
	})
	list, err = byOwner("w", team)
	wantIDs(t, "KPIs of team 3 after the changes", list, err)
	list, err = byOwner("w", user)
	wantIDs(t, "KPIs of user 3 after the changes", list, err, 1, 2)
	list, err = byOwner("w2", team)
	wantIDs(t, "w2 after the changes", list, err, 1)
}
