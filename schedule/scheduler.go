package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// SchedulerOptions configure a Scheduler.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// Grace is how late a missed window (the bot was down over Monday
	// 10:00) is still caught up; older windows are skipped and logged.
	// Default 12 hours.
	Grace time.Duration
	// Workspace, when set, is the only workspace whose rhythm runs: the
	// engine's Options.Workspace, which serves every platform as one
	// organisation. Others in the store are left alone, not nudged.
	Workspace string
}

// Scheduler turns the workspaces' schedules into outbox items. It keeps no
// state in memory but the groups of a workspace's people, for a while
// (roster.go): every occurrence has a deterministic key recorded in the
// store when handled, so a restart, two ticks in one minute or a
// daylight-saving fold never schedule anything twice, and a spring-forward
// gap never swallows one.
type Scheduler struct {
	store okrcore.Store
	now   func() time.Time
	log   *slog.Logger
	grace time.Duration
	only  string
	locs  chat.Zones
	// mu serialises the planning of ticks, which share rosters and the
	// times of the workspaces' last look for objectives short of key
	// results (minimums.go).
	mu      sync.Mutex
	rosters map[string]*roster
	looked  map[string]time.Time
}

// NewScheduler returns a scheduler over store.
func NewScheduler(store okrcore.Store, opts Options) *Scheduler {
	s := &Scheduler{store: store, now: opts.Now, log: opts.Logger, grace: opts.Grace, only: opts.Workspace, looked: map[string]time.Time{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.grace <= 0 {
		s.grace = 12 * time.Hour
	}
	return s
}

// TickStats says what one tick did.
type TickStats struct {
	Workspaces int
	Enqueued   int
}

// Run ticks every interval (robfig/cron, in UTC: the schedules carry their
// own time zones) and calls after each tick, until ctx ends. A tick that
// overruns the next one makes it skip rather than pile up, and a panic is
// logged rather than fatal.
func (s *Scheduler) Run(ctx context.Context, every time.Duration, after func(context.Context)) error {
	logger := cron.VerbosePrintfLogger(slogPrintf{s.log})
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	job := func() {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler tick", "err", err)
		}
		if after != nil && ctx.Err() == nil {
			after(ctx)
		}
	}
	id, err := c.AddFunc("@every "+every.String(), job)
	if err != nil {
		return fmt.Errorf("schedule ticks: %w", err)
	}
	// Catch up at once after a start, through the same guard as the
	// scheduled runs, so that a long first fan-out and the next tick
	// never run side by side.
	catchUp := make(chan struct{})
	go func() {
		defer close(catchUp)
		c.Entry(id).WrappedJob.Run()
	}()
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	<-catchUp
	return nil
}

type slogPrintf struct{ l *slog.Logger }

func (p slogPrintf) Printf(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "src", "cron")
}

// Tick enqueues every occurrence that is due now (within the grace period)
// and not yet handled.
func (s *Scheduler) Tick(ctx context.Context) (TickStats, error) {
	now := s.now()
	var wss []*okrcore.Workspace
	if err := s.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		wss, err = tx.Workspaces()
		return err
	}); err != nil {
		return TickStats{}, fmt.Errorf("list workspaces: %w", err)
	}
	if s.only != "" {
		served := wss[:0]
		for _, w := range wss {
			if w.ID == s.only {
				served = append(served, w)
			}
		}
		wss = served
	}
	st := TickStats{Workspaces: len(wss)}
	for _, w := range wss {
		n, err := s.tickWorkspace(ctx, w.ID, now)
		if err != nil {
			return st, fmt.Errorf("tick workspace %s: %w", w.ID, err)
		}
		st.Enqueued += n
	}
	return st, nil
}

// plan is what one tick of one workspace decided: outbox items and the
// markers of the occurrences they came from.
type plan struct {
	items   []*okrcore.OutboxItem
	markers []string
	// stampTick asks for the time of this tick to be recorded although
	// nothing was due, so that a long quiet spell is not mistaken for
	// downtime.
	stampTick bool
	// startCycles says a cycle becomes current now (cycles.Due).
	startCycles bool
	// book is the workspace's time away and ladder, read when first
	// needed.
	book *away.Book
}

func (p *plan) awayBook(tx okrcore.Tx, ws string) *away.Book {
	if p.book == nil {
		b, err := away.Read(tx, ws)
		if err != nil {
			b = &away.Book{} // unreadable: nobody away, the ladder off
		}
		p.book = b
	}
	return p.book
}

const markerTTL = 400 * 24 * time.Hour

// enqueueChunk is how many outbox items one write transaction adds.
const enqueueChunk = 2000

