package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// skewClock is the real time moved forward by what a test adds.
type skewClock struct{ skew atomic.Int64 }

func (c *skewClock) Now() time.Time      { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *skewClock) Add(d time.Duration) { c.skew.Add(int64(d)) }
func (c *skewClock) token(t *testing.T, serviceURL string) string {
	now := c.Now()
	return mint(t, serviceURL, func(o *tokenOpts) { o.exp, o.nbf = now.Add(time.Hour), now.Add(-time.Minute) })
}

// syncBuffer is a log sink safe for the adapter's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// member is a roster entry of Alice changed by set (a nil value drops
// the field).
func member(t *testing.T, set map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(aliceMember), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestMemberEmail: the sender's e-mail comes from the Bot Connector's
// roster, vouched for only when it is the user principal name of an
// account of the bot's own tenant (a mail attribute is whatever an admin
// wrote); whatever the roster answers, the event is handled.
func TestMemberEmail(t *testing.T) {
	cases := []struct {
		name     string
		roster   string // Alice's entry, as the Bot Connector sends it
		absent   bool   // no entry: 404
		fail     []int  // statuses before the entry
		email    string
		verified bool
		calls    int
		warn     string // in the log
	}{
		{name: "home tenant", roster: aliceMember, email: "Alice@Example.com", verified: true, calls: 1},
		{name: "tenant id in other case", roster: member(t, map[string]any{"tenantId": strings.ToUpper(testTenant)}), email: "Alice@Example.com", verified: true, calls: 1},
		{name: "another tenant", roster: member(t, map[string]any{"tenantId": "tenant-2"}), email: "Alice@Example.com", calls: 1},
		{name: "no tenant", roster: member(t, map[string]any{"tenantId": nil}), email: "Alice@Example.com", calls: 1},
		{name: "guest in the home tenant", roster: member(t, map[string]any{"userRole": "guest"}), email: "Alice@Example.com", calls: 1},
		{name: "SDK field names", roster: member(t, map[string]any{"objectId": nil, "aadObjectId": "aad-alice"}), email: "Alice@Example.com", verified: true, calls: 1},
		{name: "mail differs from the UPN", roster: member(t, map[string]any{"userPrincipalName": "alice@example.onmicrosoft.com"}), email: "Alice@Example.com", calls: 1},
		{name: "mail of someone else, an admin's UPN", roster: member(t, map[string]any{"email": "ceo@example.com", "userPrincipalName": "mallory@example.com"}), email: "ceo@example.com", calls: 1},
		{name: "mail and no UPN", roster: member(t, map[string]any{"userPrincipalName": nil}), email: "Alice@Example.com", calls: 1},
		{name: "mail equals the UPN in another case", roster: member(t, map[string]any{"email": " ALICE@EXAMPLE.COM", "userPrincipalName": "alice@example.com "}), email: "ALICE@EXAMPLE.COM", verified: true, calls: 1},
		{name: "mail equals the UPN, another tenant", roster: member(t, map[string]any{"tenantId": "tenant-2"}), email: "Alice@Example.com", calls: 1},
		{name: "mail equals a guest UPN", roster: member(t, map[string]any{"email": "alice_contoso.com#EXT#@example.com", "userPrincipalName": "alice_contoso.com#EXT#@example.com"}), email: "alice_contoso.com#EXT#@example.com", calls: 1},
		{name: "UPN when no e-mail", roster: member(t, map[string]any{"email": nil, "userPrincipalName": "alice@contoso.com"}), email: "alice@contoso.com", verified: true, calls: 1},
		{name: "UPN when the e-mail is empty", roster: member(t, map[string]any{"email": "", "userPrincipalName": "alice@contoso.com"}), email: "alice@contoso.com", verified: true, calls: 1},
		{name: "UPN when no e-mail, guest", roster: member(t, map[string]any{"email": nil, "userPrincipalName": "alice@contoso.com", "userRole": "guest"}), email: "alice@contoso.com", calls: 1},
		{name: "UPN that is no address", roster: member(t, map[string]any{"email": "", "userPrincipalName": "alice"}), calls: 1},
		{name: "guest UPN", roster: member(t, map[string]any{"email": nil, "userPrincipalName": "alice_contoso.com#EXT#@fabrikam.onmicrosoft.com", "tenantId": "tenant-2", "userRole": "guest"}), calls: 1},
		{name: "another person's entry", roster: member(t, map[string]any{"objectId": "aad-mallory"}), calls: 1, warn: "another person"},
		{name: "anonymous", roster: `{"id":"29:alice","name":"Anon1 (Guest)","tenantId":"` + testTenant + `","userRole":"anonymous"}`, calls: 1},
		{name: "not in the roster (404)", absent: true, calls: 1, warn: "status 404"},
		{name: "server error (500), retried once", roster: aliceMember, fail: []int{500, 500}, calls: 2, warn: "status 500"},
		{name: "500 then the entry", roster: aliceMember, fail: []int{500}, email: "Alice@Example.com", verified: true, calls: 2},
		{name: "forbidden (403)", roster: aliceMember, fail: []int{403}, calls: 1, warn: "status 403"},
		{name: "malformed JSON", roster: `{"id":"29:alice","email":"alice@example.com",`, calls: 1, warn: "decode answer"},
		{name: "not an object", roster: `["alice@example.com"]`, calls: 1, warn: "decode answer"},
		{name: "empty object", roster: `{}`, calls: 1, warn: "no member"},
		{name: "empty body", roster: ``, calls: 1, warn: "no member"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := &syncBuffer{}
			h := &recHandler{answer: echo}
			hs := startHarness(t, h, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
			hs.conn.setMember("29:alice", c.roster)
			if c.absent {
				hs.conn.mu.Lock()
				delete(hs.conn.roster, "29:alice")
				hs.conn.mu.Unlock()
			}
			hs.conn.failMembers(c.fail...)
			if status, _ := hs.post(hs.activity("message", "m1", "okr mine")); status != 200 {
				t.Fatalf("status %d", status)
			}
			ev := h.waitEvents(t, 1)[0]
			if ev.Email != c.email || ev.EmailVerified != c.verified {
				t.Errorf("e-mail %q verified %v, want %q %v", ev.Email, ev.EmailVerified, c.email, c.verified)
			}
			if ev.Kind != chat.EventMessage || ev.Text != "okr mine" || ev.UserID != "aad-alice" {
				t.Errorf("event: %+v", ev)
			}
			// Answered all the same.
			if r := hs.conn.waitCalls(1)[0]; r.Body["text"] != "got message okr mine" {
				t.Errorf("reply: %+v", r)
			}
			mc := hs.conn.memberCallList()
			if len(mc) != c.calls {
				t.Fatalf("%d roster calls, want %d", len(mc), c.calls)
			}
			if mc[0].Method != http.MethodGet || mc[0].Path != "/v3/conversations/a:dm-alice/members/29:alice" || mc[0].Auth != "Bearer tok-1" {
				t.Errorf("roster call: %+v", mc[0])
			}
			log := logs.String()
			if c.warn != "" && !strings.Contains(log, c.warn) {
				t.Errorf("log lacks %q:\n%s", c.warn, log)
			}
			if c.warn == "" && strings.Contains(log, "level=WARN") {
				t.Errorf("warning:\n%s", log)
			}
			if strings.Contains(log, "tok-") || strings.Contains(log, "okr mine") {
				t.Errorf("a token or a message in the log:\n%s", log)
			}
		})
	}
}

// TestMemberCache: a person's e-mail is asked once within UserTTL, a
// failure once a minute.
func TestMemberCache(t *testing.T) {
	cases := []struct {
		name string
		fail []int // roster statuses of the first lookup
		// roster calls of the first lookup; another event within its TTL
		// makes none
		calls int
		ttl   time.Duration
	}{
		{name: "found", calls: 1, ttl: 6 * time.Hour},
		{name: "404", fail: []int{404}, calls: 1, ttl: time.Minute},
		{name: "500", fail: []int{500, 500}, calls: 2, ttl: time.Minute},
		{name: "429", fail: []int{429, 429}, calls: 2, ttl: time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := &skewClock{}
			h := &recHandler{}
			hs := startHarness(t, h, func(o *Options) { o.Now = clock.Now })
			su := hs.conn.serviceURL()
			hs.conn.failMembers(c.fail...)
			hs.post(hs.activity("message", "m1", "okr mine"), clock.token(t, su))
			first := h.waitEvents(t, 1)[0]
			if got := len(hs.conn.memberCallList()); got != c.calls {
				t.Fatalf("%d roster calls, want %d", got, c.calls)
			}
			if (first.Email != "") != (c.fail == nil) {
				t.Fatalf("first event: e-mail %q", first.Email)
			}
			// Within the TTL, in a group chat, as a button: no call.
			clock.Add(c.ttl - time.Second)
			act := hs.activity("message", "m2", "")
			act["conversation"] = map[string]any{"id": "19:group@thread.v2", "conversationType": "groupChat", "tenantId": testTenant}
			act["value"] = map[string]any{"command": "mine"}
			hs.post(act, clock.token(t, su))
			second := h.waitEvents(t, 2)[1]
			if got := len(hs.conn.memberCallList()); got != c.calls {
				t.Fatalf("within %s: %d roster calls, want %d", c.ttl, got, c.calls)
			}
			if second.Email != first.Email || second.EmailVerified != first.EmailVerified {
				t.Errorf("cached: %q %v, first %q %v", second.Email, second.EmailVerified, first.Email, first.EmailVerified)
			}
			// After it: asked again, and answered now.
			clock.Add(2 * time.Second)
			hs.post(hs.activity("message", "m3", "okr mine"), clock.token(t, su))
			third := h.waitEvents(t, 3)[2]
			if got := len(hs.conn.memberCallList()); got != c.calls+1 {
				t.Fatalf("after %s: %d roster calls, want %d", c.ttl, got, c.calls+1)
			}
			if third.Email != "Alice@Example.com" || !third.EmailVerified {
				t.Errorf("after the TTL: %q %v", third.Email, third.EmailVerified)
			}
		})
	}
}

