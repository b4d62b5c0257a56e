package outbox

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// TestPauseHoldsSleepers: a slot booked before a 429 is not used during the
// Retry-After pause that the 429 started.
func TestPauseHoldsSleepers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPace(chat.Pacing{PerSecond: 10, Burst: 1})
		start := time.Now()
		var sent []time.Duration
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if _, _, err := p.wait(context.Background()); err != nil {
					t.Error(err)
				}
				mu.Lock()
				sent = append(sent, time.Since(start))
				mu.Unlock()
			})
		}
		time.Sleep(150 * time.Millisecond) // two have gone; three sleep on booked slots
		p.limited(start, 2*time.Second)
		wg.Wait()
		for _, d := range sent {
			if d > 150*time.Millisecond && d < 2150*time.Millisecond {
				t.Errorf("a send went at %s, inside the pause", d)
			}
		}
		if len(sent) != 5 {
			t.Errorf("%d sends went, want 5", len(sent))
		}
	})
}

// TestPaceLearns drives one pace by hand: each case sends n messages that
// all succeed, then answers 429s, and checks the rate and the pause.
func TestPaceLearns(t *testing.T) {
	cases := []struct {
		name             string
		pacing           chat.Pacing
		successes        int
		idle             time.Duration // between the successes: fewer than the rate allows
		limited          int           // 429s after them, for sends in flight together
		retryAfter       time.Duration // of those 429s
		wantMin, wantMax float64       // the rate at the end
		wantHold         time.Duration // how long the next send waits
	}{
		{name: "raised while sends succeed", pacing: chat.Pacing{PerSecond: 5, Ceiling: 100, Burst: 1},
			successes: 20, wantMin: 5 + 19*slowStartGain, wantMax: 5 + 19*slowStartGain},
		{name: "not raised when it held nothing back", pacing: chat.Pacing{PerSecond: 5, Ceiling: 100, Burst: 1},
			successes: 20, idle: time.Second, wantMin: 5, wantMax: 5},
		{name: "never above the ceiling", pacing: chat.Pacing{PerSecond: 5, Ceiling: 12, Burst: 1},
			successes: 500, wantMin: 12, wantMax: 12},
		{name: "a ceiling under the start keeps the start", pacing: chat.Pacing{PerSecond: 5, Ceiling: 1, Burst: 1},
			successes: 50, wantMin: 5, wantMax: 5},
		{name: "cut on 429 and held for Retry-After", pacing: chat.Pacing{PerSecond: 20, Ceiling: 20, Burst: 1},
			successes: 40, limited: 1, retryAfter: 3 * time.Second, wantMin: cutFactor * 15, wantMax: cutFactor * 20, wantHold: 3 * time.Second},
		{name: "a burst of 429s cuts once", pacing: chat.Pacing{PerSecond: 20, Ceiling: 20, Burst: 1},
			successes: 40, limited: 6, retryAfter: time.Second, wantMin: cutFactor * 15, wantMax: cutFactor * 20, wantHold: time.Second},
		{name: "429 without Retry-After holds a second", pacing: chat.Pacing{PerSecond: 20, Ceiling: 20, Burst: 1},
			successes: 40, limited: 1, wantMin: cutFactor * 15, wantMax: cutFactor * 20, wantHold: defaultRetryAfter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				p := newPace(c.pacing)
				for range c.successes {
					started, paced, err := p.wait(ctx)
					if err != nil {
						t.Fatal(err)
					}
					p.succeeded(started, paced)
					time.Sleep(c.idle)
				}
				var inFlight []time.Time
				for range c.limited {
					started, _, err := p.wait(ctx)
					if err != nil {
						t.Fatal(err)
					}
					inFlight = append(inFlight, started)
				}
				for _, started := range inFlight {
					p.limited(started, c.retryAfter)
				}
				if r := p.current(); r < c.wantMin || r > c.wantMax {
					t.Errorf("rate %.2f/s, want %.2f to %.2f", r, c.wantMin, c.wantMax)
				}
				if c.wantHold > 0 {
					from := time.Now()
					if _, _, err := p.wait(ctx); err != nil {
						t.Fatal(err)
					}
					if held := time.Since(from); held < c.wantHold {
						t.Errorf("the next send went after %s, want at least the Retry-After %s", held, c.wantHold)
					}
				}
			})
		})
	}
}

