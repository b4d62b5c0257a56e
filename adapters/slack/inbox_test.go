package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

// startKept runs an adapter that records in ib; it does not wait for Run
// to serve.
func startKept(t *testing.T, f *fakeSlack, cfg Config, opts Options, h chat.Handler, ib chat.Inbox) *Adapter {
	t.Helper()
	if cfg.AppToken == "" {
		cfg.SigningSecret = testSecret
	}
	cfg.BotToken, cfg.APIURL = testBotToken, f.apiURL()
	a, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	a.UseInbox(ib)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a
}

func waitRunning(t *testing.T, a *Adapter) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !a.run.Running() {
		if time.Now().After(deadline) {
			t.Fatal("the adapter did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func newKeptHarness(t *testing.T, opts Options, ib *bottest.Inbox) *harness {
	t.Helper()
	f := newFakeSlack(t)
	h := newRecorder(echo)
	a := startKept(t, f, Config{}, opts, h, ib)
	waitRunning(t, a)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, fake: f, a: a, h: h, srv: srv}
}

// TestHTTPAckAfterRecord: Slack's 200 comes only once the event is
// recorded; it is done once handled; one that cannot be recorded is
// refused with 503 and its retry taken.
func TestHTTPAckAfterRecord(t *testing.T) {
	ib := bottest.NewInbox().Hold()
	hs := newKeptHarness(t, Options{}, ib)
	answered := make(chan int, 1)
	go func() {
		status, _ := hs.postEvent(eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "mine")))
		answered <- status
	}()
	select {
	case status := <-answered:
		t.Fatalf("answered %d before the event was recorded", status)
	case <-time.After(100 * time.Millisecond):
	}
	ib.Release()
	if status := <-answered; status != http.StatusOK {
		t.Fatalf("status %d after the record", status)
	}
	hs.h.next(t)
	ib.WaitSaid(t, "done msg:T1:D1:1700000001.000100")

	ib.Fail(errors.New("disk full"))
	b := eventBody("Ev2", dmEvent("U1", "D1", "1700000002.000100", "mine"))
	if status, body := hs.postEvent(b); status != http.StatusServiceUnavailable || body != "busy\n" {
		t.Errorf("an event that could not be recorded: %d %q, want 503 busy", status, body)
	}
	status, body := hs.postForm("/slack/commands", commandForm("U1", "C1", "mine", "trig-9", hs.fake.responseURL("r9")))
	if status != http.StatusOK || !strings.Contains(body, "busy") {
		t.Errorf("a command that could not be recorded: %d %s, want the busy answer", status, body)
	}
	ib.Fail(nil)
	if status, _ := hs.postEvent(b, "X-Slack-Retry-Num", "1"); status != http.StatusOK {
		t.Errorf("Slack's retry: %d, want 200", status)
	}
	if ev := hs.h.next(t); ev.ID != "msg:T1:D1:1700000002.000100" {
		t.Errorf("handled %s, want the retried event", ev.ID)
	}
}

