package teams

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/okrbot/okrbot/chat"
)

func echo(ev chat.Event) *chat.Message {
	m := chat.Text("got " + string(ev.Kind) + " " + ev.Text + ev.Value)
	return &m
}

// Every refused request gets 401 and reaches neither the engine nor
// the Bot Connector.
func TestHandlerRefusesBadTokens(t *testing.T) {
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, nil)
	su := hs.conn.serviceURL()
	_, other := keys(t)
	cases := []struct {
		name, auth string
		status     int
	}{
		{"missing header", "", 401},
		{"wrong signature", mint(t, su, func(o *tokenOpts) { o.key = other }), 401},
		{"tampered", tamper(mint(t, su, nil)), 401},
		{"expired", mint(t, su, func(o *tokenOpts) { o.exp = time.Now().Add(-time.Hour) }), 401},
		{"alg none", mint(t, su, func(o *tokenOpts) { o.method = jwt.SigningMethodNone }), 401},
		{"HS256", mint(t, su, func(o *tokenOpts) { o.method = jwt.SigningMethodHS256 }), 401},
		{"unknown key", mint(t, su, func(o *tokenOpts) { o.kid = "other" }), 401},
		{"wrong audience", mint(t, su, func(o *tokenOpts) { o.aud = "x" }), 401},
		{"wrong issuer", mint(t, su, func(o *tokenOpts) { o.iss = "https://sts.windows.net/x/" }), 401},
		{"wrong serviceurl", mint(t, "https://evil.example/", nil), 401},
	}
	for i, c := range cases {
		if status, _ := hs.post(hs.activity("message", "m"+string(rune('a'+i)), "okr mine"), c.auth); status != c.status {
			t.Errorf("%s: status %d, want %d", c.name, status, c.status)
		}
	}
	// Not endorsed for the activity's channel.
	act := hs.activity("message", "m-slack", "okr mine")
	act["channelId"] = "slack"
	if status, _ := hs.post(act); status != 401 {
		t.Errorf("unendorsed channel: %d", status)
	}
	// Malformed JSON with a valid token: 400.
	if status, _ := hs.post(`{"type":"message",`); status != 400 {
		t.Errorf("malformed JSON: %d", status)
	}
	if status, _ := hs.post(`{"type":"message"}`); status != 400 {
		t.Errorf("activity without conversation: %d", status)
	}
	time.Sleep(50 * time.Millisecond)
	if evs := h.events(); len(evs) != 0 {
		t.Fatalf("refused requests were processed: %+v", evs)
	}
	if cs := hs.conn.callList(); len(cs) != 0 {
		t.Fatalf("refused requests were answered: %+v", cs)
	}
	// A valid one passes.
	if status, _ := hs.post(hs.activity("message", "ok", "okr mine")); status != 200 {
		t.Fatalf("valid: %d", status)
	}
	h.waitEvents(t, 1)
}

