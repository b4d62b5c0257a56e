package people_test

import (
	"encoding/json"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
)

// register meets an account as the conversation does: a read transaction
// looks, a write transaction stores.
func register(t *testing.T, db okrcore.Store, p people.Profile) people.Registration {
	t.Helper()
	var seen people.AccountLookup
	view(t, db, func(tx okrcore.Tx) (err error) { seen, err = people.LookUpAccount(tx, p); return err })
	var r people.Registration
	update(t, db, func(tx okrcore.Tx) (err error) {
		r, err = people.RegisterAccount(tx, t1, p, seen, "America/New_York")
		return err
	})
	// What Expected said before the write is what the write made.
	if exp := people.Expected(seen, p); exp != nil {
		want, _ := json.Marshal(r.User)
		if got, _ := json.Marshal(exp); string(got) != string(want) || r.Folded != 0 {
			t.Errorf("Expected %s, RegisterAccount %s (%+v)", got, want, r)
		}
	} else if seen.User != nil && (seen.User.EmailVerified || !p.EmailVerified) || seen.User == nil && seen.SameEmail != nil {
		t.Errorf("Expected is nil for %+v after %+v, which registering joins nobody for", p, seen)
	}
	return r
}

// TestExpected: the person a registration will return is known without
// writing for a known account and for one joining its person by a
// verified address, not for a new person nor for an address verified only
// now; register holds each to what RegisterAccount then stored.
func TestExpected(t *testing.T) {
	db := openDB(t)
	look := func(p people.Profile) (seen people.AccountLookup) {
		t.Helper()
		view(t, db, func(tx okrcore.Tx) (err error) { seen, err = people.LookUpAccount(tx, p); return err })
		return seen
	}
	cases := []struct {
		what string
		p    people.Profile
		want bool
	}{
		{"a new person", slackProfile("U1", "Ann", "ann@acme.example", true), false},
		{"a known account renamed", slackProfile("U1", "Ann Smith", "ann@acme.example", true), true},
		{"a new account joining by a verified address", teamsProfile("29:ann", "Ann", "ann@acme.example", true), true},
		{"a new account with an unverified address", teamsProfile("29:ben", "Ben", "ben@acme.example", false), false},
		{"a known account whose address is verified only now", teamsProfile("29:ben", "Ben", "ben@acme.example", true), false},
	}
	for _, c := range cases {
		if got := people.Expected(look(c.p), c.p) != nil; got != c.want {
			t.Errorf("%s: Expected known %v, want %v", c.what, got, c.want)
		}
		register(t, db, c.p)
	}
}

func slackProfile(id, name, email string, verified bool) people.Profile {
	return people.Profile{Workspace: "N", Platform: "slack", PlatformID: id, Name: name, Email: email, EmailVerified: verified}
}

func teamsProfile(id, name, email string, verified bool) people.Profile {
	return people.Profile{Workspace: "N", Platform: "teams", PlatformID: id, Name: name, Email: email, EmailVerified: verified, DM: "a:" + id, DMRef: "ref:" + id}
}

func TestRegisterAccount(t *testing.T) {
	db := openDB(t)
	first := register(t, db, people.Profile{Workspace: "N", Platform: "slack", PlatformID: "U1", Email: "ann@acme.example", EmailVerified: true, TimeZone: "Europe/Paris"})
	ann := first.User
	if ann.Role != okrcore.RoleAdmin || ann.Name != "U1" || ann.TimeZone != "Europe/Paris" || first.Joined || first.Folded != 0 {
		t.Errorf("first person %+v (%+v), want an admin named by their id", ann, first)
	}
	if w := getWorkspace(t, db, "N"); w.Platform != "slack" || w.CurrentCycle == 0 {
		t.Errorf("workspace %+v, want one on Slack with a cycle", w)
	}

	second := register(t, db, slackProfile("U2", "Ben", "ben@acme.example", false)).User
	if second.Role != okrcore.RoleMember || second.TimeZone != "America/New_York" || second.Name != "Ben" {
		t.Errorf("second person %+v, want a member in the default zone", second)
	}

	again := register(t, db, slackProfile("U1", "Ann", "", false))
	if again.User.ID != ann.ID || again.User.Name != "Ann" || getUser(t, db, "N", ann.ID).Name != "Ann" {
		t.Errorf("known account %+v, want Ann renamed", again.User)
	}

	t.Run("a verified address joins the person", func(t *testing.T) {
		r := register(t, db, teamsProfile("29:ann", "Ann B", "ANN@acme.example", true))
		got := getUser(t, db, "N", ann.ID)
		a, ok := got.Account("teams")
		if !r.Joined || r.User.ID != ann.ID || !ok || a.PlatformID != "29:ann" || a.DM != "a:29:ann" || a.DMRef != "ref:29:ann" || got.Name != "Ann" {
			t.Errorf("registration %+v; person %+v", r, got)
		}
	})
	t.Run("an unverified address joins nobody", func(t *testing.T) {
		r := register(t, db, teamsProfile("29:ben", "Ben", "ben@acme.example", false))
		if r.Joined || r.User.ID == second.ID {
			t.Errorf("registration %+v, want a new person", r)
		}
	})
	t.Run("a verified address joins nobody already on the platform", func(t *testing.T) {
		r := register(t, db, teamsProfile("29:ann2", "Ann again", "ann@acme.example", true))
		if r.Joined || r.User.ID == ann.ID {
			t.Errorf("registration %+v, want a new person", r)
		}
	})
}

