package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// totalsBatch is how many objectives one transaction of fillTotals covers,
// so that check-ins arriving meanwhile wait for a short write, not for all.
const totalsBatch = 500

// fillTotals writes the roll-up totals (okrcore.FillTotals) of every
// objective of an open cycle that has none: a store from before them, or
// after an import, would otherwise read every sibling at each objective's
// first check-in. Closed cycles take no check-ins and are left out.
func fillTotals(ctx context.Context, db okrcore.Store, log *slog.Logger) error {
	type batch struct {
		ws  string
		ids []okrcore.ID
	}
	var todo []batch
	err := db.View(ctx, func(tx okrcore.Tx) error {
		todo = todo[:0]
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		for _, w := range wss {
			cs, err := tx.Cycles(w.ID)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if c.Closed {
					continue
				}
				objs, err := tx.ObjectivesByCycle(w.ID, c.ID)
				if err != nil {
					return err
				}
				for i := 0; i < len(objs); i += totalsBatch {
					b := batch{ws: w.ID}
					for _, o := range objs[i:min(i+totalsBatch, len(objs))] {
						b.ids = append(b.ids, o.ID)
					}
					todo = append(todo, b)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list objectives for their totals: %w", err)
	}
	start, wrote := time.Now(), 0
	for _, b := range todo {
		n, err := okrcore.Update(ctx, db, func(tx okrcore.Tx) (int, error) { return okrcore.FillTotals(tx, b.ws, b.ids) })
		if err != nil {
			return fmt.Errorf("fill roll-up totals: %w", err)
		}
		wrote += n
	}
	if wrote > 0 {
		log.Info("roll-up totals written", "objectives", wrote, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
