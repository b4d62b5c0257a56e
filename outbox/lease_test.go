package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// recorder is one platform that several replicas post to: it counts what
// arrived under each outbox key, and finds it again as Slack's message
// metadata does.
type recorder struct {
	mu  sync.Mutex
	got map[string]int
}

func (p *recorder) Send(_ context.Context, _ chat.Conversation, m chat.Message) (chat.SentRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got[m.Key]++
	return chat.SentRef{ID: m.Key}, nil
}

func (p *recorder) FindSent(_ context.Context, _ chat.Conversation, key string) (chat.SentRef, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return chat.SentRef{ID: key}, p.got[key] > 0, nil
}

// dying is a replica's view of the platform that dies with four sends in
// flight after n-1 went well: nothing it sends from then on is recorded as
// sent (its context is gone), though every other of those four reached
// the platform before it went.
type dying struct {
	*recorder
	n      int64
	sent   atomic.Int64
	cancel context.CancelFunc
	dead   chan struct{}
}

var errDied = errors.New("the replica died")

func (p *dying) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	n := p.sent.Add(1)
	switch {
	case n < p.n:
		return p.recorder.Send(ctx, to, m)
	case n == p.n+3:
		p.cancel()
		close(p.dead)
	case n < p.n+3:
		<-p.dead
	}
	if n%2 == 0 {
		_, _ = p.recorder.Send(ctx, to, m)
	}
	return chat.SentRef{}, errDied
}

// byKey composes each item as a direct message of its own, tagged with its
// key.
type byKey struct{}

func (byKey) Compose(_ context.Context, it *okrcore.OutboxItem) (chat.Delivery, error) {
	return chat.Delivery{To: chat.Conversation{ID: "D-" + it.Key, Direct: true},
		Message: chat.Message{Text: "Time for your check-in.", Key: it.Key}}, nil
}

