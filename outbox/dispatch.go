package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Composer builds what an outbox item sends; *Engine is one.
type Composer interface {
	Compose(ctx context.Context, it *okrcore.OutboxItem) (chat.Delivery, error)
}

// Options configure a Dispatcher.
type Options struct {
	Pacing chat.Pacing
	// Pacings override Pacing per platform, for a router of several.
	Pacings map[string]chat.Pacing
	// Workers is how many sends may be in flight at once; default 32. It
	// is also the most messages a crash can leave in doubt.
	Workers int
	// MaxAttempts is how often a failing item is tried before it is
	// marked failed; default 8 (429s do not count).
	MaxAttempts int
	// Batch is how many due items are read at a time; default 1000.
	Batch int
	// Claimer leases items to this dispatcher, for several replicas on one
	// store; when nil, the store's own (if it is one) is used, and
	// without one the outbox is this process's alone.
	Claimer Claimer
	// Owner names this dispatcher in its leases, unique among replicas;
	// NewOwner when empty.
	Owner string
	// Lease is how long a claimed item stays this dispatcher's between
	// renewals, and the term of the deployment's sender (leader.go);
	// DefaultLease when zero.
	Lease time.Duration
	Now   func() time.Time
	// LeaseNow is the clock of leases, Now when nil: okrbot serve gives
	// the real one, so that a demo's stopped clock does not stop a dead
	// replica's leases from ending.
	LeaseNow func() time.Time
	Logger   *slog.Logger
}

// Dispatcher sends due outbox items: in parallel across conversations,
// paced by per-workspace and per-conversation limiters, each item marked
// "sending" before it leaves and "sent" after, so that a crash leaves at
// most Workers items in doubt.
type Dispatcher struct {
	store    okrcore.Store
	composer Composer
	router   *Router
	pacing   chat.Pacing
	pacings  map[string]chat.Pacing
	workers  int
	attempts int
	batch    int
	claimer  Claimer // nil: the outbox is this process's alone
	locs     chat.Zones
	owner    string
	leader   Leader // nil: every dispatcher on the store sends
	lease    time.Duration
	now      func() time.Time
	leaseNow func() time.Time
	log      *slog.Logger

	mu             sync.Mutex
	paces          map[string]*pace // by platform and workspace
	paceByPlatform map[string][]*pace
	gates          map[string]*heldGate // by platform, workspace and conversation
	gatesSwept     int                  // how many gates the last sweep left
	stats          map[string]*Stats    // by platform

	marks marks // the workers' marks committed in groups, with a Claimer

	// draining is held by Drain: without a claimer, items are not claimed
	// in the store, so two drains at once would send the same items.
	draining sync.Mutex

	platforms map[string]string // workspace → platform, once read (guarded by mu)
}

// platformFor is the platform a delivery leaves through: its conversation's,
// else its workspace's.
func (d *Dispatcher) platformFor(ctx context.Context, ws string, to chat.Conversation) string {
	if to.Platform != "" {
		return to.Platform
	}
	return d.platformOf(ctx, ws)
}

// platformOf is the platform a workspace lives on. Only a platform read
// from the store is remembered: a failed read (a busy or briefly unavailable
// store) is tried again for the next item instead of routing every later
// item of the workspace nowhere.
func (d *Dispatcher) platformOf(ctx context.Context, ws string) string {
	d.mu.Lock()
	p, ok := d.platforms[ws]
	d.mu.Unlock()
	if ok {
		return p
	}
	err := d.store.View(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(ws)
		if err != nil {
			return err
		}
		p = w.Platform
		return nil
	})
	if err != nil {
		d.log.Warn("workspace platform not read", "workspace", ws, "err", err)
		return ""
	}
	d.mu.Lock()
	d.platforms[ws] = p
	d.mu.Unlock()
	return p
}

// senderFor is the sender for a delivery's platform.
func (d *Dispatcher) senderFor(rt route, to chat.Conversation) (chat.Sender, error) {
	if s, ok := d.router.senderFor(rt.platform, to); ok {
		return s, nil
	}
	return nil, unservedError{platform: rt.platform, channel: !to.Direct}
}

// unservedError is a delivery for a platform this process does not run.
type unservedError struct {
	platform string
	channel  bool
}

