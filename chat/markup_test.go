package chat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestUser(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain title", "plain title"},
		{"p95 check-in: v2.0 (beta) & more", "p95 check-in: v2.0 (beta) & more"},
		{"*bold* _it_ `c` ~s~ [x](y) a\\b", `\*bold\* \_it\_ \` + "`c\\`" + ` \~s\~ \[x\](y) a\\b`},
		{"two\nlines\ttab\r", "two lines tab "},
		{"bell\x07 nul\x00 c1\u0085 rtl\u202ehidden\u2066", "bell nul c1 rtlhidden"},
		{"pua\uE000x\uE001", "puax"},
		{"forged \uE003 close \uE002 open", "forged  close  open"},
	} {
		if got := User(tc.in); got != "\uE002"+tc.want+"\uE003" {
			t.Errorf("User(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUserEmpty(t *testing.T) {
	for _, in := range []string{"", "\x07", "\uE002\uE003"} {
		if got := User(in); got != "" {
			t.Errorf("User(%q) = %q, want nothing", in, got)
		}
	}
}

func TestMapBot(t *testing.T) {
	up := func(s string) string { return strings.ToUpper(s) }
	for _, tc := range []struct{ in, want string }{
		{"abc", "ABC"},
		{"an " + User("objective") + " here", "AN " + User("objective") + " HERE"},
		{User("a") + User("b"), User("a") + User("b")},
		{"x\uE002open to the end", "X\uE002open to the end"},
		{"stray\uE003close", "STRAY\uE003CLOSE"},
		{"\uE002\uE002nested\uE003 still\uE003 out", "\uE002\uE002nested\uE003 still\uE003 OUT"},
		{"", ""},
	} {
		if got := MapBot(tc.in, up); got != tc.want {
			t.Errorf("MapBot(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMapText(t *testing.T) {
	bot := func(s string) string { return strings.ToUpper(s) }
	lit := func(s string) string { return "[" + s + "]" }
	for _, tc := range []struct{ in, want string }{
		{"abc", "ABC"},
		{"hi " + User("*x*"), "HI [*]X[*]"}, // only the escaped characters are literal
		{`a\nb`, `A\NB`},                    // not an escape: the bot's backslash
		{`end\`, `END\`},                    // a trailing backslash stays
		{"x\x07y", "XY"},                    // controls never reach a platform
		{"\uE0000\uE001z", "0Z"},            // a forged placeholder is dropped, not followed
	} {
		if got := MapText(tc.in, bot, lit); got != tc.want {
			t.Errorf("MapText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainTextKeepsAPersonsText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"*KR4* " + User("*star* _under_ `tick`"), "KR4 *star* _under_ `tick`"},
		{"_" + User("a_b") + "_", "a_b"},
		{User(`back\slash`), `back\slash`},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzUser: whatever a person writes comes back whole through User and
// PlainText (less what never reaches a platform), and a renderer's literal
// sees every escaped character.
func FuzzUser(f *testing.F) {
	for _, s := range []string{"", "*a*", "_x_", "`c`", `\`, "[x](y)", "<@U1>", "a\nb", "\xff", "\uE000", "~s~ \\*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := User(s)
		var want strings.Builder
		for _, r := range s {
			switch {
			case r == '\n' || r == '\r' || r == '\t':
				want.WriteByte(' ')
			case !dropped(r):
				want.WriteRune(r)
			}
		}
		if got := PlainText(u); got != want.String() {
			t.Fatalf("PlainText(User(%q)) = %q, want %q", s, got, want.String())
		}
		bot := MapText(u, func(m string) string { return m }, func(string) string { return "" })
		if strings.ContainsAny(bot, "*_`~[]") {
			t.Fatalf("markup characters of %q reach the bot's side: %q", s, bot)
		}
		if !utf8.ValidString(u) {
			t.Fatalf("User(%q) = %q is not UTF-8", s, u)
		}
	})
}
