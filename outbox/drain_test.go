package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// TestDrainSmallBatches: when fewer items are due than there are workers,
// or the batch read is smaller than the worker count, Drain still sends
// every item once, in parallel (seven sends of 100 ms take about 100 ms,
// not 700), and returns as soon as the last is marked; in a synctest
// bubble, so the times are the fake clock's.
func TestDrainSmallBatches(t *testing.T) {
	for _, tc := range []struct {
		workers, batch int
	}{
		{workers: 32},          // the default: seven items, 32 workers
		{workers: 8, batch: 3}, // batches of three for eight workers
		{workers: 8, batch: 1}, // one item a read
		{workers: 7, batch: 7}, // exactly one batch, one item a worker
	} {
		t.Run(fmt.Sprintf("workers=%d/batch=%d", tc.workers, tc.batch), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h, plat, d := smallDrain(t, tc.workers, tc.batch)
				start := time.Now()
				if err := d.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				took := time.Since(start)
				sent := map[string]int{}
				for _, m := range plat.Sent() {
					sent[m.Key]++
				}
				if len(sent) != 7 || len(plat.Sent()) != 7 {
					t.Errorf("%d sends of %d items, want the 7 nudges once each: %v", len(plat.Sent()), len(sent), sent)
				}
				if states := stateCounts(t, h); states[okrcore.OutboxSent] != 7 || len(states) != 1 {
					t.Errorf("outbox after Drain: %v; want 7 sent and nothing else", states)
				}
				if took < 100*time.Millisecond || took > 300*time.Millisecond {
					t.Errorf("drained in %s; want about one send's 100 ms (in parallel, and no wait after the last)", took)
				}
			})
		})
	}
}

// smallDrain is Monday's seven nudges, due, for a dispatcher of workers
// reading batch items at a time (0: the default), whose every send takes
// 100 ms, paced far above what seven need.
func smallDrain(t *testing.T, workers, batch int) (*bottest.Kit, *bottest.Platform, *outbox.Dispatcher) {
	t.Helper()
	h := bottest.New(t, bottest.Demo())
	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	h.Tick()
	plat := h.Platform
	return h, plat, h.DispatcherTo(outbox.Only(slowSender{plat, 100 * time.Millisecond}), outbox.Options{Workers: workers, Batch: batch,
		Pacing: chat.Pacing{PerSecond: 1000, Burst: 100, PerConversation: time.Second}})
}
