package teams

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

func TestRender(t *testing.T) {
	cases := []struct {
		name string
		m    chat.Message
		// want are substrings of the activity's JSON; not are absent.
		want, not []string
	}{
		{"text only", chat.Text("Hello *Alice*"), []string{`"text":"Hello **Alice**"`, `"textFormat":"markdown"`}, []string{"attachments"}},
		{"header and fields", chat.Message{Text: "KR4", Blocks: []chat.Block{chat.Header{Text: "Your OKRs"}, chat.Section{Text: "Q2", Fields: []chat.Field{{Label: "*Owner*", Value: "alice"}}}}},
			[]string{`"version":"1.5"`, `"contentType":"application/vnd.microsoft.card.adaptive"`, `"weight":"Bolder"`, `"type":"FactSet"`, `"facts":[{"title":"Owner","value":"alice"}]`, `"summary":"KR4"`}, nil},
		{"progress", chat.Message{Blocks: []chat.Block{chat.ProgressBar{Ref: "KR4", Label: "New customers", Progress: 0.4, Status: okrcore.StatusAtRisk, Detail: "12 of 30", Indent: 1}}},
			[]string{`▰▰▰▰▱▱▱▱▱▱ 40% **KR4** New customers · ` + okrcore.StatusAtRisk.Label() + ` · 12 of 30`, `"color":"Warning"`, "\u2003"}, nil},
		{"progress clamps", chat.Message{Blocks: []chat.Block{chat.ProgressBar{Ref: "KR1", Progress: 1.7}}}, []string{`▰▰▰▰▰▰▰▰▰▰ 100%`}, []string{`"color"`}},
		{"buttons", chat.Message{Blocks: []chat.Block{chat.Divider{}, chat.Actions{Buttons: []chat.Button{{Label: "Update", Value: "checkin KR4", Style: chat.StylePrimary}, {Label: "Skip", Value: "skip", Style: chat.StyleDanger}}}}},
			[]string{`"type":"ActionSet"`, `"type":"Action.Submit"`, `"data":{"command":"checkin KR4"}`, `"style":"positive"`, `"style":"destructive"`, `"separator":true`}, nil},
		{"context", chat.Message{Blocks: []chat.Block{chat.Context{Text: "small"}}}, []string{`"isSubtle":true`, `"size":"Small"`}, nil},
		{"form", chat.Message{Form: &chat.Form{ID: "checkin", Title: "Check in", Submit: "Save", State: "KR4", Inputs: []chat.Input{
			{ID: "KR4.value", Label: "KR4 value", Kind: chat.InputNumber, Initial: "12", Hint: "was 12"},
			{ID: "status", Label: "Status", Kind: chat.InputSelect, Options: []chat.Option{{Label: "On track", Value: "on_track"}}, Initial: "on_track"},
			{ID: "note", Label: "Note", Kind: chat.InputMultiline, Optional: true, Placeholder: "what happened"},
			{ID: "name", Label: "Name", Kind: chat.InputText, Initial: "x"},
		}}}, []string{`"type":"Input.Number"`, `"id":"KR4.value"`, `"value":12`, `"type":"Input.ChoiceSet"`, `"choices":[{"title":"On track","value":"on_track"}]`,
			`"type":"Input.Text"`, `"isMultiline":true`, `"isRequired":false`, `"placeholder":"what happened"`, `"title":"Save"`,
			`"data":{"form_id":"checkin","form_state":"KR4"}`, `"text":"was 12"`, `"errorMessage":"KR4 value is required"`}, nil},
		{"number without initial", chat.Message{Form: &chat.Form{ID: "f", Inputs: []chat.Input{{ID: "n", Label: "N", Kind: chat.InputNumber, Initial: "lots"}}}},
			[]string{`"title":"Submit"`}, []string{`"value"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(RenderActivity(c.m))
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			// json.Marshal escapes nothing of interest here but & < >.
			for _, w := range c.want {
				if !strings.Contains(s, w) {
					t.Errorf("missing %s in\n%s", w, s)
				}
			}
			for _, n := range c.not {
				if strings.Contains(s, n) {
					t.Errorf("unexpected %s in\n%s", n, s)
				}
			}
		})
	}
}

func TestMarkdownAndMentions(t *testing.T) {
	for in, want := range map[string]string{
		"*a* and *b*":   "**a** and **b**",
		"2*3*4":         "2*3*4",
		"no markup":     "no markup",
		"_it_ `code`":   "_it_ **code**",
		"a\nb":          "a\n\nb",
		"• a\n• b\nc":   "- a\n- b\n\nc",
		"*Checked in* ": "**Checked in** ",
	} {
		if got := markdown(in); got != want {
			t.Errorf("markdown(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"<at>okrbot</at> okr mine":                  "okr mine",
		"<at id=\"0\">OKR Bot</at>&nbsp;KR4 30<br>": "KR4 30",
		"<p><at>okrbot</at> KR4 30</p>\nKR5 2":      "KR4 30\nKR5 2",
		"  plain  ":                                 "plain",
		"a &amp; b":                                 "a & b",
	} {
		if got := StripMentions(in); got != want {
			t.Errorf("StripMentions(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzTranslate(f *testing.F) {
	f.Add([]byte(`{"type":"message","id":"1","text":"<at>bot</at> okr mine","serviceUrl":"https://s/","channelId":"msteams","from":{"id":"29:a","aadObjectId":"x"},"recipient":{"id":"28:b"},"conversation":{"id":"a:1","conversationType":"personal","tenantId":"t"}}`))
	f.Add([]byte(`{"type":"message","id":"2","value":{"form_id":"f","form_state":"s","a":1,"b":true,"c":[1]},"serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"a:1"},"channelData":{"tenant":{"id":"t"}}}`))
	f.Add([]byte(`{"type":"invoke","name":"adaptiveCard/action","value":{"action":{"verb":"v","data":{"command":"mine"}}},"serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"a:1","tenantId":"t"}}`))
	f.Add([]byte(`{"type":"conversationUpdate","membersAdded":[{"id":"28:b"}],"recipient":{"id":"28:b"},"serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"19:c","tenantId":"t"}}`))
	f.Add([]byte(`{"type":"installationUpdate","action":"remove","localTimezone":"Nowhere/Zone","serviceUrl":"https://s/","from":{"id":"29:a"},"conversation":{"id":"19:c","tenantId":"t"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := ParseActivity(body)
		if err != nil {
			return
		}
		in := translate(a, time.Unix(1700000000, 0))
		if in.handle && (in.ev.Workspace == "" || in.ev.UserID == "" || in.ev.Kind == "") {
			t.Fatalf("handled event without workspace, user or kind: %+v", in.ev)
		}
		if in.handle && in.ev.Kind == chat.EventMessage && mentionRe.MatchString(in.ev.Text) {
			t.Fatalf("mention left in %q", in.ev.Text)
		}
		if in.ev.Conversation.Ref != "" && !json.Valid([]byte(in.ev.Conversation.Ref)) {
			t.Fatalf("invalid reference %q", in.ev.Conversation.Ref)
		}
	})
}

// TestPlainPlacesLoseMarkup: where a card shows no Markdown (summaries,
// button titles, labels, choices) the light markup goes, italics
// included, while names with underscores keep theirs.
func TestPlainPlacesLoseMarkup(t *testing.T) {
	m := chat.Message{Text: "*KR4* is _at risk_", Blocks: []chat.Block{
		chat.Actions{Buttons: []chat.Button{{Label: "_Update_ `KR4`", Value: "checkin KR4"}}},
	}, Form: &chat.Form{ID: "f", Inputs: []chat.Input{{ID: "s", Label: "_Status_ of snake_case", Kind: chat.InputSelect,
		Options: []chat.Option{{Label: "_On track_", Value: "on_track"}}}}}}
	b, err := json.Marshal(RenderActivity(m))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"summary":"KR4 is at risk"`, `"title":"Update KR4"`, `"label":"Status of snake_case"`,
		`"choices":[{"title":"On track","value":"on_track"}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %s in %s", want, b)
		}
	}
}