// TestMemberLookupOnce: events of one person arriving together make one
// roster call, and all of them carry the e-mail.
func TestMemberLookupOnce(t *testing.T) {
	h := &recHandler{}
	hs := startHarness(t, h, nil)
	hs.conn.mu.Lock()
	hs.conn.memberDelay = 200 * time.Millisecond
	hs.conn.mu.Unlock()
	tok := mint(t, hs.conn.serviceURL(), nil)
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := hs.post(hs.activity("message", "m"+strconv.Itoa(i), "okr mine"), tok); status != 200 {
				t.Errorf("status %d", status)
			}
		}()
	}
	wg.Wait()
	evs := h.waitEvents(t, n)
	if got := len(hs.conn.memberCallList()); got != 1 {
		t.Fatalf("%d roster calls for %d events", got, n)
	}
	for _, ev := range evs {
		if ev.Email != "Alice@Example.com" || !ev.EmailVerified {
			t.Errorf("event %s: %q %v", ev.ID, ev.Email, ev.EmailVerified)
		}
	}
}

// TestMemberLookupAfterAck: Teams gets its 200 before the roster is asked;
// a slow roster delays the engine, not the answer to Teams.
func TestMemberLookupAfterAck(t *testing.T) {
	h := &recHandler{}
	hs := startHarness(t, h, nil)
	hs.conn.mu.Lock()
	hs.conn.memberDelay = 700 * time.Millisecond
	hs.conn.mu.Unlock()
	start := time.Now()
	if status, _ := hs.post(hs.activity("message", "m1", "okr mine")); status != 200 {
		t.Fatalf("status %d", status)
	}
	ack := time.Since(start)
	ev := h.waitEvents(t, 1)[0]
	handled := time.Since(start)
	if ack > 500*time.Millisecond || handled < 700*time.Millisecond || ev.Email == "" {
		t.Fatalf("acknowledged after %s, handled after %s with e-mail %q", ack, handled, ev.Email)
	}
	t.Logf("acknowledged after %s, handled after %s", ack, handled)
}

