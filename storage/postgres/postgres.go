// Package postgres implements okrcore.Store on PostgreSQL (14 or later),
// for running okrbot as several replicas on one database.
//
// Each record kind is a table keyed by (ws, id) with the record's JSON (the
// same encoding as storage/bolt) in body and the fields the bot looks
// records up by in indexed columns. Strings that are compared or ordered
// (workspace IDs, folded names, keys) are bytea, so that order is byte
// order as on bbolt, whatever the database's collation, and any byte fits.
//
// Update runs in a SERIALIZABLE transaction, writers taking turns under an
// advisory lock (every check-in rolls up to the company's objective, so
// they would collide anyway): the rules in okrcore read and then write,
// and must see the database as the only writer would. A serialization failure or deadlock (40001, 40P01) or a unique violation
// a concurrent writer caused (23505) rolls back and runs fn again, so
// callers see the semantics of bbolt's single writer; okrcore.Store
// already asks fn to be re-runnable (bbolt's group commit reruns it too).
// View runs in a REPEATABLE READ READ ONLY transaction: one snapshot.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/okrbot/okrbot/okrcore"
)

// Options configure Open. The zero value is ready for production use.
type Options struct {
	// MaxConns caps the pool; 16 when zero.
	MaxConns int32
	// ConnectTimeout bounds the first connection and each later one; 5s
	// when zero.
	ConnectTimeout time.Duration
	// Logger receives open, migration and retry reports; none when nil.
	Logger *slog.Logger
	// Now is the clock used only to decide whether State entries have
	// expired; time.Now when nil.
	Now func() time.Time
}

// Errors Open wraps, for a caller to tell the causes apart.
var (
	ErrUnreachable  = errors.New("the PostgreSQL server cannot be reached")
	ErrCredentials  = errors.New("PostgreSQL refused the user name or password")
	ErrNewerSchema  = errors.New("the database was written by a newer okrbot")
	ErrNoDatabase   = errors.New("the PostgreSQL database does not exist")
	ErrClosed       = errors.New("database is closed")
	errReadOnly     = errors.New("write in a read-only transaction")
	errTooManyTries = errors.New("gave up after repeated serialization failures")
)

// writerLock is the advisory lock writers take turns under ("okrbot-w").
const writerLock = 0x6f6b72626f742d77

// maxAttempts bounds how often Update runs fn when concurrent writers keep
// conflicting with it; high, because a conflict means someone else made
// progress.
const maxAttempts = 200

// DB is an okrcore.Store on a PostgreSQL pool. It is safe for concurrent use.
type DB struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	now    func() time.Time
	where  string // host:port/database, for messages (no password)
	closed atomic.Bool
	reads  chan struct{} // a slot for each connection reads may hold (read.go)

	retries, commits atomic.Int64
}

var _ okrcore.Store = (*DB)(nil)

// Open connects to the database url names, creates or upgrades its schema
// (once, under an advisory lock, when several replicas start together)
// and returns the store. Its errors are one sentence naming the server and
// wrap ErrUnreachable, ErrCredentials, ErrNoDatabase or ErrNewerSchema.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("the database URL is not valid: %s", redact(err.Error()))
	}
	cfg.MaxConns = opts.MaxConns
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 16
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	cfg.ConnConfig.ConnectTimeout = timeout
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: log, now: opts.Now, where: describe(cfg.ConnConfig)}
	if db.now == nil {
		db.now = time.Now
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, db.connectError(err)
	}
	db.pool = pool
	db.reads = make(chan struct{}, readSlots(cfg.MaxConns))
	from, to, err := migrate(ctx, pool)
	if err != nil {
		pool.Close()
		if errors.Is(err, ErrNewerSchema) {
			return nil, fmt.Errorf("the database %s: %w", db.where, err)
		}
		return nil, db.connectError(err)
	}
	if from != to {
		log.Info("database schema upgraded", "database", db.where, "from", from, "to", to)
	}
	log.Debug("database open", "database", db.where, "schema", to)
	return db, nil
}

func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database)
}

// connectError says in one line why the server could not be used.
func (db *DB) connectError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000":
			return fmt.Errorf("%w at %s (%s)", ErrCredentials, db.where, pe.Message)
		case "3D000":
			return fmt.Errorf("%w: %s (%s)", ErrNoDatabase, db.where, pe.Message)
		}
		return fmt.Errorf("the database %s: %s (%s)", db.where, pe.Message, pe.Code)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || isConnect(err) {
		return fmt.Errorf("%w at %s: %s", ErrUnreachable, db.where, lastPart(err))
	}
	return fmt.Errorf("the database %s: %s", db.where, redact(err.Error()))
}

