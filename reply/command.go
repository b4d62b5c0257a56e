package reply

// The words of a command: tokens, quoted titles and keyword options, as
// people type them after /okr.

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/textarg"
)

// token is one word of a command; quoted tokens keep their spaces.
type Token struct {
	Text   string
	Quoted bool
}

// tokenize splits a command into words, keeping "quoted phrases" (straight
// or typographic quotes, as phones type them) together. A quote left open
// is an error that says so: where a title ends is not guessed.
func Tokenize(s string) ([]Token, error) {
	var out []Token
	var cur strings.Builder
	inQuote := false
	var closing rune
	opened := 0 // where the open quote's text starts
	flush := func(quoted bool) {
		if cur.Len() > 0 || quoted {
			out = append(out, Token{Text: cur.String(), Quoted: quoted})
		}
		cur.Reset()
	}
	for i, r := range s {
		switch {
		case inQuote:
			if r == closing || (closing == '"' && r == '”') {
				inQuote = false
				flush(true)
				continue
			}
			cur.WriteRune(r)
		case r == '"' || r == '“' || r == '”':
			flush(false)
			inQuote, opened = true, i+utf8.RuneLen(r)
			closing = '"'
			if r == '“' {
				closing = '”'
			}
		case unicode.IsSpace(r):
			flush(false)
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote {
		after := []rune(strings.TrimSpace(s[opened:]))
		if len(after) > 30 {
			after = append(after[:29], '…')
		}
		return nil, wordsUsage("The quote before %q is never closed, so I can't tell where it ends. Nothing was changed: close the quote and send it again, e.g. `/okr new objective \"Win the mid-market\" for team Sales`.", string(after))
	}
	flush(false)
	return out, nil
}

func Texts(ts []Token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Text
	}
	return out
}

func JoinTokens(ts []Token) string { return strings.Join(Texts(ts), " ") }

// optionSpec is a keyword option of a command ("weight 2", "for @alice").
type OptionSpec struct {
	// arity is how many tokens follow the keyword; a flag ("milestone")
	// has none and counts only after a quoted title.
	Arity int
	Valid func(vals []Token) bool
	// hint says what the option sets and how it is written, for the
	// message when its value can't be read: "the weight, a number such
	// as `weight 2`".
	Hint string
}

// splitOptions splits command arguments into a title and keyword options.
// Without quotes a keyword counts only where its value is valid, so a
// title may contain the word "for" or "to". After a quoted title only
// options follow: a word that isn't one, or an option whose value can't
// be read, is an error rather than more title.
func SplitOptions(args []Token, specs map[string]OptionSpec) (title string, opts map[string][]Token, err error) {
	opts = map[string][]Token{}
	var words []string
	quoted := false
	for i := 0; i < len(args); i++ {
		t := args[i]
		if s, ok := specs[lowerWord(t.Text)]; ok && !t.Quoted && (s.Arity > 0 || quoted) {
			if i+s.Arity < len(args) && (s.Valid == nil || s.Valid(args[i+1:i+1+s.Arity])) {
				opts[lowerWord(t.Text)] = args[i+1 : i+1+s.Arity]
				i += s.Arity
				continue
			}
			if quoted {
				return "", nil, wordsUsage("I couldn't read %q after the quoted title: that's "+inFormat(s.Hint)+". Nothing was changed.",
					JoinTokens(args[i:min(len(args), i+1+s.Arity)]))
			}
		}
		if quoted {
			j := i + 1
			for j < len(args) && !hasSpec(specs, args[j]) {
				j++
			}
			return "", nil, wordsUsage("I couldn't read %q after the quoted title %q: only options ("+inFormat(OptionNames(specs))+") may follow it. Put the words of the title inside the quotes; nothing was changed.",
				JoinTokens(args[i:j]), strings.Join(words, " "))
		}
		words = append(words, t.Text)
		quoted = t.Quoted
	}
	return strings.TrimSpace(strings.Join(words, " ")), opts, nil
}

func hasSpec(specs map[string]OptionSpec, t Token) bool {
	_, ok := specs[lowerWord(t.Text)]
	return ok && !t.Quoted
}

// optionNames lists the keywords of specs for messages: "for, owner, under".
func OptionNames(specs map[string]OptionSpec) string {
	names := make([]string, 0, len(specs))
	for k := range specs {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func IsNumber(v []Token) bool { _, ok := ParseNumber(v[0].Text); return ok }
func IsRef(kinds ...okrcore.RefKind) func([]Token) bool {
	return func(v []Token) bool {
		r, ok := okrcore.ParseRef(v[0].Text)
		if !ok {
			return false
		}
		for _, k := range kinds {
			if r.Kind == k {
				return true
			}
		}
		return false
	}
}
func IsMention(v []Token) bool {
	s := v[0].Text
	return strings.HasPrefix(s, "@") || strings.HasPrefix(s, "<@")
}

// numOption is an option taking a number: what it sets, and an example.
func NumOption(what, example string) OptionSpec {
	return OptionSpec{Arity: 1, Valid: IsNumber, Hint: what + ", a number such as `" + example + "`"}
}

func FirstOf(vs ...[]Token) []Token {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// parseRange reads "10-20", "10–20", "99.5-100".
func ParseRange(s string) (lo, hi float64, ok bool) {
	s = strings.ReplaceAll(s, "–", "-")
	i := strings.LastIndex(s, "-")
	if i <= 0 {
		return 0, 0, false
	}
	a, ok1 := ParseNumber(s[:i])
	b, ok2 := ParseNumber(s[i+1:])
	return a.Value, b.Value, ok1 && ok2
}

// usageError is a sentence about how a command was written (an open quote,
// an option that can't be read). Its string arguments are what the person
// typed; the bot's own markup is in format, so UsageWith can escape them.
type usageError struct {
	format string
	args   []any
}

func (u *usageError) Error() string { return u.Usage() }

// Usage is the sentence to show, the person's words as they are.
func (u *usageError) Usage() string {
	return u.UsageWith(func(s string) string { return s })
}

// UsageWith is the sentence with each of the person's words passed
// through quote, a renderer's escape for a person's text.
func (u *usageError) UsageWith(quote func(string) string) string {
	return fmt.Sprintf(u.format, textarg.Quote(u.args, quote)...)
}

func wordsUsage(format string, args ...any) error {
	return &usageError{format: format, args: args}
}

// inFormat makes the bot's own text (a hint with its `code`) part of a
// format, where it stays markup instead of being escaped as an argument.
func inFormat(s string) string { return strings.ReplaceAll(s, "%", "%%") }

func lowerWord(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
