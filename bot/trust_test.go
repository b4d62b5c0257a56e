package bot_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Input that never writes by accident: small talk asks instead of checking
// in, values that can't be ask "are you sure?", quotes and options are read
// strictly, and control characters never reach a record.

// trustWorld is the demo organisation on the kit, with the lookups these
// tests compare.
type trustWorld struct {
	*bottest.Kit
	t *testing.T
}

func newTrustWorld(t *testing.T) *trustWorld {
	t.Helper()
	return &trustWorld{Kit: bottest.New(t, bottest.Demo()), t: t}
}

func (w *trustWorld) say(user, text string) string {
	w.t.Helper()
	return bottest.Text(w.Ask(user, text))
}

func (w *trustWorld) kr(id okrcore.ID) *okrcore.KeyResult {
	w.t.Helper()
	return bottest.Read(w.t, w.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(w.Workspace, id) })
}

// stored is every objective, key result and KPI of the workspace and the
// number of check-ins, to show that an answer wrote nothing.
func (w *trustWorld) stored() string {
	w.t.Helper()
	out := bottest.Read(w.t, w.DB, func(tx okrcore.Tx) ([]any, error) {
		var out []any
		cs, err := tx.Cycles(w.Workspace)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			objs, err := tx.ObjectivesByCycle(w.Workspace, c.ID)
			if err != nil {
				return nil, err
			}
			krs, err := tx.KeyResultsByCycle(w.Workspace, c.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, objs, krs)
			for _, k := range krs {
				cis, err := tx.CheckIns(w.Workspace, okrcore.TargetKR, k.ID, time.Time{}, 0)
				if err != nil {
					return nil, err
				}
				out = append(out, len(cis))
			}
		}
		kpis, err := tx.KPIs(w.Workspace)
		return append(out, kpis), err
	})
	b, err := json.Marshal(out)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// buttons are the values of a message's buttons, in order.
func buttons(m chat.Message) []string {
	var out []string
	for _, b := range m.Blocks {
		if a, ok := b.(chat.Actions); ok {
			for _, btn := range a.Buttons {
				out = append(out, btn.Value)
			}
		}
	}
	return out
}

func contains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("answer lacks %q:\n%s", w, got)
		}
	}
}

// TestSmallTalkAsks: a reply that does not name one key result by id or by
// title words that aren't stop words asks, with a button per key result it
// fits, and writes nothing until one is pressed.
func TestSmallTalkAsks(t *testing.T) {
	tests := []struct {
		text    string
		want    []string
		buttons []string
		press   int // which button to press
		kr      okrcore.ID
		value   float64
	}{
		{"the 5", []string{`Which key result is "the 5" for?`, "Nothing is saved until you pick one", "[KR4 New mid-market customers=KR4 5]",
			"[KR7 Reps certified on the playbook=KR7 5]"}, []string{"KR4 5", "KR7 5"}, 1, 7, 5},
		{"on 5", []string{`Which key result is "on 5" for?`}, []string{"KR4 5", "KR7 5"}, 0, 4, 5},
		{"5", []string{`Which key result is "5" for?`}, []string{"KR4 5", "KR7 5"}, 0, 4, 5},
		{"thanks, it's at 6", []string{"Which key result"}, []string{"thanks, KR4 6", "thanks, KR7 6"}, 1, 7, 6},
		{"done", []string{"Which key result"}, []string{"KR4 done", "KR6 done", "KR7 done"}, 2, 7, 8},
		{"playbook 5", []string{`"playbook" could be KR6 (Playbook published) or KR7 (Reps certified on the playbook)`}, []string{"KR7 5"}, 0, 7, 5},
		{"hiring 5", []string{`I couldn't find a key result matching "hiring"`}, []string{"KR4 5", "KR7 5"}, 0, 4, 5},
		{"the 5, confidence 7\nnote: good week", []string{"Which key result"},
			[]string{"KR4 5, confidence 7\nnote: good week", "KR7 5, confidence 7\nnote: good week"}, 0, 4, 5},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			w := newTrustWorld(t)
			before := w.stored()
			m := w.Ask("alice", tt.text)
			got := bottest.Text(m)
			contains(t, got, tt.want...)
			if strings.Contains(got, "Checked in") {
				t.Errorf("small talk checked in:\n%s", got)
			}
			if b := buttons(m); strings.Join(b, "|") != strings.Join(tt.buttons, "|") {
				t.Fatalf("buttons %q, want %q", b, tt.buttons)
			}
			if w.stored() != before {
				t.Fatalf("%q wrote before a button was pressed", tt.text)
			}
			got = bottest.Text(w.Press("alice", tt.buttons[tt.press]))
			contains(t, got, "Checked in")
			if k := w.kr(tt.kr); k.Current != tt.value {
				t.Errorf("KR%d = %v after pressing %q, want %v\n%s", tt.kr, k.Current, tt.buttons[tt.press], tt.value, got)
			}
		})
	}
}

