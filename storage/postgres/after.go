package postgres

import (
	"math"
	"strconv"

	"github.com/okrbot/okrbot/okrcore"
)

// UsersAfter lists up to limit people of ws (all when limit <= 0) with an
// ID above after, in ID order: Users a slice at a time, for a reader that
// spreads reading everyone over time (the scheduler's roster).
func (t *pgTx) UsersAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.User, error) {
	return listAfter(t, userKind, ws, after, limit)
}

// TeamsAfter is UsersAfter of teams.
func (t *pgTx) TeamsAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.Team, error) {
	return listAfter(t, teamKind, ws, after, limit)
}

func listAfter[T any](t *pgTx, k *kind[T], ws string, after okrcore.ID, limit int) ([]*T, error) {
	if after >= math.MaxInt64 {
		return nil, nil // no ID above it
	}
	q := "SELECT body FROM " + k.table + " WHERE ws = $1 AND id > $2 ORDER BY id"
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	vs, err := t.bodies("list "+k.name, q, []byte(ws), int64(after))
	if err != nil {
		return nil, err
	}
	return decodeAll[T](k.name, vs)
}
