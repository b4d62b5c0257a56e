package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// The end-of-cycle tests run on the shared harness in their own workspace,
// late in the cycle.

const endWS = "endofcycle"

// endNow is in the last week of Q4 2026, when owners are asked to grade.
var endNow = time.Date(2026, 12, 26, 10, 0, 0, 0, time.UTC)

func newEndHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessAt(t, endWS, endNow, true)
}

func (h *harness) userID(name string) okrcore.ID {
	h.t.Helper()
	var id okrcore.ID
	h.read("user "+name, func(tx okrcore.Tx) error {
		u, err := tx.UserByName(h.Workspace, name)
		if err == nil {
			id = u.ID
		}
		return err
	})
	return id
}

// cycle is the period of the current cycle as the scheduler writes it.
func (h *harness) cycle() string {
	h.t.Helper()
	var p string
	h.read("current cycle", func(tx okrcore.Tx) error {
		c, err := okrcore.CurrentCycle(tx, h.Workspace)
		if err == nil {
			p = fmt.Sprintf("c%d", c.ID)
		}
		return err
	})
	return p
}

// state reads a bot State key; ok is false when it is absent or expired.
func (h *harness) state(key string) (string, bool) {
	h.t.Helper()
	var v string
	var ok bool
	h.read("state "+key, func(tx okrcore.Tx) error {
		b, err := tx.State(h.Workspace, key)
		if okrcore.IsNotFound(err) {
			return nil
		}
		v, ok = string(b), err == nil
		return err
	})
	return v, ok
}

// composeCycle composes a scheduled message of the current cycle for user
// or team, due now.
func (h *harness) composeCycle(kind okrcore.OutboxKind, user, team okrcore.ID) chat.Delivery {
	h.t.Helper()
	return h.Compose(&okrcore.OutboxItem{ID: 1, Workspace: h.Workspace, Kind: kind, User: user, Team: team, Period: h.cycle(),
		Key: fmt.Sprintf("%s:u%d:t%d", kind, user, team), DueAt: h.Clock.Now(), State: okrcore.OutboxPending})
}

// endNoNames fails when an aggregate names anyone who answered.
func endNoNames(t *testing.T, got string) {
	t.Helper()
	for _, name := range []string{"erin", "carol", "frank"} {
		if regexp.MustCompile(`(?i)\b` + name + `\b`).MatchString(got) {
			t.Errorf("the anonymous aggregate names %s:\n%s", name, got)
		}
	}
}

// isDM reports whether c is a direct message to the shell user name (by
// platform id, or the conversation they last wrote from).
func isDM(c chat.Conversation, name string) bool {
	return c.Direct && (c.ID == name || c.ID == "dm:"+name)
}

// ---------------------------------------------------------------------
// Grading

