package bot_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/bot/cyclecmd"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

func wantButtons(t *testing.T, m chat.Message, want ...string) {
	t.Helper()
	got := buttons(m)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("buttons %q lack %q", got, w)
		}
	}
}

// TestEarlyCloseAsksWithAButton: `/okr cycle close` before the cycle's end
// closes nothing and asks, its button closes, the other keeps it open;
// what people may get wrong about cycles is answered and stores nothing.
func TestEarlyCloseAsksWithAButton(t *testing.T) {
	h := newHarness(t, true)
	before := h.snapshot()
	m := h.Ask("dana", "/okr cycle close")
	wantContains(t, render(m), "Q4 2026 runs until Thu Dec 31, 44 days from now. Close it early?")
	if got := buttons(m); len(got) != 2 || got[0] != "cycle close C1 now" || got[1] != "cycle list" {
		t.Fatalf("buttons %q, want the close and keeping it open", got)
	}
	if h.snapshot() != before {
		t.Error("asking closed something")
	}
	wantContains(t, h.press("dana", "cycle list"), "Current cycle: Q4 2026 · day 49 of 92")
	for _, tc := range []struct{ who, say, want string }{
		{"alice", "/okr cycle close now", "Only an admin can close a cycle."},
		{"alice", "/okr cycle next", "Only an admin can change cycles."},
		{"dana", "/okr cycle close Q9 2031 now", `There is no cycle called "Q9 2031".`},
		{"dana", "/okr cycle next Q9", `There is no cycle called "Q9".`},
		{"dana", "/okr cycle carry KR4", "KR4 is in Q4 2026, which is still open"},
		{"dana", "/okr cycle drop O1", "O1 is not a key result. Try `/okr cycle drop KR7`."},
		{"dana", "/okr cycle keep", "Which key result? Try `/okr cycle keep KR7`."},
		{"dana", "/okr cycle carry all Q4 2026", "Q4 2026 is still open"},
		{"dana", "/okr cycle carry all", "No cycle that closed lately has a next cycle to carry over to."},
		{"dana", "/okr cycle carry KR99", "There is no KR99."},
		{"dana", "/okr cycle frob", "Try `/okr cycle`"},
		{"dana", `/okr new objective "Grow" in 2031`, `There is no cycle called "2031".`},
	} {
		t.Run(tc.say, func(t *testing.T) {
			wantContains(t, h.say(tc.who, tc.say), tc.want)
			if h.snapshot() != before {
				t.Errorf("%s stored something", tc.say)
			}
		})
	}
	wantContains(t, h.press("dana", "cycle close C1 now"), "Closed Q4 2026: 5 objectives scored", "There is no next cycle yet: `/okr cycle next Q4 2026` creates it.")
	wantContains(t, h.press("dana", "cycle close C1 now"), "Q4 2026 is closed already.")
}

