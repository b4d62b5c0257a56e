package teams

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// TestAPersonsTextNeverLinksOrFormats: every text of the card shows the
// hostile text with nothing Teams would read as markup, a link, a heading,
// a list or a table, and the card passes the Adaptive Cards checks.
func TestAPersonsTextNeverLinksOrFormats(t *testing.T) {
	acts := RenderActivities(rendertest.HostileMessage(rendertest.Hostile))
	if len(acts) != 1 {
		t.Fatalf("%d activities", len(acts))
	}
	for _, p := range activityProblems(acts[0]) {
		t.Error(p)
	}
	var texts []string
	rendertest.Walk(asMap(t, acts[0]), func(x map[string]any) {
		// What Teams reads as Markdown: a TextBlock's text and a fact;
		// labels, titles, placeholders and values show as they are.
		if s, ok := x["text"].(string); ok && x["type"] == "TextBlock" {
			texts = append(texts, s)
		}
		if x["type"] == "FactSet" {
			for _, f := range x["facts"].([]any) {
				f := f.(map[string]any)
				texts = append(texts, f["title"].(string), f["value"].(string))
			}
		}
	})
	if len(texts) < 8 {
		t.Fatalf("only %d texts: not every field rendered", len(texts))
	}
	for _, s := range texts {
		if !strings.Contains(s, "bob") {
			continue // not one holding the hostile text
		}
		for _, bad := range []string{"**bold**", "*it*", "_it_", "~s~", "`c`", "](", "http://", "evil.example", "\x07", "\u202e", "\n# ", "\n- ", "\n1. ", "\n|"} {
			if strings.Contains(s, bad) {
				t.Errorf("%q holds %q", s, bad)
			}
		}
	}
}

