package slack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
)

// TestEndToEnd runs the real engine on a bbolt store seeded with the demo
// organisation behind the HTTP endpoints, against the fake Slack. The
// demo's people have their names as platform ids: alice is "alice".
func TestEndToEnd(t *testing.T) {
	db := bottest.Store(t)
	bottest.SeedDemo(t, db, testTeam, Platform, time.Now())
	engine := bot.NewEngine(db, bot.Options{})
	f := newFakeSlack(t)
	f.addUser(fakeUser{ID: "alice", Name: "Alice Example", Display: "alice", Email: "alice@acme.example", TZ: "Europe/Berlin"})
	a := start(t, f, Config{}, Options{}, engine)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	hs := &harness{t: t, fake: f, a: a, srv: srv}

	// A plain-words check-in in the DM.
	body := eventBody("EvA", dmEvent("alice", "DALICE", "1700000100.000100", "KR4 30"))
	if status, _ := hs.postEvent(body); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	post := f.waitCalls("chat.postMessage", 1)[0]
	if post.get("channel") != "DALICE" || !strings.Contains(post.get("blocks"), "Checked in") {
		t.Fatalf("answer: %s", post.body())
	}
	// Slack retries it: nothing more happens.
	hs.postEvent(body, "X-Slack-Retry-Num", "1")
	// A slash command: the answer comes through response_url.
	hs.postForm("/slack/commands", commandForm("alice", "C1", "mine", "trig-mine", f.responseURL("mine")))
	mine := f.waitCalls("response_url", 1)[0]
	if !strings.Contains(mine.body(), "*KR4* New mid-market customers") || mine.get("response_type") != "ephemeral" {
		t.Errorf("/okr mine: %s", mine.body())
	}
	// "Update" on a nudge opens the check-in modal…
	hs.postInteraction(buttonPayload("alice", "DALICE", "1700000000.000050", actionPrefix+"1", "form", "trig-form", f.responseURL("btn")))
	open := f.waitCalls("views.open", 1)[0]
	view := open.get("view")
	if !strings.Contains(view, `"block_id":"KR4.value"`) || open.get("trigger_id") != "trig-form" {
		t.Fatalf("views.open: %s", view)
	}
	var v struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal([]byte(view), &v); err != nil {
		t.Fatal(err)
	}
	// …whose submission is stored, replaces the nudge and refreshes Home.
	hs.postInteraction(submissionPayload("alice", "V77", v.PrivateMetadata, map[string]map[string]any{
		"KR4.value":  {"type": "number_input", "value": "32"},
		"confidence": {"type": "number_input", "value": "8"},
	}))
	up := f.waitCalls("chat.update", 1)[0]
	if up.get("channel") != "DALICE" || up.get("ts") != "1700000000.000050" || !strings.Contains(up.get("blocks"), "Checked in") {
		t.Errorf("chat.update: %s", up.body())
	}
	pub := f.waitCalls("views.publish", 1)[0]
	if pub.get("user_id") != "alice" || !strings.Contains(pub.get("view"), "KR4") {
		t.Errorf("views.publish: %s", pub.body())
	}
	// A non-number in the modal: the modal stays open with the reason
	// under the field (response_action errors), nothing stored.
	status, answer := hs.postInteraction(submissionPayload("alice", "V78", v.PrivateMetadata, map[string]map[string]any{
		"confidence": {"type": "number_input", "value": "lots"},
	}))
	if status != http.StatusOK || !strings.Contains(answer, `"response_action":"errors"`) || !strings.Contains(answer, `"confidence":"Confidence is a whole number`) {
		t.Fatalf("the answer to a bad form: %d %s", status, answer)
	}
	if n := len(f.callsOf("chat.update")); n != 1 {
		t.Errorf("a refused form replaced the nudge")
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(findAll(f.callsOf("chat.postMessage"), "Checked in")); n != 1 {
		t.Errorf("the DM check-in was answered %d times", n)
	}
}

func findAll(calls []call, s string) []call {
	var out []call
	for _, c := range calls {
		if strings.Contains(c.body(), s) {
			out = append(out, c)
		}
	}
	return out
}
