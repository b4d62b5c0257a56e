package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/okrbot/okrbot/okrcore"
)

// Drain sends every item that is due, and returns when none is left (items
// retried later stay pending with a later due time) or ctx ends.
//
// The next batch is read while the last items of the one before are still
// in flight, so that the workers never wait for a batch's slowest send: a
// fan-out of 10,000 is ten batches, and a pause at each would cost the
// pace a second or so each time. Items in flight are still open in the
// store, so they are known here and not handed out twice.
//
// With a Claimer, items are leased as workers come free (ahead of them on
// the deployment's sender, feedClaimed), so that another replica's
// dispatcher could drain the same outbox alongside, and the leases are
// renewed until Drain returns. When the Claimer is a Leader,
// only the deployment's sender drains (leader.go); Drain on another
// replica waits while items are due, in case the sender dies.
func (d *Dispatcher) Drain(ctx context.Context) error {
	d.draining.Lock()
	defer d.draining.Unlock()
	if d.leader != nil {
		return d.drainLed(ctx)
	}
	return d.drain(ctx)
}

func (d *Dispatcher) drain(ctx context.Context) error {
	if d.claimer != nil {
		rctx, stop := context.WithCancel(ctx)
		var renewing sync.WaitGroup
		renewing.Go(func() { d.renew(rctx) })
		defer func() { stop(); renewing.Wait() }()
	}
	r := &drainRun{d: d, inFlight: map[itemRef]bool{}, finished: map[itemRef]int{}, work: make(chan *okrcore.OutboxItem), done: make(chan struct{}, d.workers)}
	var wg sync.WaitGroup
	for range d.workers {
		wg.Go(func() { r.serve(ctx) })
	}
	err := r.feed(ctx)
	close(r.work)
	wg.Wait()
	if d.claimer != nil && ctx.Err() != nil {
		d.release(ctx)
	}
	if err != nil {
		return err
	}
	if err := r.failure(); err != nil {
		return err
	}
	return ctx.Err()
}

// itemRef names an outbox item across workspaces.
type itemRef struct {
	ws string
	id okrcore.ID
}

// drainRun is one Drain: the items handed to workers and not yet done, and
// the first store failure a worker met.
type drainRun struct {
	d    *Dispatcher
	work chan *okrcore.OutboxItem
	done chan struct{} // a worker finished an item

	mu       sync.Mutex
	inFlight map[itemRef]bool
	// finished are items done since a read began, by the count of items
	// done when each finished: a read that began before an item was
	// marked sent may still list it as due.
	finished map[itemRef]int
	count    int
	err      error
}

func (r *drainRun) serve(ctx context.Context) {
	for it := range r.work {
		err := r.d.deliver(ctx, it)
		if errors.Is(err, errLeaseLost) {
			r.d.log.Warn("outbox item left to the replica that took it over", "item", it.ID, "kind", it.Kind, "owner", r.d.owner)
			err = nil
		}
		r.mu.Lock()
		ref := itemRef{it.Workspace, it.ID}
		delete(r.inFlight, ref)
		r.count++
		r.finished[ref] = r.count
		if err != nil && ctx.Err() == nil && r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
		select {
		case r.done <- struct{}{}:
		default: // the feeder is not waiting: it reads again anyway
		}
	}
}

func (r *drainRun) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// feed reads due items and hands out those not in flight, until none is
// left, a worker failed, or ctx ends.
func (r *drainRun) feed(ctx context.Context) error {
	if r.d.claimer != nil {
		return r.feedClaimed(ctx)
	}
	for ctx.Err() == nil && r.failure() == nil {
		r.mu.Lock()
		busy, began := len(r.inFlight), r.count
		r.mu.Unlock()
		var items []*okrcore.OutboxItem
		err := r.d.store.View(ctx, func(tx okrcore.Tx) error {
			var err error
			// Those in flight come first (they were due first): read
			// past them.
			items, err = tx.DueOutbox(r.d.now(), r.d.batch+busy)
			return err
		})
		if err != nil {
			return fmt.Errorf("read outbox: %w", err)
		}
		fresh := items[:0]
		r.mu.Lock()
		for _, it := range items {
			ref := itemRef{it.Workspace, it.ID}
			if !r.inFlight[ref] && r.finished[ref] <= began {
				fresh = append(fresh, it)
			}
		}
		// Those done before this read began, it saw done.
		for ref, n := range r.finished {
			if n <= began {
				delete(r.finished, ref)
			}
		}
		busy = len(r.inFlight)
		r.mu.Unlock()
		if len(fresh) == 0 {
			if busy == 0 {
				return nil
			}
			// Only items in flight are due: wait for one to finish, as it
			// may leave others due (a retry) or the outbox empty.
			select {
			case <-r.done:
			case <-ctx.Done():
			}
			continue
		}
		for _, it := range spread(fresh) {
			r.mu.Lock()
			r.inFlight[itemRef{it.Workspace, it.ID}] = true
			r.mu.Unlock()
			select {
			case r.work <- it:
			case <-ctx.Done():
				r.mu.Lock()
				delete(r.inFlight, itemRef{it.Workspace, it.ID})
				r.mu.Unlock()
				return nil
			}
			if r.failure() != nil {
				return nil
			}
		}
	}
	return nil
}

