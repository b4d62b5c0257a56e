package bolt

import (
	"fmt"
	"math"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/storage/bolt/internal/reccodec"
)

// compactVersion is the schema from which people, teams, objectives and
// key results are stored in reccodec's binary form instead of JSON: what
// every view decodes, a few hundred records for a team's page, in a
// fraction of JSON's time and about half its bytes. Values of both forms
// read alike (decodeIn tells them apart by their first byte), so a file
// part-way through its conversion, or an older one opened read-only, reads
// whole.
const compactVersion = 6

// compactBuckets are the record buckets of the compact kinds, each with
// the re-encoding of one stored value.
var compactBuckets = []struct {
	bucket []byte
	recode func(v []byte) ([]byte, error)
}{
	{bucketUsers, recodeOf(userKind)},
	{bucketTeams, recodeOf(teamKind)},
	{bucketObjectives, recodeOf(objectiveKind)},
	{bucketKeyResults, recodeOf(keyResultKind)},
}

func recodeOf[T any](k *kind[T]) func([]byte) ([]byte, error) {
	return func(v []byte) ([]byte, error) {
		rec, err := decode(k, v)
		if err != nil {
			return nil, err
		}
		return k.encode(nil, rec), nil
	}
}

// compactRecords rewrites up to limit values of the compact kinds still
// stored as JSON in their binary form, and reports whether none is left.
// Keys and indexes stay as they are: only the values change.
func compactRecords(tx *bbolt.Tx, limit int) (done bool, err error) {
	n := 0
	for _, cb := range compactBuckets {
		b := tx.Bucket(cb.bucket)
		if b == nil {
			return false, fmt.Errorf("bucket %s missing", cb.bucket)
		}
		var keys, vals [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && n < limit; k, v = c.Next() {
			if v == nil || reccodec.IsCompact(v) {
				continue
			}
			nv, err := cb.recode(v)
			if err != nil {
				// A damaged record stays as it was: reading it fails as
				// before, and okrbot check names it, but it does not keep
				// okrbot from starting.
				continue
			}
			keys, vals = append(keys, append([]byte(nil), k...)), append(vals, nv)
			n++
		}
		for i, k := range keys { // after the walk: Put moves a cursor's pages
			if err := b.Put(k, vals[i]); err != nil {
				return false, fmt.Errorf("convert %s %x: %w", cb.bucket, k, err)
			}
		}
		if n >= limit {
			return false, nil
		}
	}
	return true, nil
}

// compactAll converts what convertJSONRecords left, in one transaction.
func compactAll(tx *bbolt.Tx) error {
	_, err := compactRecords(tx, math.MaxInt)
	return err
}

// convertJSONRecords converts the JSON records of a file below
// compactVersion in transactions of convertBatch values, before migrate
// upgrades the rest in one, so that a large organisation's conversion
// (150,000 records at 10,000 people) never holds all its dirty pages at
// once. An interrupted conversion resumes at the next open.
func convertJSONRecords(db *bbolt.DB, migs []migration) error {
	return inBatches(db, compactVersion, func(v int) bool { return v >= 1 && v < compactVersion && len(migs) >= compactVersion }, compactRecords)
}
