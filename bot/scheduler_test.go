package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// platform is a recording fake of a chat platform's send API.
type platform struct {
	mu   sync.Mutex
	now  func() time.Time
	sent []sent
	fail func(to chat.Conversation, n int) error // n counts calls to this conversation
	// failScheduled fails every scheduled message (one with an outbox key).
	failScheduled error
	calls         map[string]int
	keys          map[string]bool // outbox keys of delivered messages, for FindSent
}

type sent struct {
	at   time.Time
	to   string
	key  string
	text string
}

func newPlatform(now func() time.Time) *platform {
	return &platform{now: now, calls: map[string]int{}, keys: map[string]bool{}}
}

func (p *platform) Send(_ context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[to.ID]++
	if p.fail != nil {
		if err := p.fail(to, p.calls[to.ID]); err != nil {
			return chat.SentRef{}, err
		}
	}
	if p.failScheduled != nil && m.Key != "" {
		return chat.SentRef{}, p.failScheduled
	}
	p.sent = append(p.sent, sent{at: p.now(), to: to.ID, key: m.Key, text: render(m)})
	p.keys[to.ID+"|"+m.Key] = true
	return chat.SentRef{Conversation: to.ID, ID: fmt.Sprint(len(p.sent))}, nil
}

func (p *platform) byKind(kind string) []sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []sent
	for _, s := range p.sent {
		if strings.HasPrefix(s.key, kind+":") {
			out = append(out, s)
		}
	}
	return out
}

func recipients(ss []sent) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.to)
	}
	sort.Strings(out)
	return out
}

// reconciling is a platform that can find what it already posted.
type reconciling struct{ *platform }

func (r reconciling) FindSent(_ context.Context, to chat.Conversation, key string) (chat.SentRef, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return chat.SentRef{Conversation: to.ID}, r.keys[to.ID+"|"+key], nil
}

// rhythm runs the scheduler and dispatcher over a harness's clock.
type rhythm struct {
	h    *harness
	s    *schedule.Scheduler
	d    *outbox.Dispatcher
	plat *platform
}

func newRhythm(h *harness, sender chat.Sender, plat *platform) *rhythm {
	return &rhythm{h: h, plat: plat,
		s: schedule.NewScheduler(h.db, schedule.Options{Now: h.clock}),
		d: outbox.NewDispatcher(h.db, h.e, outbox.Only(sender), outbox.Options{Now: h.clock, Workers: 4})}
}

// runUntil ticks and drains every step until the clock reaches end.
func (r *rhythm) runUntil(end time.Time, step time.Duration) {
	r.h.t.Helper()
	for !r.h.clock().After(end) {
		r.tick()
		r.h.advance(step)
	}
}

func (r *rhythm) tick() {
	r.h.t.Helper()
	if _, err := r.s.Tick(context.Background()); err != nil {
		r.h.t.Fatalf("tick: %v", err)
	}
	if err := r.d.Drain(context.Background()); err != nil {
		r.h.t.Fatalf("drain: %v", err)
	}
}

// The demo's people and their time zones: dana New York, alice Berlin, bob
// Los Angeles, carol London, erin Berlin, frank Kolkata, gina and hank
// Chicago; olga (Paris) is an observer.

