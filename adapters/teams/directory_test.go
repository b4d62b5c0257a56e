package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
)

func directoryAdapter(t *testing.T, conn *fakeConnector) *Adapter {
	t.Helper()
	return directoryAdapterAt(t, conn, nil)
}

func directoryAdapterAt(t *testing.T, conn *fakeConnector, now func() time.Time) *Adapter {
	t.Helper()
	a, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: conn.tokenURL()}, Options{Backoff: 1, Retries: 1, MaxWait: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// place is a conversation the bot was added to, as the engine stored it.
func place(t *testing.T, conn *fakeConnector, id, typ string) chat.Conversation {
	t.Helper()
	ref, err := json.Marshal(schema.ConversationReference{ServiceURL: conn.serviceURL(), ChannelID: "msteams",
		Conversation: schema.ConversationAccount{ID: id, ConversationType: typ, TenantID: testTenant}})
	if err != nil {
		t.Fatal(err)
	}
	return chat.Conversation{ID: id, Ref: string(ref), Platform: Platform}
}

func rosterMember(i int, tenant string) string {
	return fmt.Sprintf(`{"id":"29:u%d","aadObjectId":"aad-%d","name":"Person %d","email":"p%d@example.com","userPrincipalName":"p%d@example.com","tenantId":%q,"userRole":"user"}`,
		i, i, i, i, i, tenant)
}

func TestPeopleReadsEveryRosterPageByPage(t *testing.T) {
	conn := newFakeConnector(t)
	var sales, chatMembers []string
	for i := range 450 {
		sales = append(sales, rosterMember(i, testTenant))
	}
	// The group chat shares two people with Sales and has a guest and a bot.
	chatMembers = append(chatMembers, rosterMember(1, testTenant), rosterMember(2, testTenant), rosterMember(999, "other-tenant"),
		`{"id":"28:bot","name":"Some bot"}`)
	conn.setRoster("19:sales@thread.tacv2", sales...)
	conn.setRoster("19:chat@thread.v2", chatMembers...)
	a := directoryAdapter(t, conn)
	// The bot was removed from 19:gone without okrbot hearing of it.
	in := []chat.Conversation{place(t, conn, "19:sales@thread.tacv2", "channel"), place(t, conn, "19:gone@thread.v2", "channel"),
		place(t, conn, "19:chat@thread.v2", "groupChat"), place(t, conn, "a:dm-alice", "personal"), {ID: "19:noref"}}
	r, err := a.People(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, c := range conn.callList() {
		if c.Method == http.MethodGet {
			pages++
		}
	}
	if pages != 5 {
		t.Errorf("%d roster pages read, want 3 of Sales, 1 of the chat and the one refused", pages)
	}
	if r.Complete || len(r.People) != 451 {
		t.Fatalf("%d people (complete %v), want 451 and an incomplete listing", len(r.People), r.Complete)
	}
	byID := map[string]chat.DirectoryPerson{}
	for _, p := range r.People {
		byID[p.ID] = p
	}
	if p := byID["aad-7"]; p.Name != "Person 7" || p.Email != "p7@example.com" || !p.EmailVerified {
		t.Errorf("aad-7 %+v", p)
	}
	if p := byID["aad-999"]; p.EmailVerified {
		t.Errorf("a guest of another tenant %+v is vouched for", p)
	}

	got, ok, err := a.PersonByEmail(context.Background(), "P9@example.com", in)
	if err != nil || !ok || got.ID != "aad-9" {
		t.Errorf("by address: %+v %v %v", got, ok, err)
	}
	if _, ok, err := a.PersonByEmail(context.Background(), "nobody@example.com", in); ok || err != nil {
		t.Errorf("nobody found: %v %v", ok, err)
	}
}

func TestPeopleBadRosters(t *testing.T) {
	cases := []struct {
		name  string
		setup func(conn *fakeConnector)
		check func(t *testing.T, err error)
	}{
		{"server error", func(conn *fakeConnector) {
			conn.failNext(failure{status: http.StatusInternalServerError}, failure{status: http.StatusInternalServerError})
		}, nil},
		{"malformed JSON", func(conn *fakeConnector) { conn.pagedBodies = []string{`{"members":[{"id":`} }, nil},
		{"rate limited", func(conn *fakeConnector) {
			conn.failNext(failure{status: http.StatusTooManyRequests, retryAfter: "30"})
		}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter.Seconds() != 30 {
				t.Errorf("%v, want a rate limit of 30s", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := newFakeConnector(t)
			conn.setRoster("19:sales@thread.tacv2", rosterMember(1, testTenant), rosterMember(2, testTenant), rosterMember(3, testTenant))
			a := directoryAdapter(t, conn)
			c.setup(conn)
			r, err := a.People(context.Background(), []chat.Conversation{place(t, conn, "19:sales@thread.tacv2", "channel")})
			if err == nil || len(r.People) != 0 {
				t.Fatalf("roster %+v, err %v: want an error and nobody", r, err)
			}
			if c.check != nil {
				c.check(t, err)
			}
		})
	}
	t.Run("no roster at all", func(t *testing.T) {
		conn := newFakeConnector(t)
		_, err := directoryAdapter(t, conn).People(context.Background(), []chat.Conversation{place(t, conn, "a:dm", "personal")})
		if !errors.Is(err, chat.ErrNoRoster) {
			t.Errorf("%v, want ErrNoRoster", err)
		}
	})
}

// TestPersonByEmailReadsTheRostersOnceAMinute: a command that looks up
// many addresses reads the rosters once; a minute later they are read
// again, and a lookup that fails is not remembered.
func TestPersonByEmailReadsTheRostersOnceAMinute(t *testing.T) {
	conn := newFakeConnector(t)
	var sales []string
	for i := range 250 {
		sales = append(sales, rosterMember(i, testTenant))
	}
	conn.setRoster("19:sales@thread.tacv2", sales...)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := directoryAdapterAt(t, conn, func() time.Time { return at })
	in := []chat.Conversation{place(t, conn, "19:sales@thread.tacv2", "channel")}
	pages := func() int {
		n := 0
		for _, c := range conn.callList() {
			if c.Method == http.MethodGet {
				n++
			}
		}
		return n
	}
	lookups := []struct {
		email string
		want  string // "" for nobody
	}{
		{"p3@example.com", "aad-3"}, {" P249@EXAMPLE.com ", "aad-249"}, {"nobody@example.com", ""}, {"", ""}, {"p0@example.com", "aad-0"},
	}
	for _, l := range lookups {
		p, ok, err := a.PersonByEmail(context.Background(), l.email, in)
		if err != nil || ok != (l.want != "") || p.ID != l.want {
			t.Errorf("%q: %+v %v %v, want %q", l.email, p, ok, err, l.want)
		}
	}
	if got := pages(); got != 2 {
		t.Errorf("%d roster pages read for %d lookups, want the 2 pages once", got, len(lookups))
	}
	// Other conversations are other rosters.
	if _, ok, err := a.PersonByEmail(context.Background(), "p3@example.com", []chat.Conversation{place(t, conn, "19:gone@thread.v2", "channel")}); ok || err != nil {
		t.Errorf("in a conversation that is gone: %v %v", ok, err)
	}
	before := pages()
	at = at.Add(rosterTTL)
	conn.setRoster("19:sales@thread.tacv2", append(sales, rosterMember(300, testTenant))...)
	if p, ok, err := a.PersonByEmail(context.Background(), "p300@example.com", in); err != nil || !ok || p.ID != "aad-300" {
		t.Errorf("someone added a minute later: %+v %v %v", p, ok, err)
	}
	if got := pages() - before; got != 2 {
		t.Errorf("%d pages read after a minute, want 2", got)
	}
	at = at.Add(rosterTTL)
	conn.failNext(failure{status: http.StatusInternalServerError}, failure{status: http.StatusInternalServerError})
	if _, _, err := a.PersonByEmail(context.Background(), "p3@example.com", in); err == nil {
		t.Error("a failed roster read answered")
	}
	if p, ok, err := a.PersonByEmail(context.Background(), "p3@example.com", in); err != nil || !ok || p.ID != "aad-3" {
		t.Errorf("after a failure: %+v %v %v", p, ok, err)
	}
}
