package outbox

import (
	"context"
	"sync"
	"time"
)

// limiter spaces events interval apart, allowing a burst, and can be paused
// until a time (a platform's Retry-After). It reads the real clock: tests
// run it inside testing/synctest bubbles.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	burst    int
	next     time.Time // when the next event may go, burst aside
	paused   time.Time
}

func (l *limiter) wait(ctx context.Context) error {
	for {
		at := l.book()
		if err := sleepUntil(ctx, at); err != nil {
			return err
		}
		// A Retry-After that arrived while this event slept moves it
		// behind the pause: a slot booked before a 429 must not be used
		// during the pause.
		l.mu.Lock()
		paused := l.paused
		l.mu.Unlock()
		if !time.Now().Before(paused) {
			return nil
		}
	}
}

// book reserves the next slot.
func (l *limiter) book() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.interval <= 0 {
		return l.paused
	}
	// Idle time earns up to burst events that may go at once.
	earliest := now.Add(-time.Duration(l.burst-1) * l.interval)
	if l.next.Before(earliest) {
		l.next = earliest
	}
	at := l.next
	if at.Before(l.paused) {
		at = l.paused
	}
	l.next = at.Add(l.interval)
	return at
}

func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.paused) {
		l.paused = until
	}
	// Events already booked before the pause go after it, in order.
	if l.next.Before(until) {
		l.next = until
	}
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