// TestAskingALongCheckIn: a check-in too long for a button's value (a
// platform would cut it) is asked about in words alone.
func TestAskingALongCheckIn(t *testing.T) {
	w := newTrustWorld(t)
	before := w.stored()
	note := strings.Repeat("long note ", 195)
	for _, tt := range []struct{ text, want string }{
		{"the 5, note: " + note, "send it again with the key result's id"},
		{"KR4 -20, note: " + note, "send it again starting with `confirm`"},
	} {
		m := w.Ask("alice", tt.text)
		contains(t, bottest.Text(m), tt.want)
		if b := buttons(m); len(b) != 0 || w.stored() != before {
			t.Errorf("%.20q: buttons %d, or it wrote", tt.text, len(b))
		}
	}
	contains(t, w.say("alice", "confirm KR4 -20, note: "+note), "Checked in")
}

// TestPhrasingPeopleUse: changes, exponents, magnitudes and decimal commas
// (the workspace's rule, or the person's locale when the platform says it).
func TestPhrasingPeopleUse(t *testing.T) {
	tests := []struct {
		user, text string
		kr         okrcore.ID
		value      func(before float64) float64
	}{
		{"alice", "KR4 3 more", 4, func(b float64) float64 { return b + 3 }},
		{"alice", "KR4 +3", 4, func(b float64) float64 { return b + 3 }},
		{"alice", "new mid-market customers 2 more customers", 4, func(b float64) float64 { return b + 2 }},
		{"alice", "KR4 1 fewer", 4, func(b float64) float64 { return b - 1 }},
		{"bob", "pipeline up 10%", 5, func(b float64) float64 { return b * 1.1 }},
		{"frank", "KR10 up 5%", 10, func(b float64) float64 { return b + 5 }}, // a percent key result: points
		{"alice", "KR5 1.2k", 5, func(float64) float64 { return 1200 }},
		{"alice", "KR5 1e6", 5, func(float64) float64 { return 1e6 }},
		{"alice", "KR5 2.5E5", 5, func(float64) float64 { return 2.5e5 }},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			w := newTrustWorld(t)
			before := w.kr(tt.kr).Current
			got := w.say(tt.user, tt.text)
			contains(t, got, "Checked in")
			if k, want := w.kr(tt.kr), tt.value(before); math.Abs(k.Current-want) > 1e-6 {
				t.Errorf("KR%d = %v, want %v (was %v)\n%s", tt.kr, k.Current, want, before, got)
			}
		})
	}
}

func TestDecimalComma(t *testing.T) {
	w := newTrustWorld(t)
	before := w.stored()
	contains(t, w.say("alice", "KR4 12,5"), `"12,5"`, "number")
	if w.stored() != before {
		t.Fatal("a decimal comma in a decimal-point workspace was stored")
	}
	contains(t, w.say("alice", "/okr rules decimal comma"), "Only an admin")
	contains(t, w.say("dana", "/okr rules decimal comma"), "decimal comma", "1.000,5")
	contains(t, w.say("alice", "/okr rules"), "decimal comma")
	for _, tt := range []struct {
		text  string
		kr    okrcore.ID
		value float64
	}{
		{"KR4 12,5", 4, 12.5},
		{"KR5 1.000.000,5", 5, 1000000.5},
		{"KR5 1 200 000,25", 5, 1200000.25},
		{"KR5 1,5 Mio", 5, 1.5e6},
		{"KR4 13.5", 4, 13.5},
	} {
		contains(t, w.say("alice", tt.text), "Checked in")
		if k := w.kr(tt.kr); k.Current != tt.value {
			t.Errorf("%q: KR%d = %v, want %v", tt.text, tt.kr, k.Current, tt.value)
		}
	}
	// A person whose platform gives a locale writes as it says.
	ev := w.Event("alice", chat.EventMessage)
	ev.Locale, ev.Text = "en-US", "KR5 1,200"
	contains(t, bottest.Text(w.Process(ev)), "Checked in")
	if k := w.kr(5); k.Current != 1200 {
		t.Errorf("en-US 1,200: KR5 = %v", k.Current)
	}
	contains(t, w.say("dana", "/okr rules decimal point"), "decimal point")
	ev.Locale, ev.Text = "de-DE", "KR4 14,5"
	contains(t, bottest.Text(w.Process(ev)), "Checked in")
	if k := w.kr(4); k.Current != 14.5 {
		t.Errorf("de-DE 14,5: KR4 = %v", k.Current)
	}
}

