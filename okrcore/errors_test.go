package okrcore

import (
	"fmt"
	"testing"
)

// TestErrorMessageWith: only the string arguments, a person's text, pass
// through quote; the format's own markup, numbers and refs stay as they are.
func TestErrorMessageWith(t *testing.T) {
	quote := func(s string) string { return "<" + s + ">" }
	tests := []struct {
		name  string
		err   error
		plain string
		with  string
	}{
		{"a name", Errorf(KindForbidden, "Only members of %s, its lead or an admin can change that.", "*Sales*"),
			"Only members of *Sales*, its lead or an admin can change that.",
			"Only members of <*Sales*>, its lead or an admin can change that."},
		{"%q quotes, then escapes", Errorf(KindNotFound, "There is no cycle called %q. `/okr cycle list` shows them.", `Q1 "x"`),
			"There is no cycle called \"Q1 \\\"x\\\"\". `/okr cycle list` shows them.",
			"There is no cycle called <\"Q1 \\\"x\\\"\">. `/okr cycle list` shows them."},
		{"a named string type", Errorf(KindInvalid, "%q is not a metric kind.", MetricKind("_m_")),
			`"_m_" is not a metric kind.`, `<"_m_"> is not a metric kind.`},
		{"numbers and refs kept", Errorf(KindInvalid, "%s is a percentage; %d and %s.", Ref{Kind: RefKeyResult, ID: 4}, 7, "x"),
			"KR4 is a percentage; 7 and x.", "KR4 is a percentage; 7 and <x>."},
		{"width applies before quoting", Errorf(KindInvalid, "[%-4s]", "ab"), "[ab  ]", "[<ab  >]"},
		{"no arguments", Errorf(KindConflict, "Already `done`."), "Already `done`.", "Already `done`."},
		{"wrapped", fmt.Errorf("op: %w", Errorf(KindConflict, "%s is closed.", "~Q1~")), "~Q1~ is closed.", "<~Q1~> is closed."},
		{"a literal error keeps its message", &Error{Kind: KindInvalid, Message: "As *it* is."}, "As *it* is.", "As *it* is."},
		{"internal says nothing", Errorf(KindInternal, "%s", "secret"), "", ""},
		{"foreign says nothing", fmt.Errorf("%s", "disk"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorMessage(tt.err); got != tt.plain {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.plain)
			}
			if got := ErrorMessageWith(tt.err, quote); got != tt.with {
				t.Errorf("ErrorMessageWith = %q, want %q", got, tt.with)
			}
		})
	}
}
