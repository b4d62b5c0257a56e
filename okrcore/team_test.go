package okrcore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/teams"
)

func TestCreateTeam(t *testing.T) {
	f := newFixture(t)
	var sales, emea *okrcore.Team
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		if sales, err = teams.CreateTeam(tx, f.ada, " Sales ", nil); err != nil {
			return err
		}
		emea, err = teams.CreateTeam(tx, f.ada, "Sales EMEA", okrcore.Given(sales.ID))
		return err
	})
	if got := getTeam(t, f.db, "A", sales.ID); got.Name != "Sales" || got.Parent != 0 || got.Workspace != "A" {
		t.Errorf("stored %+v", got)
	}
	if got := getTeam(t, f.db, "A", emea.ID); got.Parent != sales.ID {
		t.Errorf("Sales EMEA's parent %d, want %d", got.Parent, sales.ID)
	}

	errTyped := okrcore.Errorf(okrcore.KindNotFound, "There is no team called \"Nope\".")
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		team     string
		parent   tracked[okrcore.ID]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, "Marketing", tracked[okrcore.ID]{v: sales.ID}, okrcore.KindForbidden, []string{"Only an admin can create teams."}, false},
		{"a lead", f.lee, "Marketing", tracked[okrcore.ID]{}, okrcore.KindForbidden, []string{"create teams"}, false},
		{"an observer", f.olga, "Marketing", tracked[okrcore.ID]{}, okrcore.KindForbidden, []string{"create teams"}, false},
		{"no name", f.ada, "  ", tracked[okrcore.ID]{}, okrcore.KindInvalid, []string{"Give the team a name of up to 80 characters"}, false},
		{"too long a name", f.ada, strings.Repeat("x", 81), tracked[okrcore.ID]{}, okrcore.KindInvalid, []string{"up to 80"}, false},
		{"a name taken, whatever its case", f.ada, "growth", tracked[okrcore.ID]{}, okrcore.KindConflict, []string{"There is already a team called growth."}, false},
		{"an unknown parent", f.ada, "Marketing", tracked[okrcore.ID]{v: 999}, okrcore.KindNotFound, nil, true},
		{"what the person typed", f.ada, "Marketing", tracked[okrcore.ID]{err: errTyped}, okrcore.KindNotFound, []string{"Nope"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := tc.parent
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, err := teams.CreateTeam(tx, tc.actor, tc.team, parent.later())
				return err
			}, tc.kind, tc.keywords...)
			if parent.called != tc.asked {
				t.Errorf("parent read: %v, want %v", parent.called, tc.asked)
			}
		})
	}
}

func TestTeamMembers(t *testing.T) {
	f := newFixture(t)
	add := func(actor *okrcore.User, team okrcore.ID, people okrcore.Later[[]okrcore.ID]) func(tx okrcore.Tx) error {
		return func(tx okrcore.Tx) error { _, _, err := teams.AddTeamMembers(tx, actor, team, people); return err }
	}
	remove := func(actor *okrcore.User, team okrcore.ID, people okrcore.Later[[]okrcore.ID]) func(tx okrcore.Tx) error {
		return func(tx okrcore.Tx) error { _, _, err := teams.RemoveTeamMembers(tx, actor, team, people); return err }
	}

	t.Run("the lead adds, once each", func(t *testing.T) {
		var named []*okrcore.User
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			_, named, err = teams.AddTeamMembers(tx, f.lee, f.growth.ID, ids(f.carol, f.alice, f.carol))
			return err
		})
		if len(named) != 3 || named[0].Name != "Carol" || named[1].Name != "Alice" {
			t.Errorf("named %v, want Carol, Alice, Carol", named)
		}
		if got := getTeam(t, f.db, "A", f.growth.ID).Members; !slices.Equal(got, []okrcore.ID{f.alice.ID, f.carol.ID}) {
			t.Errorf("members %v, want Alice and Carol", got)
		}
	})
	t.Run("an admin removes; the lead stays lead", func(t *testing.T) {
		update(t, f.db, remove(f.ada, f.growth.ID, ids(f.carol, f.lee)))
		got := getTeam(t, f.db, "A", f.growth.ID)
		if !slices.Equal(got.Members, []okrcore.ID{f.alice.ID}) || got.Lead != f.lee.ID {
			t.Errorf("team %+v, want Alice as member and Lee as lead", got)
		}
	})

	// Olga, an observer, leads a team of her own.
	watch := &okrcore.Team{Workspace: "A", Name: "Watchers", Lead: f.olga.ID}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutTeam(watch) })
	errTyped := okrcore.Errorf(okrcore.KindNotFound, "I don't know anyone called nobody.")
	for _, tc := range []struct {
		name     string
		op       func(people okrcore.Later[[]okrcore.ID]) func(tx okrcore.Tx) error
		people   tracked[[]okrcore.ID]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member adds", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return add(f.alice, f.growth.ID, p) },
			tracked[[]okrcore.ID]{v: []okrcore.ID{f.carol.ID}}, okrcore.KindForbidden, []string{"Only an admin can change team Growth (its lead can too)."}, false},
		{"another team's lead removes", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return remove(f.quinn, f.growth.ID, p) },
			tracked[[]okrcore.ID]{v: []okrcore.ID{f.alice.ID}}, okrcore.KindForbidden, []string{"its lead can too"}, false},
		{"an observer who leads", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return add(f.olga, watch.ID, p) },
			tracked[[]okrcore.ID]{v: []okrcore.ID{f.carol.ID}}, okrcore.KindForbidden, []string{"Watchers"}, false},
		{"an unknown team", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return add(f.ada, 999, p) },
			tracked[[]okrcore.ID]{}, okrcore.KindNotFound, nil, false},
		{"an unknown person, after a known one", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return add(f.lee, f.growth.ID, p) },
			tracked[[]okrcore.ID]{v: []okrcore.ID{f.carol.ID, 999}}, okrcore.KindNotFound, nil, true},
		{"what the person typed", func(p okrcore.Later[[]okrcore.ID]) func(okrcore.Tx) error { return remove(f.lee, f.growth.ID, p) },
			tracked[[]okrcore.ID]{err: errTyped}, okrcore.KindNotFound, []string{"nobody"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			people := tc.people
			wantRefused(t, f.db, tc.op(people.later()), tc.kind, tc.keywords...)
			if people.called != tc.asked {
				t.Errorf("people read: %v, want %v", people.called, tc.asked)
			}
		})
	}
}