// TestValuesThatCantBe: a value across zero from start and target, a drop
// to the start from most of the way or one 25 times the target asks "are
// you sure?", and only the button's confirmation writes it.
func TestValuesThatCantBe(t *testing.T) {
	tests := []struct {
		setup, text string
		want        []string
		confirm     string
		value       float64
	}{
		{"", "KR4 -20", []string{"Are you sure?", "KR4 New mid-market customers", "-20 customers", "other side of zero", "Nothing is saved until you confirm"}, "confirm KR4 -20", -20},
		{"", "KR4 -50%", []string{"Are you sure?", "-20 customers"}, "confirm KR4 -50%", -20},
		{"KR4 30", "KR4 0", []string{"Are you sure?", "drop", "30 customers", "0 customers"}, "confirm KR4 0", 0},
		{"", "KR4 1000", []string{"Are you sure?", "1000 customers", "25 times"}, "confirm KR4 1000", 1000},
		{"", "new mid-market customers 1000, note: typo?", []string{"25 times"}, "confirm new mid-market customers 1000, note: typo?", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			w := newTrustWorld(t)
			if tt.setup != "" {
				contains(t, w.say("alice", tt.setup), "Checked in")
			}
			before := w.stored()
			m := w.Ask("alice", tt.text)
			contains(t, bottest.Text(m), tt.want...)
			if b := buttons(m); len(b) != 1 || b[0] != tt.confirm {
				t.Fatalf("buttons %q, want [%q]", b, tt.confirm)
			}
			if w.stored() != before {
				t.Fatalf("%q was stored before it was confirmed", tt.text)
			}
			contains(t, bottest.Text(w.Press("alice", tt.confirm)), "Checked in")
			if k := w.kr(4); k.Current != tt.value {
				t.Errorf("KR4 = %v after confirming, want %v", k.Current, tt.value)
			}
		})
	}
	// Plausible values need no confirmation.
	w := newTrustWorld(t)
	contains(t, w.say("alice", "KR4 41"), "Checked in")
	// The guided check-in asks too, and stays on the key result.
	contains(t, w.say("alice", "/okr checkin"), "(1/3) KR4")
	before := w.stored()
	m := w.Ask("alice", "-3")
	contains(t, bottest.Text(m), "Are you sure?", "other side of zero")
	if b := buttons(m); len(b) != 1 || b[0] != "confirm -3" || w.stored() != before {
		t.Fatalf("guided: buttons %q, or it wrote", b)
	}
	contains(t, bottest.Text(w.Press("alice", "confirm -3")), "Checked in", "(2/3) KR6")
	if k := w.kr(4); k.Current != -3 {
		t.Errorf("guided: KR4 = %v after confirming", k.Current)
	}
	// A form can't ask: it comes back with the value marked and saves nothing.
	w = newTrustWorld(t)
	form := w.Press("alice", "form").Form
	submit := w.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = form.ID, form.State
	submit.Values = map[string]string{"KR4.value": "-20", "KR7.value": "4"}
	before = w.stored()
	back := w.Process(submit)
	var marked string
	if back.Form != nil {
		for _, in := range back.Form.Inputs {
			if in.ID == "KR4.value" {
				marked = in.Error
			}
		}
	}
	contains(t, marked, "other side of zero", "`confirm KR4 -20`")
	if w.stored() != before {
		t.Errorf("a form with an implausible value saved something")
	}
}

