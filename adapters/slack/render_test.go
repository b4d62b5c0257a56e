package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// wire marshals blocks as Slack receives them.
func wire(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// blockTypes lists the "type" of each block in wire order.
func blockTypes(t *testing.T, blocks []slackapi.Block) []string {
	t.Helper()
	var out []string
	for _, b := range blocks {
		out = append(out, string(b.BlockType()))
	}
	return out
}

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		msg   chat.Message
		types []string
		want  []string // substrings of the wire JSON
		not   []string
	}{
		{
			name:  "text only becomes a section",
			msg:   chat.Text("Hello *there*"),
			types: []string{"section"},
			want:  []string{`"type":"mrkdwn","text":"Hello *there*"`, `"type":"section"`},
		},
		{
			name:  "header",
			msg:   chat.Message{Text: "t", Blocks: []chat.Block{chat.Header{Text: "Your *OKRs*"}, chat.Section{Text: "x"}}},
			types: []string{"header", "section"},
			want:  []string{`{"type":"header","text":{"type":"plain_text","text":"Your OKRs","emoji":true}}`},
		},
		{
			name:  "section with fields",
			msg:   chat.Message{Blocks: []chat.Block{chat.Section{Text: "Team", Fields: []chat.Field{{Label: "Lead", Value: "alice"}, {Label: "Members", Value: "3"}}}}},
			types: []string{"section"},
			want:  []string{`"fields":[{"type":"mrkdwn","text":"*Lead*\nalice"},{"type":"mrkdwn","text":"*Members*\n3"}]`},
		},
		{
			name:  "fields only",
			msg:   chat.Message{Blocks: []chat.Block{chat.Section{Fields: []chat.Field{{Label: "A", Value: "1"}}}}},
			types: []string{"section"},
			not:   []string{`"text":{`},
		},
		{
			name: "progress bar",
			msg: chat.Message{Blocks: []chat.Block{chat.ProgressBar{Ref: "KR4", Label: "New customers", Progress: 0.45,
				Status: okrcore.StatusAtRisk, Detail: "18 of 40"}}},
			types: []string{"section"},
			want:  []string{"🟡 `▰▰▰▰▰▱▱▱▱▱` 45%  *KR4* New customers\\n18 of 40 · _at risk_"},
		},
		{
			name:  "progress statuses",
			msg:   chat.Message{Blocks: []chat.Block{chat.ProgressBar{Ref: "KR1", Progress: 1, Status: okrcore.StatusDone}, chat.ProgressBar{Ref: "KR2", Progress: -1, Status: okrcore.StatusOffTrack}, chat.ProgressBar{Ref: "KR3", Progress: 0.7, Status: okrcore.StatusOnTrack}}},
			types: []string{"section", "section", "section"},
			want:  []string{"✅ `▰▰▰▰▰▰▰▰▰▰` 100%", "🔴 `▱▱▱▱▱▱▱▱▱▱` 0%", "🟢 `▰▰▰▰▰▰▰▱▱▱` 70%"},
		},
		{
			name: "actions",
			msg: chat.Message{Blocks: []chat.Block{chat.Actions{Buttons: []chat.Button{
				{Label: "Update", Value: "form", Style: chat.StylePrimary}, {Label: "Undo", Value: "undo", Style: chat.StyleDanger}, {Label: "Mine", Value: "mine"}}}}},
			types: []string{"actions"},
			want: []string{`"action_id":"okr:btn:1","value":"form","style":"primary"`, `"action_id":"okr:btn:2","value":"undo","style":"danger"`,
				`"action_id":"okr:btn:3","value":"mine"}`, `"text":{"type":"plain_text","text":"Update","emoji":true}`},
		},
		{
			name:  "context and divider",
			msg:   chat.Message{Blocks: []chat.Block{chat.Section{Text: "a"}, chat.Divider{}, chat.Context{Text: "small <print> & more"}}},
			types: []string{"section", "divider", "context"},
			want:  []string{`"elements":[{"type":"mrkdwn","text":"small \u0026lt;print\u0026gt; \u0026amp; more"}]`},
		},
		{
			name:  "no text becomes a mention or a link",
			msg:   chat.Text("ask <@U123|bob> in <#C42> about <b> <!channel>"),
			types: []string{"section"},
			want:  []string{`ask \u0026lt;@U123|bob\u0026gt; in \u0026lt;#C42\u0026gt; about \u0026lt;b\u0026gt; \u0026lt;!channel\u0026gt;`},
		},
		{
			name:  "empty blocks are dropped",
			msg:   chat.Message{Text: "x", Blocks: []chat.Block{chat.Section{}, chat.Header{Text: " "}, chat.Actions{}, chat.Context{}, chat.Section{Text: "kept"}}},
			types: []string{"section"},
		},
		{
			name:  "leading and trailing dividers are dropped",
			msg:   chat.Message{Blocks: []chat.Block{chat.Divider{}, chat.Section{Text: "a"}, chat.Divider{}}},
			types: []string{"section"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := Render(tc.msg)
			if len(out) != 1 {
				t.Fatalf("Render gave %d messages, want 1", len(out))
			}
			if got := blockTypes(t, out[0].Blocks); strings.Join(got, ",") != strings.Join(tc.types, ",") {
				t.Errorf("block types = %v, want %v", got, tc.types)
			}
			js := wire(t, out[0].Blocks)
			for _, w := range tc.want {
				if !strings.Contains(js, w) {
					t.Errorf("wire JSON lacks %s\n%s", w, js)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(js, w) {
					t.Errorf("wire JSON has %s\n%s", w, js)
				}
			}
		})
	}
}

