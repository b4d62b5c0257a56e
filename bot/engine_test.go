package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// The demo organisation's ids, as seeded: O1 company (KR1 ARR, KR2 NPS,
// KR3 churn), O2 Sales (KR4 customers/alice, KR5 pipeline/bob), O3 alice's
// playbook under O2 (KR6 milestone, KR7 reps), O4 Engineering (KR8–KR10),
// O5 Customer Success (KR11, KR12).

func TestLookups(t *testing.T) {
	h := newHarness(t, true)
	tests := []struct {
		user, text string
		want       []string
	}{
		{"alice", "help", []string{"/okr mine", "/okr checkin", "/okr team NAME", "KR2 45%"}},
		{"alice", "/okr mine", []string{"Your OKRs", "O2 Win the mid-market", "KR4 New mid-market customers", "O3 Build a repeatable sales playbook", "[Check in=checkin]"}},
		{"alice", "okr team Sales", []string{"Team Sales", "Lead: alice", "O2 Win the mid-market", "KR5 Qualified pipeline"}},
		{"bob", "/okr team customer success", []string{"Team Customer Success", "Lead: gina", "O5 Keep every customer we win"}},
		{"alice", "/okr show KR4", []string{"KR4 New mid-market customers", "Objective: O2 Win the mid-market", "Recent check-ins", "Hire a second SDR"}},
		{"alice", "/okr show O1", []string{"O1 Become the go-to OKR assistant", "Aligned beneath", "O2 Win the mid-market"}},
		{"alice", "/okr show KPI1", []string{"Uptime", "healthy"}},
		{"alice", "/okr tree", []string{"Alignment tree", "O1 Become", "O2 Win the mid-market", "O3 Build a repeatable"}},
		{"alice", "/okr tree O2", []string{"Alignment under O2", "O3 Build"}},
		{"alice", "/okr history KR4", []string{"KR4 New mid-market customers", "alice", "confidence"}},
		{"alice", "/okr teams", []string{"Sales", "Engineering", "led by carol"}},
		{"alice", "/okr cycle", []string{"Current cycle: Q4 2026", "day 49 of 92"}},
		{"alice", "/okr whoami", []string{"alice", "member", "Europe/Berlin"}},
		{"alice", "/okr rules", []string{"3–5 objectives", "2–5 key results"}},
		{"olga", "/okr mine", []string{"no OKRs in Q4 2026"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			wantContains(t, h.say(tt.user, tt.text), tt.want...)
		})
	}
}

// TestBadInputChangesNothing sends each kind of bad input and checks the
// answer is a clear sentence and every stored record is unchanged.
func TestBadInputChangesNothing(t *testing.T) {
	h := newHarness(t, true)
	tests := []struct {
		user, text string
		want       []string
	}{
		{"alice", "KR4 lots", []string{"lots"}},
		{"alice", "KR99 5", []string{"no KR99"}},
		{"alice", "KR1 1.5M", []string{"Only dana"}},
		{"alice", "confidence 11", []string{"0", "10"}},
		{"alice", "hello there", []string{"KR2 45%"}},
		{"alice", "/okr mnie", []string{"Did you mean", "/okr mine"}},
		{"alice", "/okr show KR999", []string{"no KR999"}},
		{"alice", "/okr new kr O3 \"Demos\" from 5 to 5", []string{"equals the start"}},
		{"alice", "/okr new kr O99 \"Demos\" from 0 to 5", []string{"no O99"}},
		{"alice", "/okr new kr O3 \"Demos\" from 0 to lots", []string{"target"}},
		{"alice", "/okr new objective", []string{"What is the objective"}},
		{"olga", "KR4 30", []string{"Observers"}},
		{"olga", "/okr new objective \"Look around\"", []string{"Observers"}},
		{"bob", "KR6 done", []string{"Only alice"}},
		{"alice", "KR6 45%", []string{"milestone"}},
		{"alice", "/okr grade KR4 1.7", []string{"0.0 to 1.0"}},
		{"alice", "/okr cycle new Q1 2027", []string{"Only an admin"}},
		{"alice", "/okr team create Marketing", []string{"Only an admin"}},
		{"alice", "/okr edit O2 under KR7", []string{"aligned beneath"}},
		{"alice", "/okr edit KR4 target 0", []string{"equals the start"}},
		{"alice", "/okr edit KR4 target many", []string{"many"}},
		{"alice", "/okr role @bob admin", []string{"Only an admin"}},
		{"dana", "/okr role @nobody admin", []string{"nobody"}},
		{"dana", "/okr timezone Mars/Olympus", []string{"Mars/Olympus"}},
		{"alice", "/okr team Nonexistent", []string{"no team called"}},
		{"alice", "/okr done I99", []string{"no I99"}},
		{"alice", "/okr history O1", []string{"key results and KPIs"}},
	}
	before := h.snapshot()
	for _, tt := range tests {
		t.Run(tt.user+": "+tt.text, func(t *testing.T) {
			got := h.say(tt.user, tt.text)
			wantContains(t, got, tt.want...)
			if strings.Contains(got, "went wrong") {
				t.Errorf("bad input answered as an internal error:\n%s", got)
			}
			if after := h.snapshot(); after != before {
				t.Errorf("stored data changed after %q", tt.text)
			}
		})
	}
}

