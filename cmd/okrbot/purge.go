package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/storage/bolt"
)

// purgeStateEvery deletes expired State entries (delivered event ids,
// finished dialogs, schedule markers) at start and then every interval
// until ctx ends: without it every chat event would leave a key behind for
// good.
func purgeStateEvery(ctx context.Context, db *bolt.DB, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := db.PurgeExpiredState(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge expired state", "err", err)
		case n > 0:
			log.Debug("purged expired state", "entries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
