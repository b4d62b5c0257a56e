package bottest

import (
	"sync"
	"time"
)

// Clock is a clock the test moves, safe to read from other goroutines: pass its Now wherever an Options takes one.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock makes a clock stopped at t, for a test without a Kit.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time; it is the Options.Now of everything on the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, to jump to the moment a test is about (Monday's check-in window).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock on by d and returns the new time, to let time pass between steps.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
