package kit

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

func newTestIntake(workers, queue int) (*Intake, *bottest.Inbox, *Pool, *RunOnce) {
	run := NewRunOnce("slack")
	pool := NewPool(workers, queue)
	k := NewIntake(run, NewTTLSet(time.Hour, time.Now), pool, nil)
	ib := bottest.NewInbox()
	k.UseInbox(ib)
	return k, ib, pool, run
}

func TestIntakeAdmit(t *testing.T) {
	k, ib, pool, run := newTestIntake(1, 1)
	ctx := context.Background()
	ev := chat.Event{ID: "E1", Platform: "slack"}
	if got := k.Admit(ctx, ev); got != Refused {
		t.Errorf("before Run: %v, want Refused", got)
	}
	run.SetRunning(true)
	pool.Start()
	defer pool.Stop()
	if got := k.Admit(ctx, ev); got != Admitted {
		t.Errorf("first delivery: %v, want Admitted", got)
	}
	if got := k.Admit(ctx, ev); got != Duplicate {
		t.Errorf("second delivery: %v, want Duplicate", got)
	}
	if got := k.Admit(ctx, chat.Event{Platform: "slack"}); got != Admitted {
		t.Errorf("an event without id: %v, want Admitted", got)
	}
	ib.Fail(errors.New("disk full"))
	if got := k.Admit(ctx, chat.Event{ID: "E2"}); got != Refused {
		t.Errorf("record failed: %v, want Refused", got)
	}
	ib.Fail(nil)
	if got := k.Admit(ctx, chat.Event{ID: "E2"}); got != Admitted {
		t.Errorf("the retry of a delivery whose record failed: %v, want Admitted", got)
	}
	if got, want := ib.Said(), []string{"record E1", "record E2"}; !slices.Equal(got, want) {
		t.Errorf("inbox told %v, want %v", got, want)
	}
}

func TestIntakeQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k, ib, pool, run := newTestIntake(1, 1)
		run.SetRunning(true)
		pool.Start()
		ctx := context.Background()
		release := make(chan struct{})
		for _, id := range []string{"E1", "E2", "E3", "E4"} {
			ev := chat.Event{ID: id}
			if k.Admit(ctx, ev) != Admitted {
				t.Fatalf("%s not admitted", id)
			}
			ok := k.Queue(ev, func() { <-release }, 0, id == "E4")
			synctest.Wait()
			if want := id <= "E2"; ok != want {
				t.Fatalf("Queue(%s) = %v, want %v", id, ok, want)
			}
		}
		// E3 was refused and forgotten: its retry is taken. E4 was kept.
		if got := k.Admit(ctx, chat.Event{ID: "E3"}); got != Admitted {
			t.Errorf("the retry of a refused delivery: %v, want Admitted", got)
		}
		if got := k.Admit(ctx, chat.Event{ID: "E4"}); got != Duplicate {
			t.Errorf("a kept delivery again: %v, want Duplicate", got)
		}
		close(release)
		pool.Stop()
		want := []string{"record E1", "record E2", "record E3", "done E3", "record E4", "record E3", "done E1", "done E2"}
		if got := ib.Said(); !slices.Equal(got, want) {
			t.Errorf("inbox told %v, want %v", got, want)
		}
	})
}

func TestIntakeReplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		k, ib, pool, run := newTestIntake(2, 0)
		ib.Keep(chat.Event{ID: "S1", Platform: "slack"}, chat.Event{ID: "T1", Platform: "teams"}, chat.Event{ID: "S2", Platform: "slack"}, chat.Event{Platform: "slack"})
		pool.Start()
		defer pool.Stop()
		var mu sync.Mutex
		var handled []string
		n := k.Replay(context.Background(), "slack", func(ev chat.Event) {
			time.Sleep(time.Second)
			mu.Lock()
			handled = append(handled, ev.ID)
			mu.Unlock()
		}, time.Minute)
		// Replay returns once every replayed event was handled.
		mu.Lock()
		slices.Sort(handled)
		got := slices.Clone(handled)
		mu.Unlock()
		if n != 2 || !slices.Equal(got, []string{"S1", "S2"}) {
			t.Errorf("replayed %d: %v, want S1 and S2", n, got)
		}
		done := ib.Said()
		slices.Sort(done)
		if !slices.Equal(done, []string{"done S1", "done S2"}) {
			t.Errorf("inbox told %v", done)
		}
		run.SetRunning(true)
		if got := k.Admit(context.Background(), chat.Event{ID: "S1"}); got != Duplicate {
			t.Errorf("a delivery of a replayed event: %v, want Duplicate", got)
		}
	})
}

func TestIntakeWithoutInbox(t *testing.T) {
	run := NewRunOnce("teams")
	run.SetRunning(true)
	pool := NewPool(1, 1)
	pool.Start()
	defer pool.Stop()
	k := NewIntake(run, NewTTLSet(time.Hour, time.Now), pool, nil)
	if k.Keeps() {
		t.Error("Keeps without an inbox")
	}
	if got := k.Admit(context.Background(), chat.Event{ID: "E1"}); got != Admitted {
		t.Errorf("Admit: %v", got)
	}
	if n := k.Replay(context.Background(), "teams", func(chat.Event) { t.Error("replayed without an inbox") }, 0); n != 0 {
		t.Errorf("Replay: %d", n)
	}
	k.Done(chat.Event{ID: "E1"}) // nothing to tell
}