// TestCarryOverPrompt: the close asks each owner through the outbox; the
// prompt's buttons carry over (once a next cycle exists), drop or keep, for
// the owner and not for someone else, and a carried key result's history
// and view link it with the one it came from.
func TestCarryOverPrompt(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("dana", "/okr cycle close Q4 2026 now"), "I asked 8 people")
	alice := bottest.Read(t, h.DB, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByName(h.Workspace, "alice") })
	it := bottest.Read(t, h.DB, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) {
		return tx.OutboxByKey(h.Workspace, fmt.Sprintf("carry_over:u%d:c1", alice.ID))
	})
	d := h.Compose(it)
	if !d.To.Direct || d.Skip != "" {
		t.Fatalf("the prompt goes to %+v (skip %q), want alice's direct messages", d.To, d.Skip)
	}
	wantContains(t, render(d.Message), "Q4 2026 is closed. What becomes of your 3 key results that did not reach the target?",
		"Q4 2026 has no next cycle yet to carry it over to", "KR4 *New mid-market customers*: 17.6 customers of 40 customers (44%)", "KR6 *Playbook published*: not done\n", "KR7 *Reps certified on the playbook*: 1.9 reps of 8 reps (24%)")
	wantButtons(t, d.Message, "cycle carry KR4", "cycle drop KR4", "cycle keep KR4", "cycle carry KR7", "cycle carry mine C1")

	wantContains(t, h.press("alice", "cycle carry KR4"), "Q4 2026 has no next cycle yet to carry it over to. An admin creates it with `/okr cycle next Q4 2026`.")
	wantContains(t, h.say("dana", "/okr cycle next"), "Created cycle Q1 2027")
	wantContains(t, h.press("bob", "cycle carry KR4"), "can change that")
	wantContains(t, h.press("alice", "cycle carry KR4"), "KR4 *New mid-market customers* carries over to Q1 2027 as KR13, under O6, from 17.6 customers to 40 customers.")
	wantContains(t, h.press("alice", "cycle carry KR4"), "KR4 was carried over already, as KR13.")
	wantContains(t, h.press("alice", "cycle keep KR7"), "Kept KR7 *Reps certified on the playbook* as done, as it stands.")
	wantContains(t, h.press("alice", "cycle drop KR6"), "Dropped KR6 *Playbook published*: it stays in its closed cycle, marked dropped.")
	if d := h.Compose(it); d.Skip != "nothing left to decide" {
		t.Errorf("a prompt with everything decided: skip %q", d.Skip)
	}
	wantContains(t, h.say("alice", "/okr history KR13"), "No check-ins yet.\n*Before, as KR4 (Q4 2026)*\nNov 9 · alice · 14.6 customers → 17.6 customers", "Oct 5 · alice · 0 customers → 1.6 customers")
	wantContains(t, h.say("alice", "/okr show KR13"), "carried over from KR4 (Q4 2026)")
	wantContains(t, h.say("alice", "/okr show KR4"), "carried over to KR13 (Q1 2027)")
	wantContains(t, h.say("alice", "/okr show KR7"), "kept as done at its cycle's close")
	if k := h.kr(13); k.Start != 17.6 || k.Current != 17.6 || k.CarriedFrom != 4 {
		t.Errorf("KR13 %+v: want from 17.6 customers, carried from KR4", k)
	}
}

// TestNextCycleStartsOnSchedule: a cycle made with `cycle next` becomes
// current when its start comes, by the scheduler's tick, and only once;
// the empty `okr mine` of the new quarter names no objective of the old
// one and offers what it left unfinished.
func TestNextCycleStartsOnSchedule(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("dana", "/okr cycle next"), "It becomes current when it starts, on Fri Jan 1")
	q1 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	h.Clock.Set(q1.Add(-time.Minute))
	h.Tick()
	wantContains(t, h.say("dana", "/okr cycle"), "Current cycle: Q4 2026 · day 92 of 92", "C2 Q1 2027: Jan 1 2027 to Mar 31 2027 (next)")
	h.Clock.Set(q1)
	h.Tick()
	wantContains(t, h.say("dana", "/okr cycle"), "Current cycle: Q1 2027 · day 1 of 90", "▶ C2 Q1 2027")
	mine := h.say("alice", "/okr mine")
	wantContains(t, mine, "You have no OKRs in Q1 2027 yet.", "I answer with its id")
	wantLacks(t, mine, "O1", "Carry them over")

	wantContains(t, h.say("dana", "/okr cycle set Q4 2026"), "Q4 2026 is now current")
	h.Clock.Advance(time.Hour)
	h.Tick()
	wantContains(t, h.say("dana", "/okr cycle"), "Current cycle: Q4 2026 ended Dec 31")
	wantContains(t, h.say("dana", "/okr cycle close"), "Closed Q4 2026", "Q1 2027 is current now.")

	m := h.Ask("alice", "/okr mine")
	wantContains(t, render(m), "You have no OKRs in Q1 2027 yet.", "Q4 2026 closed with your 3 key results unfinished: KR4, KR6, KR7.")
	wantButtons(t, m, "cycle carry mine C1")
	wantContains(t, h.press("alice", "cycle carry mine C1"), "Carried over 3 key results:")
	wantContains(t, h.say("alice", "/okr mine"), "Your OKRs in Q1 2027:", "KR13 New mid-market customers")
}

