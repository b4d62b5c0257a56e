package schedule

import (
	"errors"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/minimums"
)

// Objectives short of key results (okrcore/minimums): once an hour (the
// first tick of a process, then an hour after its last look) the scheduler
// looks for the current cycles' objectives written a day or two ago and
// records a warning for each still short, to its owner (or its team's
// lead), so that it comes a day to a day and an hour after the objective
// was written. The outbox key names the objective: each is warned once,
// however many looks (or replicas) find it. An occurrence of a slot has a
// marker; these need none.

// lookEvery is how often the scheduler looks.
const lookEvery = time.Hour

func (s *Scheduler) planFewKeyResults(tx okrcore.Tx, w *okrcore.Workspace, now time.Time) ([]*okrcore.OutboxItem, error) {
	if last, ok := s.looked[w.ID]; ok && now.Sub(last) < lookEvery && !now.Before(last) {
		return nil, nil
	}
	s.looked[w.ID] = now
	cycles, err := okrcore.CurrentCycles(tx, w.ID)
	if errors.Is(err, okrcore.ErrNoCurrentCycle) || okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("current cycles: %w", err)
	}
	var items []*okrcore.OutboxItem
	for _, c := range cycles {
		more, err := fewKeyResultsIn(tx, w, c, now)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	return items, nil
}

// fewKeyResultsIn are the warnings due now for the objectives of cycle c.
func fewKeyResultsIn(tx okrcore.Tx, w *okrcore.Workspace, c *okrcore.Cycle, now time.Time) ([]*okrcore.OutboxItem, error) {
	objs, err := tx.ObjectivesByCycle(w.ID, c.ID)
	if err != nil {
		return nil, fmt.Errorf("objectives of %s: %w", c.Name, err)
	}
	var items []*okrcore.OutboxItem
	for _, o := range objs {
		// Most objectives are older or younger: no key results to read.
		if age := now.Sub(o.CreatedAt); age < minimums.Wait || age >= minimums.Within {
			continue
		}
		krs, err := tx.KeyResultsByObjective(w.ID, o.ID)
		if err != nil {
			return nil, fmt.Errorf("key results of %s: %w", o.Ref(), err)
		}
		if !minimums.ShortOfKeyResults(o, len(krs), c, w.Rules, now) {
			continue
		}
		to, err := minimums.Recipient(tx, w.ID, o)
		if err != nil {
			return nil, fmt.Errorf("owner of %s: %w", o.Ref(), err)
		}
		if to == 0 {
			continue // a team without a lead: its planning digest says it
		}
		ref := o.Ref().String()
		items = append(items, &okrcore.OutboxItem{Workspace: w.ID, Kind: okrcore.OutboxFewKeyResults, User: to, Period: ref, DueAt: now, CreatedAt: now,
			Key: fmt.Sprintf("%s:%s", okrcore.OutboxFewKeyResults, ref)})
	}
	return items, nil
}