func TestWeekOfNudgesAtLocalTimes(t *testing.T) {
	h := newHarness(t, true)
	plat := newPlatform(h.clock)
	r := newRhythm(h, plat, plat)
	h.setClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)) // Sunday
	r.runUntil(time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC), 5*time.Minute)

	nudges := plat.byKind("checkin")
	want := map[string]string{ // person → local time of the Monday 10:00 nudge in UTC
		"alice": "2026-11-23T09:00", "erin": "2026-11-23T09:00", "carol": "2026-11-23T10:00",
		"dana": "2026-11-23T15:00", "gina": "2026-11-23T16:00", "hank": "2026-11-23T16:00",
		"bob": "2026-11-23T18:00", "frank": "2026-11-23T04:30",
	}
	if got := recipients(nudges); strings.Join(got, ",") != "alice,bob,carol,dana,erin,frank,gina,hank" {
		t.Fatalf("nudged %v", got)
	}
	for _, n := range nudges {
		at := n.at.UTC().Format("2006-01-02T15:04")
		if at != want[n.to] {
			t.Errorf("%s nudged at %s UTC, want %s", n.to, at, want[n.to])
		}
		if n.to == "alice" {
			wantContains(t, n.text, "weekly check-in", "KR4 New mid-market customers", "[Update=form]", "[No change=same as last week]", "[Skip this week=skip]")
		}
	}

	// alice answers; bob says skip; the rest stay silent until Tuesday.
	h.setClock(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	wantContains(t, h.say("alice", "same as last week"), "Checked in")
	wantContains(t, h.say("bob", "skip"), "skipping this week")
	r.runUntil(time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), 5*time.Minute)
	reminded := recipients(plat.byKind("reminder")) // none of them wrote to the bot: reached by platform id
	if strings.Join(reminded, ",") != "carol,dana,erin,frank,gina,hank" {
		t.Errorf("reminded %v; want everyone but alice (checked in), bob (skipped) and olga (observer)", reminded)
	}
	for _, s := range plat.byKind("reminder") {
		wantContains(t, s.text, "reminder")
	}

	// A second week: everyone is nudged again, exactly once.
	r.runUntil(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 30*time.Minute)
	count := map[string]int{}
	for _, s := range plat.byKind("checkin") {
		// Once someone has written to the bot, their DM is where they wrote.
		count[strings.TrimPrefix(s.to, "dm:")]++
	}
	for who, n := range count {
		if n != 2 {
			t.Errorf("%s nudged %d times over two Mondays", who, n)
		}
	}
}

func TestAlreadyCheckedInIsNotNudged(t *testing.T) {
	h := newHarness(t, true)
	plat := newPlatform(h.clock)
	r := newRhythm(h, plat, plat)
	h.setClock(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) // Monday, before alice's 10:00 Berlin
	wantContains(t, h.say("alice", "KR4 25, KR6 done, KR7 3"), "Checked in")
	r.runUntil(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), 10*time.Minute)
	for _, s := range plat.byKind("checkin") {
		if s.to == "alice" {
			t.Error("alice was nudged although she had checked in this week")
		}
	}
	if n := len(plat.byKind("checkin")); n != 3 { // erin, carol and frank by noon UTC
		t.Errorf("%d nudges by Monday noon UTC, want 3", n)
	}
}

func TestMissedWindowCaughtUpOnceWithinGrace(t *testing.T) {
	h := newHarness(t, true)
	plat := newPlatform(h.clock)
	r := newRhythm(h, plat, plat)
	// Down from Sunday until Monday 14:00 UTC: alice's, erin's, carol's and
	// frank's Monday windows passed, within the 12-hour grace.
	h.setClock(time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC))
	r.tick()
	h.setClock(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	r.tick()
	r.tick() // a second tick at the same moment changes nothing
	if got := recipients(plat.byKind("checkin")); strings.Join(got, ",") != "alice,carol,erin,frank" {
		t.Errorf("caught up %v", got)
	}
	// Down again until Tuesday 20:00 UTC: Monday's windows for the others
	// are more than 12 hours old and skipped; Tuesday's reminders are not.
	h.setClock(time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC))
	r.tick()
	if got := recipients(plat.byKind("checkin")); len(got) != 4 {
		t.Errorf("windows older than the grace period were sent: %v", got)
	}
	if len(plat.byKind("reminder")) == 0 {
		t.Error("Tuesday's reminders were not caught up")
	}
}

