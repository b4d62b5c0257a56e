package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
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
func slowFanout(t *testing.T, took time.Duration) (*bottest.Kit, *bottest.Platform, *outbox.Dispatcher) {
	t.Helper()
	h := bottest.New(t, bottest.Demo())
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
	h := bottest.New(t, bottest.Demo())
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

func stateCounts(t *testing.T, h *bottest.Kit) map[okrcore.OutboxState]int {
	t.Helper()
	n := map[okrcore.OutboxState]int{}
	err := h.DB.View(context.Background(), func(tx okrcore.Tx) error {
		for id := okrcore.ID(1); ; id++ {
			it, err := tx.OutboxItem(h.Workspace, id)
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

// TestCrashLeavesOnlyInFlightInDoubt stops the dispatcher in the middle of a
// fan-out; a new dispatcher sends the rest. Without reconciliation only the
// in-flight sends may repeat; with it, none.
func TestCrashLeavesOnlyInFlightInDoubt(t *testing.T) {
	for _, reconcile := range []bool{false, true} {
		t.Run(fmt.Sprintf("reconcile=%v", reconcile), func(t *testing.T) {
			h := bottest.New(t, bottest.Demo())
			h.Clock.Set(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
			plat := h.Platform
			var sender chat.Sender = plat
			if reconcile {
				sender = plat.Reconciling()
			}
			s := h.Scheduler(schedule.Options{})
			// Every Monday window has passed but frank's (Kolkata), which is
			// more than 12 hours old.
			h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
			if st, err := s.Tick(context.Background()); err != nil || st.Enqueued != 7 {
				t.Fatalf("tick: %+v %v", st, err)
			}
			ctx, crash := context.WithCancel(context.Background())
			const workers = 2
			plat.FailWith(func(a bottest.Attempt) error {
				if a.Delivered == 3 {
					crash() // the process dies while sends are in flight
				}
				return nil
			})
			d := h.DispatcherTo(outbox.Only(sender), outbox.Options{Workers: workers})
			_ = d.Drain(ctx)
			plat.FailWith(nil)
			h.Restart()
			d2 := h.DispatcherTo(outbox.Only(sender), outbox.Options{Workers: workers})
			if err := d2.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, s := range plat.Kind("checkin") {
				count[s.To.ID]++
			}
			dups := 0
			for who, n := range count {
				if n > 1 {
					dups += n - 1
				}
				if n == 0 {
					t.Errorf("%s never nudged", who)
				}
			}
			if len(count) != 7 {
				t.Errorf("%d people nudged, want 7", len(count))
			}
			if dups > workers || (reconcile && dups > 0) {
				t.Errorf("%d repeated sends (workers %d, reconcile %v)", dups, workers, reconcile)
			}
			t.Logf("repeats after the crash: %d (bound %d)", dups, workers)
		})
	}
}

// TestRateLimitedSendsAreRetriedNotDropped runs in a synctest bubble: the
// limiters sleep on the bubble's fake clock.
func TestRateLimitedSendsAreRetriedNotDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := bottest.New(t, bottest.Demo())
		h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
		plat := h.Platform
		limited := 0
		plat.FailWith(func(a bottest.Attempt) error {
			if a.Call <= 2 { // every conversation's first two attempts are refused
				limited++
				return &chat.RateLimitError{RetryAfter: 2 * time.Second, Conversation: a.Call == 2}
			}
			return nil
		})
		h.Tick()
		d := h.Dispatcher(outbox.Options{Workers: 8,
			Pacing: chat.Pacing{PerSecond: 10, Burst: 1, PerConversation: time.Second}})
		start := time.Now()
		if err := d.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := len(plat.Kind("checkin")); got != 7 {
			t.Errorf("%d delivered, want 7", got)
		}
		st := d.Stats()
		if st.RateLimited != int64(limited) || st.Sent != 7 || st.Failed != 0 {
			t.Errorf("stats %+v, limited %d", st, limited)
		}
		if took := time.Since(start); took < 4*time.Second {
			t.Errorf("Retry-After was not honoured: drained in %s", took)
		}
	})
}

func TestFailingSendsBackOffThenFail(t *testing.T) {
	h := bottest.New(t, bottest.Demo())
	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	plat := h.Platform
	plat.FailWith(func(a bottest.Attempt) error {
		if a.To.ID == "bob" {
			return errors.New("channel_not_found")
		}
		return nil
	})
	r := h.Rhythm(h.Dispatcher(outbox.Options{Workers: 4, MaxAttempts: 3}))
	r.RunUntil(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), 5*time.Minute)
	if plat.Calls("bob") != 3 {
		t.Errorf("bob tried %d times, want 3", plat.Calls("bob"))
	}
	st := r.Dispatcher.Stats()
	if st.Failed != 1 || st.Retried != 2 {
		t.Errorf("stats %+v", st)
	}
	var it *okrcore.OutboxItem
	_ = h.DB.View(context.Background(), func(tx okrcore.Tx) error {
		var err error
		it, err = tx.OutboxByKey(h.Workspace, "checkin:u3:2026-W48")
		return err
	})
	if it == nil || it.State != okrcore.OutboxFailed || it.LastError != "channel_not_found" {
		t.Errorf("bob's item = %+v", it)
	}
}

// TestSendersRouteByPlatform: with two platforms in one process, each
// workspace's messages leave through its own platform.
func TestSendersRouteByPlatform(t *testing.T) {
	h := bottest.New(t, bottest.Demo())
	// A second workspace on another platform, with one person and a KR.
	other := h.Event("zoe", chat.EventMessage)
	other.Platform, other.Workspace, other.Text = "teams", "tenant-1", "/okr new objective \"Ship it\""
	h.Engine.Process(context.Background(), other)
	other.Text = "/okr new kr O1 \"Releases\" from 0 to 4"
	h.Engine.Process(context.Background(), other)

	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	slackSide, teamsSide := bottest.NewPlatform(h.Clock.Now), bottest.NewPlatform(h.Clock.Now)
	senders := map[string]chat.Sender{"shell": slackSide, "teams": teamsSide}
	h.Tick()
	d := h.DispatcherTo(outbox.ByPlatform(senders), outbox.Options{
		Pacings: map[string]chat.Pacing{"teams": {PerSecond: 100, Burst: 5}}})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := bottest.Recipients(teamsSide.Kind("checkin")); strings.Join(got, ",") != "dm:zoe" {
		t.Errorf("teams side got %v", got)
	}
	if n := len(slackSide.Kind("checkin")); n != 7 {
		t.Errorf("shell side got %d nudges, want 7", n)
	}
}
