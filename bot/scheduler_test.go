package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// newRhythm runs the kit's scheduler and a dispatcher with four workers
// sending to sender, over the harness's clock.
func newRhythm(h *harness, sender chat.Sender) *bottest.Rhythm {
	return h.Rhythm(h.DispatcherTo(outbox.Only(sender), outbox.Options{Workers: 4}))
}

// The demo's people and their time zones: dana New York, alice Berlin, bob
// Los Angeles, carol London, erin Berlin, frank Kolkata, gina and hank
// Chicago; olga (Paris) is an observer.

func TestWeekOfNudgesAtLocalTimes(t *testing.T) {
	h := newHarness(t, true)
	plat := h.Platform
	r := newRhythm(h, plat)
	h.Clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)) // Sunday
	r.RunUntil(time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC), 5*time.Minute)

	nudges := plat.Kind("checkin")
	want := map[string]string{ // person → local time of the Monday 10:00 nudge in UTC
		"alice": "2026-11-23T09:00", "erin": "2026-11-23T09:00", "carol": "2026-11-23T10:00",
		"dana": "2026-11-23T15:00", "gina": "2026-11-23T16:00", "hank": "2026-11-23T16:00",
		"bob": "2026-11-23T18:00", "frank": "2026-11-23T04:30",
	}
	if got := bottest.Recipients(nudges); strings.Join(got, ",") != "alice,bob,carol,dana,erin,frank,gina,hank" {
		t.Fatalf("nudged %v", got)
	}
	for _, n := range nudges {
		at := n.At.UTC().Format("2006-01-02T15:04")
		if at != want[n.To.ID] {
			t.Errorf("%s nudged at %s UTC, want %s", n.To.ID, at, want[n.To.ID])
		}
		if n.To.ID == "alice" {
			wantContains(t, n.Text, "weekly check-in", "KR4 New mid-market customers", "[Update=form]", "[No change=same as last week]", "[Skip this week=skip]")
		}
	}

	// alice answers; bob says skip; the rest stay silent until Tuesday.
	h.Clock.Set(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	wantContains(t, h.say("alice", "same as last week"), "Checked in")
	wantContains(t, h.say("bob", "skip"), "skipping this week")
	r.RunUntil(time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC), 5*time.Minute)
	reminded := bottest.Recipients(plat.Kind("reminder")) // none of them wrote to the bot: reached by platform id
	if strings.Join(reminded, ",") != "carol,dana,erin,frank,gina,hank" {
		t.Errorf("reminded %v; want everyone but alice (checked in), bob (skipped) and olga (observer)", reminded)
	}
	for _, s := range plat.Kind("reminder") {
		wantContains(t, s.Text, "reminder")
	}

	// A second week: everyone is nudged again, exactly once.
	r.RunUntil(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 30*time.Minute)
	count := map[string]int{}
	for _, s := range plat.Kind("checkin") {
		// Once someone has written to the bot, their DM is where they wrote.
		count[strings.TrimPrefix(s.To.ID, "dm:")]++
	}
	for who, n := range count {
		if n != 2 {
			t.Errorf("%s nudged %d times over two Mondays", who, n)
		}
	}
}