// TestHTTPBusyForgetsTheRecord: a delivery the pool has no room for is
// refused, and its record done with.
func TestHTTPBusyForgetsTheRecord(t *testing.T) {
	ib := bottest.NewInbox()
	hs := newKeptHarness(t, Options{Workers: 1, Queue: 1}, ib)
	release := hs.h.hold()
	for _, ts := range []string{"1.1", "1.2"} {
		if status, _ := hs.postEvent(eventBody("E"+ts, dmEvent("U1", "D1", ts, "x"))); status != http.StatusOK {
			t.Fatalf("event %s: %d", ts, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, _ := hs.postEvent(eventBody("E1.3", dmEvent("U1", "D1", "1.3", "x"))); status != http.StatusServiceUnavailable {
		t.Errorf("a full pool answered %d, want 503", status)
	}
	if !slices.Contains(ib.Said(), "done msg:T1:D1:1.3") {
		t.Errorf("the refused delivery's record is kept: %v", ib.Said())
	}
	release()
}

// TestSocketAckAfterRecord: a Socket Mode envelope is acknowledged only
// once its event is recorded; one whose event cannot be recorded is not
// acknowledged, so that Slack sends it again, and its redelivery is taken.
func TestSocketAckAfterRecord(t *testing.T) {
	f := newFakeSlack(t)
	ib := bottest.NewInbox().Hold()
	h := newRecorder(echo)
	startKept(t, f, Config{AppToken: testAppToken}, Options{}, h, ib)
	noAck := func(what string) {
		t.Helper()
		select {
		case ack := <-f.acks:
			t.Fatalf("%s: acknowledged %v", what, ack)
		case <-time.After(150 * time.Millisecond):
		}
	}
	f.sendEnvelope("env1", "events_api", 0, json.RawMessage(eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "mine"))))
	noAck("before the record")
	ib.Release()
	f.waitAck("env1")
	h.next(t)
	ib.WaitSaid(t, "done msg:T1:D1:1700000001.000100")

	ib.Fail(errors.New("disk full"))
	env2 := json.RawMessage(eventBody("Ev2", dmEvent("U1", "D1", "1700000002.000100", "mine")))
	f.sendEnvelope("env2", "events_api", 0, env2)
	noAck("a record that failed")
	ib.Fail(nil)
	f.sendEnvelope("env2", "events_api", 1, env2)
	f.waitAck("env2")
	if ev := h.next(t); ev.ID != "msg:T1:D1:1700000002.000100" {
		t.Errorf("handled %s, want the redelivered event", ev.ID)
	}
}

// TestReplayAtStart: Run handles what the inbox kept for Slack from before
// a restart, and only then serves. The ways back that came with the
// deliveries are gone: a mention in a channel is answered in its thread
// with chat.postMessage, a command without its response_url in the
// channel, and a form it asked for, without a trigger_id, is offered as a
// button that opens it. Another platform's events are left alone.
func TestReplayAtStart(t *testing.T) {
	f := newFakeSlack(t)
	ib := bottest.NewInbox([]chat.Event{
		{ID: "msg:T1:C1:1700000000.000100", Kind: chat.EventMessage, Platform: Platform, Workspace: testTeam, UserID: "U1", Text: "mine",
			Conversation: chat.Conversation{ID: "C1"}},
		{ID: "cmd:T1:trig-old", Kind: chat.EventCommand, Platform: Platform, Workspace: testTeam, UserID: "U2", Text: "checkin",
			Conversation: chat.Conversation{ID: "C2"}},
		{ID: "a:1", Kind: chat.EventMessage, Platform: "teams", Workspace: "tenant", UserID: "x", Text: "mine"},
	}...)
	h := newRecorder(func(ev chat.Event) (chat.Message, bool) {
		if ev.Kind == chat.EventCommand {
			return chat.Message{Text: "Your check-in", Form: &chat.Form{ID: "checkin", Title: "Check in", Submit: "Save"}}, true
		}
		return echo(ev)
	})
	release := h.hold()
	a := startKept(t, f, Config{}, Options{}, h, ib)
	time.Sleep(100 * time.Millisecond)
	if a.run.Running() {
		t.Fatal("serving before the kept events were handled")
	}
	release()
	waitRunning(t, a)
	if got := len(h.all()); got != 2 {
		t.Fatalf("%d events handled before serving, want 2: %+v", got, h.all())
	}
	posts := f.waitCalls("chat.postMessage", 2)
	byChannel := map[string]call{}
	for _, p := range posts {
		byChannel[p.get("channel")] = p
	}
	if p := byChannel["C1"]; p.get("thread_ts") != "1700000000.000100" || !strings.Contains(p.body(), "got message mine") {
		t.Errorf("the mention's answer: %s", p.body())
	}
	if p := byChannel["C2"]; !strings.Contains(p.body(), "Press the button to open the form") || !strings.Contains(p.body(), "/okr checkin") {
		t.Errorf("the command's form: %s", p.body())
	}
	if n := len(f.callsOf("response_url")) + len(f.callsOf("views.open")); n != 0 {
		t.Errorf("%d calls to a response_url or views.open after the restart", n)
	}
	ib.WaitSaid(t, "done cmd:T1:trig-old")
	got := ib.Said()
	slices.Sort(got)
	if want := []string{"done cmd:T1:trig-old", "done msg:T1:C1:1700000000.000100"}; !slices.Equal(got, want) {
		t.Errorf("inbox told %v, want %v", got, want)
	}
}
