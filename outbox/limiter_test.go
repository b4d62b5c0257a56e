package outbox

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestPauseHoldsSleepers: a slot booked before a 429 is not used during the
// Retry-After pause that the 429 started.
func TestPauseHoldsSleepers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := &limiter{interval: 100 * time.Millisecond, burst: 1}
		start := time.Now()
		var sent []time.Duration
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := l.wait(context.Background()); err != nil {
					t.Error(err)
				}
				mu.Lock()
				sent = append(sent, time.Since(start))
				mu.Unlock()
			}()
		}
		time.Sleep(150 * time.Millisecond) // two have gone; three sleep on booked slots
		l.pause(time.Now().Add(2 * time.Second))
		wg.Wait()
		for _, d := range sent {
			if d > 150*time.Millisecond && d < 2150*time.Millisecond {
				t.Errorf("an event went at %s, inside the pause", d)
			}
		}
		if len(sent) != 5 {
			t.Errorf("%d events went, want 5", len(sent))
		}
	})
}
