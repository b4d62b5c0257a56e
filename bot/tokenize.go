package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a command; quoted tokens keep their spaces.
type token struct {
	text   string
	quoted bool
}

// tokenize splits a command into words, keeping "quoted phrases" (straight
// or typographic quotes, as phones type them) together. A quote left open
// is an error that says so: where a title ends is not guessed.
func tokenize(s string) ([]token, error) {
	var out []token
	var cur strings.Builder
	inQuote := false
	var closing rune
	opened := 0 // where the open quote's text starts
	flush := func(quoted bool) {
		if cur.Len() > 0 || quoted {
			out = append(out, token{text: cur.String(), quoted: quoted})
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
		return nil, usage("The quote before %q is never closed, so I can't tell where it ends. Nothing was changed: close the quote and send it again, e.g. `/okr new objective \"Win the mid-market\" for team Sales`.", string(after))
	}
	flush(false)
	return out, nil
}

func texts(ts []token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.text
	}
	return out
}

func joinTokens(ts []token) string { return strings.Join(texts(ts), " ") }

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