func TestScheduleCommand(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("alice", "/okr schedule"), "Check-ins: every Monday at 10:00, each person's local time", "Team digests: every Friday at 16:00")
	before := h.snapshot()
	for _, bad := range []struct{ user, text, want string }{
		{"alice", "/okr schedule checkin tuesday 9:00", "Only an admin"},
		{"dana", "/okr schedule checkin funday 10:00", "not a day"},
		{"dana", "/okr schedule checkin monday 25:00", "not a time"},
		{"dana", "/okr schedule grading lots", "lots"},
		{"dana", "/okr schedule lunch monday 12:00", "schedule checkin"},
		{"bob", "/okr schedule team Sales digest thursday 15:00", "its lead can too"},
	} {
		wantContains(t, h.say(bad.user, bad.text), bad.want)
	}
	if h.snapshot() != before {
		t.Error("a refused schedule change changed data")
	}
	wantContains(t, h.say("dana", "/okr schedule checkin biweekly tuesday 9:30"), "Check-ins: every other Tuesday at 09:30", "Reminders to those who haven't checked in: every other Wednesday at 09:30")
	wantContains(t, h.say("alice", "/okr schedule team Sales checkin friday 15:00"), "Sales's schedule", "every Friday at 15:00")
	wantContains(t, h.say("dana", "/okr schedule"), "Teams with their own schedule: Sales")
	wantContains(t, h.say("alice", "/okr schedule team Sales reset"), "follows the workspace's schedule again")
	wantContains(t, h.say("dana", "/okr schedule grading off"), "Grading: off")
}

