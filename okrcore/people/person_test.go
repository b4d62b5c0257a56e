package people_test

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
)

func TestSetUserTimezone(t *testing.T) {
	f := newFixture(t)
	// Anyone sets their own, observers too; nobody else's.
	for _, u := range []*okrcore.User{f.alice, f.olga} {
		update(t, f.db, func(tx okrcore.Tx) error { _, err := people.SetUserTimezone(tx, u, "Europe/Berlin"); return err })
		if got := getUser(t, f.db, "A", u.ID); got.TimeZone != "Europe/Berlin" || got.Name != u.Name {
			t.Errorf("%s: %+v", u.Name, got)
		}
	}
	if got := getUser(t, f.db, "A", f.bob.ID); got.TimeZone != "" {
		t.Errorf("Bob's time zone %q changed", got.TimeZone)
	}
	gone := &okrcore.User{ID: 999, Workspace: "A", Name: "Gone"}
	wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := people.SetUserTimezone(tx, gone, "UTC"); return err }, okrcore.KindNotFound)
}

func TestSetNudgePlatform(t *testing.T) {
	f := newFixture(t)
	both := &okrcore.User{Workspace: "A", Platform: "slack", PlatformID: "U1", Name: "Bo", Role: okrcore.RoleObserver,
		Linked: []okrcore.Account{{Platform: "teams", PlatformID: "29:1"}}, CreatedAt: t0}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(both) })

	update(t, f.db, func(tx okrcore.Tx) error { _, err := people.SetNudgePlatform(tx, both, "teams"); return err })
	if got := getUser(t, f.db, "A", both.ID); got.NudgeOn != "teams" || got.NudgeAccount().PlatformID != "29:1" {
		t.Errorf("nudges on %q (%+v), want Teams", got.NudgeOn, got.NudgeAccount())
	}
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		platform string
		keywords []string
	}{
		{"a platform the person is not on", f.alice, "teams", []string{"You don't use okrbot on Microsoft Teams yet.", "/okr link"}},
		{"an unknown platform", both, "fax", []string{"on fax yet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := people.SetNudgePlatform(tx, tc.actor, tc.platform); return err }, okrcore.KindInvalid, tc.keywords...)
		})
	}
}

func TestForgetDirectConversation(t *testing.T) {
	f := newFixture(t)
	u := &okrcore.User{Workspace: "A", Platform: "slack", PlatformID: "U1", DM: "D1", DMRef: "ref1", Name: "Bo", Role: okrcore.RoleMember,
		Linked: []okrcore.Account{{Platform: "teams", PlatformID: "29:1", DM: "a:1", DMRef: "ref2"}}, CreatedAt: t0}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(u) })
	for _, tc := range []struct {
		name                   string
		platform, id, conv     string
		wantSlackDM, wantTeams string
	}{
		{"another conversation stays", "slack", "U1", "D9", "D1", "a:1"},
		{"another account's stays", "teams", "29:9", "a:1", "D1", "a:1"},
		{"the linked account's goes", "teams", "29:1", "a:1", "D1", ""},
		{"the first account's goes", "slack", "U1", "D1", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update(t, f.db, func(tx okrcore.Tx) error { return people.ForgetDirectConversation(tx, u, tc.platform, tc.id, tc.conv) })
			got := getUser(t, f.db, "A", u.ID)
			teams, _ := got.Account("teams")
			if got.DM != tc.wantSlackDM || teams.DM != tc.wantTeams || (got.DM == "") != (got.DMRef == "") || (teams.DM == "") != (teams.DMRef == "") {
				t.Errorf("accounts %+v", got.Accounts())
			}
		})
	}
}
