package bot_test

// Benchmarks of the scheduled fan-out to a large organisation: the
// dispatcher against a fake platform that enforces rate limits in real
// time, and the scheduler tick that decides who is due. Run them with
//
//	go test -run '^$' -bench 'Fanout|SchedulerTick10k' -benchtime 1x ./bot/
//
// BenchmarkFanout sends the Monday nudge of everyone, and to every fifth
// person a reminder and to every tenth a late nudge of the week before as
// well, so that some conversations get two or three messages at once. The
// fake platform enforces a limit the dispatcher is not told: W calls a
// second across the workspace (a token bucket) and one a second per
// conversation, answering 429 with Retry-After in whole seconds and without
// saying which limit it was (as Slack and Teams). The dispatcher starts at
// Slack's documented rate (slack.DefaultRate, 5 a second) and may learn up
// to a ceiling far above W, as `slack.rate_ceiling` allows. It takes about
// 1.3 × people / W seconds per sub-benchmark (130 s at the defaults).
// Environment:
//
//	OKRBOT_FANOUT_PEOPLE     how many people (10000)
//	OKRBOT_FANOUT_W          the platform's hidden limit, messages a second (100)
//	OKRBOT_FANOUT_LATENCY    comma-separated latencies of every call, one
//	                         sub-benchmark each ("0s,50ms")
//	OKRBOT_FANOUT_PLAT_BURST the size of the platform's token bucket: how
//	                         many calls may come at once (W/10, at least 1)
//	OKRBOT_FANOUT_CEILING    the dispatcher's ceiling (1000, the most
//	                         okrbot's configuration accepts)
//	OKRBOT_FANOUT_WORKERS    the dispatcher's Workers (its default, 32)
//
// The organisation (storagetest.GenerateOrg with few objectives, and one
// objective and key result added for everyone who owns none, so that each
// person gets a nudge) is built in a temporary directory by each benchmark
// function; the fan-out and the tick each run on a fresh copy of the file.
// The crash test (fanout_crash_test.go) uses the same fixture at 10,000.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// fanoutNow is Monday 2026-11-23 18:00 UTC: 10:00 in Los Angeles, the last
// of the generated time zones to reach its Monday 10:00 check-in window;
// Singapore's passed at 02:00 UTC. With fanoutGrace every window is due,
// and no reminder (Tuesday) or digest (Friday) is.
var fanoutNow = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

const (
	fanoutGrace  = 24 * time.Hour
	fanoutPeople = 10000
)

func fanoutClock() time.Time { return fanoutNow }

// fanoutFixture is the organisation in a bolt file before the Monday tick
// (pre) and after it (post), and what the tick enqueued.
type fanoutFixture struct {
	dir       string
	pre, post string
	org       *storagetest.Org
	// expected maps each nudged conversation to the key of its check-in
	// outbox item, as the tick enqueued them.
	expected map[string]string
	// kr is a key result each person (by platform ID) owns.
	kr map[string]*okrcore.KeyResult
}

