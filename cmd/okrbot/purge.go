package main

import (
	"context"
	"log/slog"
	"time"
)

// purger is a backend that deletes what it no longer needs to keep.
type purger interface {
	PurgeExpiredState(ctx context.Context, now time.Time) (int, error)
	PurgeOutbox(ctx context.Context, before time.Time) (int, error)
}

// outboxRetention is how long sent, skipped and failed scheduled messages
// are kept: long enough to answer "did my nudge go out last month?", short
// enough that a 10,000-person organisation's outbox (about a million items
// a year) doesn't grow for good. Check-ins, the history that matters, are
// never purged.
const outboxRetention = 90 * 24 * time.Hour

// purgeStateEvery deletes expired State entries (delivered event ids,
// finished dialogs, schedule markers) and closed outbox items older than
// outboxRetention, at start and then every interval until ctx ends: without
// it every chat event and every nudge would leave a record behind for good.
func purgeStateEvery(ctx context.Context, db purger, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := time.Now()
		n, err := db.PurgeExpiredState(ctx, now)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge expired state", "err", err)
		case n > 0:
			log.Debug("purged expired state", "entries", n)
		}
		n, err = db.PurgeOutbox(ctx, now.Add(-outboxRetention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purge old scheduled messages", "err", err)
		case n > 0:
			log.Info("purged old scheduled messages", "items", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
