package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  string // a substring of the error; "" for none
	}{
		{"http mode", Config{BotToken: "xoxb-1", SigningSecret: "s"}, ""},
		{"socket mode", Config{BotToken: "xoxb-1", AppToken: "xapp-1"}, ""},
		{"custom API URL", Config{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "http://127.0.0.1:9/api"}, ""},
		{"no bot token", Config{SigningSecret: "s"}, "must be a bot token starting with xoxb-"},
		{"user token", Config{BotToken: "xoxp-1", SigningSecret: "s"}, "must be a bot token starting with xoxb-"},
		{"bad app token", Config{BotToken: "xoxb-1", AppToken: "xoxb-2"}, "must be an app-level token starting with xapp-"},
		{"neither mode", Config{BotToken: "xoxb-1"}, "set SLACK_APP_TOKEN"},
		{"bad API URL", Config{BotToken: "xoxb-1", SigningSecret: "s", APIURL: "slack.com"}, "SLACK_API_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := New(tc.cfg, Options{})
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("New error = %v, want %q", err, tc.err)
			case tc.err != "" && strings.Contains(err.Error(), "\n"):
				t.Errorf("the error is not one line: %q", err)
			case tc.err == "":
				if !strings.HasSuffix(a.cfg.APIURL, "/") {
					t.Errorf("API URL %q lacks its slash", a.cfg.APIURL)
				}
				if a.SocketMode() != (tc.cfg.AppToken != "") {
					t.Errorf("SocketMode = %v", a.SocketMode())
				}
			}
		})
	}
}

// TestPacing: the dispatcher starts at the documented low end of Slack's
// workspace limit and may learn up to the ceiling; both can be set.
func TestPacing(t *testing.T) {
	cases := []struct {
		opts Options
		want chat.Pacing
	}{
		{Options{}, chat.Pacing{PerSecond: DefaultRate, Ceiling: DefaultRateCeiling, Burst: 10, PerConversation: time.Second}},
		{Options{PerSecond: 1}, chat.Pacing{PerSecond: 1, Ceiling: DefaultRateCeiling, Burst: 10, PerConversation: time.Second}},
		{Options{PerSecond: 20}, chat.Pacing{PerSecond: 20, Ceiling: 20, Burst: 10, PerConversation: time.Second}},
		{Options{PerSecond: 2, Ceiling: 40}, chat.Pacing{PerSecond: 2, Ceiling: 40, Burst: 10, PerConversation: time.Second}},
	}
	for _, c := range cases {
		a, err := New(Config{BotToken: "xoxb-1", SigningSecret: "s"}, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if p := a.Pacing(); p != c.want {
			t.Errorf("Options %+v: Pacing = %+v, want %+v", c.opts, p, c.want)
		}
	}
}

func TestSignature(t *testing.T) {
	hs := newHarness(t, Options{}, echo)
	body := func(ts string) []byte { return eventBody("Ev"+ts, dmEvent("U1", "D1", ts, "mine")) }
	tests := []struct {
		name   string
		header func(b []byte) http.Header
		status int
	}{
		{"valid", func(b []byte) http.Header { return sign(testSecret, time.Now(), b) }, http.StatusOK},
		{"wrong secret", func(b []byte) http.Header { return sign("not-the-secret", time.Now(), b) }, http.StatusUnauthorized},
		{"no signature", func([]byte) http.Header { return http.Header{} }, http.StatusUnauthorized},
		{"garbage signature", func(b []byte) http.Header {
			h := sign(testSecret, time.Now(), b)
			h.Set("X-Slack-Signature", "v0=zz")
			return h
		}, http.StatusUnauthorized},
		{"signature of another body", func(b []byte) http.Header { return sign(testSecret, time.Now(), append(b, ' ')) }, http.StatusUnauthorized},
		{"six minutes old", func(b []byte) http.Header { return sign(testSecret, time.Now().Add(-6*time.Minute), b) }, http.StatusUnauthorized},
		{"six minutes ahead", func(b []byte) http.Header { return sign(testSecret, time.Now().Add(6*time.Minute), b) }, http.StatusUnauthorized},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := body("1700000100.00000" + string(rune('0'+i)))
			status, _ := hs.post("/slack/events", "application/json", b, tc.header(b))
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.status == http.StatusOK {
				hs.h.next(t)
			}
		})
	}
	t.Run("replayed", func(t *testing.T) {
		b := body("1700000200.000001")
		h := sign(testSecret, time.Now(), b)
		if status, _ := hs.post("/slack/events", "application/json", b, h); status != http.StatusOK {
			t.Fatalf("first delivery: status %d", status)
		}
		hs.h.next(t)
		if status, _ := hs.post("/slack/events", "application/json", b, h); status != http.StatusUnauthorized {
			t.Fatalf("replay: status %d, want 401", status)
		}
	})
	t.Run("commands and interactions are verified too", func(t *testing.T) {
		for _, path := range []string{"/slack/commands", "/slack/interactions"} {
			form := commandForm("U1", "C1", "mine", "t1", hs.fake.responseURL("1"))
			b := []byte(form.Encode())
			if status, _ := hs.post(path, "application/x-www-form-urlencoded", b, sign("wrong", time.Now(), b)); status != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", path, status)
			}
		}
	})
	// Only the two valid deliveries were handled.
	time.Sleep(50 * time.Millisecond)
	if n := len(hs.h.all()); n != 2 {
		t.Errorf("%d events handled, want 2", n)
	}
}

