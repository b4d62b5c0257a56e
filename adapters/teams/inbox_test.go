package teams

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

// blockHandler records events and holds each until release is closed.
type blockHandler struct {
	mu      sync.Mutex
	evs     []chat.Event
	release chan struct{}
}

func (h *blockHandler) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	h.mu.Lock()
	h.evs = append(h.evs, ev)
	h.mu.Unlock()
	<-h.release
	_ = r.Respond(ctx, chat.Text("got "+ev.Text+ev.Value))
}

func (h *blockHandler) ids() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for _, ev := range h.evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

func (h *blockHandler) wait(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(h.ids(), id) {
		if time.Now().After(deadline) {
			t.Fatalf("activity %s never reached the handler (it got %v)", id, h.ids())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestBusyForgetsTheActivity: an activity refused with 503 because the
// workers are busy is taken when Teams delivers it again. (Its id used to
// be remembered, and the redelivery was answered 200 and dropped.)
func TestBusyForgetsTheActivity(t *testing.T) {
	h := &blockHandler{release: make(chan struct{})}
	hs := startHarness(t, h, func(o *Options) { o.Workers, o.Queue = 1, 1 })
	defer close(h.release)
	if status, _ := hs.post(hs.activity("message", "b1", "mine")); status != 200 {
		t.Fatalf("first: %d", status)
	}
	h.wait(t, "b1") // the worker holds it
	if status, _ := hs.post(hs.activity("message", "b2", "mine")); status != 200 {
		t.Fatalf("second, queued: %d", status)
	}
	status, body := hs.post(hs.activity("message", "b3", "mine"))
	if status != http.StatusServiceUnavailable || body != "busy\n" {
		t.Fatalf("third, no room: %d %q, want 503 busy", status, body)
	}
	h.release <- struct{}{} // b1 finishes; b2 takes the worker
	h.wait(t, "b2")
	if status, _ := hs.post(hs.activity("message", "b3", "mine")); status != 200 {
		t.Fatalf("Teams' redelivery: %d", status)
	}
	h.release <- struct{}{}
	h.wait(t, "b3")
}

// startKeptHarness is startHarness with an inbox; it does not wait for Run
// to serve.
func startKeptHarness(t *testing.T, h chat.Handler, ib chat.Inbox, conn *fakeConnector) *harness {
	t.Helper()
	if conn == nil {
		conn = newFakeConnector(t)
	}
	hs := &harness{t: t, openid: newFakeOpenID(t), conn: conn}
	a, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: hs.conn.tokenURL(), OpenIDMetadataURL: hs.openid.metadataURL()},
		Options{Backoff: time.Millisecond, MaxWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a.UseInbox(ib)
	hs.a = a
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = a.Run(ctx, h) }()
	t.Cleanup(func() { cancel(); <-stopped })
	hs.srv = httptest.NewServer(a.Handler())
	t.Cleanup(hs.srv.Close)
	return hs
}

func waitServing(t *testing.T, a *Adapter) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !a.run.Running() {
		if time.Now().After(deadline) {
			t.Fatal("the adapter did not start")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestAnswerAfterRecord: Teams' 200 comes only once the activity is
// recorded, an invoke's answer too; one that cannot be recorded is
// refused with 503 and taken when delivered again.
func TestAnswerAfterRecord(t *testing.T) {
	ib := bottest.NewInbox()
	h := &recHandler{answer: echo}
	hs := startKeptHarness(t, h, ib, nil)
	waitServing(t, hs.a)
	ib.Hold()
	answered := make(chan int, 1)
	go func() {
		status, _ := hs.post(hs.activity("message", "r1", "okr mine"))
		answered <- status
	}()
	select {
	case status := <-answered:
		t.Fatalf("answered %d before the record", status)
	case <-time.After(100 * time.Millisecond):
	}
	ib.Release()
	if status := <-answered; status != 200 {
		t.Fatalf("status %d", status)
	}
	ib.WaitSaid(t, "done r1")

	ib.Fail(errors.New("disk full"))
	if status, body := hs.post(hs.activity("message", "r2", "okr mine")); status != 503 || body != "busy\n" {
		t.Errorf("an activity that could not be recorded: %d %q", status, body)
	}
	inv := hs.activity("invoke", "r3", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "data": map[string]any{"command": "mine"}}}
	if status, body := hs.post(inv); status != 503 || body != "busy\n" {
		t.Errorf("an invoke that could not be recorded: %d %q", status, body)
	}
	ib.Fail(nil)
	if status, _ := hs.post(hs.activity("message", "r2", "okr mine")); status != 200 {
		t.Errorf("the redelivery: %d", status)
	}
	if status, body := hs.post(inv); status != 200 || !strings.Contains(body, "got button mine") {
		t.Errorf("the invoke again: %d %s", status, body)
	}
	ib.WaitSaid(t, "done r2")
	ib.WaitSaid(t, "done r3")
}

// TestReplayAtStart: Run handles what the inbox kept for Teams from before
// a restart, and only then serves; the answers are posted to the
// conversation of the stored reference (the invoke's HTTP response is
// gone). A card action the engine does not know is not handed to it;
// another platform's events are left alone.
func TestReplayAtStart(t *testing.T) {
	conn := newFakeConnector(t)
	ref := Reference(&schema.Activity{ServiceURL: conn.serviceURL(), ChannelID: "msteams",
		From: schema.ChannelAccount{ID: "29:alice", AadObjectID: "aad-alice"}, Recipient: schema.ChannelAccount{ID: "28:" + testAppID},
		Conversation: schema.ConversationAccount{ID: "a:dm-alice", ConversationType: "personal", TenantID: testTenant}})
	dm := chat.Conversation{ID: "a:dm-alice", Direct: true, Ref: ref, UserID: "aad-alice"}
	ib := bottest.NewInbox([]chat.Event{
		{ID: "old1", Kind: chat.EventButton, Value: "mine", Platform: Platform, Workspace: testTenant, UserID: "aad-alice", Conversation: dm},
		{ID: "old2", Platform: Platform, Workspace: testTenant, UserID: "aad-alice", Conversation: dm},
		{ID: "msg:T1:D1:1.1", Kind: chat.EventMessage, Platform: "slack", Workspace: "T1", UserID: "U1", Text: "mine"},
	}...)
	h := &blockHandler{release: make(chan struct{})}
	hs := startKeptHarness(t, h, ib, conn)
	h.wait(t, "old1")
	if hs.a.run.Running() {
		t.Fatal("serving before the kept activities were handled")
	}
	close(h.release)
	waitServing(t, hs.a)
	if got := h.ids(); !slices.Equal(got, []string{"old1"}) {
		t.Errorf("handled %v, want old1", got)
	}
	c := conn.waitCalls(1)[0]
	if c.Method != http.MethodPost || c.Path != "/v3/conversations/a:dm-alice/activities" || c.Body["text"] != "got mine" {
		t.Errorf("the answer: %+v", c)
	}
	ib.WaitSaid(t, "done old2")
	ib.WaitSaid(t, "done old1")
}
