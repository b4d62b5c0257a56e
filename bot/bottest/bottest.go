// Package bottest is the test kit of okrbot's conversation: a temporary
// bbolt store, a clock the test moves, a recording chat platform, and the
// engine, scheduler and dispatcher on them, so that every package's tests
// build the same world in one call and keep only what is theirs (a fake
// Slack, a fake Bot Connector). Nothing in production imports it.
//
//	k := bottest.New(t, bottest.Demo())
//	k.Clock.Set(monday)
//	r := k.Rhythm(k.Dispatcher(outbox.Options{}))
//	r.Tick()
//	nudges := k.Platform.Kind("checkin")
package bottest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/demo"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
	"github.com/okrbot/okrbot/storage/bolt"
)

// Kit is one test's world (store, clock, engine, recording platform), so a test builds it in one call.
type Kit struct {
	DB       *bolt.DB    // the store; Restart replaces it
	Clock    *Clock      // the clock of the store, the engine and what the Kit makes
	Engine   *bot.Engine // the engine on DB and Clock; Restart replaces it
	Platform *Platform   // records what Dispatcher sends
	// Workspace and PlatformName are where the Kit's people talk from and
	// where Demo seeds ("local" on "shell" by default).
	Workspace    string
	PlatformName string

	tb     testing.TB
	store  storeConfig
	engine bot.Options
}

// Option changes what New builds, for a test whose world differs from the default.
type Option func(*config)

type config struct {
	start        time.Time
	ws, platform string
	demo         bool
	engine       bot.Options
	storeOpts    []StoreOption
}

// Start sets the clock's first reading, to begin at the moment a test is about.
//
// By default it is Wednesday 18 November 2026, 10:00 UTC, the middle of
// the demo's quarter, so that no test depends on the day it runs.
func Start(t time.Time) Option { return func(c *config) { c.start = t } }

// Workspace sets the Kit's workspace and chat platform, for a test of one adapter's platform.
func Workspace(ws, platform string) Option {
	return func(c *config) { c.ws, c.platform = ws, platform }
}

// Demo seeds the demo organisation at the clock's start, for tests that need real OKRs to work on.
func Demo() Option { return func(c *config) { c.demo = true } }

// EngineOptions sets the engine's options (one organisation, the platforms served); Now defaults to the Kit's clock.
func EngineOptions(o bot.Options) Option { return func(c *config) { c.engine = o } }

// StoreOptions changes how the store opens (File, Fsync, ExpireBy), for a test of a given file or durability.
//
// By default it is a new file without fsync that expires state by the
// Kit's clock.
func StoreOptions(opts ...StoreOption) Option {
	return func(c *config) { c.storeOpts = append(c.storeOpts, opts...) }
}

// New builds one test's world; the store is closed at cleanup.
func New(tb testing.TB, opts ...Option) *Kit {
	tb.Helper()
	c := config{start: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC), ws: "local", platform: "shell"}
	for _, o := range opts {
		o(&c)
	}
	k := &Kit{tb: tb, Clock: NewClock(c.start), Workspace: c.ws, PlatformName: c.platform, engine: c.engine}
	k.Platform = NewPlatform(k.Clock.Now)
	if k.engine.Now == nil {
		k.engine.Now = k.Clock.Now
	}
	k.store = newStoreConfig(tb, append([]StoreOption{ExpireBy(k.Clock.Now)}, c.storeOpts...))
	k.open()
	if c.demo {
		k.SeedDemo()
	}
	return k
}

func (k *Kit) open() {
	k.tb.Helper()
	k.DB = open(k.tb, k.store)
	k.Engine = bot.NewEngine(k.DB, k.engine)
}

// Restart reopens the store and starts a new engine, to show that what matters survives a process restart.
//
// Schedulers and dispatchers made before it still hold the closed store.
func (k *Kit) Restart() {
	k.tb.Helper()
	if err := k.DB.Close(); err != nil {
		k.tb.Fatalf("close store: %v", err)
	}
	k.open()
}

// SeedDemo seeds the demo organisation in the Kit's workspace now, for a test that seeds after setting up.
func (k *Kit) SeedDemo() {
	k.tb.Helper()
	SeedDemo(k.tb, k.DB, k.Workspace, k.PlatformName, k.Clock.Now())
}

// SeedDemo seeds the demo organisation (demo.Seed) into any store, for a test without a Kit.
func SeedDemo(tb testing.TB, s okrcore.Store, ws, platform string, now time.Time) {
	tb.Helper()
	seeded, err := demo.Seed(context.Background(), s, ws, platform, now)
	if err != nil || !seeded {
		tb.Fatalf("seed demo: seeded=%v err=%v", seeded, err)
	}
}