func (s *Scheduler) tickWorkspace(ctx context.Context, ws string, now time.Time) (int, error) {
	var p plan
	s.mu.Lock()
	err := s.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		p, err = s.planWorkspace(tx, ws, now)
		return err
	})
	s.mu.Unlock()
	if err == nil && p.startCycles {
		err = s.startCycles(ctx, ws, now)
	}
	if err != nil {
		return 0, err
	}
	if len(p.markers) == 0 && len(p.items) == 0 {
		if !p.stampTick {
			return 0, nil
		}
		return 0, s.store.Update(ctx, func(tx okrcore.Tx) error {
			return tx.PutState(ws, lastTickKey, []byte(now.UTC().Format(time.RFC3339Nano)), now.Add(markerTTL))
		})
	}
	// Large organisations are enqueued in chunks: one huge write
	// transaction would hold every check-in back while it commits. The
	// markers go last, so a crash between chunks only means the next tick
	// plans the occurrence again, and AddOutbox finds what exists.
	created := 0
	for start := 0; ; start += enqueueChunk {
		end := min(start+enqueueChunk, len(p.items))
		last := end == len(p.items)
		n := 0
		err = s.store.Update(ctx, func(tx okrcore.Tx) error {
			n = 0
			for _, it := range p.items[start:end] {
				it.ID = 0
				ok, err := tx.AddOutbox(it)
				if err != nil {
					return fmt.Errorf("enqueue %s: %w", it.Key, err)
				}
				if ok {
					n++
				}
			}
			if !last {
				return nil
			}
			for _, m := range p.markers {
				if err := tx.PutState(ws, m, []byte(now.UTC().Format(time.RFC3339)), now.Add(markerTTL)); err != nil {
					return err
				}
			}
			return tx.PutState(ws, lastTickKey, []byte(now.UTC().Format(time.RFC3339Nano)), now.Add(markerTTL))
		})
		if err != nil {
			return created, err
		}
		created += n
		if last {
			break
		}
	}
	if created > 0 {
		s.log.Info("scheduled", "workspace", ws, "items", created)
	}
	return created, nil
}

const lastTickKey = "scheduler:last_tick"

// group is a set of recipients that share a time zone and a slot, so that
// an occurrence is computed and recorded once for all of them.
type group struct {
	loc   *time.Location
	sched okrcore.Schedule
	users []*okrcore.User
	teams []*okrcore.Team
}

func (s *Scheduler) planWorkspace(tx okrcore.Tx, ws string, now time.Time) (plan, error) {
	w, err := tx.Workspace(ws)
	if err != nil {
		return plan{}, err
	}
	stamp := s.logMissedWindows(tx, ws, now)
	cs, err := tx.Cycles(ws)
	if err != nil {
		return plan{}, err
	}
	starts := cycles.Due(w, cs, now)
	few, err := s.planFewKeyResults(tx, w, now)
	if err != nil {
		return plan{}, err
	}
	base := w.Schedule.OrDefault()
	baseKey := scheduleKey(base)
	sl, swept := tx.(rosterSlices)
	r := s.cachedRoster(ws, baseKey, now, swept)
	fresh := r == nil
	if !fresh && swept {
		if err := s.sweep(sl, ws, r); err != nil {
			return plan{}, err
		}
	}
	for {
		if fresh {
			if r, err = s.readRoster(tx, ws, base, baseKey, now); err != nil {
				return plan{}, err
			}
		}
		p := plan{stampTick: stamp, startCycles: starts}
		for _, key := range sortedKeys(r.people) {
			s.planRecurring(tx, ws, key, r.people[key], forPeople, now, &p, nil)
		}
		for _, key := range sortedKeys(r.teams) {
			s.planRecurring(tx, ws, key, r.teams[key], forTeams, now, &p, r.hasChildren)
		}
		if err := s.planEndOfCycle(tx, w, r.cycles, now, &p); err != nil {
			return p, err
		}
		p.items = append(p.items, few...)
		if err := s.planWelcomes(tx, ws, r, now, &p); err != nil {
			return p, err
		}
		// Something is due: plan it from who is there now.
		if fresh || len(p.markers) == 0 {
			return p, nil
		}
		fresh = true
	}
}

// planRecurring adds the items of every recurring job for one group of
// people or teams whose slot is due and not yet handled.
func (s *Scheduler) planRecurring(tx okrcore.Tx, ws, key string, g *group, aud audience, now time.Time, p *plan, hasChildren map[okrcore.ID]bool) {
	for _, j := range recurringJobs {
		if j.audience != aud {
			continue
		}
		occ, marker, ok := s.dueOccurrence(tx, ws, j.kind, key, j.slot(g.sched), g.loc, now)
		if !ok {
			continue
		}
		period := okrcore.PeriodKey(g.sched.CheckIn.Cadence, j.periodAt(g, occ), g.loc)
		for _, u := range g.users {
			p.items = append(p.items, &okrcore.OutboxItem{Workspace: ws, Kind: j.kind, User: u.ID, Period: period, DueAt: occ, CreatedAt: now,
				Key: fmt.Sprintf("%s:u%d:%s", j.kind, u.ID, period)})
		}
		for _, t := range g.teams {
			if !j.wants(t, hasChildren) || (j.thread && !p.awayBook(tx, ws).Settings.LadderOf(t.ID).Thread) {
				continue
			}
			p.items = append(p.items, &okrcore.OutboxItem{Workspace: ws, Kind: j.kind, Team: t.ID, Period: period, DueAt: occ.Add(j.delay), CreatedAt: now,
				Key: fmt.Sprintf("%s:t%d:%s", j.kind, t.ID, period)})
		}
		p.markers = append(p.markers, marker)
	}
}

