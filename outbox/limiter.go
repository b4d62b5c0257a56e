package outbox

import (
	"context"
	"sync"
	"time"
)

// gate paces one conversation: one send at a time, each starting at least
// spacing after the one before it started, none during a Retry-After. One
// person may get several messages at once (a nudge, a reminder, a digest,
// a grading prompt), and platforms limit a conversation on its own (Slack
// about one message a second, Teams 7 a second and 60 in 30 seconds).
// Spacing is measured from when the last send's answer came, not from when
// it was queued (two messages queued a second apart can leave together
// after the workspace's pace held the first) nor from when it left (the
// platform counts it on arrival, somewhere in between). A 429 for the conversation
// doubles its spacing; each success takes a quarter of least off again.
type gate struct {
	turn chan struct{} // held by the send in progress

	mu      sync.Mutex
	least   time.Duration // the platform's documented spacing
	spacing time.Duration
	last    time.Time // when the last send's answer came
	paused  time.Time
}

// maxSpacing bounds how far 429s widen a conversation's spacing.
const maxSpacing = time.Minute

func newGate(least time.Duration) *gate {
	return &gate{turn: make(chan struct{}, 1), least: least, spacing: least}
}

// enter returns when the conversation is free and its spacing has passed;
// the caller must leave.
func (g *gate) enter(ctx context.Context) error {
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	at := g.last.Add(g.spacing)
	if at.Before(g.paused) {
		at = g.paused
	}
	g.mu.Unlock()
	if err := sleepUntil(ctx, at); err != nil {
		<-g.turn
		return err
	}
	return nil
}

// leave frees the conversation after a send that started at started (zero
// when none did) and has its answer; limited, with retryAfter, when the
// platform refused it for the conversation.
func (g *gate) leave(started time.Time, limited bool, retryAfter time.Duration) {
	g.mu.Lock()
	if !started.IsZero() {
		g.last = time.Now()
	}
	switch {
	case limited:
		if retryAfter <= 0 {
			retryAfter = defaultRetryAfter
		}
		if until := time.Now().Add(retryAfter); until.After(g.paused) {
			g.paused = until
		}
		g.spacing = min(max(2*g.spacing, time.Second), maxSpacing)
	case !started.IsZero():
		g.spacing = max(g.least, g.spacing-g.least/4)
	}
	g.mu.Unlock()
	<-g.turn
}

// idle reports whether nothing waits on the gate and its spacing has
// passed, so that forgetting it changes nothing.
func (g *gate) idle(now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.turn) == 0 && !now.Before(g.last.Add(g.spacing)) && !now.Before(g.paused)
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
