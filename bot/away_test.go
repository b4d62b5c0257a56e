package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
)

// sentTo lists what went to a person or channel, by their id.
func sentTo(sent []bottest.Sent, who string) []bottest.Sent {
	var out []bottest.Sent
	for _, s := range sent {
		if strings.TrimPrefix(s.To.ID, "dm:") == who || s.To.UserID == who {
			out = append(out, s)
		}
	}
	return out
}

// Bob (Los Angeles, in Sales) is away from Saturday 21 to Wednesday 25
// November: Monday's nudge and Tuesday's reminder wait it out, he comes
// back on Thursday to a welcome back, and Friday's Sales digest shows him
// as away, not as someone who didn't check in.
func TestTimeAwayAcrossAReminderAndADigest(t *testing.T) {
	h := newHarness(t, true)
	plat := h.Platform
	r := newRhythm(h, plat)
	h.Clock.Set(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)) // Friday
	wantContains(t, h.say("bob", "away from 2026-11-21 until 2026-11-25 on a boat"),
		"Enjoy your time away (on a boat)!", "from Sat, Nov 21 until the end of Wed, Nov 25 2026")
	wantContains(t, h.say("bob", "away"), "You're away from Sat, Nov 21 until the end of Wed, Nov 25 2026 (on a boat)")

	r.RunUntil(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), 10*time.Minute) // Thursday, before 10:00 in LA
	if got := sentTo(plat.Kind("checkin"), "bob"); len(got) != 0 {
		t.Fatalf("bob nudged while away: %v", got[0].Text)
	}
	if got := sentTo(plat.Kind("reminder"), "bob"); len(got) != 0 {
		t.Fatalf("bob reminded while away: %v", got[0].Text)
	}
	if got := sentTo(plat.Kind("reminder"), "erin"); len(got) != 1 {
		t.Fatalf("erin (not away) got %d reminders, want 1", len(got))
	}

	r.RunUntil(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), 10*time.Minute)
	back := sentTo(plat.Kind("checkin"), "bob")
	if len(back) != 1 {
		t.Fatalf("bob got %d nudges on his return, want one welcome back", len(back))
	}
	wantContains(t, back[0].Text, "Welcome back, bob!", "[Update=form]")
	if at := back[0].At.In(time.FixedZone("PST", -8*3600)).Format("Mon 15:04"); at != "Thu 10:00" {
		t.Errorf("welcome back at %s in Los Angeles, want his check-in time on the day he's back (Thu 10:00)", at)
	}

	r.RunUntil(time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC), 10*time.Minute) // past Friday's digests
	var sales []bottest.Sent
	for _, s := range sentTo(plat.Kind("digest"), "#sales") {
		if strings.HasSuffix(s.Key, ":2026-W48") {
			sales = append(sales, s)
		}
	}
	if len(sales) != 1 {
		t.Fatalf("%d Sales digests of the week, want 1", len(sales))
	}
	// Alice, not away, is the one who hasn't checked in, of one asked.
	wantContains(t, sales[0].Text, "Away this week, so not counted: bob", "*Not checked in this week* (1 of 1): alice", "*0 of 1* people with key results")
	// Nothing of the escalation ladder runs while it is off.
	if got := plat.Kind("escalation"); len(got) != 0 {
		t.Errorf("the ladder's thread step ran while off: %v", got[0].Text)
	}
}