func TestMalformed(t *testing.T) {
	hs := newHarness(t, Options{MaxBody: 4096}, echo)
	payload := func(s string) url.Values { return url.Values{"payload": {s}} }
	tests := []struct {
		name        string
		path        string
		contentType string
		body        string
		status      int
	}{
		{"event not JSON", "/slack/events", "application/json", `{"type": "event_callback", `, http.StatusBadRequest},
		{"event without type", "/slack/events", "application/json", `{"team_id":"T1"}`, http.StatusBadRequest},
		{"callback without event", "/slack/events", "application/json", `{"type":"event_callback","team_id":"T1","event_id":"E1"}`, http.StatusBadRequest},
		{"event of the wrong shape", "/slack/events", "application/json", `{"type":"event_callback","team_id":"T1","event":{"type":"message","text":42}}`, http.StatusBadRequest},
		{"event body too large", "/slack/events", "application/json", `{"x":"` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge},
		{"command with a broken form", "/slack/commands", "application/x-www-form-urlencoded", "text=%zz&team_id=T1", http.StatusBadRequest},
		{"command without team or user", "/slack/commands", "application/x-www-form-urlencoded", "command=%2Fokr&text=mine", http.StatusBadRequest},
		{"interaction without payload", "/slack/interactions", "application/x-www-form-urlencoded", "x=1", http.StatusBadRequest},
		{"interaction payload not JSON", "/slack/interactions", "application/x-www-form-urlencoded", payload("{oops").Encode(), http.StatusBadRequest},
		{"interaction without user", "/slack/interactions", "application/x-www-form-urlencoded", payload(`{"type":"block_actions","team":{"id":"T1"}}`).Encode(), http.StatusBadRequest},
		{"modal with broken metadata", "/slack/interactions", "application/x-www-form-urlencoded",
			payload(mustJSON(t, submissionPayload("U1", "V1", "{not json", nil))).Encode(), http.StatusBadRequest},
		// Valid but not for okrbot: acknowledged, nothing done.
		{"Slack's certificate check", "/slack/commands", "application/x-www-form-urlencoded", "ssl_check=1&token=x", http.StatusOK},
		{"unknown event type", "/slack/events", "application/json", string(eventBody("E9", map[string]any{"type": "reaction_added", "user": "U1"})), http.StatusOK},
		{"bot message", "/slack/events", "application/json", string(eventBody("E10", map[string]any{"type": "message", "channel": "D1", "bot_id": "B2", "text": "hi", "ts": "1.1", "channel_type": "im"})), http.StatusOK},
		{"another app's modal", "/slack/interactions", "application/x-www-form-urlencoded",
			payload(`{"type":"view_submission","team":{"id":"T1"},"user":{"id":"U1"},"view":{"id":"V2","callback_id":"other"}}`).Encode(), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.body)
			status, _ := hs.post(tc.path, tc.contentType, b, sign(testSecret, freshTime(), b))
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if evs := hs.h.all(); len(evs) != 0 {
		t.Errorf("%d events were handled: %+v", len(evs), evs)
	}
	if calls := hs.fake.methods(); len(calls) != 1 || calls[0] != "auth.test" {
		t.Errorf("Slack was called: %v", calls)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestURLVerification(t *testing.T) {
	hs := newHarness(t, Options{}, echo)
	status, body := hs.postEvent([]byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	if status != http.StatusOK || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("status %d body %q", status, body)
	}
}

func TestHealthz(t *testing.T) {
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := httptestGet(t, a.Handler(), "/healthz")
	if before != http.StatusServiceUnavailable {
		t.Errorf("before Run: %d, want 503", before)
	}
	// Deliveries before Run are refused so that Slack retries them.
	b := eventBody("E1", dmEvent("U1", "D1", "1.1", "mine"))
	req := httptestRequest(t, "/slack/events", b, sign(testSecret, time.Now(), b))
	if code := serve(a.Handler(), req); code != http.StatusServiceUnavailable {
		t.Errorf("event before Run: %d, want 503", code)
	}
	hs := newHarness(t, Options{}, echo)
	if code := httptestGet(t, hs.a.Handler(), "/healthz"); code != http.StatusOK {
		t.Errorf("while running: %d", code)
	}
}

func TestDedupe(t *testing.T) {
	tests := []struct {
		name    string
		send    func(hs *harness)
		handled int
	}{
		{"Slack retries an event", func(hs *harness) {
			b := eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "mine"))
			hs.postEvent(b)
			hs.postEvent(b, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
			hs.postEvent(b, "X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_timeout")
		}, 1},
		{"a mention in the DM arrives as message and app_mention", func(hs *harness) {
			hs.postEvent(eventBody("Ev2", dmEvent("U1", "D1", "1700000002.000100", "<@UBOT> mine")))
			hs.postEvent(eventBody("Ev3", mentionEvent("U1", "D1", "1700000002.000100", "<@UBOT> mine")))
		}, 1},
		{"one message with two event ids", func(hs *harness) {
			hs.postEvent(eventBody("Ev4", dmEvent("U1", "D1", "1700000003.000100", "KR4 30")))
			hs.postEvent(eventBody("Ev5", dmEvent("U1", "D1", "1700000003.000100", "KR4 30")))
		}, 1},
		{"two messages", func(hs *harness) {
			hs.postEvent(eventBody("Ev6", dmEvent("U1", "D1", "1700000004.000100", "mine")))
			hs.postEvent(eventBody("Ev7", dmEvent("U1", "D1", "1700000004.000200", "mine")))
		}, 2},
		{"an edit and our own message are ignored", func(hs *harness) {
			hs.postEvent(eventBody("Ev8", map[string]any{"type": "message", "subtype": "message_changed", "channel": "D1", "channel_type": "im",
				"ts": "1700000005.000200", "message": map[string]any{"type": "message", "user": "U1", "text": "KR4 31", "ts": "1700000005.000100"}}))
			hs.postEvent(eventBody("Ev9", dmEvent(testBotUser, "D1", "1700000005.000300", "Checked in")))
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One worker: events are handled in order, so once the
			// sentinel is handled, everything before it is too.
			hs := newHarness(t, Options{Workers: 1}, nil)
			tc.send(hs)
			hs.postEvent(eventBody("EvEnd", dmEvent("U9", "D9", "1700009999.000100", "sentinel")))
			for {
				if ev := hs.h.next(t); ev.Text == "sentinel" {
					break
				}
			}
			if n := len(hs.h.all()) - 1; n != tc.handled {
				t.Errorf("%d handled, want %d: %+v", n, tc.handled, hs.h.all())
			}
		})
	}
}

func TestSlashCommandAckedFirst(t *testing.T) {
	hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
		return chat.Message{Text: "Your OKRs", Blocks: []chat.Block{chat.Section{Text: "Your OKRs"}}, Ephemeral: true}, true
	})
	release := hs.h.hold() // the handler is slow: it waits for release
	start := time.Now()
	status, body := hs.postForm("/slack/commands", commandForm("U1", "C1", "mine", "trig-1", hs.fake.responseURL("r1")))
	elapsed := time.Since(start)
	if status != http.StatusOK || body != "" {
		t.Fatalf("ack: status %d body %q", status, body)
	}
	if elapsed > time.Second {
		t.Errorf("the ack took %s", elapsed)
	}
	if n := len(hs.h.all()); n != 0 {
		t.Fatalf("the handler finished before the ack")
	}
	release()
	ev := hs.h.next(t)
	if ev.Kind != chat.EventCommand || ev.Text != "mine" || ev.Conversation.ID != "C1" || ev.Conversation.Direct || ev.Workspace != testTeam || ev.UserID != "U1" {
		t.Errorf("event = %+v", ev)
	}
	c := hs.fake.waitCalls("response_url", 1)[0]
	if c.get("response_type") != "ephemeral" || c.get("url_id") != "r1" || !strings.Contains(c.body(), "Your OKRs") {
		t.Errorf("response_url got %s", c.body())
	}
}

