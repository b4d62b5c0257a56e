package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/okrcore"
)

// A transaction makes many small writes whose outcome the caller does not
// wait for (a put returns before the row is written): they are queued and
// sent with the next read, or before the commit, as one pipelined batch,
// so that a check-in's writes and a bulk load cost a round trip per read
// rather than one per statement. Reads see the transaction's own writes,
// since they are sent after them.
//
// Sequences: the first new ID of a kind in a run moves the kind's row in
// seqs (locking it until the commit), and the rest are counted here and
// written once at the end. An explicit ID only reads the row at the end,
// moving it when the ID is past it, so that rewriting a stored record (a
// key result at each check-in) does not lock its kind's sequence.

type queuedWrite struct {
	op, sql string
	args    []any
}

type seqKey struct{ ws, kind string }

type seqRun struct {
	held     bool  // this run moved the row: n is its value, to write back
	n        int64 // the last ID handed out (held), or the highest explicit ID seen
	flushed  int64 // the value the row holds now (held)
	explicit bool  // an explicit ID was written (not held)
}

func (t *pgTx) queue(op, sql string, args ...any) error {
	if t.failed != nil {
		return t.failed
	}
	t.queued = append(t.queued, queuedWrite{op, sql, args})
	return nil
}

// roundTrip sends the queued writes and then sql, whose results read
// takes, in one round trip; sql "" only sends the writes.
func (t *pgTx) roundTrip(op, sql string, args []any, read func(br pgx.BatchResults) error) error {
	if t.failed != nil {
		return t.failed
	}
	if sql == "" && len(t.queued) == 0 {
		return nil
	}
	if t.explain != nil && sql != "" {
		t.explain(sql, args)
	}
	b := &pgx.Batch{}
	for _, q := range t.queued {
		b.Queue(q.sql, q.args...)
	}
	if sql != "" {
		b.Queue(sql, args...)
	}
	queued := t.queued
	t.queued = nil
	br := t.tx.SendBatch(t.ctx, b)
	for _, q := range queued {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return t.fail(q.op, err)
		}
	}
	var err error
	if sql != "" {
		err = read(br)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *pgTx) seq(ws, kind string) *seqRun {
	if t.seqs == nil {
		t.seqs = map[seqKey]*seqRun{}
	}
	k := seqKey{ws, kind}
	s := t.seqs[k]
	if s == nil {
		s = &seqRun{}
		t.seqs[k] = s
	}
	return s
}

// nextID hands out the next ID of one kind in one workspace.
func (t *pgTx) nextID(ws, kind string) (okrcore.ID, error) {
	s := t.seq(ws, kind)
	if s.held {
		s.n++
		return okrcore.ID(s.n), nil
	}
	// Past the explicit IDs this run wrote, as if each had moved it.
	var n int64
	_, err := t.scan("next id", `INSERT INTO seqs (ws, kind, n) VALUES ($1, $2, $3::bigint + 1)
		ON CONFLICT (ws, kind) DO UPDATE SET n = GREATEST(seqs.n, $3::bigint) + 1 RETURNING n`, []any{[]byte(ws), kind, s.n}, &n)
	if err != nil {
		return 0, err
	}
	*s = seqRun{held: true, n: n, flushed: n}
	return okrcore.ID(n), nil
}

// sawID notes an explicit ID, which later IDs of its kind continue after.
func (t *pgTx) sawID(ws, kind string, id okrcore.ID) {
	s := t.seq(ws, kind)
	s.n = max(s.n, int64(id))
	s.explicit = s.explicit || !s.held
}

// queueSeqs queues what the sequences need before the commit: the held
// ones' last values, and the others moved past the explicit IDs written.
func (t *pgTx) queueSeqs() error {
	for k, s := range t.seqs {
		ws := []byte(k.ws)
		switch {
		case s.held && s.n > s.flushed:
			if err := t.queue("move id", "UPDATE seqs SET n = $3 WHERE ws = $1 AND kind = $2", ws, k.kind, s.n); err != nil {
				return err
			}
		case !s.held && s.explicit:
			// Two statements that lock nothing when the ID is behind the
			// sequence, as it is for every record rewritten.
			if err := t.queue("move id", "UPDATE seqs SET n = $3 WHERE ws = $1 AND kind = $2 AND n < $3", ws, k.kind, s.n); err != nil {
				return err
			}
			if err := t.queue("move id", `INSERT INTO seqs (ws, kind, n) SELECT $1, $2, $3
				WHERE NOT EXISTS (SELECT 1 FROM seqs WHERE ws = $1 AND kind = $2)`, ws, k.kind, s.n); err != nil {
				return err
			}
		}
	}
	t.seqs = nil
	return t.roundTrip("write", "", nil, nil)
}
