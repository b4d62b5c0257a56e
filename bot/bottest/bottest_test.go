package bottest_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/storage/bolt"
)

var monday = time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)

func TestClockMoves(t *testing.T) {
	tests := []struct {
		name string
		move func(c *bottest.Clock)
		want time.Time
	}{
		{"stays put", func(*bottest.Clock) {}, monday},
		{"set", func(c *bottest.Clock) { c.Set(monday.AddDate(0, 0, 4)) }, monday.AddDate(0, 0, 4)},
		{"set backwards", func(c *bottest.Clock) { c.Set(monday.Add(-time.Hour)) }, monday.Add(-time.Hour)},
		{"advance", func(c *bottest.Clock) { c.Advance(90 * time.Minute) }, monday.Add(90 * time.Minute)},
		{"advance twice", func(c *bottest.Clock) { c.Advance(time.Hour); c.Advance(time.Hour) }, monday.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bottest.NewClock(monday)
			tt.move(c)
			if got := c.Now(); !got.Equal(tt.want) {
				t.Errorf("Now() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestClockIsSafeToReadWhileMoved: the engine and dispatcher read the clock
// from their goroutines while the test moves it (run with -race).
func TestClockIsSafeToReadWhileMoved(t *testing.T) {
	c := bottest.NewClock(monday)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			prev := c.Now()
			for range 1000 {
				now := c.Now()
				if now.Before(prev) {
					t.Errorf("the clock went back from %v to %v", prev, now)
					return
				}
				prev = now
			}
		})
	}
	for range 1000 {
		c.Advance(time.Second)
	}
	wg.Wait()
	if got, want := c.Now(), monday.Add(1000*time.Second); !got.Equal(want) {
		t.Errorf("after 1000 advances of 1s: %v, want %v", got, want)
	}
}

// TestPlatformRecordsConcurrently: sends from many workers are all kept,
// counted per conversation, and a waiter on another goroutine sees the one
// it waits for (run with -race).
func TestPlatformRecordsConcurrently(t *testing.T) {
	clock := bottest.NewClock(monday)
	p := bottest.NewPlatform(clock.Now)
	const workers, each = 8, 50
	found := make(chan bottest.Sent, 1)
	go func() {
		found <- p.WaitFor(t, "the last message of worker 0", func(s bottest.Sent) bool { return s.Key == "k0-49" })
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			to := chat.Conversation{ID: fmt.Sprintf("dm:%d", w), Direct: true}
			for i := range each {
				if _, err := p.Send(context.Background(), to, chat.Message{Text: "hi", Key: fmt.Sprintf("k%d-%d", w, i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := len(p.Sent()); n != workers*each {
		t.Errorf("%d messages kept, want %d", n, workers*each)
	}
	if n := p.Calls("dm:3"); n != each {
		t.Errorf("dm:3 called %d times, want %d", n, each)
	}
	if !p.Delivered("dm:7", "k7-0") || p.Delivered("dm:7", "k0-0") {
		t.Error("Delivered does not tell what reached which conversation")
	}
	select {
	case s := <-found:
		if s.To.ID != "dm:0" || s.Text != "hi\n" || !s.At.Equal(monday) {
			t.Errorf("found %+v", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitFor did not return")
	}
}

func TestPlatformFailsAsTold(t *testing.T) {
	p := bottest.NewPlatform(time.Now)
	limited := errors.New("rate limited")
	p.FailWith(func(a bottest.Attempt) error {
		if a.Call == 1 || a.Delivered >= 2 {
			return limited
		}
		return nil
	})
	ctx := context.Background()
	to := chat.Conversation{ID: "C1"}
	var errs []error
	for range 4 {
		_, err := p.Send(ctx, to, chat.Text("x"))
		errs = append(errs, err)
	}
	if errs[0] != limited || errs[1] != nil || errs[2] != nil || errs[3] != limited {
		t.Errorf("errors %v; want the first call refused, two delivered, then refused", errs)
	}
	p.FailWith(nil)
	if _, err := p.Send(ctx, to, chat.Text("x")); err != nil {
		t.Errorf("after FailWith(nil): %v", err)
	}
	if n, calls := len(p.Sent()), p.Calls("C1"); n != 3 || calls != 5 {
		t.Errorf("%d delivered of %d calls, want 3 of 5", n, calls)
	}
}

// TestOnlyReconcilingReconciles: the dispatcher asks a sender what arrived
// only when it is a chat.Reconciler, so the plain platform must not be one.
func TestOnlyReconcilingReconciles(t *testing.T) {
	p := bottest.NewPlatform(time.Now)
	if _, ok := any(p).(chat.Reconciler); ok {
		t.Fatal("a plain Platform is a chat.Reconciler")
	}
	r, ok := p.Reconciling().(chat.Reconciler)
	if !ok {
		t.Fatal("Reconciling is not a chat.Reconciler")
	}
	to := chat.Conversation{ID: "dm:alice"}
	if _, err := p.Send(context.Background(), to, chat.Message{Text: "nudge", Key: "checkin:u2:2026-W48"}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"checkin:u2:2026-W48": true, "checkin:u2:2026-W49": false} {
		if _, found, err := r.FindSent(context.Background(), to, key); err != nil || found != want {
			t.Errorf("FindSent(%s) = %v, %v; want %v", key, found, err, want)
		}
	}
}

// TestStoreReleasedAtCleanup: a test's store no longer holds the file once
// the test is over, so the next one (or the program under test) can open it.
func TestStoreReleasedAtCleanup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	t.Run("holds the file", func(t *testing.T) {
		bottest.Store(t, bottest.File(path))
		if db, err := bolt.Open(path, bolt.Options{Timeout: 50 * time.Millisecond}); err == nil {
			db.Close()
			t.Fatal("a second open succeeded while the test's store was open")
		}
	})
	db, err := bolt.Open(path, bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("the store was not released at cleanup: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestKit drives the kit's world: a person asks, a nudge goes out on the
// moved clock, what was stored survives a restart.
func TestKit(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	if got := bottest.Text(k.Ask("alice", "/okr mine")); !strings.Contains(got, "KR4 New mid-market customers") {
		t.Errorf("/okr mine:\n%s", got)
	}
	ev := k.Event("alice", chat.EventMessage)
	ev.Text = "KR4 31"
	answers := k.Handle(ev)
	if len(answers) != 1 || answers[0].To.ID != "dm:alice" || !answers[0].Reply || !strings.Contains(answers[0].Text, "Checked in") {
		t.Fatalf("answers to a check-in: %+v", answers)
	}
	k.Restart()
	kr := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 4) })
	if kr.Current != 31 {
		t.Errorf("KR4 after a restart: %v, want 31", kr.Current)
	}
	k.Clock.Set(monday)
	k.Rhythm(k.Dispatcher(outbox.Options{})).Tick()
	nudges := k.Platform.Kind("checkin")
	// Everyone with key results but frank, whose window (Kolkata) is past
	// the grace; alice is reached in the DM she wrote from.
	if got := strings.Join(bottest.Recipients(nudges), ","); got != "bob,carol,dana,dm:alice,erin,gina,hank" {
		t.Errorf("nudged %s", got)
	}
	for _, n := range nudges {
		if !n.At.Equal(monday) || n.Reply {
			t.Errorf("nudge %+v", n)
		}
	}
}