func TestRegisterAccountLateAddress(t *testing.T) {
	db := openDB(t)
	cat := register(t, db, slackProfile("U1", "Cat", "cat@acme.example", true)).User
	// Cat's Teams profile could not be read at first contact.
	alone := register(t, db, teamsProfile("29:cat", "Cat", "", false)).User
	if alone.ID == cat.ID {
		t.Fatal("an account without an address joined someone")
	}
	r := register(t, db, teamsProfile("29:cat", "Cat", "cat@acme.example", true))
	if r.Folded != alone.ID || r.User.ID != cat.ID || r.Joined {
		t.Errorf("registration %+v, want the Teams account folded into Cat", r)
	}
	view(t, db, func(tx okrcore.Tx) error {
		if u, err := tx.UserByPlatform("N", "teams", "29:cat"); err != nil || u.ID != cat.ID {
			t.Errorf("the Teams account leads to %v, %v; want Cat", u, err)
		}
		if _, err := tx.User("N", alone.ID); !okrcore.IsNotFound(err) {
			t.Errorf("the folded user is still there: %v", err)
		}
		return nil
	})

	t.Run("an account with OKRs of its own stays", func(t *testing.T) {
		dan := register(t, db, slackProfile("U2", "Dan", "dan@acme.example", true)).User
		own := register(t, db, teamsProfile("29:dan", "Dan", "", false)).User
		update(t, db, func(tx okrcore.Tx) error {
			c, err := okrcore.CurrentCycle(tx, "N")
			if err != nil {
				return err
			}
			_, err = okrcore.CreateObjective(tx, t1, own, &okrcore.Objective{Title: "Mine", Cycle: c.ID, Owner: okrcore.UserOwner(own.ID)})
			return err
		})
		r := register(t, db, teamsProfile("29:dan", "Dan", "dan@acme.example", true))
		if r.Folded != 0 || r.User.ID != own.ID || r.User.ID == dan.ID || !getUser(t, db, "N", own.ID).EmailVerified {
			t.Errorf("registration %+v, want the account kept, its address stored", r)
		}
	})
}

func TestRegisterAccountReadsAgain(t *testing.T) {
	t.Run("someone arrived after the scan", func(t *testing.T) {
		db := openDB(t)
		p := slackProfile("U1", "Eve", "", false)
		var seen people.AccountLookup
		view(t, db, func(tx okrcore.Tx) (err error) { seen, err = people.LookUpAccount(tx, p); return err })
		if !seen.Empty || seen.User != nil {
			t.Fatalf("lookup %+v, want an empty workspace", seen)
		}
		register(t, db, slackProfile("U0", "Fay", "", false))
		var r people.Registration
		update(t, db, func(tx okrcore.Tx) (err error) { r, err = people.RegisterAccount(tx, t1, p, seen, ""); return err })
		if r.User.Role != okrcore.RoleMember {
			t.Errorf("the second to arrive is %s, want member", r.User.Role)
		}
	})
	t.Run("the address changed after the scan", func(t *testing.T) {
		db := openDB(t)
		gil := register(t, db, slackProfile("U1", "Gil", "gil@acme.example", true)).User
		p := teamsProfile("29:gil", "Gil", "gil@acme.example", true)
		var seen people.AccountLookup
		view(t, db, func(tx okrcore.Tx) (err error) { seen, err = people.LookUpAccount(tx, p); return err })
		if seen.SameEmail == nil || seen.SameEmail.ID != gil.ID {
			t.Fatalf("lookup %+v, want Gil", seen)
		}
		register(t, db, slackProfile("U1", "Gil", "gil@elsewhere.example", true))
		var r people.Registration
		update(t, db, func(tx okrcore.Tx) (err error) { r, err = people.RegisterAccount(tx, t1, p, seen, ""); return err })
		if r.Joined || r.User.ID == gil.ID {
			t.Errorf("registration %+v, want a new person", r)
		}
	})
}

