// Package inbox keeps the events the chat adapters acknowledged until
// they are handled, in the store's State space, so that a process that
// died in between hands them back to the adapters when it starts again:
// Slack and Teams do not resend what they saw acknowledged. Only the
// events that may change something are kept (Options.Keeps): one that only
// reads is asked again by the person who saw no answer.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Scope is the State workspace of the inbox's records: they belong to no
// workspace and must be found without knowing one. No platform names a
// workspace so.
const Scope = "okrbot/inbox"

// DefaultSlots is how many events may be kept at once: more than the
// adapters' pools and queues hold together (two adapters of 16 workers
// and 1,024 queued each). A Record beyond it fails, and the adapter
// refuses the delivery, which the platform retries.
const DefaultSlots = 4096

// clears is how many records of finished events each Record deletes
// in its own transaction, so that they go without a write of their own.
const clears = 2

// Key is the State key of a slot.
func Key(slot int) string { return "inbox:" + strconv.Itoa(slot) }

// ErrFull refuses a Record with every slot in use.
var ErrFull = errors.New("inbox: every slot holds an event not yet handled")

// entry is what a slot holds.
type entry struct {
	Recorded time.Time  `json:"recorded"`
	Event    chat.Event `json:"event"`
}

// Inbox is a chat.Inbox on the store's State space: a fixed set of slots
// (inbox:<n>), each holding one event from its Record until a later Record
// reuses or clears it. Done writes nothing: the engine's dedupe mark
// already says an event was handled (Options.Handled), so a slot of a
// handled event that a crash left behind is seen as such when the next
// process starts. Record is one write, which the store's group commit
// shares with concurrent writers.
type Inbox struct {
	store   okrcore.Store
	now     func() time.Time
	ttl     time.Duration
	handled func(tx okrcore.Tx, ev chat.Event) (bool, error)
	keeps   func(ev chat.Event) bool
	slots   int

	// A slot is free (holds nothing), dirty (holds an event handled
	// since: a Record overwrites or clears it), busy (holds an event not
	// yet handled) or, while a Record's transaction clears it, on none of
	// these lists.
	mu      sync.Mutex
	loaded  bool
	free    []int            // a stack
	dirty   []int            // a stack
	busy    map[string]int   // event → its slot
	pending map[string]entry // events a previous process kept, not done since
}

var _ chat.Inbox = (*Inbox)(nil)

// Options configure an Inbox.
type Options struct {
	// Now is the clock of the records' expiry; default time.Now.
	Now func() time.Time
	// TTL is how long a record lives at most. It must not be longer than
	// the engine's dedupe marks live, or a record of a handled event could
	// outlive the mark that tells it apart. Default 24 hours.
	TTL time.Duration
	// Handled reports whether the engine's dedupe mark of ev is stored:
	// ev was handled before the process that recorded it stopped.
	Handled func(tx okrcore.Tx, ev chat.Event) (bool, error)
	// Slots is how many events may be kept at once; default DefaultSlots.
	Slots int
	// Keeps reports whether ev must survive a crash after its
	// acknowledgement: an event whose handling changes nothing stored
	// (a view) need not, since the person who sees no answer asks again,
	// and its Record then writes nothing, so that its answer waits for no
	// fsync. Default: every event is kept.
	Keeps func(ev chat.Event) bool
}

// New returns an inbox on store; a process makes one.
func New(store okrcore.Store, opts Options) *Inbox {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.Handled == nil {
		opts.Handled = func(okrcore.Tx, chat.Event) (bool, error) { return false, nil }
	}
	if opts.Slots <= 0 {
		opts.Slots = DefaultSlots
	}
	if opts.Keeps == nil {
		opts.Keeps = func(chat.Event) bool { return true }
	}
	return &Inbox{store: store, now: opts.Now, ttl: opts.TTL, handled: opts.Handled, keeps: opts.Keeps, slots: opts.Slots}
}

func eventKey(ev chat.Event) string { return ev.Platform + "\x00" + ev.ID }

