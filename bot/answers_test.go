package bot_test

import (
	"strings"
	"testing"
)

// Small answers that were wrong: who has OKRs in a team, ids that name
// nothing, counts of one, and the team commands in help.

func TestTeamViewCountsKeyResultOwnersAsHavingOKRs(t *testing.T) {
	h := newHarness(t, true)
	// bob owns KR5 under the Sales team's objective O2, and no objective.
	got := h.say("alice", "/okr team Sales")
	wantLacks(t, got, "No OKRs yet")
	// carol, erin and frank own key results of Engineering's O4.
	wantLacks(t, h.say("carol", "/okr team Engineering"), "No OKRs yet")
	// Someone who owns nothing at all is still listed.
	wantContains(t, h.say("dana", "/okr team add Sales @olga"), "Added olga")
	got = h.say("alice", "/okr team Sales")
	wantContains(t, got, "No OKRs yet: olga")
	wantLacks(t, got, "bob,", ", bob")
}

func TestShowOfAnIDThatNamesNothing(t *testing.T) {
	h := newHarness(t, true)
	for _, id := range []string{"O0", "KR0", "T0", "KPI0", "I0", "C0", "O99", "KR99", "T99", "KPI99", "I99", "kr0", "#O0"} {
		want := "There is no " + strings.ToUpper(strings.TrimPrefix(id, "#")) + "."
		got := h.say("alice", "/okr show "+id)
		wantContains(t, got, want)
		wantLacks(t, got, "no team called")
		// The id alone is `show` too.
		got = h.say("alice", "/okr "+id)
		wantContains(t, got, want)
		wantLacks(t, got, "don't know the command", "no team called")
	}
	// `team` with a team id that names nothing says so the same way.
	for _, id := range []string{"T0", "T99"} {
		wantContains(t, h.say("alice", "/okr team "+id), "There is no "+id+".")
	}
	// A team's name still works, and so does a real id.
	wantContains(t, h.say("alice", "/okr show Sales"), "Team Sales")
	wantContains(t, h.say("alice", "/okr show T2"), "Team Sales")
}

func TestCountsOfOneAreSingular(t *testing.T) {
	// A workspace of one person in one team, with one objective.
	s := newHarnessAt(t, "solo", demoNow, false)
	wantContains(t, s.say("zed", "/okr users"), "1 person:")
	wantContains(t, s.say("zed", "/okr team create Ops"), "Created team Ops")
	wantContains(t, s.say("zed", "/okr team add Ops @zed"), "Added zed")
	got := s.say("zed", "/okr teams")
	wantContains(t, got, "*Ops*: 1 member")
	wantLacks(t, got, "1 members")
	wantContains(t, s.say("zed", `/okr new objective "Ship it"`), "O1")
	wantContains(t, s.say("zed", `/okr new kr O1 "Launch" milestone`), "KR1")
	wantContains(t, s.say("zed", "/okr checkin"), "KR1")
	wantContains(t, s.say("zed", "stop"), "You checked in on 0 of 1 key result.")
	wantContains(t, s.say("zed", "/okr cycle close now"), "1 objective scored")
}

func TestHelpListsTheTeamCommands(t *testing.T) {
	h := newHarness(t, true)
	got := h.say("alice", "/okr help")
	wantContains(t, got, "*Teams*")
	for _, sub := range []string{"team create", "team add", "team remove", "team lead", "team parent", "team channel", "team timezone"} {
		wantContains(t, got, "`/okr "+sub+" ")
	}
	got = h.say("alice", "/okr help team")
	for _, sub := range []string{"team create", "team add", "team remove", "team lead", "team parent", "team channel", "team timezone"} {
		wantContains(t, got, "/okr "+sub+" ")
	}
}