func TestPlainCheckInRollsUp(t *testing.T) {
	h := newHarness(t, true)
	sales, company := h.objective(2).Progress, h.objective(1).Progress
	got := h.say("alice", "KR4 30, KR7 6, confidence 8, blocked: waiting on legal, and procurement")
	wantContains(t, got, "Checked in", "KR4 New mid-market customers", "→ 30", "KR7", "confidence 8/10", "Rolled up", "O2 Win the mid-market", "O1", "Blocked: waiting on legal, and procurement")
	k := h.kr(4)
	if k.Current != 30 || k.Progress != 0.75 || k.Confidence == nil || *k.Confidence != 8 {
		t.Errorf("KR4 = %v progress %v confidence %v; want 30, 0.75, 8", k.Current, k.Progress, k.Confidence)
	}
	if h.kr(7).Current != 6 {
		t.Errorf("KR7 = %v, want 6", h.kr(7).Current)
	}
	if p := h.objective(2).Progress; p <= sales {
		t.Errorf("Sales objective progress %v did not rise from %v", p, sales)
	}
	if p := h.objective(1).Progress; p <= company {
		t.Errorf("company objective progress %v did not rise from %v", p, company)
	}
	// Undo restores the values by appending history.
	wantContains(t, h.press("alice", "undo"), "Undone", "KR4")
	if k := h.kr(4); k.Current == 30 {
		t.Errorf("undo left KR4 at 30")
	}
	wantContains(t, h.say("alice", "undo"), "no check-in")
}

func TestPlainCheckInForms(t *testing.T) {
	tests := []struct {
		text  string
		kr    okrcore.ID
		value float64
	}{
		{"KR4 45%", 4, 18}, // 45% of the way from 0 to 40
		{"new mid-market customers 22", 4, 22},
		{"reps 5", 7, 5},
		{"playbook published not done", 6, 0},
		{"KR6 done", 6, 1},
		{"/okr checkin KR4 12", 4, 12},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			h := newHarness(t, true)
			got := h.say("alice", tt.text)
			wantContains(t, got, "Checked in")
			if k := h.kr(tt.kr); k.Current != tt.value {
				t.Errorf("KR%d = %v, want %v\n%s", tt.kr, k.Current, tt.value, got)
			}
		})
	}
}

func TestSameAsLastWeekChecksInEverything(t *testing.T) {
	h := newHarness(t, true)
	before := h.kr(4)
	got := h.say("alice", "same as last week")
	wantContains(t, got, "no change", "KR4", "KR6", "KR7")
	after := h.kr(4)
	if after.Current != before.Current || !after.LastCheckIn.Equal(demoNow) {
		t.Errorf("KR4 after 'same': current %v (was %v), last check-in %v", after.Current, before.Current, after.LastCheckIn)
	}
}

func TestSameExceptOne(t *testing.T) {
	h := newHarness(t, true)
	got := h.say("alice", "same as last week, except KR7 at risk")
	wantContains(t, got, "KR4", "KR6", "KR7", "at risk")
	if k := h.kr(7); k.Status != okrcore.StatusAtRisk || !k.LastCheckIn.Equal(demoNow) {
		t.Errorf("KR7 status %v, last check-in %v", k.Status, k.LastCheckIn)
	}
	if k := h.kr(4); !k.LastCheckIn.Equal(demoNow) || k.Status == okrcore.StatusAtRisk {
		t.Errorf("KR4 status %v, last check-in %v", k.Status, k.LastCheckIn)
	}
}

