package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// batchSender is a transaction's connection: a pgx.Tx, or a read begun
// with its first batch (read.go).
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pgTx implements okrcore.Tx on one pgx transaction.
type pgTx struct {
	ctx      context.Context
	tx       batchSender
	now      func() time.Time
	writable bool
	// failed is the first error the server gave: the transaction is
	// aborted then, and Update must not commit even if fn ignored it.
	failed error
	// assigned are the IDs this run gave to new records, reset to zero
	// when the transaction rolls back.
	assigned []*okrcore.ID
	// explain, when set (by the index test), sees every query before it
	// runs, with its arguments.
	explain func(sql string, args []any)

	// queued are writes whose outcome the caller does not wait for: they
	// go to the server with the next read or the commit, in the same round
	// trip (see roundTrip). A failed one fails the transaction.
	queued []queuedWrite
	// seqs are the sequences this run holds (it moved them, so it has
	// their rows locked) or wrote explicit IDs of (see batch.go).
	seqs map[seqKey]*seqRun
	// cache is what this run read and wrote of the records it reads
	// again (see cache.go).
	cache map[cacheKey]cached
	// outboxKeys are the keys of the outbox items this run read, by
	// workspace and ID, so that PutOutbox checks an item it read without a
	// round trip of its own (a key never changes, and no Tx deletes an
	// item).
	outboxKeys map[outboxRef]string
}

var _ okrcore.Tx = (*pgTx)(nil)

func (t *pgTx) resetAssigned() {
	for _, p := range t.assigned {
		*p = 0
	}
	t.assigned = nil
}

// fail remembers the first server error of the transaction.
func (t *pgTx) fail(op string, err error) error {
	err = fmt.Errorf("%s: %w", op, err)
	if t.failed == nil {
		t.failed = err
	}
	return err
}

