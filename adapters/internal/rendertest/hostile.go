package rendertest

import (
	"encoding/json"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// Hostile is a person's text that tries every way either platform has to
// mention, link or format (Slack's <@U>, <!channel>, <url|label> and
// mrkdwn; Teams' <at>, Markdown links, headings, lists and tables), with
// control characters.
const Hostile = "<@U123> <!channel> <#C1|x> <at>bob</at> *bold* **bold** *it* _it_ ~s~ `c` <http://evil.example|y> [x](http://evil.example) http://evil.example evil.example &amp; \x07\u202e\n> # 1. a\n# h\n- l\n1. n | t |"

// HostileMessage puts text, as a person's, in every field of a message
// that reaches a platform: header, section and its fields, progress bar,
// context, button, and the form's title, submit, inputs and options.
func HostileMessage(text string) chat.Message {
	u := chat.User(text)
	return chat.Message{
		Text: "Hi " + u,
		Blocks: []chat.Block{
			chat.Header{Text: "Team " + u},
			chat.Section{Text: "*Title*: " + u, Fields: []chat.Field{{Label: u, Value: u}}},
			chat.ProgressBar{Ref: "KR1", Label: u, Progress: 0.5, Status: chat.StatusAtRisk, StatusNote: u + " said on track", Detail: u},
			chat.Context{Text: "blocked: " + u},
			chat.Actions{Buttons: []chat.Button{{Label: u, Value: "show KR1"}}},
		},
		Form: &chat.Form{ID: "f", Title: u, Submit: u, Inputs: []chat.Input{
			{ID: "a", Label: u, Kind: chat.InputText, Placeholder: u, Hint: u, Initial: text},
			{ID: "b", Label: u, Kind: chat.InputSelect, Options: []chat.Option{{Label: u, Value: "x"}, {Label: "Keep as is"}}},
		}},
	}
}

// Seeds are the fuzz seeds of an escape: Hostile, and the small texts that
// sit at the edge of each platform's markup.
func Seeds() []string {
	return []string{Hostile, "", "a_b", "*x*", "**", "<!here>", "[x](y)", "\\", "http://a.bc", "&lt;"}
}

// Walk calls visit on every object of v, generic JSON as encoding/json
// decodes it into any, depth first.
func Walk(v any, visit func(map[string]any)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			Walk(e, visit)
		}
	case map[string]any:
		visit(x)
		for _, e := range x {
			Walk(e, visit)
		}
	}
}

// Generic is v as encoding/json decodes it into any, for Walk.
func Generic(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
