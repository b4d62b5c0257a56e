package okrcore_test

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/okrcore/teams"
	"github.com/okrbot/okrbot/okrcore/tracking"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		in, line, lines string // as typed, cleaned for one line, for several
	}{
		{"Win the mid-market", "Win the mid-market", "Win the mid-market"},
		{"Ünïcödé — 日本語 ✓ 🎉", "Ünïcödé — 日本語 ✓ 🎉", "Ünïcödé — 日本語 ✓ 🎉"},
		{"\x1b[2J\x1b[HWin", "Win", "Win"},                                 // clear the screen, cursor home
		{"\x1b[1;31mred\x1b[0m alert", "red alert", "red alert"},           // colours
		{"title\x1b]0;pwned\x07 here", "title here", "title here"},         // window title (OSC ended by BEL)
		{"a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb", "alinkb"}, // hyperlink (OSC ended by ST)
		{"a\x1bcb", "ab", "ab"},                                            // full reset
		{"a\x1b(0b", "ab", "ab"},                                           // character set
		{"trailing\x1b", "trailing", "trailing"},
		{"cut\x1b[12", "cut", "cut"},
		{"\u009b31mC1 csi", "C1 csi", "C1 csi"},
		{"\u009d0;x\u009cok", "ok", "ok"},
		{"bell\x07 back\x08space del\x7f nul\x00", "bell backspace del nul", "bell backspace del nul"},
		{"c1\u0085next\u0080", "c1next", "c1next"},
		{"\u202eevil\u202c name", "evil name", "evil name"},
		{"\u2066iso\u2069 \u202aemb\u202b\u202d", "iso emb", "iso emb"},
		{"two\nlines\tand tab", "two lines and tab", "two\nlines\tand tab"},
		{"crlf\r\nand\rcr", "crlf  and cr", "crlf\nand\ncr"},
		{"bad \xff\xfe byte", "bad \ufffd\ufffd byte", "bad \ufffd\ufffd byte"},
		{"zero\u200bwidth stays", "zero\u200bwidth stays", "zero\u200bwidth stays"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := okrcore.CleanText(tt.in, false); got != tt.line {
			t.Errorf("CleanText(%q, false) = %q, want %q", tt.in, got, tt.line)
		}
		if got := okrcore.CleanText(tt.in, true); got != tt.lines {
			t.Errorf("CleanText(%q, true) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

// TestControlsStrippedAtInput: every record kind with text is cleaned in
// its validation, so whatever front end writes it stores no escapes.
func TestControlsStrippedAtInput(t *testing.T) {
	const dirty = "\x1b[2J\u202eWin\x1b[31m the\u2066 market\x07"
	const clean = "Win the market"
	f := newFixture(t)
	o := f.objective(t, dirty, okrcore.UserOwner(f.alice.ID), 0, 0)
	if got := f.getObjective(t, "A", o.ID).Title; got != clean {
		t.Errorf("objective title %q, want %q", got, clean)
	}
	k := &okrcore.KeyResult{Objective: o.ID, Title: dirty, Unit: "\x1b[1mreps", Owner: okrcore.UserOwner(f.alice.ID), Target: 10}
	var kpi okrcore.KPI
	var in okrcore.Initiative
	var team *okrcore.Team
	var cycle *okrcore.Cycle
	var res *okrcore.CheckInResult
	update(t, f.db, func(tx okrcore.Tx) error {
		if _, err := okrcore.CreateKeyResult(tx, t0, f.ada, k); err != nil {
			return err
		}
		kpi = okrcore.KPI{Title: dirty, Unit: "%\u202e", HealthyMin: 1, HealthyMax: 2, Owner: okrcore.UserOwner(f.alice.ID)}
		if err := tracking.CreateKPI(tx, t0, f.ada, &kpi); err != nil {
			return err
		}
		in = okrcore.Initiative{KeyResult: k.ID, Title: dirty}
		if err := tracking.CreateInitiative(tx, t0, f.ada, &in); err != nil {
			return err
		}
		var err error
		if team, err = teams.CreateTeam(tx, f.ada, "\x1b[5mSales\u202e", nil); err != nil {
			return err
		}
		c := okrcore.QuarterOf(t0.AddDate(0, 6, 0))
		c.Name = "Q3\x1b[8m 2027"
		if cycle, _, err = cycles.Create(tx, t0, f.ada, func() (okrcore.Cycle, error) { return c, nil }); err != nil {
			return err
		}
		v := 3.0
		res, err = okrcore.RecordCheckIn(tx, t1, f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: &v,
			Note: "line one\x1b[2K\nline\ttwo\u202e", Blockers: "legal\x1b]0;x\x07\r\nprocurement"})
		return err
	})
	got := f.getKR(t, "A", k.ID)
	for _, c := range []struct{ what, got, want string }{
		{"key result title", got.Title, clean}, {"key result unit", got.Unit, "reps"},
		{"KPI title", kpi.Title, clean}, {"KPI unit", kpi.Unit, "%"},
		{"initiative title", in.Title, clean}, {"team name", team.Name, "Sales"}, {"cycle name", cycle.Name, "Q3 2027"},
		{"note", res.CheckIn.Note, "line one\nline\ttwo"}, {"blockers", res.CheckIn.Blockers, "legal\nprocurement"},
	} {
		if c.got != c.want {
			t.Errorf("%s %q, want %q", c.what, c.got, c.want)
		}
	}
	stored := f.checkIns(t, "A", okrcore.TargetKR, k.ID)
	if len(stored) != 1 || stored[0].Note != "line one\nline\ttwo" {
		t.Errorf("stored check-ins %+v", stored)
	}
	// Only controls: nothing is left of the title.
	err := attempt(t, f.db, func(tx okrcore.Tx) error {
		_, err := okrcore.CreateObjective(tx, t0, f.ada, &okrcore.Objective{Title: "\x1b[2J\u202e", Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.cycle.ID})
		return err
	})
	wantErr(t, err, okrcore.KindInvalid, "title")
}

func TestImplausible(t *testing.T) {
	customers := &okrcore.KeyResult{ID: 4, Title: "New mid-market customers", Metric: okrcore.MetricNumber, Start: 0, Target: 40, Current: 30, Unit: "customers"}
	customers.Progress = okrcore.KRProgress(customers)
	early := *customers
	early.Current, early.Progress = 10, 0.25
	churn := &okrcore.KeyResult{ID: 6, Title: "Cut churn", Metric: okrcore.MetricPercent, Start: 5, Target: 2, Current: 3, Direction: okrcore.Decrease}
	churn.Progress = okrcore.KRProgress(churn)
	profit := &okrcore.KeyResult{ID: 8, Title: "Reach profit", Metric: okrcore.MetricCurrency, Start: -50000, Target: 20000, Current: -10000, Unit: "$"}
	cold := &okrcore.KeyResult{ID: 9, Title: "Warm the freezer", Metric: okrcore.MetricNumber, Start: -30, Target: -18, Current: -20}
	cold.Progress = okrcore.KRProgress(cold)
	bugs := &okrcore.KeyResult{ID: 10, Title: "Open bugs", Metric: okrcore.MetricNumber, Start: 50, Target: 0, Current: 20, Direction: okrcore.Decrease}
	launch := &okrcore.KeyResult{ID: 11, Title: "Launch", Metric: okrcore.MetricMilestone, Target: 1, Current: 1, Progress: 1}
	tests := []struct {
		k    *okrcore.KeyResult
		v    float64
		want []string // "" when plausible
	}{
		{customers, 32, nil},
		{customers, 40, nil},
		{customers, 55, nil},
		{customers, 25, nil},
		{customers, -20, []string{"KR4", "-20 customers", "other side of zero", "0 customers", "40 customers"}},
		{customers, -0.5, []string{"other side of zero"}},
		{customers, 0, []string{"KR4", "drop", "30 customers", "75%", "0 customers"}},
		{&early, 0, nil}, // a quarter of the way: a reset is no surprise
		{customers, 999, nil},
		{customers, 1000, []string{"KR4", "1000 customers", "25 times", "40 customers"}},
		{customers, 3e6, []string{"3M customers", "75k times"}},
		{churn, 4, nil},
		{churn, 5, []string{"KR6", "drop", "3%", "5%"}},
		{churn, -1, []string{"other side of zero"}},
		{profit, 5000, nil},
		{profit, -20000, nil}, // below zero, and so is the start
		{cold, 5, []string{"KR9", "other side of zero"}},
		{cold, -25, nil},
		{bugs, 0, nil}, // the target
		{bugs, 1300, []string{"26 times", "its start"}},
		{launch, 0, nil}, // milestones say done or not done in words
	}
	for _, tt := range tests {
		got := okrcore.Implausible(tt.k, tt.v)
		if tt.want == nil {
			if got != "" {
				t.Errorf("Implausible(%s, %v) = %q, want plausible", tt.k.Ref(), tt.v, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Implausible(%s, %v) = %q, want it to contain %q", tt.k.Ref(), tt.v, got, w)
			}
		}
		if !strings.HasSuffix(got, ".") || strings.Contains(got, "%!") {
			t.Errorf("Implausible(%s, %v) = %q is not a sentence", tt.k.Ref(), tt.v, got)
		}
	}
}

func TestDecimalCommaRule(t *testing.T) {
	f := newFixture(t)
	var r okrcore.Rules
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		r, err = okrcore.SetRules(tx, f.ada, func(r *okrcore.Rules) error { r.DecimalComma = true; return nil })
		return err
	})
	if !r.DecimalComma {
		t.Fatalf("rules %+v", r)
	}
	view(t, f.db, func(tx okrcore.Tx) error {
		w, err := tx.Workspace("A")
		if err == nil && !w.Rules.OrDefault().DecimalComma {
			t.Errorf("stored rules %+v", w.Rules)
		}
		return err
	})
}
