// Package bolt implements okrcore.Store on bbolt, the embedded default
// backend of okrbot.
//
// Records are JSON in one bucket per kind, keyed by workspace and ID so that
// a workspace is a prefix scan; indexes are separate buckets of composite
// keys with empty values (see keys.go and schema.go). Writes from many
// goroutines are grouped into one commit and one fsync (see Update).
package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/okrbot/okrbot/okrcore"
)

// Options configure Open. The zero value is ready for production use.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process before giving up; 1s when zero. Negative waits forever.
	Timeout time.Duration
	// NoSync skips fsync on commit. For tests and bulk loads only: a crash
	// may lose or corrupt recent writes.
	NoSync bool
	// MaxBatchSize caps how many concurrent Update calls share one commit;
	// 128 when zero. 1 disables grouping.
	MaxBatchSize int
	// MaxBatchDelay caps how long the committer waits for writers it
	// expects back (see Update); 1ms when zero, never when negative.
	MaxBatchDelay time.Duration
	// ReadOnly opens the file for reading only, under a lock shared with
	// other readers (a writer holding the file still keeps them out): for
	// copying or checking a file on a read-only mount or without write
	// permission. The schema is not upgraded, so an older database opens
	// as it is, and Update fails.
	ReadOnly bool
	// Logger receives open, migration and error reports; none when nil.
	Logger *slog.Logger
	// Now is the clock used only to decide whether State entries have
	// expired; time.Now when nil. Record data is never stamped by the store.
	Now func() time.Time

	// boltBatch makes Update use bbolt's DB.Batch with the given delay
	// instead of the group committer (for benchmarks that compare them).
	boltBatch      bool
	boltBatchDelay time.Duration
}

const (
	defaultTimeout      = time.Second
	defaultMaxBatchSize = 128
	defaultBatchDelay   = time.Millisecond
	// lingerBackoff is how many groups commit without waiting after a
	// wait timed out (the expected writers did not come).
	lingerBackoff = 8
)

// ErrClosed is returned by View and Update after Close.
var ErrClosed = errors.New("database is closed")

// ErrLocked is wrapped by Open when another process holds the file.
var ErrLocked = errors.New("database file is in use by another okrbot process")

// DB is an okrcore.Store on one bbolt file. It is safe for concurrent use.
type DB struct {
	bolt *bbolt.DB
	path string
	log  *slog.Logger
	now  func() time.Time

	maxBatch  int
	linger    time.Duration
	boltBatch bool
	// jsonRecords: the file is kept at a schema before compactVersion
	// (a test's old file), whose records are JSON.
	jsonRecords bool

	// commits and calls count group commits and the calls they carried.
	commits, calls, lingerTimeouts atomic.Int64

	mu      sync.Mutex
	wake    chan struct{} // a call is pending or the DB is closing
	pending []*call
	closed  bool
	done    chan struct{} // closed when the committer has exited
}

var _ okrcore.Store = (*DB)(nil)

// Open opens or creates the database at path, upgrading its schema when it
// was written by an older okrbot. It fails within about Options.Timeout when
// another process has the file open, and refuses a file written by a newer
// okrbot. A path that does not exist, or a file of 0 bytes, becomes a new
// database. A damaged file is refused with an error matching ErrDamaged
// (a *DamagedError) and is left as it is.
func Open(path string, opts Options) (*DB, error) {
	return openWith(path, opts, migrations)
}

