package outbox_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/storage/postgres"
)

// TestOneReplicaSendsForTheDeployment: replicas draining one outbox
// together send through one of them, which paces the deployment; the
// others' drains return once nothing is due.
func TestOneReplicaSendsForTheDeployment(t *testing.T) {
	db, c, keys := leasedOutbox(t, 300)
	p := &recorder{got: map[string]int{}}
	rs := []*outbox.Dispatcher{replica(db, c, p, "a"), replica(db, c, p, "b"), replica(db, c, p, "c")}
	var wg sync.WaitGroup
	for _, d := range rs {
		wg.Go(func() {
			if err := d.Drain(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	deliveredOnce(t, db, p, keys)
	senders := 0
	for _, d := range rs {
		if d.Stats().Sent > 0 {
			senders++
		}
	}
	if senders != 1 {
		t.Errorf("%d replicas sent, want the one sender", senders)
	}
}

// realLease is a replica on the real clock of leases with a short term,
// for the tests that wait for one to end.
func realLease(db outbox.Claimer, store okrcore.Store, c *clock, s chat.Sender, owner string, lease time.Duration) *outbox.Dispatcher {
	return outbox.NewDispatcher(store, byKey{}, outbox.Only(s), outbox.Options{Workers: 8, Now: c.now, LeaseNow: time.Now,
		Owner: owner, Lease: lease, Claimer: db})
}

// TestDeadSendersTermEnds: a sender that died without resigning, with
// items claimed, holds the deployment until its term and their leases
// end; a replica draining meanwhile waits, then sends them once.
func TestDeadSendersTermEnds(t *testing.T) {
	ctx := context.Background()
	db, c, keys := leasedOutbox(t, 50)
	const lease = 600 * time.Millisecond
	if ok, err := db.LeadOutbox(ctx, "ghost", time.Now(), lease); err != nil || !ok {
		t.Fatalf("the ghost's term: %v, %v", ok, err)
	}
	if got, err := db.ClaimOutbox(ctx, "ghost", c.now(), time.Now(), lease, 10); err != nil || len(got) != 10 {
		t.Fatalf("the ghost's claim: %d items, %v", len(got), err)
	}
	p := &recorder{got: map[string]int{}}
	b := realLease(db, db, c, p, "b", lease)
	if err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The ghost's ten were claimed when b took over, and their leases
	// ended while it drained or end before its next drain.
	for deadline := time.Now().Add(30 * time.Second); openItems(t, db) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d items still open 30 s after the ghost's leases ended", openItems(t, db))
		}
		time.Sleep(lease / 3)
		if err := b.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deliveredOnce(t, db, p, keys)
}

// stalling blocks the first send until released, then delivers it.
type stalling struct {
	*recorder
	first    atomic.Bool
	started  chan struct{}
	released chan struct{}
}

func (p *stalling) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	if p.first.CompareAndSwap(false, true) {
		close(p.started)
		<-p.released
		_, _ = p.recorder.Send(ctx, to, m)
		return chat.SentRef{ID: "late:" + m.Key}, nil
	}
	return p.recorder.Send(ctx, to, m)
}

// TestLateReplicaLeavesTheNewOwnersRecord: a replica whose send stalls
// past its lease finds the item taken over when the send returns; the new
// owner reconciled it and recorded it, and the late replica's outcome
// does not overwrite that.
func TestLateReplicaLeavesTheNewOwnersRecord(t *testing.T) {
	ctx := context.Background()
	db, c, keys := leasedOutbox(t, 1)
	p := &recorder{got: map[string]int{}}
	st := &stalling{recorder: p, started: make(chan struct{}), released: make(chan struct{})}
	a := unled(db, c, st, "a")
	done := make(chan error, 1)
	go func() { done <- a.Drain(ctx) }()
	<-st.started
	// a's renewals move its lease on a's clock, which is this one: past
	// two leases, its last renewal has ended too.
	c.add(3 * outbox.DefaultLease)
	if err := unled(db, c, p, "b").Drain(ctx); err != nil {
		t.Fatal(err)
	}
	close(st.released)
	if err := <-done; err != nil {
		t.Fatalf("the late replica's drain: %v", err)
	}
	err := db.View(ctx, func(tx okrcore.Tx) error {
		it, err := tx.OutboxByKey("T1", keys[0])
		if err != nil {
			return err
		}
		if it.State != okrcore.OutboxSent || it.SentRef != keys[0] {
			t.Errorf("item is %s with ref %q, want sent with the new owner's ref %q", it.State, it.SentRef, keys[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The platform got it twice: the one send in flight when the lease
	// passed on, which no record can undo.
	t.Logf("the platform got the item %d times", p.got[keys[0]])
}

// gathering is a platform that holds every send until released, once n
// are waiting, so that their outcomes are recorded together.
type gathering struct {
	*recorder
	n        int64
	waiting  atomic.Int64
	started  chan struct{}
	released chan struct{}
}

func (p *gathering) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	if p.waiting.Add(1) == p.n {
		close(p.started)
	}
	<-p.released
	return p.recorder.Send(ctx, to, m)
}

// TestLateGroupRecordsOnlyItsOwn: the outcomes of sends that return
// together, some of whose items another replica took over meanwhile, are
// recorded for the items still this replica's, and leave the others to
// their new owner.
func TestLateGroupRecordsOnlyItsOwn(t *testing.T) {
	ctx := context.Background()
	db, c, keys := leasedOutbox(t, 6)
	p := &recorder{got: map[string]int{}}
	g := &gathering{recorder: p, n: 6, started: make(chan struct{}), released: make(chan struct{})}
	a := unled(db, c, g, "a")
	done := make(chan error, 1)
	go func() { done <- a.Drain(ctx) }()
	<-g.started
	// Past a's leases, b takes three of its items (to reconcile them).
	c.add(3 * outbox.DefaultLease)
	taken, err := db.ClaimOutbox(ctx, "b", c.now(), c.now(), outbox.DefaultLease, 3)
	if err != nil || len(taken) != 3 {
		t.Fatalf("b's claim: %d items, %v", len(taken), err)
	}
	close(g.released)
	if err := <-done; err != nil {
		t.Fatalf("the late replica's drain: %v", err)
	}
	isTaken := map[string]bool{}
	for _, it := range taken {
		isTaken[it.Key] = true
	}
	err = db.View(ctx, func(tx okrcore.Tx) error {
		for _, k := range keys {
			it, err := tx.OutboxByKey("T1", k)
			if err != nil {
				return err
			}
			want := okrcore.OutboxSent
			if isTaken[k] {
				want = okrcore.OutboxSending // b's to reconcile; a's word is not recorded
			}
			if it.State != want {
				t.Errorf("%s is %s, want %s", k, it.State, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// refusing is a replica's store whose writes fail (a connection gone bad),
// while its lease and term calls, on the shared database, still answer.
type refusing struct{ *postgres.DB }

func (refusing) Update(context.Context, func(okrcore.Tx) error) error {
	return errors.New("connection reset")
}

// TestFailedDrainHandsOverTheTerm: a sender whose store refuses its
// marks stops with an error and resigns, so that another replica sends
// what is due at once rather than after the failed one's term (minutes).
func TestFailedDrainHandsOverTheTerm(t *testing.T) {
	db, c, _ := leasedOutbox(t, 40)
	p := &recorder{got: map[string]int{}}
	a := outbox.NewDispatcher(refusing{db}, byKey{}, outbox.Only(p), outbox.Options{Workers: 8, Now: c.now, Owner: "a", Claimer: db})
	if err := a.Drain(context.Background()); err == nil {
		t.Fatal("a drain whose marks were refused ended without an error")
	}
	// The term is a's for minutes unless it resigned; b waiting for it
	// would outlast this context.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b := replica(db, c, p, "b")
	if err := b.Drain(ctx); err != nil {
		t.Fatalf("b's drain after a failed: %v (a kept the term?)", err)
	}
	if b.Stats().Sent == 0 {
		t.Fatal("b sent nothing after a's drain failed")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, n := range p.got {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}
