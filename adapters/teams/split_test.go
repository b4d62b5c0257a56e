package teams

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// teamsLimit is Teams' message size limit; no posted activity may reach it.
const teamsLimit = 28 * 1024

// bigDigest is shaped like a team digest of n objectives with four key
// results each.
func bigDigest(n int) chat.Message {
	m := chat.Message{Text: "Sales digest", Blocks: []chat.Block{
		chat.Header{Text: "Sales · weekly digest"},
		chat.Section{Text: "*Progress* 48% · 12 on track, 5 at risk, 3 off track"},
		chat.Context{Text: "Q4 2026 · week 8 of 13"},
		chat.Section{Text: "*Objectives* (change since last week)"},
	}}
	for i := range n {
		m.Blocks = append(m.Blocks, chat.ProgressBar{Ref: fmt.Sprintf("O%d", i+1), Label: fmt.Sprintf("Objective number %d: win the mid-market with a much better onboarding & <support>", i+1),
			Progress: float64(i%10) / 10, Status: okrcore.StatusAtRisk, Detail: "+5% · team lead alice"})
		for k := range 4 {
			m.Blocks = append(m.Blocks, chat.ProgressBar{Ref: fmt.Sprintf("KR%d.%d", i+1, k+1), Label: "Sign 30 new mid-market customers in the DACH region", Indent: 1,
				Progress: 0.4, Status: okrcore.StatusOnTrack, Detail: "12 of 30 customers · +2 · bob"})
		}
		m.Blocks = append(m.Blocks, chat.Divider{})
	}
	m.Blocks = append(m.Blocks,
		chat.Section{Text: "*Not checked in*: carol, dana, erin"},
		chat.Actions{Buttons: []chat.Button{{Label: "Open team", Value: "team Sales"}, {Label: "Nudge", Value: "nudge Sales"}}})
	return m
}

// cardTexts lists the TextBlock texts of activities' cards, and counts
// the ActionSets.
func cardTexts(t *testing.T, outs []*Activity) (texts []string, actionSets int) {
	t.Helper()
	for _, a := range outs {
		b, _ := json.Marshal(a)
		var v struct {
			Attachments []struct {
				Content struct {
					Version string
					Body    []map[string]any
				}
			}
		}
		if err := json.Unmarshal(b, &v); err != nil || len(v.Attachments) != 1 || v.Attachments[0].Content.Version != CardVersion {
			t.Fatalf("not one card: %s", b)
		}
		for _, el := range v.Attachments[0].Content.Body {
			switch el["type"] {
			case "TextBlock":
				texts = append(texts, el["text"].(string))
			case "ActionSet":
				actionSets++
			}
		}
	}
	return texts, actionSets
}

func TestSplitLargeDigest(t *testing.T) {
	m := bigDigest(60)
	if n := jsonSize(RenderActivity(m)); n < 2*teamsLimit {
		t.Fatalf("the test message is only %d bytes as one card", n)
	}
	outs := RenderActivities(m)
	if len(outs) < 3 {
		t.Fatalf("%d activities", len(outs))
	}
	for i, a := range outs {
		if n := jsonSize(a); n > MaxActivityBytes || n >= teamsLimit {
			t.Errorf("activity %d is %d bytes", i, n)
		}
		if a.Summary != "Sales digest" {
			t.Errorf("activity %d summary %q", i, a.Summary)
		}
	}
	// Every block is there once, in order, split only between blocks;
	// each continuation card starts with the header.
	texts, actionSets := cardTexts(t, outs)
	whole, _ := cardTexts(t, []*Activity{RenderActivity(m)})
	var got []string
	for _, s := range texts {
		if strings.HasSuffix(s, "(continued)") {
			if s != "**Sales · weekly digest** (continued)" && s != "Sales · weekly digest (continued)" {
				t.Errorf("continuation header %q", s)
			}
			continue
		}
		got = append(got, s)
	}
	if strings.Join(got, "\n") != strings.Join(whole, "\n") {
		t.Fatalf("split lost or reordered blocks: %d texts, want %d", len(got), len(whole))
	}
	if n := len(texts) - len(got); n != len(outs)-1 {
		t.Errorf("%d continuation headers for %d cards", n, len(outs))
	}
	if actionSets != 1 {
		t.Errorf("%d action sets", actionSets)
	}
	last, _ := json.Marshal(outs[len(outs)-1])
	if !strings.Contains(string(last), `"command":"nudge Sales"`) {
		t.Errorf("the buttons are not on the last card")
	}
	// A small message is one activity, as before.
	if outs := RenderActivities(bigDigest(3)); len(outs) != 1 {
		t.Errorf("small digest split into %d", len(outs))
	}
}

func TestSplitLongTextAndForm(t *testing.T) {
	line := strings.Repeat("word ", 30) + "\n"
	// Plain text: several text activities, cut at line ends.
	outs := RenderActivities(chat.Text(strings.Repeat(line, 600)))
	if len(outs) < 3 {
		t.Fatalf("%d activities", len(outs))
	}
	total := 0
	for _, a := range outs {
		if jsonSize(a) > MaxActivityBytes || a.Attachments != nil || !strings.HasSuffix(strings.TrimSpace(a.Text), "word") {
			t.Fatalf("text part of %d bytes ends %q", jsonSize(a), a.Text[len(a.Text)-10:])
		}
		total += strings.Count(a.Text, "word")
	}
	if total != 600*30 {
		t.Errorf("%d words, want %d", total, 600*30)
	}
	// One huge section beside a form: the section is cut into pieces, the
	// form's inputs and its Submit end the last card.
	m := chat.Message{Text: "Check in", Blocks: []chat.Block{chat.Section{Text: strings.Repeat(line, 400)}}, Form: &chat.Form{ID: "checkin", State: "KR4", Submit: "Save",
		Inputs: []chat.Input{{ID: "KR4.value", Label: "KR4", Kind: chat.InputNumber}}}}
	outs = RenderActivities(m)
	if len(outs) < 2 {
		t.Fatalf("%d activities", len(outs))
	}
	for i, a := range outs {
		b, _ := json.Marshal(a)
		if len(b) > MaxActivityBytes {
			t.Errorf("card %d: %d bytes", i, len(b))
		}
		hasForm := strings.Contains(string(b), `"form_id":"checkin"`) && strings.Contains(string(b), `"id":"KR4.value"`)
		if hasForm != (i == len(outs)-1) {
			t.Errorf("card %d: form %v", i, hasForm)
		}
	}
	// cutText never splits a rune.
	for _, p := range cutText(strings.Repeat("ä", 100), 15) {
		if !strings.HasPrefix(p, "ä") || len(p) > 15 {
			t.Fatalf("piece %q", p)
		}
	}
}

// A digest too large for one message reaches the channel as several
// activities, each within the limit, and Send names the first.
func TestSendSplitsLargeMessages(t *testing.T) {
	hs := startHarness(t, &recHandler{}, nil)
	hs.a.opts.ServiceURL = hs.conn.serviceURL()
	sent, err := hs.a.Send(t.Context(), chat.Conversation{ID: "19:sales@thread.tacv2"}, bigDigest(60))
	if err != nil {
		t.Fatal(err)
	}
	cs := hs.conn.callList()
	if len(cs) < 3 || sent.ID != "act-1" {
		t.Fatalf("%d calls, sent %+v", len(cs), sent)
	}
	for _, c := range cs {
		if c.Conversation != "19:sales@thread.tacv2" || len(c.Raw) >= teamsLimit {
			t.Errorf("call to %s of %d bytes", c.Conversation, len(c.Raw))
		}
	}
}
