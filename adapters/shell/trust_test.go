package shell

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// TestFormSentBackAsksOnlyTheRefused: a form that comes back with a
// refused answer asks that question again, after its reason, and submits
// the other answers as they were.
func TestFormSentBackAsksOnlyTheRefused(t *testing.T) {
	form := func() *chat.Form {
		return &chat.Form{ID: "f", Title: "Check-in", State: "KR1", Inputs: []chat.Input{
			{ID: "kr", Label: "KR1 value", Kind: chat.InputNumber, Initial: "3"},
			{ID: "status", Label: "KR1 status", Kind: chat.InputSelect, Options: []chat.Option{{Label: "On track", Value: "on_track"}, {Label: "At risk", Value: "at_risk"}}},
			{ID: "note", Label: "KR1 note", Kind: chat.InputText, Optional: true},
		}}
	}
	h := &scripted{answer: func(ev chat.Event) chat.Message {
		if ev.Kind != chat.EventFormSubmit {
			return chat.Message{Text: "fill it", Form: form()}
		}
		if ev.Values["kr"] == "lots" {
			back := form()
			back.Refill(ev.Values)
			back.Inputs[0].Error = `KR1: I couldn't read "lots" as a number.`
			return chat.Message{Text: "Nothing was saved yet", Form: back}
		}
		return chat.Text("saved " + ev.Values["kr"] + " " + ev.Values["status"] + " " + ev.Values["note"])
	}}
	script := strings.Join([]string{"form", "lots", "2", "two deals closed", "7"}, "\n")
	var out bytes.Buffer
	if err := New(strings.NewReader(script), &out, Options{User: "alice"}).Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if len(h.events) != 3 {
		t.Fatalf("%d events, want the command and two submissions:\n%s", len(h.events), got)
	}
	if last := h.events[2]; last.Values["kr"] != "7" || last.Values["status"] != "at_risk" || last.Values["note"] != "two deals closed" {
		t.Errorf("the second submission = %v", last.Values)
	}
	for _, w := range []string{`! KR1: I couldn't read "lots" as a number.`, "answer again where asked; your other answers are kept", "saved 7 at_risk two deals closed"} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	if n := strings.Count(got, "KR1 status"); n != 1 {
		t.Errorf("the kept status was asked %d times:\n%s", n, got)
	}
}

