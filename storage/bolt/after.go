package bolt

import (
	"bytes"

	"github.com/okrbot/okrbot/okrcore"
)

// UsersAfter lists up to limit people of ws (all when limit <= 0) with an
// ID above after, in ID order: Users a slice at a time, for a reader that
// spreads reading everyone over time (the scheduler's roster).
func (t *boltTx) UsersAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.User, error) {
	return listAfter(t, userKind, ws, after, limit)
}

// TeamsAfter is UsersAfter of teams.
func (t *boltTx) TeamsAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.Team, error) {
	return listAfter(t, teamKind, ws, after, limit)
}

func listAfter[T any](t *boltTx, k *kind[T], ws string, after okrcore.ID, limit int) ([]*T, error) {
	b, err := t.bucket(k.bucket)
	if err != nil || after == ^okrcore.ID(0) {
		return nil, err
	}
	prefix := newKey(ws)
	var out []*T
	c := b.Cursor()
	for key, v := c.Seek(newKey(ws).id(after + 1)); key != nil && bytes.HasPrefix(key, prefix); key, v = c.Next() {
		if len(key) != len(prefix)+8 {
			continue
		}
		rec, err := decodeIn(k, v, ws)
		if err != nil {
			return nil, err
		}
		if out = append(out, rec); limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}