func (t *pgTx) exec(op, sql string, args ...any) (int64, error) {
	var n int64
	err := t.roundTrip(op, sql, args, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// scan runs a query of one row; found is false when there is none.
func (t *pgTx) scan(op, sql string, args []any, dest ...any) (found bool, err error) {
	err = t.roundTrip(op, sql, args, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	return found, err
}

// bodies runs a query whose rows are one bytea each.
func (t *pgTx) bodies(op, sql string, args ...any) ([][]byte, error) {
	var out [][]byte
	err := t.roundTrip(op, sql, args, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
		return err
	})
	return out, err
}

func (t *pgTx) readOnly(op string) error {
	if t.writable {
		return nil
	}
	return fmt.Errorf("%s: %w", op, errReadOnly)
}

// fold is the case-insensitive form of a name, as storage/bolt folds it.
func fold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// nullable is s as bytea, or NULL when empty, for partial indexes.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// nullID is id, or NULL when zero.
func nullID(id okrcore.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// nanos maps t to a number that orders like t, clamped outside the range
// of UnixNano (before 1678, after 2262) as storage/bolt clamps it.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// kind describes how one record type is stored: its table, and the
// indexed columns beside ws, id and body with their values.
type kind[T any] struct {
	name    string // for errors: "key result"
	table   string
	seq     string
	missing func(id okrcore.ID) string
	ws      func(*T) string
	id      func(*T) *okrcore.ID
	cols    []string
	vals    func(*T) []any
	// check runs before a put and may refuse it (uniqueness).
	check func(t *pgTx, rec *T) error
	// cached kinds are remembered by the transaction that reads or
	// writes them (cache.go).
	cached bool
	// ahead, when set, reads a record a writable transaction does not
	// remember together with what it reads next (ahead.go).
	ahead func(t *pgTx, ws string, id okrcore.ID) error

	// insert and upsert are the statements put runs for a new record and
	// for one under a given ID, built once from cols.
	insert, upsert string
}

// prepare builds the kind's statements.
func (k *kind[T]) prepare() *kind[T] {
	cols := append([]string{"ws", "id", "body"}, k.cols...)
	params := make([]string, len(cols))
	sets := make([]string, 0, len(cols))
	for i, c := range cols {
		params[i] = fmt.Sprintf("$%d", i+1)
		if i >= 2 {
			sets = append(sets, c+" = excluded."+c)
		}
	}
	k.insert = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", k.table, strings.Join(cols, ", "), strings.Join(params, ", "))
	k.upsert = k.insert + " ON CONFLICT (ws, id) DO UPDATE SET " + strings.Join(sets, ", ")
	return k
}

func (k *kind[T]) notFound(id okrcore.ID) error {
	return check.NotFound("get "+k.name, "%s", k.missing(id))
}

func decode[T any](name string, v []byte) (*T, error) {
	rec := new(T)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return rec, nil
}

func decodeAll[T any](name string, vs [][]byte) ([]*T, error) {
	out := make([]*T, 0, len(vs))
	for _, v := range vs {
		rec, err := decode[T](name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func get[T any](t *pgTx, k *kind[T], ws string, id okrcore.ID) (*T, error) {
	if id == 0 {
		return nil, k.notFound(id)
	}
	var ck cacheKey
	if k.cached {
		ck = idKey(k.table, ws, int64(id))
		c, ok := t.recall(ck)
		if !ok && k.ahead != nil && t.writable {
			if err := k.ahead(t, ws, id); err != nil {
				return nil, err
			}
			c, ok = t.recall(ck)
		}
		if ok {
			return decode[T](k.name, c.body)
		}
	}
	var body []byte
	found, err := t.scan("get "+k.name, "SELECT body FROM "+k.table+" WHERE ws = $1 AND id = $2",
		[]any{[]byte(ws), int64(id)}, &body)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, k.notFound(id)
	}
	if k.cached {
		t.remember(ck, body, 0)
	}
	return decode[T](k.name, body)
}

// where lists the records of a kind matching cond (over $1 = ws and the
// args after it), in ID order.
func where[T any](t *pgTx, k *kind[T], ws string, cond string, args ...any) ([]*T, error) {
	q := "SELECT body FROM " + k.table + " WHERE ws = $1"
	if cond != "" {
		q += " AND " + cond
	}
	q += " ORDER BY id"
	vs, err := t.bodies("list "+k.name, q, append([]any{[]byte(ws)}, args...)...)
	if err != nil {
		return nil, err
	}
	return decodeAll[T](k.name, vs)
}

// first is the record of lowest ID matching cond, or missing's error.
func first[T any](t *pgTx, k *kind[T], ws string, missing func() error, cond string, args ...any) (*T, error) {
	var body []byte
	found, err := t.scan("get "+k.name, "SELECT body FROM "+k.table+" WHERE ws = $1 AND "+cond+" ORDER BY id LIMIT 1",
		append([]any{[]byte(ws)}, args...), &body)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, missing()
	}
	return decode[T](k.name, body)
}

// put creates rec when its ID is zero and replaces it otherwise. A record
// stored under an explicit new ID moves the sequence past it.
func put[T any](t *pgTx, k *kind[T], rec *T) error {
	op := "put " + k.name
	if rec == nil {
		return check.Invalid(op, "There is no %s to save.", k.name)
	}
	if err := t.readOnly(op); err != nil {
		return err
	}
	ws := k.ws(rec)
	if ws == "" {
		return check.Invalid(op, "The %s has no workspace.", k.name)
	}
	if k.check != nil {
		if err := k.check(t, rec); err != nil {
			return err
		}
	}
	idp := k.id(rec)
	created := *idp == 0
	if created {
		id, err := t.nextID(ws, k.seq)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		*idp = id
		t.assigned = append(t.assigned, idp)
	} else {
		t.sawID(ws, k.seq, *idp)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", op, err)
	}
	// A new record is inserted, never upserted: should its ID be taken
	// after all, the write fails rather than replace another record.
	sql := k.upsert
	if created {
		sql = k.insert
	}
	if k.cached {
		t.remember(idKey(k.table, ws, int64(*idp)), data, 0)
	}
	return t.queue(op, sql, append([]any{[]byte(ws), int64(*idp), data}, k.vals(rec)...)...)
}

// remove deletes a record; a missing one is KindNotFound.
func remove[T any](t *pgTx, k *kind[T], ws string, id okrcore.ID) error {
	op := "delete " + k.name
	if err := t.readOnly(op); err != nil {
		return err
	}
	t.forget(idKey(k.table, ws, int64(id)))
	n, err := t.exec(op, "DELETE FROM "+k.table+" WHERE ws = $1 AND id = $2", []byte(ws), int64(id))
	if err != nil {
		return err
	}
	if n == 0 {
		return k.notFound(id)
	}
	return nil
}

// discard is remove for rolling back an import: a record that is not
// there is already rolled back.
func discard[T any](t *pgTx, k *kind[T], ws string, id okrcore.ID) error {
	op := "delete " + k.name
	if err := t.readOnly(op); err != nil {
		return err
	}
	t.forget(idKey(k.table, ws, int64(id)))
	return t.queue(op, "DELETE FROM "+k.table+" WHERE ws = $1 AND id = $2", []byte(ws), int64(id))
}
