package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// State entries keep their expiry as nanos (0 for never); an expired entry
// reads as not found until PurgeExpiredState deletes it.

func (t *pgTx) State(ws, k string) ([]byte, error) {
	ck := cacheKey{"state", ws, k}
	if c, ok := t.recall(ck); ok {
		if c.missing || c.exp != 0 && nanos(t.now()) >= c.exp {
			return nil, check.NotFound("get state", "Nothing is stored under %q.", k)
		}
		// A copy: the caller may change what it is given.
		return append([]byte{}, c.body...), nil
	}
	var value []byte
	var exp int64
	found, err := t.scan("get state", "SELECT value, expires_ns FROM state WHERE ws = $1 AND key = $2",
		[]any{[]byte(ws), []byte(k)}, &value, &exp)
	if err != nil {
		return nil, err
	}
	if found {
		t.remember(ck, append([]byte{}, value...), exp)
	}
	if !found || (exp != 0 && nanos(t.now()) >= exp) {
		return nil, check.NotFound("get state", "Nothing is stored under %q.", k)
	}
	if value == nil {
		value = []byte{}
	}
	return value, nil
}

// PutState stores value under key until expires (forever when zero).
func (t *pgTx) PutState(ws, k string, value []byte, expires time.Time) error {
	const op = "put state"
	if ws == "" {
		return check.Invalid(op, "The state entry has no workspace.")
	}
	if err := t.readOnly(op); err != nil {
		return err
	}
	var exp int64
	if !expires.IsZero() {
		exp = nanos(expires)
		if exp == 0 {
			exp = 1 // 0 means never
		}
	}
	// Cloned: the write is sent later, and the caller may reuse value.
	value = append([]byte{}, value...)
	t.remember(cacheKey{"state", ws, k}, value, exp)
	return t.queue(op, `INSERT INTO state (ws, key, value, expires_ns) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ws, key) DO UPDATE SET value = excluded.value, expires_ns = excluded.expires_ns`,
		[]byte(ws), []byte(k), value, exp)
}

func (t *pgTx) DeleteState(ws, k string) error {
	const op = "delete state"
	if err := t.readOnly(op); err != nil {
		return err
	}
	t.forget(cacheKey{"state", ws, k})
	return t.queue(op, "DELETE FROM state WHERE ws = $1 AND key = $2", []byte(ws), []byte(k))
}

// PurgeExpiredState deletes every State entry that expired at or before
// now, in transactions of bounded size, and returns how many it deleted.
func (db *DB) PurgeExpiredState(ctx context.Context, now time.Time) (int, error) {
	return db.purge(ctx, "purge expired state", `DELETE FROM state WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM state WHERE expires_ns <> 0 AND expires_ns <= $1 LIMIT $2))`, nanos(now))
}

// PurgeOutbox deletes sent, skipped and failed items created before
// before, in transactions of bounded size; open items are never deleted.
func (db *DB) PurgeOutbox(ctx context.Context, before time.Time) (int, error) {
	return db.purge(ctx, "purge old outbox items", `DELETE FROM outbox WHERE ctid = ANY (ARRAY(
		SELECT ctid FROM outbox WHERE NOT open AND created_ns < $1 LIMIT $2))`, nanos(before))
}

// purge runs a bounded delete until it deletes less than its bound: small
// transactions, so that a first purge of a year does not hold back writers.
func (db *DB) purge(ctx context.Context, op, sql string, arg int64) (int, error) {
	const chunk = 2000
	total := 0
	for {
		var n int64
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			var err error
			n, err = tx.(*pgTx).exec(op, sql, arg, chunk)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("%s: %w", op, err)
		}
		total += int(n)
		if n < chunk {
			return total, nil
		}
	}
}