// TestNextOfACustomCycle: `cycle next` follows a custom cycle by its
// name's pattern and its length, and names the command to use when its
// name shows none.
func TestNextOfACustomCycle(t *testing.T) {
	h := newHarness(t, true)
	for _, tc := range []struct{ say, want string }{
		{"/okr cycle new H1 2027 2027-01-01 2027-06-30", "Created cycle H1 2027"},
		{"/okr cycle next H1 2027", "Created cycle H2 2027 (Jul 1 2027 to Dec 31 2027)"},
		{"/okr cycle next H2 2027", "Created cycle H1 2028 (Jan 1 2028 to Jun 30 2028)"},
		{"/okr cycle new Sprint 3 2026-11-30 2027-01-10", "Created cycle Sprint 3"},
		{"/okr cycle next Sprint 3", "Created cycle Sprint 4 (Jan 11 2027 to Feb 21 2027)"},
		{"/okr cycle next Sprint 3", "Sprint 3 already has its next cycle, Sprint 4"},
		{"/okr cycle new Offsite 2027-03-01 2027-03-31", "Created cycle Offsite"},
		{"/okr cycle next Offsite", "I can't tell from its name what follows it. Create the next one with `/okr cycle new NAME 2027-04-01 2027-04-30`"},
	} {
		t.Run(tc.say, func(t *testing.T) { wantContains(t, h.say("dana", tc.say), tc.want) })
	}
}

// TestAdminsToldOfAStartedCycle: when the schedule makes the next cycle
// current at its start, each admin gets one direct message saying so,
// naming the cycle before it that is still open, however many ticks
// follow; a note composed after an admin chose another cycle is skipped.
func TestAdminsToldOfAStartedCycle(t *testing.T) {
	h := newHarness(t, true)
	plat := h.Platform
	r := newRhythm(h, plat)
	wantContains(t, h.say("dana", "/okr cycle next"), "It becomes current when it starts")
	h.Clock.Set(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC))
	r.RunUntil(time.Date(2027, 1, 1, 2, 0, 0, 0, time.UTC), 10*time.Minute)
	got := plat.Kind(string(okrcore.OutboxCycleStarted))
	if len(got) != 1 || len(sentTo(got, "dana")) != 1 {
		t.Fatalf("%d notes of the started cycle (%q), want one to dana, the demo's admin", len(got), bottest.Recipients(got))
	}
	wantContains(t, got[0].Text, "Q1 2027 started on Fri Jan 1, so I made it current (Jan 1 2027 to Mar 31 2027).",
		"Q4 2026 is still open: `/okr cycle close Q4 2026` grades it", "`/okr cycle set NAME` makes another one current.")

	wantContains(t, h.say("dana", "/okr cycle set Q4 2026"), "Q4 2026 is now current")
	r.RunUntil(time.Date(2027, 1, 1, 4, 0, 0, 0, time.UTC), 10*time.Minute)
	if got := plat.Kind(string(okrcore.OutboxCycleStarted)); len(got) != 1 {
		t.Errorf("%d notes after an admin's choice, want still the one", len(got))
	}
	var q1 okrcore.ID
	h.read("the cycles", func(tx okrcore.Tx) error {
		c, err := cyclecmd.Named(tx, h.Workspace, "Q1 2027")
		q1 = c.ID
		return err
	})
	d := h.Compose(&okrcore.OutboxItem{ID: 99, Workspace: h.Workspace, Kind: okrcore.OutboxCycleStarted, User: h.userID("dana"), Period: cycles.Period(q1), DueAt: h.Clock.Now(), State: okrcore.OutboxPending, Key: "cycle_started:again"})
	if d.Skip == "" {
		t.Errorf("a note of a cycle no longer current was composed: %s", d.Message.Text)
	}
}
