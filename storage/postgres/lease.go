package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// The outbox lease lets the dispatchers of several replicas share one
// outbox: each claims due items for itself (lease_owner) until a time
// (lease_until_ns), and no other claims them before then. A claim does
// not touch the item's body: the dispatcher still marks it "sending"
// just before it leaves, so an item reclaimed from a replica that died
// says whether it may have reached the platform ("sending": reconcile
// first) or certainly did not ("pending").

// ClaimOutbox leases up to limit open items due at due whose lease (if
// any) has ended at now, to owner until now+lease, and returns them as
// stored,
// oldest due first. Rows another claim is taking at the same moment are
// skipped rather than waited for, so two replicas claiming together get
// different items.
func (db *DB) ClaimOutbox(ctx context.Context, owner string, due, now time.Time, lease time.Duration, limit int) ([]*okrcore.OutboxItem, error) {
	if err := db.leaseCheck(ctx, owner, lease); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	// One statement, so the rows are locked, leased and committed
	// together: there is no moment at which two claimers both see an
	// item free.
	rows, err := db.pool.Query(ctx, `UPDATE outbox o SET lease_owner = $1, lease_until_ns = $3
		FROM (SELECT ws, id FROM outbox WHERE open AND due_ns <= $5 AND lease_until_ns <= $2
			ORDER BY due_ns, ws, id LIMIT $4 FOR UPDATE SKIP LOCKED) c
		WHERE o.ws = c.ws AND o.id = c.id
		RETURNING o.body`, []byte(owner), nanos(now), nanos(now.Add(lease)), limit, nanos(due))
	if err != nil {
		return nil, fmt.Errorf("claim outbox items on %s: %w", db.where, err)
	}
	var bodies [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim outbox items on %s: %w", db.where, err)
		}
		bodies = append(bodies, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox items on %s: %w", db.where, err)
	}
	items, err := decodeAll[okrcore.OutboxItem]("outbox item", bodies)
	if err != nil {
		return nil, err
	}
	// RETURNING keeps no order.
	slices.SortFunc(items, func(a, b *okrcore.OutboxItem) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		if a.Workspace != b.Workspace {
			if a.Workspace < b.Workspace {
				return -1
			}
			return 1
		}
		return int(a.ID) - int(b.ID)
	})
	return items, nil
}

// RenewOutbox extends to now+lease the lease of every open item owner
// holds, and returns how many there were. A dispatcher renews while it
// works, so that an item waiting out a rate limit is not taken from a
// replica that is alive.
func (db *DB) RenewOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error) {
	if err := db.leaseCheck(ctx, owner, lease); err != nil {
		return 0, err
	}
	tag, err := db.pool.Exec(ctx, "UPDATE outbox SET lease_until_ns = $2 WHERE open AND lease_owner = $1 AND lease_until_ns <> 0",
		[]byte(owner), nanos(now.Add(lease)))
	if err != nil {
		return 0, fmt.Errorf("renew outbox leases on %s: %w", db.where, err)
	}
	return int(tag.RowsAffected()), nil
}

// ReleaseOutbox ends every lease owner holds, and returns how many there
// were: a dispatcher that stops hands back what it claimed, including a
// claim whose answer its shutdown cut off (committed here, never seen
// there). An item it had marked "sending" stays so, for the next claimer
// to look for on the platform first.
func (db *DB) ReleaseOutbox(ctx context.Context, owner string) (int, error) {
	if err := db.leaseCheck(ctx, owner, time.Second); err != nil {
		return 0, err
	}
	tag, err := db.pool.Exec(ctx, "UPDATE outbox SET lease_owner = NULL, lease_until_ns = 0 WHERE open AND lease_owner = $1 AND lease_until_ns <> 0",
		[]byte(owner))
	if err != nil {
		return 0, fmt.Errorf("release outbox leases on %s: %w", db.where, err)
	}
	return int(tag.RowsAffected()), nil
}

func (db *DB) leaseCheck(ctx context.Context, owner string, lease time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case db.closed.Load():
		return ErrClosed
	case owner == "":
		return check.Invalid("lease outbox items", "A lease needs an owner.")
	case lease <= 0:
		return check.Invalid("lease outbox items", "A lease of %v would end before it began.", lease)
	}
	return nil
}

// releaseLease ends the lease of an item that went back to pending (a
// retry later, or a shutdown before it left), so that any replica may take
// it when it is due again instead of after the lease.
func (t *pgTx) releaseLease(op string, it *okrcore.OutboxItem) error {
	// Queued with the put: it costs no round trip of its own.
	return t.queue(op, "UPDATE outbox SET lease_owner = NULL, lease_until_ns = 0 WHERE ws = $1 AND id = $2 AND lease_until_ns <> 0",
		[]byte(it.Workspace), int64(it.ID))
}

// OutboxLease is the owner of an item's lease, "" when none holds it: a
// dispatcher asks before it records a send's outcome, in the transaction
// that records it, so that a replica whose lease was taken over (it was
// paused past its end, its renewals failed) leaves the item to its new
// owner. A claim taking the row after this read makes the transaction's
// write conflict, and Update runs it again to read the new owner.
func (t *pgTx) OutboxLease(ws string, id okrcore.ID) (string, error) {
	var owner []byte
	found, err := t.scan("read an outbox lease", "SELECT lease_owner FROM outbox WHERE ws = $1 AND id = $2",
		[]any{[]byte(ws), int64(id)}, &owner)
	if err != nil {
		return "", err
	}
	if !found {
		return "", check.NotFound("read an outbox lease", "%s", outboxKind.missing(id))
	}
	return string(owner), nil
}

// LeasedOutbox reads the items of ws among ids with their leases' owners
// ("" when no lease holds one) in one round trip: the dispatcher records
// a group of outcomes in one transaction, each only while its lease is
// the dispatcher's (outbox/record.go). An ID not stored is left out.
func (t *pgTx) LeasedOutbox(ws string, ids []okrcore.ID) ([]*okrcore.OutboxItem, []string, error) {
	const op = "read outbox items and their leases"
	ns := make([]int64, len(ids))
	for i, id := range ids {
		ns[i] = int64(id)
	}
	var bodies, owners [][]byte
	err := t.roundTrip(op, "SELECT body, lease_owner FROM outbox WHERE ws = $1 AND id = ANY ($2) ORDER BY id",
		[]any{[]byte(ws), ns}, func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var body, owner []byte
				if err := rows.Scan(&body, &owner); err != nil {
					return err
				}
				bodies, owners = append(bodies, body), append(owners, owner)
			}
			return rows.Err()
		})
	if err != nil {
		return nil, nil, err
	}
	items, err := decodeAll[okrcore.OutboxItem]("outbox item", bodies)
	if err != nil {
		return nil, nil, err
	}
	who := make([]string, len(items))
	for i, it := range items {
		t.sawOutbox(ws, it.ID, it.Key)
		who[i] = string(owners[i])
	}
	return items, who, nil
}