// Record keeps ev until Done, in a slot of its own; an event without an
// id is not kept, nor one that Options.Keeps says needs no keeping (its
// Done then finds nothing to free).
func (in *Inbox) Record(ctx context.Context, ev chat.Event) error {
	if ev.ID == "" || !in.keeps(ev) {
		return nil
	}
	if err := in.load(ctx); err != nil {
		return err
	}
	key := eventKey(ev)
	in.mu.Lock()
	if _, ok := in.busy[key]; ok {
		in.mu.Unlock()
		return nil
	}
	slot, ok := in.take()
	if !ok {
		in.mu.Unlock()
		return ErrFull
	}
	in.busy[key] = slot
	var gone []int
	for len(gone) < clears && len(in.dirty) > 0 {
		gone = append(gone, in.pop(&in.dirty))
	}
	in.mu.Unlock()

	now := in.now()
	val, err := json.Marshal(entry{Recorded: now, Event: ev})
	if err == nil {
		err = in.store.Update(ctx, func(tx okrcore.Tx) error {
			if err := tx.PutState(Scope, Key(slot), val, now.Add(in.ttl)); err != nil {
				return err
			}
			for _, c := range gone {
				if err := tx.DeleteState(Scope, Key(c)); err != nil && !okrcore.IsNotFound(err) {
					return err
				}
			}
			return nil
		})
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if err != nil {
		// What the slots hold now is not known: dirty is safe.
		delete(in.busy, key)
		gone = append(gone, slot)
	}
	for _, c := range gone {
		if err == nil && c != slot {
			in.free = append(in.free, c)
			continue
		}
		in.dirty = append(in.dirty, c)
	}
	return err
}

// take finds a slot for a new record, under mu: a dirty one first (the
// record overwrites what it holds), else a free one.
func (in *Inbox) take() (int, bool) {
	for _, stack := range []*[]int{&in.dirty, &in.free} {
		if len(*stack) > 0 {
			return in.pop(stack), true
		}
	}
	return 0, false
}

func (in *Inbox) pop(stack *[]int) int {
	s := (*stack)[len(*stack)-1]
	*stack = (*stack)[:len(*stack)-1]
	return s
}

// Done frees ev's slot; it writes nothing (see Inbox).
func (in *Inbox) Done(_ context.Context, ev chat.Event) error {
	key := eventKey(ev)
	in.mu.Lock()
	defer in.mu.Unlock()
	slot, ok := in.busy[key]
	if !ok {
		return nil
	}
	delete(in.busy, key)
	delete(in.pending, key)
	in.dirty = append(in.dirty, slot)
	return nil
}

// Pending lists the events a previous process recorded and did not
// handle (its records of handled events are left out by their dedupe
// marks), not done since, oldest first.
func (in *Inbox) Pending(ctx context.Context) ([]chat.Event, error) {
	if err := in.load(ctx); err != nil {
		return nil, err
	}
	in.mu.Lock()
	entries := make([]entry, 0, len(in.pending))
	for _, e := range in.pending {
		entries = append(entries, e)
	}
	in.mu.Unlock()
	slices.SortStableFunc(entries, func(a, b entry) int { return a.Recorded.Compare(b.Recorded) })
	evs := make([]chat.Event, len(entries))
	for i, e := range entries {
		evs[i] = e.Event
	}
	return evs, nil
}

// load reads every slot once, before the first Record or Pending: what a
// previous process left is kept until it is done, and nothing recorded
// overwrites it.
func (in *Inbox) load(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.loaded {
		return nil
	}
	var free, dirty []int
	busy, pending := map[string]int{}, map[string]entry{}
	err := in.store.View(ctx, func(tx okrcore.Tx) error {
		free, dirty = free[:0], dirty[:0]
		clear(busy)
		clear(pending)
		for s := in.slots - 1; s >= 0; s-- {
			b, err := tx.State(Scope, Key(s))
			if okrcore.IsNotFound(err) {
				free = append(free, s)
				continue
			}
			if err != nil {
				return err
			}
			var e entry
			if json.Unmarshal(b, &e) == nil && e.Event.ID != "" {
				key := eventKey(e.Event)
				done, err := in.handled(tx, e.Event)
				if err != nil {
					return err
				}
				if _, twice := busy[key]; !done && !twice {
					busy[key], pending[key] = s, e
					continue
				}
			}
			dirty = append(dirty, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	in.free, in.dirty, in.busy, in.pending, in.loaded = free, dirty, busy, pending, true
	return nil
}

// Flush deletes the records of handled events, in one transaction: at a
// clean shutdown, after the adapters stopped, so that the next start has
// nothing to look at.
func (in *Inbox) Flush(ctx context.Context) error {
	in.mu.Lock()
	gone := in.dirty
	in.dirty = nil
	in.mu.Unlock()
	if len(gone) == 0 {
		return nil
	}
	err := in.store.Update(ctx, func(tx okrcore.Tx) error {
		for _, c := range gone {
			if err := tx.DeleteState(Scope, Key(c)); err != nil && !okrcore.IsNotFound(err) {
				return err
			}
		}
		return nil
	})
	in.mu.Lock()
	defer in.mu.Unlock()
	if err != nil {
		in.dirty = append(in.dirty, gone...)
		return err
	}
	in.free = append(in.free, gone...)
	return nil
}
