package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// waitAckPayload waits for the ack of an envelope and returns what it
// carried (nil for an empty ack).
func (f *fakeSlack) waitAckPayload(id string) any {
	f.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ack := <-f.acks:
			if ack["envelope_id"] == id {
				return ack["payload"]
			}
		case <-deadline:
			f.t.Fatalf("no ack for envelope %s", id)
		}
	}
}

// submitView delivers a modal's submission with its own trigger, as Slack
// sends each press of Submit, and returns Slack's answer: the HTTP
// response body, or the Socket Mode ack's payload, as JSON ("" for none).
func (env *flowEnv) submitView(viewID, trigger, metadata string, values map[string]map[string]any) string {
	env.t.Helper()
	payload := submissionPayload("alice", viewID, metadata, values)
	payload["trigger_id"] = trigger
	env.seq++
	if env.socket {
		id := fmt.Sprintf("env-flow-%d", env.seq)
		env.fake.sendEnvelope(id, "interactive", 0, payload)
		p := env.fake.waitAckPayload(id)
		if p == nil {
			return ""
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	status, body := env.hs.postInteraction(payload)
	if status != http.StatusOK {
		env.t.Fatalf("submission: status %d %s", status, body)
	}
	return body
}

// runFormKeepsAnswers: a check-in modal with one bad value stays open with
// the reason under that field (response_action errors, by block id) and
// saves nothing; the same modal, fixed and submitted again, saves every
// answer and closes.
func runFormKeepsAnswers(t *testing.T, env *flowEnv) {
	env.Clock.Set(flowMonday)
	env.command("alice", "DALICE", "form")
	open := env.fake.waitCalls("views.open", 1)[0]
	var v struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal([]byte(open.get("view")), &v); err != nil {
		t.Fatal(err)
	}
	kr7 := env.kr("KR7")
	values := map[string]map[string]any{
		"KR4.value":  {"type": "number_input", "value": "lots"},
		"KR4.note":   {"type": "plain_text_input", "value": "two deals closed"},
		"KR7.value":  {"type": "number_input", "value": "4"},
		"confidence": {"type": "number_input", "value": "8"},
	}
	answer := env.submitView("VKEEP", "trig-keep-1", v.PrivateMetadata, values)
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(answer), &resp); err != nil {
		t.Fatalf("the answer to a bad value is not a view response: %q", answer)
	}
	if resp.Action != "errors" || len(resp.Errors) != 1 || !strings.Contains(resp.Errors["KR4.value"], `I couldn't read "lots" as a number`) {
		t.Fatalf("the answer to a bad value: %s", answer)
	}
	if got := env.kr("KR7"); got.Current != kr7.Current || !got.LastCheckIn.Equal(kr7.LastCheckIn) {
		t.Fatalf("a refused form saved KR7: %v → %v", kr7.Current, got.Current)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(env.postsTo("DALICE")) + len(env.fake.callsOf("chat.update")); n != 0 {
		t.Errorf("a refused form posted %d messages; it belongs in the modal", n)
	}

	// alice fixes the value in the modal, which kept the rest.
	values["KR4.value"] = map[string]any{"type": "number_input", "value": "25"}
	if answer := env.submitView("VKEEP", "trig-keep-2", v.PrivateMetadata, values); answer != "" {
		t.Fatalf("the fixed form did not close the modal: %s", answer)
	}
	posted := env.fake.waitCalls("chat.postMessage", 1)
	wantIn(t, "the answer to the fixed form", posted[len(posted)-1].get("blocks"), "Checked in", "KR4", "KR7")
	kr4 := env.kr("KR4")
	if kr4.Current != 25 || env.kr("KR7").Current != 4 || kr4.Confidence == nil || *kr4.Confidence != 8 {
		t.Errorf("after the fix: KR4 %v (confidence %v), KR7 %v", kr4.Current, kr4.Confidence, env.kr("KR7").Current)
	}
}

func TestFormKeepsAnswersHTTP(t *testing.T) {
	runFormKeepsAnswers(t, newFlowEnv(t, false))
}

func TestFormKeepsAnswersSocketMode(t *testing.T) {
	runFormKeepsAnswers(t, newFlowEnv(t, true))
}

// TestLateRefusalIsPosted: a refusal that comes after Slack stopped
// waiting cannot be shown in the modal, which has closed: it is posted to
// the person instead, naming what was refused.
func TestLateRefusalIsPosted(t *testing.T) {
	back := &chat.Form{ID: "checkin", Title: "Check-in", Inputs: []chat.Input{{ID: "KR4.value", Label: "KR4", Initial: "lots", Error: `KR4: I couldn't read "lots" as a number.`}}}
	hs := newHarness(t, Options{ViewWait: 20 * time.Millisecond}, func(ev chat.Event) (chat.Message, bool) {
		return chat.Message{Text: "Nothing was saved yet", Form: back}, true
	})
	release := hs.h.hold()
	meta := mustJSON(t, formMeta{Form: "checkin", State: "KR4", Channel: "DALICE", Message: "1700000000.000050"})
	status, body := hs.postInteraction(submissionPayload("alice", "VLATE", meta, map[string]map[string]any{
		"KR4.value": {"type": "number_input", "value": "lots"}}))
	if status != http.StatusOK || body != "" {
		t.Fatalf("a slow answer kept the request waiting: %d %q", status, body)
	}
	release()
	// Only alice sees it (the fake does not know DALICE is her DM).
	post := hs.fake.waitCalls("chat.postEphemeral", 1)[0]
	wantIn(t, "the late refusal", post.get("text"), "Nothing was saved", `couldn't read "lots"`, "open it again")
	if post.get("user") != "alice" {
		t.Errorf("the late refusal went to %q", post.get("user"))
	}
	if n := len(hs.fake.callsOf("chat.update")); n != 0 {
		t.Errorf("a refusal replaced the message the form came from")
	}
}
