package outbox

import (
	"context"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// The constants of the learned pace. A platform says how fast it lets a bot
// post only by refusing (429 with Retry-After), and every refusal costs a
// pause of at least a second for the whole workspace, so the pace looks for
// the limit quickly once and then stays just under it:
//
//   - until the first refusal, each success adds slowStartGain to the rate
//     (as TCP's slow start, exponential: a rate of r brings r successes a
//     second), which climbs from a documented 5 a second to hundreds in a
//     few seconds;
//   - a refusal cuts the rate to cutFactor of what the platform delivered
//     in the half second before it (multiplicative decrease), takes that
//     as the limit found, and remembers the rate asked as where the
//     platform refused;
//   - below recoverShare of the limit found, each success adds
//     slowStartGain again (capped there), so a cut is made good in well
//     under a second;
//   - held there for holdFor without a refusal, the limit found moves
//     halfway to where the platform refused, or probeStep above itself
//     when that is nearer (additive increase, in steps): a limit found
//     too low, measured over a climb, is corrected in a few steps, and a
//     steady one is asked about again only every several seconds.
const (
	slowStartGain = 2.0
	cutFactor     = 0.85
	recoverShare  = 0.95
	holdFor       = 10 * time.Second
	probeStep     = 0.02
	// minRate is the least pace a run of refusals leaves.
	minRate = 0.5
	// defaultRetryAfter is waited for a 429 that names no time.
	defaultRetryAfter = time.Second
)

// pace spaces the sends of one scope (a platform's workspace or tenant) at
// a rate it learns: raised while sends succeed, cut on a 429, never above
// the ceiling, and paused until a Retry-After has passed. It reads the real
// clock: tests run it inside testing/synctest bubbles.
type pace struct {
	mu      sync.Mutex
	rate    float64 // messages a second now; 0: unlimited
	ceiling float64 // the most rate is raised to
	burst   int
	learned float64   // the limit found: delivered at the last 429, then probed; 0 before one
	refused float64   // the rate asked at the last 429
	held    time.Time // since when the rate has been at the mark; zero while below it
	next    time.Time // when the next send may start, burst aside
	paused  time.Time // no send starts before (Retry-After)
	began   time.Time // the first send
	cut     time.Time // when the rate was last cut
	// When the last successes were delivered (a ring), for the rate the
	// platform let through just before it refused.
	recent [recentSends]time.Time
	sends  int
}

// The delivered rate is measured over the last measureSpan before a 429
// (or since the pause before it ended): long enough to smooth the jitter
// of a few sends, short enough to describe the moments when the platform
// refused rather than a ramp from a lower rate. recentSends holds that
// span at 2,000 messages a second.
const (
	measureSpan = 500 * time.Millisecond
	measureGap  = 100 * time.Millisecond
	recentSends = 1024
)

// newPace starts at pc.PerSecond, raised up to pc.Ceiling (PerSecond when
// the ceiling is lower: a pace that is only cut and recovers).
func newPace(pc chat.Pacing) *pace {
	return &pace{rate: pc.PerSecond, ceiling: max(pc.Ceiling, pc.PerSecond), burst: max(pc.Burst, 1)}
}

// wait returns when a send may start, the time it started, and whether
// it waited for its slot: only a pace that holds sends back learns from
// their success (a dispatcher slowed by its store, or with little to send,
// says nothing of how much more the platform would take). Slots are
// claimed when they come, not booked ahead: a worker that booked at the
// starting rate would otherwise keep a slot seconds away after the rate
// has risen, and a slot booked before a 429 must not be used during the
// Retry-After pause.
func (p *pace) wait(ctx context.Context) (started time.Time, paced bool, err error) {
	for {
		at, ok := p.claim()
		if ok {
			return at, paced, nil
		}
		if err := sleepUntil(ctx, at); err != nil {
			return time.Time{}, paced, err
		}
		paced = true
	}
}

// claim takes the slot that is due now, or says when the next one is.
func (p *pace) claim() (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Before(p.paused) {
		return p.paused, false
	}
	if p.began.IsZero() {
		p.began = now
	}
	if p.rate <= 0 {
		return now, true
	}
	interval := time.Duration(float64(time.Second) / p.rate)
	// Idle time earns up to burst sends that may go at once.
	if earliest := now.Add(-time.Duration(p.burst-1) * interval); p.next.Before(earliest) {
		p.next = earliest
	}
	if p.next.After(now) {
		return p.next, false
	}
	p.next = p.next.Add(interval)
	return now, true
}

// succeeded raises the rate for a send that started at started, after
// waiting for its slot (paced), and was delivered. Sends that started
// before the last cut say nothing of the rate after it.
func (p *pace) succeeded(started time.Time, paced bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.count(now)
	if !paced || p.rate <= 0 || started.Before(p.cut) || p.rate >= p.ceiling {
		return
	}
	switch {
	case p.learned == 0:
		p.rate += slowStartGain
	case p.rate < recoverShare*p.learned:
		// Below the mark: back up quickly, not past it.
		p.rate = min(p.rate+slowStartGain, recoverShare*p.learned)
		p.held = time.Time{}
	case p.held.IsZero():
		p.held = now
	case now.Sub(p.held) >= holdFor:
		p.learned = (p.learned + max(p.refused, p.learned*(1+probeStep))) / 2
		p.held = time.Time{}
	}
	p.rate = min(p.rate, p.ceiling)
}

// count records a success.
func (p *pace) count(now time.Time) {
	p.recent[p.sends%recentSends] = now
	p.sends++
}

// delivered is the rate of the successes since from, back to the last gap
// in them (the dispatcher reading its next batch, a person's spacing): 0
// when they were too few or too close together to tell (a burst says
// nothing of a rate).
func (p *pace) delivered(now, from time.Time) float64 {
	gap := measureGap
	if p.rate > 0 {
		gap = max(gap, time.Duration(3*float64(time.Second)/p.rate))
	}
	n, edge := 0, now
	for n < min(p.sends, recentSends) {
		t := p.recent[(p.sends-1-n)%recentSends]
		if t.Before(from) || edge.Sub(t) > gap {
			break
		}
		n, edge = n+1, t
	}
	if edge.After(from) && n < min(p.sends, recentSends) {
		from = edge
	}
	if span := now.Sub(from).Seconds(); n >= 8 && span >= measureSpan.Seconds()/5 {
		return float64(n) / span
	}
	return 0
}

// limited records a 429 for a send that started at started: no send starts
// before retryAfter has passed, and the first 429 of a burst of them cuts
// the rate (the others were sent at the rate already cut).
func (p *pace) limited(started time.Time, retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if retryAfter <= 0 {
		retryAfter = defaultRetryAfter
	}
	now := time.Now()
	from := now.Add(-measureSpan)
	for _, t := range []time.Time{p.paused, p.began} {
		if t.After(from) {
			from = t
		}
	}
	until := now.Add(retryAfter)
	if until.After(p.paused) {
		p.paused = until
	}
	// Sends already booked go after the pause, in order.
	if p.next.Before(until) {
		p.next = until
	}
	if p.rate <= 0 || started.Before(p.cut) {
		return
	}
	p.cut = now
	// What the platform let through is a better measure of its limit than
	// the rate asked for, which may have run ahead of the sends. Without a
	// measure (a refusal in the first moments, of a burst rather than of
	// the rate) nothing is learned and the rate is only cut.
	measured := p.delivered(now, from)
	base := p.rate
	p.refused, p.held = p.rate, time.Time{}
	if measured > 0 {
		base = min(base, measured)
		p.learned = base
	}
	p.rate = max(min(minRate, p.ceiling), cutFactor*base)
}

// current is the rate now, messages a second (0: unlimited).
func (p *pace) current() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}
