package textarg

import (
	"fmt"
	"testing"
)

type named string

func (n named) String() string { return "named " + string(n) }

// TestQuote: string arguments are formatted with their own verb, flags and
// String method, then quoted; the rest print as they would.
func TestQuote(t *testing.T) {
	quote := func(s string) string { return "<" + s + ">" }
	tests := []struct {
		format string
		args   []any
		want   string
	}{
		{"%s and %d", []any{"*a*", 7}, "<*a*> and 7"},
		{"%q", []any{`say "hi"`}, `<"say \"hi\"">`},
		{"[%-3s]", []any{"a"}, "[<a  >]"},
		{"%s", []any{named("x")}, "<named x>"},
		{"%v %.1f", []any{true, 0.25}, "true 0.2"},
		{"no args", nil, "no args"},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.format, Quote(tt.args, quote)...); got != tt.want {
			t.Errorf("%s %v = %q, want %q", tt.format, tt.args, got, tt.want)
		}
	}
}
