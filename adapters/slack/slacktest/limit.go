package slacktest

import (
	"math"
	"sync"
	"time"
)

// Limit is a platform's rate limit that the code under test is not told:
// a token bucket of PerSecond calls a second holding Burst calls across the
// workspace, and one call per PerConversation to any one conversation.
// Above either it refuses with a Retry-After in whole seconds (as the HTTP
// header carries it) without saying which limit it was, as Slack and Teams
// do not. The fake Slack applies it to chat.postMessage; an in-process fake
// sender can call Admit itself.
type Limit struct {
	perSecond float64
	burst     float64
	perConv   time.Duration
	now       func() time.Time

	mu       sync.Mutex
	tokens   float64
	last     time.Time // when tokens was computed
	lastConv map[string]time.Time
	calls    int64
	limited  int64
	convLim  int64
}

// NewLimit is a limit of perSecond calls a second in bursts of up to
// burst (at least 1), and one per perConversation to a conversation (none
// when 0).
func NewLimit(perSecond float64, burst int, perConversation time.Duration) *Limit {
	return newLimit(perSecond, burst, perConversation, time.Now)
}

func newLimit(perSecond float64, burst int, perConversation time.Duration, now func() time.Time) *Limit {
	b := float64(max(1, burst))
	return &Limit{perSecond: perSecond, burst: b, perConv: perConversation, now: now, tokens: b, last: now(),
		lastConv: map[string]time.Time{}}
}

// PerSecond is the hidden rate, for the floor a run is compared with.
func (l *Limit) PerSecond() float64 { return l.perSecond }

// Admit counts a call to conv and says whether it goes through; when it
// does not, retryAfter is the whole seconds the platform would ask for.
func (l *Limit) Admit(conv string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.calls++
	if last, seen := l.lastConv[conv]; seen && l.perConv > 0 && now.Sub(last) < l.perConv {
		l.limited++
		l.convLim++
		return false, wholeSeconds(l.perConv - now.Sub(last))
	}
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.perSecond)
	l.last = now
	if l.tokens < 1 {
		l.limited++
		return false, wholeSeconds(time.Duration((1 - l.tokens) / l.perSecond * float64(time.Second)))
	}
	l.tokens--
	if l.perConv > 0 {
		l.lastConv[conv] = now
	}
	return true, 0
}

// Stats are the calls counted, those refused, and of those the ones
// refused for their conversation.
func (l *Limit) Stats() (calls, limited, perConversation int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls, l.limited, l.convLim
}

// wholeSeconds rounds up to a whole second, at least one: Retry-After
// carries seconds.
func wholeSeconds(d time.Duration) time.Duration {
	return max(time.Second, time.Duration(math.Ceil(d.Seconds()))*time.Second)
}