func TestAwayRefusesBadInput(t *testing.T) {
	h := newHarness(t, true)
	tests := []struct{ who, say, want string }{
		{"bob", "away until 2020-01-01", "That date is in the past"},
		{"bob", "away until yesterday-ish", "I couldn't read a date"},
		{"bob", "away until 2026-02-30", "I couldn't read a date"},
		{"bob", "away 3 fortnights", "I couldn't read a date"},
		{"bob", "away until 2031-01-01", "more than two years"},
		{"bob", "away off please", "Try `/okr away until"},
		{"bob", "away @alice until 2026-12-20", "Only admins and team leads can set time away for someone else"},
		{"olga", "away @bob 2 weeks", "Only admins and team leads"},
		{"alice", "away @erin 2 weeks", "only for people in a team you lead"},
		{"dana", "away @nobody 2 weeks", "I don't know anyone called @nobody"},
		{"bob", "mute everything", "Try `/okr mute reminders`"},
		{"bob", "nudge team Sales", "Only an admin can nudge a team's people"},
		{"alice", "nudge Sales", "Try `/okr nudge team NAME`"},
		{"alice", "settings escalation thread on", "Only an admin can change the escalation ladder"},
		{"alice", "settings escalation shout on team Sales", "The escalation ladder has the steps"},
		{"dana", "settings escalation thread maybe", "Say `on` or `off`"},
		{"bob", "settings slack-status-away on", "Only an admin can change how Slack statuses count"},
		{"bob", "skip off", "`/okr skip` skips this check-in"},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.say, func(t *testing.T) {
			wantContains(t, h.say(tt.who, tt.say), tt.want)
		})
	}
	// Nothing was stored by the refusals.
	for _, who := range []string{"bob", "alice", "erin"} {
		wantContains(t, h.say(who, "away"), "You're not away.")
	}
	wantContains(t, h.say("dana", "schedule"), "3. A reply in the thread of the team's digest naming who hasn't checked in: off")
}

func TestAwaySetForSomeoneAndEnded(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("alice", "away @bob until Dec 20 parental leave"),
		"bob is away until the end of Sun, Dec 20 2026 (parental leave)", "`/okr away bob off`")
	wantContains(t, h.say("bob", "away"), "You're away until the end of Sun, Dec 20 2026 (parental leave)")
	wantContains(t, h.say("dana", "away @bob"), "bob is away until the end of Sun, Dec 20 2026")
	wantContains(t, h.say("bob", "away off"), "Welcome back! You're no longer away")
	wantContains(t, h.say("bob", "away off"), "You're not away: nothing to end.")
	// "skip until …, on vacation" is time away, not one week's skip.
	wantContains(t, h.say("carol", "skip until Dec 20, on vacation"), "Enjoy your time away (on vacation)!", "until the end of Sun, Dec 20 2026")
	wantContains(t, h.say("carol", "away"), "You're away until the end of Sun, Dec 20 2026 (on vacation)")
	wantContains(t, h.say("carol", "skip"), "skipping this week")
	wantContains(t, h.say("olga", "away 1 week"), "Enjoy your time away!")
	wantContains(t, h.say("bob", "help"), "`/okr away [@PERSON] [until DATE | N weeks | off] [note]`", "`/okr mute reminders`", "`/okr unmute`", "`/okr nudge team NAME`")
}

// TestSettingsShowTimeAwayAndMutes: `/okr settings` says one's own time
// away and muted reminders, with how to end them, and how to start them
// when there are none.
func TestSettingsShowTimeAwayAndMutes(t *testing.T) {
	h := newHarness(t, true)
	for _, tc := range []struct{ who, say, want string }{
		{"bob", "settings", "Time away: none (`/okr away until 2027-01-10 [note]` or `/okr away 2 weeks`)"},
		{"bob", "settings", "Reminders: on, one after a check-in nudge you haven't answered (`/okr mute reminders` mutes them for this cycle)"},
		{"bob", "away until 2026-12-04 at a conference", "Enjoy your time away (at a conference)!"},
		{"bob", "mute reminders", "Reminders muted for Q4 2026"},
		{"bob", "settings", "Time away: until the end of Fri, Dec 4 2026 (at a conference) (`/okr away off` ends it)"},
		{"bob", "settings", "Reminders: muted for Q4 2026 (`/okr unmute` turns them back on)"},
		{"alice", "away @bob off", "bob is no longer away"},
		{"bob", "unmute", "Reminders are back on"},
		{"bob", "settings", "Time away: none"},
		{"bob", "settings", "Reminders: on"},
	} {
		t.Run(tc.who+" "+tc.say, func(t *testing.T) { wantContains(t, h.say(tc.who, tc.say), tc.want) })
	}
}