func TestBusy(t *testing.T) {
	hs := newHarness(t, Options{Workers: 1, Queue: 1}, nil)
	release := hs.h.hold()
	defer release()
	// One event in the worker, one in the queue, the third finds no room.
	for i, ts := range []string{"1.1", "1.2"} {
		if status, _ := hs.postEvent(eventBody("E"+ts, dmEvent("U1", "D1", ts, "x"))); status != http.StatusOK {
			t.Fatalf("event %d: %d", i, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, _ := hs.postEvent(eventBody("E1.3", dmEvent("U1", "D1", "1.3", "x"))); status != http.StatusServiceUnavailable {
		t.Errorf("a full pool answered %d, want 503 (Slack retries)", status)
	}
	status, body := hs.postForm("/slack/commands", commandForm("U1", "C1", "mine", "trig-busy", hs.fake.responseURL("r")))
	if status != http.StatusOK || !strings.Contains(body, "busy") || !strings.Contains(body, `"response_type":"ephemeral"`) {
		t.Errorf("a command on a full pool: %d %s", status, body)
	}
}

func TestButton(t *testing.T) {
	hs := newHarness(t, Options{}, echo)
	hs.postEvent(eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "hello"))) // the bot learns its DM with U1
	hs.h.next(t)
	status, _ := hs.postInteraction(buttonPayload("U1", "D1", "1700000000.000009", actionPrefix+"2", "same as last week", "trig-b", hs.fake.responseURL("b1")))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	ev := hs.h.next(t)
	if ev.Kind != chat.EventButton || ev.Value != "same as last week" || ev.Conversation != (chat.Conversation{ID: "D1", Direct: true}) {
		t.Errorf("event = %+v", ev)
	}
	// In the DM the answer is a message of its own.
	posts := hs.fake.waitCalls("chat.postMessage", 2)
	if c := findCall(posts, "got button"); c.get("channel") != "D1" || !strings.Contains(c.body(), "got button same as last week") {
		t.Errorf("answer: %s", c.body())
	}

	// A button okrbot did not render: a short answer, no engine.
	hs.postInteraction(buttonPayload("U1", "C7", "1700000000.000010", "someone_else", "x", "trig-c", hs.fake.responseURL("b2")))
	c := hs.fake.waitCalls("response_url", 1)[0]
	if !strings.Contains(c.body(), "no longer does anything") {
		t.Errorf("unknown action answered %s", c.body())
	}
	if n := len(hs.h.all()); n != 2 {
		t.Errorf("the handler saw %d events, want 2", n)
	}
}

func TestForms(t *testing.T) {
	form := &chat.Form{ID: "checkin", Title: "Check-in · Q4", Submit: "Check in", State: "KR4", Inputs: []chat.Input{
		{ID: "KR4.value", Label: "KR4 New customers", Kind: chat.InputNumber, Initial: "18"},
		{ID: "KR4.status", Label: "KR4 status", Kind: chat.InputSelect, Options: []chat.Option{{Label: "Keep", Value: ""}, {Label: "At risk", Value: "at_risk"}}},
		{ID: "confidence", Label: "Confidence", Kind: chat.InputNumber},
	}}
	hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
		switch ev.Kind {
		case chat.EventButton, chat.EventCommand:
			return chat.Message{Text: "Check in on your key results", Form: form}, true
		case chat.EventMessage:
			return chat.Message{Text: "Check in on your key results", Form: form}, true
		case chat.EventFormSubmit:
			return chat.Message{Text: "Checked in ✓", Blocks: []chat.Block{chat.Section{Text: "Checked in ✓ KR4 → " + ev.Values["KR4.value"]}}}, true
		case chat.EventHomeOpened:
			return chat.Message{Text: "Your OKRs", Blocks: []chat.Block{chat.Header{Text: "Your OKRs"}}}, true
		}
		return chat.Message{}, false
	})
	hs.postEvent(eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "form")))
	hs.h.next(t)

	t.Run("without a trigger a button offers the form", func(t *testing.T) {
		c := hs.fake.waitCalls("chat.postMessage", 1)[0]
		if !strings.Contains(c.get("blocks"), `"value":"form"`) || !strings.Contains(c.get("blocks"), "Check in on your key results") {
			t.Errorf("fallback: %s", c.get("blocks"))
		}
	})
	t.Run("a button opens the modal", func(t *testing.T) {
		hs.postInteraction(buttonPayload("U1", "D1", "1700000000.000005", actionPrefix+"1", "form", "trig-open", hs.fake.responseURL("x")))
		hs.h.next(t)
		c := hs.fake.waitCalls("views.open", 1)[0]
		if c.get("trigger_id") != "trig-open" {
			t.Errorf("trigger_id %q", c.get("trigger_id"))
		}
		view := c.get("view")
		for _, w := range []string{`"block_id":"KR4.value"`, `"block_id":"confidence"`, `"callback_id":"okr:form"`, `\"c\":\"D1\"`, `\"m\":\"1700000000.000005\"`, `"type":"static_select"`} {
			if !strings.Contains(view, w) {
				t.Errorf("view lacks %s: %s", w, view)
			}
		}
		if n := len(hs.fake.callsOf("chat.postMessage")); n != 1 {
			t.Errorf("an opened form also posted %d messages", n-1)
		}
	})
	t.Run("the submission is a form event and replaces the nudge", func(t *testing.T) {
		meta := mustJSON(t, formMeta{Form: "checkin", State: "KR4", Channel: "D1", Message: "1700000000.000005"})
		status, body := hs.postInteraction(submissionPayload("U1", "V42", meta, map[string]map[string]any{
			"KR4.value":  {"type": "number_input", "value": "30"},
			"KR4.status": {"type": "static_select", "selected_option": map[string]any{"value": "at_risk", "text": map[string]any{"type": "plain_text", "text": "At risk"}}},
			"confidence": {"type": "number_input", "value": nil},
		}))
		if status != http.StatusOK || body != "" {
			t.Fatalf("ack %d %q (an empty 200 closes the modal)", status, body)
		}
		ev := hs.h.next(t)
		want := map[string]string{"KR4.value": "30", "KR4.status": "at_risk", "confidence": ""}
		if ev.Kind != chat.EventFormSubmit || ev.FormID != "checkin" || ev.FormState != "KR4" || ev.Conversation.ID != "D1" || !ev.Conversation.Direct || !sameMap(ev.Values, want) {
			t.Errorf("event = %+v", ev)
		}
		up := hs.fake.waitCalls("chat.update", 1)[0]
		if up.get("channel") != "D1" || up.get("ts") != "1700000000.000005" || !strings.Contains(up.get("blocks"), "KR4 → 30") {
			t.Errorf("chat.update: %s", up.body())
		}
		// …and the Home tab is refreshed.
		if ev := hs.h.next(t); ev.Kind != chat.EventHomeOpened || ev.UserID != "U1" {
			t.Errorf("refresh event = %+v", ev)
		}
		pub := hs.fake.waitCalls("views.publish", 1)[0]
		if pub.get("user_id") != "U1" || !strings.Contains(pub.get("view"), "Your OKRs") {
			t.Errorf("views.publish: %s", pub.body())
		}
	})
	t.Run("a slash command opens the modal", func(t *testing.T) {
		hs.postForm("/slack/commands", commandForm("U1", "C5", "form", "trig-cmd", hs.fake.responseURL("c")))
		hs.h.next(t)
		c := hs.fake.waitCalls("views.open", 2)[1]
		if c.get("trigger_id") != "trig-cmd" || !strings.Contains(c.get("view"), `\"c\":\"C5\"`) || strings.Contains(c.get("view"), `\"m\":`) {
			t.Errorf("views.open: %s", c.body())
		}
	})
	t.Run("an expired trigger falls back to a button", func(t *testing.T) {
		hs.fake.failNext("views.open", reply{status: 200, body: `{"ok":false,"error":"expired_trigger_id"}`})
		hs.postForm("/slack/commands", commandForm("U1", "C5", "form", "trig-old", hs.fake.responseURL("late")))
		hs.h.next(t)
		var got call
		for _, c := range hs.fake.waitCalls("response_url", 1) {
			if c.get("url_id") == "late" {
				got = c
			}
		}
		if !strings.Contains(got.body(), `"value":"/okr form"`) || !strings.Contains(got.body(), "try again") {
			t.Errorf("fallback: %s (calls %v)", got.body(), hs.fake.methods())
		}
	})
}

