package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Several replicas on one database send through one of them at a time,
// the deployment's sender, and not each through a share of a pace kept in
// the database. The pace a platform allows is learned (aimd.go) from the
// sends that succeed, the rate they were delivered at, and each 429 with
// its Retry-After, all within milliseconds; shared through the database,
// every send would write that state on one hot row (a few hundred writes
// a second, each on the send's path), and a 429 one replica meets would
// reach the others only at their next read. One sender keeps the learned
// pace exactly as it is in one process. Nothing is lost by it: the
// platform, not the sender, is the bottleneck (one dispatcher's workers
// keep a fan-out within a few per cent of the platform's floor), and
// composing a message is a few store reads.
//
// The sender holds a term (Leader) of Lease, renewed every third of it
// while it drains, and resigns when it stops. When it dies, another
// replica takes the term once it has ended; the items the dead sender had
// claimed are reclaimed after their own leases and reconciled with the
// platform before they are sent again (deliver). A sender paused past its
// term (a stopped VM) may wake beside a new one: its items' leases keep
// either from sending an item twice, and stillOurs keeps it from
// overwriting what the new owner recorded.

// Leader is a store that names one dispatcher of the deployment as its
// sender at a time (storage/postgres).
type Leader interface {
	// LeadOutbox makes owner the sender until now+lease when no other
	// owner's term is live at now, or extends owner's own, and reports
	// whether owner is the sender.
	LeadOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (bool, error)
	// ResignOutbox ends owner's term, if it holds it.
	ResignOutbox(ctx context.Context, owner string) error
}

// standbyLook is how often a replica waiting to send looks at the outbox
// and the term: one read and one row a second per replica.
const standbyLook = time.Second

// drainLed drains as the deployment's sender, waiting to become it while
// another replica is and items are due. It keeps its term after a drain
// that ended well (the next drain, a minute later, renews it and keeps the
// pace it learned), and resigns when ctx ends or the drain failed, so that
// another replica takes over at once.
func (d *Dispatcher) drainLed(ctx context.Context) error {
	lctx, lost, stop, err := d.lead(ctx)
	if err != nil || lctx == nil {
		return err
	}
	err = d.drain(lctx)
	stop()
	if ctx.Err() != nil {
		d.resign(ctx)
		return ctx.Err()
	}
	if lost() {
		// Another replica sends now; what this one had in flight is
		// recorded or left to it (stillOurs).
		return nil
	}
	if err != nil {
		// The drain failed (this replica's store refused its marks):
		// another replica, whose connection may be sound, sends what is
		// due now instead of waiting out this one's term. What this one
		// holds is reclaimed when its leases end, and looked for on the
		// platform first.
		d.resign(ctx)
	}
	return err
}

// lead returns when this dispatcher is the sender, with a context that
// ends when its term does (another replica took it over, or it could not
// be renewed before it ended), lost to tell that apart, and stop to end
// the renewals. It returns a nil context when nothing is due while
// another replica sends.
func (d *Dispatcher) lead(ctx context.Context) (context.Context, func() bool, func(), error) {
	for {
		won, err := d.leader.LeadOutbox(ctx, d.owner, d.leaseNow(), d.lease)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, nil, ctx.Err()
			}
			return nil, nil, nil, fmt.Errorf("become the outbox's sender: %w", err)
		}
		if won {
			break
		}
		due, err := d.anyDue(ctx)
		if err != nil || !due {
			return nil, nil, nil, err
		}
		// Look again soon: the sender may have finished (nothing is due,
		// this drain is done), or died (its term ends within a lease).
		if err := sleepUntil(ctx, time.Now().Add(min(d.lease/3, standbyLook))); err != nil {
			return nil, nil, nil, err
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	t := &term{d: d, cancel: cancel, renewed: d.leaseNow()}
	var wg sync.WaitGroup
	wg.Go(func() { t.keep(lctx) })
	return lctx, t.wasLost, func() { cancel(); wg.Wait() }, nil
}

// anyDue reports whether an item is due, claimed or not.
func (d *Dispatcher) anyDue(ctx context.Context) (bool, error) {
	var due bool
	err := d.store.View(ctx, func(tx okrcore.Tx) error {
		items, err := tx.DueOutbox(d.now(), 1)
		due = len(items) > 0
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("read outbox: %w", err)
	}
	return due, nil
}

// term is the sender's term while it drains.
type term struct {
	d       *Dispatcher
	cancel  context.CancelFunc
	renewed time.Time // the last renewal that succeeded

	mu   sync.Mutex
	lost bool
}

// keep renews the term every third of a lease until ctx ends. A renewal
// refused (another replica holds the term) or none succeeding for a whole
// lease ends the drain: past its term, this replica is no longer the only
// sender.
func (t *term) keep(ctx context.Context) {
	d := t.d
	tick := time.NewTicker(d.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		won, err := d.leader.LeadOutbox(ctx, d.owner, d.leaseNow(), d.lease)
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && won:
			t.renewed = d.leaseNow()
			continue
		case err == nil:
			d.log.Warn("another replica became the outbox's sender; this one stops sending", "owner", d.owner)
		case d.leaseNow().Sub(t.renewed) < d.lease:
			d.log.Warn("outbox sender's term not renewed", "owner", d.owner, "err", err)
			continue
		default:
			d.log.Warn("outbox sender's term ended unrenewed; this one stops sending", "owner", d.owner, "err", err)
		}
		t.mu.Lock()
		t.lost = true
		t.mu.Unlock()
		t.cancel()
		return
	}
}

func (t *term) wasLost() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lost
}

// resign ends this dispatcher's term on shutdown.
func (d *Dispatcher) resign(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.leader.ResignOutbox(rctx, d.owner); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		d.log.Warn("outbox sender's term not resigned; another replica takes over when it ends", "owner", d.owner, "err", err)
	}
}