func TestTeamScheduleOverride(t *testing.T) {
	h := newHarness(t, true)
	h.say("dana", "/okr schedule team Engineering checkin wednesday 11:00")
	plat := newPlatform(h.clock)
	r := newRhythm(h, plat, plat)
	h.setClock(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	r.runUntil(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	for _, s := range plat.byKind("checkin") {
		wd := s.at.UTC().Weekday()
		switch s.to {
		case "carol", "erin", "frank":
			if wd != time.Wednesday {
				t.Errorf("%s (Engineering) nudged on %s", s.to, wd)
			}
		default:
			if wd != time.Monday {
				t.Errorf("%s nudged on %s", s.to, wd)
			}
		}
	}
}

// TestCrashLeavesOnlyInFlightInDoubt stops the dispatcher in the middle of a
// fan-out; a new dispatcher sends the rest. Without reconciliation only the
// in-flight sends may repeat; with it, none.
func TestCrashLeavesOnlyInFlightInDoubt(t *testing.T) {
	for _, reconcile := range []bool{false, true} {
		t.Run(fmt.Sprintf("reconcile=%v", reconcile), func(t *testing.T) {
			h := newHarness(t, true)
			h.setClock(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
			plat := newPlatform(h.clock)
			var sender chat.Sender = plat
			if reconcile {
				sender = reconciling{plat}
			}
			s := schedule.NewScheduler(h.db, schedule.Options{Now: h.clock})
			// Every Monday window has passed but frank's (Kolkata), which is
			// more than 12 hours old.
			h.setClock(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
			if st, err := s.Tick(context.Background()); err != nil || st.Enqueued != 7 {
				t.Fatalf("tick: %+v %v", st, err)
			}
			ctx, crash := context.WithCancel(context.Background())
			const workers = 2
			plat.fail = func(to chat.Conversation, n int) error {
				if len(plat.sent) == 3 {
					crash() // the process dies while sends are in flight
				}
				return nil
			}
			d := outbox.NewDispatcher(h.db, h.e, outbox.Only(sender), outbox.Options{Now: h.clock, Workers: workers})
			_ = d.Drain(ctx)
			plat.fail = nil
			h.restart()
			d2 := outbox.NewDispatcher(h.db, h.e, outbox.Only(sender), outbox.Options{Now: h.clock, Workers: workers})
			if err := d2.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, s := range plat.byKind("checkin") {
				count[s.to]++
			}
			dups := 0
			for who, n := range count {
				if n > 1 {
					dups += n - 1
				}
				if n == 0 {
					t.Errorf("%s never nudged", who)
				}
			}
			if len(count) != 7 {
				t.Errorf("%d people nudged, want 7", len(count))
			}
			if dups > workers || (reconcile && dups > 0) {
				t.Errorf("%d repeated sends (workers %d, reconcile %v)", dups, workers, reconcile)
			}
			t.Logf("repeats after the crash: %d (bound %d)", dups, workers)
		})
	}
}

// TestRateLimitedSendsAreRetriedNotDropped runs in a synctest bubble: the
// limiters sleep on the bubble's fake clock.
func TestRateLimitedSendsAreRetriedNotDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, true)
		h.setClock(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
		plat := newPlatform(h.clock)
		limited := 0
		plat.fail = func(to chat.Conversation, n int) error {
			if n <= 2 { // every conversation's first two attempts are refused
				limited++
				return &chat.RateLimitError{RetryAfter: 2 * time.Second, Conversation: n == 2}
			}
			return nil
		}
		if _, err := schedule.NewScheduler(h.db, schedule.Options{Now: h.clock}).Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		d := outbox.NewDispatcher(h.db, h.e, outbox.Only(plat), outbox.Options{Now: h.clock, Workers: 8,
			Pacing: chat.Pacing{PerSecond: 10, Burst: 1, PerConversation: time.Second}})
		start := time.Now()
		if err := d.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := len(plat.byKind("checkin")); got != 7 {
			t.Errorf("%d delivered, want 7", got)
		}
		st := d.Stats()
		if st.RateLimited != int64(limited) || st.Sent != 7 || st.Failed != 0 {
			t.Errorf("stats %+v, limited %d", st, limited)
		}
		if took := time.Since(start); took < 4*time.Second {
			t.Errorf("Retry-After was not honoured: drained in %s", took)
		}
	})
}

func TestFailingSendsBackOffThenFail(t *testing.T) {
	h := newHarness(t, true)
	h.setClock(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	plat := newPlatform(h.clock)
	plat.fail = func(to chat.Conversation, n int) error {
		if to.ID == "bob" {
			return errors.New("channel_not_found")
		}
		return nil
	}
	r := newRhythm(h, plat, plat)
	r.d = outbox.NewDispatcher(h.db, h.e, outbox.Only(plat), outbox.Options{Now: h.clock, Workers: 4, MaxAttempts: 3})
	r.runUntil(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), 5*time.Minute)
	if plat.calls["bob"] != 3 {
		t.Errorf("bob tried %d times, want 3", plat.calls["bob"])
	}
	st := r.d.Stats()
	if st.Failed != 1 || st.Retried != 2 {
		t.Errorf("stats %+v", st)
	}
	var it *okrcore.OutboxItem
	_ = h.db.View(context.Background(), func(tx okrcore.Tx) error {
		var err error
		it, err = tx.OutboxByKey(ws, "checkin:u3:2026-W48")
		return err
	})
	if it == nil || it.State != okrcore.OutboxFailed || it.LastError != "channel_not_found" {
		t.Errorf("bob's item = %+v", it)
	}
}

// TestEndOfCycle runs the last days of a quarter: owners are asked to grade
// in the last week, everyone gets the retrospective two days later, the
// team's anonymous summary is posted when the cycle ends, and an admin
// closes the cycle.
func TestEndOfCycle(t *testing.T) {
	h := newHarness(t, true)
	plat := newPlatform(h.clock)
	r := newRhythm(h, plat, plat)
	h.setClock(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC))
	r.runUntil(time.Date(2026, 12, 25, 1, 0, 0, 0, time.UTC), time.Hour)
	grading := plat.byKind("grading")
	if got := strings.Join(recipients(grading), ","); got != "alice,bob,carol,dana,erin,frank,gina,hank" {
		t.Fatalf("grading prompts to %s", got)
	}
	for _, s := range grading {
		if s.to == "alice" {
			wantContains(t, s.text, "KR4", "suggested", "grade KR4")
		}
	}
	wantContains(t, h.press("alice", "grade KR4 0.6"), "Graded KR4")

	r.runUntil(time.Date(2026, 12, 27, 1, 0, 0, 0, time.UTC), time.Hour)
	if n := len(plat.byKind("retro")); n != 8 {
		t.Fatalf("%d retro invitations, want 8 (every team member)", n)
	}
	// alice and bob (both in Sales) answer.
	for _, who := range []string{"alice", "bob"} {
		h.press(who, "retro")
		for _, a := range []string{"4", "3", "5", "4", "Weekly demos", "Long status meetings", "The Friday digest"} {
			h.say(who, a)
		}
	}
	r.runUntil(time.Date(2027, 1, 1, 6, 0, 0, 0, time.UTC), time.Hour)
	var summary *sent
	for _, s := range plat.byKind("retro") {
		if s.to == "#sales" {
			summary = &s
		}
	}
	if summary == nil {
		t.Fatalf("no retrospective summary posted to #sales; sent: %v", recipients(plat.byKind("retro")))
	}
	wantContains(t, summary.text, "4.0", "Weekly demos", "Long status meetings", "The Friday digest")
	if strings.Contains(summary.text, "alice") || strings.Contains(summary.text, "bob") {
		t.Errorf("the summary names people:\n%s", summary.text)
	}
	for _, s := range plat.byKind("retro") {
		if s.to == "#engineering" {
			t.Error("a summary was posted for a team where nobody answered")
		}
	}
	wantContains(t, h.say("dana", "/okr cycle close"), "Closed Q4 2026")
	if k := h.kr(4); k.Score == nil || *k.Score != 0.6 {
		t.Errorf("alice's grade of KR4 was not kept: %v", k.Score)
	}
}

