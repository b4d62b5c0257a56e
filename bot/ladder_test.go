package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// The demo's Leadership (dana) has Sales (alice; bob), Engineering (carol;
// erin, frank) and Customer Success (gina; hank) beneath it; digests come
// Friday at 16:00 in each team's zone, the manager digest at 17:00.

func TestEscalationLadderStepsOnAndOff(t *testing.T) {
	for _, tt := range []struct {
		name           string
		settings       []string
		wantThread     bool
		wantNamesInMgr bool
	}{
		{name: "both off (the default)"},
		{name: "thread on", settings: []string{"settings escalation thread on"}, wantThread: true},
		{name: "names on", settings: []string{"settings escalation names on"}, wantNamesInMgr: true},
		{name: "both on", settings: []string{"settings escalation thread on", "settings escalation names on"}, wantThread: true, wantNamesInMgr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true)
			for _, s := range tt.settings {
				wantContains(t, h.say("dana", s), "Done: the escalation ladder's")
			}
			// erin mutes her reminders: the ladder never names her.
			wantContains(t, h.say("erin", "mute reminders"), "Reminders muted for Q4 2026")
			r := newRhythm(h, h.Platform)
			h.Clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
			r.RunUntil(time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), 15*time.Minute)

			threads := h.Platform.Kind("escalation")
			if got := len(threads) > 0; got != tt.wantThread {
				t.Fatalf("thread replies %d, want some: %v", len(threads), tt.wantThread)
			}
			for _, s := range threads {
				if s.To.Thread == "" {
					t.Errorf("the reply to %s is not in the digest's thread", s.To.ID)
				}
				wantContains(t, s.Text, "Still to check in this week:")
				wantLacks(t, s.Text, "erin")
			}
			if tt.wantThread {
				eng := sentTo(threads, "#engineering")
				if len(eng) != 1 {
					t.Fatalf("%d replies in #engineering, want 1", len(eng))
				}
				wantContains(t, eng[0].Text, "carol and frank")
			}
			mgr := sentTo(h.Platform.Kind("manager_digest"), "dana")
			if len(mgr) == 0 {
				t.Fatal("no manager digest for dana")
			}
			last := mgr[len(mgr)-1].Text
			if got := strings.Contains(last, "[Nudge them=nudge team Leadership]"); got != tt.wantNamesInMgr {
				t.Fatalf("manager digest has Nudge them: %v, want %v:\n%s", got, tt.wantNamesInMgr, last)
			}
			if tt.wantNamesInMgr {
				wantContains(t, last, "*Not checked in this week*", "bob", "frank")
				line := last[strings.Index(last, "*Not checked in this week*"):]
				wantLacks(t, line[:strings.Index(line, "\n")], "erin")
			}
			wantContains(t, h.say("dana", "schedule"), "Escalation ladder")
		})
	}
}

func TestNudgeThemOneReminderADay(t *testing.T) {
	h := newHarness(t, true)
	r := newRhythm(h, h.Platform)
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) // Monday
	r.RunUntil(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), 15*time.Minute)
	// Tuesday 12:00 UTC: the scheduled reminder has reached Engineering
	// (carol 10:00 London, erin 10:00 Berlin, frank 10:00 Kolkata, 04:30
	// UTC) but not yet bob (Los Angeles).
	reminded := map[string]bool{}
	for _, s := range h.Platform.Kind("reminder") {
		reminded[strings.TrimPrefix(s.To.ID, "dm:")] = true
	}
	if !reminded["erin"] || reminded["bob"] {
		t.Fatalf("reminded %v by Tuesday noon UTC", reminded)
	}
	wantContains(t, h.say("bob", "nudge team Engineering"), "Only an admin can nudge a team's people")
	got := h.press("carol", "nudge team Engineering")
	wantContains(t, got, "spared", "erin", "Nobody gets more than one reminder a day")
	r.Tick()
	again := h.press("carol", "nudge team Engineering")
	wantContains(t, again, "spared")
	wantLacks(t, again, "Sent one polite reminder")
	count := map[string]int{}
	for _, s := range h.Platform.Kind("reminder") {
		count[strings.TrimPrefix(s.To.ID, "dm:")]++
	}
	for who, n := range count {
		if n > 1 {
			t.Errorf("%s got %d reminders on Tuesday", who, n)
		}
	}
	// bob's own scheduled reminder at 10:00 in Los Angeles comes after a
	// lead's nudge the same day, and is skipped for it.
	wantContains(t, h.press("alice", "nudge team Sales"), "Sent one polite reminder to bob")
	r.Tick()
	nudged := sentTo(h.Platform.Kind("reminder"), "bob")
	if len(nudged) != 1 {
		t.Fatalf("bob got %d reminders after Nudge them, want 1", len(nudged))
	}
	wantContains(t, nudged[0].Text, "a friendly nudge from your team")
	r.RunUntil(time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC), 15*time.Minute)
	if n := len(sentTo(h.Platform.Kind("reminder"), "bob")); n != 1 {
		t.Errorf("bob got %d reminders on Tuesday, want 1", n)
	}
}

