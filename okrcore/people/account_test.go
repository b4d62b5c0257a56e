package people_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/okrcore/tracking"
)

// onPlatform is a person of workspace A with one account.
func onPlatform(t *testing.T, f *fixture, name, platform string, role okrcore.Role) *okrcore.User {
	t.Helper()
	u := &okrcore.User{Workspace: "A", Platform: platform, PlatformID: platform + ":" + name, Name: name, Role: role, CreatedAt: t0}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(u) })
	return u
}

func TestLinkAccount(t *testing.T) {
	f := newFixture(t)
	kim := onPlatform(t, f, "Kim", "slack", okrcore.RoleMember)
	kim.Email, kim.EmailVerified = "kim@acme.example", true
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(kim) })
	// Kim on Teams: an admin, in Growth, lead of Platform, with a piece of
	// work on Alice's key result and a time zone.
	kimTeams := onPlatform(t, f, "Kim T", "teams", okrcore.RoleAdmin)
	kimTeams.TimeZone = "Europe/Berlin"
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.Owner{}, 10)
	in := &okrcore.Initiative{KeyResult: k.ID, Title: "Survey", Owner: kimTeams.ID}
	update(t, f.db, func(tx okrcore.Tx) error {
		var p putter
		p.do(tx.PutUser(kimTeams))
		p.do(tracking.CreateInitiative(tx, t0, f.ada, in))
		f.growth.Members = append(f.growth.Members, kimTeams.ID)
		p.do(tx.PutTeam(f.growth))
		f.platform.Lead = kimTeams.ID
		p.do(tx.PutTeam(f.platform))
		return p.err
	})

	// Those who have something of their own can't be folded.
	owner := onPlatform(t, f, "Owen", "teams", okrcore.RoleMember)
	f.objective(t, "Own", okrcore.UserOwner(owner.ID), 0, 0)
	f.keyResult(t, o.ID, okrcore.UserOwner(owner.ID), 0)
	f.keyResult(t, o.ID, okrcore.UserOwner(owner.ID), 0)
	writer := onPlatform(t, f, "Wes", "teams", okrcore.RoleAdmin)
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.RecordCheckIn(tx, t1, writer, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: ptr(20.0)})
		return err
	})
	tracker := onPlatform(t, f, "Tia", "teams", okrcore.RoleMember)
	update(t, f.db, func(tx okrcore.Tx) error {
		return tracking.CreateKPI(tx, t0, tracker, &okrcore.KPI{Title: "Uptime", HealthyMax: 1, Owner: okrcore.UserOwner(tracker.ID)})
	})
	slacker := onPlatform(t, f, "Sam", "slack", okrcore.RoleMember)

	errTyped := okrcore.Errorf(okrcore.KindNotFound, "Nobody is number #99.")
	for _, tc := range []struct {
		name          string
		actor         *okrcore.User
		person, other tracked[okrcore.ID]
		kind          okrcore.ErrorKind
		keywords      []string
		asked         bool
	}{
		{"a member", f.alice, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: kimTeams.ID}, okrcore.KindForbidden, []string{"Only an admin can link accounts."}, false},
		{"an observer", f.olga, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: kimTeams.ID}, okrcore.KindForbidden, []string{"link accounts"}, false},
		{"the same person twice", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: kim.ID}, okrcore.KindInvalid, []string{"That is the same person twice."}, true},
		{"two accounts on one platform", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: slacker.ID}, okrcore.KindConflict,
			[]string{fmt.Sprintf("Kim already has a Slack account, and a person has one account per platform. `/okr unlink #%d slack` frees it first.", kim.ID)}, true},
		{"someone with OKRs", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: owner.ID}, okrcore.KindConflict,
			[]string{fmt.Sprintf("#%d already has 1 objective, 2 key results in okrbot, so I can't fold that account into Kim", owner.ID),
				fmt.Sprintf("`/okr edit ID owner #%d`", kim.ID), fmt.Sprintf("`/okr link #%d #%d`", owner.ID, kim.ID)}, true},
		{"someone who checked in", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: writer.ID}, okrcore.KindConflict, []string{"already has check-ins"}, true},
		{"someone with a KPI", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: tracker.ID}, okrcore.KindConflict, []string{"already has 1 KPI"}, true},
		{"an unknown person", f.ada, tracked[okrcore.ID]{v: kim.ID}, tracked[okrcore.ID]{v: 999}, okrcore.KindNotFound, nil, true},
		{"what the person typed", f.ada, tracked[okrcore.ID]{err: errTyped}, tracked[okrcore.ID]{v: kimTeams.ID}, okrcore.KindNotFound, []string{"#99"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			person, other := tc.person, tc.other
			wantRefusal(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := people.LinkAccount(tx, tc.actor, person.later(), other.later())
				return err
			}, func(err error) { t.Helper(); wantLinkErr(t, err, tc.kind, tc.keywords...) })
			if person.called != tc.asked {
				t.Errorf("person read: %v, want %v", person.called, tc.asked)
			}
		})
	}

	var keep, fold *okrcore.User
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		keep, fold, err = people.LinkAccount(tx, f.ada, okrcore.Given(kim.ID), okrcore.Given(kimTeams.ID))
		return err
	})
	if keep.ID != kim.ID || fold.ID != kimTeams.ID || len(keep.Accounts()) != 2 {
		t.Errorf("returned %+v and %+v", keep, fold)
	}
	checkLinked(t, f, kim, kimTeams, in)
}

