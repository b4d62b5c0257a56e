package bot

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Every acknowledged event is handled once, even across a crash. Two
// pieces make it so:
//
//   - The Inbox keeps each event an adapter acknowledges, in the store,
//     from before the acknowledgement until it was handled; a process that
//     died in between hands what it kept back to the adapters when it
//     starts (Pending), and they handle it as if it had just arrived.
//   - The engine's dedupe mark (eventKey) is written in the same
//     transaction as the event's effect: the first write of its handling
//     that commits after the person is known (onceStore). So an event
//     whose effect committed is marked, and a replay of it is dropped; one
//     that died before is not, and a replay does it. (Before, the mark was
//     written first, in a transaction of its own: an event that died
//     between the two was marked but never done.) A handling that writes
//     nothing (a view, a refusal) is marked when it returns.
//
// A handler that writes in two transactions and dies between them keeps
// the first, as after any failure between them.

// inboxScope is the State workspace of the inbox's records: they belong
// to no workspace and must be found without knowing one. No platform
// names a workspace so.
const inboxScope = "okrbot/inbox"

// inboxSlots is how many events may be kept at once: more than the
// adapters' pools and queues hold together (two adapters of 16 workers
// and 1,024 queued each). A Record beyond it fails, and the adapter
// refuses the delivery, which the platform retries.
const inboxSlots = 4096

// inboxClears is how many records of finished events each Record deletes
// in its own transaction, so that they go without a write of their own.
const inboxClears = 2

func inboxKey(slot int) string { return "inbox:" + strconv.Itoa(slot) }

// errInboxFull refuses a Record with every slot in use.
var errInboxFull = errors.New("inbox: every slot holds an event not yet handled")

// inboxEntry is what a slot holds.
type inboxEntry struct {
	Recorded time.Time  `json:"recorded"`
	Event    chat.Event `json:"event"`
}

type slotState uint8

const (
	slotFree     slotState = iota // holds nothing
	slotBusy                      // holds an event not yet handled
	slotDirty                     // holds an event handled since: overwritten or cleared later
	slotClearing                  // being cleared by a Record's transaction
)

// Inbox is the chat.Inbox of an engine, on the store's State space: a
// fixed set of slots (inbox:<n>), each holding one event from its Record
// until a later Record reuses or clears it. Done writes nothing: the
// engine's dedupe mark already says an event was handled, so a slot of a
// handled event that a crash left behind is seen as such when the next
// process starts. Record is one write, which the store's group commit
// shares with concurrent writers.
type Inbox struct {
	store   okrcore.Store
	now     func() time.Time
	ttl     time.Duration
	handled func(tx okrcore.Tx, ev chat.Event) (bool, error)
	slots   int

	mu      sync.Mutex
	loaded  bool
	state   []slotState
	free    []int                 // free slots, a stack
	dirty   []int                 // dirty slots, a stack
	busy    map[string]int        // event → its slot
	pending map[string]inboxEntry // events a previous process kept, not done since
}

var _ chat.Inbox = (*Inbox)(nil)

// NewInbox returns the inbox of the engine's events; a process makes one.
// Its records live as long as the engine's dedupe marks (DedupeTTL), so
// that one never outlives the mark that tells a handled event apart.
func (e *Engine) NewInbox() *Inbox {
	return &Inbox{store: e.store, now: e.now, ttl: e.dedupeTTL, handled: e.handledBefore, slots: inboxSlots}
}

