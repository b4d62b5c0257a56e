package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/reccodec"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// boltTx implements okrcore.Tx on one bbolt transaction. Every value read
// from bbolt is decoded or copied before the method returns.
type boltTx struct {
	tx  *bbolt.Tx
	now func() time.Time
	// jsonRecords writes every record as JSON, as schema versions before
	// compactVersion did: only for a test that makes a file of such a
	// version.
	jsonRecords bool
	// workspaces are those read or written in this transaction, decoded
	// (see Workspace).
	workspaces map[string]*okrcore.Workspace
	ciPrefixes map[string]key // the workspaces' check-in prefixes (wsPrefix)
	// assigned are the IDs this run gave to new records, reset to zero
	// when the transaction rolls back.
	assigned []*okrcore.ID
}

var _ okrcore.Tx = (*boltTx)(nil)

func (t *boltTx) resetAssigned() {
	for _, p := range t.assigned {
		*p = 0
	}
	t.assigned = nil
}

var errReadOnly = errors.New("write in a read-only transaction")

func (t *boltTx) bucket(name []byte) (*bbolt.Bucket, error) {
	b := t.tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("bucket %s missing", name)
	}
	return b, nil
}

// fold is the case-insensitive form of a name used by name indexes.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ikey is one index entry: a key in an index bucket.
type ikey struct {
	bucket []byte
	key    key
}

// kind describes how one record type is stored.
type kind[T any] struct {
	name    string // for errors: "key result"
	bucket  []byte
	seq     string // sequence name
	missing func(id okrcore.ID) string
	ws      func(*T) string
	id      func(*T) *okrcore.ID
	indexes func(*T) []ikey
	// encode and decode are the record's compact form (reccodec), for the
	// kinds every view reads; nil keeps a kind in JSON. decode is given
	// the workspace its caller expects, "" when it does not know.
	encode func(b []byte, rec *T) []byte
	decode func(v []byte, ws string, rec *T) error
	// check runs before a put and may refuse it (uniqueness).
	check func(t *boltTx, rec *T) error
	// replace runs before a put writes anything, with the stored record
	// (nil when there is none), and may refuse the change.
	replace func(t *boltTx, old, rec *T) error
	// written runs after a put stored rec in place of old (nil when there
	// was none), to keep derived values such as counters in step.
	written func(t *boltTx, old, rec *T) error
}

func (k *kind[T]) notFound(id okrcore.ID) error {
	return check.NotFound("get "+k.name, "%s", k.missing(id))
}

func get[T any](t *boltTx, k *kind[T], ws string, id okrcore.ID) (*T, error) {
	return getAt(t, k, ws, id, newKey(ws))
}

// getAt is get under p, newKey(ws) with room for the ID: a reader of
// many records of one workspace makes it once (each key is written in
// its spare capacity, and bbolt keeps no key it is given to look up).
func getAt[T any](t *boltTx, k *kind[T], ws string, id okrcore.ID, p key) (*T, error) {
	b, err := t.bucket(k.bucket)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, k.notFound(id)
	}
	v := b.Get(p.id(id))
	if v == nil {
		return nil, k.notFound(id)
	}
	rec, err := decodeIn(k, v, ws)
	if err != nil {
		return nil, err
	}
	if k.ws(rec) != ws || *k.id(rec) != id {
		return nil, fmt.Errorf("get %s %d: stored record is %s/%d", k.name, id, k.ws(rec), *k.id(rec))
	}
	return rec, nil
}

func decode[T any](k *kind[T], v []byte) (*T, error) { return decodeIn(k, v, "") }

// decodeIn reads a stored value of k, in its compact form or as JSON (a
// file not yet converted, see compactRecords); ws is the workspace the
// caller expects, whose string the record then shares.
func decodeIn[T any](k *kind[T], v []byte, ws string) (*T, error) {
	rec := new(T)
	if k.decode != nil && reccodec.IsCompact(v) {
		if err := k.decode(v, ws, rec); err != nil {
			return nil, err
		}
		return rec, nil
	}
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k.name, err)
	}
	return rec, nil
}