// Scheduler makes a scheduler on the Kit's store and clock (unless opts.Now is set).
func (k *Kit) Scheduler(opts schedule.Options) *schedule.Scheduler {
	if opts.Now == nil {
		opts.Now = k.Clock.Now
	}
	return schedule.NewScheduler(k.DB, opts)
}

// Tick runs one scheduler tick now, to enqueue what is due without sending it.
func (k *Kit) Tick() schedule.TickStats {
	k.tb.Helper()
	st, err := k.Scheduler(schedule.Options{}).Tick(context.Background())
	if err != nil {
		k.tb.Fatalf("tick: %v", err)
	}
	return st
}

// Dispatcher makes a dispatcher that composes with the Kit's engine and sends to its Platform.
func (k *Kit) Dispatcher(opts outbox.Options) *outbox.Dispatcher {
	return k.DispatcherTo(outbox.Only(k.Platform), opts)
}

// DispatcherTo makes a dispatcher sending through router, for senders that stall, reconcile or route by platform.
func (k *Kit) DispatcherTo(router *outbox.Router, opts outbox.Options) *outbox.Dispatcher {
	if opts.Now == nil {
		opts.Now = k.Clock.Now
	}
	return outbox.NewDispatcher(k.DB, k.Engine, router, opts)
}

// Event makes an event of kind from user in their direct messages, for a test to fill in and Process.
func (k *Kit) Event(user string, kind chat.EventKind) chat.Event {
	return chat.Event{Kind: kind, Platform: k.PlatformName, Workspace: k.Workspace, UserID: user, UserName: user,
		Conversation: chat.Conversation{ID: "dm:" + user, Direct: true}}
}

// Process hands ev to the engine and returns the answer, failing the test when there is none.
func (k *Kit) Process(ev chat.Event) chat.Message {
	k.tb.Helper()
	m, ok := k.Engine.Process(context.Background(), ev)
	if !ok {
		k.tb.Fatalf("%s: %s %q%q got no answer", ev.UserID, ev.Kind, ev.Text, ev.Value)
	}
	return m
}

// Ask sends text as user in their direct messages and returns the answer: a person talking to the bot.
func (k *Kit) Ask(user, text string) chat.Message {
	k.tb.Helper()
	ev := k.Event(user, chat.EventMessage)
	ev.Text = text
	return k.Process(ev)
}

// Press presses a button carrying value as user and returns the answer.
func (k *Kit) Press(user, value string) chat.Message {
	k.tb.Helper()
	ev := k.Event(user, chat.EventButton)
	ev.Value = value
	return k.Process(ev)
}

// Handle runs ev through Engine.Handle as an adapter does, recording the answers on Platform, and returns them.
func (k *Kit) Handle(ev chat.Event) []Sent {
	k.tb.Helper()
	var got []Sent
	var mu sync.Mutex
	k.Engine.Handle(context.Background(), ev, chat.ResponderFunc(func(_ context.Context, m chat.Message) error {
		s := k.Platform.answer(ev.Conversation, m)
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		return nil
	}))
	mu.Lock()
	defer mu.Unlock()
	return got
}

// Compose composes an outbox item as the dispatcher would, to check a scheduled message without sending it.
func (k *Kit) Compose(it *okrcore.OutboxItem) chat.Delivery {
	k.tb.Helper()
	d, err := k.Engine.Compose(context.Background(), it)
	if err != nil {
		k.tb.Fatalf("compose %s: %v", it.Key, err)
	}
	return d
}

// Rhythm is a scheduler and a dispatcher run together, as okrbot serve runs them every minute.
type Rhythm struct {
	Scheduler  *schedule.Scheduler
	Dispatcher *outbox.Dispatcher
	kit        *Kit
}

// rhythmTimeout bounds one tick and drain, so that a send that hangs fails
// the test instead of stalling it until its deadline.
const rhythmTimeout = time.Minute

// Rhythm pairs a Kit scheduler with d, to let scheduled messages go out as the test moves the clock.
func (k *Kit) Rhythm(d *outbox.Dispatcher) *Rhythm {
	return &Rhythm{Scheduler: k.Scheduler(schedule.Options{}), Dispatcher: d, kit: k}
}

// Tick runs the scheduler and then drains the dispatcher once, now: one minute of a running bot.
func (r *Rhythm) Tick() {
	tb := r.kit.tb
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), rhythmTimeout)
	defer cancel()
	if _, err := r.Scheduler.Tick(ctx); err != nil {
		tb.Fatalf("tick: %v", err)
	}
	if err := r.Dispatcher.Drain(ctx); err != nil {
		tb.Fatalf("drain: %v", err)
	}
}

// RunUntil ticks and moves the clock on by step until it is past end: days of a running bot in a moment.
func (r *Rhythm) RunUntil(end time.Time, step time.Duration) {
	r.kit.tb.Helper()
	for !r.kit.Clock.Now().After(end) {
		r.Tick()
		r.kit.Clock.Advance(step)
	}
}