// advisedErr is a platform error that no retry fixes, with advice.
type advisedErr struct{}

func (advisedErr) Error() string   { return "not_in_channel" }
func (advisedErr) Permanent() bool { return true }
func (advisedErr) Advice() string  { return "invite okrbot to #sales with /invite @okrbot." }

func TestPermanentFailureTellsAdmins(t *testing.T) {
	h := newHarness(t, true)
	h.setClock(time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)) // Friday, after the digests' hour in Berlin and London
	plat := newPlatform(h.clock)
	plat.fail = func(to chat.Conversation, n int) error {
		if to.ID == "#sales" {
			return advisedErr{}
		}
		return nil
	}
	r := newRhythm(h, plat, plat)
	r.tick()
	r.tick()
	if plat.calls["#sales"] != 1 {
		t.Errorf("#sales tried %d times; a permanent error must not be retried", plat.calls["#sales"])
	}
	var told []sent
	for _, s := range plat.sent {
		if strings.Contains(s.text, "couldn't deliver") {
			told = append(told, s)
		}
	}
	if len(told) != 1 || told[0].to != "dana" {
		t.Fatalf("admins told: %+v", told)
	}
	wantContains(t, told[0].text, "a team digest for team Sales to #sales", "/invite @okrbot")
}

// revokedErr fails every send in the workspace.
type revokedErr struct{}

func (revokedErr) Error() string   { return "token_revoked" }
func (revokedErr) Permanent() bool { return true }
func (revokedErr) Advice() string  { return "reinstall okrbot: its token was revoked." }

