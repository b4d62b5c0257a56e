package bot_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A team's retrospective results show only once answering has closed (Q4
// 2026 ends on Dec 31: answering closes when that day has ended
// everywhere, at 12:00 UTC on Jan 1, or when the cycle is closed) and at
// least three people (the workspace's `rules retro`, never fewer) have
// answered; before that, how many have answered.

// retroCloses is when answering the Q4 2026 retrospective closes.
var retroCloses = time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)

func TestRetroResultsWaitForAnsweringToClose(t *testing.T) {
	h := newEndHarness(t)
	eng, sales := h.team("Engineering").ID, h.team("Sales").ID
	endRetro(t, h, "erin", "4", "5", "skip", "4", "Demo progress every Friday", "team status meetings that repeat the dashboard", "Weekly check-ins in chat")
	endRetro(t, h, "carol", "5", "3", "2", "5", "Pair on key result wording", "skip", "Weekly check-ins in chat")
	got := h.say("dana", "/okr retro results Engineering")
	wantContains(t, got, "2 of 3 people in Engineering have answered the Q4 2026 retrospective; results when answering closes", "if at least 3 have answered by then")
	wantLacks(t, got, "/ 5", "Demo progress")

	endRetro(t, h, "frank", "3", "2", "1", "skip", "skip", "Setting six objectives", "The Friday digest")
	got = h.say("carol", "/okr retro results")
	wantContains(t, got, "3 of 3 people in Engineering have answered the Q4 2026 retrospective; results when answering closes")
	wantLacks(t, got, "/ 5", "Demo progress", "if at least")
	// The summary a channel would get waits too.
	d := h.composeCycle(okrcore.OutboxRetro, 0, eng)
	if d.Skip == "" {
		t.Fatalf("the team summary was composed before answering closed:\n%s", render(d.Message))
	}
	wantContains(t, d.Skip, "results when answering closes")

	// Sales: two people can never be anonymous.
	endRetro(t, h, "alice", "4", "3", "5", "4", "Weekly demos", "Long status meetings", "The Friday digest")
	endRetro(t, h, "bob", "4", "3", "5", "4", "Weekly demos", "Long status meetings", "The Friday digest")

	h.Clock.Set(retroCloses.Add(-time.Minute))
	wantLacks(t, h.say("carol", "/okr retro results"), "/ 5")
	h.Clock.Set(retroCloses)
	got = h.say("dana", "/okr retro results Engineering")
	wantContains(t, got, engineeringAggregate...)
	endNoNames(t, got)
	if d := h.composeCycle(okrcore.OutboxRetro, 0, eng); d.Skip != "" {
		t.Errorf("the summary was skipped once answering closed: %s", d.Skip)
	}
	got = h.say("alice", "/okr retro results Sales")
	wantContains(t, got, "Answering the Q4 2026 retrospective has closed and 2 of 2 people in Sales answered: results show only from 3 answers")
	wantLacks(t, got, "/ 5", "Weekly demos")
	d = h.composeCycle(okrcore.OutboxRetro, 0, sales)
	wantContains(t, d.Skip, "2 of 2 people in Sales answered: results show only from 3 answers")
	wantContains(t, h.say("gina", "/okr retro results"), "Nobody in Customer Success has answered the Q4 2026 retrospective, and answering has closed.")

	// Answering has closed: no new answers, no invitations.
	wantContains(t, h.say("hank", "/okr retro"), "Answering the Q4 2026 retrospective closed on")
	if d := h.composeCycle(okrcore.OutboxRetro, h.userID("hank"), 0); d.Skip == "" {
		t.Errorf("an invitation was composed after answering closed:\n%s", render(d.Message))
	}
}

func TestRetroDialogEndsWhenAnsweringCloses(t *testing.T) {
	h := newEndHarness(t)
	h.Clock.Set(retroCloses.Add(-30 * time.Minute))
	wantContains(t, h.say("hank", "/okr retro"), "(1/7)")
	for _, a := range []string{"4", "3", "5", "4", "More demos", "skip"} {
		h.say("hank", a)
	}
	h.Clock.Set(retroCloses)
	wantContains(t, h.say("hank", "The Friday digest"), "Answering the Q4 2026 retrospective closed on", "weren't saved")
	if _, ok := h.state(endAnswersKey(h, "hank")); ok {
		t.Error("answers given after answering closed were saved")
	}
}

func TestRetroMinimumIsAWorkspaceRule(t *testing.T) {
	h := newEndHarness(t)
	before := h.snapshot()
	wantContains(t, h.say("alice", "/okr rules retro 4"), "Only an admin")
	for _, bad := range []string{"2", "0", "lots", "101"} {
		wantContains(t, h.say("dana", "/okr rules retro "+bad), "never fewer than 3")
	}
	if h.snapshot() != before {
		t.Error("a refused rule changed data")
	}
	wantContains(t, h.say("dana", "/okr rules"), "results show from 3 answers")
	wantContains(t, h.say("dana", "/okr rules retro 4"), "results show from 4 answers")
	answerEngineering(t, h)
	// Closing the cycle early closes answering at once.
	wantContains(t, h.say("dana", "/okr cycle close now"), "Closed Q4 2026")
	got := h.say("carol", "/okr retro results")
	wantContains(t, got, "has closed and 3 of 3 people in Engineering answered: results show only from 4 answers")
	wantLacks(t, got, "/ 5")
	wantContains(t, h.say("dana", "/okr rules retro 3"), "results show from 3 answers")
	wantContains(t, h.say("carol", "/okr retro results"), engineeringAggregate...)
	wantContains(t, h.say("alice", "/okr help rules"), "retro N")
}
