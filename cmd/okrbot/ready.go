package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// writeWatch is the store okrbot serve runs on, as /readyz sees it: every
// call passes through, and it remembers whether the store's last write
// failed (a full disk, an I/O error, a closed database) and since when.
//
// Readiness follows the writes okrbot makes rather than a probe write on
// every /readyz: such a probe would commit and sync every few seconds for
// nothing, would measure a write of its own rather than the ones people
// make, and under load would queue behind the group commit and flap
// unready just when the bot is busiest. But a bot that went unready gets
// no events and may make no writes to see the disk recover: so while the
// last write failed, /readyz tries one probe write of its own, at most
// every probeEvery, and its success makes the bot ready again. An idle
// bot makes no writes, fails none, and stays ready without being probed.
type writeWatch struct {
	okrcore.Store
	now func() time.Time

	mu      sync.Mutex
	failing error     // the last write's failure; nil when it succeeded
	since   time.Time // when writes began to fail
	probed  time.Time // the last probe
}

// probeEvery is how often /readyz may probe while writes fail.
const probeEvery = 5 * time.Second

// The probe's state entry (okrcore.Tx.State): put and deleted in the same
// transaction, so the probe commits and syncs like any write and leaves
// nothing behind. No other writer uses this workspace and key.
const (
	probeWorkspace = "okrbot"
	probeKey       = "readyz:probe"
)

func newWriteWatch(s okrcore.Store, now func() time.Time) *writeWatch {
	return &writeWatch{Store: s, now: now}
}

// Update runs fn through the store and records how the write went. An
// error fn returned is the caller's refusal (a rule, a record not found):
// the store was not asked to write, and it says nothing of the store. Nor
// does a caller's context that ended before the write was made.
func (w *writeWatch) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	var fnErr error
	err := w.Store.Update(ctx, func(tx okrcore.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	switch {
	case err == nil:
		w.record(nil)
	case fnErr != nil && errors.Is(err, fnErr):
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
	default:
		w.record(err)
	}
	return err
}

func (w *writeWatch) record(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && w.failing == nil {
		w.since = w.now()
	}
	w.failing = err
}

// problem says why the store is not ready to write, nil when it is: the
// last write failed and a probe, when one is due, failed too.
func (w *writeWatch) problem(ctx context.Context) error {
	w.mu.Lock()
	due := w.failing != nil && w.now().Sub(w.probed) >= probeEvery
	if due {
		w.probed = w.now()
	}
	w.mu.Unlock()
	if due {
		_ = w.Update(ctx, func(tx okrcore.Tx) error {
			if err := tx.PutState(probeWorkspace, probeKey, []byte{1}, time.Time{}); err != nil {
				return err
			}
			return tx.DeleteState(probeWorkspace, probeKey)
		})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failing == nil {
		return nil
	}
	return fmt.Errorf("the database refuses writes since %s: %v", w.since.UTC().Format(time.RFC3339), w.failing)
}