// findCall returns the first call whose body contains s.
func findCall(calls []call, s string) call {
	for _, c := range calls {
		if strings.Contains(c.body(), s) {
			return c
		}
	}
	return call{}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		name      string
		ephemeral bool
		send      func(hs *harness)
		method    string
		check     func(t *testing.T, c call)
	}{
		{"a DM is answered in the DM", false, func(hs *harness) {
			hs.postEvent(eventBody("E1", dmEvent("U1", "D1", "1700000001.000100", "mine")))
		}, "chat.postMessage", func(t *testing.T, c call) {
			if c.get("channel") != "D1" || c.get("thread_ts") != "" {
				t.Errorf("posted to %s thread %q", c.get("channel"), c.get("thread_ts"))
			}
		}},
		{"an ephemeral answer in a DM is a plain message", true, func(hs *harness) {
			hs.postEvent(eventBody("E1", dmEvent("U1", "D1", "1700000001.000100", "help")))
		}, "chat.postMessage", func(t *testing.T, c call) {
			if c.get("channel") != "D1" {
				t.Errorf("posted to %s", c.get("channel"))
			}
		}},
		{"a mention is answered in its thread", false, func(hs *harness) {
			hs.postEvent(eventBody("E1", mentionEvent("U1", "C1", "1700000001.000100", "<@UBOT> team Sales")))
		}, "chat.postMessage", func(t *testing.T, c call) {
			if c.get("channel") != "C1" || c.get("thread_ts") != "1700000001.000100" || !strings.Contains(c.body(), "got message team Sales") {
				t.Errorf("posted %s", c.body())
			}
		}},
		{"an ephemeral answer to a mention", true, func(hs *harness) {
			hs.postEvent(eventBody("E1", mentionEvent("U1", "C1", "1700000001.000100", "<@UBOT> mine")))
		}, "chat.postEphemeral", func(t *testing.T, c call) {
			if c.get("channel") != "C1" || c.get("user") != "U1" || c.get("thread_ts") != "1700000001.000100" {
				t.Errorf("posted %s", c.body())
			}
		}},
		{"a command in a channel answers in the channel", false, func(hs *harness) {
			hs.postForm("/slack/commands", commandForm("U1", "C1", "digest Sales", "t1", hs.fake.responseURL("r1")))
		}, "response_url", func(t *testing.T, c call) {
			if c.get("response_type") != "in_channel" {
				t.Errorf("response_type %q", c.get("response_type"))
			}
		}},
		{"a command in someone else's DM answers the asker only", false, func(hs *harness) {
			hs.postForm("/slack/commands", commandForm("U1", "D777", "mine", "t1", hs.fake.responseURL("r1")))
		}, "response_url", func(t *testing.T, c call) {
			if c.get("response_type") != "ephemeral" {
				t.Errorf("response_type %q", c.get("response_type"))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
				m, ok := echo(ev)
				m.Ephemeral = tc.ephemeral
				return m, ok
			})
			tc.send(hs)
			hs.h.next(t)
			tc.check(t, hs.fake.waitCalls(tc.method, 1)[0])
		})
	}
}