// TestGateSpacesOneConversation: several messages to one person leave one
// at a time, each at least the platform's spacing after the one before it
// really started; a 429 for the conversation holds it for Retry-After and
// widens its spacing; successes narrow it back to the documented one.
func TestGateSpacesOneConversation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		g := newGate(time.Second)
		var starts []time.Time
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 4 { // a nudge, a reminder, a digest and a grading prompt
			wg.Go(func() {
				if err := g.enter(ctx); err != nil {
					t.Error(err)
					return
				}
				// The workspace's pace holds this one a little: the next
				// must count from here.
				time.Sleep(300 * time.Millisecond)
				now := time.Now()
				mu.Lock()
				starts = append(starts, now)
				mu.Unlock()
				g.leave(now, false, 0)
			})
		}
		wg.Wait()
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < time.Second {
				t.Errorf("messages %d and %d to one conversation %s apart, want at least 1s", i, i+1, gap)
			}
		}

		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		refused := time.Now()
		g.leave(refused, true, 5*time.Second)
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		if held := time.Since(refused); held < 5*time.Second {
			t.Errorf("the conversation was sent to again %s after its 429, want the Retry-After 5s", held)
		}
		g.leave(time.Now(), false, 0)
		if g.spacing <= time.Second {
			t.Errorf("spacing after a 429 and one success = %s, want wider than 1s", g.spacing)
		}
		for range 20 {
			if err := g.enter(ctx); err != nil {
				t.Fatal(err)
			}
			g.leave(time.Now(), false, 0)
		}
		if g.spacing != time.Second {
			t.Errorf("spacing after 20 successes = %s, want back at the documented 1s", g.spacing)
		}
	})
}

// hiddenLimit is a platform's limit the pace is not told: a token bucket
// of rate a second holding burst, answering 429 with Retry-After in whole
// seconds (as the HTTP header carries it).
type hiddenLimit struct {
	mu           sync.Mutex
	rate, burst  float64
	tokens       float64
	last         time.Time
	calls, refus int
}

func (h *hiddenLimit) admit() (bool, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	h.calls++
	h.tokens = min(h.burst, h.tokens+now.Sub(h.last).Seconds()*h.rate)
	h.last = now
	if h.tokens < 1 {
		h.refus++
		wait := (1 - h.tokens) / h.rate
		return false, max(time.Second, time.Duration(math.Ceil(wait))*time.Second)
	}
	h.tokens--
	return true, 0
}

// TestPaceFindsAHiddenLimit sends, from a documented starting rate of 5 a
// second, through workers that each take latency per call, as many
// messages as a limit the pace is not told lets through in floorSeconds
// (10,000 at 100 a second): the time taken is within 10% of that floor,
// and under 1% of the calls are refused. (A shorter fan-out pays the climb
// from the starting rate in a larger share of its time.)
func TestPaceFindsAHiddenLimit(t *testing.T) {
	const floorSeconds = 100
	cases := []struct {
		limit, burst float64
		latency      time.Duration
		workers      int
	}{
		{limit: 100, burst: 10, latency: 0, workers: 16},
		{limit: 100, burst: 10, latency: 50 * time.Millisecond, workers: 16},
		{limit: 40, burst: 5, latency: 100 * time.Millisecond, workers: 32},
		{limit: 300, burst: 30, latency: 20 * time.Millisecond, workers: 32},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("limit=%v/burst=%v/latency=%s", c.limit, c.burst, c.latency), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				messages := int(floorSeconds * c.limit)
				plat := &hiddenLimit{rate: c.limit, burst: c.burst, tokens: c.burst, last: time.Now()}
				p := newPace(chat.Pacing{PerSecond: 5, Ceiling: 10 * c.limit, Burst: 10})
				var left atomic.Int64
				left.Store(int64(messages))
				start := time.Now()
				var wg sync.WaitGroup
				for range c.workers {
					wg.Go(func() {
						for left.Load() > 0 {
							started, paced, err := p.wait(context.Background())
							if err != nil {
								t.Error(err)
								return
							}
							time.Sleep(c.latency / 2)
							ok, after := plat.admit()
							time.Sleep(c.latency - c.latency/2)
							if !ok {
								p.limited(started, after)
								continue
							}
							left.Add(-1)
							p.succeeded(started, paced)
						}
					})
				}
				wg.Wait()
				took := time.Since(start)
				floor := time.Duration(floorSeconds * time.Second)
				ratio := took.Seconds() / floor.Seconds()
				share := float64(plat.refus) / float64(plat.calls)
				t.Logf("%d messages in %s, floor %s: ratio %.3f; %d calls, %d refused (%.2f%%); rate at the end %.1f/s",
					messages, took.Round(time.Millisecond), floor, ratio, plat.calls, plat.refus, 100*share, p.current())
				if ratio > 1.10 {
					t.Errorf("ratio %.3f to the floor, want at most 1.10", ratio)
				}
				if share >= 0.01 {
					t.Errorf("%.2f%% of calls refused, want under 1%%", 100*share)
				}
			})
		})
	}
}
