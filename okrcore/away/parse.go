package away

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
)

// Span is a time away a person asked for: from From (inclusive) to Until
// (exclusive, the start of the day after the last day away, in the
// person's time zone), with an optional note ("on vacation").
type Span struct {
	From, Until time.Time
	Note        string
}

// LastDay is the last day away, as a date in loc.
func (s Span) LastDay(loc *time.Location) time.Time {
	return s.Until.In(loc).Add(-time.Minute)
}

// MaxSpan is the longest time away one request sets: long leaves exist,
// but a date years ahead is almost always a typo.
const MaxSpan = 2 * 366 * 24 * time.Hour

// MaxNote is the longest note kept, in characters.
const MaxNote = 200

// monthOf reads a month's name or its first three letters ("sept" too).
func monthOf(w string) (time.Month, bool) {
	w = strings.TrimSuffix(w, ".")
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if w == name || w == name[:3] || (m == time.September && w == "sept") {
			return m, true
		}
	}
	return 0, false
}

var numberWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

// Parse reads what follows `away` (or `skip`): "until 2027-01-10 on
// vacation", "until Dec 20, parental leave", "2 weeks", "3 days",
// "from 2026-12-21 until 2027-01-04". A date without a year is its next
// coming; the days are whole days in loc, the last one included. now is the
// moment of the request; a span that ends before it, or lasts longer than
// MaxSpan, is refused with words for the person.
func Parse(text string, now time.Time, loc *time.Location) (Span, error) {
	words := fields(text)
	today := startOfDay(now, loc)
	from := now
	if len(words) > 0 && words[0] == "from" {
		d, n, ok := readDate(words[1:], today, loc)
		if !ok {
			return Span{}, refusal(text)
		}
		if d.After(today) {
			from = d
		}
		words = words[1+n:]
	}
	if len(words) == 0 {
		return Span{}, refusal(text)
	}
	var until time.Time
	rest := words
	switch words[0] {
	case "until", "till", "til", "to", "through", "thru":
		d, n, ok := readDate(words[1:], today, loc)
		if !ok {
			return Span{}, refusal(text)
		}
		until, rest = d.AddDate(0, 0, 1), words[1+n:]
	case "for":
		words = words[1:]
		fallthrough
	default:
		end, n, ok := readLength(words, startOfDay(from, loc))
		if !ok {
			return Span{}, refusal(text)
		}
		until, rest = end, words[n:]
	}
	if !until.After(now) {
		return Span{}, okrcore.Errorf(okrcore.KindInvalid, "That date is in the past. Give a date still to come, e.g. `until %s`.", now.In(loc).AddDate(0, 0, 14).Format("2006-01-02"))
	}
	if !until.After(from) {
		return Span{}, okrcore.Errorf(okrcore.KindInvalid, "The time away ends before it starts. Give the first day, then the last: `from 2027-01-04 until 2027-01-15`.")
	}
	if until.Sub(from) > MaxSpan {
		return Span{}, okrcore.Errorf(okrcore.KindInvalid, "That is more than two years away. Set up to two years at a time, and set it again later if needed.")
	}
	note := strings.TrimSpace(strings.Join(rest, " "))
	note = strings.TrimLeftFunc(note, func(r rune) bool { return r == ',' || r == '-' || r == ':' || unicode.IsSpace(r) })
	if r := []rune(note); len(r) > MaxNote {
		note = string(r[:MaxNote])
	}
	return Span{From: from, Until: until, Note: note}, nil
}

func refusal(text string) error {
	return okrcore.Errorf(okrcore.KindInvalid, "I couldn't read a date in \"%s\". Try `until 2027-01-10`, `until Jan 10`, `2 weeks` or `from 2027-01-04 until 2027-01-15`, with a note after it if you like.", text)
}

// fields splits text into lowercase words, a comma kept as a word of its
// own so that "Dec 20, on vacation" ends the date at the comma.
func fields(text string) []string {
	text = strings.ReplaceAll(text, ",", " , ")
	var out []string
	for _, w := range strings.Fields(text) {
		out = append(out, strings.ToLower(w))
	}
	return out
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// readDate reads a date at the start of words: 2027-01-10, 10.1.2027,
// Jan 10 [2027], 10 Jan [2027], January 10th; it returns its midnight in
// loc and how many words it took. A date without a year is the next one
// on or after today.
func readDate(words []string, today time.Time, loc *time.Location) (time.Time, int, bool) {
	if len(words) == 0 {
		return time.Time{}, 0, false
	}
	for _, layout := range []string{"2006-01-02", "2.1.2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSuffix(words[0], "."), loc); err == nil {
			return t, 1, true
		}
	}
	var (
		m       time.Month
		day     int
		n       int
		okMonth bool
	)
	if len(words) >= 2 {
		if mm, ok := monthOf(words[0]); ok {
			if d, ok := dayNumber(words[1]); ok {
				m, day, n, okMonth = mm, d, 2, true
			}
		} else if d, ok := dayNumber(words[0]); ok {
			if mm, ok := monthOf(words[1]); ok {
				m, day, n, okMonth = mm, d, 2, true
			}
		}
	}
	if !okMonth {
		return time.Time{}, 0, false
	}
	if len(words) > n {
		if y, err := strconv.Atoi(words[n]); err == nil && y >= 2000 && y <= 2200 {
			t := time.Date(y, m, day, 0, 0, 0, 0, loc)
			return t, n + 1, t.Day() == day
		}
	}
	t := time.Date(today.Year(), m, day, 0, 0, 0, 0, loc)
	if t.Day() != day {
		// 29 February in a year without one: the next leap year's.
		for y := today.Year() + 1; y <= today.Year()+8; y++ {
			if t = time.Date(y, m, day, 0, 0, 0, 0, loc); t.Day() == day && !t.Before(today) {
				return t, n, true
			}
		}
		return time.Time{}, 0, false
	}
	if t.Before(today) {
		t = time.Date(today.Year()+1, m, day, 0, 0, 0, 0, loc)
	}
	return t, n, true
}

// dayNumber reads a day of the month: 10, 10th, 1st, 2nd, 3rd, 10.
func dayNumber(w string) (int, bool) {
	w = strings.TrimSuffix(w, ".")
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		w = strings.TrimSuffix(w, suf)
	}
	d, err := strconv.Atoi(w)
	return d, err == nil && d >= 1 && d <= 31
}

// readLength reads "2 weeks", "a week", "10 days", "1 month" at the start of
// words and returns the end of that many whole days counted from day.
func readLength(words []string, day time.Time) (time.Time, int, bool) {
	if len(words) < 2 {
		return time.Time{}, 0, false
	}
	n, ok := numberWords[words[0]]
	if !ok {
		v, err := strconv.Atoi(words[0])
		if err != nil || v < 1 || v > 800 {
			return time.Time{}, 0, false
		}
		n = v
	}
	switch strings.TrimSuffix(words[1], "s") {
	case "day":
		return day.AddDate(0, 0, n), 2, true
	case "week", "wk":
		return day.AddDate(0, 0, 7*n), 2, true
	case "month":
		return day.AddDate(0, n, 0), 2, true
	}
	return time.Time{}, 0, false
}
