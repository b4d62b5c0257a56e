package outbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// On a store several replicas share (a Claimer: storage/postgres), every
// write is a transaction of its own under the deployment's writers' lock:
// round trips to read the item and its lease, to write it and to commit,
// taken in turn. Two per message (sending before it leaves, its outcome
// after) would bound a fan-out by the database's pace, not the
// platform's. So the workers' marks are committed in groups: the first to
// arrive while no group is being committed commits every mark queued by
// then in one transaction, and those that arrive meanwhile form the next.
// Nothing is weakened: each worker still waits until its own mark is
// durable (an item is "sending" in the store before it leaves), and each
// mark checks its own item's lease inside the transaction that records
// it. A store that groups its writers' commits itself (storage/bolt, one
// process) is written a mark at a time, as before.

// markReq is one worker's mark waiting for its group's commit.
type markReq struct {
	it    *okrcore.OutboxItem
	state okrcore.OutboxState
	due   time.Time
	note  string

	done bool  // committed or refused (guarded by marks.mu)
	err  error // its own outcome
}

// marks queues the workers' marks and commits them in groups.
type marks struct {
	mu    sync.Mutex
	cond  sync.Cond
	queue []*markReq
	busy  bool // a group is being committed
}

// record returns when m is committed or refused (m.err). While a group
// is being committed, m waits for the next; the first of those waiting
// when it ends commits the next group itself.
func (g *marks) record(ctx context.Context, d *Dispatcher, m *markReq) {
	g.mu.Lock()
	g.queue = append(g.queue, m)
	for g.busy && !m.done {
		g.cond.Wait()
	}
	if m.done {
		g.mu.Unlock()
		return
	}
	group := g.queue
	g.queue, g.busy = nil, true
	g.mu.Unlock()

	d.commitMarks(ctx, group)

	g.mu.Lock()
	for _, r := range group {
		r.done = true
	}
	g.busy = false
	g.cond.Broadcast()
	g.mu.Unlock()
}

// markWrite bounds one commit of marks. It has a fresh context so that an
// item sent while shutting down is still recorded as sent.
const markWrite = 10 * time.Second

// commitMarks records a group of marks in one transaction, each with its
// own outcome: a mark refused (its lease taken over, its item gone) does
// not keep the others from being committed. When the transaction itself
// fails, each mark is tried on its own, so that a failure is only its
// own mark's.
func (d *Dispatcher) commitMarks(ctx context.Context, group []*markReq) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markWrite)
	defer cancel()
	if len(group) > 1 {
		err := d.store.Update(wctx, func(tx okrcore.Tx) error {
			curs, errs, err := d.readLeased(tx, group)
			if err != nil {
				return err
			}
			for i, m := range group {
				if m.err = errs[i]; m.err == nil {
					m.err = d.apply(tx, m, curs[i])
				}
			}
			return nil
		})
		if err == nil {
			return
		}
		d.log.Debug("outbox marks recorded one by one after their group failed", "marks", len(group), "err", err)
	}
	for _, m := range group {
		m.err = d.store.Update(wctx, func(tx okrcore.Tx) error { return d.apply(tx, m, nil) })
	}
}

// apply writes m's state on its item as tx stores it: cur, when read
// with its lease already (readLeased), else read here after the lease is
// checked (stillOurs).
func (d *Dispatcher) apply(tx okrcore.Tx, m *markReq, cur *okrcore.OutboxItem) error {
	it := m.it
	if cur == nil {
		if err := d.stillOurs(tx, it); err != nil {
			return err
		}
		var err error
		if cur, err = tx.OutboxItem(it.Workspace, it.ID); err != nil {
			return err
		}
	}
	cur.State, cur.DueAt, cur.Attempts, cur.LastError = m.state, m.due, it.Attempts, m.note
	cur.SentRef, cur.SentAt = it.SentRef, it.SentAt
	return tx.PutOutbox(cur)
}

// leasedTx is a transaction that reads several items of a workspace with
// their leases' owners in one round trip (storage/postgres): the items
// found, each with its owner ("" when no lease holds it).
type leasedTx interface {
	LeasedOutbox(ws string, ids []okrcore.ID) ([]*okrcore.OutboxItem, []string, error)
}

// readLeased reads a group's items with their leases, a round trip per
// workspace, when tx can: each mark's item (nil when apply is to read it
// itself: tx cannot, or the item was not found and apply says so) or its
// refusal (errLeaseLost).
func (d *Dispatcher) readLeased(tx okrcore.Tx, group []*markReq) ([]*okrcore.OutboxItem, []error, error) {
	curs, errs := make([]*okrcore.OutboxItem, len(group)), make([]error, len(group))
	lt, ok := tx.(leasedTx)
	if !ok {
		return curs, errs, nil
	}
	var order []string
	byWS := map[string][]int{}
	for i, m := range group {
		ws := m.it.Workspace
		if _, seen := byWS[ws]; !seen {
			order = append(order, ws)
		}
		byWS[ws] = append(byWS[ws], i)
	}
	for _, ws := range order {
		idx := byWS[ws]
		ids := make([]okrcore.ID, len(idx))
		for j, i := range idx {
			ids[j] = group[i].it.ID
		}
		items, owners, err := lt.LeasedOutbox(ws, ids)
		if err != nil {
			return nil, nil, fmt.Errorf("read outbox items and their leases: %w", err)
		}
		found := make(map[okrcore.ID]int, len(items))
		for j, it := range items {
			found[it.ID] = j
		}
		for _, i := range idx {
			j, ok := found[group[i].it.ID]
			switch {
			case !ok:
			case owners[j] != d.owner:
				errs[i] = errLeaseLost
			default:
				curs[i] = items[j]
			}
		}
	}
	return curs, errs, nil
}