func openWith(path string, opts Options, migs []migration) (*DB, error) {
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = defaultTimeout
	case timeout < 0:
		timeout = 0 // bbolt: wait forever
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// A file that cannot be read is left to bbolt to report.
	switch err := checkHeaderUnheld(path, timeout); {
	case errors.Is(err, ErrLocked):
		return nil, fmt.Errorf("open %s: %w (gave up after %s)", path, ErrLocked, timeout)
	case errors.Is(err, ErrDamaged):
		return nil, err
	}
	bopts := &bbolt.Options{
		Timeout:      timeout,
		NoSync:       opts.NoSync,
		FreelistType: bbolt.FreelistMapType,
		ReadOnly:     opts.ReadOnly,
	}
	// bbolt formats a debug line for every Put once it has a logger (15% of
	// a bulk load's CPU), and reports its errors as errors anyway: give it
	// the logger only when debug logging is on.
	if log.Enabled(context.Background(), slog.LevelDebug) {
		bopts.Logger = boltLogger{log}
	}
	bdb, from, to, err := openBolt(path, bopts, migs)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w (gave up after %s)", path, ErrLocked, timeout)
		}
		if errors.Is(err, ErrDamaged) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if from != to {
		log.Info("database schema upgraded", "path", path, "from", from, "to", to)
	}
	db := &DB{
		bolt:      bdb,
		path:      path,
		log:       log,
		now:       opts.Now,
		maxBatch:  opts.MaxBatchSize,
		boltBatch: opts.boltBatch,
		done:      make(chan struct{}),
		// A binary of this version always migrates to it; an older
		// schema is kept only by a test that makes an old file.
		jsonRecords: len(migs) < compactVersion,
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.maxBatch <= 0 {
		db.maxBatch = defaultMaxBatchSize
	}
	switch db.linger = opts.MaxBatchDelay; {
	case db.linger == 0:
		db.linger = defaultBatchDelay
	case db.linger < 0:
		db.linger = 0
	}
	db.wake = make(chan struct{}, 1)
	if db.boltBatch {
		bdb.MaxBatchSize = db.maxBatch
		bdb.MaxBatchDelay = opts.boltBatchDelay
		if bdb.MaxBatchDelay <= 0 {
			bdb.MaxBatchDelay = 10 * time.Millisecond
		}
		close(db.done)
	} else {
		go db.commitLoop()
	}
	log.Debug("database open", "path", path, "schema", to)
	return db, nil
}

// Locked reports whether another process holds the database file at path
// (an okrbot serving it), waiting up to wait (1s when zero) for it to let
// go. It takes the lock bbolt takes and reads no more than bbolt's two
// header pages, so it answers for a damaged file too. A file that does
// not exist or is empty is not held.
func Locked(path string, wait time.Duration) (bool, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Size() == 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if wait <= 0 {
		wait = defaultTimeout
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: wait})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return true, nil
	case errors.Is(err, fs.ErrPermission):
		return false, err
	case err != nil:
		// The lock was had: what failed is the reading of the header.
		return false, nil
	}
	return false, bdb.Close()
}

// openBolt opens the file with bbolt and brings its schema up to date (a
// read-only file is only read: see checkSchema). A panic of bbolt while it
// does, on a page the header check could not vouch for, is a damaged file:
// the file bbolt opened is closed, so that its lock is released.
func openBolt(path string, bopts *bbolt.Options, migs []migration) (bdb *bbolt.DB, from, to int, err error) {
	var file *os.File
	bopts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	defer func() {
		if p := recover(); p != nil {
			if bdb != nil {
				_ = bdb.Close()
			} else if file != nil {
				_ = file.Close()
			}
			bdb, err = nil, &DamagedError{Path: path, Reason: fmt.Sprint("bbolt could not read it: ", p)}
		}
	}()
	if bdb, err = bbolt.Open(path, 0o600, bopts); err != nil {
		return nil, 0, 0, err
	}
	if bopts.ReadOnly {
		from, err = checkSchema(bdb, migs)
		to = from
	} else {
		from, to, err = migrate(bdb, migs)
	}
	if err != nil {
		_ = bdb.Close()
		return nil, 0, 0, err
	}
	return bdb, from, to, nil
}

// Path is the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Close waits for queued updates to commit, then closes the file. Open read
// transactions are waited for.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	db.mu.Unlock()
	db.signal()
	<-db.done
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

func (db *DB) isClosed() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.closed
}

func (db *DB) newTx(btx *bbolt.Tx) *boltTx {
	return &boltTx{tx: btx, now: db.now, jsonRecords: db.jsonRecords}
}

