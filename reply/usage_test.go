package reply

import (
	"errors"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// TestUsageWith: a command's usage errors pass what the person typed
// through the renderer's quote, and keep the bot's own hints as markup.
func TestUsageWith(t *testing.T) {
	quote := func(s string) string { return "<" + s + ">" }
	specs := map[string]OptionSpec{
		"weight": NumOption("the weight", "weight 2"),
		"for":    {Arity: 1},
	}
	split := func(s string) error {
		ts, err := Tokenize(s)
		if err != nil {
			return err
		}
		_, _, err = SplitOptions(ts, specs)
		return err
	}
	tests := []struct {
		name string
		err  error
		with string
	}{
		{"an unclosed quote", split(`"*Win* [x](http://e.ex)`),
			"The quote before <\"*Win* [x](http://e.ex)\"> is never closed"},
		{"an option's value", split(`"Win" weight _heavy_`),
			"I couldn't read <\"weight _heavy_\"> after the quoted title: that's the weight, a number such as `weight 2`. Nothing was changed."},
		{"words after the title", split(`"*Win*" ~more~ words`),
			"I couldn't read <\"~more~ words\"> after the quoted title <\"*Win*\">: only options (for, weight) may follow it."},
		{"the schedule's help", ApplySchedule(nil, []Token{{Text: "nonsense"}}), ScheduleHelp},
		{"a grading day", ApplySchedule(nil, []Token{{Text: "grading"}, {Text: "`7`"}}),
			"Grading starts 1 to 30 days before a cycle ends; <\"`7`\"> isn't that."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ue *usageError
			if !errors.As(tt.err, &ue) {
				t.Fatalf("err = %v, want a usage error", tt.err)
			}
			if got := ue.UsageWith(quote); !strings.HasPrefix(got, tt.with) {
				t.Errorf("UsageWith = %q, want it to start %q", got, tt.with)
			}
			if got, want := ue.Usage(), ue.UsageWith(func(s string) string { return s }); got != want || strings.Contains(got, "<") {
				t.Errorf("Usage = %q, want the person's words as typed", got)
			}
		})
	}
}

// TestParseErrorMessageWith: a check-in's parse error passes only what the
// person typed, and their key results' titles and units, through the
// renderer's quote; the rest (ids, examples, the bot's terms) is the
// bot's own words, which a workspace may rename.
func TestParseErrorMessageWith(t *testing.T) {
	quote := func(s string) string { return "<" + s + ">" }
	krs := []*okrcore.KeyResult{
		{ID: 4, Title: "Close *key result* deals", Metric: okrcore.MetricNumber, Start: 0, Target: 10, Unit: "deals"},
		{ID: 5, Title: "Ship the objective", Metric: okrcore.MetricMilestone, Target: 1},
	}
	tests := []struct {
		name, in, with string
	}{
		{"no check-in", "frobnicate",
			`That doesn't look like a check-in. Reply with a value for each key result, e.g. "KR2 45%, KR3 done, confidence 7", or "same as last week", or "skip".`},
		{"words that are the bot's terms", "*key result* 45% _check-in_ <b>",
			`I couldn't tell what <"*key result* 45% _check-in_ <b>"> means. Separate parts with commas, e.g. "KR2 45%, KR3 done, confidence 7", and put remarks after "note:".`},
		{"a value after an id", "KR4 lots of objective",
			`I couldn't read <"lots of objective"> as a number. Try "KR4 45%" or "revenue 1.2M".`},
		{"a named value", "growth: key result",
			`I couldn't read <"key result"> as a number. Try "<growth> 45%" or "<growth> done".`},
		{"two statuses", "at risk, off track",
			`You said both "at risk" and "off track". Send one status, e.g. "at risk".`},
		{"a confidence", "confidence high",
			`I couldn't read <"high"> as a confidence. Use a whole number from 0 to 10, e.g. "confidence 7".`},
		{"a milestone's value", "KR5 40",
			`KR5 is a milestone: it's done or not done, so <"40"> doesn't fit. Try "KR5 done" or "KR5 not done".`},
		{"no key result named", "45%",
			`Which key result is <"45%"> for? Yours are <KR4, KR5>. Try "<KR4 45%>".`},
		{"words no title has", "revenue 3",
			`I couldn't find a key result matching <"revenue">. Yours are <KR4 (Close *key result* deals), KR5 (Ship the objective)>. Try "<KR4 3>".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseReply(tt.in)
			if err == nil {
				_, err = Resolve(r.Updates, krs)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: err = %v, want a *ParseError", tt.in, err)
			}
			if got := pe.MessageWith(quote); got != tt.with {
				t.Errorf("%q: MessageWith =\n%s\nwant\n%s", tt.in, got, tt.with)
			}
		})
	}
}