func TestGradingPrompt(t *testing.T) {
	h := newEndHarness(t)
	// Known progress: KR4 24 of 40 (60% → 0.6), KR6 done (1.0), KR7 7 of
	// 8 reps (87.5% → 0.9).
	for _, s := range []string{"KR4 24", "KR6 done", "KR7 7"} {
		wantContains(t, h.say("alice", s), "Checked in")
	}
	alice := h.userID("alice")
	d := h.composeCycle(okrcore.OutboxGrading, alice, 0)
	if d.Skip != "" {
		t.Fatalf("grading prompt skipped: %s", d.Skip)
	}
	if !isDM(d.To, "alice") {
		t.Errorf("grading prompt goes to %+v, want alice's DM", d.To)
	}
	got := render(d.Message)
	wantContains(t, got, "Hi alice", "Q4 2026 ends on Thursday, Dec 31", "0.7 and above counts as achieved",
		"KR4 New mid-market customers", "(60%), suggested 0.6", "KR6 Playbook published: done (100%), suggested 1.0", "KR7 Reps certified on the playbook: 7 reps of 8 reps (88%), suggested 0.9",
		"[Accept 0.6=grade KR4 0.6]", "[Grade…=grades KR4]", "[Accept 1.0=grade KR6 1.0]", "[Accept 0.9=grade KR7 0.9]",
		"[Grade all with a form=grades]")
	wantLacks(t, got, "KR5", "KR1 ") // bob's and dana's key results

	// Pressing "Accept" grades the key result.
	wantContains(t, h.press("alice", "grade KR4 0.6"), "Graded KR4", "0.6", "not achieved")
	if k := h.kr(4); k.Score == nil || *k.Score != 0.6 {
		t.Fatalf("KR4 score = %v, want 0.6", k.Score)
	}
	got = render(h.composeCycle(okrcore.OutboxGrading, alice, 0).Message)
	wantContains(t, got, "KR4 New mid-market customers", "graded 0.6", "[Accept 0.9=grade KR7 0.9]")
	wantLacks(t, got, "grade KR4 0.6", "grades KR4")

	// Everything graded: skipped.
	h.press("alice", "grade KR6 1.0")
	h.press("alice", "grade KR7 0.8")
	if d := h.composeCycle(okrcore.OutboxGrading, alice, 0); d.Skip == "" {
		t.Errorf("prompt for someone who graded everything was not skipped:\n%s", render(d.Message))
	}
	// Owns nothing: skipped.
	if d := h.composeCycle(okrcore.OutboxGrading, h.userID("olga"), 0); d.Skip == "" {
		t.Errorf("prompt for someone who owns nothing was not skipped:\n%s", render(d.Message))
	}
}

func TestGradingIncludesTeamKeyResultsOfTheLead(t *testing.T) {
	h := newEndHarness(t)
	// O4 belongs to team Engineering: a key result added without an owner
	// is the team's, and its lead grades it.
	wantContains(t, h.say("carol", `/okr new kr O4 "Runbooks written" from 0 to 10`), "Added KR13")
	got := render(h.composeCycle(okrcore.OutboxGrading, h.userID("carol"), 0).Message)
	wantContains(t, got, "KR8 p95 check-in latency", "KR13 Runbooks written", "suggested 0.0", "[Accept 0.0=grade KR13 0.0]")
	got = render(h.composeCycle(okrcore.OutboxGrading, h.userID("erin"), 0).Message)
	wantContains(t, got, "KR9 Teams integration launched")
	wantLacks(t, got, "KR13", "KR8")
}

func TestGradingSkippedWhenCycleClosed(t *testing.T) {
	h := newEndHarness(t)
	carol := h.userID("carol")
	if d := h.composeCycle(okrcore.OutboxGrading, carol, 0); d.Skip != "" {
		t.Fatalf("open cycle skipped: %s", d.Skip)
	}
	wantContains(t, h.say("dana", "/okr cycle close now"), "Closed Q4 2026")
	if d := h.composeCycle(okrcore.OutboxGrading, carol, 0); d.Skip == "" {
		t.Errorf("prompt for a closed cycle was not skipped:\n%s", render(d.Message))
	}
}