// handledBefore reports whether the engine's dedupe mark of ev is stored.
func (e *Engine) handledBefore(tx okrcore.Tx, ev chat.Event) (bool, error) {
	ws := ev.Workspace
	if e.workspace != "" && ws != "" {
		ws = e.workspace
	}
	if ws == "" {
		return false, nil
	}
	_, err := tx.State(ws, eventKey(ev.Platform, ev.ID))
	if okrcore.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func inboxEventKey(ev chat.Event) string { return ev.Platform + "\x00" + ev.ID }

// Record keeps ev until Done, in a slot of its own; an event without an
// id is not kept.
func (in *Inbox) Record(ctx context.Context, ev chat.Event) error {
	if ev.ID == "" {
		return nil
	}
	if err := in.load(ctx); err != nil {
		return err
	}
	key := inboxEventKey(ev)
	in.mu.Lock()
	if _, ok := in.busy[key]; ok {
		in.mu.Unlock()
		return nil
	}
	slot, ok := in.take()
	if !ok {
		in.mu.Unlock()
		return errInboxFull
	}
	in.busy[key] = slot
	var clear []int
	for len(clear) < inboxClears && len(in.dirty) > 0 {
		c := in.pop(&in.dirty)
		in.state[c] = slotClearing
		clear = append(clear, c)
	}
	in.mu.Unlock()

	now := in.now()
	val, err := json.Marshal(inboxEntry{Recorded: now, Event: ev})
	if err == nil {
		err = in.store.Update(ctx, func(tx okrcore.Tx) error {
			if err := tx.PutState(inboxScope, inboxKey(slot), val, now.Add(in.ttl)); err != nil {
				return err
			}
			for _, c := range clear {
				if err := tx.DeleteState(inboxScope, inboxKey(c)); err != nil && !okrcore.IsNotFound(err) {
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
		clear = append(clear, slot)
	}
	for _, c := range clear {
		in.state[c] = slotDirty
		if err == nil && c != slot {
			in.state[c] = slotFree
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
			s := in.pop(stack)
			in.state[s] = slotBusy
			return s, true
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
	key := inboxEventKey(ev)
	in.mu.Lock()
	defer in.mu.Unlock()
	slot, ok := in.busy[key]
	if !ok {
		return nil
	}
	delete(in.busy, key)
	delete(in.pending, key)
	in.state[slot] = slotDirty
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
	entries := make([]inboxEntry, 0, len(in.pending))
	for _, e := range in.pending {
		entries = append(entries, e)
	}
	in.mu.Unlock()
	slices.SortStableFunc(entries, func(a, b inboxEntry) int { return a.Recorded.Compare(b.Recorded) })
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
	state := make([]slotState, in.slots)
	var free, dirty []int
	busy, pending := map[string]int{}, map[string]inboxEntry{}
	err := in.store.View(ctx, func(tx okrcore.Tx) error {
		free, dirty = free[:0], dirty[:0]
		clear(busy)
		clear(pending)
		for s := in.slots - 1; s >= 0; s-- {
			state[s] = slotFree
			b, err := tx.State(inboxScope, inboxKey(s))
			if okrcore.IsNotFound(err) {
				free = append(free, s)
				continue
			}
			if err != nil {
				return err
			}
			var e inboxEntry
			if json.Unmarshal(b, &e) == nil && e.Event.ID != "" {
				key := inboxEventKey(e.Event)
				done, err := in.handled(tx, e.Event)
				if err != nil {
					return err
				}
				if _, twice := busy[key]; !done && !twice {
					state[s] = slotBusy
					busy[key], pending[key] = s, e
					continue
				}
			}
			state[s] = slotDirty
			dirty = append(dirty, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	in.state, in.free, in.dirty, in.busy, in.pending, in.loaded = state, free, dirty, busy, pending, true
	return nil
}

// Flush deletes the records of handled events, in one transaction: at a
// clean shutdown, after the adapters stopped, so that the next start has
// nothing to look at.
func (in *Inbox) Flush(ctx context.Context) error {
	in.mu.Lock()
	if !in.loaded || len(in.dirty) == 0 {
		in.mu.Unlock()
		return nil
	}
	clear := in.dirty
	in.dirty = nil
	for _, c := range clear {
		in.state[c] = slotClearing
	}
	in.mu.Unlock()
	err := in.store.Update(ctx, func(tx okrcore.Tx) error {
		for _, c := range clear {
			if err := tx.DeleteState(inboxScope, inboxKey(c)); err != nil && !okrcore.IsNotFound(err) {
				return err
			}
		}
		return nil
	})
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, c := range clear {
		if err != nil {
			in.state[c] = slotDirty
			in.dirty = append(in.dirty, c)
			continue
		}
		in.state[c] = slotFree
		in.free = append(in.free, c)
	}
	return err
}

// once is the dedupe mark of the event being handled, carried in the
// handling's context: armed once the person is known, written by the
// first write transaction that commits after that, or at the end.
type once struct {
	mu      sync.Mutex
	ws, key string
	expires time.Time
	token   []byte // tells this handling's mark from another delivery's
	armed   bool
	marked  bool // a committed transaction carried the mark
	beaten  bool // another delivery of the event carried it first
}

type onceKey struct{}

func onceOf(ctx context.Context) *once {
	o, _ := ctx.Value(onceKey{}).(*once)
	return o
}

// due is the mark to write with the next transaction, if any.
func (o *once) due() (ws, key string, expires time.Time, token []byte, ok bool) {
	if o == nil {
		return "", "", time.Time{}, nil, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.ws, o.key, o.expires, o.token, o.armed && !o.marked && !o.beaten
}

func (o *once) set(marked, beaten bool) {
	o.mu.Lock()
	o.marked = o.marked || marked
	o.beaten = o.beaten || beaten
	o.mu.Unlock()
}

func (o *once) lost() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.beaten
}

// alreadyHandled refuses a handling's write when another delivery of the
// same event marked it first (two deliveries at once); the handling's
// answer is dropped. It is a Usage error so that it is not logged as an
// internal one on its way out of a handler.
type alreadyHandled struct{}

func (alreadyHandled) Error() string { return "bot: the event was handled by another delivery" }
func (alreadyHandled) Usage() string { return "Already done." }

// onceStore is the engine's store: while an event's mark is due, an
// Update also writes the mark, in the same transaction, and is refused
// when another delivery's mark is there.
type onceStore struct{ okrcore.Store }

func (s onceStore) Update(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	o := onceOf(ctx)
	ws, key, expires, token, ok := o.due()
	if !ok {
		return s.Store.Update(ctx, fn)
	}
	err := s.Store.Update(ctx, func(tx okrcore.Tx) error {
		b, err := tx.State(ws, key)
		switch {
		case err == nil && string(b) != string(token):
			return alreadyHandled{}
		case err != nil && !okrcore.IsNotFound(err):
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.PutState(ws, key, token, expires)
	})
	var ah alreadyHandled
	o.set(err == nil, errors.As(err, &ah))
	return err
}

// arm makes the handling's next committed write carry ev's dedupe mark:
// called once the person is known, so that creating them, which a replay
// does again harmlessly, does not count as the event's effect.
func (e *Engine) arm(ctx context.Context, ev chat.Event, now time.Time) {
	o := onceOf(ctx)
	if o == nil || ev.ID == "" {
		return
	}
	o.mu.Lock()
	o.ws, o.key, o.expires = ev.Workspace, eventKey(ev.Platform, ev.ID), now.Add(e.dedupeTTL)
	o.token = strconv.AppendUint([]byte{1}, rand.Uint64(), 36)
	o.armed = true
	o.mu.Unlock()
}

// handleOnce handles ev with its dedupe mark in the handling's context,
// and writes the mark when the handling wrote nothing. A handling that
// lost the race to another delivery of the same event says nothing.
func (e *Engine) handleOnce(ctx context.Context, ev chat.Event) (chat.Message, bool) {
	var o *once
	if ev.ID != "" {
		o = &once{}
	}
	ctx = context.WithValue(ctx, onceKey{}, o)
	msg, ok := e.handle(ctx, ev)
	if o == nil {
		return msg, ok
	}
	if _, _, _, _, due := o.due(); due {
		// The mark alone, through onceStore.
		if err := e.store.Update(ctx, func(okrcore.Tx) error { return nil }); err != nil && !o.lost() {
			e.log.WarnContext(ctx, "record a handled event's id", "event", ev.ID, "err", err)
		}
	}
	if o.lost() {
		e.log.DebugContext(ctx, "duplicate event dropped", "event", ev.ID)
		return chat.Message{}, false
	}
	return msg, ok
}