// TestMemberLookupWhichActivities: messages and invokes of a person are
// looked up (a channel's in the team's roster); installs and the bot's
// own membership changes are not.
func TestMemberLookupWhichActivities(t *testing.T) {
	h := &recHandler{}
	hs := startHarness(t, h, func(o *Options) { o.InvokeTimeout = 2 * time.Second })
	inst := hs.activity("installationUpdate", "i1", "")
	inst["action"] = "add"
	hs.post(inst)
	up := hs.activity("conversationUpdate", "i2", "")
	up["conversation"] = map[string]any{"id": "19:general@thread.tacv2", "conversationType": "channel", "tenantId": testTenant}
	up["membersAdded"] = []any{map[string]any{"id": "28:" + testAppID}}
	hs.post(up)
	h.waitEvents(t, 2)
	if mc := hs.conn.memberCallList(); len(mc) != 0 {
		t.Fatalf("roster asked for an install: %+v", mc)
	}
	// An Action.Execute invoke: looked up before the engine answers.
	inv := hs.activity("invoke", "inv1", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "data": map[string]any{"command": "mine"}}}
	if status, _ := hs.post(inv); status != 200 {
		t.Fatalf("invoke: %d", status)
	}
	ev := h.waitEvents(t, 3)[2]
	if ev.Kind != chat.EventButton || ev.Email != "Alice@Example.com" || !ev.EmailVerified {
		t.Errorf("invoke event: %+v", ev)
	}
	// Bob writes in a team's channel: the team's roster.
	hs.conn.setMember("29:bob", `{"id":"29:bob","objectId":"aad-bob","name":"Bob","email":"bob@example.com","userPrincipalName":"bob@example.com","tenantId":"`+testTenant+`","userRole":"user"}`)
	ch := hs.activity("message", "1700", "<at>okrbot</at> okr mine")
	ch["from"] = map[string]any{"id": "29:bob", "aadObjectId": "aad-bob", "name": "Bob"}
	ch["conversation"] = map[string]any{"id": "19:chan@thread.tacv2;messageid=1700", "conversationType": "channel", "tenantId": testTenant}
	ch["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant}, "team": map[string]any{"id": "19:team@thread.tacv2"},
		"channel": map[string]any{"id": "19:chan@thread.tacv2"}}
	hs.post(ch)
	ev = h.waitEvents(t, 4)[3]
	if ev.UserID != "aad-bob" || ev.Email != "bob@example.com" || !ev.EmailVerified {
		t.Errorf("channel event: %+v", ev)
	}
	mc := hs.conn.memberCallList()
	if len(mc) != 2 || mc[0].Path != "/v3/conversations/a:dm-alice/members/29:alice" || mc[1].Path != "/v3/conversations/19:team@thread.tacv2/members/29:bob" {
		t.Errorf("roster calls: %+v", mc)
	}
}

