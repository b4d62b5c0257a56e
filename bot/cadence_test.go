package bot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Nudges, reminders, skips and help say the rhythm as it is scheduled for
// the person (their team's override, else the workspace's), not "weekly"
// always.

// composeNudge composes user's nudge or reminder for period, due now.
func (h *harness) composeNudge(kind okrcore.OutboxKind, user, period string) string {
	h.t.Helper()
	id := h.userID(user)
	d := h.Compose(&okrcore.OutboxItem{ID: 1, Workspace: h.Workspace, Kind: kind, User: id, Period: period,
		Key: fmt.Sprintf("%s:u%d:%s", kind, id, period), DueAt: h.Clock.Now(), State: okrcore.OutboxPending})
	if d.Skip != "" {
		h.t.Fatalf("%s's %s for %s skipped: %s", user, kind, period, d.Skip)
	}
	return render(d.Message)
}

func TestNudgesSayTheCadence(t *testing.T) {
	h := newHarness(t, true)
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) // Monday
	wantContains(t, h.say("dana", "/okr schedule checkin biweekly monday 10:00"), "every other Monday")
	got := h.composeNudge(okrcore.OutboxCheckIn, "dana", "2026-W48")
	wantContains(t, got, "Time for your fortnightly check-in", "[Skip this fortnight=skip]")
	wantLacks(t, got, "weekly", "this week")
	got = h.composeNudge(okrcore.OutboxReminder, "dana", "2026-W48")
	wantContains(t, got, "your check-in for this fortnight is still open", "[Skip this fortnight=skip]")
	wantLacks(t, got, "weekly", "this week")

	// Sales checks in monthly: alice follows her team's override.
	wantContains(t, h.say("alice", "/okr schedule team Sales checkin monthly 1 10:00"), "on day 1 of every month")
	h.Clock.Set(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	got = h.composeNudge(okrcore.OutboxCheckIn, "alice", "2026-12")
	wantContains(t, got, "Time for your monthly check-in", "[Skip this month=skip]")
	wantLacks(t, got, "weekly", "fortnight", "this week")
	got = h.composeNudge(okrcore.OutboxReminder, "alice", "2026-12")
	wantContains(t, got, "your check-in for this month is still open")
	wantContains(t, h.say("alice", "skip"), "skipping this month", "next month")
	wantContains(t, h.say("dana", "skip"), "skipping this fortnight", "in two weeks")

	// So does the welcome of a personal install.
	ev := h.Event("dana", chat.EventInstalled)
	wantContains(t, render(h.Process(ev)), "your fortnightly OKR check-in")

	// help says it for whoever asks.
	wantContains(t, h.say("alice", "/okr help"), "`/okr skip`: skip this month's check-in")
	wantContains(t, h.say("alice", "/okr help skip"), "skip this month's check-in")
	wantContains(t, h.say("dana", "/okr help"), "`/okr skip`: skip this fortnight's check-in")
	wantLacks(t, h.say("dana", "/okr help"), "weekly rhythm", "this week's")
	wantLacks(t, h.say("dana", "/okr help schedule"), "weekly")

	// The default stays weekly.
	d := newHarness(t, true)
	d.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	got = d.composeNudge(okrcore.OutboxCheckIn, "dana", "2026-W48")
	wantContains(t, got, "Time for your weekly check-in", "[Skip this week=skip]")
	wantContains(t, d.say("dana", "/okr help"), "`/okr skip`: skip this week's check-in")
}