// View runs fn in a read-only transaction. The Tx must not be used after
// fn returns, nor from other goroutines.
func (db *DB) View(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.isClosed() {
		return ErrClosed
	}
	var fnErr error
	err := db.bolt.View(func(btx *bbolt.Tx) error {
		fnErr = fn(db.newTx(btx))
		return fnErr
	})
	if err != nil && fnErr == nil {
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return ErrClosed
		}
		return fmt.Errorf("read transaction: %w", err)
	}
	return err
}

// Update runs fn in a read-write transaction that commits when fn returns
// nil; the error fn returns is returned unchanged.
//
// Concurrent calls are grouped: one goroutine commits whatever calls are
// waiting, up to MaxBatchSize, in one transaction and one fsync, while the
// next group gathers. A lone writer pays one commit and no timer. When a
// call in a group fails, the transaction is rolled back, that call gets its
// error (it saw the state of the calls before it, as if run in sequence) and
// the group is run again without it; so fn may run more than once, always
// from the same starting state, and must have no effects outside tx. IDs
// that a rolled-back run assigned to records are reset to zero before fn
// runs again or Update returns.
//
// A cancelled ctx is honoured until the call's group starts; after that the
// call completes. A panic in fn is re-raised in the calling goroutine.
func (db *DB) Update(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.boltBatch {
		return db.updateBoltBatch(fn)
	}
	c := &call{ctx: ctx, fn: fn, done: make(chan struct{})}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.pending = append(db.pending, c)
	db.mu.Unlock()
	db.signal()
	<-c.done
	if c.panicked {
		panic(c.panicVal)
	}
	return c.err
}

type call struct {
	ctx context.Context
	fn  func(okrcore.Tx) error
	btx *boltTx // of the current run

	done     chan struct{}
	err      error
	panicked bool
	panicVal any
	stack    []byte
}

func (c *call) finish(err error) {
	c.err = err
	close(c.done)
}

func (db *DB) signal() {
	select {
	case db.wake <- struct{}{}:
	default:
	}
}

// commitLoop is the single writer: it takes the waiting calls (up to
// maxBatch) and commits them together.
//
// Grouping needs no timer: calls that arrive during one commit form the
// next group. With a fixed set of busy writers, though, that settles into
// two half-size groups taking turns, each paying a full fsync. So the loop
// estimates how many writers are active (the last group plus the calls
// that queued during its commit) and, when fewer are waiting, waits up to
// linger for the rest. If they do not come (requests arriving at random),
// it stops waiting for the next lingerBackoff groups. A lone writer never
// waits.
func (db *DB) commitLoop() {
	defer close(db.done)
	active, backoff := 0, 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		db.mu.Lock()
		for len(db.pending) == 0 && !db.closed {
			db.mu.Unlock()
			<-db.wake
			db.mu.Lock()
		}
		if len(db.pending) == 0 {
			db.mu.Unlock()
			return
		}
		want := min(active, db.maxBatch)
		short := len(db.pending) < want && !db.closed
		db.mu.Unlock()

		switch {
		case short && backoff == 0 && db.linger > 0:
			timer.Reset(db.linger)
		wait:
			for {
				select {
				case <-db.wake:
					db.mu.Lock()
					n, closed := len(db.pending), db.closed
					db.mu.Unlock()
					if n >= want || closed {
						break wait
					}
				case <-timer.C:
					backoff = lingerBackoff
					db.lingerTimeouts.Add(1)
					break wait
				}
			}
			timer.Stop()
		case backoff > 0:
			backoff--
		}

		db.mu.Lock()
		n := min(len(db.pending), db.maxBatch)
		batch := make([]*call, n)
		copy(batch, db.pending)
		rest := copy(db.pending, db.pending[n:])
		clear(db.pending[rest:])
		db.pending = db.pending[:rest]
		db.mu.Unlock()

		db.runBatch(batch)

		db.mu.Lock()
		active = n + len(db.pending)
		db.mu.Unlock()
	}
}

