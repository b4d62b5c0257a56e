package kit

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/okrbot/okrbot/chat"
)

// RunOnce guards an adapter's Run: a second Run would race the first for
// the platform's events, so it is refused. It keeps the handler Run was
// given and says while Run serves (for /healthz and for refusing
// deliveries that arrive before or after).
type RunOnce struct {
	name string

	mu      sync.Mutex
	handler chat.Handler

	running atomic.Bool
}

// NewRunOnce returns the guard of the adapter name ("slack"), which starts
// its errors.
func NewRunOnce(name string) *RunOnce { return &RunOnce{name: name} }

// Start records h as the handler of the one Run.
func (r *RunOnce) Start(h chat.Handler) error {
	if h == nil {
		return fmt.Errorf("%s: Run needs a handler", r.name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handler != nil {
		return fmt.Errorf("%s: Run called twice", r.name)
	}
	r.handler = h
	return nil
}

// Handler is the handler Start recorded, or nil before.
func (r *RunOnce) Handler() chat.Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handler
}

// SetRunning says whether Run serves events now: true once it is ready to
// take them, false when it stops taking them.
func (r *RunOnce) SetRunning(on bool) { r.running.Store(on) }

// Running reports what SetRunning said last.
func (r *RunOnce) Running() bool { return r.running.Load() }
