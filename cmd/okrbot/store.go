package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/storage/bolt"
)

// openStore opens the database the way every long-running command needs
// it: the path checked first (one clear line), backups while running over
// the control socket, and the hourly housekeeping. closeStore stops those
// and closes the database, in that order.
func openStore(ctx context.Context, path string, log *slog.Logger) (db *bolt.DB, closeStore func(), err error) {
	if err := checkDatabasePath(path); err != nil {
		return nil, nil, err
	}
	db, err = bolt.Open(path, bolt.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	ctl, err := serveControl(ctx, controlPath(path), db, log)
	if err != nil {
		log.Warn("backups while running are unavailable", "err", err)
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purgeDone := make(chan struct{})
	go func() {
		defer close(purgeDone)
		purgeStateEvery(purgeCtx, db, time.Hour, log)
	}()
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
