package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

func TestSocketMode(t *testing.T) {
	f := newFakeSlack(t)
	h := newRecorder(echo)
	start(t, f, Config{AppToken: testAppToken}, Options{Workers: 1}, h)
	if c := f.waitCalls("apps.connections.open", 1)[0]; c.Token != testAppToken {
		t.Errorf("apps.connections.open with token %q", c.Token)
	}
	dm := json.RawMessage(eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "KR4 30")))

	t.Run("an event is acked, then handled", func(t *testing.T) {
		release := h.hold()
		f.sendEnvelope("env-1", "events_api", 0, dm)
		f.waitAck("env-1") // while the handler is still waiting
		if n := len(h.all()); n != 0 {
			t.Fatalf("handled before the ack")
		}
		release()
		ev := h.next(t)
		if ev.Kind != chat.EventMessage || ev.Text != "KR4 30" || ev.ID != "msg:T1:D1:1700000001.000100" || !ev.Conversation.Direct {
			t.Errorf("event = %+v", ev)
		}
		if c := f.waitCalls("chat.postMessage", 1)[0]; c.get("channel") != "D1" || !strings.Contains(c.body(), "got message KR4 30") {
			t.Errorf("answer: %s", c.body())
		}
	})
	t.Run("a redelivery is acked and dropped", func(t *testing.T) {
		f.sendEnvelope("env-1", "events_api", 1, dm)
		f.waitAck("env-1")
		// the same message as app_mention, in another envelope
		f.sendEnvelope("env-2", "events_api", 0, json.RawMessage(eventBody("Ev2", mentionEvent("U1", "D1", "1700000001.000100", "<@UBOT> KR4 30"))))
		f.waitAck("env-2")
	})
	t.Run("a slash command", func(t *testing.T) {
		f.sendEnvelope("env-3", "slash_commands", 0, map[string]any{"token": "x", "team_id": testTeam, "team_domain": "acme", "channel_id": "C1",
			"channel_name": "general", "user_id": "U2", "user_name": "bob", "command": "/okr", "text": "team Sales",
			"response_url": f.responseURL("s1"), "trigger_id": "trig-s1", "api_app_id": "A1",
			"is_enterprise_install": "false"}) // a string, as Slack sends it
		f.waitAck("env-3")
		ev := h.next(t)
		if ev.Kind != chat.EventCommand || ev.Text != "team Sales" || ev.UserID != "U2" || ev.ID != "cmd:T1:trig-s1" {
			t.Errorf("event = %+v", ev)
		}
		if c := f.waitCalls("response_url", 1)[0]; c.get("url_id") != "s1" || !strings.Contains(c.body(), "got command team Sales") {
			t.Errorf("answer: %s", c.body())
		}
	})
	t.Run("a button", func(t *testing.T) {
		f.sendEnvelope("env-4", "interactive", 0, buttonPayload("U1", "D1", "1700000000.000001", actionPrefix+"1", "same as last week", "trig-b", f.responseURL("b")))
		f.waitAck("env-4")
		ev := h.next(t)
		if ev.Kind != chat.EventButton || ev.Value != "same as last week" {
			t.Errorf("event = %+v", ev)
		}
	})
	t.Run("a modal submission", func(t *testing.T) {
		meta := mustJSON(t, formMeta{Form: "checkin", State: "KR4", Channel: "D1"})
		f.sendEnvelope("env-5", "interactive", 0, submissionPayload("U1", "V5", meta, map[string]map[string]any{
			"KR4.value": {"type": "number_input", "value": "31"}}))
		f.waitAck("env-5")
		ev := h.next(t)
		if ev.Kind != chat.EventFormSubmit || ev.Values["KR4.value"] != "31" {
			t.Errorf("event = %+v", ev)
		}
		if ev := h.next(t); ev.Kind != chat.EventHomeOpened {
			t.Errorf("no Home refresh after the form: %+v", ev)
		}
	})
	t.Run("an envelope slack-go cannot parse is still acked", func(t *testing.T) {
		f.sendEnvelope("env-6", "events_api", 0, json.RawMessage(eventBody("Ev6", map[string]any{"type": "some_future_event", "user": "U1"})))
		f.waitAck("env-6")
	})
	// Every handled event was expected: the redelivery and the mention
	// were dropped.
	time.Sleep(50 * time.Millisecond)
	if n := len(h.all()); n != 5 {
		t.Errorf("%d events handled, want 5", n)
	}
	if n := f.opened.Load(); n != 1 {
		t.Errorf("%d websocket connections", n)
	}
}

func TestSocketModeBadAppToken(t *testing.T) {
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: testBotToken, AppToken: "xapp-wrong", APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(t.Context(), newRecorder(nil)) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN was refused") {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept going with a refused app token")
	}
}
