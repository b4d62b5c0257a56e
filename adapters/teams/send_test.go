package teams

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

func TestSend(t *testing.T) {
	hs := startHarness(t, &recHandler{}, func(o *Options) { o.MaxWait = 2 * time.Second })
	hs.a.opts.ServiceURL = hs.conn.serviceURL()
	ctx := t.Context()
	// With a stored reference.
	ref := `{"conversation":{"id":"a:dm-alice","conversationType":"personal","tenantId":"` + testTenant + `"},"serviceUrl":"` + hs.conn.serviceURL() + `"}`
	sent, err := hs.a.Send(ctx, chat.Conversation{ID: "a:dm-alice", Ref: ref, Direct: true}, chat.Text("nudge"))
	if err != nil || sent.ID != "act-1" || sent.Conversation != "a:dm-alice" {
		t.Fatalf("send: %+v %v", sent, err)
	}
	// A person never talked to: the 1:1 conversation is created first,
	// once.
	for range 2 {
		if _, err := hs.a.Send(ctx, chat.Conversation{ID: "aad-bob", UserID: "aad-bob", Direct: true}, chat.Text("hello bob")); err != nil {
			t.Fatal(err)
		}
	}
	// A channel by its id.
	if _, err := hs.a.Send(ctx, chat.Conversation{ID: "19:sales@thread.tacv2"}, chat.Message{Blocks: []chat.Block{chat.Header{Text: "Digest"}}}); err != nil {
		t.Fatal(err)
	}
	cs := hs.conn.callList()
	if len(cs) != 5 || cs[1].Path != "/v3/conversations" || cs[1].Body["tenantId"] != testTenant ||
		cs[2].Conversation != "a:dm-aad-bob" || cs[3].Conversation != "a:dm-aad-bob" || cs[4].Conversation != "19:sales@thread.tacv2" {
		t.Fatalf("calls: %+v", cs)
	}
	// A 429 of a proactive message goes back to the dispatcher at once,
	// with its Retry-After, whether short or long: the dispatcher learns
	// its pace from them. The tenant's or the conversation's, Teams does
	// not say.
	for _, c := range []struct {
		header string
		want   time.Duration
	}{{"0.2", 200 * time.Millisecond}, {"30", 30 * time.Second}, {"", 0}} {
		// One failure only: a retry would have succeeded.
		hs.conn.failNext(failure{429, c.header})
		_, err = hs.a.Send(ctx, chat.Conversation{ID: "a:dm-alice", Ref: ref}, chat.Text("again"))
		var rl *chat.RateLimitError
		if !errors.As(err, &rl) || rl.RetryAfter != c.want || rl.Conversation {
			t.Fatalf("Retry-After %q: got %v, want a workspace RateLimitError after %s", c.header, err, c.want)
		}
	}
	if _, err := hs.a.Send(ctx, chat.Conversation{Ref: "{"}, chat.Text("x")); err == nil {
		t.Fatal("bad reference accepted")
	}
	if n := hs.conn.tokenFetches.Load(); n != 1 {
		t.Errorf("%d token fetches", n)
	}
	if p := hs.a.Pacing(); p.PerConversation != 500*time.Millisecond || p.PerSecond != DefaultRate || p.Ceiling != DefaultRateCeiling {
		t.Errorf("pacing %+v", p)
	}
}

// TestEndToEnd runs the real engine on a bbolt store seeded with the demo
// organisation (people have their names as platform ids) behind
// /api/messages, against the fake Bot Connector.
func TestEndToEnd(t *testing.T) {
	db := bottest.Store(t)
	bottest.SeedDemo(t, db, testTenant, Platform, time.Now())
	engine := bot.NewEngine(db, bot.Options{})
	hs := startHarness(t, engine, nil)
	msg := func(id, text string) map[string]any {
		act := hs.activity("message", id, text)
		act["from"] = map[string]any{"id": "alice", "name": "alice"}
		return act
	}
	if status, _ := hs.post(msg("e1", "KR4 30")); status != 200 {
		t.Fatalf("status %d", status)
	}
	c := hs.conn.waitCalls(1)[0]
	if c.Path != "/v3/conversations/a:dm-alice/activities/e1" || !strings.Contains(c.Raw, "Checked in") {
		t.Fatalf("answer: %s %s", c.Path, c.Raw)
	}
	// Delivered again: answered once.
	hs.post(msg("e1", "KR4 30"))
	// A button from the answer's card runs its command.
	btn := msg("e2", "")
	btn["value"] = map[string]any{"command": "mine"}
	hs.post(btn)
	c = hs.conn.waitCalls(2)[1]
	if !strings.Contains(c.Raw, "KR4") {
		t.Errorf("mine: %s", c.Raw)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(hs.conn.callList()); n != 2 {
		t.Errorf("%d answers, want 2", n)
	}
	// The DM's reference was stored on alice: a proactive send reaches her
	// through it.
	var to chat.Conversation
	err := db.View(t.Context(), func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform(testTenant, Platform, "alice")
		if err != nil {
			return err
		}
		to = chat.DirectTo(u)
		return nil
	})
	if err != nil || to.Ref == "" || to.ID != "a:dm-alice" {
		t.Fatalf("stored conversation: %+v %v", to, err)
	}
	if _, err := hs.a.Send(t.Context(), to, chat.Text("nudge")); err != nil {
		t.Fatal(err)
	}
	if c := hs.conn.waitCalls(3)[2]; c.Conversation != "a:dm-alice" {
		t.Errorf("proactive: %+v", c)
	}
}
