package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/cicodec"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// Check-ins are most of a database (13 a key result a quarter), so since
// schema version 4 they are kept in buckets of their own, shorter keys
// and compact values (internal/cicodec) rather than the JSON and key layout of the
// other records:
//
//   - a workspace is a short number, given on its first check-in and kept
//     in bucketCIWorkspaces as str(workspace) → uvarint(number), a byte for
//     the first 127; that uvarint is the prefix p of the workspace's keys
//     in the other three buckets (no uvarint is a prefix of another);
//   - record: p cu(id) → the encoded check-in;
//   - by target and by author: entries that each list the check-ins of
//     a span of time (chunks.go).
//
// cu(n) (key.cu) is a length byte and n's big-endian bytes without leading
// zeros: three or four bytes for the IDs of a large organisation instead
// of eight, and it still sorts like n, and no cu is a prefix of another.
var (
	bucketCIWorkspaces = []byte("ci_workspaces")
	bucketCI           = []byte("ci")

	bucketsVersion5 = [][]byte{bucketCIWorkspaces, bucketCI, ciByTarget.bucket, ciByAuthor.bucket}
)

const checkInSeq = "check_in"

// Check-ins are appended in ID order and never change, so their pages are
// filled whole rather than split in half as bbolt does by default; index
// entries are rewritten all over their buckets (a week adds to every key
// result's entry).
const (
	checkInFill = 1.0
	indexFill   = 0.5
)

// cu appends v as a length byte and its big-endian bytes without leading
// zeros.
func (k key) cu(v uint64) key {
	n := (bits.Len64(v) + 7) / 8
	k = append(k, byte(n))
	for i := n - 1; i >= 0; i-- {
		k = append(k, byte(v>>(8*i)))
	}
	return k
}

// cuAt reads the cu component at offset i of k.
func cuAt(k []byte, i int) (v uint64, next int, ok bool) {
	if i < 0 || i >= len(k) {
		return 0, 0, false
	}
	n := int(k[i])
	if n > 8 || i+1+n > len(k) {
		return 0, 0, false
	}
	for _, c := range k[i+1 : i+1+n] {
		v = v<<8 | uint64(c)
	}
	return v, i + 1 + n, true
}

// prefixLen is the length of the workspace prefix that starts k, 0 when
// it starts with none.
func prefixLen(k []byte) int {
	_, n := binary.Uvarint(k)
	return max(n, 0)
}

// grow is a copy of k with room to append components, so that keys built
// on one prefix never share its array.
func (k key) grow() key { return append(make(key, 0, len(k)+24), k...) }

func targetByte(t okrcore.TargetKind) (byte, bool) {
	switch t {
	case okrcore.TargetKR:
		return 'r', true
	case okrcore.TargetKPI:
		return 'p', true
	}
	return 0, false
}

// errOldCheckIns is what reading check-ins says of a file of schema 3 or
// older opened read-only: its check-ins are converted when okrbot first
// opens it for writing.
var errOldCheckIns = errors.New("the check-ins of this database are in the form of an older okrbot; open it once for writing (okrbot serve) to convert them")

// wsPrefix is the prefix of ws's keys in the check-in buckets. A
// workspace that has none yet gets one when create is set; otherwise it
// has no check-ins and the prefix is nil.
func (t *boltTx) wsPrefix(ws string, create bool) (key, error) {
	// A view reads the check-ins of each key result it shows, every read
	// through this prefix: the transaction keeps it.
	if p, ok := t.ciPrefixes[ws]; ok {
		return p.grow(), nil
	}
	b := t.tx.Bucket(bucketCIWorkspaces)
	if b == nil {
		return nil, errOldCheckIns
	}
	if v := b.Get(newKey(ws)); v != nil {
		t.keepPrefix(ws, key(v))
		return key(v).grow(), nil
	}
	if !create {
		return nil, nil
	}
	n, err := b.NextSequence()
	if err != nil {
		return nil, fmt.Errorf("number workspace: %w", err)
	}
	p := key(binary.AppendUvarint(nil, n))
	if err := b.Put(newKey(ws), p); err != nil {
		return nil, fmt.Errorf("number workspace: %w", err)
	}
	t.keepPrefix(ws, p)
	return p.grow(), nil
}

