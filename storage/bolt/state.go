package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// State values are stored as 8 bytes of expiry (timeBits, 0 for never)
// followed by the value. idx_state_expiry holds "expiry str(ws) str(key)"
// for entries that expire, so purging walks only what is due.

func errReadOnlyOp(op string) error { return fmt.Errorf("%s: %w", op, errReadOnly) }

func jsonEncode(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return data, nil
}

// lazyPurge is how many due entries a PutState removes on the side.
const lazyPurge = 4

func stateKey(ws, k string) key { return newKey(ws).str(k) }

func (t *boltTx) State(ws, k string) ([]byte, error) {
	b, err := t.bucket(bucketState)
	if err != nil {
		return nil, err
	}
	v := b.Get(stateKey(ws, k))
	if len(v) < 8 || expired(u64At(v, 0), t.now()) {
		return nil, check.NotFound("get state", "Nothing is stored under %q.", k)
	}
	return bytes.Clone(v[8:]), nil
}

func expired(exp uint64, now time.Time) bool { return exp != 0 && timeBits(now) >= exp }

// PutState stores value under key until expires (forever when zero).
func (t *boltTx) PutState(ws, k string, value []byte, expires time.Time) error {
	const op = "put state"
	if ws == "" {
		return check.Invalid(op, "The state entry has no workspace.")
	}
	if !t.tx.Writable() {
		return errReadOnlyOp(op)
	}
	b, err := t.bucket(bucketState)
	if err != nil {
		return err
	}
	exp, err := t.bucket(idxStateExpiry)
	if err != nil {
		return err
	}
	sk := stateKey(ws, k)
	if err := t.dropState(b, exp, sk); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	var bits uint64
	if !expires.IsZero() {
		bits = timeBits(expires)
		if err := exp.Put(key(nil).u64(bits).append(sk), nil); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	v := make([]byte, 8, 8+len(value))
	binary.BigEndian.PutUint64(v, bits)
	if err := b.Put(sk, append(v, value...)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := purgeState(b, exp, t.now(), lazyPurge); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (t *boltTx) DeleteState(ws, k string) error {
	const op = "delete state"
	if !t.tx.Writable() {
		return errReadOnlyOp(op)
	}
	b, err := t.bucket(bucketState)
	if err != nil {
		return err
	}
	exp, err := t.bucket(idxStateExpiry)
	if err != nil {
		return err
	}
	if err := t.dropState(b, exp, stateKey(ws, k)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// dropState deletes one entry and its expiry index entry, if any.
func (t *boltTx) dropState(b, exp *bbolt.Bucket, sk key) error {
	old := b.Get(sk)
	if old == nil {
		return nil
	}
	if bits := u64At(old, 0); bits != 0 {
		if err := exp.Delete(key(nil).u64(bits).append(sk)); err != nil {
			return err
		}
	}
	return b.Delete(sk)
}

// purgeState deletes up to max entries (all when max <= 0) that expired at
// or before now.
func purgeState(b, exp *bbolt.Bucket, now time.Time, max int) (int, error) {
	nowBits := timeBits(now)
	var due [][]byte
	c := exp.Cursor()
	for k, _ := c.First(); k != nil && u64At(k, 0) <= nowBits; k, _ = c.Next() {
		due = append(due, bytes.Clone(k))
		if max > 0 && len(due) >= max {
			break
		}
	}
	for _, k := range due {
		sk := k[8:]
		if v := b.Get(sk); v != nil && u64At(v, 0) == u64At(k, 0) {
			if err := b.Delete(sk); err != nil {
				return 0, err
			}
		}
		if err := exp.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// PurgeExpiredState deletes every State entry that expired at or before
// now, in transactions of bounded size, and returns how many it deleted.
func (db *DB) PurgeExpiredState(ctx context.Context, now time.Time) (int, error) {
	const chunk = 10000
	total := 0
	for {
		n := 0
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			t := tx.(*boltTx)
			b, err := t.bucket(bucketState)
			if err != nil {
				return err
			}
			exp, err := t.bucket(idxStateExpiry)
			if err != nil {
				return err
			}
			n, err = purgeState(b, exp, now, chunk)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("purge expired state: %w", err)
		}
		total += n
		if n < chunk {
			return total, nil
		}
	}
}