func (e unservedError) Error() string { return fmt.Sprintf("no sender for platform %q", e.platform) }

// Permanent: no retry starts the platform.
func (e unservedError) Permanent() bool { return true }

func (e unservedError) Advice() string {
	if e.channel {
		return fmt.Sprintf("its channel is on %s, which this okrbot does not serve. Set the team's channel again from a platform it serves (`/okr team channel NAME #channel`), or configure %s again.", chat.PlatformName(e.platform), chat.PlatformName(e.platform))
	}
	return fmt.Sprintf("it was for %s, which this okrbot does not serve. Configure %s again, or link the person's account on a platform it serves (`/okr link`).", chat.PlatformName(e.platform), chat.PlatformName(e.platform))
}

// served reports whether the dispatcher can send on a platform.
func (d *Dispatcher) served(p string) bool { return d.router.serves(p) }

// Stats count what a dispatcher did since it started.
type Stats struct {
	Sent, Skipped, Failed, Retried, RateLimited int64
}

// NewDispatcher returns a dispatcher sending through the router's senders.
func NewDispatcher(store okrcore.Store, composer Composer, router *Router, opts Options) *Dispatcher {
	d := &Dispatcher{store: store, composer: composer, router: router, pacing: opts.Pacing, pacings: opts.Pacings, workers: opts.Workers,
		attempts: opts.MaxAttempts, batch: opts.Batch, now: opts.Now, log: opts.Logger, paces: map[string]*pace{}, paceByPlatform: map[string][]*pace{},
		gates: map[string]*heldGate{}, platforms: map[string]string{}, stats: map[string]*Stats{}}
	d.marks.cond.L = &d.marks.mu
	if d.workers <= 0 {
		d.workers = 32
	}
	if d.attempts <= 0 {
		d.attempts = 8
	}
	if d.batch <= 0 {
		d.batch = 1000
	}
	d.claimer, d.owner, d.lease = opts.Claimer, opts.Owner, opts.Lease
	if c, ok := store.(Claimer); ok && d.claimer == nil {
		d.claimer = c
	}
	if d.owner == "" {
		d.owner = NewOwner()
	}
	if d.lease <= 0 {
		d.lease = DefaultLease
	}
	if d.now == nil {
		d.now = time.Now
	}
	d.leaseNow = opts.LeaseNow
	if d.leaseNow == nil {
		d.leaseNow = d.now
	}
	d.leader, _ = d.claimer.(Leader)
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// Stats returns the counters so far, over every platform.
func (d *Dispatcher) Stats() Stats {
	var t Stats
	for _, s := range d.StatsByPlatform() {
		t.Sent += s.Sent
		t.Skipped += s.Skipped
		t.Failed += s.Failed
		t.Retried += s.Retried
		t.RateLimited += s.RateLimited
	}
	return t
}

// StatsByPlatform returns the counters so far by the platform a message
// was for ("" when the item failed before its platform was known).
func (d *Dispatcher) StatsByPlatform() map[string]Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]Stats, len(d.stats))
	for p, s := range d.stats {
		out[p] = *s
	}
	return out
}

func (d *Dispatcher) count(platform string, f func(*Stats)) {
	d.mu.Lock()
	s, ok := d.stats[platform]
	if !ok {
		s = &Stats{}
		d.stats[platform] = s
	}
	f(s)
	d.mu.Unlock()
}