// feedClaimed leases due items and hands them out as workers come free,
// until none is left to claim and none is in flight, a worker failed, or
// ctx ends. The deployment's sender (a Leader's) keeps up to two
// workers' worth of items claimed ahead, and claims a worker's worth more
// while the workers send, so that a worker coming free never waits for a
// claim's round trip and a claim takes many items in one statement; no
// other replica sends meanwhile, so nothing waits here that another would
// have sent. Without a Leader, each replica claims no
// more than its free workers take, so that a claimed item does not wait
// in this process while another replica is idle.
func (r *drainRun) feedClaimed(ctx context.Context) error {
	ahead := r.d.workers
	if r.d.leader != nil {
		ahead *= 3
	}
	var (
		ready    []*okrcore.OutboxItem // claimed, not yet handed out
		claiming chan claimed          // the claim under way, if any
		dry      bool                  // the last claim found less than it asked for
	)
	for {
		r.mu.Lock()
		held := len(r.inFlight) // claimed and not done, ready included
		r.mu.Unlock()
		if ctx.Err() != nil || r.failure() != nil {
			if claiming != nil {
				if c := <-claiming; c.err == nil {
					ready = append(ready, c.items...)
				}
			}
			return r.putBack(ctx, ready)
		}
		// Claim again once a worker's worth has gone out, or at once when
		// nothing is ready.
		if want := ahead - held; claiming == nil && !dry && want > 0 && (want >= r.d.workers || len(ready) == 0) {
			claiming = make(chan claimed, 1)
			go func() {
				items, err := r.d.claim(ctx, want)
				claiming <- claimed{items, want, err}
			}()
		}
		if claiming == nil && len(ready) == 0 && held == 0 {
			return nil
		}
		var work chan *okrcore.OutboxItem
		var next *okrcore.OutboxItem
		if len(ready) > 0 {
			work, next = r.work, ready[0]
		}
		select {
		case work <- next:
			ready = ready[1:]
		case c := <-claiming:
			claiming = nil
			if c.err != nil {
				if ctx.Err() != nil {
					continue
				}
				_ = r.putBack(ctx, ready)
				return c.err
			}
			dry = len(c.items) < c.want
			r.mu.Lock()
			for _, it := range c.items {
				r.inFlight[itemRef{it.Workspace, it.ID}] = true
			}
			r.mu.Unlock()
			ready = append(ready, spread(c.items)...)
		case <-r.done:
			// A worker is free, and what it did may leave an item due
			// again (a retry at once).
			dry = false
		case <-ctx.Done():
		}
	}
}

// claimed is a claim's answer.
type claimed struct {
	items []*okrcore.OutboxItem
	want  int
	err   error
}

// putBack ends the lease of claimed items no worker took before shutdown,
// so that another replica sends them now rather than after the lease. One
// in doubt (a replica before this one died sending it) keeps its lease:
// putting it back to pending would lose that it is to be reconciled.
func (r *drainRun) putBack(ctx context.Context, items []*okrcore.OutboxItem) error {
	for _, it := range items {
		if it.State != okrcore.OutboxPending {
			continue
		}
		if err := r.d.mark(ctx, it, okrcore.OutboxPending, it.DueAt, it.LastError); err != nil && !errors.Is(err, errLeaseLost) {
			return err
		}
	}
	return nil
}
