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
	if err := checkFile(from); err != nil {
		return fmt.Errorf("restore: the backup does not check out, nothing was changed: %w", err)
	}
	if _, err := os.Stat(dbPath); err == nil {
		db, err := openBackend(dbPath, openOptions{wait: 300 * time.Millisecond})
		if errors.Is(err, errHeld) {
			return errors.New("restore: okrbot is running on " + dbPath + "; stop it first, nothing was changed")
		}
		if err == nil {
			if err := db.Close(); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
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