// logMissedWindows warns when the last tick is older than the grace
// period (the bot was down and windows were skipped) and reports whether
// the last tick's time is stale enough to record again.
func (s *Scheduler) logMissedWindows(tx okrcore.Tx, ws string, now time.Time) bool {
	b, err := tx.State(ws, lastTickKey)
	if err != nil {
		return true
	}
	last, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return true
	}
	gap := now.Sub(last)
	if gap > s.grace {
		s.log.Warn("scheduler was stopped longer than the grace period; windows before it are skipped",
			"workspace", ws, "last_tick", last, "skipped_until", now.Add(-s.grace), "grace", s.grace)
	}
	return gap > s.grace/4
}

// dueOccurrence is the occurrence of a group's slot that is due now and not
// yet handled, with the marker that records it.
func (s *Scheduler) dueOccurrence(tx okrcore.Tx, ws string, kind okrcore.OutboxKind, group string, slot okrcore.Slot, loc *time.Location, now time.Time) (time.Time, string, bool) {
	occ, local, ok := latestOccurrence(slot, now, loc, s.grace)
	if !ok {
		return time.Time{}, "", false
	}
	marker := "slot:" + string(kind) + ":" + group + ":" + local
	if handled(tx, ws, marker) {
		return time.Time{}, "", false
	}
	return occ, marker, true
}

func handled(tx okrcore.Tx, ws, marker string) bool {
	_, err := tx.State(ws, marker)
	return err == nil
}

// groupFor is the group of tz and sc in m; skey is scheduleKey(sc),
// computed once per schedule rather than once per person.
func (s *Scheduler) groupFor(m map[string]*group, tz string, sc okrcore.Schedule, skey string) *group {
	loc := s.locs.Get(tz)
	key := loc.String() + "|" + skey
	g, ok := m[key]
	if !ok {
		g = &group{loc: loc, sched: sc}
		m[key] = g
	}
	return g
}

// scheduleKey identifies a schedule's slots, cheaply.
func scheduleKey(sc okrcore.Schedule) string {
	slot := func(s okrcore.Slot) string {
		return fmt.Sprintf("%s/%d/%d/%02d%02d", s.Cadence, s.Weekday, s.Day, s.Hour, s.Minute)
	}
	return slot(sc.CheckIn) + "," + slot(sc.Reminder) + "," + slot(sc.Digest) + "," + slot(sc.ManagerDigest) + "," + strconv.Itoa(sc.GradingDays)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedIDs(m map[okrcore.ID]bool) []okrcore.ID {
	ids := make([]okrcore.ID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// latestOccurrence finds the most recent occurrence of slot at or before
// now, no older than grace, in loc. Days are matched with the slot's cron
// expression; the instant is built per local date, so a time inside a
// spring-forward gap still happens (Go moves it past the gap) and a time in
// a fall-back fold happens once. local names the occurrence by its local
// date and time, the deterministic part of its key.
func latestOccurrence(slot okrcore.Slot, now time.Time, loc *time.Location, grace time.Duration) (time.Time, string, bool) {
	if slot.Cadence == okrcore.Off || slot.Validate() != nil {
		return time.Time{}, "", false
	}
	spec, err := cron.ParseStandard(slot.CronSpec())
	if err != nil {
		return time.Time{}, "", false
	}
	ss, ok := spec.(*cron.SpecSchedule)
	if !ok {
		return time.Time{}, "", false
	}
	local := now.In(loc)
	days := int(grace/(24*time.Hour)) + 2
	for d := 0; d <= days; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()-d, 12, 0, 0, 0, loc)
		if !dayMatches(ss, day) || !slot.OnWeek(day) {
			continue
		}
		occ := time.Date(day.Year(), day.Month(), day.Day(), slot.Hour, slot.Minute, 0, 0, loc)
		if occ.After(now) {
			continue
		}
		if now.Sub(occ) > grace {
			return time.Time{}, "", false
		}
		return occ, fmt.Sprintf("%s %02d:%02d", day.Format("2006-01-02"), slot.Hour, slot.Minute), true
	}
	return time.Time{}, "", false
}

// dayMatches applies a cron schedule's day-of-month, month and weekday
// fields to a date, with cron's rule that a restricted day-of-month and a
// restricted weekday match when either does.
func dayMatches(s *cron.SpecSchedule, t time.Time) bool {
	const star = 1 << 63
	if s.Month&(1<<uint(t.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(t.Day())) > 0
	dow := s.Dow&(1<<uint(t.Weekday())) > 0
	if s.Dom&star > 0 || s.Dow&star > 0 {
		return dom && dow
	}
	return dom || dow
}