func TestAlreadyCheckedInIsNotNudged(t *testing.T) {
	h := newHarness(t, true)
	plat := h.Platform
	r := newRhythm(h, plat)
	h.Clock.Set(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) // Monday, before alice's 10:00 Berlin
	wantContains(t, h.say("alice", "KR4 25, KR6 done, KR7 3"), "Checked in")
	r.RunUntil(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), 10*time.Minute)
	for _, s := range plat.Kind("checkin") {
		if s.To.ID == "alice" {
			t.Error("alice was nudged although she had checked in this week")
		}
	}
	if n := len(plat.Kind("checkin")); n != 3 { // erin, carol and frank by noon UTC
		t.Errorf("%d nudges by Monday noon UTC, want 3", n)
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
	plat := h.Platform
	r := newRhythm(h, plat)
	h.Clock.Set(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	for _, s := range plat.Kind("checkin") {
		wd := s.At.UTC().Weekday()
		switch s.To.ID {
		case "carol", "erin", "frank":
			if wd != time.Wednesday {
				t.Errorf("%s (Engineering) nudged on %s", s.To.ID, wd)
			}
		default:
			if wd != time.Monday {
				t.Errorf("%s nudged on %s", s.To.ID, wd)
			}
		}
	}
}

// TestEndOfCycle runs the last days of a quarter: owners are asked to grade
// in the last week, everyone gets the retrospective two days later, the
// team's anonymous summary is posted when answering has closed and enough
// of the team answered, and an admin closes the cycle.
func TestEndOfCycle(t *testing.T) {
	h := newHarness(t, true)
	plat := h.Platform
	r := newRhythm(h, plat)
	h.Clock.Set(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC))
	// Each at 10:00 on Dec 25 in their time zone: bob's is 18:00 UTC.
	r.RunUntil(time.Date(2026, 12, 26, 1, 0, 0, 0, time.UTC), time.Hour)
	grading := plat.Kind("grading")
	if got := strings.Join(bottest.Recipients(grading), ","); got != "alice,bob,carol,dana,erin,frank,gina,hank" {
		t.Fatalf("grading prompts to %s", got)
	}
	for _, s := range grading {
		if s.To.ID == "alice" {
			wantContains(t, s.Text, "KR4", "suggested", "grade KR4")
		}
	}
	wantContains(t, h.press("alice", "grade KR4 0.6"), "Graded KR4")

	r.RunUntil(time.Date(2026, 12, 28, 1, 0, 0, 0, time.UTC), time.Hour)
	if n := len(plat.Kind("retro")); n != 8 {
		t.Fatalf("%d retro invitations, want 8 (every team member)", n)
	}
	// alice and bob (Sales, two people: never enough to be anonymous), dana
	// and gina answer: with alice, three of Leadership.
	for _, who := range []string{"alice", "bob", "dana", "gina"} {
		h.press(who, "retro")
		for _, a := range []string{"4", "3", "5", "4", "Weekly demos", "Long status meetings", "The Friday digest"} {
			h.say(who, a)
		}
	}
	// Answering closes at 12:00 UTC on Jan 1; each team's summary comes at
	// its digest time, 16:00 in its time zone (Leadership's is New York's).
	r.RunUntil(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), time.Hour)
	var summary *bottest.Sent
	for _, s := range plat.Kind("retro") {
		if s.To.ID == "#leadership" {
			summary = &s
		}
	}
	if summary == nil {
		t.Fatalf("no retrospective summary posted to #leadership; sent: %v", bottest.Recipients(plat.Kind("retro")))
	}
	wantContains(t, summary.Text, "4.0", "Weekly demos", "Long status meetings", "The Friday digest")
	if strings.Contains(summary.Text, "alice") || strings.Contains(summary.Text, "bob") || strings.Contains(summary.Text, "dana") || strings.Contains(summary.Text, "gina") {
		t.Errorf("the summary names people:\n%s", summary.Text)
	}
	for _, s := range plat.Kind("retro") {
		if s.To.ID == "#engineering" {
			t.Error("a summary was posted for a team where nobody answered")
		}
		if s.To.ID == "#sales" {
			t.Error("a summary was posted for a team where two people answered")
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
	h.Clock.Set(time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)) // Friday, after the digests' hour in Berlin and London
	plat := h.Platform
	plat.FailWith(func(a bottest.Attempt) error {
		if a.To.ID == "#sales" {
			return advisedErr{}
		}
		return nil
	})
	r := newRhythm(h, plat)
	r.Tick()
	r.Tick()
	if plat.Calls("#sales") != 1 {
		t.Errorf("#sales tried %d times; a permanent error must not be retried", plat.Calls("#sales"))
	}
	var told []bottest.Sent
	for _, s := range plat.Sent() {
		if strings.Contains(s.Text, "couldn't deliver") {
			told = append(told, s)
		}
	}
	if len(told) != 1 || told[0].To.ID != "dana" {
		t.Fatalf("admins told: %+v", told)
	}
	wantContains(t, told[0].Text, "a team digest for team Sales to #sales", "/invite @okrbot")
}

// revokedErr fails every send in the workspace.
type revokedErr struct{}

func (revokedErr) Error() string   { return "token_revoked" }
func (revokedErr) Permanent() bool { return true }
func (revokedErr) Advice() string  { return "reinstall okrbot: its token was revoked." }

func TestWorkspaceWideFailureToldOnce(t *testing.T) {
	h := newHarness(t, true)
	h.Clock.Set(time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC))
	plat := h.Platform
	plat.FailWith(func(a bottest.Attempt) error {
		if a.Message.Key != "" { // every scheduled message
			return revokedErr{}
		}
		return nil
	})
	r := newRhythm(h, plat)
	r.Tick()
	var told int
	for _, s := range plat.Sent() {
		if strings.Contains(s.Text, "couldn't deliver") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("admins were told %d times about one revoked token", told)
	}
}

func TestInstallAndRemove(t *testing.T) {
	h := newHarness(t, true)
	ev := h.Event("alice", chat.EventInstalled)
	ev.Conversation.Ref = `{"conversation":{"id":"a:1"}}`
	m, ok := h.Engine.Process(context.Background(), ev)
	if !ok || !strings.Contains(m.Text, "weekly OKR check-in") {
		t.Fatalf("install answered %v %q", ok, m.Text)
	}
	var u *okrcore.User
	load := func() {
		_ = h.DB.View(context.Background(), func(tx okrcore.Tx) error {
			u, _ = tx.UserByPlatform(ws, "shell", "alice")
			return nil
		})
	}
	load()
	if u.DM != "dm:alice" || u.DMRef == "" {
		t.Fatalf("reference not stored: %+v", u)
	}
	ev.Kind = chat.EventRemoved
	if _, ok := h.Engine.Process(context.Background(), ev); ok {
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
	ev := h.Event("alice", chat.EventMessage)
	ev.Conversation = chat.Conversation{ID: "19:sales@thread", Ref: `{"serviceUrl":"https://smba.example/","conversation":{"id":"19:sales@thread"}}`}
	ev.Text = "/okr whoami"
	h.Engine.Process(context.Background(), ev)
	h.Restart()

	var got chat.Conversation
	h.Clock.Set(time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC))
	plat := h.Platform
	rec := senderFunc(func(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
		if to.ID == "19:sales@thread" {
			got = to
		}
		return plat.Send(ctx, to, m)
	})
	r := newRhythm(h, rec)
	r.Tick()
	if got.Ref != ev.Conversation.Ref {
		t.Errorf("the Sales digest went to %+v, without the stored reference", got)
	}
}

type senderFunc func(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error)

func (f senderFunc) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	return f(ctx, to, m)
}