func TestApplyProfile(t *testing.T) {
	slackUser := func() *okrcore.User {
		return &okrcore.User{Platform: "slack", PlatformID: "U1", Name: "Ann", Email: "ann@old.example", TimeZone: "Europe/Paris",
			Linked: []okrcore.Account{{Platform: "teams", PlatformID: "29:1"}}}
	}
	for _, tc := range []struct {
		name                  string
		u                     *okrcore.User
		p                     people.Profile
		wantName, email, zone string
		verified              bool
	}{
		{"the first account's platform describes the person", slackUser(),
			people.Profile{Platform: "slack", PlatformID: "U1", Name: "Annie", Email: "ann@new.example", TimeZone: "Asia/Tokyo"},
			"Annie", "ann@new.example", "Asia/Tokyo", false},
		{"another platform only fills in", &okrcore.User{Platform: "slack", PlatformID: "U1", Name: "Ann", Linked: []okrcore.Account{{Platform: "teams", PlatformID: "29:1"}}},
			people.Profile{Platform: "teams", PlatformID: "29:1", Name: "Ann T", Email: "ann@t.example", TimeZone: "Asia/Tokyo"},
			"Ann", "ann@t.example", "Asia/Tokyo", false},
		{"another platform keeps what is there", slackUser(),
			people.Profile{Platform: "teams", PlatformID: "29:1", Name: "Ann T", Email: "ann@t.example", TimeZone: "Asia/Tokyo"},
			"Ann", "ann@old.example", "Europe/Paris", false},
		{"a verified address replaces an unverified one", slackUser(),
			people.Profile{Platform: "teams", PlatformID: "29:1", Email: "ann@t.example", EmailVerified: true},
			"Ann", "ann@t.example", "Europe/Paris", true},
		{"empty fields change nothing", slackUser(), people.Profile{Platform: "slack", PlatformID: "U1"},
			"Ann", "ann@old.example", "Europe/Paris", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := *tc.u
			changed := people.ProfileChanged(tc.u, tc.p)
			if tc.u.Name != before.Name || tc.u.Email != before.Email {
				t.Fatal("ProfileChanged changed the user")
			}
			people.ApplyProfile(tc.u, tc.p)
			if tc.u.Name != tc.wantName || tc.u.Email != tc.email || tc.u.TimeZone != tc.zone || tc.u.EmailVerified != tc.verified {
				t.Errorf("user %+v, want %s <%s> in %s", tc.u, tc.wantName, tc.email, tc.zone)
			}
			want := tc.u.Name != before.Name || tc.u.Email != before.Email || tc.u.TimeZone != before.TimeZone || tc.u.EmailVerified != before.EmailVerified
			if changed != want {
				t.Errorf("ProfileChanged = %v, want %v", changed, want)
			}
		})
	}
	t.Run("a direct conversation is remembered on its account", func(t *testing.T) {
		u := slackUser()
		p := people.Profile{Platform: "teams", PlatformID: "29:1", DM: "a:1", DMRef: "ref"}
		if !people.ProfileChanged(u, p) {
			t.Error("ProfileChanged = false for a new conversation")
		}
		people.ApplyProfile(u, p)
		a, _ := u.Account("teams")
		if a.DM != "a:1" || a.DMRef != "ref" || u.DM != "" {
			t.Errorf("accounts %+v", u.Accounts())
		}
		// A channel event keeps the conversation.
		people.ApplyProfile(u, people.Profile{Platform: "teams", PlatformID: "29:1"})
		if a, _ := u.Account("teams"); a.DM != "a:1" {
			t.Errorf("a channel event dropped the conversation: %+v", a)
		}
	})
}

func TestApplyProfileCleansName(t *testing.T) {
	u := &okrcore.User{}
	people.ApplyProfile(u, people.Profile{Platform: "slack", PlatformID: "U1", Name: "\u202eecila\x1b[0m"})
	if u.Name != "ecila" {
		t.Errorf("name from a platform %q, want %q", u.Name, "ecila")
	}
}