func TestHandlerMessages(t *testing.T) {
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, nil)
	// A channel mention: the mention is stripped, the reply goes into the
	// thread.
	act := hs.activity("message", "1700", "<at>okrbot</at>&nbsp;okr team Sales\n")
	act["conversation"] = map[string]any{"id": "19:chan@thread.tacv2;messageid=1700", "conversationType": "channel", "tenantId": testTenant}
	if status, _ := hs.post(act); status != 200 {
		t.Fatalf("status %d", status)
	}
	ev := h.waitEvents(t, 1)[0]
	if ev.Kind != chat.EventMessage || ev.Text != "okr team Sales" || ev.Platform != "teams" || ev.Workspace != testTenant ||
		ev.UserID != "aad-alice" || ev.UserName != "Alice Example" || ev.ID != "1700" || ev.Conversation.Direct ||
		ev.Conversation.ID != "19:chan@thread.tacv2;messageid=1700" || ev.TimeZone != "Europe/Berlin" {
		t.Fatalf("event: %+v", ev)
	}
	var ref struct {
		ServiceURL   string `json:"serviceUrl"`
		Conversation struct{ ID, TenantID string }
		Bot          struct{ ID string }
	}
	if err := json.Unmarshal([]byte(ev.Conversation.Ref), &ref); err != nil || ref.ServiceURL != hs.conn.serviceURL() || ref.Bot.ID != "28:"+testAppID {
		t.Fatalf("ref %s: %v", ev.Conversation.Ref, err)
	}
	call := hs.conn.waitCalls(1)[0]
	if call.Path != "/v3/conversations/19:chan@thread.tacv2%3Bmessageid=1700/activities/1700" || call.Body["text"] != "got message okr team Sales" {
		t.Fatalf("reply: %+v", call)
	}
	// The same activity again: processed once.
	hs.post(act)
	// Action.Submit of a button: a message with a value and no text.
	btn := hs.activity("message", "1701", "")
	btn["value"] = map[string]any{"command": "checkin KR4"}
	hs.post(btn)
	// Action.Submit of a form.
	form := hs.activity("message", "1702", "")
	form["replyToId"] = "card-9"
	form["value"] = map[string]any{"form_id": "checkin", "form_state": "KR4,KR5", "KR4.value": "32", "confidence": 7.0, "note": ""}
	hs.post(form)
	evs := h.waitEvents(t, 3)
	if len(evs) != 3 {
		t.Fatalf("duplicate processed: %+v", evs)
	}
	// Workers handle the two at once: either may finish first.
	if evs[1].ID > evs[2].ID {
		evs[1], evs[2] = evs[2], evs[1]
	}
	if evs[1].Kind != chat.EventButton || evs[1].Value != "checkin KR4" || !evs[1].Conversation.Direct || evs[1].Conversation.UserID != "aad-alice" {
		t.Errorf("button: %+v", evs[1])
	}
	if evs[2].Kind != chat.EventFormSubmit || evs[2].FormID != "checkin" || evs[2].FormState != "KR4,KR5" ||
		evs[2].Values["KR4.value"] != "32" || evs[2].Values["confidence"] != "7" || len(evs[2].Values) != 3 {
		t.Errorf("form: %+v", evs[2])
	}
	// The form's answer replaces the card it came from.
	calls := hs.conn.waitCalls(3)
	var put *connCall
	for i := range calls[1:3] {
		if calls[1+i].Method == http.MethodPut {
			put = &calls[1+i]
		}
	}
	if put == nil || put.ActivityID != "card-9" {
		t.Errorf("form answer: %+v", calls[1:3])
	}
	// An unknown card action: a clear answer, nothing processed.
	unk := hs.activity("message", "1703", "")
	unk["value"] = map[string]any{"foo": "bar"}
	hs.post(unk)
	c := hs.conn.waitCalls(4)[3]
	if !strings.Contains(c.Raw, "know that card action") {
		t.Errorf("unknown action: %s", c.Raw)
	}
	if n := len(h.events()); n != 3 {
		t.Errorf("unknown action processed")
	}
}

func TestHandlerInstall(t *testing.T) {
	h := &recHandler{}
	hs := startHarness(t, h, nil)
	inst := hs.activity("installationUpdate", "i1", "")
	inst["action"] = "add"
	hs.post(inst)
	up := hs.activity("conversationUpdate", "i2", "")
	up["conversation"] = map[string]any{"id": "19:general@thread.tacv2", "conversationType": "channel", "tenantId": testTenant}
	up["membersAdded"] = []any{map[string]any{"id": "28:" + testAppID}}
	hs.post(up)
	other := hs.activity("conversationUpdate", "i3", "")
	other["membersAdded"] = []any{map[string]any{"id": "29:bob"}}
	hs.post(other)
	rm := hs.activity("installationUpdate", "i4", "")
	rm["action"] = "remove"
	hs.post(rm)
	h.waitEvents(t, 3)
	time.Sleep(30 * time.Millisecond)
	evs := h.events()
	// The pool hands activities to the handler concurrently, so they
	// arrive in any order; their ids say which is which.
	sort.Slice(evs, func(i, j int) bool { return evs[i].ID < evs[j].ID })
	if len(evs) != 3 || evs[0].Kind != chat.EventInstalled || !evs[0].Conversation.Direct || evs[0].Conversation.Ref == "" ||
		evs[1].Kind != chat.EventInstalled || evs[1].Conversation.ID != "19:general@thread.tacv2" || evs[2].Kind != chat.EventRemoved {
		t.Fatalf("events: %+v", evs)
	}
}

