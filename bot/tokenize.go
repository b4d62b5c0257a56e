package bot

import (
	"strings"
	"unicode"
)

// token is one word of a command; quoted tokens keep their spaces.
type token struct {
	text   string
	quoted bool
}

// tokenize splits a command into words, keeping "quoted phrases" (straight
// or typographic quotes, as phones type them) together. An unclosed quote
// runs to the end of the line.
func tokenize(s string) []token {
	var out []token
	var cur strings.Builder
	inQuote := false
	var closing rune
	flush := func(quoted bool) {
		if cur.Len() > 0 || quoted {
			out = append(out, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
	}
	for _, r := range s {
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
			inQuote = true
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
	flush(inQuote && cur.Len() > 0)
	return out
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
