package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Claimer is a store that leases due items to one dispatcher at a time
// (storage/postgres), so that the dispatchers of several replicas on one
// database never send an item twice. A store without it (storage/bolt,
// one process) is drained as before.
type Claimer interface {
	// ClaimOutbox leases to owner until now+lease up to limit open items
	// due at due that no lease holds at now, and returns them as stored:
	// one "sending" was handed to a platform by a dispatcher that is gone.
	// Due times are the bot's clock (a demo's stopped one), leases the
	// real one: another replica's life is measured in real time.
	ClaimOutbox(ctx context.Context, owner string, due, now time.Time, lease time.Duration, limit int) ([]*okrcore.OutboxItem, error)
	// RenewOutbox extends every open lease owner holds to now+lease.
	RenewOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error)
	// ReleaseOutbox ends every lease owner holds.
	ReleaseOutbox(ctx context.Context, owner string) (int, error)
}

// DefaultLease is how long a claimed item is the claiming replica's. It is
// renewed every third of it while the replica lives, so it bounds only how
// long the others wait for a replica that died: two minutes is well past
// one send's worst case (the platform call's own timeout, then sendGrace)
// and leaves two renewals to be late (a slow database, a paused process)
// before an item alive on its replica could be taken, while a dead
// replica's nudges are only two minutes late.
const DefaultLease = 2 * time.Minute

// NewOwner names this process as a lease owner: host, process and a
// random part, so that a restarted process (same host and pid in a
// container) is never taken for the one before it.
func NewOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "okrbot"
	}
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// claim leases up to n due items for this dispatcher.
func (d *Dispatcher) claim(ctx context.Context, n int) ([]*okrcore.OutboxItem, error) {
	items, err := d.claimer.ClaimOutbox(ctx, d.owner, d.now(), d.leaseNow(), d.lease, n)
	if err != nil {
		return nil, fmt.Errorf("claim outbox items: %w", err)
	}
	return items, nil
}

// renew keeps this dispatcher's leases alive until ctx ends, every third
// of a lease. A failed renewal is logged: the next may succeed before the
// lease ends.
func (d *Dispatcher) renew(ctx context.Context) {
	t := time.NewTicker(d.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := d.claimer.RenewOutbox(ctx, d.owner, d.leaseNow(), d.lease); err != nil && ctx.Err() == nil {
			d.log.Warn("outbox leases not renewed", "owner", d.owner, "err", err)
		}
	}
}

// release hands back, when a drain stops early, every lease this
// dispatcher still holds: the items no worker took, and those of a claim
// whose answer the shutdown cut off, which it never saw. Its workers are
// done by then, so nothing it holds is in flight.
func (d *Dispatcher) release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := d.claimer.ReleaseOutbox(rctx, d.owner); err != nil {
		d.log.Warn("outbox leases not handed back; other replicas take the items when the leases end", "owner", d.owner, "err", err)
	}
}

// leaseTx is a transaction of a Claimer's store that says who holds an
// item's lease (storage/postgres).
type leaseTx interface {
	OutboxLease(ws string, id okrcore.ID) (string, error)
}

// errLeaseLost is a dispatcher's record of an item refused because
// another replica holds the item now.
var errLeaseLost = errors.New("the item's lease is another replica's")

// stillOurs refuses, inside the transaction that records an item's
// state, an item whose lease another replica took over (this one was
// paused past the lease's end, or its renewals failed): its new owner
// reconciles it with the platform and records it, and this replica's
// late word must not overwrite that. A lease that ended but that nobody
// took is still this replica's to record: the outcome is true, and
// recording it spares the next claimer a reconciliation.
func (d *Dispatcher) stillOurs(tx okrcore.Tx, it *okrcore.OutboxItem) error {
	lt, ok := tx.(leaseTx)
	if d.claimer == nil || !ok {
		return nil
	}
	owner, err := lt.OutboxLease(it.Workspace, it.ID)
	if err != nil {
		return err
	}
	if owner != d.owner {
		return errLeaseLost
	}
	return nil
}
