package slack

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// sender is an adapter against a fake Slack, not running: Send and the
// optional capabilities need no Run.
func sender(t *testing.T) (*Adapter, *fakeSlack) {
	t.Helper()
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, f
}

func TestSend(t *testing.T) {
	a, f := sender(t)
	nudge := chat.Message{Text: "Time for your check-in", Key: "checkin|U1|2026-W47", Blocks: []chat.Block{
		chat.Section{Text: "Hi!"}, chat.Actions{Buttons: []chat.Button{{Label: "Update", Value: "form", Style: chat.StylePrimary}}}}}
	ref, err := a.Send(t.Context(), chat.Conversation{ID: "U1", Direct: true, UserID: "U1"}, nudge)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.callsOf("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts; one call per nudge, no conversations.open (%v)", len(posts), f.methods())
	}
	c := posts[0]
	if c.get("channel") != "U1" {
		t.Errorf("posted to %q, want the user id", c.get("channel"))
	}
	if c.get("metadata") != `{"event_type":"okrbot_outbox","event_payload":{"key":"checkin|U1|2026-W47"}}` {
		t.Errorf("metadata = %s", c.get("metadata"))
	}
	if !strings.Contains(c.get("blocks"), `"action_id":"okr:btn:1","value":"form","style":"primary"`) || c.get("text") != "Time for your check-in" {
		t.Errorf("posted %s", c.body())
	}
	if ref.Conversation != "D1" || ref.ID == "" {
		t.Errorf("ref = %+v, want the DM channel and the ts", ref)
	}

	t.Run("FindSent finds it by its key", func(t *testing.T) {
		got, found, err := a.FindSent(t.Context(), chat.Conversation{ID: "U1", Direct: true}, "checkin|U1|2026-W47")
		if err != nil || !found || got != ref {
			t.Fatalf("FindSent = %+v %v %v, want %+v", got, found, err, ref)
		}
		h := f.callsOf("conversations.history")
		if len(h) != 1 || h[0].get("include_all_metadata") != "1" || h[0].get("channel") != "D1" {
			t.Errorf("history calls: %+v", h)
		}
		if n := len(f.callsOf("conversations.open")); n != 1 {
			t.Errorf("%d conversations.open calls", n)
		}
	})
	t.Run("FindSent in a known DM channel", func(t *testing.T) {
		_, found, err := a.FindSent(t.Context(), chat.Conversation{ID: "D1", Direct: true}, "checkin|U1|2026-W47")
		if err != nil || !found {
			t.Fatalf("found %v err %v", found, err)
		}
		if n := len(f.callsOf("conversations.open")); n != 1 {
			t.Errorf("conversations.open was called for a D channel")
		}
	})
	t.Run("FindSent does not find another key", func(t *testing.T) {
		_, found, err := a.FindSent(t.Context(), chat.Conversation{ID: "U1"}, "checkin|U1|2026-W48")
		if err != nil || found {
			t.Fatalf("found %v err %v", found, err)
		}
	})
	t.Run("FindSent does not search channels", func(t *testing.T) {
		_, found, err := a.FindSent(t.Context(), chat.Conversation{ID: "C9"}, "digest|x")
		if err != nil || found {
			t.Fatalf("found %v err %v", found, err)
		}
	})
	t.Run("no key, no metadata", func(t *testing.T) {
		if _, err := a.Send(t.Context(), chat.Conversation{ID: "C1"}, chat.Text("digest")); err != nil {
			t.Fatal(err)
		}
		if c := f.callsOf("chat.postMessage")[1]; c.get("metadata") != "" || c.get("channel") != "C1" {
			t.Errorf("posted %s", c.body())
		}
	})
}