func TestAnswerFallsBackToDM(t *testing.T) {
	hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
		return chat.Message{Text: "Checked in", Ephemeral: true}, true
	})
	// A form opened from /okr in a channel the bot is not in.
	hs.fake.failNext("chat.postEphemeral", reply{status: 200, body: `{"ok":false,"error":"channel_not_found"}`})
	meta := mustJSON(t, formMeta{Form: "checkin", State: "KR4", Channel: "C77"})
	hs.postInteraction(submissionPayload("U1", "V1", meta, nil))
	hs.h.next(t)
	c := hs.fake.waitCalls("chat.postMessage", 1)[0]
	if c.get("channel") != "U1" || !strings.Contains(c.body(), "Checked in") {
		t.Errorf("posted %s", c.body())
	}
}

func TestHomeOpened(t *testing.T) {
	hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
		return chat.Message{Text: "Your OKRs", Blocks: []chat.Block{chat.Header{Text: "Your OKRs"}, chat.ProgressBar{Ref: "KR4", Progress: 0.5}}}, true
	})
	hs.postEvent(eventBody("Eh1", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages", "event_ts": "1.1"}))
	hs.postEvent(eventBody("Eh2", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.2"}))
	ev := hs.h.next(t)
	if ev.Kind != chat.EventHomeOpened || ev.ID != "Eh2" || ev.Conversation != (chat.Conversation{ID: "D1", Direct: true}) {
		t.Errorf("event = %+v", ev)
	}
	c := hs.fake.waitCalls("views.publish", 1)[0]
	if c.get("user_id") != "U1" || !strings.Contains(c.get("view"), `"type":"home"`) || !strings.Contains(c.get("view"), "KR4") {
		t.Errorf("views.publish: %s", c.body())
	}
	if n := len(hs.fake.callsOf("chat.postMessage")); n != 0 {
		t.Errorf("the Home view was also posted")
	}
}

func TestUsersInfo(t *testing.T) {
	hs := newHarness(t, Options{}, nil)
	hs.fake.addUser(fakeUser{ID: "U1", Name: "Alice Smith", Display: "alice", Email: "alice@acme.example", TZ: "Europe/Berlin"})
	hs.fake.addUser(fakeUser{ID: "U2", Name: "Bob", Display: "bob", Email: "bob@acme.example", Unconfirmed: true})
	hs.postEvent(eventBody("E0", dmEvent("U2", "D3", "1700000001.000050", "mine")))
	hs.postEvent(eventBody("E1", dmEvent("U1", "D1", "1700000001.000100", "mine")))
	hs.postEvent(eventBody("E2", dmEvent("U1", "D1", "1700000001.000200", "mine")))
	hs.postEvent(eventBody("E3", dmEvent("U404", "D2", "1700000001.000300", "mine")))
	byUser := map[string]chat.Event{}
	for range 4 {
		ev := hs.h.next(t)
		byUser[ev.UserID] = ev
	}
	if ev := byUser["U1"]; ev.UserName != "alice" || ev.Email != "alice@acme.example" || !ev.EmailVerified || ev.TimeZone != "Europe/Berlin" {
		t.Errorf("profile = %q %q verified %v %q", ev.UserName, ev.Email, ev.EmailVerified, ev.TimeZone)
	}
	if ev := byUser["U2"]; ev.Email != "bob@acme.example" || ev.EmailVerified {
		t.Errorf("an unconfirmed address came as verified: %q %v", ev.Email, ev.EmailVerified)
	}
	if ev := byUser["U404"]; ev.UserName != "" || ev.TimeZone != "" {
		t.Errorf("an unknown user got a profile: %+v", ev)
	}
	n := 0
	for _, c := range hs.fake.callsOf("users.info") {
		if c.get("user") == "U1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("users.info was asked %d times about U1, want 1 (cached)", n)
	}
}

func TestRunRefusesBadToken(t *testing.T) {
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: "xoxb-wrong", SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Run(t.Context(), newRecorder(nil))
	if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN was refused (invalid_auth)") {
		t.Fatalf("Run = %v", err)
	}
}

func TestServe(t *testing.T) {
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, "127.0.0.1:0", newRecorder(nil)) }()
	deadline := time.Now().Add(5 * time.Second)
	for !a.run.Running() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop")
	}

	b, _ := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err := b.Serve(t.Context(), "127.0.0.1:-1", newRecorder(nil)); err == nil || !strings.Contains(err.Error(), "serve 127.0.0.1:-1") {
		t.Fatalf("Serve on a bad address = %v", err)
	}
}