func TestHandlerInvoke(t *testing.T) {
	h := &recHandler{answer: func(ev chat.Event) *chat.Message {
		m := chat.Message{Text: "Checked in", Blocks: []chat.Block{chat.Section{Text: "*Checked in* " + ev.Value}}}
		return &m
	}}
	hs := startHarness(t, h, func(o *Options) { o.InvokeTimeout = 300 * time.Millisecond })
	inv := hs.activity("invoke", "inv1", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "x", "data": map[string]any{"command": "checkin KR4 30"}}, "trigger": "manual"}
	status, body := hs.post(inv)
	var resp InvokeResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil || status != 200 || resp.StatusCode != 200 || resp.Type != CardContentType ||
		!strings.Contains(body, `**Checked in** checkin KR4 30`) {
		t.Fatalf("invoke: %d %s", status, body)
	}
	if cs := hs.conn.callList(); len(cs) != 0 {
		t.Errorf("invoke answer posted too: %+v", cs)
	}
	// Unknown action data: a message, nothing processed.
	inv2 := hs.activity("invoke", "inv2", "")
	inv2["name"] = "adaptiveCard/action"
	inv2["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute"}}
	_, body = hs.post(inv2)
	if !strings.Contains(body, messageContentType) || !strings.Contains(body, "know that card action") {
		t.Errorf("unknown invoke: %s", body)
	}
	// A slow engine: "working on it" in time, the answer in the chat later.
	h.mu.Lock()
	h.delay = time.Second
	h.mu.Unlock()
	inv3 := hs.activity("invoke", "inv3", "")
	inv3["name"] = "adaptiveCard/action"
	inv3["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "data": map[string]any{"command": "mine"}}}
	start := time.Now()
	_, body = hs.post(inv3)
	if time.Since(start) > 900*time.Millisecond || !strings.Contains(body, "Working on it") {
		t.Fatalf("slow invoke: %s after %s", body, time.Since(start))
	}
	c := hs.conn.waitCalls(1)[0]
	if !strings.Contains(c.Raw, "Checked in") {
		t.Errorf("late answer: %s", c.Raw)
	}
	if n := len(h.events()); n != 2 {
		t.Errorf("%d events", n)
	}
}

func TestHandlerLimits(t *testing.T) {
	hs := startHarness(t, &recHandler{}, func(o *Options) { o.MaxBody = 1000 })
	act := hs.activity("message", "big", strings.Repeat("x", 2000))
	if status, _ := hs.post(act); status != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", status)
	}
	resp, err := http.Get(hs.srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz: %v %v", resp, err)
	}
}

