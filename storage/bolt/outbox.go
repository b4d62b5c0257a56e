package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// The outbox is a record kind like the others (JSON under str(ws) id, IDs
// from a per-workspace sequence) with two indexes:
//
//   - idx_outbox_key holds "str(ws) str(key) id" for every item; at most
//     one entry per (ws, key), which is what makes AddOutbox idempotent;
//   - idx_outbox_due holds "due str(ws) id" for open items only (pending
//     or sending), across workspaces, so DueOutbox is one cursor walk in
//     the order (due, ws, id) that stops at the first item not yet due.
//
// The number of open items is kept in the meta bucket under outbox_open,
// changed in the same transaction as the items, so that OpenOutbox (read
// by every metrics scrape) costs two lookups, not a walk of the index.
// A rolled-back transaction discards the counter's change with the rest.

var outboxKind = &kind[okrcore.OutboxItem]{
	name:   "outbox item",
	bucket: bucketOutbox,
	seq:    "outbox",
	missing: func(id okrcore.ID) string {
		return "I can't find scheduled message " + strconv.FormatUint(uint64(id), 10) + "."
	},
	ws: func(it *okrcore.OutboxItem) string { return it.Workspace },
	id: func(it *okrcore.OutboxItem) *okrcore.ID { return &it.ID },
	indexes: func(it *okrcore.OutboxItem) []ikey {
		ix := []ikey{{idxOutboxKey, newKey(it.Workspace).str(it.Key).id(it.ID)}}
		if it.State.Open() {
			ix = append(ix, ikey{idxOutboxDue, dueKey(it)})
		}
		return ix
	},
	replace: func(t *boltTx, old, it *okrcore.OutboxItem) error {
		if old != nil && old.Key != it.Key {
			return check.Invalid("put outbox item", "A scheduled message keeps its key: %q cannot become %q.", old.Key, it.Key)
		}
		return nil
	},
	written: func(t *boltTx, old, it *okrcore.OutboxItem) error {
		delta := 0
		if old != nil && old.State.Open() {
			delta--
		}
		if it.State.Open() {
			delta++
		}
		return t.addOpenOutbox(delta)
	},
}

func dueKey(it *okrcore.OutboxItem) key {
	return key(nil).time(it.DueAt).str(it.Workspace).id(it.ID)
}

// dueEntry reads the workspace and ID of an idx_outbox_due key.
func dueEntry(k []byte) (string, okrcore.ID, error) {
	ws, next, ok := strAt(k, 8)
	if !ok || next+8 != len(k) {
		return "", 0, fmt.Errorf("index %s: malformed entry %x", idxOutboxDue, k)
	}
	return ws, lastID(k), nil
}

// AddOutbox stores it unless an item with its Key exists in its workspace.
//
// When one exists it returns false, writes nothing, and sets it.ID to the
// stored item's ID; the other fields of it are left as the caller made
// them, so they are not the stored item's: read it with OutboxItem before
// changing it. Like an assigned ID, an ID set that way from zero is reset
// to zero when the transaction rolls back.
//
// Otherwise it stores it and returns true: under the next ID of the
// workspace when it.ID is zero, or under it.ID (as for other kinds; an ID
// taken by an item of another key is KindConflict). An empty State is
// stored, and set on it, as pending.
func (t *boltTx) AddOutbox(it *okrcore.OutboxItem) (bool, error) {
	const op = "add outbox item"
	if !t.tx.Writable() {
		return false, errReadOnlyOp(op)
	}
	if err := check.Outbox(op, it); err != nil {
		return false, err
	}
	ids, err := t.scanIDs(idxOutboxKey, newKey(it.Workspace).str(it.Key), false, 1, nil)
	if err != nil {
		return false, err
	}
	if len(ids) > 0 {
		if it.ID == 0 {
			t.assigned = append(t.assigned, &it.ID)
		}
		it.ID = ids[0]
		return false, nil
	}
	if it.ID != 0 {
		b, err := t.bucket(bucketOutbox)
		if err != nil {
			return false, err
		}
		if b.Get(newKey(it.Workspace).id(it.ID)) != nil {
			return false, check.Conflict(op, "Scheduled message %d already exists under another key.", it.ID)
		}
	}
	check.DefaultState(it)
	if err := put(t, outboxKind, it); err != nil {
		return false, err
	}
	return true, nil
}

func (t *boltTx) OutboxItem(ws string, id okrcore.ID) (*okrcore.OutboxItem, error) {
	return get(t, outboxKind, ws, id)
}

func (t *boltTx) OutboxByKey(ws, k string) (*okrcore.OutboxItem, error) {
	missing := func() error { return check.NotFound("get outbox item", "Nothing is scheduled under %q.", k) }
	if k == "" {
		return nil, missing()
	}
	return first(t, outboxKind, ws, idxOutboxKey, newKey(ws).str(k), missing)
}

