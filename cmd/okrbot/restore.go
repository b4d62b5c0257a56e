package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// restore replaces the database at dbPath with the backup at from. It
// refuses while an okrbot holds the database, and checks the backup before
// it touches anything; the replaced database is kept beside it.
func restore(dbPath, from string, stdout io.Writer) error {
	if isServer(dbPath) {
		// Replacing a file is all restore knows how to do.
		return fmt.Errorf("restore: %w", errNoPostgres)
	}
	var de damagedError
	switch err := checkFile(from); {
	case errors.As(err, &de):
		return fmt.Errorf("restore: the backup %s is damaged: %s; nothing was changed: choose another backup (okrbot check FILE tells whether one is sound)", from, de.reason)
	case errors.Is(err, errEmpty):
		return fmt.Errorf("restore: the backup %s is empty; nothing was changed: choose another backup", from)
	case err != nil:
		return fmt.Errorf("restore: the backup does not check out, nothing was changed: %w", err)
	}
	// Only the lock is asked after: the database being replaced may be
	// damaged, and replacing it is then what restore is for.
	if held, err := heldBy(dbPath, 300*time.Millisecond); err != nil {
		return fmt.Errorf("restore: %w", err)
	} else if held {
		return errors.New("restore: okrbot is running on " + dbPath + "; stop it first, nothing was changed")
	}
	tmp, err := os.CreateTemp(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	src, err := os.Open(from)
	if err != nil {
		tmp.Close()
		return fmt.Errorf("restore: %w", err)
	}
	_, err = io.Copy(tmp, src)
	src.Close()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: copy the backup: %w", err)
	}
	kept := ""
	if _, err := os.Stat(dbPath); err == nil {
		kept = dbPath + ".before-restore"
		if err := os.Rename(dbPath, kept); err != nil {
			return fmt.Errorf("restore: keep the old database: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), dbPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "Restored %s from %s.", dbPath, from)
	if kept != "" {
		fmt.Fprintf(stdout, " The previous database is kept as %s.", kept)
	}
	fmt.Fprintln(stdout)
	return nil
}
