package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/okrbot/okrbot/okrcore"
)

// Reads are most of the transactions: a check-in's handling alone reads
// in several before its write. Two things keep them from holding up the
// writers, who take turns across replicas and so are everyone's wait:
//
//   - reads may hold all but a quarter of the pool's connections, so that
//     a write never waits for a read to hand its connection back;
//   - a read begins with its first query, in the same round trip (BEGIN
//     queued before it), so that a read of one query costs two round
//     trips (that one and the ROLLBACK) instead of three.

const beginRead = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

// readOptions are beginRead's, for a read begun at once (the index test).
var readOptions = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// readSlots is how many connections of a pool of max reads may hold.
func readSlots(conns int32) int {
	return int(conns - max(1, conns/4))
}

// View runs fn in a read-only snapshot. The Tx must not be used after fn
// returns, nor from other goroutines.
func (db *DB) View(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.closed.Load() {
		return ErrClosed
	}
	select {
	case db.reads <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-db.reads }()
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("read transaction on %s: %w", db.where, err)
	}
	r := &lazyRead{conn: conn}
	defer r.end(context.WithoutCancel(ctx))
	t := &pgTx{ctx: ctx, tx: r, now: db.now}
	if err := fn(t); err != nil {
		return err
	}
	return t.failed
}

// lazyRead is a read transaction on conn that begins with its first batch.
type lazyRead struct {
	conn  *pgxpool.Conn
	begun bool
}

func (r *lazyRead) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if r.begun {
		return r.conn.SendBatch(ctx, b)
	}
	r.begun = true
	first := &pgx.Batch{QueuedQueries: append([]*pgx.QueuedQuery{{SQL: beginRead}}, b.QueuedQueries...)}
	br := r.conn.SendBatch(ctx, first)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return failedBatch{br, err}
	}
	return br
}

// end rolls the transaction back, when it began, and gives the
// connection back.
func (r *lazyRead) end(ctx context.Context) {
	if r.begun {
		if _, err := r.conn.Exec(ctx, "ROLLBACK"); err != nil {
			// Not back to the pool inside a transaction.
			_ = r.conn.Conn().Close(ctx)
		}
	}
	r.conn.Release()
}

// failedBatch is the results of a batch whose BEGIN failed: every one is
// that failure.
type failedBatch struct {
	pgx.BatchResults // closed
	err              error
}

func (f failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, f.err }
func (f failedBatch) Query() (pgx.Rows, error)         { return nil, f.err }
func (f failedBatch) QueryRow() pgx.Row                { return failedRow{f.err} }
func (f failedBatch) Close() error                     { return f.err }

type failedRow struct{ err error }

func (f failedRow) Scan(...any) error { return f.err }
