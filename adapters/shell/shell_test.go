package shell

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/okrcore"
)

// scripted answers each event with a canned message and records what it got.
type scripted struct {
	mu     sync.Mutex
	events []bot.Event
	answer func(bot.Event) bot.Message
}

func (s *scripted) Handle(ctx context.Context, ev bot.Event, r bot.Responder) {
	s.mu.Lock()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	if err := r.Respond(ctx, s.answer(ev)); err != nil {
		panic(err)
	}
}

func TestShellTurnsLinesIntoEvents(t *testing.T) {
	h := &scripted{answer: func(ev bot.Event) bot.Message {
		switch {
		case ev.Kind == bot.EventFormSubmit:
			return bot.Text("saved " + ev.Values["kr"] + " " + ev.Values["status"] + " " + ev.Values["note"])
		case ev.Text == "form":
			return bot.Message{Text: "fill it", Form: &bot.Form{ID: "f", Title: "Check-in", State: "KR1", Inputs: []bot.Input{
				{ID: "kr", Label: "KR1 value", Kind: bot.InputNumber, Initial: "3"},
				{ID: "status", Label: "Status", Kind: bot.InputSelect, Options: []bot.Option{{Label: "On track", Value: "on_track"}, {Label: "At risk", Value: "at_risk"}}},
				{ID: "note", Label: "Note", Kind: bot.InputText, Optional: true},
			}}}
		}
		return bot.Message{Text: "menu", Blocks: []bot.Block{bot.Actions{Buttons: []bot.Button{{Label: "Mine", Value: "mine"}, {Label: "Tree", Value: "tree"}}}}}
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
		kind      bot.EventKind
		user      string
		text, val string
	}{
		{bot.EventMessage, "alice", "hello", ""},
		{bot.EventButton, "alice", "", "tree"},
		{bot.EventMessage, "alice", "9", ""},
		{bot.EventMessage, "bob", "form", ""},
		{bot.EventFormSubmit, "bob", "", ""},
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
	form := &bot.Form{ID: "f", Inputs: []bot.Input{{ID: "a", Label: "A"}, {ID: "b", Label: "B"}}}
	for _, in := range []string{"form\ncancel\n", "form\nx\n"} {
		h := &scripted{answer: func(ev bot.Event) bot.Message { return bot.Message{Text: "f", Form: form} }}
		var out bytes.Buffer
		if err := New(strings.NewReader(in), &out, Options{}).Run(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		for _, ev := range h.events {
			if ev.Kind == bot.EventFormSubmit {
				t.Errorf("%q: a cancelled or cut-off form was submitted", in)
			}
		}
	}
}

func TestRender(t *testing.T) {
	m := bot.Message{Blocks: []bot.Block{
		bot.Header{Text: "Your *OKRs*"},
		bot.ProgressBar{Ref: "O1", Label: "Grow", Progress: 0.46, Status: okrcore.StatusAtRisk, Detail: "alice"},
		bot.ProgressBar{Ref: "KR2", Label: "ARR", Progress: 1.7, Indent: 1},
		bot.Section{Text: "`code`", Fields: []bot.Field{{Label: "Owner", Value: "bob"}}},
		bot.Context{Text: "small"},
		bot.Divider{},
		bot.Actions{Buttons: []bot.Button{{Label: "Go", Value: "mine"}}},
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
	if _, err := sh.Send(context.Background(), bot.Conversation{ID: "#sales"}, bot.Text("digest")); err != nil {
		t.Fatal(err)
	}
	if out.String() != "[to #sales]\ndigest\n" {
		t.Errorf("Send wrote %q", out.String())
	}
}
