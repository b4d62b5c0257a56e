package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Check-ins from many people at once are written together: while one
// group's transaction commits, the next gathers, and it is written in one
// transaction (one fsync) whose roll-up recomputes each objective above
// its check-ins once (okrcore.CheckIns): the top of the alignment tree,
// which every check-in rolls up through, once per group. The guarantees
// are the ones of a check-in alone:
//
//   - each check-in's dedupe mark is written in the group's transaction,
//     with its effect, and a delivery another one marked first is left out
//     of the group and answered as a duplicate;
//   - the answer is built only after the group committed;
//   - when any check-in of a group fails, nothing of the group is kept and
//     each is written again in a transaction of its own, where it fails or
//     lands as it would have alone.

// checkInJob is one handling's check-ins: record writes them with c (its
// roll-up waits for the group's), in the group's transaction.
type checkInJob struct {
	ctx    context.Context
	record func(tx okrcore.Tx, c *okrcore.CheckIns) error
	done   chan error    // the job's outcome, once
	lead   chan struct{} // this job's goroutine writes the next group
}

// committer gathers concurrent check-in jobs into groups, written one
// group at a time by the goroutine of one of its jobs.
type committer struct {
	mu    sync.Mutex
	busy  bool // a group is being written
	queue []*checkInJob
}

// writeCheckIns writes a handling's check-ins with the group being
// gathered and returns once they are durable (or refused).
func (e *Engine) writeCheckIns(ctx context.Context, record func(tx okrcore.Tx, c *okrcore.CheckIns) error) error {
	j := &checkInJob{ctx: ctx, record: record, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	c := &e.checkIns
	c.mu.Lock()
	c.queue = append(c.queue, j)
	if c.busy {
		c.mu.Unlock()
		select {
		case err := <-j.done:
			return err
		case <-j.lead:
		}
	} else {
		c.busy = true
		c.mu.Unlock()
	}
	e.writeGroup(ctx)
	return <-j.done
}

// writeGroup writes every job queued, then hands the next group to the
// first job that queued meanwhile (or lets the committer rest).
func (e *Engine) writeGroup(ctx context.Context) {
	c := &e.checkIns
	c.mu.Lock()
	group := c.queue
	c.queue = nil
	c.mu.Unlock()
	defer func() {
		// A panic in one check-in's write must neither leave the others of
		// its group waiting nor stop every check-in after it.
		if p := recover(); p != nil {
			e.log.ErrorContext(ctx, "writing check-ins panicked", "panic", p)
			for _, j := range group {
				select {
				case j.done <- fmt.Errorf("bot: writing check-ins: %v", p):
				default:
				}
			}
		}
		c.mu.Lock()
		if len(c.queue) > 0 {
			c.queue[0].lead <- struct{}{}
		} else {
			c.busy = false
		}
		c.mu.Unlock()
	}()
	e.commitGroup(ctx, group)
}

// commitGroup writes a group's check-ins in one transaction, each with its
// dedupe mark; after a failure, each alone.
func (e *Engine) commitGroup(ctx context.Context, group []*checkInJob) {
	if len(group) == 1 || !e.commitTogether(ctx, group) {
		for _, j := range group {
			j.done <- e.store.Update(j.ctx, func(tx okrcore.Tx) error { return recordAlone(tx, j, e.now()) })
		}
	}
}

// commitTogether writes a group in one transaction and reports whether it
// committed (and each job has its answer).
func (e *Engine) commitTogether(ctx context.Context, group []*checkInJob) bool {
	beaten := make([]bool, len(group))
	// The group's transaction carries no handling's mark of its own (each
	// job's is written below) and is not cut short by one person's
	// cancelled request.
	gctx := context.WithValue(context.WithoutCancel(ctx), onceKey{}, (*once)(nil))
	err := e.store.Update(gctx, func(tx okrcore.Tx) error {
		var c okrcore.CheckIns
		for i, j := range group {
			ws, key, expires, token, due := onceOf(j.ctx).due()
			beaten[i] = false
			if due {
				b, err := tx.State(ws, key)
				if err == nil && string(b) != string(token) {
					beaten[i] = true
					continue
				}
				if err != nil && !okrcore.IsNotFound(err) {
					return err
				}
			}
			if err := j.record(tx, &c); err != nil {
				return err
			}
			if due {
				if err := tx.PutState(ws, key, token, expires); err != nil {
					return err
				}
			}
		}
		return c.Finish(tx, e.now())
	})
	if err != nil {
		return false
	}
	for i, j := range group {
		o := onceOf(j.ctx)
		if beaten[i] {
			o.set(false, true)
			j.done <- alreadyHandled{}
			continue
		}
		o.set(true, false)
		j.done <- nil
	}
	return true
}

// recordAlone writes one job's check-ins in a transaction of its own
// (through onceStore, which writes its mark).
func recordAlone(tx okrcore.Tx, j *checkInJob, now time.Time) error {
	var c okrcore.CheckIns
	if err := j.record(tx, &c); err != nil {
		return err
	}
	return c.Finish(tx, now)
}
