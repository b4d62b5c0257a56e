package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A file of schema version 3 or older opened read-only (okrbot export,
// okrbot migrate --dry-run of a file no okrbot has opened for writing) is
// not converted, so its check-ins are read where that version kept them:
// JSON records under str(ws) id, indexed by str(ws) str(target) id time
// id and by str(ws) author time id. The JSON bucket is there until the
// conversion's last step drops it, so while it is there it is the whole
// truth, even when a stopped conversion left some compact copies.
func (t *boltTx) jsonCheckIns() bool {
	return !t.tx.Writable() && t.tx.Bucket(bucketCheckIns) != nil
}

// oldCheckIns lists, newest first, the JSON check-ins of ws under the
// index prefix (after the workspace), at or after since, at most limit
// when limit > 0.
func (t *boltTx) oldCheckIns(ws string, index []byte, prefix key, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	ix, records := t.tx.Bucket(index), t.tx.Bucket(bucketCheckIns)
	if ix == nil {
		return nil, fmt.Errorf("bucket %s missing", index)
	}
	out, floor := []*okrcore.CheckIn{}, timeBits(since)
	c := ix.Cursor()
	for k := seekPrefix(c, prefix, true); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if len(k) != len(prefix)+16 {
			return nil, fmt.Errorf("index %s: malformed entry %x", index, k)
		}
		if !since.IsZero() && u64At(k, len(prefix)) < floor {
			break
		}
		id := lastID(k)
		v := records.Get(newKey(ws).id(id))
		if v == nil {
			return nil, fmt.Errorf("list check-in: index entry for missing check-in %d", id)
		}
		var ci okrcore.CheckIn
		if err := json.Unmarshal(v, &ci); err != nil {
			return nil, fmt.Errorf("decode check-in %d: %w", id, err)
		}
		if out = append(out, &ci); limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

func oldTimes(cis []*okrcore.CheckIn, err error) ([]time.Time, error) {
	if err != nil || len(cis) == 0 {
		return nil, err
	}
	out := make([]time.Time, len(cis))
	for i, c := range cis {
		out[i] = c.At.UTC()
	}
	return out, nil
}
