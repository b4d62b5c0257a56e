package shell

import (
	"bytes"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// TestRenderEscapesControls: whatever a message holds, nothing printed can
// clear the terminal, recolour it, retitle it or reverse text.
func TestRenderEscapesControls(t *testing.T) {
	hostile := "a\x1b[2Jb\x1b]0;pwned\x07c\u202ed\u2066e\rf\x00g\u009bh\x7fi"
	want := `a^[[2Jb^[]0;pwned^Gc<U+202E>d<U+2066>e^Mf^@g<U+009B>h^?i`
	m := chat.Message{Blocks: []chat.Block{
		chat.Header{Text: hostile}, chat.Section{Text: hostile, Fields: []chat.Field{{Label: hostile, Value: hostile}}},
		chat.ProgressBar{Ref: "KR1", Label: hostile, Detail: hostile, Progress: 0.5}, chat.Context{Text: hostile},
		chat.Actions{Buttons: []chat.Button{{Label: hostile, Value: "x"}}},
	}}
	text, _ := Render(m)
	plain, _ := Render(chat.Text("two\nlines\tand a tab " + hostile))
	for _, out := range []string{text, plain} {
		if strings.ContainsAny(out, "\x1b\x07\x00\r\x7f\u009b\u202e\u2066") {
			t.Errorf("rendered text keeps a control character: %q", out)
		}
		if !strings.Contains(out, want) {
			t.Errorf("rendered text %q lacks the escaped %q", out, want)
		}
	}
	if !strings.Contains(plain, "two\nlines\tand a tab") {
		t.Errorf("newlines and tabs were escaped: %q", plain)
	}
	// Form questions print escaped too.
	var out bytes.Buffer
	s := New(strings.NewReader("\n"), &out, Options{})
	_, err := s.fillForm(&chat.Form{Title: "Check in " + hostile, Inputs: []chat.Input{{ID: "v", Label: hostile}}}, func() (string, bool, error) { return "", true, nil })
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\x1b\x07\u202e") || !strings.Contains(out.String(), want) {
		t.Errorf("form printed %q", out.String())
	}
}
