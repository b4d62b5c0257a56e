package postgres

import (
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

// The outbox is a kind like the others with its key unique in the
// workspace (what makes AddOutbox idempotent, and what a concurrent
// replica adding the same key collides on) and a partial index of open
// items in the order (due, ws, id) that DueOutbox and OpenOutbox read.

var outboxKind = (&kind[okrcore.OutboxItem]{
	name: "outbox item", table: "outbox", seq: "outbox",
	missing: func(id okrcore.ID) string {
		return "I can't find scheduled message " + strconv.FormatUint(uint64(id), 10) + "."
	},
	ws:   func(it *okrcore.OutboxItem) string { return it.Workspace },
	id:   func(it *okrcore.OutboxItem) *okrcore.ID { return &it.ID },
	cols: []string{"key", "due_ns", "open", "created_ns"},
	vals: func(it *okrcore.OutboxItem) []any {
		return []any{[]byte(it.Key), nanos(it.DueAt), it.State.Open(), nanos(it.CreatedAt)}
	},
}).prepare()

// AddOutbox stores it unless an item with its Key exists in its workspace;
// see storage/bolt for the contract, which is the same.
func (t *pgTx) AddOutbox(it *okrcore.OutboxItem) (bool, error) {
	const op = "add outbox item"
	if err := t.readOnly(op); err != nil {
		return false, err
	}
	if err := check.Outbox(op, it); err != nil {
		return false, err
	}
	var id int64
	found, err := t.scan(op, "SELECT id FROM outbox WHERE ws = $1 AND key = $2", []any{[]byte(it.Workspace), []byte(it.Key)}, &id)
	if err != nil {
		return false, err
	}
	if found {
		if it.ID == 0 {
			t.assigned = append(t.assigned, &it.ID)
		}
		it.ID = okrcore.ID(id)
		return false, nil
	}
	if it.ID != 0 {
		var exists bool
		if _, err := t.scan(op, "SELECT EXISTS (SELECT 1 FROM outbox WHERE ws = $1 AND id = $2)",
			[]any{[]byte(it.Workspace), int64(it.ID)}, &exists); err != nil {
			return false, err
		}
		if exists {
			return false, check.Conflict(op, "Scheduled message %d already exists under another key.", it.ID)
		}
	}
	check.DefaultState(it)
	if err := put(t, outboxKind, it); err != nil {
		return false, err
	}
	return true, nil
}

func (t *pgTx) OutboxItem(ws string, id okrcore.ID) (*okrcore.OutboxItem, error) {
	it, err := get(t, outboxKind, ws, id)
	if err == nil {
		t.sawOutbox(ws, id, it.Key)
	}
	return it, err
}

// outboxRef names an outbox item in outboxKeys.
type outboxRef struct {
	ws string
	id okrcore.ID
}

// sawOutbox remembers the key of an item this run read.
func (t *pgTx) sawOutbox(ws string, id okrcore.ID, key string) {
	if t.outboxKeys == nil {
		t.outboxKeys = map[outboxRef]string{}
	}
	t.outboxKeys[outboxRef{ws, id}] = key
}

func (t *pgTx) OutboxByKey(ws, k string) (*okrcore.OutboxItem, error) {
	missing := func() error { return check.NotFound("get outbox item", "Nothing is scheduled under %q.", k) }
	if k == "" {
		return nil, missing()
	}
	return first(t, outboxKind, ws, missing, "key = $2", []byte(k))
}

// PutOutbox replaces a stored item, which keeps its Key.
func (t *pgTx) PutOutbox(it *okrcore.OutboxItem) error {
	const op = "put outbox item"
	if err := check.Outbox(op, it); err != nil {
		return err
	}
	if err := t.readOnly(op); err != nil {
		return err
	}
	if it.ID == 0 {
		return check.Invalid(op, "A scheduled message is added with AddOutbox before it can be changed.")
	}
	key, found := t.outboxKeys[outboxRef{it.Workspace, it.ID}]
	if !found {
		var stored []byte
		var err error
		if found, err = t.scan(op, "SELECT key FROM outbox WHERE ws = $1 AND id = $2", []any{[]byte(it.Workspace), int64(it.ID)}, &stored); err != nil {
			return err
		}
		if !found {
			return check.NotFound(op, "%s", outboxKind.missing(it.ID))
		}
		key = string(stored)
	}
	if key != it.Key {
		return check.Invalid(op, "A scheduled message keeps its key: %q cannot become %q.", key, it.Key)
	}
	check.DefaultState(it)
	if err := put(t, outboxKind, it); err != nil {
		return err
	}
	if it.State == okrcore.OutboxPending {
		return t.releaseLease(op, it)
	}
	return nil
}

// DueOutbox reads the partial index of open items up to now.
func (t *pgTx) DueOutbox(now time.Time, limit int) ([]*okrcore.OutboxItem, error) {
	q := "SELECT body FROM outbox WHERE open AND due_ns <= $1 ORDER BY due_ns, ws, id"
	args := []any{nanos(now)}
	if limit > 0 {
		q += " LIMIT $2"
		args = append(args, limit)
	}
	vs, err := t.bodies("list due outbox items", q, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[okrcore.OutboxItem]("outbox item", vs)
}

// OpenOutbox counts open items and reads the oldest in one round trip.
func (t *pgTx) OpenOutbox() (int, time.Time, error) {
	var n int
	var body []byte
	if _, err := t.scan("count open outbox items", `SELECT (SELECT count(*) FROM outbox WHERE open),
		(SELECT body FROM outbox WHERE open ORDER BY due_ns, ws, id LIMIT 1)`, nil, &n, &body); err != nil {
		return 0, time.Time{}, err
	}
	if body == nil {
		return n, time.Time{}, nil
	}
	it, err := decode[okrcore.OutboxItem]("outbox item", body)
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, it.DueAt, nil
}
