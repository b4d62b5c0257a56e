package shell

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// scripted answers each event with a canned message and records what it got.
type scripted struct {
	mu     sync.Mutex
	events []chat.Event
	answer func(chat.Event) chat.Message
}

func (s *scripted) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	if err := r.Respond(ctx, s.answer(ev)); err != nil {
		panic(err)
	}
}

func TestShellTurnsLinesIntoEvents(t *testing.T) {
	h := &scripted{answer: func(ev chat.Event) chat.Message {
		switch {
		case ev.Kind == chat.EventFormSubmit:
			return chat.Text("saved " + ev.Values["kr"] + " " + ev.Values["status"] + " " + ev.Values["note"])
		case ev.Text == "form":
			return chat.Message{Text: "fill it", Form: &chat.Form{ID: "f", Title: "Check-in", State: "KR1", Inputs: []chat.Input{
				{ID: "kr", Label: "KR1 value", Kind: chat.InputNumber, Initial: "3"},
				{ID: "status", Label: "Status", Kind: chat.InputSelect, Options: []chat.Option{{Label: "On track", Value: "on_track"}, {Label: "At risk", Value: "at_risk"}}},
				{ID: "note", Label: "Note", Kind: chat.InputText, Optional: true},
			}}}
		}
		return chat.Message{Text: "menu", Blocks: []chat.Block{chat.Actions{Buttons: []chat.Button{{Label: "Mine", Value: "mine"}, {Label: "Tree", Value: "tree"}}}}}
	}}
	in := strings.Join([]string{
		"# a comment line is ignored",
		"hello",
		"2", // the second button of the last answer
		"9", // no such button: an ordinary message
		"/as bob",
		"form",
		"7",     // value
		"maybe", // not an option: asked again
		"2",     // At risk
		"",      // optional note left blank
		"/quit",
		"never read",
	}, "\n")
	var out bytes.Buffer
	sh := New(strings.NewReader(in), &out, Options{User: "Alice"})
	if err := sh.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind      chat.EventKind
		user      string
		text, val string
	}{
		{chat.EventMessage, "alice", "hello", ""},
		{chat.EventButton, "alice", "", "tree"},
		{chat.EventMessage, "alice", "9", ""},
		{chat.EventMessage, "bob", "form", ""},
		{chat.EventFormSubmit, "bob", "", ""},
	}
	if len(h.events) != len(want) {
		t.Fatalf("got %d events, want %d:\n%s", len(h.events), len(want), out.String())
	}
	for i, w := range want {
		ev := h.events[i]
		if ev.Kind != w.kind || ev.UserID != w.user || ev.Text != w.text || ev.Value != w.val || ev.Workspace != Workspace || !ev.Conversation.Direct {
			t.Errorf("event %d = %+v, want %+v", i, ev, w)
		}
	}
	sub := h.events[4]
	if sub.FormID != "f" || sub.FormState != "KR1" || sub.Values["kr"] != "7" || sub.Values["status"] != "at_risk" || sub.Values["note"] != "" {
		t.Errorf("form submit = %+v", sub)
	}
	for _, w := range []string{"Alice> hello", "[1] Mine  [2] Tree", "You are now bob.", "Pick one of the numbers shown.", "saved 7 at_risk"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "never read") {
		t.Error("input after /quit was read")
	}
}

func TestFormCancelAndEndOfInput(t *testing.T) {
	form := &chat.Form{ID: "f", Inputs: []chat.Input{{ID: "a", Label: "A"}, {ID: "b", Label: "B"}}}
	for _, in := range []string{"form\ncancel\n", "form\nx\n"} {
		h := &scripted{answer: func(ev chat.Event) chat.Message { return chat.Message{Text: "f", Form: form} }}
		var out bytes.Buffer
		if err := New(strings.NewReader(in), &out, Options{}).Run(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		for _, ev := range h.events {
			if ev.Kind == chat.EventFormSubmit {
				t.Errorf("%q: a cancelled or cut-off form was submitted", in)
			}
		}
	}
}

func TestRender(t *testing.T) {
	m := chat.Message{Blocks: []chat.Block{
		chat.Header{Text: "Your *OKRs*"},
		chat.ProgressBar{Ref: "O1", Label: "Grow", Progress: 0.46, Status: okrcore.StatusAtRisk, Detail: "alice"},
		chat.ProgressBar{Ref: "KR2", Label: "ARR", Progress: 1.7, Indent: 1},
		chat.Section{Text: "`code`", Fields: []chat.Field{{Label: "Owner", Value: "bob"}}},
		chat.Context{Text: "small"},
		chat.Divider{},
		chat.Actions{Buttons: []chat.Button{{Label: "Go", Value: "mine"}}},
	}}
	got, buttons := Render(m)
	want := "== Your OKRs ==\n[#####-----] 46% O1 Grow · at risk · alice\n  [##########] 100% KR2 ARR\ncode\n  Owner: bob\n  small\n--\n  [1] Go\n"
	if got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
	if len(buttons) != 1 || buttons[0].Value != "mine" {
		t.Errorf("buttons = %+v", buttons)
	}
	if Bar(-1) != "[----------]" {
		t.Errorf("Bar(-1) = %s", Bar(-1))
	}
}

func TestSendAddressesConversation(t *testing.T) {
	var out bytes.Buffer
	sh := New(strings.NewReader(""), &out, Options{User: "alice"})
	if _, err := sh.Send(context.Background(), chat.Conversation{ID: "#sales"}, chat.Text("digest")); err != nil {
		t.Fatal(err)
	}
	if out.String() != "[to #sales]\ndigest\n" {
		t.Errorf("Send wrote %q", out.String())
	}
}

func TestRunOnce(t *testing.T) {
	tests := []struct {
		name    string
		first   chat.Handler
		wantErr string
	}{
		{"without a handler", nil, "shell: Run needs a handler"},
		{"a second time", &scripted{answer: func(chat.Event) chat.Message { return chat.Text("hi") }}, "shell: Run called twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			sh := New(strings.NewReader("hello\n"), &out, Options{})
			err := sh.Run(t.Context(), tt.first)
			if tt.first != nil {
				if err != nil {
					t.Fatalf("first Run: %v", err)
				}
				err = sh.Run(t.Context(), tt.first)
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Run = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRenderStripsMarkup(t *testing.T) {
	tests := []struct {
		name string
		m    chat.Message
		want string
	}{
		{"text", chat.Text("*KR4* is _at risk_: see `/okr mine`"), "KR4 is at risk: see /okr mine\n"},
		{"names keep underscores", chat.Text("owner team_lead_id, file _draft"), "owner team_lead_id, file _draft\n"},
		{"progress label", chat.Message{Blocks: []chat.Block{chat.ProgressBar{Ref: "KR1", Label: "_Grow_ snake_case", Progress: 0.5}}},
			"[#####-----] 50% KR1 Grow snake_case\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := Render(tt.m); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
		})
	}
}
