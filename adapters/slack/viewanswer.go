package slack

import (
	"context"
	"sync"
	"time"
)

// viewAnswer carries the answer to a submitted modal to Slack's request
// for it while that still waits. Slack keeps the modal open until the
// request is answered (within 3 seconds), and only that answer can show
// refused answers in it (response_action: errors, by block id); once the
// request is answered, or has waited too long, the modal is closed and any
// later answer is posted instead. Its methods do nothing on a nil
// viewAnswer (a delivery that is not a live modal submission).
type viewAnswer struct {
	ch chan map[string]string

	mu     sync.Mutex
	closed bool // answered, or no longer awaited
}

func newViewAnswer() *viewAnswer { return &viewAnswer{ch: make(chan map[string]string, 1)} }

// offer hands errs (input block id → reason) to the waiting request; nil
// closes the modal. It reports false when the request no longer waits.
func (v *viewAnswer) offer(errs map[string]string) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return false
	}
	v.closed = true
	v.ch <- errs
	return true
}

// settle closes the modal unless an answer was given already.
func (v *viewAnswer) settle() { v.offer(nil) }

// wait returns the errors to show in the modal, or nil to close it: what
// was offered within d, else nil (and offers from then on are refused).
func (v *viewAnswer) wait(ctx context.Context, d time.Duration) map[string]string {
	if v == nil {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case errs := <-v.ch:
		return errs
	case <-t.C:
	case <-ctx.Done():
	}
	v.mu.Lock()
	answered := v.closed
	v.closed = true
	v.mu.Unlock()
	if answered {
		return <-v.ch
	}
	return nil
}
