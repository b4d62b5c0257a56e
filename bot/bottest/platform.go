package bottest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// waitTimeout is how long WaitFor waits: far longer than any answer takes,
// short enough that a missing one fails the test before its deadline.
const waitTimeout = 5 * time.Second

// Sent is one message a Platform received, what a test checks: when, to whom, what.
type Sent struct {
	At      time.Time         // the platform clock's time when it came
	To      chat.Conversation // where it went; none for an answer through Respond
	Key     string            // its outbox key ("checkin:u2:2026-W48"); empty for an answer
	Text    string            // the message flattened by Text
	Message chat.Message
	Reply   bool // an answer to an event rather than a proactive send
}

// Attempt is one send as FailWith's rule sees it, to decide which sends fail.
type Attempt struct {
	To        chat.Conversation
	Message   chat.Message
	Call      int // attempts at this conversation, this one included
	Delivered int // messages delivered so far, everywhere
}

// Platform is a recording chat platform (a chat.Sender and chat.Responder), to check what the bot sent, to whom and when.
//
// It is safe for concurrent use. It does not implement chat.Reconciler:
// Reconciling adds that, so that a test chooses whether the dispatcher may
// ask what arrived.
type Platform struct {
	now func() time.Time

	mu        sync.Mutex
	sent      []Sent
	calls     map[string]int
	delivered map[sentKey]bool
	fail      func(Attempt) error
	changed   chan struct{} // closed and replaced on every record
}

type sentKey struct{ conv, key string }

// NewPlatform makes a platform stamping what it receives with now, for a second platform behind a router.
func NewPlatform(now func() time.Time) *Platform {
	return &Platform{now: now, calls: map[string]int{}, delivered: map[sentKey]bool{}, changed: make(chan struct{})}
}

// FailWith makes later sends fail with what f returns (nil delivers), to play rate limits and missing channels.
//
// A nil f stops failing. f is called with the platform locked, so that it
// sees a consistent count; it must not call the platform's methods.
func (p *Platform) FailWith(f func(Attempt) error) {
	p.mu.Lock()
	p.fail = f
	p.mu.Unlock()
}

// Send records m as sent to to (unless FailWith's rule refuses it): the dispatcher's side.
func (p *Platform) Send(_ context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[to.ID]++
	if p.fail != nil {
		if err := p.fail(Attempt{To: to, Message: m, Call: p.calls[to.ID], Delivered: len(p.sent)}); err != nil {
			return chat.SentRef{}, err
		}
	}
	p.record(Sent{To: to, Key: m.Key, Message: m})
	p.delivered[sentKey{to.ID, m.Key}] = true
	return chat.SentRef{Conversation: to.ID, ID: fmt.Sprint(len(p.sent))}, nil
}

// Respond records m as an answer in no particular conversation; Responder says which.
func (p *Platform) Respond(_ context.Context, m chat.Message) error {
	p.answer(chat.Conversation{}, m)
	return nil
}

// Responder returns a chat.Responder recording its answers in to, the conversation of the event they answer.
func (p *Platform) Responder(to chat.Conversation) chat.Responder {
	return chat.ResponderFunc(func(_ context.Context, m chat.Message) error {
		p.answer(to, m)
		return nil
	})
}

func (p *Platform) answer(to chat.Conversation, m chat.Message) Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.record(Sent{To: to, Message: m, Reply: true})
}

// record keeps s and returns it as kept; p.mu is held.
func (p *Platform) record(s Sent) Sent {
	s.At = p.now()
	s.Text = Text(s.Message)
	p.sent = append(p.sent, s)
	close(p.changed)
	p.changed = make(chan struct{})
	return s
}

// Sent returns everything received so far, in order, to count or inspect it.
func (p *Platform) Sent() []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sent(nil), p.sent...)
}

// Find returns what was received so far that match accepts, in order.
func (p *Platform) Find(match func(Sent) bool) []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Sent
	for _, s := range p.sent {
		if match(s) {
			out = append(out, s)
		}
	}
	return out
}

// Kind returns the scheduled messages of one outbox kind ("checkin", "reminder", "digest"), by their keys.
func (p *Platform) Kind(kind string) []Sent {
	return p.Find(func(s Sent) bool { return strings.HasPrefix(s.Key, kind+":") })
}

// WaitFor waits for a message that match accepts, for answers from other goroutines; none in time fails the test.
func (p *Platform) WaitFor(tb testing.TB, what string, match func(Sent) bool) Sent {
	tb.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		for _, s := range p.sent {
			if match(s) {
				p.mu.Unlock()
				return s
			}
		}
		changed, n := p.changed, len(p.sent)
		p.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("waited %s for %s; %d messages came, none of them it", waitTimeout, what, n)
			return Sent{}
		}
	}
}

// Calls counts the sends attempted to conv, refused ones too, to show a failing send was retried as it should be.
func (p *Platform) Calls(conv string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[conv]
}

// Delivered says whether a message with outbox key reached conv, as a platform's history would.
func (p *Platform) Delivered(conv, key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delivered[sentKey{conv, key}]
}

// Reconciling returns p as a chat.Reconciler too, so a dispatcher after a crash may ask what arrived.
func (p *Platform) Reconciling() chat.Sender { return reconciling{p} }

type reconciling struct{ *Platform }

func (r reconciling) FindSent(_ context.Context, to chat.Conversation, key string) (chat.SentRef, bool, error) {
	return chat.SentRef{Conversation: to.ID}, r.Delivered(to.ID, key), nil
}

// Recipients returns the conversation ids of ss, sorted, to compare who got a message with who should have.
func Recipients(ss []Sent) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.To.ID)
	}
	sort.Strings(out)
	return out
}