func (t *boltTx) keepPrefix(ws string, p key) {
	if t.ciPrefixes == nil {
		t.ciPrefixes = map[string]key{}
	}
	t.ciPrefixes[ws] = slices.Clone(p)
}

// AddCheckIn stores a new check-in. A check-in that carries the ID of a
// stored one is refused: history is never rewritten.
func (t *boltTx) AddCheckIn(c *okrcore.CheckIn) error {
	const op = "add check-in"
	if c == nil {
		return check.Invalid(op, "There is no check-in to save.")
	}
	if _, ok := targetByte(c.Target); !ok {
		return check.Invalid(op, "A check-in is about a key result or a KPI, not %q.", c.Target)
	}
	if !t.tx.Writable() {
		return errReadOnlyOp(op)
	}
	ws := c.Workspace
	if ws == "" {
		return check.Invalid(op, "The check-in has no workspace.")
	}
	p, err := t.wsPrefix(ws, true)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	id := c.ID
	if id != 0 {
		b, err := t.bucket(bucketCI)
		if err != nil {
			return err
		}
		if b.Get(p.grow().cu(uint64(id))) != nil {
			return check.Conflict(op, "Check-in %d is already recorded; check-ins cannot be changed.", id)
		}
		err = t.bumpID(ws, checkInSeq, id)
	} else {
		id, err = t.nextID(ws, checkInSeq)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	stored := *c
	stored.ID = id
	if err := t.writeCheckIn(p, &stored); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if c.ID == 0 {
		c.ID = id
		t.assigned = append(t.assigned, &c.ID)
	}
	return nil
}

// writeCheckIn stores c, whose ID is set, under p with its index entries.
func (t *boltTx) writeCheckIn(p key, c *okrcore.CheckIn) error {
	data, err := cicodec.Encode(c)
	if err != nil {
		return err
	}
	if err := t.indexCheckIn(p, c, false); err != nil {
		return err
	}
	b, err := t.bucket(bucketCI)
	if err != nil {
		return err
	}
	b.FillPercent = checkInFill
	return b.Put(p.grow().cu(uint64(c.ID)), data)
}

func (t *boltTx) checkIn(ws string, p key, id okrcore.ID) (*okrcore.CheckIn, error) {
	b, err := t.bucket(bucketCI)
	if err != nil {
		return nil, err
	}
	v := b.Get(p.grow().cu(uint64(id)))
	if v == nil || id == 0 {
		return nil, check.NotFound("get check-in", "I can't find check-in %d.", id)
	}
	return cicodec.Decode(ws, id, v)
}

func (t *boltTx) CheckIns(ws string, target okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	if t.jsonCheckIns() {
		return t.oldCheckIns(ws, idxCheckInTarget, newKey(ws).str(string(target)).id(id), since, limit)
	}
	tb, ok := targetByte(target)
	p, err := t.wsPrefix(ws, false)
	if err != nil || p == nil || !ok {
		return []*okrcore.CheckIn{}, err
	}
	return t.loadCheckIns(ws, p, ciByTarget, append(p.grow(), tb).cu(uint64(id)), since, limit)
}

func (t *boltTx) CheckInsByAuthor(ws string, author okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	if t.jsonCheckIns() {
		return t.oldCheckIns(ws, idxCheckInAuthor, newKey(ws).id(author), since, limit)
	}
	p, err := t.wsPrefix(ws, false)
	if err != nil || p == nil {
		return []*okrcore.CheckIn{}, err
	}
	return t.loadCheckIns(ws, p, ciByAuthor, p.grow().cu(uint64(author)), since, limit)
}

func (t *boltTx) loadCheckIns(ws string, p key, ix ciIndex, prefix key, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	var out []*okrcore.CheckIn
	err := ix.scan(t, prefix, since, limit, func(_ uint64, id okrcore.ID) error {
		c, err := t.checkIn(ws, p, id)
		if okrcore.IsNotFound(err) {
			return fmt.Errorf("list check-in: index entry for missing check-in %d", id)
		}
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*okrcore.CheckIn{}
	}
	return out, nil
}

// CheckInTimesByAuthor reads the times from the author index,
// not from the check-ins. A time outside the range of a key (before 1678
// or after 2262) is clamped there, so for those few the check-in itself is
// read.
func (t *boltTx) CheckInTimesByAuthor(ws string, author okrcore.ID, since time.Time) ([]time.Time, error) {
	if t.jsonCheckIns() {
		return oldTimes(t.oldCheckIns(ws, idxCheckInAuthor, newKey(ws).id(author), since, 0))
	}
	p, err := t.wsPrefix(ws, false)
	if err != nil || p == nil {
		return nil, err
	}
	var out []time.Time
	err = ciByAuthor.scan(t, p.grow().cu(uint64(author)), since, 0, func(bits uint64, id okrcore.ID) error {
		when, exact := bitsTime(bits)
		if !exact {
			c, err := t.checkIn(ws, p, id)
			if okrcore.IsNotFound(err) {
				return fmt.Errorf("list check-in times: index entry for missing check-in %d", id)
			}
			if err != nil {
				return err
			}
			when = c.At
		}
		out = append(out, when)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteCheckIn takes back an imported check-in, with both its index
// entries, so that no history of the rolled-back import is left. One
// that is not there is already taken back, so that a rollback that
// crashed can run again.
func (t *boltTx) DeleteCheckIn(ws string, id okrcore.ID) error {
	const op = "delete check-in"
	if !t.tx.Writable() {
		return fmt.Errorf("%s: %w", op, errReadOnly)
	}
	p, err := t.wsPrefix(ws, false)
	if err != nil || p == nil {
		return err
	}
	c, err := t.checkIn(ws, p, id)
	if okrcore.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := t.indexCheckIn(p, c, true); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	b, err := t.bucket(bucketCI)
	if err != nil {
		return err
	}
	if err := b.Delete(p.grow().cu(uint64(id))); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// checkIns is the check-in kind for the index checker.
type checkIns struct{}

// verify checks every check-in as kind.verify checks other records, that
// every prefix belongs to one workspace, and that the two indexes list
// exactly the stored check-ins.
func (checkIns) verify(t *boltTx, _ map[string]map[string]bool) error {
	wsb, err := t.bucket(bucketCIWorkspaces)
	if err != nil {
		return err
	}
	names := map[string]string{}
	err = wsb.ForEach(func(k, v []byte) error {
		ws, end, ok := strAt(k, 0)
		if !ok || end != len(k) || prefixLen(v) != len(v) {
			return fmt.Errorf("check-in workspace %x: malformed entry", k)
		}
		if other, dup := names[string(v)]; dup {
			return fmt.Errorf("check-in workspaces %q and %q share a prefix", other, ws)
		}
		names[string(v)] = ws
		return nil
	})
	if err != nil {
		return err
	}
	seq, err := t.bucket(bucketSeq)
	if err != nil {
		return err
	}
	b, err := t.bucket(bucketCI)
	if err != nil {
		return err
	}
	spans := [2]map[string][]ciRef{{}, {}}
	err = b.ForEach(func(k, v []byte) error {
		at := prefixLen(k)
		id, end, okID := cuAt(k, at)
		if at == 0 || !okID || end != len(k) {
			return fmt.Errorf("check-in at %x: malformed key", k)
		}
		ws, known := names[string(k[:at])]
		if !known {
			return fmt.Errorf("check-in at %x: no workspace has its prefix", k)
		}
		c, err := cicodec.Decode(ws, okrcore.ID(id), v)
		if err != nil {
			return fmt.Errorf("check-in at %x: %w", k, err)
		}
		if n := u64At(seq.Get(newKey(ws).str(checkInSeq)), 0); n < id {
			return fmt.Errorf("check-in %s/%d: sequence is behind at %d", ws, id, n)
		}
		r := ciRef{timeBits(c.At), id}
		for i, ix := range []ciIndex{ciByTarget, ciByAuthor} {
			k := ciPrefixes(key(k[:at]), c)[i].cu(r.bits / ix.span)
			spans[i][string(k)] = append(spans[i][string(k)], r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return verifySpans(t, spans)
}

// keyConverted, in the meta bucket, is the key of the last JSON check-in
// convertCheckIns has converted, while a conversion is under way.
var keyConverted = []byte("check_ins_converted")

// convertCheckIns converts up to limit check-ins (all, when limit <= 0)
// from the JSON bucket of schema versions 1 to 3 to the compact buckets,
// each with its index entries, and reports whether none are left. A call
// is one transaction's work and records how far it got, so a conversion
// that was stopped resumes where it was. The JSON buckets are left as
// they are, to be dropped whole at the end (dropJSONCheckIns): deleting
// entries one by one would cost more than converting them.
func convertCheckIns(tx *bbolt.Tx, limit int) (done bool, err error) {
	if err := createBuckets(tx, bucketsVersion5); err != nil {
		return false, err
	}
	old, meta := tx.Bucket(bucketCheckIns), tx.Bucket(bucketMeta)
	if old == nil {
		return true, nil
	}
	if meta == nil {
		return false, fmt.Errorf("bucket %s missing", bucketMeta)
	}
	t := &boltTx{tx: tx}
	c := old.Cursor()
	k, v := c.First()
	if last := meta.Get(keyConverted); last != nil {
		if k, v = c.Seek(last); k != nil && bytes.Equal(k, last) {
			k, v = c.Next()
		}
	}
	var lastKey []byte
	for n := 0; k != nil && (limit <= 0 || n < limit); n++ {
		if err := t.convertCheckIn(k, v); err != nil {
			return false, err
		}
		lastKey = k
		k, v = c.Next()
	}
	if lastKey != nil {
		if err := meta.Put(keyConverted, bytes.Clone(lastKey)); err != nil {
			return false, fmt.Errorf("convert check-ins: %w", err)
		}
	}
	return k == nil, nil
}

// convertCheckIn writes the JSON check-in v, stored under k, in the
// compact form.
func (t *boltTx) convertCheckIn(k, v []byte) error {
	var c okrcore.CheckIn
	if err := json.Unmarshal(v, &c); err != nil {
		return fmt.Errorf("convert check-in at %x: %w", k, err)
	}
	if !bytes.Equal(k, newKey(c.Workspace).id(c.ID)) {
		return fmt.Errorf("convert check-in %s/%d: stored under key %x", c.Workspace, c.ID, k)
	}
	p, err := t.wsPrefix(c.Workspace, true)
	if err != nil {
		return err
	}
	if err := t.writeCheckIn(p, &c); err != nil {
		return fmt.Errorf("convert check-in %s/%d: %w", c.Workspace, c.ID, err)
	}
	return nil
}

// dropJSONCheckIns ends the conversion: it converts what is left and
// deletes the buckets of the JSON check-ins.
func dropJSONCheckIns(tx *bbolt.Tx) error {
	if _, err := convertCheckIns(tx, 0); err != nil {
		return err
	}
	for _, name := range [][]byte{bucketCheckIns, idxCheckInTarget, idxCheckInAuthor} {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
			return fmt.Errorf("drop bucket %s: %w", name, err)
		}
	}
	return tx.Bucket(bucketMeta).Delete(keyConverted)
}