func TestSendSplits(t *testing.T) {
	a, f := sender(t)
	m := chat.Message{Text: "Sales digest", Key: "digest|sales|47", Blocks: []chat.Block{chat.Header{Text: "Sales digest"}}}
	for i := range 60 {
		m.Blocks = append(m.Blocks, chat.ProgressBar{Ref: fmt.Sprintf("KR%d", i), Label: "x", Progress: 0.5})
	}
	f.failNext("chat.postMessage", reply{status: 200, body: `{"ok":true,"channel":"C1","ts":"1.000001"}`})
	f.failNext("chat.postMessage", reply{status: 429, retryAfter: "1"}) // the second part waits and retries
	start := time.Now()
	ref, err := a.Send(t.Context(), chat.Conversation{ID: "C1"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if ref != (chat.SentRef{Conversation: "C1", ID: "1.000001"}) {
		t.Errorf("ref = %+v", ref)
	}
	posts := f.callsOf("chat.postMessage")
	if len(posts) != 3 {
		t.Fatalf("%d posts, want 3 (two parts, one retried)", len(posts))
	}
	if posts[0].get("metadata") == "" || posts[2].get("metadata") != "" {
		t.Errorf("metadata belongs on the first part only")
	}
	if time.Since(start) < time.Second {
		t.Errorf("the second part did not wait out Retry-After")
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply reply
		check func(t *testing.T, err error)
	}{
		{"429 with Retry-After", reply{status: 429, retryAfter: "7", body: `{"ok":false,"error":"ratelimited"}`}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
				t.Errorf("err = %#v, want *bot.RateLimitError of 7s", err)
			}
		}},
		{"429 without Retry-After", reply{status: 429}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if !errors.As(err, &rl) {
				t.Errorf("err = %#v, want *bot.RateLimitError", err)
			}
		}},
		{"ratelimited in the body", reply{status: 200, body: `{"ok":false,"error":"ratelimited"}`}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if !errors.As(err, &rl) {
				t.Errorf("err = %#v, want *bot.RateLimitError", err)
			}
		}},
		{"not_in_channel", reply{status: 200, body: `{"ok":false,"error":"not_in_channel"}`}, func(t *testing.T, err error) {
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != "not_in_channel" || !strings.Contains(ae.Advice(), "/invite @okrbot") || !ae.Permanent() {
				t.Errorf("err = %v", err)
			}
		}},
		{"channel_not_found", reply{status: 200, body: `{"ok":false,"error":"channel_not_found"}`}, func(t *testing.T, err error) {
			if !strings.Contains(fmt.Sprint(err), "channel_not_found") {
				t.Errorf("err = %v", err)
			}
		}},
		{"missing_scope", reply{status: 200, body: `{"ok":false,"error":"missing_scope","needed":"chat:write","provided":"commands"}`}, func(t *testing.T, err error) {
			if !strings.Contains(fmt.Sprint(err), "chat:write scope") {
				t.Errorf("err = %v", err)
			}
		}},
		{"server error", reply{status: 503, body: "<html>"}, func(t *testing.T, err error) {
			var rl *chat.RateLimitError
			if err == nil || errors.As(err, &rl) {
				t.Errorf("err = %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, f := sender(t)
			f.failNext("chat.postMessage", tc.reply)
			_, err := a.Send(t.Context(), chat.Conversation{ID: "#sales"}, chat.Text("digest"))
			tc.check(t, err)
		})
	}
}

func TestCapabilities(t *testing.T) {
	a, f := sender(t)
	t.Run("Update", func(t *testing.T) {
		if err := a.Update(t.Context(), chat.SentRef{Conversation: "D1", ID: "1.5"}, chat.Text("Checked in ✓")); err != nil {
			t.Fatal(err)
		}
		c := f.callsOf("chat.update")[0]
		if c.get("channel") != "D1" || c.get("ts") != "1.5" || !strings.Contains(c.get("blocks"), "Checked in ✓") {
			t.Errorf("chat.update %s", c.body())
		}
	})
	t.Run("Update of a long message", func(t *testing.T) {
		m := chat.Message{Text: "x"}
		for range 70 {
			m.Blocks = append(m.Blocks, chat.Section{Text: "row"})
		}
		if err := a.Update(t.Context(), chat.SentRef{Conversation: "D1", ID: "1.5"}, m); err != nil {
			t.Fatal(err)
		}
		if c := f.callsOf("chat.update")[1]; strings.Count(c.get("blocks"), `"type":"section"`) != MaxBlocks-1 || !strings.Contains(c.get("blocks"), "shortened") {
			t.Errorf("blocks: %s", c.get("blocks"))
		}
	})
	t.Run("PublishHome", func(t *testing.T) {
		if err := a.PublishHome(t.Context(), "U1", chat.Message{Blocks: []chat.Block{chat.Header{Text: "Your OKRs"}}}); err != nil {
			t.Fatal(err)
		}
		c := f.callsOf("views.publish")[0]
		if c.get("user_id") != "U1" || !strings.Contains(c.get("view"), `"type":"home"`) || c.Token != testBotToken {
			t.Errorf("views.publish %s", c.body())
		}
	})
	t.Run("OpenForm", func(t *testing.T) {
		form := &chat.Form{ID: "grades", Title: "Grades", Inputs: []chat.Input{{ID: "KR1", Label: "KR1", Kind: chat.InputNumber}}}
		if err := a.OpenForm(t.Context(), "trig-9", form, "C3"); err != nil {
			t.Fatal(err)
		}
		c := f.callsOf("views.open")[0]
		if c.get("trigger_id") != "trig-9" || !strings.Contains(c.get("view"), `\"f\":\"grades\"`) || !strings.Contains(c.get("view"), `\"c\":\"C3\"`) {
			t.Errorf("views.open %s", c.body())
		}
		if err := a.OpenForm(t.Context(), "", form, "C3"); err == nil {
			t.Errorf("a form without a trigger id was opened")
		}
	})
	t.Run("views.open rate limited", func(t *testing.T) {
		f.failNext("views.open", reply{status: 429, retryAfter: "3"})
		err := a.OpenForm(t.Context(), "trig-10", &chat.Form{ID: "x", Inputs: []chat.Input{{ID: "a"}}}, "")
		var rl *chat.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
			t.Errorf("err = %v", err)
		}
	})
}