func isConnect(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// lastPart is the innermost cause of a connection error ("connection
// refused"), without pgx's repetition of the address.
func lastPart(err error) string {
	s := strings.TrimSpace(err.Error())
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// redact hides a password that an error quoting a URL may carry.
func redact(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.Index(s[i:], "@"); j >= 0 {
			if k := strings.Index(s[i+3:i+j], ":"); k >= 0 {
				return s[:i+3+k+1] + "xxxxx" + s[i+j:]
			}
		}
	}
	return s
}

// Where names the database (host:port/name) for messages.
func (db *DB) Where() string { return db.where }

// Close closes the pool; queries in flight are waited for.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	db.pool.Close()
	return nil
}

// Ping checks that the server answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("the database %s does not answer: %s", db.where, lastPart(err))
	}
	return nil
}

// PoolStats are the figures of the connection pool /metrics shows.
type PoolStats struct {
	Total, Idle, Acquired, Max int32
	// Acquires counts connections handed out, Waits those that had to
	// wait for one, WaitTime the time spent waiting.
	Acquires, Waits int64
	WaitTime        time.Duration
	// Retries counts Update runs repeated after a serialization failure,
	// Commits the Updates that committed.
	Retries, Commits int64
}

// Stats reads the pool's figures.
func (db *DB) Stats() PoolStats {
	s := db.pool.Stat()
	return PoolStats{
		Total: s.TotalConns(), Idle: s.IdleConns(), Acquired: s.AcquiredConns(), Max: s.MaxConns(),
		Acquires: s.AcquireCount(), Waits: s.EmptyAcquireCount(), WaitTime: s.AcquireDuration(),
		Retries: db.retries.Load(), Commits: db.commits.Load(),
	}
}

var writeOptions = pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadWrite}

// Update runs fn in a serializable transaction that commits when fn
// returns nil; the error fn returns is returned unchanged. When the
// server reports a serialization failure, fn runs again from a new
// snapshot (IDs the failed run assigned are reset to zero first), so fn
// must have no effects outside tx. A panic in fn rolls back and is
// re-raised.
func (db *DB) Update(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.closed.Load() {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		retry, err := db.tryUpdate(ctx, fn)
		if !retry {
			if err == nil {
				db.commits.Add(1)
			}
			return err
		}
		if attempt >= maxAttempts {
			return fmt.Errorf("write transaction on %s: %w: %w", db.where, errTooManyTries, err)
		}
		db.retries.Add(1)
		// Jittered backoff so that the writers that collided do not
		// collide again in step.
		wait := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(200*time.Microsecond) + 1))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// tryUpdate is one run of Update; retry says the server refused it for a
// concurrent writer's sake and fn should run again.
func (db *DB) tryUpdate(ctx context.Context, fn func(tx okrcore.Tx) error) (retry bool, err error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("write transaction on %s: %w", db.where, err)
	}
	defer conn.Release()
	// Writers take turns, across replicas, as bbolt's one writer does:
	// every check-in rolls up to the company's objective, so concurrent
	// writers would collide there and run again, each time after a full
	// run. The lock is the session's, taken before BEGIN, so that the
	// transaction's snapshot starts once the previous writer committed.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(writerLock)); err != nil {
		return false, fmt.Errorf("write transaction on %s: %w", db.where, err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(writerLock)); err != nil {
			// A connection that may still hold the lock must not go back
			// to the pool; closing it releases the lock on the server.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	ptx, err := conn.BeginTx(ctx, writeOptions)
	if err != nil {
		return false, fmt.Errorf("write transaction on %s: %w", db.where, err)
	}
	t := &pgTx{ctx: ctx, tx: ptx, now: db.now, writable: true}
	done := false
	defer func() {
		if !done {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
			t.resetAssigned()
		}
	}()
	fnErr := fn(t)
	if t.failed != nil && retryable(t.failed) {
		return true, t.failed
	}
	if fnErr != nil {
		return false, fnErr
	}
	if t.failed != nil {
		return false, t.failed
	}
	if err := t.queueSeqs(); err != nil {
		return retryable(err), err
	}
	if err := ptx.Commit(ctx); err != nil {
		if retryable(err) {
			return true, err
		}
		return false, fmt.Errorf("commit on %s: %w", db.where, err)
	}
	done = true
	return false, nil
}

// retryable reports a failure caused by a concurrent transaction.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}

// Empty reports whether the database holds no okrbot data at all: no
// record of any kind, no scheduled message and no state (okrbot migrate
// copies only into an empty database).
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var some bool
	err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM workspaces) OR EXISTS (SELECT 1 FROM users)
		OR EXISTS (SELECT 1 FROM teams) OR EXISTS (SELECT 1 FROM cycles) OR EXISTS (SELECT 1 FROM objectives)
		OR EXISTS (SELECT 1 FROM key_results) OR EXISTS (SELECT 1 FROM kpis) OR EXISTS (SELECT 1 FROM initiatives)
		OR EXISTS (SELECT 1 FROM check_ins) OR EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM state)`).Scan(&some)
	if err != nil {
		return false, fmt.Errorf("the database %s: %w", db.where, err)
	}
	return !some, nil
}
