package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

func directoryAdapter(t *testing.T, f *fakeSlack, page int) *Adapter {
	t.Helper()
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{DirectoryPage: page})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// directoryFake is a workspace of 12 people, a bot, an app user, Slackbot
// and a deactivated account.
func directoryFake(t *testing.T) *fakeSlack {
	t.Helper()
	f := newFakeSlack(t)
	for i := range 12 {
		f.addUser(fakeUser{ID: fmt.Sprintf("U%02d", i), Name: fmt.Sprintf("person%d", i), Email: fmt.Sprintf("p%d@acme.example", i), TZ: "Europe/Berlin", Unconfirmed: i == 3})
	}
	f.addUser(fakeUser{ID: "UBOT", Name: "okrbot", Bot: true})
	f.addUser(fakeUser{ID: "UAPP", Name: "workflow", App: true})
	f.addUser(fakeUser{ID: "USLACKBOT", Name: "slackbot"})
	f.addUser(fakeUser{ID: "UGONE", Name: "gone", Email: "gone@acme.example", Deleted: true})
	return f
}

func TestPeoplePagesThroughUsersList(t *testing.T) {
	f := directoryFake(t)
	a := directoryAdapter(t, f, 5)
	r, err := a.People(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls := f.callsOf("users.list"); len(calls) != 4 || calls[0].get("limit") != "5" || calls[1].get("cursor") == "" {
		t.Errorf("%d users.list calls (%v), want 4 pages of 5", len(calls), calls)
	}
	if !r.Complete || len(r.People) != 13 {
		t.Fatalf("roster %+v, want 12 people and one who left, complete", r)
	}
	byID := map[string]chat.DirectoryPerson{}
	for _, p := range r.People {
		byID[p.ID] = p
	}
	for _, id := range []string{"UBOT", "UAPP", "USLACKBOT"} {
		if _, ok := byID[id]; ok {
			t.Errorf("%s listed", id)
		}
	}
	if p := byID["U01"]; p.Name != "person1" || p.Email != "p1@acme.example" || !p.EmailVerified || p.TimeZone != "Europe/Berlin" || p.Left {
		t.Errorf("U01 %+v", p)
	}
	if p := byID["U03"]; p.EmailVerified {
		t.Errorf("U03 %+v: an unconfirmed address is not vouched for", p)
	}
	if p := byID["UGONE"]; !p.Left {
		t.Errorf("UGONE %+v, want left", p)
	}
}

func TestPeopleBadPages(t *testing.T) {
	cases := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"server error", reply{status: http.StatusInternalServerError, body: "oops"}, nil},
		{"malformed JSON", reply{status: http.StatusOK, body: `{"ok":true,"members":[{"id":`}, nil},
		{"not ok", reply{status: http.StatusOK, body: `{"ok":false,"error":"missing_scope","needed":"users:read"}`}, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "users:read") {
				t.Errorf("%v does not name the missing scope", err)
			}
		}},
		{"rate limited longer than it waits", reply{status: http.StatusTooManyRequests, retryAfter: "120", body: `{"ok":false,"error":"ratelimited"}`}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter.Seconds() != 120 {
				t.Errorf("%v, want a rate limit of 120s", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := directoryFake(t)
			a := directoryAdapter(t, f, 5)
			// The first page is fine, the second fails: nothing is listed.
			f.failNext("users.list", reply{status: http.StatusOK, body: `{"ok":true,"members":[{"id":"U00","name":"p0"}],"response_metadata":{"next_cursor":"` + "dXNlcjo1" + `"}}`})
			f.failNext("users.list", c.reply)
			r, err := a.People(context.Background(), nil)
			if err == nil || len(r.People) != 0 {
				t.Fatalf("roster %+v, err %v: want an error and nobody", r, err)
			}
			if c.check != nil {
				c.check(t, err)
			}
		})
	}
}

func TestPeopleWaitsOutAShortRateLimit(t *testing.T) {
	f := directoryFake(t)
	a := directoryAdapter(t, f, 100)
	f.failNext("users.list", reply{status: http.StatusTooManyRequests, retryAfter: "0", body: `{"ok":false,"error":"ratelimited"}`})
	r, err := a.People(context.Background(), nil)
	if err != nil || len(r.People) != 13 {
		t.Fatalf("roster of %d, err %v: want everyone after the wait", len(r.People), err)
	}
}

func TestPersonByEmail(t *testing.T) {
	f := directoryFake(t)
	a := directoryAdapter(t, f, 5)
	cases := []struct {
		email  string
		wantID string
	}{
		{"P2@acme.example", "U02"},
		{"nobody@acme.example", ""},
		{"gone@acme.example", ""},
	}
	for _, c := range cases {
		p, ok, err := a.PersonByEmail(context.Background(), c.email, nil)
		if err != nil || ok != (c.wantID != "") || p.ID != c.wantID && ok {
			t.Errorf("%s: %+v %v %v, want %q", c.email, p, ok, err, c.wantID)
		}
	}
	f.failNext("users.lookupByEmail", reply{status: http.StatusInternalServerError, body: "down"})
	if _, _, err := a.PersonByEmail(context.Background(), "p1@acme.example", nil); err == nil {
		t.Error("a failed lookup was not an error")
	}
}