func TestGradesForm(t *testing.T) {
	h := newEndHarness(t)
	h.say("alice", "KR4 23")
	ev := h.Event("alice", chat.EventButton)
	ev.Value = "grades KR4"
	m := h.Process(ev)
	if m.Form == nil || m.Form.ID != "grades" || len(m.Form.Inputs) != 1 || m.Form.Inputs[0].ID != "KR4.grade" || m.Form.Inputs[0].Initial != "0.6" {
		t.Fatalf("grading form = %+v", m.Form)
	}
	ev.Value = "grades"
	all := h.Process(ev)
	if all.Form == nil || all.Form.State != "KR4,KR6,KR7" {
		t.Fatalf("form of all of alice's key results = %+v", all.Form)
	}

	submit := h.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = all.Form.ID, all.Form.State
	for _, bad := range []map[string]string{
		{"KR4.grade": "lots", "KR7.grade": "0.5"},
		{"KR4.grade": "1.5"},
		{"KR4.grade": "-0.1"},
	} {
		submit.Values = bad
		wantContains(t, render(h.Process(submit)), "Nothing was saved")
		for _, id := range []okrcore.ID{4, 6, 7} {
			if k := h.kr(id); k.Score != nil {
				t.Fatalf("a rejected form graded KR%d (%v)", id, *k.Score)
			}
		}
	}
	submit.Values = map[string]string{"KR4.grade": "0.55", "KR6.grade": "", "KR7.grade": "80%"}
	got := render(h.Process(submit))
	wantContains(t, got, "Graded", "KR4 New mid-market customers: 0.55 (not achieved)", "KR7 Reps certified on the playbook: 0.8 (achieved)", "O2", "O3")
	if k := h.kr(4); k.Score == nil || *k.Score != 0.55 {
		t.Errorf("KR4 score = %v, want 0.55", k.Score)
	}
	if k := h.kr(7); k.Score == nil || *k.Score != 0.8 {
		t.Errorf("KR7 score = %v, want 0.8", k.Score)
	}
	if k := h.kr(6); k.Score != nil {
		t.Errorf("KR6 graded from an empty field: %v", *k.Score)
	}

	// Someone who may not change KR4 gets the reason, with the form or
	// without, and changes nothing.
	wantContains(t, h.press("bob", "grades KR4"), "Only alice")
	submit = h.Event("bob", chat.EventFormSubmit)
	submit.FormID, submit.FormState, submit.Values = "grades", "KR4", map[string]string{"KR4.grade": "1"}
	wantContains(t, render(h.Process(submit)), "Only alice")
	if k := h.kr(4); *k.Score != 0.55 {
		t.Errorf("bob changed KR4's grade to %v", *k.Score)
	}
}

// ---------------------------------------------------------------------
// The retrospective

func endAnswersKey(h *harness, user string) string {
	return fmt.Sprintf("retro:answers:%s:%d", strings.TrimPrefix(h.cycle(), "c"), h.userID(user))
}

// endRetro answers the whole retrospective as user: four ratings ("skip"
// allowed) and three free-text answers.
func endRetro(t *testing.T, h *harness, user string, answers ...string) string {
	t.Helper()
	if len(answers) != 7 {
		t.Fatalf("a retrospective has 7 answers, got %d", len(answers))
	}
	wantContains(t, h.say(user, "/okr retro"), "(1/7)")
	var got string
	for i, a := range answers {
		got = h.say(user, a)
		if i < 6 {
			wantContains(t, got, fmt.Sprintf("(%d/7)", i+2))
		}
	}
	wantContains(t, got, "Thank you")
	return got
}

