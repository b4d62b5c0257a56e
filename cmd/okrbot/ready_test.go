package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

var errDiskFull = errors.New("write okrbot.db: no space left on device")

// flakyStore is a store whose commits fail while fail is set, as on a
// full disk: the transaction runs, and its commit fails.
type flakyStore struct {
	okrcore.Store
	fail   atomic.Bool
	writes atomic.Int64
}

func (f *flakyStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	f.writes.Add(1)
	return f.Store.Update(ctx, func(tx okrcore.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if f.fail.Load() {
			return errDiskFull
		}
		return nil
	})
}

// TestReadinessFollowsWrites: /readyz turns unready while the store's
// writes fail and ready again once one succeeds, a real write or its own
// probe; the caller's refusals (a rule, a missing record) are not the
// store failing, and an idle bot, which writes nothing, stays ready
// without being probed.
func TestReadinessFollowsWrites(t *testing.T) {
	db := bottest.Store(t)
	flaky := &flakyStore{Store: db}
	clock := bottest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	watch := newWriteWatch(flaky, clock.Now)
	ctx := context.Background()
	readyz := func(step string, code int, says ...string) {
		t.Helper()
		rec := httptest.NewRecorder()
		ready(watch, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != code {
			t.Errorf("%s: /readyz %d %q, want %d", step, rec.Code, rec.Body.String(), code)
		}
		for _, s := range says {
			if !strings.Contains(rec.Body.String(), s) {
				t.Errorf("%s: /readyz says %q, want %q", step, rec.Body.String(), s)
			}
		}
	}
	write := func() error {
		return watch.Update(ctx, func(tx okrcore.Tx) error { return tx.PutState("w", "k", []byte("v"), time.Time{}) })
	}

	readyz("at start", 200, "ready")
	clock.Advance(24 * time.Hour)
	readyz("idle for a day", 200, "ready")
	refused := okrcore.Errorf(okrcore.KindForbidden, "Only an admin may do that.")
	if err := watch.Update(ctx, func(okrcore.Tx) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("a refusal came back as %v", err)
	}
	readyz("after a refused write", 200, "ready")
	if n := flaky.writes.Load(); n != 1 {
		t.Errorf("readiness wrote while writes succeeded: %d writes, want the 1 refused", n)
	}

	flaky.fail.Store(true)
	if err := write(); !errors.Is(err, errDiskFull) {
		t.Fatalf("a write on a full disk: %v", err)
	}
	readyz("writes fail", 503, "the database refuses writes since 2026-11-24T09:00:00Z", "no space left on device")
	clock.Advance(10 * time.Second)
	before := flaky.writes.Load()
	readyz("still failing, probed", 503, "no space left on device")
	if flaky.writes.Load() != before+1 {
		t.Errorf("/readyz did not probe while writes fail")
	}
	clock.Advance(time.Second)
	readyz("probed a second ago", 503, "no space left on device")
	if flaky.writes.Load() != before+1 {
		t.Errorf("/readyz probed again within a second")
	}

	flaky.fail.Store(false)
	clock.Advance(10 * time.Second)
	readyz("the disk has room again: the probe succeeds", 200, "ready")
	if _, err := okrcore.View(ctx, db, func(tx okrcore.Tx) ([]byte, error) { return tx.State(probeWorkspace, probeKey) }); !okrcore.IsNotFound(err) {
		t.Errorf("the probe left its entry behind: %v", err)
	}

	flaky.fail.Store(true)
	write()
	readyz("failing again", 503, "refuses writes")
	flaky.fail.Store(false)
	if err := write(); err != nil {
		t.Fatal(err)
	}
	readyz("a real write succeeded", 200, "ready")
}
