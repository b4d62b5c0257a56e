package main

import (
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
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
}

// errHeld is matched (errors.Is) by openBackend's error when another
// okrbot process holds the database: `okrbot backup` then asks that
// process, `okrbot restore` refuses.
var errHeld = errors.New("the database is held by another okrbot process")

// heldError keeps the backend's own sentence and adds errHeld.
type heldError struct{ error }

func (e heldError) Unwrap() error        { return e.error }
func (e heldError) Is(target error) bool { return target == errHeld }

var errNoPostgres = errors.New("PostgreSQL is not built into this okrbot yet; set --db, OKRBOT_DB or db in the configuration file to a database file")

// errNoHotBackup answers a command that needs a copy of a database whose
// backend cannot make one.
var errNoHotBackup = errors.New("this database cannot be backed up by okrbot; use its own backup tools")

// isServer reports whether the database setting names a database server
// rather than a file: a file has a lock, a control socket beside it, and
// can be checked and replaced by okrbot; a server has none of these.
func isServer(setting string) bool {
	return strings.HasPrefix(setting, "postgres://") || strings.HasPrefix(setting, "postgresql://")
}

// openBackend opens the database the setting names: a PostgreSQL URL (not
// built yet) or, otherwise, a bbolt file.
func openBackend(setting string, o openOptions) (backend, error) {
	if isServer(setting) {
		return nil, errNoPostgres
	}
	db, err := bolt.Open(setting, bolt.Options{Logger: o.log, Timeout: o.wait})
	if errors.Is(err, bolt.ErrLocked) {
		return nil, heldError{err}
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// checkFile checks a bbolt database or backup file (`okrbot check`,
// restore, and the copies `okrbot backup` writes): checking one is a matter
// of the file, not of an open store.
func checkFile(path string) error {
	return bolt.CheckFile(path)
}