func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestNudgeIsCompact: a message whose form waits behind a button is its
// summary and three buttons; "Update" unfolds the form (Action.ShowCard)
// with its Submit, the other buttons send no inputs, and "Keep as is" has
// a value that comes back empty.
func TestNudgeIsCompact(t *testing.T) {
	m := chat.Message{Text: "Hi alice", Blocks: []chat.Block{
		chat.Section{Text: "Hi alice! Time for your weekly check-in."},
		chat.ProgressBar{Ref: "KR4", Label: "New customers", Progress: 0.4},
		chat.Actions{Buttons: []chat.Button{
			{Label: "Update", Value: "form", Style: chat.StylePrimary, ShowsForm: true},
			{Label: "No change", Value: "same as last week"},
			{Label: "Skip this week", Value: "skip"},
		}},
	}, Form: &chat.Form{ID: "checkin", Submit: "Check in", State: "KR4", Inputs: []chat.Input{
		{ID: "KR4.value", Label: "KR4 New customers", Kind: chat.InputNumber, Initial: "16", Optional: true},
		{ID: "KR4.status", Label: "KR4 status", Kind: chat.InputSelect, Optional: true,
			Options: []chat.Option{{Label: "Keep as is", Value: ""}, {Label: "At risk", Value: "at_risk"}}},
	}}}
	acts := RenderActivities(m)
	if len(acts) != 1 {
		t.Fatalf("%d activities", len(acts))
	}
	for _, p := range activityProblems(acts[0]) {
		t.Error(p)
	}
	card := asMap(t, acts[0])["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
	if card["actions"] != nil {
		t.Errorf("the card has actions of its own: %v", card["actions"])
	}
	js, _ := json.Marshal(card["body"])
	if n := strings.Count(string(js), `"type":"Input.`); n != 2 {
		t.Errorf("%d inputs, want the form's 2, behind Update", n)
	}
	body := card["body"].([]any)
	buttons := body[len(body)-1].(map[string]any)["actions"].([]any)
	if len(buttons) != 3 {
		t.Fatalf("%d buttons, want 3", len(buttons))
	}
	update := buttons[0].(map[string]any)
	if update["type"] != "Action.ShowCard" || update["title"] != "Update" {
		t.Fatalf("Update is %v", update)
	}
	shown := update["card"].(map[string]any)
	for _, el := range body[:len(body)-1] {
		if strings.HasPrefix(el.(map[string]any)["type"].(string), "Input.") {
			t.Errorf("an input outside Update: %v", el)
		}
	}
	submit := shown["actions"].([]any)[0].(map[string]any)
	if submit["type"] != "Action.Submit" || submit["data"].(map[string]any)["form_id"] != "checkin" {
		t.Errorf("the form's Submit is %v", submit)
	}
	for _, b := range buttons[1:] {
		if b := b.(map[string]any); b["associatedInputs"] != "none" {
			t.Errorf("%v sends the form's inputs", b["title"])
		}
	}
	// Submitting the unfolded form with "Keep as is" chosen.
	status := shown["body"].([]any)[1].(map[string]any)
	keep := status["choices"].([]any)[0].(map[string]any)["value"].(string)
	if keep == "" {
		t.Fatal(`"Keep as is" has an empty value`)
	}
	act := map[string]any{
		"type": "message", "id": "1", "serviceUrl": "https://s/", "channelId": "msteams",
		"from":         map[string]any{"id": "29:a"},
		"conversation": map[string]any{"id": "a:1", "conversationType": "personal", "tenantId": "t"},
		"value":        map[string]any{"form_id": "checkin", "form_state": "KR4", "KR4.value": "18", "KR4.status": keep},
	}
	raw, _ := json.Marshal(act)
	a, err := ParseActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	in := translate(a, time.Now())
	if in.ev.Kind != chat.EventFormSubmit || in.ev.Values["KR4.status"] != "" || in.ev.Values["KR4.value"] != "18" {
		t.Errorf("the submission reads %s %v", in.ev.Kind, in.ev.Values)
	}
}

// FuzzMarkdownOfAPersonsText: whatever a person writes, its Markdown holds
// no character Teams reads as emphasis, code or a link's brackets, and no
// control character.
func FuzzMarkdownOfAPersonsText(f *testing.F) {
	for _, s := range rendertest.Seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		md := markdown("*KR1* " + chat.User(s))
		rest := strings.TrimPrefix(md, "**KR1** ")
		if strings.ContainsAny(rest, "*_~`") {
			t.Fatalf("markdown of %q = %q holds markup", s, md)
		}
		if strings.Contains(rest, "](") || strings.Contains(rest, "://") {
			t.Fatalf("markdown of %q = %q could link", s, md)
		}
		for _, r := range rest {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("markdown of %q = %q holds %U", s, md, r)
			}
		}
	})
}

// TestLargeOrganisationCards: `/okr teams` and `/okr adoption` of a
// generated organisation of 2,000 teams, as the engine answers them, are
// activities Teams takes: each within the size limit, its lines apart.
func TestLargeOrganisationCards(t *testing.T) {
	if testing.Short() {
		t.Skip("generates an organisation")
	}
	db := bottest.Store(t)
	org, err := storagetest.GenerateOrg(t.Context(), db, storagetest.OrgSpec{Users: 2000, Teams: 2000, Objectives: 2000, KeyResults: 4000})
	if err != nil {
		t.Fatal(err)
	}
	now := org.Now
	e := bot.NewEngine(db, bot.Options{Now: func() time.Time { return now }})
	for _, cmd := range []string{"teams", "adoption"} {
		ev := chat.Event{Kind: chat.EventMessage, Platform: storagetest.BenchPlatform, Workspace: org.Workspace, UserID: "u1", UserName: "user1",
			Conversation: chat.Conversation{ID: "dm:u1", Direct: true}, Text: cmd}
		m, ok := e.Process(t.Context(), ev)
		if !ok {
			t.Fatalf("%s: no answer", cmd)
		}
		acts := RenderActivities(m)
		for i, a := range acts {
			for _, p := range activityProblems(a) {
				t.Errorf("%s, activity %d: %s", cmd, i+1, p)
			}
		}
		t.Logf("%s: %d activities", cmd, len(acts))
	}
}
