package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// openStore opens the database the way every long-running command needs
// it: the path checked first (one clear line; an existing empty file only
// with init), backups while running over the control socket, and the
// hourly housekeeping. closeStore stops those and closes the database, in
// that order. more are control requests the caller answers besides
// (serveControl).
func openStore(ctx context.Context, setting string, init bool, log *slog.Logger, more map[string]controlHandler) (db backend, closeStore func(), err error) {
	if !isServer(setting) {
		if err := checkDatabasePath(setting); err != nil {
			return nil, nil, err
		}
		if err := refuseEmpty(setting, init); err != nil {
			return nil, nil, err
		}
	}
	db, err = openBackend(setting, openOptions{log: log})
	if err != nil {
		return nil, nil, err
	}
	// An import that stopped half way (a crash, a kill) is rolled back
	// before anything reads the store.
	if err := recoverImport(ctx, db, log); err != nil {
		db.Close()
		return nil, nil, err
	}
	// Totals are what check-ins roll up from; without them the first
	// check-ins read every sibling, so a failure here is only a warning.
	if err := fillTotals(ctx, db, log); err != nil {
		log.Warn("roll-up totals not written; check-ins read them from the records", "err", err)
	}
	// Only a file is locked against `okrbot backup` and the other commands
	// that ask the running okrbot; a server they can reach themselves.
	var ctl *control
	if !isServer(setting) {
		if ctl, err = serveControlWith(ctx, controlPath(setting), db, log, more); err != nil {
			log.Warn("backups while running are unavailable", "err", err)
		}
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purgeDone := make(chan struct{})
	if p, ok := db.(purger); ok {
		go func() {
			defer close(purgeDone)
			purgeStateEvery(purgeCtx, p, time.Hour, log)
		}()
	} else {
		close(purgeDone)
		log.Warn("expired conversation state and old scheduled messages are not purged: this database cannot purge them")
	}
	return db, func() {
		stopPurge()
		<-purgeDone
		if ctl != nil {
			ctl.Close()
		}
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}, nil
}

// refuseEmpty refuses an existing database file of 0 bytes unless init
// says to start a new database in it. Such a file is more often a
// database lost on the way (a failed copy, a volume mounted over, a
// truncation) than a new one, and starting afresh in it would hand the
// workspace to whoever writes first: the first person becomes its admin.
// A path that does not exist is a new database, as always.
func refuseEmpty(path string, init bool) error {
	st, err := os.Stat(path)
	if err != nil || st.Size() != 0 || init {
		return nil
	}
	return fmt.Errorf("the database %s is an empty file: okrbot would start a new, empty workspace in it, whose first person to write becomes admin; "+
		"if that is what you want, start once with --init (OKRBOT_INIT=true, or init: true in the configuration file); otherwise put the database back (okrbot restore BACKUP --db %s)", path, path)
}
