package wording

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	words "github.com/okrbot/okrbot/okrcore/wording"
)

// goal is the pass of a workspace that says Goal, Measure and update.
func goal(t *testing.T) Pass {
	t.Helper()
	return New(words.Of(&okrcore.Workspace{Words: map[string]string{
		"objective": "Goal", "objectives": "Goals",
		"key result": "Measure", "key results": "Measures",
		"check-in": "update", "check-ins": "updates",
	}}))
}

func TestText(t *testing.T) {
	p := goal(t)
	for _, tc := range []struct{ in, want string }{
		{"your objectives this cycle", "your goals this cycle"},
		{"*Objectives*", "*Goals*"},
		{"Key results: 3", "Measures: 3"},
		{"Key Results", "Measures"},
		{"an objective and a key result", "a goal and a measure"},
		{"An objective", "A goal"},
		{"a check-in", "an update"},
		{"A check-in is due", "An update is due"},
		{"Tina objective", "Tina goal"}, // not an article
		{"OBJECTIVES", "GOALS"},
		{"the key result's owner", "the measure's owner"},
		{"check-ins, check-in.", "updates, update."},
		{"subobjective, objectively, key resultant", "subobjective, objectively, key resultant"},
		{"`/okr new objective`", "`/okr new goal`"},
		{"KR2 and O1 and OKRs", "KR2 and O1 and OKRs"},
		{"objective\nkey results", "goal\nmeasures"},
		{"", ""},
		{"Objective " + chat.User("Improve objective setting") + " has 2 key results", "Goal " + chat.User("Improve objective setting") + " has 2 measures"},
		{"an " + chat.User("objective"), "an " + chat.User("objective")},
	} {
		if got := p.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCase(t *testing.T) {
	p := New(words.Of(&okrcore.Workspace{Words: map[string]string{"objective": "Big Rock", "objectives": "Big Rocks", "key result": "OKR Pulse", "key results": "OKR Pulses", "check-in": "Étape", "check-ins": "Étapes"}}))
	for _, tc := range []struct{ in, want string }{
		{"your objectives", "your big rocks"},
		{"Objectives", "Big rocks"},
		{"An objective", "A big rock"},
		{"a key result", "an OKR pulse"},
		{"Key Results", "OKR Pulses"},
		{"one check-in", "one étape"},
		{"Check-ins", "Étapes"},
	} {
		if got := p.Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestZero(t *testing.T) {
	p := New(words.Of(nil))
	if !p.Zero() {
		t.Fatal("the bot's own words make a pass that changes something")
	}
	m := chat.Message{Text: "objective"}
	if got := p.Message(m); got.Text != "objective" {
		t.Errorf("Message changed %q to %q", m.Text, got.Text)
	}
}

func TestMessage(t *testing.T) {
	p := goal(t)
	title := chat.User("Objective: ship the key result tracker")
	in := chat.Message{
		Text: "Your objectives",
		Blocks: []chat.Block{
			chat.Header{Text: "Objectives"},
			chat.Section{Text: "key results", Fields: []chat.Field{{Label: "Objective", Value: "O1 " + title}}},
			chat.ProgressBar{Ref: "KR1", Label: "KR1 " + title, StatusNote: "since the last check-in", Detail: "no check-ins"},
			chat.Actions{Buttons: []chat.Button{{Label: "New key result", Value: "new kr O1 objective"}}},
			chat.Context{Text: "A check-in a week"},
			chat.Image{Alt: "objectives of " + title, Title: "objective burn-up"},
			chat.Divider{},
		},
		Form: &chat.Form{ID: "checkin", Title: "Check-in", Submit: "Save check-in", State: "objective", Inputs: []chat.Input{{
			ID: "objective", Label: "Key result", Placeholder: "objective", Hint: "key results", Error: "a check-in", Options: []chat.Option{{Label: "Objective", Value: "objective"}},
		}}},
	}
	got := p.Message(in)
	text := bottestText(got)
	for _, w := range []string{"Your goals", "Goals", "measures", "O1 " + title, "KR1 " + title, "since the last update", "no updates", "New measure", "An update a week", "goals of " + title,
		"Update", "Save update", "Measure", "placeholder goal", "hint measures", "error an update", "option Goal"} {
		if !strings.Contains(text, w) {
			t.Errorf("the message lacks %q:\n%s", w, text)
		}
	}
	for _, w := range []string{"value new kr O1 objective", "image objective burn-up", "state objective", "id objective", "option value objective"} {
		if !strings.Contains(text, w) {
			t.Errorf("the pass changed what is not read (%q):\n%s", w, text)
		}
	}
	if in.Blocks[0].(chat.Header).Text != "Objectives" || in.Form.Inputs[0].Label != "Key result" {
		t.Error("the pass changed the message it was given")
	}
}

// bottestText lists every text of m with what it is, the pass's inputs
// and what it must keep.
func bottestText(m chat.Message) string {
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			b.WriteString(x.Text + "\n")
		case chat.Section:
			b.WriteString(x.Text + "\n")
			for _, f := range x.Fields {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case chat.ProgressBar:
			b.WriteString(x.Label + "|" + x.StatusNote + "|" + x.Detail + "\n")
		case chat.Actions:
			for _, btn := range x.Buttons {
				b.WriteString(btn.Label + "\nvalue " + btn.Value + "\n")
			}
		case chat.Context:
			b.WriteString(x.Text + "\n")
		case chat.Image:
			b.WriteString(x.Alt + "\nimage " + x.Title + "\n")
		}
	}
	if f := m.Form; f != nil {
		b.WriteString(f.Title + "\n" + f.Submit + "\nstate " + f.State + "\n")
		for _, in := range f.Inputs {
			b.WriteString("id " + in.ID + "\n" + in.Label + "\nplaceholder " + in.Placeholder + "\nhint " + in.Hint + "\nerror " + in.Error + "\n")
			for _, o := range in.Options {
				b.WriteString("option " + o.Label + "\noption value " + o.Value + "\n")
			}
		}
	}
	return b.String()
}

// FuzzText: the pass never changes a person's text, keeps every delimiter,
// and changes nothing at all for a workspace with the bot's own words.
func FuzzText(f *testing.F) {
	for _, s := range []string{"an objective", "Key Results: a check-in", "objective\uE002", "\uE003objective", "a \uE002b\uE003 objective", "ÉTAPE objectives", "An  objective"} {
		f.Add(s, "Improve objective setting")
	}
	p, zero := New(words.Of(&okrcore.Workspace{Words: map[string]string{"objective": "Goal", "objectives": "Goals", "key result": "Indicator", "key results": "Indicators", "check-in": "update", "check-ins": "updates"}})), New(words.Of(nil))
	f.Fuzz(func(t *testing.T, bot, person string) {
		u := chat.User(person)
		in := bot + u + bot
		if got := zero.Text(in); got != in {
			t.Fatalf("the bot's own words changed %q to %q", in, got)
		}
		got := p.Text(in)
		if !strings.Contains(got, u) {
			t.Fatalf("%q lost the person's %q: %q", in, u, got)
		}
		if strings.Count(got, "\uE002") != strings.Count(in, "\uE002") || strings.Count(got, "\uE003") != strings.Count(in, "\uE003") {
			t.Fatalf("%q: delimiters changed: %q", in, got)
		}
		// Once rewritten, the chosen words are not the bot's any more, so a
		// second pass finds nothing to change.
		if once := p.Text(bot); p.Text(once) != once {
			t.Fatalf("a second pass changed %q to %q", once, p.Text(once))
		}
	})
}

// BenchmarkMessage words a large view (a team of 300 key results, each bar
// with a person's title and the bot's words around it), the pass's worst
// case in chat; with the bot's own words it is a copy-free return.
func BenchmarkMessage(b *testing.B) {
	m := chat.Message{Text: "Team objectives and key results"}
	for i := range 300 {
		m.Blocks = append(m.Blocks, chat.ProgressBar{Ref: "KR1", Label: "KR1 " + chat.User("Improve objective setting "+strings.Repeat("x", i%40)),
			StatusNote: chat.User("alice") + " said on track at the last check-in", Detail: "12 of 40 · confidence 7/10 · 3 check-ins"})
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "Check in", Value: "checkin"}, {Label: "New key result", Value: "new kr"}}})
	for _, tc := range []struct {
		name string
		p    Pass
	}{{"own words", New(words.Of(nil))}, {"Goal Measure update", New(words.Of(&okrcore.Workspace{Words: map[string]string{
		"objective": "Goal", "objectives": "Goals", "key result": "Measure", "key results": "Measures", "check-in": "update", "check-ins": "updates"}}))}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.p.Message(m)
			}
		})
	}
}
