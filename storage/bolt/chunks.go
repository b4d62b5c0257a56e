package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/cicodec"
)

// Since schema version 5 the two check-in indexes keep one entry per key
// result (or KPI) per span of weeks and per person per week, not one per
// check-in: a bbolt entry costs a 16-byte header and its key, which were
// most of what an index took, and the inserts of a week landed all over
// the index, leaving its pages half full. An entry is
//
//	prefix cu(span number) → (time, uvarint(id))...
//
// where the prefix is p target-byte cu(target id) or p cu(author) (see
// checkin.go), the span number is the time's bits (keys.go) divided by the
// span, and the value lists its check-ins' times (eight bytes, exact) and
// IDs sorted by time then ID. A span holds a quarter of a key result's
// weekly check-ins, or a week of one person's; a new check-in is mostly
// appended to the last one.
//
// v4 is the bucket of version 4, with an entry per check-in (prefix time
// cu(id), empty), read when a file of that version is opened read-only.
type ciIndex struct {
	bucket, v4 []byte
	span       uint64
}

const week = uint64(7 * 24 * time.Hour)

var (
	ciByTarget = ciIndex{[]byte("ci_by_target"), []byte("ci_target"), 16 * week}
	ciByAuthor = ciIndex{[]byte("ci_by_author"), []byte("ci_author"), week}
)

// ciRef is one check-in in an index entry.
type ciRef struct{ bits, id uint64 }

func (r ciRef) less(o ciRef) bool { return r.bits < o.bits || r.bits == o.bits && r.id < o.id }

// ciPrefixes are the prefixes of c's entries in ciByTarget and ciByAuthor.
func ciPrefixes(p key, c *okrcore.CheckIn) [2]key {
	tb, _ := targetByte(c.Target)
	return [2]key{append(p.grow(), tb).cu(uint64(c.TargetID)), p.grow().cu(uint64(c.Author))}
}

// decodeRefs appends the check-ins listed by v to refs[:0].
func decodeRefs(refs []ciRef, v []byte) ([]ciRef, error) {
	refs = refs[:0]
	for i := 0; i < len(v); {
		if i+8 >= len(v) {
			return nil, fmt.Errorf("truncated at %d", i)
		}
		id, n := binary.Uvarint(v[i+8:])
		if n <= 0 || n != len(binary.AppendUvarint(nil, id)) {
			return nil, fmt.Errorf("bad check-in id at %d", i+8)
		}
		r := ciRef{binary.BigEndian.Uint64(v[i:]), id}
		if len(refs) > 0 && !refs[len(refs)-1].less(r) {
			return nil, fmt.Errorf("out of order at %d", i)
		}
		refs = append(refs, r)
		i += 8 + n
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("empty")
	}
	return refs, nil
}

func encodeRefs(refs []ciRef) []byte {
	v := make([]byte, 0, len(refs)*12)
	for _, r := range refs {
		v = binary.AppendUvarint(binary.BigEndian.AppendUint64(v, r.bits), r.id)
	}
	return v
}

// change adds the check-in r under prefix, or takes it out when remove is
// set, rewriting its span's entry.
func (ix ciIndex) change(b *bbolt.Bucket, prefix key, r ciRef, remove bool) error {
	k := prefix.grow().cu(r.bits / ix.span)
	var refs []ciRef
	if v := b.Get(k); v != nil {
		var err error
		if refs, err = decodeRefs(nil, v); err != nil {
			return fmt.Errorf("index %s: entry %x: %w", ix.bucket, k, err)
		}
	}
	i, found := slices.BinarySearchFunc(refs, r, cmpRef)
	switch {
	case remove && !found, !remove && found:
		return nil
	case remove:
		refs = slices.Delete(refs, i, i+1)
	default:
		refs = slices.Insert(refs, i, r)
	}
	var err error
	if len(refs) == 0 {
		err = b.Delete(k)
	} else {
		err = b.Put(k, encodeRefs(refs))
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", ix.bucket, err)
	}
	return nil
}

// scan walks the check-ins under prefix newest first while their time is
// at or after since (any, when zero), at most limit of them when limit >
// 0, and calls fn with each one's time bits and ID.
func (ix ciIndex) scan(t *boltTx, prefix key, since time.Time, limit int, fn func(bits uint64, id okrcore.ID) error) error {
	b, v4 := t.tx.Bucket(ix.bucket), false
	if b == nil && !t.tx.Writable() {
		b, v4 = t.tx.Bucket(ix.v4), true
	}
	if b == nil {
		return fmt.Errorf("bucket %s missing", ix.bucket)
	}
	floor, n := timeBits(since), 0
	c, refs := b.Cursor(), []ciRef(nil)
	for k, v := seekPrefixValue(c, prefix, true); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		var err error
		if refs, err = ix.refsAt(refs, k, v, len(prefix), v4); err != nil {
			return err
		}
		for i := len(refs) - 1; i >= 0; i-- {
			if !since.IsZero() && refs[i].bits < floor {
				return nil
			}
			if err := fn(refs[i].bits, okrcore.ID(refs[i].id)); err != nil {
				return err
			}
			if n++; limit > 0 && n >= limit {
				return nil
			}
		}
	}
	return nil
}