func TestRetroDialog(t *testing.T) {
	h := newEndHarness(t)
	got := h.press("erin", "retro")
	wantContains(t, got, "Retrospective · Q4 2026", "(1/7)", "We work more focused because of OKRs", "[1=retro 1]", "[5=retro 5]", "`skip` moves on, `stop` ends")

	// Bad ratings get a clear sentence and the same question; nothing is stored.
	for _, bad := range []struct{ text, want string }{
		{"lots", `"lots" isn't one`},
		{"6", "6 is off the scale"},
		{"0", "0 is off the scale"},
		{"4.5", "whole number"},
	} {
		got = h.say("erin", bad.text)
		wantContains(t, got, bad.want, "(1/7)", "We work more focused")
		if _, ok := h.state(endAnswersKey(h, "erin")); ok {
			t.Fatalf("a rejected rating %q stored answers", bad.text)
		}
	}
	wantContains(t, h.say("erin", "4"), "(2/7)", "Our daily priorities add up to our OKRs")

	// The dialog survives a restart.
	h.Restart()
	wantContains(t, h.press("erin", "retro 5"), "(3/7)", "We chose and worded our key results well")
	wantContains(t, h.say("erin", "skip"), "(4/7)", "We are satisfied with the OKR process")
	wantContains(t, h.say("erin", "agree"), "(5/7)", "*Start*", "[Skip=retro skip]")
	// A bare command still works during a free-text question, and the
	// dialog waits.
	wantContains(t, h.say("erin", "mine"), "Your OKRs")
	wantContains(t, h.say("erin", "Demo progress every Friday"), "(6/7)", "*Stop*")
	// A sentence that starts like a command is an answer.
	wantContains(t, h.say("erin", "team status meetings that repeat the dashboard"), "(7/7)", "*Continue*")
	got = h.say("erin", "Weekly check-ins in chat")
	wantContains(t, got, "Thank you", "Q4 2026", "We work more focused because of OKRs: 4", "We chose and worded our key results well: skipped",
		"Start: Demo progress every Friday", "Stop: team status meetings that repeat the dashboard", "[Team results=retro results]")
	raw, ok := h.state(endAnswersKey(h, "erin"))
	if !ok || !strings.Contains(raw, `"ratings":[4,5,0,4]`) {
		t.Fatalf("stored answers = %q, %v", raw, ok)
	}
	// The dialog is over: a number is no longer a rating.
	wantLacks(t, h.say("erin", "3"), "/7)", "Thank you")
	wantContains(t, h.press("erin", "retro 3"), "no retrospective in progress")
}

func TestRetroStopKeepsEarlierAnswers(t *testing.T) {
	h := newEndHarness(t)
	endRetro(t, h, "frank", "1", "1", "1", "1", "skip", "skip", "skip")
	before, _ := h.state(endAnswersKey(h, "frank"))
	wantContains(t, h.say("frank", "/okr retro"), "answering again replaces those answers", "(1/7)")
	h.say("frank", "5")
	wantContains(t, h.say("frank", "stop"), "Stopped", "nothing from this retrospective was saved", "earlier answers stay")
	if after, _ := h.state(endAnswersKey(h, "frank")); after != before {
		t.Errorf("stopping changed the stored answers:\n%s\n%s", before, after)
	}
}

func TestRetroYieldsToCheckInDialog(t *testing.T) {
	h := newEndHarness(t)
	wantContains(t, h.say("alice", "/okr checkin"), "(1/3) KR4")
	wantContains(t, h.say("alice", "/okr retro"), "middle of a check-in", "(1/7)")
	// Typed text goes to the check-in first …
	wantContains(t, h.say("alice", "4"), "Checked in", "(2/3) KR6")
	if k := h.kr(4); k.Current != 4 {
		t.Errorf("KR4 = %v, want 4 from the check-in dialog", k.Current)
	}
	// … the retrospective's buttons still reach it …
	wantContains(t, h.press("alice", "retro 3"), "(2/7)")
	wantContains(t, h.say("alice", "stop"), "Stopped. You checked in on 1 of 3")
	// … and once the check-in is over, typed answers reach the retrospective.
	wantContains(t, h.say("alice", "2"), "(3/7)")
}

// The three members of Engineering answer; the aggregate holds their
// averages, computed by hand:
//
//	                  erin carol frank  average
//	more focused        4    5     3    12/3 = 4.0 (3)
//	priorities add up   5    3     2    10/3 = 3.3 (3)
//	key results worded  –    2     1     3/2 = 1.5 (2)
//	satisfied           4    5     –     9/2 = 4.5 (2)
func answerEngineering(t *testing.T, h *harness) {
	t.Helper()
	endRetro(t, h, "erin", "4", "5", "skip", "4", "Demo progress every Friday", "team status meetings that repeat the dashboard", "Weekly check-ins in chat")
	endRetro(t, h, "carol", "5", "3", "2", "5", "Pair on key result wording", "skip", "Weekly check-ins in chat")
	// frank answers twice: the second answers replace the first.
	endRetro(t, h, "frank", "1", "1", "1", "1", "Everything differently", "skip", "skip")
	endRetro(t, h, "frank", "3", "2", "1", "skip", "skip", "Setting six objectives", "The Friday digest")
}

