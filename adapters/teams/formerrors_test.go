package teams

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// cardInput finds an input of a card by id.
func cardInput(card map[string]any, id string) map[string]any {
	for _, el := range card["body"].([]any) {
		if el, ok := el.(map[string]any); ok && el["id"] == id {
			return el
		}
	}
	return nil
}

// TestFormKeepsAnswers: a check-in card submitted with one bad value
// (confidence 11) saves nothing and is replaced by the form again, every
// answer as submitted and the reason in red (an Attention TextBlock) under
// the refused input; the card, fixed and submitted again, saves them all.
func TestFormKeepsAnswers(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)), bottest.Workspace(testTenant, Platform), bottest.Demo())
	hs := startHarness(t, k.Engine, nil)
	personal := func(typ, id string) map[string]any {
		act := hs.activity(typ, id, "")
		act["from"] = map[string]any{"id": "29:alice", "aadObjectId": "alice", "name": "alice"}
		act["timestamp"] = k.Clock.Now().Format(time.RFC3339)
		return act
	}
	post := func(act map[string]any) {
		t.Helper()
		if status, body := hs.post(act); status != 200 {
			t.Fatalf("%s: status %d %s", act["id"], status, body)
		}
	}
	ask := personal("message", "ask-form")
	ask["text"] = "form"
	post(ask)
	formCall := hs.conn.waitCall(0, "the check-in form", func(c connCall) bool { return strings.Contains(c.Raw, `"form_id"`) })
	formID := "act-" + strconv.Itoa(len(hs.conn.callList()))
	form := formCall.card(t)
	kr7 := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(testTenant, 7) })

	mark := len(hs.conn.callList())
	sub := personal("message", "submit-bad")
	sub["replyToId"] = formID
	sub["value"] = submit(t, form, "form_id", map[string]any{"KR4.value": 25.0, "KR4.note": "two deals closed", "KR7.value": 4.0, "confidence": 11.0})
	post(sub)
	upd := hs.conn.waitCall(mark, "the form sent back", func(c connCall) bool { return c.Method == "PUT" })
	if upd.ActivityID != formID {
		t.Fatalf("updated %s, want the submitted card %s", upd.ActivityID, formID)
	}
	back := upd.card(t)
	for id, want := range map[string]any{"KR4.value": 25.0, "KR4.note": "two deals closed", "KR7.value": 4.0, "confidence": 11.0} {
		if in := cardInput(back, id); in == nil || in["value"] != want {
			t.Errorf("input %s came back as %v, want %v kept", id, in, want)
		}
	}
	var reason map[string]any
	body := back["body"].([]any)
	for i, el := range body {
		if el.(map[string]any)["id"] == "confidence" {
			for _, next := range body[i+1:] {
				if next.(map[string]any)["color"] == "Attention" {
					reason = next.(map[string]any)
					break
				}
				if _, ok := next.(map[string]any)["id"]; ok {
					break
				}
			}
		}
	}
	if reason == nil || !strings.Contains(reason["text"].(string), "Confidence is a whole number") {
		raw, _ := json.Marshal(back)
		t.Fatalf("no reason under the confidence input: %s", raw)
	}
	if got := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(testTenant, 7) }); got.Current != kr7.Current {
		t.Fatalf("a refused form saved KR7: %v → %v", kr7.Current, got.Current)
	}

	mark = len(hs.conn.callList())
	fixed := personal("message", "submit-fixed")
	fixed["replyToId"] = formID
	fixed["value"] = submit(t, back, "form_id", map[string]any{"confidence": 8.0})
	post(fixed)
	done := hs.conn.waitCall(mark, "the fixed form recorded", func(c connCall) bool { return c.Method == "PUT" })
	if !strings.Contains(done.Raw, "Checked in") {
		t.Fatalf("the fixed form: %s", done.Raw)
	}
	kr4 := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(testTenant, 4) })
	if kr4.Current != 25 || kr4.Confidence == nil || *kr4.Confidence != 8 {
		t.Errorf("KR4 after the fix: %v, confidence %v", kr4.Current, kr4.Confidence)
	}
}
