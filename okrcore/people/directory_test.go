package people_test

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
)

func listed(id, name, email string, verified bool) people.Listed {
	return people.Listed{Profile: people.Profile{PlatformID: id, Name: name, Email: email, EmailVerified: verified, TimeZone: "Europe/Paris"}}
}

func gone(id string) people.Listed {
	return people.Listed{Profile: people.Profile{PlatformID: id}, Gone: true}
}

func (f *fixture) sync(t *testing.T, complete bool, ps ...people.Listed) people.SyncResult {
	t.Helper()
	var r people.SyncResult
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		r, err = people.SyncDirectory(tx, t1, f.ada, people.Listing{Platform: "slack", People: ps, Complete: complete}, "UTC")
		return err
	})
	return r
}

func (f *fixture) slackUser(t *testing.T, id string) *okrcore.User {
	t.Helper()
	var u *okrcore.User
	view(t, f.db, func(tx okrcore.Tx) (err error) { u, err = tx.UserByPlatform("A", "slack", id); return err })
	return u
}

func TestSyncDirectory(t *testing.T) {
	f := newFixture(t)
	steps := []struct {
		name     string
		complete bool
		list     []people.Listed
		want     people.SyncResult
		check    func(t *testing.T)
	}{
		{"everyone listed becomes a person", true, []people.Listed{
			listed("U1", "Carol", "carol@acme.example", true), listed("U2", "Dan", "dan@acme.example", false), listed("U3", "Eve", "", false),
		}, people.SyncResult{Platform: "slack", Listed: 3, New: 3}, func(t *testing.T) {
			c := f.slackUser(t, "U1")
			if c.Name != "Carol" || c.Email != "carol@acme.example" || !c.EmailVerified || c.TimeZone != "Europe/Paris" || c.Role != okrcore.RoleMember || c.DM != "" || c.Left {
				t.Errorf("Carol %+v", c)
			}
			if a := getUser(t, f.db, "A", f.alice.ID); a.Left {
				t.Errorf("Alice, on the shell only, left a Slack sync: %+v", a)
			}
		}},
		{"the same listing again changes nothing", true, []people.Listed{
			listed("U1", "Carol", "carol@acme.example", true), listed("U2", "Dan", "dan@acme.example", false), listed("U3", "Eve", "", false),
		}, people.SyncResult{Platform: "slack", Listed: 3}, nil},
		{"a changed address, a deactivated account, one missing and one new", true, []people.Listed{
			listed("U1", "Carol", "carol.b@acme.example", true), gone("U2"), listed("U4", "Frank", "frank@acme.example", true),
		}, people.SyncResult{Platform: "slack", Listed: 2, New: 1, Updated: 1, Left: 2}, func(t *testing.T) {
			if c := f.slackUser(t, "U1"); c.Email != "carol.b@acme.example" || c.Left {
				t.Errorf("Carol %+v, want her new address", c)
			}
			for _, id := range []string{"U2", "U3"} {
				if u := f.slackUser(t, id); !u.Left || u.Name == "" {
					t.Errorf("%s %+v, want kept and marked left", id, u)
				}
			}
		}},
		{"an incomplete listing marks nobody missing as left", false, []people.Listed{
			listed("U4", "Frank", "frank@acme.example", true),
		}, people.SyncResult{Platform: "slack", Listed: 1}, func(t *testing.T) {
			if c := f.slackUser(t, "U1"); c.Left {
				t.Errorf("Carol %+v left on an incomplete listing", c)
			}
		}},
		{"someone already left is passed over, and the rest is read", true, []people.Listed{
			gone("U2"), listed("U1", "Carol", "carol.b@acme.example", true), listed("U4", "Frank", "frank@acme.example", true),
		}, people.SyncResult{Platform: "slack", Listed: 2}, nil},
		{"someone back is no longer left", false, []people.Listed{
			listed("U3", "Eve", "", false), gone("U9"),
		}, people.SyncResult{Platform: "slack", Listed: 1, Updated: 1}, func(t *testing.T) {
			if u := f.slackUser(t, "U3"); u.Left {
				t.Errorf("Eve %+v still left", u)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if got := f.sync(t, s.complete, s.list...); got != s.want {
				t.Errorf("sync %+v, want %+v", got, s.want)
			}
			if s.check != nil {
				s.check(t)
			}
		})
	}
}

func TestSyncDirectoryJoinsByVerifiedAddress(t *testing.T) {
	f := newFixture(t)
	update(t, f.db, func(tx okrcore.Tx) error {
		f.alice.Email, f.alice.EmailVerified = "alice@acme.example", true
		return tx.PutUser(f.alice)
	})
	if r := f.sync(t, true, listed("U7", "Alice S", "ALICE@acme.example", true), listed("U8", "Bo", "bo@old.example", true)); r.New != 1 || r.Updated != 1 {
		t.Fatalf("sync %+v, want Alice joined and Bo new", r)
	}
	a := getUser(t, f.db, "A", f.alice.ID)
	if acc, ok := a.Account("slack"); !ok || acc.PlatformID != "U7" || a.Name != "Alice" {
		t.Errorf("Alice %+v, want her Slack account joined and her name kept", a)
	}

	// Bo's address changes on Slack to the verified one of Bob (shell):
	// the account, which owns nothing, joins Bob as at first contact.
	update(t, f.db, func(tx okrcore.Tx) error {
		f.bob.Email, f.bob.EmailVerified = "bob@acme.example", true
		return tx.PutUser(f.bob)
	})
	f.sync(t, true, listed("U7", "Alice S", "alice@acme.example", true), listed("U8", "Bo", "bob@acme.example", true))
	if u := f.slackUser(t, "U8"); u.ID != f.bob.ID {
		t.Errorf("U8 is %+v, want Bob (%d)", u, f.bob.ID)
	}

	// Alice leaves Slack but is on the shell too: she stays, nudged there.
	update(t, f.db, func(tx okrcore.Tx) error {
		a, err := tx.User("A", f.alice.ID)
		if err != nil {
			return err
		}
		a.NudgeOn = "slack"
		return tx.PutUser(a)
	})
	if r := f.sync(t, true, listed("U8", "Bo", "bob@acme.example", true)); r.Left != 0 {
		t.Errorf("sync %+v, want nobody left", r)
	}
	if a := getUser(t, f.db, "A", f.alice.ID); a.Left || a.NudgeAccount().Platform != "shell" {
		t.Errorf("Alice %+v, want her kept and nudged on the shell", a)
	}
}

func TestSyncDirectoryRefusesNonAdmins(t *testing.T) {
	f := newFixture(t)
	for _, who := range []*okrcore.User{f.alice, f.olga} {
		wantRefused(t, f.db, func(tx okrcore.Tx) error {
			_, err := people.SyncDirectory(tx, t1, who, people.Listing{Platform: "slack", People: []people.Listed{listed("U1", "Carol", "", false)}, Complete: true}, "UTC")
			return err
		}, okrcore.KindForbidden, "admin")
	}
}

func TestPlaceFromDirectory(t *testing.T) {
	f := newFixture(t)
	p := people.Profile{Platform: "slack", PlatformID: "U5", Name: "Hana", Email: "hana@acme.example", EmailVerified: true}
	wantRefused(t, f.db, func(tx okrcore.Tx) error {
		_, err := people.PlaceFromDirectory(tx, t1, f.olga, p, "UTC")
		return err
	}, okrcore.KindForbidden, "observers")
	var first, again *okrcore.User
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		first, err = people.PlaceFromDirectory(tx, t1, f.bob, p, "UTC")
		return err
	})
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		again, err = people.PlaceFromDirectory(tx, t1, f.ada, p, "UTC")
		return err
	})
	if first.ID == 0 || again.ID != first.ID || first.Name != "Hana" || first.TimeZone != "UTC" || first.Role != okrcore.RoleMember {
		t.Errorf("placed %+v, then %+v: want one new member", first, again)
	}
	var byMail *okrcore.User
	view(t, f.db, func(tx okrcore.Tx) (err error) {
		byMail, err = people.PersonWithEmail(tx, "A", "HANA@acme.example")
		return err
	})
	if byMail == nil || byMail.ID != first.ID {
		t.Errorf("by address %+v, want Hana", byMail)
	}
}

func TestSyncSentence(t *testing.T) {
	for _, c := range []struct {
		r    people.SyncResult
		want string
	}{
		{people.SyncResult{Platform: "slack", Listed: 1204, New: 37, Updated: 5, Left: 2}, "Synced 1,204 people from Slack: 37 new, 5 updated, 2 left."},
		{people.SyncResult{Platform: "teams", Listed: 1, New: 1}, "Synced 1 person from Microsoft Teams: 1 new, 0 updated, 0 left."},
		{people.SyncResult{Platform: "slack", Listed: 1234567}, "Synced 1,234,567 people from Slack: 0 new, 0 updated, 0 left."},
	} {
		if got := c.r.Sentence(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}