// PutOutbox replaces a stored item. The item must exist (KindNotFound
// otherwise; an ID of zero is KindInvalid: items are created by AddOutbox)
// and keep its Key (KindInvalid otherwise). Its due index entry moves with
// DueAt and State and goes when the item is no longer open.
func (t *boltTx) PutOutbox(it *okrcore.OutboxItem) error {
	const op = "put outbox item"
	if err := check.Outbox(op, it); err != nil {
		return err
	}
	if !t.tx.Writable() {
		return errReadOnlyOp(op)
	}
	if it.ID == 0 {
		return check.Invalid(op, "A scheduled message is added with AddOutbox before it can be changed.")
	}
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	if b.Get(newKey(it.Workspace).id(it.ID)) == nil {
		return check.NotFound(op, "%s", outboxKind.missing(it.ID))
	}
	check.DefaultState(it)
	return put(t, outboxKind, it)
}

// DueOutbox walks idx_outbox_due from its start up to now.
func (t *boltTx) DueOutbox(now time.Time, limit int) ([]*okrcore.OutboxItem, error) {
	b, err := t.bucket(idxOutboxDue)
	if err != nil {
		return nil, err
	}
	until := timeBits(now)
	var out []*okrcore.OutboxItem
	c := b.Cursor()
	for k, _ := c.First(); k != nil && u64At(k, 0) <= until; k, _ = c.Next() {
		it, err := t.dueItem(k)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// dueItem loads the item of an idx_outbox_due entry.
func (t *boltTx) dueItem(k []byte) (*okrcore.OutboxItem, error) {
	ws, id, err := dueEntry(k)
	if err != nil {
		return nil, err
	}
	it, err := get(t, outboxKind, ws, id)
	if err != nil {
		if okrcore.IsNotFound(err) {
			return nil, fmt.Errorf("index %s: entry for missing outbox item %s/%d", idxOutboxDue, ws, id)
		}
		return nil, err
	}
	if !it.State.Open() {
		return nil, fmt.Errorf("index %s: entry for outbox item %s/%d in state %s", idxOutboxDue, ws, id, it.State)
	}
	return it, nil
}

// OpenOutbox reads the counter and the first entry of idx_outbox_due.
func (t *boltTx) OpenOutbox() (int, time.Time, error) {
	n, err := t.openOutbox()
	if err != nil {
		return 0, time.Time{}, err
	}
	b, err := t.bucket(idxOutboxDue)
	if err != nil {
		return 0, time.Time{}, err
	}
	k, _ := b.Cursor().First()
	if k == nil {
		return n, time.Time{}, nil
	}
	it, err := t.dueItem(k)
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, it.DueAt, nil
}

// openOutbox reads the count of open items; a missing counter is zero.
func (t *boltTx) openOutbox() (int, error) {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return 0, err
	}
	return int(u64At(meta.Get(keyOutboxOpen), 0)), nil
}

// addOpenOutbox changes the count of open items by delta. It stops at
// zero rather than wrap: a wrong count is for `okrbot check` to report,
// not a reason to refuse the write that found it.
func (t *boltTx) addOpenOutbox(delta int) error {
	if delta == 0 {
		return nil
	}
	n, err := t.openOutbox()
	if err != nil {
		return err
	}
	n = max(n+delta, 0)
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(keyOutboxOpen, binary.BigEndian.AppendUint64(nil, uint64(n)))
}

// PurgeOutbox deletes sent, skipped and failed items created before before,
// in transactions of bounded size, and returns how many it deleted: without
// it the outbox grows by about two items per person per week for good.
// Open items are never deleted, however old. Item ids grow with time, so
// each workspace is read from its oldest item up to the first one created
// at or after before.
func (db *DB) PurgeOutbox(ctx context.Context, before time.Time) (int, error) {
	// Small transactions: a first purge of a year's items must not hold
	// the one writer for long while people check in.
	const chunk = 2000
	total := 0
	for {
		n := 0
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			n = 0
			t := tx.(*boltTx)
			wss, err := t.Workspaces()
			if err != nil {
				return err
			}
			b, err := t.bucket(bucketOutbox)
			if err != nil {
				return err
			}
			for _, w := range wss {
				var ids []okrcore.ID
				prefix := newKey(w.ID)
				c := b.Cursor()
				for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && n+len(ids) < chunk; k, v = c.Next() {
					it, err := decode(outboxKind, v)
					if err != nil {
						return err
					}
					if !it.CreatedAt.Before(before) {
						break
					}
					if !it.State.Open() {
						ids = append(ids, it.ID)
					}
				}
				// Deleted after the walk: deleting under a bbolt cursor
				// skips keys.
				for _, id := range ids {
					if err := remove(t, outboxKind, w.ID, id); err != nil {
						return err
					}
				}
				n += len(ids)
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("purge old outbox items: %w", err)
		}
		total += n
		if n < chunk {
			return total, nil
		}
	}
}