var engineeringAggregate = []string{
	"3 of 3 people in Engineering answered",
	"We work more focused because of OKRs: *4.0 / 5 (3 ratings)*",
	"Our daily priorities add up to our OKRs: *3.3 / 5 (3 ratings)*",
	"We chose and worded our key results well: *1.5 / 5 (2 ratings)*",
	"We are satisfied with the OKR process: *4.5 / 5 (2 ratings)*",
	"*Start*\n• Demo progress every Friday\n• Pair on key result wording\n",
	"*Stop*\n• Setting six objectives\n• team status meetings that repeat the dashboard\n",
	"*Continue*\n• The Friday digest\n• Weekly check-ins in chat\n• Weekly check-ins in chat\n",
}

func TestRetroResults(t *testing.T) {
	h := newEndHarness(t)
	answerEngineering(t, h)
	// Results show once answering has closed (retro_anonymity_test.go).
	h.Clock.Set(retroCloses)
	got := h.say("dana", "/okr retro results Engineering")
	wantContains(t, got, append([]string{"Retrospective · Engineering · Q4 2026"}, engineeringAggregate...)...)
	endNoNames(t, got)
	wantLacks(t, got, "Everything differently")
	// The lead's own team by default; survives a restart.
	h.Restart()
	wantContains(t, h.say("carol", "/okr retro results"), engineeringAggregate...)
	wantContains(t, h.say("alice", "/okr retro results Sales"), "Nobody in Sales has answered")
	wantContains(t, h.say("olga", "/okr retro results"), "Which team?")
}

func TestComposeRetro(t *testing.T) {
	h := newEndHarness(t)
	eng, sales := h.team("Engineering").ID, h.team("Sales").ID

	// Nobody answered: the team aggregate is skipped.
	if d := h.composeCycle(okrcore.OutboxRetro, 0, eng); d.Skip == "" {
		t.Errorf("aggregate with no answers was not skipped:\n%s", render(d.Message))
	}

	// The invitation to each member.
	d := h.composeCycle(okrcore.OutboxRetro, h.userID("erin"), 0)
	if d.Skip != "" || !isDM(d.To, "erin") {
		t.Fatalf("invitation = %+v", d)
	}
	wantContains(t, render(d.Message), "Hi erin", "Q4 2026", "[Start the retro=retro]", "anonymous")

	answerEngineering(t, h)
	if d := h.composeCycle(okrcore.OutboxRetro, h.userID("erin"), 0); d.Skip == "" {
		t.Errorf("invitation to someone who answered was not skipped")
	}
	// The aggregate shows once answering has closed (retro_anonymity_test.go).
	h.Clock.Set(retroCloses)

	d = h.composeCycle(okrcore.OutboxRetro, 0, eng)
	if d.Skip != "" || d.To.ID != "#engineering" || d.To.Direct {
		t.Fatalf("aggregate delivery = %+v", d)
	}
	got := render(d.Message)
	wantContains(t, got, engineeringAggregate...)
	endNoNames(t, got)
	if d := h.composeCycle(okrcore.OutboxRetro, 0, sales); d.Skip == "" {
		t.Errorf("Sales aggregate with no answers was not skipped")
	}

	// A team without a channel gets it in its lead's DM.
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		team, err := tx.Team(h.Workspace, eng)
		if err != nil {
			return err
		}
		team.DigestChannel = ""
		return tx.PutTeam(team)
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := h.composeCycle(okrcore.OutboxRetro, 0, eng); !isDM(d.To, "carol") {
		t.Errorf("aggregate without a channel goes to %+v, want carol's DM", d.To)
	}
}
