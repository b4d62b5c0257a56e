package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// toEach composes every item as a direct message to its person, keyed by
// the item's key: what the dispatcher paces, without the engine's work.
type toEach struct{}

func (toEach) Compose(_ context.Context, it *okrcore.OutboxItem) (chat.Delivery, error) {
	conv := fmt.Sprintf("dm:u%d", it.User)
	return chat.Delivery{To: chat.Conversation{ID: conv, Direct: true}, Message: chat.Message{Text: it.Key, Key: it.Key}}, nil
}

// spacedPlatform refuses, with 429 for the conversation, a message that
// comes less than a second after the last one delivered to its
// conversation, which the dispatcher is not told, and records when each
// was delivered.
type spacedPlatform struct {
	mu      sync.Mutex
	at      map[string][]time.Time // conversation → deliveries
	keys    map[string]int
	order   map[string][]string // conversation → keys delivered
	limited int
}

func (p *spacedPlatform) Send(_ context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if ts := p.at[to.ID]; len(ts) > 0 && now.Sub(ts[len(ts)-1]) < time.Second {
		p.limited++
		return chat.SentRef{}, &chat.RateLimitError{RetryAfter: time.Second, Conversation: true}
	}
	p.at[to.ID] = append(p.at[to.ID], now)
	p.keys[m.Key]++
	p.order[to.ID] = append(p.order[to.ID], m.Key)
	return chat.SentRef{Conversation: to.ID, ID: m.Key}, nil
}

// TestSeveralMessagesToOnePerson: when people get a nudge, a reminder, a
// digest and a grading prompt at once, each person's messages leave a
// second apart and in order (as the platform asks) while everyone else's
// go on, the workspace's pace rises from its start while the platform
// accepts, and Rate says so.
func TestSeveralMessagesToOnePerson(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db := bottest.Store(t)
		due := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		kinds := []okrcore.OutboxKind{okrcore.OutboxCheckIn, okrcore.OutboxReminder, okrcore.OutboxDigest, okrcore.OutboxGrading}
		const people, busy = 60, 5 // the first five get all four
		want := 0
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			if err := tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Platform: "slack", CreatedAt: due}); err != nil {
				return err
			}
			for _, k := range kinds {
				for u := okrcore.ID(1); u <= people; u++ {
					if k != okrcore.OutboxCheckIn && u > busy {
						continue
					}
					want++
					it := &okrcore.OutboxItem{Workspace: "T1", Key: fmt.Sprintf("%s:u%d:2026-W48", k, u), Kind: k, User: u, Period: "2026-W48", DueAt: due, CreatedAt: due}
					if _, err := tx.AddOutbox(it); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		plat := &spacedPlatform{at: map[string][]time.Time{}, keys: map[string]int{}, order: map[string][]string{}}
		d := outbox.NewDispatcher(db, toEach{}, outbox.Only(plat), outbox.Options{Now: func() time.Time { return due }, Workers: 8,
			Pacing: chat.Pacing{PerSecond: 5, Ceiling: 50, Burst: 1, PerConversation: time.Second}})
		if r := d.Rate("slack"); r != 5 {
			t.Errorf("rate before sending %.1f/s, want the configured 5", r)
		}
		start := time.Now()
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		for key, n := range plat.keys {
			if n != 1 {
				t.Errorf("%s delivered %d times", key, n)
			}
		}
		if len(plat.keys) != want {
			t.Errorf("%d messages delivered, want %d", len(plat.keys), want)
		}
		if plat.limited != 0 {
			t.Errorf("%d messages refused for their conversation, want none", plat.limited)
		}
		for u := 1; u <= busy; u++ {
			got := plat.order[fmt.Sprintf("dm:u%d", u)]
			if len(got) != len(kinds) {
				t.Fatalf("u%d got %v, want one of each of %v", u, got, kinds)
			}
			for i, k := range kinds {
				if want := fmt.Sprintf("%s:u%d:2026-W48", k, u); got[i] != want {
					t.Errorf("u%d's message %d was %s, want %s (in the order they were due)", u, i+1, got[i], want)
				}
			}
		}
		// 80 messages from 5 a second, rising: well under the 16 s the
		// starting rate alone would take; the four to one person need 3 s.
		if took > 8*time.Second || took < 3*time.Second {
			t.Errorf("drained in %s, want 3 s to 8 s", took)
		}
		if r := d.Rate("slack"); r <= 5 || r > 50 {
			t.Errorf("rate after %d accepted messages %.1f/s, want above 5 and at most the ceiling 50", want, r)
		}
	})
}