// newFanoutFixture generates an organisation of people and runs one tick on
// a copy.
func newFanoutFixture(tb testing.TB, people int) *fanoutFixture {
	tb.Helper()
	ctx := context.Background()
	f := &fanoutFixture{dir: tb.TempDir()}
	f.pre = filepath.Join(f.dir, "pre.db")
	f.post = filepath.Join(f.dir, "post.db")
	start := time.Now()

	db := bottest.Store(tb, bottest.File(f.pre))
	// Few objectives (they are not what a fan-out measures), but all the
	// people (10,000 in 2,000 teams) over eight time zones.
	var err error
	f.org, err = storagetest.GenerateOrg(ctx, db, storagetest.OrgSpec{Users: people, Teams: max(1, people/5), Objectives: max(20, people/50), KeyResults: max(60, people*3/50)})
	if err != nil {
		tb.Fatal(err)
	}
	var added int
	if f.kr, added, err = giveEveryoneAKeyResult(ctx, db, f.org); err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil { // before it is copied
		tb.Fatal(err)
	}
	generated := time.Since(start)

	copyFile(tb, f.pre, f.post)
	db = bottest.Store(tb, bottest.File(f.post))
	defer db.Close() // before the benchmarks copy it
	st, err := schedule.NewScheduler(db, schedule.Options{Now: fanoutClock, Grace: fanoutGrace}).Tick(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	f.expected = map[string]string{}
	err = db.View(ctx, func(tx okrcore.Tx) error {
		users, err := tx.Users(f.org.Workspace)
		if err != nil {
			return err
		}
		byID := map[okrcore.ID]*okrcore.User{}
		for _, u := range users {
			byID[u.ID] = u
		}
		items, err := tx.DueOutbox(fanoutNow, 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			u := byID[it.User]
			if it.Kind != okrcore.OutboxCheckIn || u == nil {
				return fmt.Errorf("the tick enqueued %s (%s), not a check-in nudge", it.Key, it.Kind)
			}
			f.expected[chat.DirectTo(u).ID] = it.Key
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if st.Enqueued != people || len(f.expected) != people {
		tb.Fatalf("the Monday tick enqueued %d items for %d conversations; want %d", st.Enqueued, len(f.expected), people)
	}
	tb.Logf("organisation of %d people, %d teams, %d objectives, %d key results generated in %s; the tick enqueued %d nudges",
		f.org.Users, f.org.Teams, f.org.Objectives+added, f.org.KeyResults+added, generated.Round(time.Millisecond), st.Enqueued)
	return f
}

// giveEveryoneAKeyResult adds an objective with one key result for each
// person who owns no key result, so that everyone has something to check
// in on. It returns a key result of each person, by platform ID, and how
// many people needed one.
func giveEveryoneAKeyResult(ctx context.Context, db okrcore.Store, org *storagetest.Org) (map[string]*okrcore.KeyResult, int, error) {
	var users []*okrcore.User
	own := map[okrcore.ID]*okrcore.KeyResult{}
	err := db.View(ctx, func(tx okrcore.Tx) error {
		var err error
		if users, err = tx.Users(org.Workspace); err != nil {
			return err
		}
		krs, err := tx.KeyResultsByCycle(org.Workspace, org.Cycle)
		if err != nil {
			return err
		}
		for _, k := range krs {
			if _, ok := own[k.Owner.ID]; k.Owner.Kind == okrcore.OwnerUser && !ok {
				own[k.Owner.ID] = k
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var missing []*okrcore.User
	for _, u := range users {
		if _, ok := own[u.ID]; !ok {
			missing = append(missing, u)
		}
	}
	created := org.Now.AddDate(0, 0, -30)
	for batch := range slices.Chunk(missing, 2000) {
		added := map[okrcore.ID]*okrcore.KeyResult{}
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			clear(added)
			for _, u := range batch {
				o := &okrcore.Objective{Workspace: org.Workspace, Cycle: org.Cycle, Title: "Make this quarter count",
					Owner: okrcore.UserOwner(u.ID), CreatedBy: u.ID, CreatedAt: created, UpdatedAt: created}
				if err := tx.PutObjective(o); err != nil {
					return err
				}
				k := &okrcore.KeyResult{Workspace: org.Workspace, Objective: o.ID, Cycle: org.Cycle, Title: "Ship weekly improvements",
					Owner: okrcore.UserOwner(u.ID), Metric: okrcore.MetricNumber, Start: 0, Target: 100, Unit: "points",
					Direction: okrcore.Increase, Weight: 1, CreatedAt: created, UpdatedAt: created}
				if err := tx.PutKeyResult(k); err != nil {
					return err
				}
				added[u.ID] = k
			}
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("add key results: %w", err)
		}
		for u, k := range added {
			own[u] = k
		}
	}
	out := make(map[string]*okrcore.KeyResult, len(users))
	for _, u := range users {
		out[u.PlatformID] = own[u.ID]
	}
	return out, len(missing), nil
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	src, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
}

// deliveries counts what a fake platform delivered, by conversation and
// outbox key (slacktest's count), and compares it with what the tick
// enqueued.
type deliveries struct{ d *slacktest.Deliveries }

func newDeliveries() *deliveries { return &deliveries{slacktest.NewDeliveries()} }

// add records one delivery and returns how many there have been.
func (d *deliveries) add(conv, key string) int { return d.d.Add(conv, key) }

func (d *deliveries) clone() *deliveries { return &deliveries{d.d.Clone()} }

func (d *deliveries) has(conv, key string) bool { return d.d.Count(conv, key) > 0 }

func (d *deliveries) delivered() int { return d.d.Total() }

// fanoutTally is how a fan-out went: people nudged more than once, the
// extra messages they got, people never nudged, and messages nobody
// expected.
type fanoutTally struct {
	repeated, extra, missed, unexpected int
	examples                            []string
}

func (d *deliveries) tally(expected map[string]string) fanoutTally {
	var t fanoutTally
	for conv, key := range expected {
		switch n := d.d.Count(conv, key); {
		case n == 0:
			t.missed++
			if len(t.examples) < 5 {
				t.examples = append(t.examples, "missed "+conv+" "+key)
			}
		case n > 1:
			t.repeated++
			t.extra += n - 1
		}
	}
	d.d.Each(func(conv, key string, n int) {
		if expected[conv] != key {
			t.unexpected += n
			if len(t.examples) < 5 {
				t.examples = append(t.examples, "unexpected "+conv+" "+key)
			}
		}
	})
	return t
}

// limitedPlatform is an in-process fake of a chat platform's send API that
// enforces, in real time, a limit it does not tell the dispatcher
// (slacktest.Limit): W calls a second across the workspace (a token bucket
// holding burst calls) and one a second per conversation, answering a 429
// with Retry-After in whole seconds above them, without saying which of
// the two it was. Every call takes latency: half before it is counted,
// half after.
type limitedPlatform struct {
	latency time.Duration
	limit   *slacktest.Limit
	*deliveries
}

func newLimitedPlatform(w float64, burst int, latency time.Duration) *limitedPlatform {
	return &limitedPlatform{latency: latency, limit: slacktest.NewLimit(w, burst, time.Second), deliveries: newDeliveries()}
}

func (p *limitedPlatform) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	if err := sleepCtx(ctx, p.latency/2); err != nil {
		return chat.SentRef{}, err
	}
	var err error
	if ok, after := p.limit.Admit(to.ID); ok {
		p.add(to.ID, m.Key)
	} else {
		err = &chat.RateLimitError{RetryAfter: after}
	}
	if serr := sleepCtx(ctx, p.latency-p.latency/2); serr != nil && err == nil {
		err = serr // delivered, but the answer never came
	}
	if err != nil {
		return chat.SentRef{}, err
	}
	return chat.SentRef{Conversation: to.ID, ID: m.Key}, nil
}

func (p *limitedPlatform) stats() (calls, limited, convLimited int64) { return p.limit.Stats() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// heapSampler records the largest HeapAlloc seen, sampled every 50 ms.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > h.peak.Load() {
			h.peak.Store(ms.HeapAlloc)
		}
	}
	sample()
	go func() {
		defer close(h.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				sample()
			case <-h.stop:
				sample()
				return
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak in MB.
func (h *heapSampler) Stop() float64 {
	close(h.stop)
	<-h.done
	return float64(h.peak.Load()) / (1 << 20)
}

// BenchmarkFanout sends the Monday nudges of OKRBOT_FANOUT_PEOPLE people,
// with reminders and late nudges to some of them (see the top of the
// file), through the dispatcher to a platform whose limit it is not told,
// with and without latency on every call. It reports the time taken, the
// floor the hidden limit sets (messages / W), their ratio (target at most
// 1.10), the 429s (target under 1% of sends), people sent a message twice
// and messages never sent (target 0 each), and the peak heap.
func BenchmarkFanout(b *testing.B) {
	people := envInt("OKRBOT_FANOUT_PEOPLE", fanoutPeople)
	w := envInt("OKRBOT_FANOUT_W", 100)
	platBurst := envInt("OKRBOT_FANOUT_PLAT_BURST", max(1, w/10))
	ceiling := envInt("OKRBOT_FANOUT_CEILING", 1000)
	workers := envInt("OKRBOT_FANOUT_WORKERS", 0)
	latencies := "0s,50ms"
	if v := os.Getenv("OKRBOT_FANOUT_LATENCY"); v != "" {
		latencies = v
	}
	f := newFanoutFixture(b, people)
	for _, ls := range strings.Split(latencies, ",") {
		latency, err := time.ParseDuration(strings.TrimSpace(ls))
		if err != nil {
			b.Fatalf("OKRBOT_FANOUT_LATENCY: %v", err)
		}
		b.Run(fmt.Sprintf("people=%d/W=%d/latency=%s", people, w, latency), func(b *testing.B) {
			benchFanout(b, f, fanoutRun{w: w, platBurst: platBurst, ceiling: ceiling, workers: workers, latency: latency})
		})
	}
}

// fanoutRun is one sub-benchmark's settings.
type fanoutRun struct {
	w, platBurst, ceiling, workers int
	latency                        time.Duration
}

// addSeveral gives every fifth person a reminder of this week and every
// tenth a late nudge of the week before, due with everyone's nudge, and
// returns every conversation's expected keys.
func addSeveral(tb testing.TB, db okrcore.Store, f *fanoutFixture) map[string][]string {
	tb.Helper()
	expected := make(map[string][]string, len(f.expected))
	for conv, key := range f.expected {
		expected[conv] = []string{key}
	}
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		users, err := tx.Users(f.org.Workspace)
		if err != nil {
			return err
		}
		for i, u := range users {
			conv := chat.DirectTo(u).ID
			nudge := expected[conv][0]
			it, err := tx.OutboxByKey(f.org.Workspace, nudge)
			if err != nil {
				return err
			}
			var more []*okrcore.OutboxItem
			if i%5 == 0 {
				more = append(more, &okrcore.OutboxItem{Workspace: it.Workspace, Kind: okrcore.OutboxReminder, User: u.ID, Period: it.Period,
					Key: strings.Replace(nudge, "checkin:", "reminder:", 1)})
			}
			if i%10 == 0 {
				more = append(more, &okrcore.OutboxItem{Workspace: it.Workspace, Kind: okrcore.OutboxCheckIn, User: u.ID, Period: "2026-W47",
					Key: strings.Replace(nudge, it.Period, "2026-W47", 1)})
			}
			for _, m := range more {
				m.DueAt, m.CreatedAt = it.DueAt, it.CreatedAt
				if _, err := tx.AddOutbox(m); err != nil {
					return err
				}
				expected[conv] = append(expected[conv], m.Key)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return expected
}

// tallyAll is tally for conversations that expect several keys:
// duplicates are deliveries beyond the first of a key, misses keys never
// delivered.
func (d *deliveries) tallyAll(expected map[string][]string) (messages, duplicates, missed, unexpected int) {
	t := d.d.Tally(expected)
	return t.Messages, t.Duplicates, t.Missed, t.Unexpected
}

func benchFanout(b *testing.B, f *fanoutFixture, r fanoutRun) {
	var took time.Duration
	var calls, limited, convLimited int64
	var messages, dups, missed int
	var peak, endRate float64
	var st outbox.Stats
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "fanout.db")
		copyFile(b, f.post, path)
		db := bottest.Store(b, bottest.File(path), bottest.Fsync(true))
		expected := addSeveral(b, db, f)
		e := bot.NewEngine(db, bot.Options{Now: fanoutClock})
		plat := newLimitedPlatform(float64(r.w), r.platBurst, r.latency)
		// As okrbot serve paces Slack: the documented start, the adapter's
		// burst and spacing, a ceiling from the configuration; W unknown.
		d := outbox.NewDispatcher(db, e, outbox.Only(plat), outbox.Options{Now: fanoutClock, Workers: r.workers,
			Pacing: chat.Pacing{PerSecond: slack.DefaultRate, Ceiling: float64(r.ceiling), Burst: 10, PerConversation: time.Second}})
		runtime.GC()
		heap := startHeapSampler()
		b.StartTimer()
		start := time.Now()
		err := d.Drain(context.Background())
		took += time.Since(start)
		b.StopTimer()
		peak = max(peak, heap.Stop())
		if err != nil {
			b.Fatal(err)
		}
		endRate = d.Rate(f.org.Platform)
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		c, l, cl := plat.stats()
		calls, limited, convLimited = calls+c, limited+l, convLimited+cl
		m, dup, miss, unexpected := plat.tallyAll(expected)
		messages, dups, missed = messages+m, dups+dup, missed+miss
		if miss > 0 || unexpected > 0 || dup > 0 {
			b.Errorf("%d messages never sent, %d sent twice, %d unexpected", miss, dup, unexpected)
		}
		s := d.Stats()
		st.Sent, st.RateLimited, st.Retried, st.Failed, st.Skipped = st.Sent+s.Sent, st.RateLimited+s.RateLimited, st.Retried+s.Retried, st.Failed+s.Failed, st.Skipped+s.Skipped
		b.StartTimer()
	}
	n := float64(b.N)
	floor := float64(messages) / n / float64(r.w)
	secs := took.Seconds() / n
	share := 100 * float64(limited) / float64(max(calls, 1))
	b.ReportMetric(secs, "seconds")
	b.ReportMetric(floor, "floor-seconds")
	b.ReportMetric(secs/floor, "ratio")
	b.ReportMetric(float64(limited)/n, "429s")
	b.ReportMetric(share, "%429")
	b.ReportMetric(float64(dups)/n, "duplicates")
	b.ReportMetric(float64(missed)/n, "missed")
	b.ReportMetric(peak, "peak-heap-MB")
	b.Logf("people=%d W=%d (bucket %d, hidden) latency=%s workers=%d ceiling=%d: %d messages in %.1fs, floor %.1fs, ratio %.3f; "+
		"%d calls, %d answered 429 (%d per conversation, %.2f%%), %d duplicates, %d missed; pace at the end %.1f/s; dispatcher %+v; peak heap %.1f MB",
		len(f.expected), r.w, r.platBurst, r.latency, r.workers, r.ceiling, messages/b.N, secs, floor, secs/floor,
		calls, limited, convLimited, share, dups, missed, endRate, st, peak)
}

// BenchmarkSchedulerTick10k measures the Monday tick that finds all
// OKRBOT_FANOUT_PEOPLE people (10,000) due and enqueues their nudges
// (target under 500 ms at 10,000), ticks when nobody is due, and the
// latency of check-ins through the engine while a tick runs. "none-due" is
// a scheduler ticking every minute, as `serve` does, the clock a minute on
// each time: each tick plans from the groups it read last, after reading
// the newcomers and a slice of everyone again (schedule/roster.go), and
// max-ms/tick is the slowest of them; "none-due-planned" are ticks a
// second apart, "none-due-read" only ticks that read everyone (a new
// scheduler's first).
func BenchmarkSchedulerTick10k(b *testing.B) {
	people := envInt("OKRBOT_FANOUT_PEOPLE", fanoutPeople)
	f := newFanoutFixture(b, people)
	ctx := context.Background()
	open := func(b *testing.B) *bolt.DB {
		b.Helper()
		path := filepath.Join(b.TempDir(), "tick.db")
		copyFile(b, f.pre, path)
		return bottest.Store(b, bottest.File(path), bottest.Fsync(true))
	}
	b.Run("due", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db := open(b)
			s := schedule.NewScheduler(db, schedule.Options{Now: fanoutClock, Grace: fanoutGrace})
			b.StartTimer()
			st, err := s.Tick(ctx)
			b.StopTimer()
			if err != nil || st.Enqueued != people {
				b.Fatalf("tick: %+v %v", st, err)
			}
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/tick")
	})
	// quiet is the store after the Monday tick, and a clock that a tick
	// moves a minute on.
	quiet := func(b *testing.B) (*bolt.DB, func() time.Time) {
		b.Helper()
		db := open(b)
		b.Cleanup(func() { db.Close() })
		now := fanoutNow
		clock := func() time.Time { return now }
		if _, err := schedule.NewScheduler(db, schedule.Options{Now: clock, Grace: fanoutGrace}).Tick(ctx); err != nil {
			b.Fatal(err)
		}
		return db, func() time.Time { now = now.Add(time.Minute); return now }
	}
	b.Run("none-due", func(b *testing.B) {
		db, next := quiet(b)
		var now time.Time
		s := schedule.NewScheduler(db, schedule.Options{Now: func() time.Time { return now }, Grace: fanoutGrace})
		var worst time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			now = next()
			start := time.Now()
			if st, err := s.Tick(ctx); err != nil || st.Enqueued != 0 {
				b.Fatalf("tick: %+v %v", st, err)
			}
			if i > 0 { // the first reads everyone: none-due-read
				worst = max(worst, time.Since(start))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/tick")
		b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms/tick")
	})
	// none-due-planned: ticks a second apart after one that read
	// everyone, each planning from the groups it read (at most 300).
	b.Run("none-due-planned", func(b *testing.B) {
		db, next := quiet(b)
		var now time.Time
		var s *schedule.Scheduler
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%250 == 0 { // a new scheduler reads everyone, untimed
				b.StopTimer()
				now = next()
				s = schedule.NewScheduler(db, schedule.Options{Now: func() time.Time { return now }, Grace: fanoutGrace})
				if _, err := s.Tick(ctx); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			now = now.Add(time.Second)
			if st, err := s.Tick(ctx); err != nil || st.Enqueued != 0 {
				b.Fatalf("tick: %+v %v", st, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/tick")
	})
	b.Run("none-due-read", func(b *testing.B) {
		db, next := quiet(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			now := next()
			s := schedule.NewScheduler(db, schedule.Options{Now: func() time.Time { return now }, Grace: fanoutGrace})
			if st, err := s.Tick(ctx); err != nil || st.Enqueued != 0 {
				b.Fatalf("tick: %+v %v", st, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/tick")
	})
	// checkin-during-tick: people check in by plain message, one after
	// another, while the Monday tick runs; the latencies of those that
	// overlapped the tick are reported, and those of an idle store for
	// comparison.
	b.Run("checkin-during-tick", func(b *testing.B) {
		var people []string // those with a number to check in on
		for p, k := range f.kr {
			if k.Metric == okrcore.MetricNumber && k.Direction == okrcore.Increase && k.Target-k.Start >= 2 {
				people = append(people, p)
			}
		}
		slices.Sort(people)
		var during, idle []time.Duration
		var ticks []time.Duration
		seq := 0
		checkIn := func(e *bot.Engine) time.Duration {
			seq++
			who := people[seq%len(people)]
			k := f.kr[who]
			value := int(k.Start) + 1 + seq%int(k.Target-k.Start-1)
			ev := chat.Event{ID: fmt.Sprintf("fanout-bench-%d", seq), Kind: chat.EventMessage, Platform: f.org.Platform, Workspace: f.org.Workspace,
				UserID: who, Conversation: chat.Conversation{ID: "dm:" + who, Direct: true},
				Text: fmt.Sprintf("%s %d", okrcore.Ref{Kind: okrcore.RefKeyResult, ID: k.ID}, value)}
			start := time.Now()
			m, ok := e.Process(ctx, ev)
			took := time.Since(start)
			if !ok || !strings.Contains(m.Text, "Checked in") {
				b.Fatalf("%s %q: %q", who, ev.Text, m.Text)
			}
			return took
		}
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db := open(b)
			e := bot.NewEngine(db, bot.Options{Now: fanoutClock})
			for range 50 {
				idle = append(idle, checkIn(e))
			}
			s := schedule.NewScheduler(db, schedule.Options{Now: fanoutClock, Grace: fanoutGrace})
			b.StartTimer()
			done := make(chan time.Duration)
			go func() {
				start := time.Now()
				st, err := s.Tick(ctx)
				if err != nil || st.Enqueued == 0 {
					b.Errorf("tick: %+v %v", st, err)
				}
				done <- time.Since(start)
			}()
		loop:
			for {
				select {
				case t := <-done:
					ticks = append(ticks, t)
					break loop
				default:
					during = append(during, checkIn(e))
				}
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		p := func(ds []time.Duration, q float64) float64 {
			s := slices.Clone(ds)
			slices.Sort(s)
			return float64(s[min(len(s)-1, int(q*float64(len(s))))].Microseconds()) / 1000
		}
		b.ReportMetric(p(during, 0.99), "p99-ms")
		b.ReportMetric(p(during, 0.5), "p50-ms")
		b.ReportMetric(p(idle, 0.99), "idle-p99-ms")
		b.ReportMetric(float64(len(during))/float64(b.N), "checkins/tick")
		b.Logf("%d check-ins during %d ticks (%v): p50 %.1f ms, p99 %.1f ms, max %.1f ms; idle store: p50 %.1f ms, p99 %.1f ms",
			len(during), len(ticks), ticks, p(during, 0.5), p(during, 0.99), p(during, 1), p(idle, 0.5), p(idle, 0.99))
	})
}