// clock is the replicas' shared, movable time.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// leasedOutbox is a PostgreSQL store with n check-in nudges due, and the
// keys they have.
func leasedOutbox(t *testing.T, n int) (*postgres.DB, *clock, []string) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, postgrestest.URL(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c.ns.Store(t0.UnixNano())
	keys := make([]string, n)
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		if err := tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Platform: "slack", CreatedAt: t0}); err != nil {
			return err
		}
		for i := range keys {
			keys[i] = fmt.Sprintf("checkin:u%d:2026-W48", i+1)
			if _, err := tx.AddOutbox(&okrcore.OutboxItem{Workspace: "T1", Key: keys[i], Kind: okrcore.OutboxCheckIn, Period: "2026-W48",
				DueAt: t0, CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, c, keys
}

// replica is one replica's dispatcher on the shared store.
func replica(db *postgres.DB, c *clock, s chat.Sender, owner string) *outbox.Dispatcher {
	return outbox.NewDispatcher(db, byKey{}, outbox.Only(s), outbox.Options{Workers: 8, Now: c.now, Owner: owner})
}

// crashed is the store as a replica that dies sees it: its items' leases
// are not handed back. (It still resigns its term, so that the test's
// other replica sends at once: waiting for a dead sender's term is
// TestDeadSendersTermEnds's.)
type crashed struct{ *postgres.DB }

func (crashed) ReleaseOutbox(context.Context, string) (int, error) { return 0, nil }

// claimOnly is the store's lease without its election of one sender:
// every dispatcher on it drains alongside the others, as replicas do for
// the moments two of them believe they are the sender.
type claimOnly struct{ outbox.Claimer }

// unled is a replica that leases items but does not wait to be the sender.
func unled(db *postgres.DB, c *clock, s chat.Sender, owner string) *outbox.Dispatcher {
	return outbox.NewDispatcher(db, byKey{}, outbox.Only(s), outbox.Options{Workers: 8, Now: c.now, Owner: owner, Claimer: claimOnly{db}})
}

// deliveredOnce checks that every key reached the platform exactly once
// and is recorded sent.
func deliveredOnce(t *testing.T, db *postgres.DB, p *recorder, keys []string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		if n := p.got[k]; n != 1 {
			t.Errorf("%s delivered %d times, want once", k, n)
		}
	}
	if len(p.got) != len(keys) {
		t.Errorf("%d keys delivered, want %d", len(p.got), len(keys))
	}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		for _, k := range keys {
			it, err := tx.OutboxByKey("T1", k)
			if err != nil {
				return err
			}
			if it.State != okrcore.OutboxSent || it.SentRef != k {
				t.Errorf("%s is %s (ref %q), want sent (ref %q)", k, it.State, it.SentRef, k)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTwoReplicasSendEachItemOnce: two dispatchers draining one outbox
// together deliver every item exactly once.
func TestTwoReplicasSendEachItemOnce(t *testing.T) {
	db, c, keys := leasedOutbox(t, 500)
	p := &recorder{got: map[string]int{}}
	a, b := unled(db, c, p, "a"), unled(db, c, p, "b")
	var wg sync.WaitGroup
	for _, d := range []*outbox.Dispatcher{a, b} {
		wg.Go(func() {
			if err := d.Drain(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	deliveredOnce(t, db, p, keys)
	if sa, sb := a.Stats().Sent, b.Stats().Sent; sa == 0 || sb == 0 || sa+sb != 500 {
		t.Errorf("a sent %d, b %d; want both a share of 500", sa, sb)
	}
}

// TestDeadReplicasItemsAreReconciled: a replica dies mid-drain with items
// claimed and in flight; the other leaves them while the lease lives, then
// takes them, asks the platform about those that may have left, and sends
// only those that did not.
func TestDeadReplicasItemsAreReconciled(t *testing.T) {
	ctx := context.Background()
	db, c, keys := leasedOutbox(t, 500)
	p := &recorder{got: map[string]int{}}
	actx, kill := context.WithCancel(ctx)
	a := outbox.NewDispatcher(db, byKey{}, outbox.Only(&dying{recorder: p, n: 60, cancel: kill, dead: make(chan struct{})}),
		outbox.Options{Workers: 8, Now: c.now, Owner: "a", Claimer: crashed{db}})
	if err := a.Drain(actx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the dying replica's drain: %v, want canceled", err)
	}
	b := replica(db, c, p, "b")
	if err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	held := openItems(t, db)
	if held < 4 {
		t.Fatalf("the dead replica left %d items open, want at least its 4 in flight", held)
	}
	c.add(outbox.DefaultLease - time.Second)
	if err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := openItems(t, db); n != held {
		t.Fatalf("%d items open after a drain under the dead replica's live lease, want its %d", n, held)
	}
	c.add(2 * time.Second)
	if err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	deliveredOnce(t, db, p, keys)
	t.Logf("the dead replica left %d items in doubt or claimed", held)
}

func openItems(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.View(context.Background(), func(tx okrcore.Tx) error {
		var err error
		n, _, err = tx.OpenOutbox()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// stopping is a replica's platform whose shutdown begins during its n-th
// send, which still arrives (within its grace).
type stopping struct {
	*recorder
	n      int64
	sent   atomic.Int64
	cancel context.CancelFunc
}

func (p *stopping) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	if p.sent.Add(1) == p.n {
		p.cancel()
	}
	return p.recorder.Send(ctx, to, m)
}

// TestStoppedReplicaLeavesNothingLeased: a replica that stops cleanly puts
// back what it had claimed and not sent, so another sends it at once, not
// after the lease.
func TestStoppedReplicaLeavesNothingLeased(t *testing.T) {
	ctx := context.Background()
	db, c, keys := leasedOutbox(t, 200)
	p := &recorder{got: map[string]int{}}
	actx, stop := context.WithCancel(ctx)
	a := replica(db, c, &stopping{recorder: p, n: 40, cancel: stop}, "a")
	if err := a.Drain(actx); !errors.Is(err, context.Canceled) {
		t.Fatalf("the stopping replica's drain: %v, want canceled", err)
	}
	if openItems(t, db) == 0 {
		t.Fatal("the replica sent everything before it stopped; the test would prove nothing")
	}
	if err := replica(db, c, p, "b").Drain(ctx); err != nil {
		t.Fatal(err)
	}
	deliveredOnce(t, db, p, keys)
}
