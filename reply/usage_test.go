package reply

import (
	"errors"
	"strings"
	"testing"
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