// runBatch commits calls in one transaction; see Update.
func (db *DB) runBatch(calls []*call) {
	live := calls[:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.finish(err)
			continue
		}
		live = append(live, c)
	}
	calls = live
	for len(calls) > 0 {
		failed := -1
		var failErr error
		err := db.bolt.Update(func(btx *bbolt.Tx) error {
			for i, c := range calls {
				c.btx = db.newTx(btx)
				if err := runCall(c); err != nil {
					failed, failErr = i, err
					return err
				}
			}
			return nil
		})
		if failed < 0 && err == nil {
			db.commits.Add(1)
			db.calls.Add(int64(len(calls)))
			for _, c := range calls {
				c.finish(nil)
			}
			return
		}
		// Rolled back: IDs assigned in this run are void.
		for _, c := range calls {
			if c.btx != nil {
				c.btx.resetAssigned()
				c.btx = nil
			}
		}
		if failed < 0 {
			// The commit itself failed (disk full, I/O error).
			db.log.Error("commit failed", "path", db.path, "calls", len(calls), "err", err)
			for _, c := range calls {
				c.finish(fmt.Errorf("commit: %w", err))
			}
			return
		}
		c := calls[failed]
		if c.panicked {
			db.log.Error("panic in update function", "panic", c.panicVal, "stack", string(c.stack))
		}
		c.finish(failErr)
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

// runCall runs one call's fn, turning a panic into an error for the batch
// and remembering it for the caller.
func runCall(c *call) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.panicked, c.panicVal, c.stack = true, p, debug.Stack()
			err = errPanicked
		}
	}()
	return c.fn(c.btx)
}

var errPanicked = errors.New("update function panicked")

// updateBoltBatch is Update on bbolt's DB.Batch (kept for comparison).
func (db *DB) updateBoltBatch(fn func(okrcore.Tx) error) error {
	if db.isClosed() {
		return ErrClosed
	}
	var fnErr error
	var last *boltTx
	err := db.bolt.Batch(func(btx *bbolt.Tx) error {
		// bbolt re-runs fn when another call of its batch fails: IDs of
		// the earlier run are void.
		if last != nil {
			last.resetAssigned()
		}
		last = db.newTx(btx)
		fnErr = fn(last)
		return fnErr
	})
	if err != nil {
		if last != nil {
			last.resetAssigned()
		}
		if fnErr == nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return err
}

// boltLogger sends bbolt's own reports to slog.
type boltLogger struct{ l *slog.Logger }

func (b boltLogger) Debug(v ...any)              { b.l.Debug(fmt.Sprint(v...), "src", "bbolt") }
func (b boltLogger) Debugf(f string, v ...any)   { b.l.Debug(fmt.Sprintf(f, v...), "src", "bbolt") }
func (b boltLogger) Info(v ...any)               { b.l.Debug(fmt.Sprint(v...), "src", "bbolt") }
func (b boltLogger) Infof(f string, v ...any)    { b.l.Debug(fmt.Sprintf(f, v...), "src", "bbolt") }
func (b boltLogger) Warning(v ...any)            { b.l.Warn(fmt.Sprint(v...), "src", "bbolt") }
func (b boltLogger) Warningf(f string, v ...any) { b.l.Warn(fmt.Sprintf(f, v...), "src", "bbolt") }
func (b boltLogger) Error(v ...any)              { b.l.Error(fmt.Sprint(v...), "src", "bbolt") }
func (b boltLogger) Errorf(f string, v ...any)   { b.l.Error(fmt.Sprintf(f, v...), "src", "bbolt") }
func (b boltLogger) Fatal(v ...any)              { b.Panic(v...) }
func (b boltLogger) Fatalf(f string, v ...any)   { b.Panicf(f, v...) }
func (b boltLogger) Panic(v ...any)              { s := fmt.Sprint(v...); b.l.Error(s, "src", "bbolt"); panic(s) }
func (b boltLogger) Panicf(f string, v ...any) {
	s := fmt.Sprintf(f, v...)
	b.l.Error(s, "src", "bbolt")
	panic(s)
}