func TestSetTeamLead(t *testing.T) {
	f := newFixture(t)
	var u *okrcore.User
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		_, u, err = teams.SetTeamLead(tx, f.ada, f.growth.ID, okrcore.Given(f.carol.ID))
		return err
	})
	got := getTeam(t, f.db, "A", f.growth.ID)
	if u.Name != "Carol" || got.Lead != f.carol.ID || !slices.Contains(got.Members, f.carol.ID) {
		t.Errorf("team %+v, want Carol as lead and member", got)
	}
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		team     okrcore.ID
		lead     tracked[okrcore.ID]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"the team's lead", f.carol, f.growth.ID, tracked[okrcore.ID]{v: f.alice.ID}, okrcore.KindForbidden, []string{"Only an admin can change a team's lead or parent."}, false},
		{"a member", f.alice, f.growth.ID, tracked[okrcore.ID]{v: f.alice.ID}, okrcore.KindForbidden, []string{"lead or parent"}, false},
		{"an unknown team", f.ada, 999, tracked[okrcore.ID]{v: f.alice.ID}, okrcore.KindNotFound, nil, false},
		{"an unknown person", f.ada, f.growth.ID, tracked[okrcore.ID]{v: 999}, okrcore.KindNotFound, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lead := tc.lead
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := teams.SetTeamLead(tx, tc.actor, tc.team, lead.later())
				return err
			}, tc.kind, tc.keywords...)
			if lead.called != tc.asked {
				t.Errorf("lead read: %v, want %v", lead.called, tc.asked)
			}
		})
	}
}

