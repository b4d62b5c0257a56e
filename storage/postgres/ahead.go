package postgres

import (
	"github.com/okrbot/okrbot/okrcore"
)

// A write that reads an objective is, most of the time, rolling check-ins
// up (okrcore.CheckIns.Finish): it reads each objective above them, and
// then each one's totals (okrcore.TotalsKey), one round trip after the
// other under the writers' lock. So a writable transaction that reads an
// objective it does not remember reads its totals in the same query and
// remembers both (cache.go), a slot that is not there too. A read-only
// transaction (a view of the tree reads many objectives) does not.

const objectiveAheadSQL = `SELECT o.body, s.value, s.expires_ns, s.key IS NOT NULL
	FROM objectives o LEFT JOIN state s ON s.ws = o.ws AND s.key = $3
	WHERE o.ws = $1 AND o.id = $2`

func objectiveAhead(t *pgTx, ws string, id okrcore.ID) error {
	key := okrcore.TotalsKey(id)
	var body, value []byte
	var exp *int64
	var slot bool
	found, err := t.scan("get objective", objectiveAheadSQL, []any{[]byte(ws), int64(id), []byte(key)}, &body, &value, &exp, &slot)
	if err != nil || !found {
		return err
	}
	t.remember(idKey("objectives", ws, int64(id)), body, 0)
	sk := cacheKey{"state", ws, key}
	if !slot {
		t.rememberMissing(sk)
		return nil
	}
	if value == nil {
		value = []byte{}
	}
	t.remember(sk, value, *exp)
	return nil
}