// deliver sends one item. Only store failures are returned: a platform
// failure is recorded on the item and retried later.
func (d *Dispatcher) deliver(ctx context.Context, it *okrcore.OutboxItem) error {
	if why, err := d.held(ctx, it); err != nil || why != "" {
		if err != nil {
			return err
		}
		d.count(d.platformOf(ctx, it.Workspace), func(s *Stats) { s.Skipped++ })
		return d.finish(ctx, it, okrcore.OutboxSkipped, chat.SentRef{}, why)
	}
	del, err := d.composer.Compose(ctx, it)
	if err != nil && ctx.Err() != nil {
		// Shutting down: not the item's fault, so not an attempt.
		return nil
	}
	if err != nil {
		d.log.Error("compose scheduled message", "kind", it.Kind, "item", it.ID, "err", err)
		return d.failed(ctx, it, route{ws: it.Workspace}, chat.Conversation{}, err)
	}
	rt := route{ws: it.Workspace, platform: d.platformFor(ctx, it.Workspace, del.To)}
	if del.Skip != "" {
		d.count(rt.platform, func(s *Stats) { s.Skipped++ })
		return d.finish(ctx, it, okrcore.OutboxSkipped, chat.SentRef{}, del.Skip)
	}
	sender, err := d.senderFor(rt, del.To)
	if err != nil {
		return d.failed(ctx, it, rt, del.To, err)
	}
	// An item in flight when the bot stopped may have arrived: it stays
	// "sending" until the platform says it didn't, so that the next start
	// asks again rather than sending it blind.
	inDoubt := it.State == okrcore.OutboxSending
	if inDoubt {
		if r, ok := sender.(chat.Reconciler); ok {
			ref, found, err := r.FindSent(ctx, del.To, it.Key)
			if err == nil && found {
				d.count(rt.platform, func(s *Stats) { s.Sent++ })
				return d.finish(ctx, it, okrcore.OutboxSent, ref, "")
			}
			if err != nil && ctx.Err() != nil {
				return nil
			}
		}
	}
	if err := d.mark(ctx, it, okrcore.OutboxSending, it.DueAt, ""); err != nil {
		return err
	}
	for {
		t, err := d.wait(ctx, rt, del.To.ID)
		if err != nil {
			if inDoubt {
				return nil
			}
			// Shutting down before the item left: it goes back to pending,
			// untouched, for the next start.
			return d.mark(ctx, it, okrcore.OutboxPending, it.DueAt, it.LastError)
		}
		ref, err := d.send(ctx, sender, del)
		t.done(err)
		var rl *chat.RateLimitError
		switch {
		case err == nil:
			d.count(rt.platform, func(s *Stats) { s.Sent++ })
			return d.finish(ctx, it, okrcore.OutboxSent, ref, "")
		case errors.As(err, &rl):
			d.count(rt.platform, func(s *Stats) { s.RateLimited++ })
			continue
		case ctx.Err() != nil:
			// In doubt: it stays "sending" and is reconciled on start.
			return nil
		}
		return d.failed(ctx, it, rt, del.To, err)
	}
}

// sendGrace is how long a send that has started may go on after shutdown
// began: a message half-way to the platform is better delivered and
// recorded than left in doubt.
const sendGrace = 10 * time.Second

// send hands a delivery to the platform. A shutdown does not cut a send
// short: it has sendGrace more to finish, and its outcome is stored. Until
// then it has all the time the sender takes (a long message waits out
// rate limits between its parts).
func (d *Dispatcher) send(ctx context.Context, sender chat.Sender, del chat.Delivery) (chat.SentRef, error) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(sendGrace, cancel) })
	defer stop()
	return sender.Send(sctx, del.To, del.Message)
}

// route is where an item leaves: its workspace and platform, which choose
// the sender and the rate limits.
type route struct{ ws, platform string }

// permanent is implemented by platform errors that no retry can fix (a
// channel the bot is not in, an archived channel).
type permanent interface{ Permanent() bool }

// advised is implemented by platform errors that carry a sentence for
// whoever can fix them ("invite it with /invite @okrbot").
type advised interface{ Advice() string }

// failed records a failed attempt: the item is tried again after a
// growing delay, and marked failed after MaxAttempts or at once when the
// error is permanent.
func (d *Dispatcher) failed(ctx context.Context, it *okrcore.OutboxItem, rt route, to chat.Conversation, cause error) error {
	it.Attempts++
	var p permanent
	if it.Attempts >= d.attempts || (errors.As(cause, &p) && p.Permanent()) {
		d.count(rt.platform, func(s *Stats) { s.Failed++ })
		d.log.Error("scheduled message failed for good", "kind", it.Kind, "item", it.ID, "attempts", it.Attempts, "err", cause)
		if err := d.mark(ctx, it, okrcore.OutboxFailed, it.DueAt, cause.Error()); err != nil {
			return err
		}
		d.tellAdmins(ctx, it, to, cause)
		return nil
	}
	d.count(rt.platform, func(s *Stats) { s.Retried++ })
	backoff := time.Duration(1<<min(it.Attempts, 10)) * 5 * time.Second
	d.log.Warn("scheduled message will be retried", "kind", it.Kind, "item", it.ID, "attempt", it.Attempts, "in", backoff, "err", cause)
	return d.mark(ctx, it, okrcore.OutboxPending, d.now().Add(backoff), cause.Error())
}

