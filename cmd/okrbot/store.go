package main

import (
	"context"
	"log/slog"
	"time"
)

// openStore opens the database the way every long-running command needs
// it: the path checked first (one clear line), backups while running over
// the control socket, and the hourly housekeeping. closeStore stops those
// and closes the database, in that order.
func openStore(ctx context.Context, setting string, log *slog.Logger) (db backend, closeStore func(), err error) {
	if !isServer(setting) {
		if err := checkDatabasePath(setting); err != nil {
			return nil, nil, err
		}
	}
	db, err = openBackend(setting, openOptions{log: log})
	if err != nil {
		return nil, nil, err
	}
	// Only a file is locked against `okrbot backup`; a server it can reach
	// itself.
	var ctl *control
	if hb, ok := db.(hotBackup); ok && !isServer(setting) {
		if ctl, err = serveControl(ctx, controlPath(setting), hb, log); err != nil {
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