func TestRenderNothing(t *testing.T) {
	if out := Render(chat.Message{Form: &chat.Form{ID: "f"}}); len(out) != 0 {
		t.Fatalf("a form alone rendered %d messages", len(out))
	}
}

func TestRenderLimits(t *testing.T) {
	long := strings.Repeat("word ", 1000) // 5,000 characters
	many := chat.Message{Text: "Digest", Blocks: []chat.Block{chat.Header{Text: "Digest"}}}
	for i := range 60 {
		many.Blocks = append(many.Blocks, chat.ProgressBar{Ref: fmt.Sprintf("KR%d", i+1), Label: "a key result", Progress: float64(i) / 60})
	}
	many.Blocks = append(many.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "More", Value: "digest"}}})
	headers := chat.Message{Text: "Teams"}
	for i := range 40 {
		headers.Blocks = append(headers.Blocks, chat.Header{Text: fmt.Sprintf("Team %d", i)}, chat.Section{Text: "progress"})
	}
	var buttons []chat.Button
	for i := range 30 {
		buttons = append(buttons, chat.Button{Label: fmt.Sprintf("B%d", i), Value: fmt.Sprintf("show KR%d", i)})
	}
	fields := make([]chat.Field, 23)
	for i := range fields {
		fields[i] = chat.Field{Label: "L", Value: fmt.Sprint(i)}
	}
	tests := []struct {
		name     string
		msg      chat.Message
		messages int
		check    func(t *testing.T, out []Rendered)
	}{
		{"60 progress bars", many, 2, func(t *testing.T, out []Rendered) {
			if n := len(out[0].Blocks) + len(out[1].Blocks); n != 62 {
				t.Errorf("%d blocks in all, want 62", n)
			}
			if !strings.Contains(out[1].Text, "part 2 of 2") {
				t.Errorf("second part's text = %q", out[1].Text)
			}
		}},
		{"5,000 characters of text", chat.Text(long), 1, func(t *testing.T, out []Rendered) {
			if len(out[0].Blocks) != 2 {
				t.Fatalf("%d sections, want 2", len(out[0].Blocks))
			}
			var joined []string
			for _, b := range out[0].Blocks {
				joined = append(joined, b.(*slackapi.SectionBlock).Text.Text)
			}
			if strings.Join(joined, " ") != strings.TrimSpace(long) {
				t.Errorf("the parts do not add up to the text")
			}
			if utf8.RuneCountInString(out[0].Text) > maxFallbackText {
				t.Errorf("fallback text is %d characters", utf8.RuneCountInString(out[0].Text))
			}
		}},
		{"headers never end a message", headers, 2, func(t *testing.T, out []Rendered) {
			for i, r := range out {
				if last := r.Blocks[len(r.Blocks)-1]; last.BlockType() == slackapi.MBTHeader {
					t.Errorf("message %d ends with a header", i)
				}
			}
		}},
		{"30 buttons in two action blocks", chat.Message{Blocks: []chat.Block{chat.Actions{Buttons: buttons}}}, 1, func(t *testing.T, out []Rendered) {
			if len(out[0].Blocks) != 2 {
				t.Fatalf("%d blocks, want 2", len(out[0].Blocks))
			}
			ids := map[string]bool{}
			for _, b := range out[0].Blocks {
				for _, e := range b.(*slackapi.ActionBlock).Elements.ElementSet {
					id := e.(*slackapi.ButtonBlockElement).ActionID
					if ids[id] {
						t.Errorf("action id %s twice", id)
					}
					ids[id] = true
				}
			}
			if len(ids) != 30 {
				t.Errorf("%d buttons, want 30", len(ids))
			}
		}},
		{"23 fields in three sections", chat.Message{Blocks: []chat.Block{chat.Section{Text: "t", Fields: fields}}}, 1, func(t *testing.T, out []Rendered) {
			if len(out[0].Blocks) != 3 {
				t.Fatalf("%d sections, want 3", len(out[0].Blocks))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := Render(tc.msg)
			if len(out) != tc.messages {
				t.Fatalf("%d messages, want %d", len(out), tc.messages)
			}
			for i, r := range out {
				if len(r.Blocks) > MaxBlocks {
					t.Errorf("message %d has %d blocks", i, len(r.Blocks))
				}
				for _, b := range r.Blocks {
					if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil && utf8.RuneCountInString(s.Text.Text) > MaxSectionText {
						t.Errorf("message %d has a section of %d characters", i, utf8.RuneCountInString(s.Text.Text))
					}
					if s, ok := b.(*slackapi.SectionBlock); ok && len(s.Fields) > maxFields {
						t.Errorf("message %d has a section with %d fields", i, len(s.Fields))
					}
				}
			}
			tc.check(t, out)
		})
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"short", "abc", 10, []string{"abc"}},
		{"empty", "  ", 10, nil},
		{"paragraphs first", "aaaa bbbb\n\ncccc", 12, []string{"aaaa bbbb", "cccc"}},
		{"lines", "aaaa\nbbbb cccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"words", "aaa bbb ccc ddd", 8, []string{"aaa bbb", "ccc ddd"}},
		{"hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"runes", "ääääää", 4, []string{"ääää", "ää"}},
		{"entity kept whole", "abcde&amp;fg", 8, []string{"abcde", "&amp;fg"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.in, tc.n)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("splitText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestRenderForm(t *testing.T) {
	f := &chat.Form{ID: "checkin", Title: "Check-in · Q4 2026 and a very long name", Submit: "Check in", State: "KR4,KR5", Inputs: []chat.Input{
		{ID: "KR4.value", Label: "KR4 New customers", Kind: chat.InputNumber, Initial: "18", Optional: true, Hint: "Now 18, target 40"},
		{ID: "KR4.status", Label: "KR4 status", Kind: chat.InputSelect, Optional: true,
			Options: []chat.Option{{Label: "Keep as is", Value: ""}, {Label: "At risk", Value: "at_risk"}}},
		{ID: "KR4.note", Label: "KR4 note", Kind: chat.InputText, Placeholder: "What moved it?"},
		{ID: "KR4.note", Label: "duplicate"},
		{ID: "blockers", Label: "Blockers", Kind: chat.InputMultiline},
		{ID: "", Label: "no id"},
	}}
	v, err := renderForm(f, formMeta{Channel: "D1", Message: "111.2"})
	if err != nil {
		t.Fatal(err)
	}
	if !slackapi.ValidateUniqueBlockID(v) {
		t.Errorf("block ids are not unique")
	}
	if len(v.Blocks.BlockSet) != 4 {
		t.Errorf("%d blocks, want 4", len(v.Blocks.BlockSet))
	}
	js := wire(t, v)
	for _, w := range []string{
		`"type":"modal"`, `"callback_id":"okr:form"`, `"submit":{"type":"plain_text","text":"Check in"`,
		`"block_id":"KR4.value"`, `"type":"number_input","is_decimal_allowed":true,"action_id":"value","initial_value":"18"`,
		`"hint":{"type":"plain_text","text":"Now 18, target 40"`,
		`"type":"static_select"`, `"value":"okr:none"`, `"initial_option":{"text":{"type":"plain_text","text":"Keep as is"`,
		`"type":"plain_text_input","action_id":"value","placeholder":{"type":"plain_text","text":"What moved it?"`,
		`"multiline":true`, `"optional":true`,
	} {
		if !strings.Contains(js, w) {
			t.Errorf("modal lacks %s\n%s", w, js)
		}
	}
	if utf8.RuneCountInString(v.Title.Text) > maxTitle {
		t.Errorf("title %q is too long", v.Title.Text)
	}
	var meta formMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil {
		t.Fatal(err)
	}
	if meta != (formMeta{Form: "checkin", State: "KR4,KR5", Channel: "D1", Message: "111.2"}) {
		t.Errorf("metadata = %+v", meta)
	}

	if _, err := renderForm(&chat.Form{ID: "big", State: strings.Repeat("x", 4000), Inputs: f.Inputs}, formMeta{}); err == nil {
		t.Errorf("a state of 4,000 characters was accepted")
	}
	if _, err := renderForm(&chat.Form{ID: "empty"}, formMeta{}); err == nil {
		t.Errorf("a form without inputs was accepted")
	}
}

func TestFormValues(t *testing.T) {
	st := &slackapi.ViewState{Values: map[string]map[string]slackapi.BlockAction{
		"KR4.value":  {"value": {Type: "number_input", Value: "30"}},
		"KR4.status": {"value": {Type: "static_select", SelectedOption: slackapi.OptionBlockObject{Value: "at_risk"}}},
		"KR5.status": {"value": {Type: "static_select", SelectedOption: slackapi.OptionBlockObject{Value: noneValue}}},
		"KR4.note":   {"value": {Type: "plain_text_input", Value: "two deals"}},
		"KR5.note":   {"value": {Type: "plain_text_input"}},
	}}
	got := formValues(st)
	want := map[string]string{"KR4.value": "30", "KR4.status": "at_risk", "KR5.status": "", "KR4.note": "two deals", "KR5.note": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("formValues = %v, want %v", got, want)
	}
}

func TestRenderHome(t *testing.T) {
	m := chat.Message{}
	for i := range 130 {
		m.Blocks = append(m.Blocks, chat.Section{Text: fmt.Sprint(i)})
	}
	v := RenderHome(m)
	if len(v.Blocks.BlockSet) != maxViewBlocks {
		t.Errorf("home has %d blocks, want %d", len(v.Blocks.BlockSet), maxViewBlocks)
	}
	if v.Type != slackapi.VTHomeTab {
		t.Errorf("type %q", v.Type)
	}
	if empty := RenderHome(chat.Message{}); len(empty.Blocks.BlockSet) != 1 {
		t.Errorf("an empty home has %d blocks", len(empty.Blocks.BlockSet))
	}
}

// TestPlainTextFieldsLoseMarkup: plain_text fields (headers, buttons)
// would show markup literally, so it goes, italics included, while names
// with underscores keep theirs; mrkdwn sections keep it for Slack to draw.
func TestPlainTextFieldsLoseMarkup(t *testing.T) {
	out := Render(chat.Message{Blocks: []chat.Block{
		chat.Header{Text: "_Your_ *OKRs*"},
		chat.Section{Text: "KR4 is _at risk_"},
		chat.Actions{Buttons: []chat.Button{{Label: "_Update_ team_lead", Value: "checkin"}}},
	}})
	if len(out) != 1 || len(out[0].Blocks) != 3 {
		t.Fatalf("rendered %+v", out)
	}
	if got := out[0].Blocks[0].(*slackapi.HeaderBlock).Text.Text; got != "Your OKRs" {
		t.Errorf("header %q", got)
	}
	if got := out[0].Blocks[1].(*slackapi.SectionBlock).Text.Text; got != "KR4 is _at risk_" {
		t.Errorf("section %q", got)
	}
	if got := out[0].Blocks[2].(*slackapi.ActionBlock).Elements.ElementSet[0].(*slackapi.ButtonBlockElement).Text.Text; got != "Update team_lead" {
		t.Errorf("button %q", got)
	}
}