// TestHandlerOtherTenant: a signed activity of another tenant is answered
// 200, so that Teams does not send it again, and dropped with a warning:
// no event, no reply, no roster call, and its Bot Connector is not the
// one proactive messages go to. One that names no tenant is let through
// as before.
func TestHandlerOtherTenant(t *testing.T) {
	const otherSU = "https://smba.other.example/teams/"
	token := func(t *testing.T) string { return mint(t, otherSU, nil) }
	cases := []struct {
		name string
		set  func(hs *harness, act map[string]any)
		typ  string
	}{
		{name: "message, both tenant ids", typ: "message", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": "tenant-2"}
			act["channelData"] = map[string]any{"tenant": map[string]any{"id": "tenant-2"}}
		}},
		{name: "message, conversation tenant only", typ: "message", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": "tenant-2"}
			delete(act, "channelData")
		}},
		{name: "message, channelData tenant only", typ: "message", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal"}
			act["channelData"] = map[string]any{"tenant": map[string]any{"id": "tenant-2"}}
		}},
		{name: "message, channelData tenant differs from the conversation's", typ: "message", set: func(_ *harness, act map[string]any) {
			act["channelData"] = map[string]any{"tenant": map[string]any{"id": "tenant-2"}}
		}},
		{name: "button", typ: "message", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": "tenant-2"}
			act["text"] = ""
			act["value"] = map[string]any{"command": "mine"}
		}},
		{name: "invoke", typ: "invoke", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": "tenant-2"}
			act["name"] = "adaptiveCard/action"
			act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "data": map[string]any{"command": "mine"}}}
		}},
		{name: "install", typ: "installationUpdate", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": "tenant-2"}
			act["action"] = "add"
		}},
		{name: "added to a team", typ: "conversationUpdate", set: func(_ *harness, act map[string]any) {
			act["conversation"] = map[string]any{"id": "19:general@thread.tacv2", "conversationType": "channel", "tenantId": "tenant-2"}
			act["channelData"] = map[string]any{"tenant": map[string]any{"id": "tenant-2"}, "team": map[string]any{"id": "19:team@thread.tacv2"}}
			act["membersAdded"] = []any{map[string]any{"id": "28:" + testAppID}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := &syncBuffer{}
			h := &recHandler{answer: echo}
			hs := startHarness(t, h, func(o *Options) {
				o.Logger = slog.New(slog.NewTextHandler(logs, nil))
				o.InvokeTimeout = 300 * time.Millisecond
			})
			act := hs.activity(c.typ, "x1", "okr mine")
			act["serviceUrl"] = otherSU
			c.set(hs, act)
			if status, body := hs.post(act, token(t)); status != 200 || body != "" {
				t.Fatalf("status %d %q", status, body)
			}
			// A message of the home tenant (its id in another case) is
			// handled after it, and is the only event.
			home := hs.activity("message", "x2", "okr mine")
			home["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": strings.ToUpper(testTenant)}
			if status, _ := hs.post(home); status != 200 {
				t.Fatalf("home tenant: status %d", status)
			}
			hs.conn.waitCalls(1)
			time.Sleep(30 * time.Millisecond)
			if evs := h.events(); len(evs) != 1 || evs[0].ID != "x2" {
				t.Fatalf("events: %+v", evs)
			}
			cs := hs.conn.callList()
			if len(cs) != 1 || cs[0].ActivityID != "x2" {
				t.Errorf("connector calls: %+v", cs)
			}
			if mc := hs.conn.memberCallList(); len(mc) != 1 || !strings.Contains(mc[0].Path, "/members/29:alice") {
				t.Errorf("roster calls: %+v", mc)
			}
			hs.a.mu.Lock()
			su := hs.a.serviceURL
			hs.a.mu.Unlock()
			if su != hs.conn.serviceURL() {
				t.Errorf("service URL %q", su)
			}
			log := logs.String()
			if strings.Count(log, "level=WARN") != 1 || !strings.Contains(log, "another tenant") ||
				!strings.Contains(log, "tenant=tenant-2") || !strings.Contains(log, "type="+c.typ) {
				t.Errorf("log:\n%s", log)
			}
			if strings.Contains(log, "okr mine") || strings.Contains(log, "Alice") || strings.Contains(log, "a:dm-alice") {
				t.Errorf("more than the tenant and the type in the log:\n%s", log)
			}
		})
	}
	// No tenant at all: not dropped by the filter (and, as before, not an
	// event, having no workspace).
	logs := &syncBuffer{}
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	act := hs.activity("message", "n1", "okr mine")
	act["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal"}
	delete(act, "channelData")
	if status, _ := hs.post(act); status != 200 {
		t.Fatalf("no tenant: status %d", status)
	}
	hs.a.mu.Lock()
	su := hs.a.serviceURL
	hs.a.mu.Unlock()
	if su != hs.conn.serviceURL() || strings.Contains(logs.String(), "another tenant") {
		t.Errorf("no tenant: service URL %q, log:\n%s", su, logs.String())
	}
}
