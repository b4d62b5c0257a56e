package bot_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// slowSender takes its time over every send, honouring its context.
type slowSender struct {
	*bottest.Platform
	took time.Duration
}

func (s slowSender) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	select {
	case <-time.After(s.took):
	case <-ctx.Done():
		return chat.SentRef{}, ctx.Err()
	}
	return s.Platform.Send(ctx, to, m)
}

// TestSendsAreNotCutShort: a send may take as long as the platform needs
// (a long digest waits out rate limits between its parts) while the bot
// runs, and gets sendGrace (10 s) to finish once shutdown begins.
func TestSendsAreNotCutShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, plat, d := slowFanout(t, 30*time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		// The first send (30 s) finishes before shutdown; the second has
		// started when shutdown comes at 45 s and has 10 s left, not enough.
		time.AfterFunc(45*time.Second, cancel)
		_ = d.Drain(ctx)
		if got := len(plat.Sent()); got != 1 {
			t.Fatalf("%d sends finished, want 1 (30 s, before shutdown)", got)
		}
		states := stateCounts(t, h)
		if states[okrcore.OutboxSent] != 1 || states[okrcore.OutboxSending] != 1 || states[okrcore.OutboxPending] != 5 {
			t.Errorf("outbox after shutdown: %v; want 1 sent, 1 sending (cut after its grace: in doubt), 5 pending", states)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		h, plat, d := slowFanout(t, 8*time.Second)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(3*time.Second, cancel) // 5 s into an 8 s send: within its grace
		_ = d.Drain(ctx)
		states := stateCounts(t, h)
		if len(plat.Sent()) != 1 || states[okrcore.OutboxSent] != 1 || states[okrcore.OutboxPending] != 6 || states[okrcore.OutboxSending] != 0 {
			t.Errorf("%d sent; outbox %v; want the one in flight sent and recorded, 6 pending, none in doubt", len(plat.Sent()), states)
		}
	})
}

// slowFanout is Monday's seven nudges, due, and one dispatcher worker
// whose every send takes took.
func slowFanout(t *testing.T, took time.Duration) (*harness, *bottest.Platform, *outbox.Dispatcher) {
	t.Helper()
	h := newHarness(t, true)
	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	h.Tick()
	plat := h.Platform
	return h, plat, h.DispatcherTo(outbox.Only(slowSender{plat, took}), outbox.Options{Workers: 1})
}

// failingReconciler cannot tell whether an in-doubt message arrived.
type failingReconciler struct{ *bottest.Platform }

func (failingReconciler) FindSent(context.Context, chat.Conversation, string) (chat.SentRef, bool, error) {
	return chat.SentRef{}, false, errors.New("history unavailable")
}

// TestInDoubtItemsStayInDoubtOverShutdown: an item left "sending" by a
// crash is not turned into a plain pending one by a shutdown that comes
// before it is resolved, so the next start still asks the platform first.
func TestInDoubtItemsStayInDoubtOverShutdown(t *testing.T) {
	h := newHarness(t, true)
	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	h.Tick()
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		its, err := tx.DueOutbox(h.Clock.Now(), 100)
		for _, it := range its {
			it.State = okrcore.OutboxSending
			if err := tx.PutOutbox(it); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	plat := h.Platform
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // shutting down already: every limiter wait fails
	d := h.DispatcherTo(outbox.Only(failingReconciler{plat}), outbox.Options{})
	_ = d.Drain(ctx)
	if states := stateCounts(t, h); states[okrcore.OutboxSending] != 7 || len(plat.Sent()) != 0 {
		t.Errorf("outbox %v, %d sent; want all 7 still in doubt and nothing sent", states, len(plat.Sent()))
	}
}

func stateCounts(t *testing.T, h *harness) map[okrcore.OutboxState]int {
	t.Helper()
	n := map[okrcore.OutboxState]int{}
	err := h.DB.View(context.Background(), func(tx okrcore.Tx) error {
		for id := okrcore.ID(1); ; id++ {
			it, err := tx.OutboxItem(ws, id)
			if okrcore.IsNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
			n[it.State]++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
