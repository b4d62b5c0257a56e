package okrcore

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// CleanText removes from text a person or a platform gave what could take
// over someone else's screen: ANSI escape sequences, the other C0 and C1
// control characters, and the bidirectional overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) that reverse text; bytes that are not
// UTF-8 become U+FFFD. Where a field holds several lines (multiline),
// newlines and tabs stay and a carriage return becomes a newline;
// elsewhere each of them becomes a space. Every record's validation
// applies it to its titles, names, units, notes and answers.
func CleanText(s string, multiline bool) string {
	if plainText(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b || r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			n = escapeLen(s[i:])
		case r == '\r' && multiline:
			b.WriteByte('\n')
			if strings.HasPrefix(s[i+1:], "\n") {
				n++
			}
		case r == '\n' || r == '\t' || r == '\r':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case dropped(r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// dropped reports whether CleanText drops r: a control character or a
// bidirectional override or isolate.
func dropped(r rune) bool {
	return r < 0x20 || 0x7f <= r && r < 0xa0 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

// plainText reports whether CleanText leaves s as it is, so that the
// common case costs one pass and no copy.
func plainText(s string, multiline bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || dropped(r) && !(multiline && (r == '\n' || r == '\t')) {
			return false
		}
	}
	return true
}

// escapeLen is how many bytes the escape sequence at the start of s takes:
// a CSI ("ESC [" or U+009B, parameters and one final byte), a string
// (OSC "ESC ]", DCS, SOS, PM, APC, or their C1 forms) up to its BEL or
// string terminator, or ESC with its intermediate and final bytes. A
// sequence cut off takes the rest of s.
func escapeLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	kind := r
	if r == 0x1b {
		if len(s) == 1 {
			return 1
		}
		switch s[1] {
		case '[':
			kind = 0x9b
		case ']', 'P', 'X', '^', '_':
			kind = 0x9d
		}
		if kind != r {
			n = 2
		}
	}
	switch kind {
	case 0x9b: // parameters and intermediates, then a final byte
		for n < len(s) && 0x20 <= s[n] && s[n] <= 0x3f {
			n++
		}
		if n < len(s) && 0x40 <= s[n] && s[n] <= 0x7e {
			n++
		}
		return n
	case 0x1b: // ESC, intermediates, a final byte
		for n < len(s) && 0x20 <= s[n] && s[n] <= 0x2f {
			n++
		}
		if n < len(s) && 0x30 <= s[n] && s[n] <= 0x7e {
			n++
		}
		return n
	}
	for n < len(s) {
		switch {
		case s[n] == 0x07:
			return n + 1
		case strings.HasPrefix(s[n:], "\x1b\\"):
			return n + 2
		case strings.HasPrefix(s[n:], "\u009c"):
			return n + len("\u009c")
		}
		n++
	}
	return n
}

// Implausible says why v, as the new value of k, looks like a slip rather
// than news, or returns "" when it is plausible: a value on the other side
// of zero from both the start and the target (-20 customers on a key
// result from 0 to 40); a value 25 times as far from zero as the target
// (or the start, when that is farther); or a drop back to the start or
// behind it from at least half way (30 of 40 customers to 0). Milestones
// are said in words, done or not done, and always plausible. The
// conversation asks "are you sure?" before it records an implausible
// value.
func Implausible(k *KeyResult, v float64) string {
	if k.Metric == MetricMilestone || v == k.Current || math.IsNaN(v) {
		return ""
	}
	fv := func(x float64) string { return FormatValue(x, k.Metric, k.Unit) }
	name := k.Ref().String() + " " + k.Title
	lo, hi := math.Min(k.Start, k.Target), math.Max(k.Start, k.Target)
	if v < 0 && lo >= 0 || v > 0 && hi <= 0 {
		return fmt.Sprintf("%s would be %s, on the other side of zero from its start (%s) and its target (%s).", name, fv(v), fv(k.Start), fv(k.Target))
	}
	ref, what := k.Target, "target"
	if math.Abs(k.Start) > math.Abs(ref) {
		ref, what = k.Start, "start"
	}
	if ref != 0 && math.Abs(v) >= 25*math.Abs(ref) {
		return fmt.Sprintf("%s would be %s, %s times its %s (%s).", name, fv(v), humanNumber(math.Floor(math.Abs(v/ref))), what, fv(ref))
	}
	if span := k.Target - k.Start; span != 0 && KRProgress(k) >= 0.5 && (v-k.Start)/span <= 0 {
		return fmt.Sprintf("%s would drop from %s (%s of the way) back to %s.", name, fv(k.Current), Percent(KRProgress(k)), fv(v))
	}
	return ""
}