func TestLeadAndAdminMayCheckInForOthers(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("alice", "KR5 1.5M"), "Checked in", "KR5") // alice leads Sales, bob owns KR5
	if k := h.kr(5); k.Current != 1.5e6 {
		t.Errorf("KR5 = %v", k.Current)
	}
	wantContains(t, h.say("dana", "KR12 10"), "Checked in") // an admin
}

func TestGuidedCheckInSurvivesRestart(t *testing.T) {
	h := newHarness(t, true)
	got := h.say("alice", "/okr checkin")
	wantContains(t, got, "(1/3) KR4", "What is it now")
	got = h.say("alice", "33 confidence 6")
	wantContains(t, got, "Checked in", "→ 33", "(2/3) KR6")
	h.Restart()
	got = h.press("alice", "skip")
	wantContains(t, got, "(3/3) KR7")
	got = h.say("alice", "lots")
	wantContains(t, got, "lots", "KR7")
	got = h.say("alice", "7")
	wantContains(t, got, "That's all", "2 of 3")
	if h.kr(4).Current != 33 || h.kr(7).Current != 7 {
		t.Errorf("KR4=%v KR7=%v, want 33 and 7", h.kr(4).Current, h.kr(7).Current)
	}
	// The dialog is over: a plain number is no longer an answer to it.
	wantContains(t, h.say("alice", "/okr mine"), "Your OKRs")
}

func TestGuidedCheckInExpires(t *testing.T) {
	h := newHarness(t, true)
	h.say("alice", "checkin")
	h.Clock.Advance(3 * time.Hour)
	got := h.say("alice", "12")
	if strings.Contains(got, "(2/3)") {
		t.Errorf("an expired dialog went on:\n%s", got)
	}
}

func TestCommandsWorkDuringDialog(t *testing.T) {
	h := newHarness(t, true)
	h.say("alice", "checkin")
	wantContains(t, h.say("alice", "/okr team Sales"), "Team Sales")
	wantContains(t, h.say("alice", "stop"), "Stopped", "0 of 3")
}

func TestCheckInForm(t *testing.T) {
	h := newHarness(t, true)
	ev := h.Event("alice", chat.EventButton)
	ev.Value = "form"
	m, _ := h.Engine.Process(context.Background(), ev)
	if m.Form == nil || m.Form.ID != "checkin" || len(m.Form.Inputs) != 3*3+2 {
		t.Fatalf("form = %+v", m.Form)
	}
	submit := h.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = m.Form.ID, m.Form.State
	submit.Values = map[string]string{"KR4.value": "lots", "KR7.value": "4", "confidence": "7"}
	before := h.snapshot()
	bad, _ := h.Engine.Process(context.Background(), submit)
	wantContains(t, render(bad), "Nothing was saved", "lots")
	if h.snapshot() != before {
		t.Fatal("a rejected form changed stored data")
	}
	submit.Values = map[string]string{"KR4.value": "25", "KR4.status": "at_risk", "KR4.note": "big deal slipped", "KR6.value": "done", "KR7.value": "4", "confidence": "7", "blockers": "legal review"}
	good, _ := h.Engine.Process(context.Background(), submit)
	wantContains(t, render(good), "Checked in", "KR4", "at risk")
	if k := h.kr(4); k.Current != 25 || k.Status != okrcore.StatusAtRisk {
		t.Errorf("KR4 = %v %v", k.Current, k.Status)
	}
	if h.kr(6).Current != 1 {
		t.Errorf("KR6 milestone not done")
	}
}

func TestDuplicateDeliveryIsDropped(t *testing.T) {
	h := newHarness(t, true)
	ev := h.Event("alice", chat.EventMessage)
	ev.ID, ev.Text = "Ev123", "KR4 31"
	if _, ok := h.Engine.Process(context.Background(), ev); !ok {
		t.Fatal("first delivery dropped")
	}
	ev.Text = "KR4 32" // a retry carries the same id
	if _, ok := h.Engine.Process(context.Background(), ev); ok {
		t.Fatal("duplicate delivery processed")
	}
	if h.kr(4).Current != 31 {
		t.Errorf("KR4 = %v, want 31", h.kr(4).Current)
	}
}