func TestMuteAndUnmute(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("erin", "mute reminders"), "Reminders muted for Q4 2026", "you still get the check-in nudge")
	wantContains(t, h.say("erin", "unmute"), "Reminders are back on")
	wantContains(t, h.say("erin", "unmute"), "weren't muted")
	wantContains(t, h.say("frank", "mute"), "Reminders muted")
	r := newRhythm(h, h.Platform)
	h.Clock.Set(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	if n := len(sentTo(h.Platform.Kind("checkin"), "frank")); n != 1 {
		t.Errorf("frank (muted) got %d check-in nudges, want 1: muting keeps the nudge", n)
	}
	if n := len(sentTo(h.Platform.Kind("reminder"), "frank")); n != 0 {
		t.Errorf("frank (muted) got %d reminders", n)
	}
	if n := len(sentTo(h.Platform.Kind("reminder"), "erin")); n != 1 {
		t.Errorf("erin (unmuted) got %d reminders, want 1", n)
	}
}

// TestLadderCoversEveryCurrentCycle: with the company's year current
// beside the quarter, someone whose only key result is in the year has a
// check-in due too: the manager digest names them with Nudge them, the
// ladder's thread reply names them, Nudge them reminds them, and the
// digest's rate chart counts them, as the digests count the year's
// objectives.
func TestLadderCoversEveryCurrentCycle(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("dana", "settings escalation names on"), "Done: the escalation ladder's")
	wantContains(t, h.say("dana", "settings escalation thread on"), "Done: the escalation ladder's")
	h.say("ivan", "hello")
	wantContains(t, h.say("dana", "/okr team add Sales @ivan"), "ivan")
	leadership := h.team("Leadership").ID
	chartAlt := func() string {
		t.Helper()
		for _, b := range h.composeWeek(okrcore.OutboxManagerDigest, leadership, "2026-W47", demoFriday).Message.Blocks {
			if img, ok := b.(chat.Image); ok {
				return img.Alt
			}
		}
		t.Fatal("the manager digest has no chart")
		return ""
	}
	wantContains(t, h.say("dana", "/okr cycle new 2026"), "Created cycle 2026")
	wantContains(t, h.say("ivan", `/okr new objective "Open the partner channel" in 2026`), "Created O6")
	wantContains(t, h.say("ivan", `/okr new kr O6 "Signed partners" from 0 to 10`), "Added KR13")

	md := renderStatus(h.composeWeek(okrcore.OutboxManagerDigest, leadership, "2026-W47", demoFriday).Message)
	line := md[strings.Index(md, "*Not checked in this week*"):]
	wantContains(t, line[:strings.Index(line, "\n")], "ivan")
	thread := renderStatus(h.Compose(&okrcore.OutboxItem{ID: 2, Workspace: h.Workspace, Kind: okrcore.OutboxEscalation, Team: h.team("Sales").ID,
		Period: "2026-W47", DueAt: demoFriday, Key: "escalation:sales", State: okrcore.OutboxPending}).Message)
	wantContains(t, thread, "Still to check in this week:", "ivan")
	wantContains(t, h.press("alice", "nudge team Sales"), "ivan")

	// Once ivan checks in on the year's key result, Sales' last week in
	// the chart is his (nobody else there has checked in that week).
	wantContains(t, h.say("ivan", "KR13 2"), "Checked in")
	wantContains(t, chartAlt(), "Sales 33%")
}
