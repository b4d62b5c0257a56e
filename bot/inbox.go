package bot

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/inbox"
	"github.com/okrbot/okrbot/okrcore"
)

// Every acknowledged event is handled once, even across a crash. Two
// pieces make it so:
//
//   - The inbox (package inbox) keeps each event an adapter acknowledges
//     that may change something (a read is not kept: keeps, reads.go), in
//     the store, from before the acknowledgement until it was handled;
//     a process that died in between hands what it kept back to the
//     adapters when it starts (Pending), and they handle it as if it had
//     just arrived.
//   - The engine's dedupe mark (eventKey) is written in the same
//     transaction as the event's effect: the first write of its handling
//     that commits after the person is known (onceStore). So an event
//     whose effect committed is marked, and a replay of it is dropped; one
//     that died before is not, and a replay does it. (Before, the mark was
//     written first, in a transaction of its own: an event that died
//     between the two was marked but never done.) A kept event whose
//     handling writes nothing (a refusal) is marked after it answers
//     (handleOnce). A read is not marked at all: a mark a read would
//     write after each answer, a thousand a second under load, grew the
//     file and held the readers back at bbolt's remaps (okrload slash
//     over 30 s: p99 223 ms with them, 13.5 ms without). A read
//     delivered again (a platform's retry that the adapter's dedupe set
//     did not catch, another replica) is answered again, from a store
//     it did not change.
//
// A handler that writes in two transactions and dies between them keeps
// the first, as after any failure between them.

// NewInbox returns the inbox of the engine's events; a process makes one.
// Its records live as long as the engine's dedupe marks (DedupeTTL), so
// that one never outlives the mark that tells a handled event apart. It
// keeps only the events that may change something (keeps, reads.go).
func (e *Engine) NewInbox() *inbox.Inbox {
	return inbox.New(e.store, inbox.Options{Now: e.now, TTL: e.dedupeTTL, Handled: e.handledBefore, Keeps: e.keeps})
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

// Wait returns once the dedupe marks of the handlings that wrote nothing
// and answered are written (handleOnce), and the accounts of the reads
// that answered before theirs was stored (resolveUser): a process calls it
// before it closes the store, a test before it delivers an event again.
func (e *Engine) Wait() { e.marks.Wait() }

// handleOnce handles ev with its dedupe mark in the handling's context,
// and writes the mark when the handling wrote nothing. A handling that
// lost the race to another delivery of the same event says nothing.
func (e *Engine) handleOnce(ctx context.Context, ev chat.Event) (chat.Message, bool) {
	var o *once
	if ev.ID != "" && e.keeps(ev) {
		o = &once{}
	}
	ctx = context.WithValue(ctx, onceKey{}, o)
	msg, ok := e.handle(ctx, ev)
	if o == nil {
		return msg, ok
	}
	if _, _, _, _, due := o.due(); due {
		// The handling wrote nothing: its answer is its only effect, and
		// the answer does not wait for the mark to be durable (a view would
		// otherwise wait for an fsync of its own). Until the mark lands, a
		// replay (the inbox's after a crash, a platform's retry that the
		// adapter's dedupe set did not catch) answers again, from a store
		// the first answer did not change: the person reads the view
		// twice, and nothing is done twice. A handling that wrote marks
		// its event in that write's transaction, before answering (onceStore).
		e.marks.Add(1)
		go func() {
			defer e.marks.Done()
			if err := e.store.Update(context.WithoutCancel(ctx), func(okrcore.Tx) error { return nil }); err != nil && !o.lost() {
				e.log.DebugContext(ctx, "record a handled event's id", "event", ev.ID, "err", err)
			}
		}()
		return msg, ok
	}
	if o.lost() {
		e.log.DebugContext(ctx, "duplicate event dropped", "event", ev.ID)
		return chat.Message{}, false
	}
	return msg, ok
}
