package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/postgres"
)

// This file is the one place that knows which databases okrbot runs on.
// Everything else in cmd/okrbot holds a backend and asks it, by type
// assertion on the small interfaces defined where they are used
// (hotBackup, fileBackup, purger), for what it can do beyond the store, so
// that a backend lacking a capability still serves chat and the command
// that needs it answers with a sentence.

// backend is an open database: the store the bot runs on.
type backend interface {
	okrcore.Store
	Close() error
}

// openOptions say how a command wants the database opened.
type openOptions struct {
	log *slog.Logger // nil: the backend logs nothing
	// wait is how long to wait for another okrbot that holds the
	// database; 0 leaves it to the backend.
	wait time.Duration
	// readOnly opens the database for reading only (okrbot backup): a
	// file on a read-only mount or without write permission opens, and
	// nothing in it is changed, not even an older schema.
	readOnly bool
}

// errHeld is matched (errors.Is) by openBackend's error when another
// okrbot process holds the database: `okrbot backup` then asks that
// process, `okrbot restore` refuses.
var errHeld = errors.New("the database is held by another okrbot process")

// heldError keeps the backend's own sentence and adds errHeld.
type heldError struct{ error }

func (e heldError) Unwrap() error        { return e.error }
func (e heldError) Is(target error) bool { return target == errHeld }

// errNoPostgres answers okrbot restore on PostgreSQL: restore replaces a
// database file, and a server's database comes back with its own tools.
var errNoPostgres = errors.New("okrbot restore replaces a database file; a PostgreSQL database is restored with pg_restore from a pg_dump (see Running several replicas in the README)")

// errNoHotBackup answers a command that needs a copy of a database whose
// backend cannot make one: PostgreSQL, which has its own tools.
var errNoHotBackup = errors.New("okrbot does not copy a PostgreSQL database: back it up with pg_dump (pg_dump --format=custom --file okrbot.dump DATABASE_URL) and bring it back with pg_restore")

// serverTimeout bounds how long opening a database server waits for it to
// answer, so that a server that is down is a clear error at start rather
// than a hang.
const serverTimeout = 5 * time.Second

// isServer reports whether the database setting names a database server
// rather than a file: a file has a lock, a control socket beside it, and
// can be checked and replaced by okrbot; a server has none of these.
func isServer(setting string) bool {
	return strings.HasPrefix(setting, "postgres://") || strings.HasPrefix(setting, "postgresql://")
}

// openBackend opens the database the setting names: a PostgreSQL URL or,
// otherwise, a bbolt file. A server is not held by another process the way
// a file is: replicas share it, so wait and readOnly do not apply (the
// schema is brought up to date, as every replica does at start).
func openBackend(setting string, o openOptions) (backend, error) {
	if isServer(setting) {
		ctx, cancel := context.WithTimeout(context.Background(), 4*serverTimeout)
		defer cancel()
		return postgres.Open(ctx, setting, postgres.Options{Logger: o.log, ConnectTimeout: serverTimeout})
	}
	db, err := bolt.Open(setting, bolt.Options{Logger: o.log, Timeout: o.wait, ReadOnly: o.readOnly})
	var de *bolt.DamagedError
	switch {
	case errors.Is(err, bolt.ErrLocked):
		return nil, heldError{err}
	case errors.As(err, &de):
		return nil, damagedError{path: de.Path, reason: de.Reason}
	case err != nil:
		return nil, err
	}
	return db, nil
}

// heldBy reports whether another okrbot process holds the database file,
// waiting up to wait for it to let go. It reads no more of the file than
// its header, so restore can ask it of a damaged database it is about to
// replace.
func heldBy(path string, wait time.Duration) (bool, error) {
	return bolt.Locked(path, wait)
}

// errDamaged is matched (errors.Is) by the errors of openBackend and
// checkFile for a database file that is damaged.
var errDamaged = errors.New("the database file is damaged")

// errEmpty is matched by checkFile's error for a file of 0 bytes.
var errEmpty = errors.New("the file is empty")

// damagedError is a damaged database file, in the words every command
// that opens one says: which file, why, and the two ways out.
type damagedError struct {
	path, reason string
	// checked is set when the sentence answers okrbot check, which need
	// not be suggested again, on a file that may be a backup.
	checked bool
}

func (e damagedError) Error() string {
	if e.checked {
		return fmt.Sprintf("%s is damaged: %s; if it is the database, restore a backup (okrbot restore BACKUP --db %s)", e.path, e.reason, e.path)
	}
	return fmt.Sprintf("the database %s is damaged: %s; run okrbot check %s, or restore a backup (okrbot restore BACKUP --db %s)", e.path, e.reason, e.path, e.path)
}

func (e damagedError) Is(target error) bool { return target == errDamaged }

// checkFile checks a bbolt database or backup file (`okrbot check`,
// restore, and the copies `okrbot backup` writes): checking one is a matter
// of the file, not of an open store. A damaged file matches errDamaged, an
// empty one errEmpty.
func checkFile(path string) error {
	err := bolt.CheckFile(path)
	var de *bolt.DamagedError
	switch {
	case errors.As(err, &de):
		return damagedError{path: de.Path, reason: de.Reason, checked: true}
	case errors.Is(err, bolt.ErrEmpty):
		return emptyError{path}
	}
	return err
}

// emptyError is a file of 0 bytes where a database or backup was expected.
type emptyError struct{ path string }

func (e emptyError) Error() string {
	return e.path + " is empty: it holds no database (okrbot starts a new one in an empty file only with --init)"
}

func (e emptyError) Is(target error) bool { return target == errEmpty }
