package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
)

// tallyEvery is how often serve looks again for blocks of the check-in
// tally nobody has built: only people beyond every block at start (new
// joiners) can have one, and looking costs a read of the people.
const tallyEvery = time.Hour

// keepTally builds the check-in tally's blocks not built yet
// (tally.FillEveryone) at start and then every interval until ctx ends,
// in the background: a store from before the tally, or after an upgrade,
// would otherwise make the first manager digest, `/okr adoption` or web
// team page count its people's histories while a person waits. Check-ins
// keep built blocks up to date, a new week's slots included.
func keepTally(ctx context.Context, db okrcore.Store, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		f, err := tally.FillEveryone(ctx, db)
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("build the check-in tally", "err", err, "blocks", f.Blocks, "took", took)
		case err != nil:
			log.Info("check-in tally not finished: stopped", "blocks", f.Blocks, "left", f.Missing-f.Blocks, "took", took)
		case f.Blocks > 0:
			log.Info("check-in tally built", "blocks", f.Blocks, "people", f.People, "took", took)
		default:
			log.Debug("check-in tally already built", "people", f.People, "took", took)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