// TestMemberLookupSlowInvoke: a slow roster never makes an invoke's
// answer late; the engine then answers without the e-mail.
func TestMemberLookupSlowInvoke(t *testing.T) {
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, func(o *Options) { o.InvokeTimeout = 600 * time.Millisecond })
	hs.conn.mu.Lock()
	hs.conn.memberDelay = time.Second
	hs.conn.mu.Unlock()
	inv := hs.activity("invoke", "inv1", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "data": map[string]any{"command": "mine"}}}
	start := time.Now()
	status, body := hs.post(inv)
	took := time.Since(start)
	if status != 200 || took > time.Second || !strings.Contains(body, "got button mine") {
		t.Fatalf("invoke answered %d after %s: %s", status, took, body)
	}
	if ev := h.events()[0]; ev.Email != "" {
		t.Errorf("e-mail %q", ev.Email)
	}
	t.Logf("invoke answered after %s", took)
}

// TestConversationMember: the connector's roster call, on the wire.
func TestConversationMember(t *testing.T) {
	f := newFakeConnector(t)
	c := NewConnector(testAppID, "secret", f.tokenURL(), ConnectorOptions{Backoff: time.Millisecond})
	ctx := context.Background()
	m, err := c.ConversationMember(ctx, f.serviceURL(), "a:dm-alice", "29:alice")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != "29:alice" || m.objectID() != "aad-alice" || m.Email != "Alice@Example.com" || m.UserPrincipalName != "alice@example.com" ||
		m.TenantID != testTenant || m.UserRole != "user" || m.GivenName != "Alice" || m.Surname != "Example" || m.Name != "Alice Example" {
		t.Errorf("member: %+v", m)
	}
	// A revoked token is renewed once, as for sending.
	c.mu.Lock()
	c.token = "revoked"
	c.mu.Unlock()
	if _, err := c.ConversationMember(ctx, f.serviceURL(), "a:dm-alice", "29:alice"); err != nil {
		t.Fatal(err)
	}
	mc := f.memberCallList()
	if len(mc) != 3 || mc[1].Auth != "Bearer revoked" || mc[2].Auth != "Bearer tok-2" {
		t.Errorf("calls: %+v", mc)
	}
	var apiErr *APIError
	if _, err := c.ConversationMember(ctx, f.serviceURL(), "a:dm-alice", "29:nobody"); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Errorf("unknown member: %v", err)
	}
	if cs := f.callList(); len(cs) != 0 {
		t.Errorf("other calls: %+v", cs)
	}
}
