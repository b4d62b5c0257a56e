package bottest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// Inbox is a chat.Inbox in memory, for testing an adapter's record-before-
// ack path without a store: it can hold every Record until released, fail
// it, and says in order what it was told ("record ID", "done ID").
type Inbox struct {
	mu      sync.Mutex
	gate    chan struct{}
	fail    error
	log     []string
	pending []chat.Event
}

// NewInbox is an inbox that lists pending as kept from before a restart.
func NewInbox(pending ...chat.Event) *Inbox { return &Inbox{pending: pending} }

// Keep adds events as if kept from before a restart.
func (ib *Inbox) Keep(evs ...chat.Event) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.pending = append(ib.pending, evs...)
}

// Hold makes every Record wait until Release, to see what an adapter does
// before its event is recorded.
func (ib *Inbox) Hold() *Inbox {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.gate = make(chan struct{})
	return ib
}

// Release lets the held Records go on.
func (ib *Inbox) Release() {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.gate != nil {
		close(ib.gate)
		ib.gate = nil
	}
}

// Fail makes Record fail with err (nil: succeed again), as a full disk does.
func (ib *Inbox) Fail(err error) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.fail = err
}

// Record waits while held, then records ev unless failing.
func (ib *Inbox) Record(_ context.Context, ev chat.Event) error {
	ib.mu.Lock()
	gate := ib.gate
	ib.mu.Unlock()
	if gate != nil {
		<-gate
	}
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if ib.fail != nil {
		return ib.fail
	}
	ib.log = append(ib.log, "record "+ev.ID)
	return nil
}

// Done notes that ev was handled.
func (ib *Inbox) Done(_ context.Context, ev chat.Event) error {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.log = append(ib.log, "done "+ev.ID)
	return nil
}

// Pending lists the events given to NewInbox.
func (ib *Inbox) Pending(context.Context) ([]chat.Event, error) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return slices.Clone(ib.pending), nil
}

// Said is what the inbox was told so far, in order.
func (ib *Inbox) Said() []string {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return slices.Clone(ib.log)
}

// WaitSaid waits until the inbox was told want, failing the test after 5 s.
func (ib *Inbox) WaitSaid(tb testing.TB, want string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Contains(ib.Said(), want) {
		if time.Now().After(deadline) {
			tb.Fatalf("the inbox was never told %q: %v", want, ib.Said())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
