package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// Status is how an item is doing, as ProgressBar carries it; adapters
// choose an emoji, a colour or a word by it without naming okrcore.
type Status = okrcore.Status

// The statuses an adapter may be asked to show.
const (
	StatusNone     = okrcore.StatusNone
	StatusOnTrack  = okrcore.StatusOnTrack
	StatusAtRisk   = okrcore.StatusAtRisk
	StatusOffTrack = okrcore.StatusOffTrack
	StatusDone     = okrcore.StatusDone
)

// Fraction is a progress value fit to draw: p clamped to [0, 1], with NaN
// (a key result whose start equals its target, say) as 0.
func Fraction(p float64) float64 {
	switch {
	case p > 1:
		return 1
	case p > 0:
		return p
	}
	return 0 // zero, negative or NaN
}

// Bar draws the progress p as width segments, full ones then empty ones;
// p is clamped as Fraction does.
func Bar(p float64, width int, full, empty string) string {
	if width <= 0 {
		return ""
	}
	n := int(Fraction(p)*float64(width) + 0.5)
	return strings.Repeat(full, n) + strings.Repeat(empty, width-n)
}

// Percent writes the progress p, clamped as Fraction does, as
// okrcore.Percent writes a progress ("45%"). Clamping first keeps NaN and
// infinities, which okrcore.Percent would turn into nonsense, drawable.
func Percent(p float64) string { return okrcore.Percent(Fraction(p)) }

// starStripper is read-only once built.
var starStripper = strings.NewReplacer("*", "")

// PlainText strips the light markup of Message texts (*bold*, _italic_ and
// `code`) for places that show text literally: every * and every backtick
// goes, as adapters always stripped them, but an underscore goes only when
// it opens or closes an _italic_ pair at word boundaries, so snake_case,
// a_b_c and __init__ keep theirs; underscores inside `code` are kept too.
// A pair does not span lines. A person's text (see User) is kept as typed,
// and so are control characters: who shows text literally escapes them
// its own way.
func PlainText(s string) string {
	return mapText(s, stripMarkup, func(lit string) string { return lit }, placeholder)
}

func placeholder(r rune) bool {
	return r == placeOpen || r == placeClose || r == userOpen || r == userClose
}

func stripMarkup(s string) string {
	s = starStripper.Replace(s)
	if !strings.Contains(s, "_") {
		return strings.ReplaceAll(s, "`", "")
	}
	drop := italicPairs(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '`' || drop[i] {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// italicPairs marks the byte offsets of the underscores of s that open or
// close an italic pair. An opener is preceded by the start or a character
// that is not part of a word, and followed by one that is neither space
// nor underscore; a closer mirrors it. A closer pairs with the nearest
// open underscore before it, so that `_a _b_ c_` loses all four: after
// one pass nothing is left that a second pass would pair, since a stripped
// underscore never neighbours another underscore.
func italicPairs(s string) []bool {
	drop := make([]bool, len(s))
	// A backtick opens code only when another one closes it.
	ticks := strings.Count(s, "`")
	if ticks%2 == 1 {
		ticks--
	}
	inCode := false
	var open []int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			open = open[:0]
		case c == '`':
			if inCode {
				inCode = false
			} else if ticks > 0 {
				inCode = true
				ticks -= 2
			}
		case c == '_' && !inCode:
			before, _ := utf8.DecodeLastRuneInString(s[:i])
			after, _ := utf8.DecodeRuneInString(s[i+1:])
			switch {
			case len(open) > 0 && closes(before, after, i, len(s)):
				drop[open[len(open)-1]], drop[i] = true, true
				open = open[:len(open)-1]
			case opens(before, after, i, len(s)):
				open = append(open, i)
			}
		}
	}
	return drop
}

func opens(before, after rune, i, n int) bool {
	return (i == 0 || !wordRune(before)) && i+1 < n && !unicode.IsSpace(after) && after != '_'
}

func closes(before, after rune, i, n int) bool {
	return i > 0 && !unicode.IsSpace(before) && before != '_' && (i+1 == n || !wordRune(after))
}

// wordRune reports whether r is part of a word, as far as italic markup
// goes: a letter, a digit, a combining mark or an underscore.
func wordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
