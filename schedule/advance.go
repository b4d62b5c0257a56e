package schedule

import (
	"context"
	"fmt"
	"time"
)

// advanceStep is the usual step of Advance: slots are set in minutes, and
// every time zone's hours begin on a quarter hour of UTC, so a 10:00 slot
// anywhere is due on a step.
const advanceStep = 15 * time.Minute

// advanceSteps bounds the ticks of one Advance; a longer jump takes longer
// steps (never more than half the grace period, so nothing is skipped).
const advanceSteps = 3000

// Advance runs the rhythm over a jump of a clock that only its owner moves
// (`okrbot --clock` and its `/clock +1d`, tests): from the scheduler's
// clock (Options.Now) to to, it moves that clock with set one step at a
// time (a quarter hour), ticks at each step, and calls after (a
// dispatcher's Drain) when a step enqueued something, and once at the end.
// So every window the jump passes over is due at its own time, in order,
// as if the bot had been running; none is taken for downtime and skipped
// past the grace period. It returns what all the ticks did.
func (s *Scheduler) Advance(ctx context.Context, to time.Time, set func(time.Time), after func(context.Context)) (TickStats, error) {
	var total TickStats
	from := s.now()
	for _, at := range s.steps(from, to) {
		set(at)
		if got := s.now(); !got.Equal(at) {
			return total, fmt.Errorf("advance: the scheduler's clock reads %s after set(%s); set must move the clock of Options.Now", got, at)
		}
		st, err := s.Tick(ctx)
		total.Workspaces = st.Workspaces
		total.Enqueued += st.Enqueued
		if err != nil {
			return total, err
		}
		if after != nil && (st.Enqueued > 0 || at.Equal(to)) {
			after(ctx)
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// steps are the times Advance ticks at between from (excluded) and to
// (included): the quarter hours between, then to itself.
func (s *Scheduler) steps(from, to time.Time) []time.Time {
	if !to.After(from) {
		return []time.Time{to}
	}
	step := advanceStep
	if n := to.Sub(from) / advanceSteps; n > step {
		step = (n + advanceStep - 1) / advanceStep * advanceStep
	}
	if limit := s.grace / 2; step > limit {
		step = max(limit, time.Minute)
	}
	var out []time.Time
	for t := from.Truncate(step).Add(step); t.Before(to); t = t.Add(step) {
		out = append(out, t)
	}
	return append(out, to)
}