func TestWorkspaceWideFailureToldOnce(t *testing.T) {
	h := newHarness(t, true)
	h.setClock(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	plat := newPlatform(h.clock)
	plat.failScheduled = revokedErr{}
	r := newRhythm(h, plat, plat)
	r.tick()
	var told int
	for _, s := range plat.sent {
		if strings.Contains(s.text, "couldn't deliver") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("admins were told %d times about one revoked token", told)
	}
}

// TestSendersRouteByPlatform: with two platforms in one process, each
// workspace's messages leave through its own platform.
func TestSendersRouteByPlatform(t *testing.T) {
	h := newHarness(t, true)
	// A second workspace on another platform, with one person and a KR.
	other := h.event("zoe", chat.EventMessage)
	other.Platform, other.Workspace, other.Text = "teams", "tenant-1", "/okr new objective \"Ship it\""
	h.e.Process(context.Background(), other)
	other.Text = "/okr new kr O1 \"Releases\" from 0 to 4"
	h.e.Process(context.Background(), other)

	h.setClock(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	slackSide, teamsSide := newPlatform(h.clock), newPlatform(h.clock)
	senders := map[string]chat.Sender{"shell": slackSide, "teams": teamsSide}
	if _, err := schedule.NewScheduler(h.db, schedule.Options{Now: h.clock}).Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := outbox.NewDispatcher(h.db, h.e, outbox.ByPlatform(senders), outbox.Options{Now: h.clock,
		Pacings: map[string]chat.Pacing{"teams": {PerSecond: 100, Burst: 5}}})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := recipients(teamsSide.byKind("checkin")); strings.Join(got, ",") != "dm:zoe" {
		t.Errorf("teams side got %v", got)
	}
	if n := len(slackSide.byKind("checkin")); n != 7 {
		t.Errorf("shell side got %d nudges, want 7", n)
	}
}

func TestInstallAndRemove(t *testing.T) {
	h := newHarness(t, true)
	ev := h.event("alice", chat.EventInstalled)
	ev.Conversation.Ref = `{"conversation":{"id":"a:1"}}`
	m, ok := h.e.Process(context.Background(), ev)
	if !ok || !strings.Contains(m.Text, "weekly OKR check-in") {
		t.Fatalf("install answered %v %q", ok, m.Text)
	}
	var u *okrcore.User
	load := func() {
		_ = h.db.View(context.Background(), func(tx okrcore.Tx) error {
			u, _ = tx.UserByPlatform(ws, "shell", "alice")
			return nil
		})
	}
	load()
	if u.DM != "dm:alice" || u.DMRef == "" {
		t.Fatalf("reference not stored: %+v", u)
	}
	ev.Kind = chat.EventRemoved
	if _, ok := h.e.Process(context.Background(), ev); ok {
		t.Error("removal answered")
	}
	load()
	if u.DM != "" || u.DMRef != "" {
		t.Errorf("reference kept after removal: %+v", u)
	}
}

// TestChannelReferenceSurvivesRestart: a channel's platform reference is
// stored from inbound events and given to the digest after a restart.
func TestChannelReferenceSurvivesRestart(t *testing.T) {
	h := newHarness(t, true)
	h.say("dana", "/okr team channel Sales 19:sales@thread")
	ev := h.event("alice", chat.EventMessage)
	ev.Conversation = chat.Conversation{ID: "19:sales@thread", Ref: `{"serviceUrl":"https://smba.example/","conversation":{"id":"19:sales@thread"}}`}
	ev.Text = "/okr whoami"
	h.e.Process(context.Background(), ev)
	h.restart()

	var got chat.Conversation
	h.setClock(time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC))
	plat := newPlatform(h.clock)
	rec := senderFunc(func(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
		if to.ID == "19:sales@thread" {
			got = to
		}
		return plat.Send(ctx, to, m)
	})
	r := newRhythm(h, rec, plat)
	r.tick()
	if got.Ref != ev.Conversation.Ref {
		t.Errorf("the Sales digest went to %+v, without the stored reference", got)
	}
}

type senderFunc func(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error)

func (f senderFunc) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	return f(ctx, to, m)
}

// TestNudgeCarriesTheForm: the nudge holds the check-in form, so a platform
// whose messages can hold inputs (a Teams card) shows it inline.
func TestNudgeCarriesTheForm(t *testing.T) {
	h := newHarness(t, true)
	h.setClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	if _, err := schedule.NewScheduler(h.db, schedule.Options{Now: h.clock}).Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	var it *okrcore.OutboxItem
	_ = h.db.View(context.Background(), func(tx okrcore.Tx) error {
		it, _ = tx.OutboxByKey(ws, "checkin:u2:2026-W48")
		return nil
	})
	if it == nil {
		t.Fatal("alice's nudge was not scheduled")
	}
	d, err := h.e.Compose(context.Background(), it)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Message.Form
	if f == nil || f.ID != "checkin" || f.State != "KR4,KR6,KR7" || len(f.Inputs) != 11 {
		t.Fatalf("nudge form = %+v", f)
	}
	if d.Message.Key != "checkin:u2:2026-W48" {
		t.Errorf("nudge key %q", d.Message.Key)
	}
}
