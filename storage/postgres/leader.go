package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The outbox's sender is one replica at a time: the one whose row in
// leaders is live. It paces every send of the deployment (see
// outbox/leader.go for why one sender and not a pace shared row by row),
// and renews the row while it works; another replica takes the row only
// once it has ended, or at once when its holder resigns on shutdown.

// outboxLeader names the row.
var outboxLeader = []byte("outbox")

// LeadOutbox makes owner the outbox's sender until now+lease when no other
// owner holds it past now, or extends owner's own term, and reports
// whether owner is the sender. One statement: two replicas asking at
// once cannot both win.
func (db *DB) LeadOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (bool, error) {
	if err := db.leaseCheck(ctx, owner, lease); err != nil {
		return false, err
	}
	var got []byte
	err := db.pool.QueryRow(ctx, `INSERT INTO leaders (name, owner, until_ns) VALUES ($1, $2, $4)
		ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, until_ns = EXCLUDED.until_ns
		WHERE leaders.owner = EXCLUDED.owner OR leaders.until_ns <= $3
		RETURNING owner`, outboxLeader, []byte(owner), nanos(now), nanos(now.Add(lease))).Scan(&got)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("lead the outbox on %s: %w", db.where, err)
	}
	return string(got) == owner, nil
}

// ResignOutbox ends owner's term as the outbox's sender, if it holds it,
// so that another replica takes over without waiting for its end.
func (db *DB) ResignOutbox(ctx context.Context, owner string) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if _, err := db.pool.Exec(ctx, "DELETE FROM leaders WHERE name = $1 AND owner = $2", outboxLeader, []byte(owner)); err != nil {
		return fmt.Errorf("resign the outbox on %s: %w", db.where, err)
	}
	return nil
}