// wantLinkErr is wantErr for refusals of a link, some of which start with
// a person's number (#12) rather than a capital.
func wantLinkErr(t *testing.T, err error, kind okrcore.ErrorKind, keywords ...string) {
	t.Helper()
	msg := okrcore.ErrorMessage(err)
	if !strings.HasPrefix(msg, "#") {
		wantErr(t, err, kind, keywords...)
		return
	}
	if k := okrcore.ErrorKindOf(err); k != kind || !strings.HasSuffix(msg, ".") {
		t.Errorf("error %v, want a sentence of kind %s", err, kind)
	}
	for _, w := range keywords {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

// checkLinked checks that fold's account, team places and initiative are
// kim's, and fold is gone.
func checkLinked(t *testing.T, f *fixture, kim, fold *okrcore.User, in *okrcore.Initiative) {
	t.Helper()
	got := getUser(t, f.db, "A", kim.ID)
	if a, ok := got.Account("teams"); !ok || a.PlatformID != "teams:Kim T" || got.Platform != "slack" {
		t.Errorf("accounts %+v, want Slack and Teams", got.Accounts())
	}
	if got.Role != okrcore.RoleAdmin || got.TimeZone != "Europe/Berlin" || got.Email != "kim@acme.example" || got.Name != "Kim" {
		t.Errorf("person %+v: want an admin in Europe/Berlin, with Kim's address and name", got)
	}
	view(t, f.db, func(tx okrcore.Tx) error {
		if _, err := tx.User("A", fold.ID); !okrcore.IsNotFound(err) {
			t.Errorf("the folded user is still there: %v", err)
		}
		if u, err := tx.UserByPlatform("A", "teams", "teams:Kim T"); err != nil || u.ID != kim.ID {
			t.Errorf("the Teams account leads to %v, %v; want Kim", u, err)
		}
		return nil
	})
	if g := getTeam(t, f.db, "A", f.growth.ID); !slices.Contains(g.Members, kim.ID) || slices.Contains(g.Members, fold.ID) {
		t.Errorf("Growth's members %v, want Kim in the folded user's place", g.Members)
	}
	if p := getTeam(t, f.db, "A", f.platform.ID); p.Lead != kim.ID {
		t.Errorf("Platform's lead %d, want Kim", p.Lead)
	}
	view(t, f.db, func(tx okrcore.Tx) error {
		got, err := tx.Initiative("A", in.ID)
		if err != nil || got.Owner != kim.ID {
			t.Errorf("initiative %+v, %v; want Kim's", got, err)
		}
		return nil
	})
}

func TestUnlinkAccount(t *testing.T) {
	f := newFixture(t)
	kim := &okrcore.User{Workspace: "A", Platform: "slack", PlatformID: "U1", DM: "D1", Name: "Kim", TimeZone: "Europe/Berlin", Role: okrcore.RoleAdmin,
		Linked: []okrcore.Account{{Platform: "teams", PlatformID: "29:1", DM: "a:1"}}, NudgeOn: "teams", CreatedAt: t0}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutUser(kim) })

	errTyped := okrcore.Errorf(okrcore.KindInvalid, `"fax" is not a chat platform: use slack or teams.`)
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		platform tracked[string]
		person   tracked[okrcore.ID]
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, tracked[string]{v: "teams"}, tracked[okrcore.ID]{v: kim.ID}, okrcore.KindForbidden, []string{"Only an admin can unlink accounts."}, false},
		{"no account there", f.ada, tracked[string]{v: "teams"}, tracked[okrcore.ID]{v: f.alice.ID}, okrcore.KindNotFound, []string{"Alice has no Microsoft Teams account."}, true},
		{"the only account", f.ada, tracked[string]{v: "shell"}, tracked[okrcore.ID]{v: f.alice.ID}, okrcore.KindConflict, []string{"Alice is only on the terminal: there is nothing to unlink."}, true},
		{"an unknown person", f.ada, tracked[string]{v: "teams"}, tracked[okrcore.ID]{v: 999}, okrcore.KindNotFound, nil, true},
		{"what the person typed", f.ada, tracked[string]{err: errTyped}, tracked[okrcore.ID]{v: kim.ID}, okrcore.KindInvalid, []string{"not a chat platform"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			platform, person := tc.platform, tc.person
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, _, err := people.UnlinkAccount(tx, t1, tc.actor, platform.later(), person.later())
				return err
			}, tc.kind, tc.keywords...)
			if platform.called != tc.asked {
				t.Errorf("platform read: %v, want %v", platform.called, tc.asked)
			}
			// The platform is read before the person, as it is typed last
			// but refused first.
			if tc.platform.err != nil && person.called {
				t.Error("person read after the platform failed")
			}
		})
	}

	var u, split *okrcore.User
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		u, split, err = people.UnlinkAccount(tx, t1, f.ada, okrcore.Given("teams"), okrcore.Given(kim.ID))
		return err
	})
	got := getUser(t, f.db, "A", kim.ID)
	if len(got.Accounts()) != 1 || got.Platform != "slack" || got.DM != "D1" || got.NudgeOn != "" || got.Role != okrcore.RoleAdmin || u.ID != kim.ID {
		t.Errorf("person after unlink %+v", got)
	}
	s := getUser(t, f.db, "A", split.ID)
	if s.Name != "Kim (Microsoft Teams)" || s.Platform != "teams" || s.PlatformID != "29:1" || s.DM != "a:1" || s.Role != okrcore.RoleMember ||
		s.TimeZone != "Europe/Berlin" || !s.CreatedAt.Equal(t1) {
		t.Errorf("split person %+v", s)
	}
	// Linking them again is the way back.
	update(t, f.db, func(tx okrcore.Tx) error {
		_, _, err := people.LinkAccount(tx, f.ada, okrcore.Given(kim.ID), okrcore.Given(split.ID))
		return err
	})
	if got := getUser(t, f.db, "A", kim.ID); len(got.Accounts()) != 2 {
		t.Errorf("after linking again: %+v", got.Accounts())
	}
}