// encodeFor is rec as t stores it.
func encodeFor[T any](t *boltTx, k *kind[T], rec *T) ([]byte, error) {
	if k.encode != nil && !t.jsonRecords {
		return k.encode(nil, rec), nil
	}
	return json.Marshal(rec)
}

// put creates rec when its ID is zero and replaces it otherwise, keeping
// its index entries in step with its fields. A record stored under an
// explicit new ID moves the sequence past it.
func put[T any](t *boltTx, k *kind[T], rec *T) error {
	op := "put " + k.name
	if rec == nil {
		return check.Invalid(op, "There is no %s to save.", k.name)
	}
	if !t.tx.Writable() {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	ws := k.ws(rec)
	if ws == "" {
		return check.Invalid(op, "The %s has no workspace.", k.name)
	}
	b, err := t.bucket(k.bucket)
	if err != nil {
		return err
	}
	idp := k.id(rec)
	if k.check != nil {
		if err := k.check(t, rec); err != nil {
			return err
		}
	}
	var old *T
	id := *idp
	if id != 0 {
		if v := b.Get(newKey(ws).id(id)); v != nil {
			if old, err = decode[T](k, v); err != nil {
				return err
			}
		}
	}
	if k.replace != nil {
		if err := k.replace(t, old, rec); err != nil {
			return err
		}
	}
	if id == 0 {
		if id, err = t.nextID(ws, k.seq); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	} else if old == nil {
		if err := t.bumpID(ws, k.seq, id); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	created := *idp == 0
	*idp = id
	if err := writeRecord(t, b, k, ws, id, old, rec); err != nil {
		if created {
			*idp = 0
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	if created {
		t.assigned = append(t.assigned, idp)
	}
	if k.written != nil {
		if err := k.written(t, old, rec); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	return nil
}

// recordFill is how full a page of records is left when it splits. New
// records come in ID order, so bbolt's default of half would leave every
// page of a bulk load half empty; a tenth is kept for records that grow
// when they change.
const recordFill = 0.9

// writeRecord stores rec and moves its index entries from those of old.
func writeRecord[T any](t *boltTx, b *bbolt.Bucket, k *kind[T], ws string, id okrcore.ID, old, rec *T) error {
	data, err := encodeFor(t, k, rec)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	var newIdx, oldIdx []ikey
	if k.indexes != nil {
		newIdx = k.indexes(rec)
		if old != nil {
			oldIdx = k.indexes(old)
		}
	}
	if err := t.moveIndexes(oldIdx, newIdx); err != nil {
		return err
	}
	b.FillPercent = recordFill
	return b.Put(newKey(ws).id(id), data)
}

// remove deletes a record and its index entries.
func remove[T any](t *boltTx, k *kind[T], ws string, id okrcore.ID) error {
	op := "delete " + k.name
	if !t.tx.Writable() {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	old, err := get(t, k, ws, id)
	if err != nil {
		return err
	}
	b, err := t.bucket(k.bucket)
	if err != nil {
		return err
	}
	if k.indexes != nil {
		if err := t.moveIndexes(k.indexes(old), nil); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := b.Delete(newKey(ws).id(id)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// discard is remove for rolling back an import: a record that is not
// there is already rolled back, so a rollback that crashed can run again.
func discard[T any](t *boltTx, k *kind[T], ws string, id okrcore.ID) error {
	if err := remove(t, k, ws, id); err != nil && !okrcore.IsNotFound(err) {
		return err
	}
	return nil
}

// moveIndexes deletes the entries of old that are not in new and adds the
// entries of new that are not in old.
func (t *boltTx) moveIndexes(old, new []ikey) error {
	in := func(set []ikey, e ikey) bool {
		for _, o := range set {
			if bytes.Equal(o.bucket, e.bucket) && bytes.Equal(o.key, e.key) {
				return true
			}
		}
		return false
	}
	for _, e := range old {
		if in(new, e) {
			continue
		}
		b, err := t.bucket(e.bucket)
		if err != nil {
			return err
		}
		if err := b.Delete(e.key); err != nil {
			return fmt.Errorf("index %s: %w", e.bucket, err)
		}
	}
	for _, e := range new {
		if in(old, e) {
			continue
		}
		b, err := t.bucket(e.bucket)
		if err != nil {
			return err
		}
		if err := b.Put(e.key, nil); err != nil {
			return fmt.Errorf("index %s: %w", e.bucket, err)
		}
	}
	return nil
}

// list returns every record of a kind in a workspace, in ID order.
func list[T any](t *boltTx, k *kind[T], ws string) ([]*T, error) {
	b, err := t.bucket(k.bucket)
	if err != nil {
		return nil, err
	}
	prefix := newKey(ws)
	var out []*T
	c := b.Cursor()
	for key, v := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, v = c.Next() {
		if len(key) != len(prefix)+8 {
			continue
		}
		rec, err := decodeIn(k, v, ws)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// scanIDs returns the record IDs that end the keys under prefix in an index,
// in key order, or in reverse key order when backward. It stops early when
// keep returns false for a key; limit <= 0 means no limit.
func (t *boltTx) scanIDs(index []byte, prefix key, backward bool, limit int, keep func(k []byte) bool) ([]okrcore.ID, error) {
	b, err := t.bucket(index)
	if err != nil {
		return nil, err
	}
	var ids []okrcore.ID
	c := b.Cursor()
	k := seekPrefix(c, prefix, backward)
	for k != nil && bytes.HasPrefix(k, prefix) {
		if keep != nil && !keep(k) {
			break
		}
		ids = append(ids, lastID(k))
		if limit > 0 && len(ids) >= limit {
			break
		}
		if backward {
			k, _ = c.Prev()
		} else {
			k, _ = c.Next()
		}
	}
	return ids, nil
}

// seekPrefix moves c to the first key under prefix, or to the last one
// when backward, and returns it. The key may not start with prefix (there
// is none) or be nil (the bucket ends there).
func seekPrefix(c *bbolt.Cursor, prefix key, backward bool) []byte {
	k, _ := seekPrefixValue(c, prefix, backward)
	return k
}

// seekPrefixValue is seekPrefix with the key's value, for a reader of the
// entry that would otherwise look it up again.
func seekPrefixValue(c *bbolt.Cursor, prefix key, backward bool) (k, v []byte) {
	if !backward {
		return c.Seek(prefix)
	}
	end := prefixEnd(prefix)
	if end == nil {
		return c.Last()
	}
	if k, _ = c.Seek(end); k == nil {
		return c.Last()
	}
	return c.Prev()
}

// byIndex loads the records whose IDs end the index keys under prefix,
// sorted by ID.
func byIndex[T any](t *boltTx, k *kind[T], ws string, index []byte, prefix key) ([]*T, error) {
	ids, err := t.scanIDs(index, prefix, false, 0, nil)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return load(t, k, ws, ids)
}

func load[T any](t *boltTx, k *kind[T], ws string, ids []okrcore.ID) ([]*T, error) {
	out := make([]*T, 0, len(ids))
	p := newKey(ws)
	for _, id := range ids {
		rec, err := getAt(t, k, ws, id, p)
		if err != nil {
			if okrcore.IsNotFound(err) {
				return nil, fmt.Errorf("list %s: index entry for missing %s %d", k.name, k.name, id)
			}
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// first loads the record of the lowest ID under prefix in an index.
func first[T any](t *boltTx, k *kind[T], ws string, index []byte, prefix key, missing func() error) (*T, error) {
	ids, err := t.scanIDs(index, prefix, false, 1, nil)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, missing()
	}
	return get(t, k, ws, ids[0])
}

// nextID advances and returns the sequence of one kind in one workspace.
func (t *boltTx) nextID(ws, seq string) (okrcore.ID, error) {
	b, err := t.bucket(bucketSeq)
	if err != nil {
		return 0, err
	}
	k := newKey(ws).str(seq)
	n := u64At(b.Get(k), 0) + 1
	if err := b.Put(k, binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return 0, err
	}
	return okrcore.ID(n), nil
}

// bumpID moves the sequence to at least id.
func (t *boltTx) bumpID(ws, seq string, id okrcore.ID) error {
	b, err := t.bucket(bucketSeq)
	if err != nil {
		return err
	}
	k := newKey(ws).str(seq)
	if u64At(b.Get(k), 0) >= uint64(id) {
		return nil
	}
	return b.Put(k, binary.BigEndian.AppendUint64(nil, uint64(id)))
}