// tellAdmins lets the workspace's admins know, in a direct message, that a
// scheduled message could not be delivered and what would fix it. Each
// problem is told once a day: a revoked token fails every nudge of a
// fan-out, and the admins need one message, not thousands. It is best
// effort: a failure here is logged, not retried.
func (d *Dispatcher) tellAdmins(ctx context.Context, it *okrcore.OutboxItem, to chat.Conversation, cause error) {
	var a advised
	if !errors.As(cause, &a) || a.Advice() == "" {
		return
	}
	what := map[okrcore.OutboxKind]string{
		okrcore.OutboxCheckIn: "a check-in nudge", okrcore.OutboxReminder: "a reminder", okrcore.OutboxDigest: "a team digest",
		okrcore.OutboxManagerDigest: "a manager digest", okrcore.OutboxGrading: "a grading prompt", okrcore.OutboxRetro: "a retrospective",
		okrcore.OutboxEscalation: "a reply naming who has not checked in", okrcore.OutboxCycleStarted: "a note that a cycle started",
	}[it.Kind]
	// A channel's problem is the channel's; a person's is usually the
	// workspace's (a revoked token), so it is told once for everyone.
	key := "told:" + cause.Error()
	if !to.Direct && to.ID != "" {
		key += ":" + to.ID
	}
	now := d.now()
	var admins []*okrcore.User
	var whom string
	told := false
	err := d.store.Update(ctx, func(tx okrcore.Tx) error {
		admins, told = nil, false
		if _, err := tx.State(it.Workspace, key); err == nil {
			told = true
			return nil
		}
		var err error
		if admins, err = tx.UsersByRole(it.Workspace, okrcore.RoleAdmin); err != nil {
			return err
		}
		switch {
		case it.Team != 0:
			if t, err := tx.Team(it.Workspace, it.Team); err == nil {
				whom = " for team " + t.Name
			}
		case it.User != 0:
			if u, err := tx.User(it.Workspace, it.User); err == nil {
				whom = " for " + u.Name
			}
		}
		return tx.PutState(it.Workspace, key, []byte(now.UTC().Format(time.RFC3339)), now.Add(24*time.Hour))
	})
	if err != nil {
		d.log.Error("tell admins about a failed message", "err", err)
		return
	}
	if told {
		return
	}
	if !to.Direct && to.ID != "" {
		whom += " to " + to.ID
	}
	m := chat.Text(fmt.Sprintf("I couldn't deliver %s%s: %s", what, whom, a.Advice()))
	for _, u := range admins {
		admin := chat.DirectAmong(u, d.served)
		art := route{ws: it.Workspace, platform: d.platformFor(ctx, it.Workspace, admin)}
		sender, err := d.senderFor(art, admin)
		if err != nil {
			continue
		}
		t, err := d.wait(ctx, art, admin.ID)
		if err != nil {
			return
		}
		_, err = sender.Send(ctx, admin, m)
		t.done(err)
		if err != nil {
			d.log.Error("tell an admin about a failed message", "admin", u.ID, "err", err)
		}
	}
}

func (d *Dispatcher) finish(ctx context.Context, it *okrcore.OutboxItem, state okrcore.OutboxState, ref chat.SentRef, note string) error {
	it.SentRef, it.SentAt = ref.ID, d.now()
	return d.mark(ctx, it, state, it.DueAt, note)
}

// mark stores an item's new state. It uses a fresh context so that an item
// sent while shutting down is still recorded as sent. With a Claimer, it
// refuses (errLeaseLost) an item another replica took over, and is
// committed with the other workers' marks (record.go).
func (d *Dispatcher) mark(ctx context.Context, it *okrcore.OutboxItem, state okrcore.OutboxState, due time.Time, note string) error {
	m := &markReq{it: it, state: state, due: due, note: note}
	if d.claimer != nil {
		d.marks.record(ctx, d, m)
	} else {
		d.commitMarks(ctx, []*markReq{m})
	}
	if m.err != nil {
		return fmt.Errorf("mark outbox item %d %s: %w", it.ID, state, m.err)
	}
	it.State, it.DueAt = state, due
	return nil
}
