package postgres

import "strconv"

// A transaction remembers what it read and wrote of the records a
// check-in reads again and again: the workspace, its cycle, the key result
// and the objectives above it, their totals in State. A group of
// check-ins (bot/commit.go) reads the same cycle and the objectives at the
// top of the tree once per check-in, and, on PostgreSQL, under the
// writers' lock each read is a round trip every other replica waits for.
// What is remembered is the stored bytes, decoded again at each read, so
// that a caller's change to a record it read is not seen until it puts it,
// as when the read went to the server. Every write of a remembered kind
// goes through put, remove, discard, PutWorkspace, PutState or
// DeleteState, which update or forget the entry; a bulk statement (the
// purges) runs in a transaction of its own.

type cacheKey struct {
	table, ws, key string
}

type cached struct {
	body    []byte
	exp     int64 // State's expiry (0 for never)
	missing bool  // the server had none (objectiveAhead's totals)
}

func idKey(table, ws string, id int64) cacheKey {
	return cacheKey{table, ws, strconv.FormatInt(id, 10)}
}

func (t *pgTx) recall(k cacheKey) (cached, bool) {
	c, ok := t.cache[k]
	return c, ok
}

// remember keeps body (not copied: the caller hands it over) under k.
func (t *pgTx) remember(k cacheKey, body []byte, exp int64) {
	if t.cache == nil {
		t.cache = map[cacheKey]cached{}
	}
	t.cache[k] = cached{body: body, exp: exp}
}

// rememberMissing notes that the server has nothing under k.
func (t *pgTx) rememberMissing(k cacheKey) {
	if t.cache == nil {
		t.cache = map[cacheKey]cached{}
	}
	t.cache[k] = cached{missing: true}
}

// forget drops k: the next read asks the server, which has the write
// queued before it.
func (t *pgTx) forget(k cacheKey) { delete(t.cache, k) }
