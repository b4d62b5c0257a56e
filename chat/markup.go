package chat

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The neutral markup has two voices: the bot's own (*bold*, _italic_,
// `code`, line breaks) and what a person wrote (a title, a note, a name, a
// team's name, a retro answer, anything imported). A person's text goes in
// through User, which backslash-escapes every character a platform could
// read as markup, a link or a mention; renderers read the escapes with
// MapText and show those characters literally, each platform in its own
// way. Text that did not go through User is the bot's and is formatted.

// userSpecial are the characters User escapes: the neutral markup's own
// (\ * _ `) and those a platform reads as strikethrough or a link's text
// (~ [ ]). Everything else a platform could misread is the renderers'
// to neutralise in all text, the bot's too: Slack's <, > and &, which
// would make mentions and links; a URL or a domain, which would link; a
// heading or a quote at the start of a line. A URL's colon and a domain's
// dot are escaped too (see linking), so that a renderer can break the
// link. So a person's usual text (names, titles with dashes, dots and
// colons) reads the same escaped.
const userSpecial = "\\*_`~[]"

// User marks s as a person's text: each markup-like character is escaped
// with a backslash, and what a platform would misread or hide is dropped
// (control characters, bidirectional overrides, the private-use
// characters MapText works with); line breaks and tabs become spaces, so a
// title cannot break a list apart. The result is delimited by the
// private-use runes userOpen and userClose, which every renderer drops, so
// that a pass over the bot's own words (MapBot) knows where a person's
// words are, even those a backslash does not mark.
func User(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteRune(userOpen)
	for i, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case dropped(r):
		case r < 0x80 && strings.ContainsRune(userSpecial, r), linking(s, i, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == len(string(userOpen)) {
		return "" // nothing of a person's to mark
	}
	b.WriteRune(userClose)
	return b.String()
}

// linking reports whether r at s[i] is where a platform would make a link
// of a person's text: the colon of "://", or the dot of a domain (after a
// letter or digit, before two letters: "evil.example", not "v2.0").
// Escaped, it is handed to the renderer, which breaks the link there.
func linking(s string, i int, r rune) bool {
	switch r {
	case ':':
		return strings.HasPrefix(s[i+1:], "//")
	case '.':
		return i > 0 && alnum(s[i-1]) && len(s) > i+2 && letter(s[i+1]) && letter(s[i+2])
	}
	return false
}

func letter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func alnum(c byte) bool  { return letter(c) || c >= '0' && c <= '9' }

// dropped reports whether r never reaches a platform: control characters
// (but line breaks and tabs, which callers handle), bidirectional embedding
// and isolate controls (which can reverse what follows them), and the
// private-use characters MapText marks its placeholders with.
func dropped(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
		return true
	case r == placeOpen || r == placeClose, r == userOpen || r == userClose:
		return true
	}
	return false
}

// The private-use characters around a placeholder's number in MapText, and
// around a person's text from User.
const (
	placeOpen  = '\uE000'
	placeClose = '\uE001'
	userOpen   = '\uE002'
	userClose  = '\uE003'
)

// MapBot returns s with f applied to each run of the bot's own text, the
// text outside what User marked as a person's (a span User opened and did
// not close runs to the end). A person's text and its delimiters are kept
// as they are, so f never sees nor changes what someone wrote.
func MapBot(s string, f func(string) string) string {
	if !strings.ContainsRune(s, userOpen) {
		return f(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	depth, from := 0, 0
	for i, r := range s {
		switch {
		case r == userOpen:
			if depth == 0 {
				b.WriteString(f(s[from:i]))
				from = i
			}
			depth++
		case r == userClose && depth > 0:
			depth--
			if depth == 0 {
				b.WriteString(s[from : i+len(string(userClose))])
				from = i + len(string(userClose))
			}
		}
	}
	if depth > 0 {
		b.WriteString(s[from:])
	} else {
		b.WriteString(f(s[from:]))
	}
	return b.String()
}

// MapText renders the neutral markup s for a platform: markup renders the
// bot's own text (it sees each run of a person's text as an opaque
// placeholder, so that its rewriting of *bold* never reaches into what a
// person wrote), and literal renders each run of a person's text, already
// unescaped, so that it shows as typed. Characters that never reach a
// platform (see User) are dropped from both.
func MapText(s string, markup, literal func(string) string) string {
	return mapText(s, markup, literal, dropped)
}

// mapText is MapText dropping what drop says.
func mapText(s string, markup, literal func(string) string, drop func(rune) bool) string {
	var bot strings.Builder
	var runs []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		bot.WriteRune(placeOpen)
		bot.WriteString(strconv.Itoa(len(runs)))
		bot.WriteRune(placeClose)
		runs = append(runs, cur.String())
		cur.Reset()
	}
	escaped := false
	for i, r := range s {
		raw := s[i:]
		if _, size := utf8.DecodeRuneInString(raw); size > 0 {
			raw = raw[:size]
		}
		switch {
		case drop(r):
		case escaped:
			escaped = false
			if r < 0x80 && unicode.IsPunct(r) || r < 0x80 && unicode.IsSymbol(r) {
				cur.WriteRune(r)
				continue
			}
			// Not an escape: the backslash was the bot's own.
			flush()
			bot.WriteByte('\\')
			bot.WriteString(raw)
		case r == '\\':
			escaped = true
		default:
			flush()
			bot.WriteString(raw)
		}
	}
	if escaped {
		flush()
		bot.WriteByte('\\')
	}
	flush()
	if len(runs) == 0 {
		return markup(bot.String())
	}
	out := markup(bot.String())
	var b strings.Builder
	b.Grow(len(out))
	for {
		i := strings.IndexRune(out, placeOpen)
		if i < 0 {
			b.WriteString(out)
			break
		}
		j := strings.IndexRune(out[i:], placeClose)
		if j < 0 {
			b.WriteString(out)
			break
		}
		b.WriteString(out[:i])
		n, err := strconv.Atoi(out[i+len(string(placeOpen)) : i+j])
		if err == nil && n >= 0 && n < len(runs) {
			b.WriteString(literal(runs[n]))
		}
		out = out[i+j+len(string(placeClose)):]
	}
	return b.String()
}

// Clean drops from s what never reaches a platform (see User): for text a
// platform shows as it is (a button's label, a plain-text title), after
// PlainText.
func Clean(s string) string {
	return strings.Map(func(r rune) rune {
		if dropped(r) {
			return -1
		}
		return r
	}, s)
}

// Unmarked is s without the delimiters User puts around a person's text,
// everything else kept: for comparing a message's text with what was
// typed (tests, logs), not for showing it, which is MapText's.
func Unmarked(s string) string {
	return strings.Map(func(r rune) rune {
		if r == userOpen || r == userClose {
			return -1
		}
		return r
	}, s)
}
