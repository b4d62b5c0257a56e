package bolt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Backup writes a consistent copy of the whole database to w from one read
// transaction, while writers carry on; it returns the bytes written. The
// copy holds every update that returned before Backup was called. A
// cancelled ctx stops the copy at the next write.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if db.isClosed() {
		return 0, ErrClosed
	}
	var n int64
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(ctxWriter{ctx, w})
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// BackupToFile writes a backup to path atomically: into a temporary file in
// the same directory, synced, then renamed over path. On failure path is
// untouched.
func (db *DB) BackupToFile(ctx context.Context, path string) (n int64, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if n, err = db.Backup(ctx, bw); err != nil {
		return n, err
	}
	if err = bw.Flush(); err != nil {
		return n, fmt.Errorf("backup: write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return n, fmt.Errorf("backup: sync %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return n, fmt.Errorf("backup: close %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return n, nil
}

// CheckFile opens the database file at path read-only (it must not be held
// by a running okrbot; check a backup instead) and checks it: its header
// and size (a file of 0 bytes is ErrEmpty, a damaged one a *DamagedError,
// see header.go), bbolt's page consistency check, the schema version, and
// that every index holds exactly the entries its records call for. It
// writes nothing, so a file on a read-only mount can be checked.
func CheckFile(path string) (err error) {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	switch err := checkHeaderUnheld(path, defaultTimeout); {
	case errors.Is(err, ErrLocked):
		return fmt.Errorf("check %s: %w", path, ErrLocked)
	case errors.Is(err, ErrDamaged), errors.Is(err, ErrEmpty):
		return err
	}
	bdb, err := bbolt.Open(path, 0o400, &bbolt.Options{ReadOnly: true, Timeout: defaultTimeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return fmt.Errorf("check %s: %w", path, ErrLocked)
		}
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer bdb.Close()
	// bbolt's own check recovers what it meets; the schema and index
	// checks read pages it may not vouch for.
	defer func() {
		if p := recover(); p != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprint("bbolt could not read it: ", p)}
		}
	}()
	return bdb.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			if len(errs) < 20 {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			msgs := make([]string, len(errs))
			for i, e := range errs {
				msgs[i] = e.Error()
			}
			return &DamagedError{Path: path, Reason: "bbolt's page check found " + strings.Join(msgs, "; ")}
		}
		v, err := schemaVersion(tx)
		if err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		switch {
		case v == 0:
			return fmt.Errorf("check %s: %w", path, ErrNotOkrbot)
		case v > len(migrations):
			return fmt.Errorf("check %s: %w: schema version %d, this binary knows up to %d", path, ErrNewerSchema, v, len(migrations))
		case v < len(migrations):
			// An older schema may lack what verifyIndexes expects.
			return nil
		}
		if err := verifyIndexes(tx); err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		return nil
	})
}

// Check runs the index and record checks of CheckFile on the open
// database, in one read transaction (bbolt's page check is left to
// CheckFile on a backup: it is not safe next to running writers).
func (db *DB) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.isClosed() {
		return ErrClosed
	}
	return db.bolt.View(verifyIndexes)
}