// TestQuotesAndOptions: an unclosed quote is an error that says so, and
// what follows a quoted title is options, never more title.
func TestQuotesAndOptions(t *testing.T) {
	w := newTrustWorld(t)
	before := w.stored()
	for _, tt := range []struct {
		user, text string
		want       []string
	}{
		{"alice", `/okr new objective "Grow the base for team Sales`, []string{"quote", "closed", "Nothing was changed"}},
		{"alice", `new objective “Grow the base for team Sales`, []string{"quote"}},
		{"alice", `/okr new objective "Winf" weight 1e309`, []string{"weight", "1e309", "number"}},
		{"alice", `/okr new objective "Winf" lots of words`, []string{`"lots of words"`, "inside the quotes"}},
		{"alice", `/okr new kr O3 "Demos" from 0 to lots`, []string{"to", "lots"}},
		{"alice", `/okr new kr O3 "Demos" "booked" from 0 to 5`, []string{`"booked"`}},
	} {
		got := w.say(tt.user, tt.text)
		contains(t, got, tt.want...)
		if w.stored() != before {
			t.Fatalf("%q wrote:\n%s", tt.text, got)
		}
	}
	for _, tt := range []struct {
		text, title string
		ok          func(o *okrcore.Objective) bool
	}{
		{`/okr new objective "Winf" weight 2`, "Winf", func(o *okrcore.Objective) bool { return o.Weight == 2 }},
		{`/okr new objective "Own it" for team Sales`, "Own it", func(o *okrcore.Objective) bool { return o.Owner.Kind == okrcore.OwnerTeam }},
		{`/okr new objective Plain words for team Sales`, "Plain words", func(o *okrcore.Objective) bool { return o.Owner.Kind == okrcore.OwnerTeam }},
	} {
		contains(t, w.say("alice", tt.text), "Created", "*"+tt.title+"*")
		if o, _ := w.newest(); o.Title != tt.title || !tt.ok(o) {
			t.Errorf("%q: objective %+v", tt.text, o)
		}
	}
	for _, tt := range []struct {
		text, title string
		ok          func(k *okrcore.KeyResult) bool
	}{
		{`/okr new kr O3 "Hit the milestone" from 0 to 5`, "Hit the milestone", func(k *okrcore.KeyResult) bool { return k.Metric == okrcore.MetricNumber && k.Target == 5 }},
		{`/okr new kr O3 "Launch the wiki" milestone`, "Launch the wiki", func(k *okrcore.KeyResult) bool { return k.Metric == okrcore.MetricMilestone }},
		{`/okr new kr O3 "Cut costs" from 10 to 5 unit k€ weight 2`, "Cut costs", func(k *okrcore.KeyResult) bool { return k.Unit == "k€" && k.Weight == 2 }},
		{`/okr new kr O3 Demos booked from 0 to 1e3`, "Demos booked", func(k *okrcore.KeyResult) bool { return k.Target == 1000 }},
		{`/okr new kr O3 Launch the forum milestone`, "Launch the forum", func(k *okrcore.KeyResult) bool { return k.Metric == okrcore.MetricMilestone }},
	} {
		contains(t, w.say("alice", tt.text), "Added", "*"+tt.title+"*")
		if _, k := w.newest(); k.Title != tt.title || !tt.ok(k) {
			t.Errorf("%q: key result %+v", tt.text, k)
		}
	}
}

// newest is the objective and the key result with the highest ids.
func (w *trustWorld) newest() (*okrcore.Objective, *okrcore.KeyResult) {
	w.t.Helper()
	type pair struct {
		o *okrcore.Objective
		k *okrcore.KeyResult
	}
	p := bottest.Read(w.t, w.DB, func(tx okrcore.Tx) (pair, error) {
		var p pair
		c, err := okrcore.CurrentCycle(tx, w.Workspace)
		if err != nil {
			return p, err
		}
		objs, err := tx.ObjectivesByCycle(w.Workspace, c.ID)
		if err != nil {
			return p, err
		}
		krs, err := tx.KeyResultsByCycle(w.Workspace, c.ID)
		for _, o := range objs {
			if p.o == nil || o.ID > p.o.ID {
				p.o = o
			}
		}
		for _, k := range krs {
			if p.k == nil || k.ID > p.k.ID {
				p.k = k
			}
		}
		return p, err
	})
	return p.o, p.k
}

// TestControlCharactersStripped: escapes and bidi overrides never reach a
// record, from a person or from a platform.
func TestControlCharactersStripped(t *testing.T) {
	w := newTrustWorld(t)
	contains(t, w.say("alice", "/okr new objective \"\x1b[2J\x1b[HWin \u202ethe\u202c market\x07\""), "Created", "*Win the market*")
	if o, _ := w.newest(); o.Title != "Win the market" {
		t.Errorf("objective title %q", o.Title)
	}
	contains(t, w.say("alice", "KR4 25, note: fine\x1b]0;owned\x07 week\x1b[31m, blocked: le\u2066gal"), "Checked in")
	cis := bottest.Read(t, w.DB, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) {
		return tx.CheckIns(w.Workspace, okrcore.TargetKR, 4, time.Time{}, 1)
	})
	if len(cis) != 1 || cis[0].Note != "fine week" || cis[0].Blockers != "legal" {
		t.Errorf("check-in note %q, blockers %q", cis[0].Note, cis[0].Blockers)
	}
	ev := w.Event("kev", chat.EventMessage)
	ev.UserName, ev.Text = "\u202enivek\x1b[0m\r", "/okr whoami"
	contains(t, bottest.Text(w.Process(ev)), "nivek")
	u := bottest.Read(t, w.DB, func(tx okrcore.Tx) (*okrcore.User, error) {
		return tx.UserByPlatform(w.Workspace, w.PlatformName, "kev")
	})
	if u.Name != "nivek" {
		t.Errorf("name from the platform %q", u.Name)
	}
}