func TestSetTeamParent(t *testing.T) {
	f := newFixture(t)
	// Engineering > Platform > Infra.
	infra := &okrcore.Team{Workspace: "A", Name: "Infra", Parent: f.platform.ID}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutTeam(infra) })

	t.Run("under another team, then at the top", func(t *testing.T) {
		var p *okrcore.Team
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			_, p, err = teams.SetTeamParent(tx, f.ada, f.growth.ID, okrcore.Given(infra.ID))
			return err
		})
		if got := getTeam(t, f.db, "A", f.growth.ID); got.Parent != infra.ID || p.Name != "Infra" {
			t.Errorf("parent %d (%v), want Infra", got.Parent, p)
		}
		update(t, f.db, func(tx okrcore.Tx) (err error) {
			_, p, err = teams.SetTeamParent(tx, f.ada, f.growth.ID, okrcore.Given[okrcore.ID](0))
			return err
		})
		if got := getTeam(t, f.db, "A", f.growth.ID); got.Parent != 0 || p != nil {
			t.Errorf("parent %d (%v), want none", got.Parent, p)
		}
	})
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		team     okrcore.ID
		parent   tracked[okrcore.ID]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"itself", f.ada, f.eng.ID, tracked[okrcore.ID]{v: f.eng.ID}, okrcore.KindInvalid, []string{"Engineering can't sit under Engineering: that would make it part of itself."}, true},
		{"its own sub-team", f.ada, f.eng.ID, tracked[okrcore.ID]{v: f.platform.ID}, okrcore.KindInvalid, []string{"Engineering can't sit under Platform"}, true},
		{"a sub-team two levels down", f.ada, f.eng.ID, tracked[okrcore.ID]{v: infra.ID}, okrcore.KindInvalid, []string{"part of itself"}, true},
		{"the team's lead", f.pat, f.eng.ID, tracked[okrcore.ID]{v: f.growth.ID}, okrcore.KindForbidden, []string{"lead or parent"}, false},
		{"an unknown parent", f.ada, f.eng.ID, tracked[okrcore.ID]{v: 999}, okrcore.KindNotFound, nil, true},
		{"an unknown team", f.ada, 999, tracked[okrcore.ID]{v: f.eng.ID}, okrcore.KindNotFound, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := tc.parent
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := teams.SetTeamParent(tx, tc.actor, tc.team, parent.later())
				return err
			}, tc.kind, tc.keywords...)
			if parent.called != tc.asked {
				t.Errorf("parent read: %v, want %v", parent.called, tc.asked)
			}
		})
	}
}

func TestSetTeamChannelAndTimezone(t *testing.T) {
	f := newFixture(t)
	update(t, f.db, func(tx okrcore.Tx) error {
		if _, err := teams.SetTeamChannel(tx, f.lee, f.growth.ID, "teams", okrcore.Given("19:growth@thread")); err != nil {
			return err
		}
		_, err := teams.SetTeamTimezone(tx, f.ada, f.growth.ID, okrcore.Given("Europe/Berlin"))
		return err
	})
	got := getTeam(t, f.db, "A", f.growth.ID)
	if got.DigestChannel != "19:growth@thread" || got.DigestPlatform != "teams" || got.TimeZone != "Europe/Berlin" {
		t.Errorf("team %+v", got)
	}
	// An empty channel sends the digest to the lead again.
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := teams.SetTeamChannel(tx, f.lee, f.growth.ID, "slack", okrcore.Given(""))
		return err
	})
	if got := getTeam(t, f.db, "A", f.growth.ID); got.DigestChannel != "" {
		t.Errorf("channel %q, want none", got.DigestChannel)
	}

	errTyped := okrcore.Errorf(okrcore.KindInvalid, "I don't know the time zone \"Mars/Olympus\".")
	for _, tc := range []struct {
		name     string
		op       func(tx okrcore.Tx, value okrcore.Later[string]) error
		value    tracked[string]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"channel by a member", func(tx okrcore.Tx, v okrcore.Later[string]) error {
			_, err := teams.SetTeamChannel(tx, f.alice, f.growth.ID, "slack", v)
			return err
		}, tracked[string]{v: "#growth"}, okrcore.KindForbidden, []string{"change team Growth (its lead can too)"}, false},
		{"time zone by an observer", func(tx okrcore.Tx, v okrcore.Later[string]) error {
			_, err := teams.SetTeamTimezone(tx, f.olga, f.growth.ID, v)
			return err
		}, tracked[string]{v: "UTC"}, okrcore.KindForbidden, []string{"its lead can too"}, false},
		{"time zone of an unknown team", func(tx okrcore.Tx, v okrcore.Later[string]) error {
			_, err := teams.SetTeamTimezone(tx, f.ada, 999, v)
			return err
		}, tracked[string]{v: "UTC"}, okrcore.KindNotFound, nil, false},
		{"what the person typed", func(tx okrcore.Tx, v okrcore.Later[string]) error {
			_, err := teams.SetTeamTimezone(tx, f.lee, f.growth.ID, v)
			return err
		}, tracked[string]{err: errTyped}, okrcore.KindInvalid, []string{"Mars/Olympus"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value := tc.value
			var opErr error
			wantRefused(t, f.db, func(tx okrcore.Tx) error { opErr = tc.op(tx, value.later()); return opErr }, tc.kind, tc.keywords...)
			if value.called != tc.asked {
				t.Errorf("value read: %v, want %v", value.called, tc.asked)
			}
			if tc.value.err != nil && !errors.Is(opErr, tc.value.err) {
				t.Errorf("error %v, want the one typed", opErr)
			}
		})
	}
}
