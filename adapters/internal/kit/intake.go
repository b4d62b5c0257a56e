package kit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// Intake is the path every adapter's deliveries take from the platform to
// the pool. A delivery is admitted before the platform has its
// acknowledgement: a repeat of an event already taken is dropped, a new
// one is recorded in the inbox (when there is one, and when the inbox
// keeps it: a read is let go without a write), so that a crash after the
// acknowledgement does not lose it. Then its work is queued; a
// delivery the pool has no room for is forgotten again (its id and its
// record), so that the platform's retry is taken.
type Intake struct {
	run  *RunOnce
	seen *TTLSet
	pool *Pool
	log  *slog.Logger

	inbox atomic.Pointer[chat.Inbox]
}

// NewIntake returns the intake of an adapter's guard, dedupe set and pool.
func NewIntake(run *RunOnce, seen *TTLSet, pool *Pool, log *slog.Logger) *Intake {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Intake{run: run, seen: seen, pool: pool, log: log}
}

// UseInbox makes the intake record every admitted event with an id in ib;
// nil records nothing.
func (k *Intake) UseInbox(ib chat.Inbox) {
	if ib == nil {
		k.inbox.Store(nil)
		return
	}
	k.inbox.Store(&ib)
}

// Keeps reports whether admitted events are recorded in an inbox.
func (k *Intake) Keeps() bool { return k.box() != nil }

func (k *Intake) box() chat.Inbox {
	if p := k.inbox.Load(); p != nil {
		return *p
	}
	return nil
}

// Admission is what Admit decided about a delivery.
type Admission int

const (
	// Refused: nothing was taken or remembered; the adapter answers so
	// that the platform retries (HTTP 503, no Socket Mode ack).
	Refused Admission = iota
	// Duplicate: the event was taken before; the delivery is acknowledged
	// and dropped.
	Duplicate
	// Admitted: the event is remembered and recorded; the adapter
	// acknowledges it and queues its work.
	Admitted
)

// Admit decides on a delivery of ev before the platform's acknowledgement.
// The record is one durable write, which the store shares with the
// concurrent ones (bbolt's group commit); a failed one refuses the
// delivery.
func (k *Intake) Admit(ctx context.Context, ev chat.Event) Admission {
	if !k.run.Running() {
		return Refused
	}
	if ev.ID == "" {
		return Admitted
	}
	if !k.seen.Add(ev.ID) {
		k.log.Debug("duplicate delivery dropped", "event", ev.ID)
		return Duplicate
	}
	if ib := k.box(); ib != nil {
		if err := ib.Record(ctx, ev); err != nil {
			k.seen.Remove(ev.ID)
			k.log.Error("event refused: it could not be recorded", "event", ev.ID, "kind", ev.Kind, "err", err)
			return Refused
		}
	}
	return Admitted
}

// Queue hands the work of an admitted event to the pool, waiting up to
// wait for room, and says Done once job returned. It reports false when
// there was no room: the delivery is then forgotten (Forget), unless keep
// (Socket Mode, whose envelope was acknowledged already: Slack will not
// send it again, so it stays recorded and is handled when the process
// starts again).
func (k *Intake) Queue(ev chat.Event, job func(), wait time.Duration, keep bool) bool {
	ok := k.pool.Submit(func() {
		defer k.Done(ev)
		job()
	}, wait)
	if !ok && !keep {
		k.Forget(ev)
	}
	return ok
}

// Done says ev was handled (or, for work that does not go through the
// pool, that its handler returned).
func (k *Intake) Done(ev chat.Event) {
	ib := k.box()
	if ib == nil || ev.ID == "" {
		return
	}
	if err := ib.Done(context.Background(), ev); err != nil {
		k.log.Warn("inbox: could not mark an event done", "event", ev.ID, "err", err)
	}
}

// Forget undoes Admit for a delivery refused after all: its id is
// forgotten, so that the platform's retry is taken, and its record is
// done with.
func (k *Intake) Forget(ev chat.Event) {
	if ev.ID == "" {
		return
	}
	k.seen.Remove(ev.ID)
	k.Done(ev)
}

// Replay hands job, through the started pool, the events the inbox kept
// for platform from before this process started, and waits until every
// one was handled. An adapter's Run calls it before it takes new
// deliveries. It returns how many it handed over; one the pool had no
// room for within wait stays recorded for the next start.
func (k *Intake) Replay(ctx context.Context, platform string, job func(chat.Event), wait time.Duration) int {
	ib := k.box()
	if ib == nil {
		return 0
	}
	evs, err := ib.Pending(ctx)
	if err != nil {
		k.log.Error("inbox: could not read the events recorded before the restart; they stay recorded", "err", err)
		return 0
	}
	var wg sync.WaitGroup
	n := 0
	for _, ev := range evs {
		if ev.Platform != platform || ev.ID == "" {
			continue
		}
		k.seen.Add(ev.ID)
		wg.Add(1)
		ok := k.pool.Submit(func() {
			defer wg.Done()
			defer k.Done(ev)
			job(ev)
		}, wait)
		if !ok {
			wg.Done()
			k.log.Warn("inbox: no room to replay an event; it stays recorded", "event", ev.ID)
			continue
		}
		n++
	}
	wg.Wait()
	return n
}
