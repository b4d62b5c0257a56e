package chat

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

func TestFraction(t *testing.T) {
	tests := []struct {
		in, want float64
	}{
		{0, 0},
		{0.45, 0.45},
		{1, 1},
		{1.7, 1},
		{-0.2, 0},
		{math.Copysign(0, -1), 0},
		{math.NaN(), 0},
		{math.Inf(1), 1},
		{math.Inf(-1), 0},
		{math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64},
	}
	for _, tt := range tests {
		got := Fraction(tt.in)
		if got != tt.want || math.Signbit(got) {
			t.Errorf("Fraction(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	tests := []struct {
		name        string
		p           float64
		width       int
		full, empty string
		want        string
	}{
		{"empty", 0, 10, "▰", "▱", "▱▱▱▱▱▱▱▱▱▱"},
		{"half", 0.5, 10, "▰", "▱", "▰▰▰▰▰▱▱▱▱▱"},
		{"rounds half up", 0.45, 10, "#", "-", "#####-----"},
		{"rounds down", 0.44, 10, "#", "-", "####------"},
		{"full", 1, 10, "#", "-", "##########"},
		{"over", 3, 4, "#", "-", "####"},
		{"negative", -1, 10, "#", "-", "----------"},
		{"NaN", math.NaN(), 10, "#", "-", "----------"},
		{"+Inf", math.Inf(1), 5, "#", "-", "#####"},
		{"-Inf", math.Inf(-1), 5, "#", "-", "-----"},
		{"emoji segments", 0.5, 4, "🟩", "⬜", "🟩🟩⬜⬜"},
		{"no width", 0.5, 0, "#", "-", ""},
		{"negative width", 0.5, -3, "#", "-", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bar(tt.p, tt.width, tt.full, tt.empty); got != tt.want {
				t.Errorf("Bar(%v, %d) = %q, want %q", tt.p, tt.width, got, tt.want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		p    float64
		want string
	}{
		{0, "0%"},
		{0.455, "46%"},
		{0.994, "99%"},
		{0.995, "100%"},
		{1, "100%"},
		{1.5, "100%"},
		{-0.3, "0%"},
		{math.NaN(), "0%"},
		{math.Inf(1), "100%"},
		{math.Inf(-1), "0%"},
	}
	for _, tt := range tests {
		if got := Percent(tt.p); got != tt.want {
			t.Errorf("Percent(%v) = %q, want %q", tt.p, got, tt.want)
		}
	}
	// Within [0, 1] it is okrcore's, so that a bar and a report agree.
	for i := 0; i <= 1000; i++ {
		p := float64(i) / 1000
		if got, want := Percent(p), okrcore.Percent(p); got != want {
			t.Fatalf("Percent(%v) = %q, okrcore.Percent = %q", p, got, want)
		}
	}
}

func TestStatusIsOkrcores(t *testing.T) {
	tests := []struct {
		got  Status
		want okrcore.Status
	}{
		{StatusNone, okrcore.StatusNone},
		{StatusOnTrack, okrcore.StatusOnTrack},
		{StatusAtRisk, okrcore.StatusAtRisk},
		{StatusOffTrack, okrcore.StatusOffTrack},
		{StatusDone, okrcore.StatusDone},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("status %q, want %q", tt.got, tt.want)
		}
	}
	pb := ProgressBar{Status: StatusAtRisk}
	if pb.Status.Label() != "at risk" {
		t.Errorf("label %q", pb.Status.Label())
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Grow revenue", "Grow revenue"},
		{"bold", "*KR4* New customers", "KR4 New customers"},
		{"code", "Try `/okr help`.", "Try /okr help."},
		{"italic", "_at risk_", "at risk"},
		{"italic in a sentence", "it is _at risk_ now.", "it is at risk now."},
		{"italic after punctuation", "(_maybe_)", "(maybe)"},
		{"bold italic", "*_both_*", "both"},
		{"italic bold", "_*both*_", "both"},
		{"two pairs", "_a_ and _b_", "a and b"},
		{"nested openers", "_a _b_ c_", "a b c"},
		{"snake_case", "snake_case", "snake_case"},
		{"a_b_c", "a_b_c", "a_b_c"},
		{"field names", "set user_id and team_lead_id", "set user_id and team_lead_id"},
		{"dunder", "__init__", "__init__"},
		{"double underscores", "__bold__", "__bold__"},
		{"leading underscore", "_private", "_private"},
		{"trailing underscore", "value_", "value_"},
		{"lone underscore", "a _ b", "a _ b"},
		{"underscores only", "___", "___"},
		{"space after opener", "_ a_", "_ a_"},
		{"space before closer", "_a _", "_a _"},
		{"pair ends inside a word", "_snake_case", "_snake_case"},
		{"italic name with underscore", "_snake_case_", "snake_case"},
		{"unbalanced bold", "*KR4 is *", "KR4 is "},
		{"unbalanced code", "a `b", "a b"},
		{"unbalanced italic", "_open only", "_open only"},
		{"not across lines", "_one\ntwo_", "_one\ntwo_"},
		{"per line", "_one_\n_two_", "one\ntwo"},
		{"underscores in code", "run `_id_` now", "run _id_ now"},
		{"italic around code", "_see `x` here_", "see x here"},
		{"odd backtick is no code", "_a_ ` _b_", "a  b"},
		{"emoji", "🎉 _yay_ 🎉", "🎉 yay 🎉"},
		{"emoji neighbours", "🎉_yay_🎉", "🎉yay🎉"},
		{"non-ASCII words", "naïve_approach and _café_", "naïve_approach and café"},
		{"combining mark", "e\u0301_x", "e\u0301_x"},
		{"digits", "q1_2025 and _q2_", "q1_2025 and q2"},
		{"mention-like", "<@U123|bob_smith> _hi_", "<@U123|bob_smith> hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPlainTextKeepsStarsAndTicksRule pins the stripping adapters always
// did: every * and backtick goes, whatever surrounds it.
func TestPlainTextKeepsStarsAndTicksRule(t *testing.T) {
	old := strings.NewReplacer("*", "", "`", "")
	for _, s := range []string{"*a*", "a*b", "**", "`x`", "a`", "*`*`", "2*3 = 6", "`*KR1*`"} {
		if got, want := PlainText(s), old.Replace(s); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"", "*KR4* _at risk_ `code`", "snake_case", "_a _b_ c_", "__init__", "_x_\n_y_",
		"run `_id_`", "🎉_yay_🎉", "(_a)_(b_)", "_`_`_", "a_b_c", "e\u0301_x_", "\xff_x_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		if len(got) > len(s) {
			t.Fatalf("PlainText(%q) = %q grew", s, got)
		}
		if strings.ContainsAny(got, "*`") {
			t.Fatalf("PlainText(%q) = %q keeps markup", s, got)
		}
		// Only markup bytes go: everything else is kept, in order.
		if withoutMarkup(got) != withoutMarkup(s) {
			t.Fatalf("PlainText(%q) = %q lost text", s, got)
		}
		if !utf8.ValidString(s) {
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("PlainText(%q) = %q is not UTF-8", s, got)
		}
		// Without code spans, which protect underscores only while their
		// backticks are there, stripping is done in one pass.
		if !strings.Contains(s, "`") {
			if again := PlainText(got); again != got {
				t.Fatalf("PlainText not idempotent: %q → %q → %q", s, got, again)
			}
		}
	})
}

// withoutMarkup is s without the bytes PlainText may strip.
func withoutMarkup(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '*' && c != '`' && c != '_' {
			b = append(b, c)
		}
	}
	return string(b)
}