// TestLongLineIsRefused: a line over the reader's limit is refused with a
// message, and the chat goes on with the next line.
func TestLongLineIsRefused(t *testing.T) {
	h := &scripted{answer: func(ev chat.Event) chat.Message { return chat.Text("got it") }}
	script := "hello\n" + strings.Repeat("x", MaxLine+10) + "\n" + strings.Repeat("y", MaxLine) + "\nafter"
	var out bytes.Buffer
	if err := New(strings.NewReader(script), &out, Options{User: "alice"}).Run(context.Background(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(h.events) != 3 || h.events[0].Text != "hello" || len(h.events[1].Text) != MaxLine || h.events[2].Text != "after" {
		t.Fatalf("events %d, want hello, the line of exactly 1 MiB, and after", len(h.events))
	}
	if want := "That line was 1048586 bytes long, over the 1048576 a line may have (1 MiB), so nothing was sent."; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q", want)
	}
}

// TestAsSomeoneNewAsks: `/as NAME` for a name nobody has asks first; "no"
// keeps who you are and adds nobody, "yes" becomes them. A known name is
// not asked about.
func TestAsSomeoneNewAsks(t *testing.T) {
	h := &scripted{answer: func(ev chat.Event) chat.Message { return chat.Text("hi " + ev.UserID) }}
	known := map[string]bool{"alice": true, "bob": true}
	script := strings.Join([]string{"/as zed", "no", "hello", "/as Zed", "maybe", "yes", "hi", "/as bob", "x"}, "\n")
	var out bytes.Buffer
	sh := New(strings.NewReader(script), &out, Options{User: "alice",
		Known: func(_ context.Context, name string) bool { return known[strings.ToLower(name)] }})
	if err := sh.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	var users []string
	for _, ev := range h.events {
		users = append(users, ev.UserID)
	}
	if strings.Join(users, ",") != "alice,zed,bob" {
		t.Errorf("events came from %v, want alice, zed, bob:\n%s", users, got)
	}
	for _, w := range []string{"Nobody is called zed here yet. Become zed, a new person? (yes/no)", "You are still alice; nobody new was added.",
		"Please answer yes or no.", "You are now Zed.", "You are now bob."} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	if n := strings.Count(got, "Nobody is called"); n != 2 {
		t.Errorf("asked %d times, want twice (zed, Zed), never for bob:\n%s", n, got)
	}
}

// TestOthersMessagesWait: a scheduled message for someone else is not
// printed among yours: one line says it waits, and `/as` them shows it,
// with its buttons.
func TestOthersMessagesWait(t *testing.T) {
	h := &scripted{answer: func(ev chat.Event) chat.Message { return chat.Text("pressed " + ev.Value) }}
	var sh *Shell
	nudge := func(who string) chat.Message {
		return chat.Message{Text: "nudge", Blocks: []chat.Block{chat.Section{Text: "Hi " + who + "! Time for your check-in"},
			chat.Actions{Buttons: []chat.Button{{Label: "Update", Value: "form " + who}}}}}
	}
	tick := func(ctx context.Context, _ string) string {
		for _, who := range []string{"bob", "alice", "bob", "erin"} {
			if _, err := sh.Send(ctx, chat.Conversation{ID: who, UserID: who, Direct: true}, nudge(who)); err != nil {
				t.Error(err)
			}
		}
		_, _ = sh.Send(ctx, chat.Conversation{ID: "#sales"}, chat.Text("the Sales digest"))
		return "ticked\n"
	}
	script := strings.Join([]string{"/tick", "1", "/as bob", "1"}, "\n")
	var out bytes.Buffer
	sh = New(strings.NewReader(script), &out, Options{User: "alice", Commands: map[string]func(context.Context, string) string{"tick": tick}})
	if err := sh.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	before, after, _ := strings.Cut(got, "bob> 1")
	for _, w := range []string{"[to alice]\nHi alice! Time for your check-in", "[to #sales]\nthe Sales digest",
		"ticked\n(New messages for others: 2 for bob, 1 for erin; `/as NAME` shows them.)", "pressed form alice",
		"You are now bob.\n[to bob]\nHi bob! Time for your check-in"} {
		if !strings.Contains(before, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(before[:strings.Index(before, "You are now bob.")], "Hi bob") || strings.Contains(got, "Hi erin") {
		t.Errorf("someone else's message was printed among alice's:\n%s", got)
	}
	if strings.Count(got, "Hi bob!") != 2 || !strings.Contains(after, "pressed form bob") {
		t.Errorf("bob did not get his two nudges and their buttons:\n%s", got)
	}
}

// TestArrivalsBeforeTheGreetingWait: a nudge for someone else that comes
// before the chat has greeted the person (the scheduler's first tick) is
// announced after the greeting, not above it.
func TestArrivalsBeforeTheGreetingWait(t *testing.T) {
	var out bytes.Buffer
	sh := New(strings.NewReader(""), &out, Options{User: "alice", Interactive: true})
	if _, err := sh.Send(context.Background(), chat.Conversation{ID: "bob", UserID: "bob", Direct: true}, chat.Text("Hi bob!")); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatalf("printed before the greeting: %q", out.String())
	}
	if err := sh.Run(context.Background(), &scripted{answer: func(chat.Event) chat.Message { return chat.Text("") }}); err != nil {
		t.Fatal(err)
	}
	want := "okrbot terminal chat. You are alice. Type `help`, `/as NAME` to be someone else, `/quit` to leave.\n(1 new message for bob: `/as bob` shows it.)\nalice> "
	if out.String() != want {
		t.Errorf("the start of the chat:\n%q\nwant\n%q", out.String(), want)
	}
}
