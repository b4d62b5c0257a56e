package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

func jsonEncode(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return data, nil
}

// AddCheckIn stores a new check-in. A check-in that carries the ID of a
// stored one is refused: history is never rewritten.
func (t *pgTx) AddCheckIn(c *okrcore.CheckIn) error {
	const op = "add check-in"
	if c == nil {
		return check.Invalid(op, "There is no check-in to save.")
	}
	if c.Target != okrcore.TargetKR && c.Target != okrcore.TargetKPI {
		return check.Invalid(op, "A check-in is about a key result or a KPI, not %q.", c.Target)
	}
	if c.ID != 0 && c.Workspace != "" {
		var exists bool
		if _, err := t.scan(op, "SELECT EXISTS (SELECT 1 FROM check_ins WHERE ws = $1 AND id = $2)",
			[]any{[]byte(c.Workspace), int64(c.ID)}, &exists); err != nil {
			return err
		}
		if exists {
			return check.Conflict(op, "Check-in %d is already recorded; check-ins cannot be changed.", c.ID)
		}
	}
	return put(t, checkInKind, c)
}

func (t *pgTx) CheckIns(ws string, target okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	return t.checkIns(ws, "target = $2 AND target_id = $3", []any{[]byte(target), int64(id)}, since, limit)
}

func (t *pgTx) CheckInsByAuthor(ws string, author okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	return t.checkIns(ws, "author = $2", []any{int64(author)}, since, limit)
}

// checkIns lists the check-ins matching cond newest first; the floor and
// the limit are the last two parameters.
func (t *pgTx) checkIns(ws, cond string, args []any, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	floor := int64(math.MinInt64)
	if !since.IsZero() {
		floor = nanos(since)
	}
	n := len(args) + 2
	q := fmt.Sprintf("SELECT body FROM check_ins WHERE ws = $1 AND %s AND at_ns >= $%d ORDER BY at_ns DESC, id DESC", cond, n)
	args = append(append([]any{[]byte(ws)}, args...), floor)
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT $%d", n+1)
		args = append(args, limit)
	}
	vs, err := t.bodies("list check-ins", q, args...)
	if err != nil {
		return nil, err
	}
	return decodeAll[okrcore.CheckIn]("check-in", vs)
}

// CheckInTimesByAuthor reads the times from at_ns, from the index alone;
// a time clamped there (before 1678 or after 2262) is read from its body.
func (t *pgTx) CheckInTimesByAuthor(ws string, author okrcore.ID, since time.Time) ([]time.Time, error) {
	floor := int64(math.MinInt64)
	if !since.IsZero() {
		floor = nanos(since)
	}
	const q = `SELECT at_ns, CASE WHEN at_ns IN ($4, $5) THEN body END FROM check_ins
		WHERE ws = $1 AND author = $2 AND at_ns >= $3 ORDER BY at_ns DESC, id DESC`
	args := []any{[]byte(ws), int64(author), floor, int64(math.MinInt64), int64(math.MaxInt64)}
	var out []time.Time
	err := t.roundTrip("list check-in times", q, args, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (time.Time, error) {
			var ns int64
			var body []byte
			if err := row.Scan(&ns, &body); err != nil {
				return time.Time{}, err
			}
			if body == nil {
				return time.Unix(0, ns).UTC(), nil
			}
			c, err := decode[okrcore.CheckIn]("check-in", body)
			if err != nil {
				return time.Time{}, err
			}
			return c.At, nil
		})
		return err
	})
	return out, err
}

// DeleteCheckIn takes back an imported check-in.
func (t *pgTx) DeleteCheckIn(ws string, id okrcore.ID) error {
	return discard(t, checkInKind, ws, id)
}