func TestPlanningFromChat(t *testing.T) {
	h := newHarness(t, false)
	wantContains(t, h.say("dana", "/okr whoami"), "admin") // the first person is admin
	wantContains(t, h.say("alice", "/okr whoami"), "member")
	wantContains(t, h.say("dana", "/okr team create Sales"), "Created team Sales")
	wantContains(t, h.say("dana", "/okr team add Sales @alice"), "Added alice to Sales")
	wantContains(t, h.say("dana", "/okr team lead Sales @alice"), "alice now leads Sales")
	wantContains(t, h.say("dana", "/okr team channel Sales #sales"), "#sales")
	wantContains(t, h.say("dana", "/okr new objective \"Become the OKR tool for teams\""), "Created O1")
	wantContains(t, h.say("alice", "/okr new objective Win the mid-market for team Sales under KR1"), "find KR1")
	wantContains(t, h.say("dana", "/okr new kr O1 \"Grow ARR\" from $1M to $2M"), "Added KR1", "$1M → $2M")
	wantContains(t, h.say("dana", "/okr new kr O1 Cut churn from 5% to 3%"), "Added KR2", "5% → 3%")
	wantContains(t, h.say("alice", "/okr new objective Win the mid-market for team Sales under KR1"), "Created O2", "team Sales")
	wantContains(t, h.say("alice", "/okr new kr O2 \"New customers\" to 40 unit customers"), "Added KR3", "40 customers")
	wantContains(t, h.say("alice", "/okr new kr O2 \"Launch partner program\" milestone"), "milestone KR4")
	wantContains(t, h.say("alice", "/okr new initiative KR3 Hire an SDR"), "I1")
	wantContains(t, h.say("alice", "/okr done I1"), "done")
	wantContains(t, h.say("alice", "/okr new kpi \"Lead response time\" range 0-24 unit hours now 6"), "KPI1")
	wantContains(t, h.say("alice", "KPI1 30"), "outside its healthy range")
	wantContains(t, h.say("alice", "KR3 20"), "O2 Win the mid-market", "O1 Become")
	o1 := h.objective(1)
	if o1.Progress <= 0 {
		t.Errorf("O1 progress %v: the aligned objective did not roll up", o1.Progress)
	}
	wantContains(t, h.say("alice", "/okr edit KR3 target 80"), "Updated KR3", "20 customers of 80 customers")
	wantContains(t, h.say("alice", "/okr edit O2 title Own the mid-market"), "Own the mid-market")
	wantContains(t, h.say("alice", "/okr grade KR3 0.8"), "achieved")
	wantContains(t, h.say("dana", "/okr cycle new Q1 2027"), "Created cycle Q1 2027", "cycle set")
	wantContains(t, h.say("dana", "/okr cycle close"), "Q4 2026 runs until Thu Dec 31", "Close it early?")
	wantContains(t, h.say("dana", "/okr cycle close Q4 2026 now"), "Closed Q4 2026", "2 objectives scored")
	wantContains(t, h.say("alice", "KR3 30"), "closed")
	wantContains(t, h.say("dana", "/okr cycle set Q1 2027"), "Q1 2027")
	wantContains(t, h.say("dana", "/okr role @alice observer"), "alice is now observer")
	wantContains(t, h.say("dana", "/okr role @dana member"), "only admin")
	wantContains(t, h.say("dana", "/okr rules objectives 2-4"), "2–4 objectives")
	wantContains(t, h.say("dana", "/okr rules krs 1-4"), "1–4 key results")
	wantContains(t, h.say("dana", "/okr rules"), "fewer than 1 key result a day after", "owners with fewer than 2 objectives, objectives with fewer than 1 key result)")
	wantContains(t, h.say("alice", "/okr timezone Europe/Berlin"), "Europe/Berlin")
}

func TestObjectiveCountWarning(t *testing.T) {
	h := newHarness(t, false)
	h.say("dana", "hello")
	var got string
	for i := 1; i <= 6; i++ {
		got = h.say("dana", fmt.Sprintf("/okr new objective \"Objective %d\"", i))
	}
	wantContains(t, got, "Created O6", "6 objectives", "3–5")
}