// refsAt reads into refs[:0] the check-ins of the index entry k, of
// value v (of version 4 when v4 is set), whose prefix is at bytes long.
func (ix ciIndex) refsAt(refs []ciRef, k, v []byte, at int, v4 bool) ([]ciRef, error) {
	if v4 {
		id, end, ok := cuAt(k, at+8)
		if !ok || end != len(k) {
			return nil, fmt.Errorf("index %s: malformed entry %x", ix.v4, k)
		}
		return append(refs[:0], ciRef{u64At(k, at), id}), nil
	}
	_, end, ok := cuAt(k, at)
	var err error
	if ok && end == len(k) {
		refs, err = decodeRefs(refs, v)
	}
	if !ok || end != len(k) || err != nil {
		return nil, fmt.Errorf("index %s: malformed entry %x", ix.bucket, k)
	}
	return refs, nil
}

// indexCheckIn adds c, stored under p, to both indexes, or takes it out.
func (t *boltTx) indexCheckIn(p key, c *okrcore.CheckIn, remove bool) error {
	r := ciRef{timeBits(c.At), uint64(c.ID)}
	for i, ix := range []ciIndex{ciByTarget, ciByAuthor} {
		b, err := t.bucket(ix.bucket)
		if err != nil {
			return err
		}
		b.FillPercent = indexFill
		if err := ix.change(b, ciPrefixes(p, c)[i], r, remove); err != nil {
			return err
		}
	}
	return nil
}

// reindexCheckIns is the migration from schema version 4 to 5: it builds
// the span indexes from the stored check-ins, when the per-check-in
// indexes of version 4 are there, and drops those. A file converted from
// version 3 or older by this binary has none and is indexed already.
func reindexCheckIns(tx *bbolt.Tx) error {
	old := [][]byte{ciByTarget.v4, ciByAuthor.v4}
	if tx.Bucket(old[1]) == nil {
		return createBuckets(tx, bucketsVersion5)
	}
	for _, name := range append(old, ciByTarget.bucket, ciByAuthor.bucket) {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
			return fmt.Errorf("drop bucket %s: %w", name, err)
		}
	}
	if err := createBuckets(tx, bucketsVersion5); err != nil {
		return err
	}
	names := map[string]string{}
	err := tx.Bucket(bucketCIWorkspaces).ForEach(func(k, v []byte) error {
		ws, _, _ := strAt(k, 0)
		names[string(v)] = ws
		return nil
	})
	if err != nil {
		return err
	}
	t := &boltTx{tx: tx}
	return tx.Bucket(bucketCI).ForEach(func(k, v []byte) error {
		at := prefixLen(k)
		id, _, _ := cuAt(k, at)
		c, err := cicodec.Decode(names[string(k[:at])], okrcore.ID(id), v)
		if err != nil {
			return fmt.Errorf("reindex check-in at %x: %w", k, err)
		}
		return t.indexCheckIn(key(k[:at]), c, false)
	})
}

func createBuckets(tx *bbolt.Tx, names [][]byte) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// verifySpans checks that ciByTarget and ciByAuthor hold exactly the
// entries spans, built from the stored check-ins, call for.
func verifySpans(t *boltTx, spans [2]map[string][]ciRef) error {
	var errs []error
	for i, ix := range []ciIndex{ciByTarget, ciByAuthor} {
		b, err := t.bucket(ix.bucket)
		if err != nil {
			return err
		}
		found := 0
		err = b.ForEach(func(k, v []byte) error {
			want, ok := spans[i][string(k)]
			if !ok {
				return fmt.Errorf("index %s: stale entry %x", ix.bucket, k)
			}
			slices.SortFunc(want, cmpRef)
			if !bytes.Equal(v, encodeRefs(want)) {
				return fmt.Errorf("index %s: entry %x lists other check-ins than those stored", ix.bucket, k)
			}
			found++
			return nil
		})
		if err == nil && found != len(spans[i]) {
			err = fmt.Errorf("index %s: %d entries missing", ix.bucket, len(spans[i])-found)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func cmpRef(a, b ciRef) int {
	switch {
	case a == b:
		return 0
	case a.less(b):
		return -1
	}
	return 1
}