// TestUsersInfoAhead: a delivery from a person the adapter does not know
// yet starts its users.info lookup as it arrives, while the workers are
// busy with others, and the worker that takes it later uses that answer:
// one call, the profile on the event.
func TestUsersInfoAhead(t *testing.T) {
	hs := newHarness(t, Options{Workers: 1}, nil)
	hs.fake.addUser(fakeUser{ID: "U1", Name: "Alice Smith", Display: "alice", Email: "alice@acme.example"})
	hs.fake.addUser(fakeUser{ID: "U2", Name: "Bob Jones", Display: "bob", Email: "bob@acme.example", TZ: "Asia/Tokyo"})
	release := hs.h.hold()
	hs.postEvent(eventBody("E1", dmEvent("U1", "D1", "1700000001.000100", "mine")))
	hs.postEvent(eventBody("E2", dmEvent("U2", "D2", "1700000001.000200", "mine")))
	asked := func(user string) int {
		n := 0
		for _, c := range hs.fake.callsOf("users.info") {
			if c.get("user") == user {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for asked("U2") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("users.info was not asked about U2 while the only worker was busy")
		}
		select {
		case <-hs.fake.Changed():
		case <-time.After(20 * time.Millisecond):
		}
	}
	release()
	byUser := map[string]chat.Event{}
	for range 2 {
		ev := hs.h.next(t)
		byUser[ev.UserID] = ev
	}
	if ev := byUser["U2"]; ev.UserName != "bob" || ev.Email != "bob@acme.example" || !ev.EmailVerified || ev.TimeZone != "Asia/Tokyo" {
		t.Errorf("U2's profile = %q %q verified %v %q", ev.UserName, ev.Email, ev.EmailVerified, ev.TimeZone)
	}
	if n := asked("U2"); n != 1 {
		t.Errorf("users.info was asked %d times about U2, want 1", n)
	}
}
