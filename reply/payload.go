package reply

import (
	"math"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// What is said about a key result: value, done, status, confidence, same.

type payload struct {
	value  *Number
	done   *bool
	status okrcore.Status
	conf   *int
	same   bool
}

type softKind int

const (
	softUnknown   softKind = iota // a word that is none of the things below
	softTwoValues                 // "45% 50%"
	softConflict                  // "45% done", "done not done"
	softDelta                     // "up 5%": a change, not a value
)

type soft struct {
	kind  softKind
	at    int  // the word not understood
	seen  bool // something was understood before it
	extra int  // where the words not understood start (after the last thing understood)
}

var filler = map[string]bool{
	"is": true, "are": true, "at": true, "to": true, "now": true, "was": true, "currently": true, "reached": true,
	"-": true, "–": true, "—": true, "->": true, "→": true, "as": true, "yet": true, "still": true,
	"about": true, "around": true, "approx": true, "approximately": true, "roughly": true, "~": true, "≈": true,
	"from": true, "and": true, "it's": true, "its": true,
}

var confWords = map[string]bool{"confidence": true, "conf": true, "confidence-level": true}

var doneWords = map[string]bool{
	"done": true, "complete": true, "completed": true, "finished": true, "achieved": true, "hit": true,
	"✅": true, "✔": true, "✔️": true, "☑": true, "☑️": true, "✓": true,
}

var doneMarks = map[string]bool{"✅": true, "✔": true, "✔️": true, "☑": true, "☑️": true, "✓": true}

var sameSeqs = [][]string{
	{"same", "as", "last", "week"}, {"same", "as", "last", "time"}, {"same", "as", "before"},
	{"no", "changes"}, {"no", "change"}, {"nothing", "changed"}, {"nothing", "new"},
	{"no", "updates"}, {"no", "update"}, {"not", "changed"}, {"unchanged"}, {"same"}, {"flat"},
}

// anchorWords show that a clause not understood was still meant as a check-in.
var anchorWords = map[string]bool{
	"track": true, "risk": true, "ontrack": true, "atrisk": true, "offtrack": true, "on-track": true, "at-risk": true,
	"off-track": true, "same": true, "unchanged": true,
}

// keyword are words that are never a unit after a number.
var keyword = map[string]bool{
	"on": true, "off": true, "at": true, "track": true, "risk": true, "ontrack": true, "atrisk": true, "offtrack": true,
	"on-track": true, "at-risk": true, "off-track": true, "green": true, "amber": true, "yellow": true, "red": true, "behind": true,
	"not": true, "isn't": true, "isnt": true, "yet": true, "incomplete": true,
	"same": true, "no": true, "nothing": true, "unchanged": true, "flat": true,
	"to": true, "and": true, "but": true, "is": true, "now": true,
}

func init() {
	for w := range doneWords {
		keyword[w] = true
	}
	for w := range confWords {
		keyword[w] = true
	}
}

// parsePayload reads the words after the key result. A soft failure means
// these words are not a payload (the caller may read the clause another
// way); a hard one is a definite mistake such as "confidence 11".
func parsePayload(tw, lw []string) (payload, *soft, *ParseError) {
	var pl payload
	n := len(lw)
	items := 0
	replaceValue := false // "from 40% to 45%"
	extra := 0            // end of the last thing understood
	fail := func(kind softKind, at int) (payload, *soft, *ParseError) {
		return payload{}, &soft{kind: kind, at: at, seen: items > 0, extra: min(extra, at)}, nil
	}
	for p := 0; p < n; {
		w := lw[p]
		// Confidence: "confidence 7", "conf: 7/10", "confidence is 7".
		if confWords[w] {
			q := p + 1
			for q < n && (filler[lw[q]] || lw[q] == "level" || lw[q] == "of") {
				q++
			}
			c, used, err := confValue(tw, lw, q)
			if err != nil {
				return payload{}, nil, err
			}
			if pl.conf != nil {
				return fail(softConflict, p)
			}
			pl.conf = &c
			items++
			p = q + used
			extra = p
			continue
		}
		// Confidence before the word: "7/10 confidence", "7 confidence".
		if c, used, ok, err := confBefore(tw, lw, p); ok || err != nil {
			if err != nil {
				return payload{}, nil, err
			}
			if pl.conf != nil {
				return fail(softConflict, p)
			}
			pl.conf = &c
			items++
			p += used
			extra = p
			continue
		}
		if st, used := statusAt(lw, p); used > 0 {
			if pl.status != "" && pl.status != st {
				return fail(softConflict, p)
			}
			pl.status = st
			items++
			p += used
			extra = p
			continue
		}
		if used := sameAt(lw, p); used > 0 {
			if pl.value != nil || pl.done != nil {
				return fail(softConflict, p)
			}
			pl.same = true
			items++
			p += used
			extra = p
			continue
		}
		if (w == "hit" || w == "reached") && p+1 < n {
			if _, _, ok := valueAt(tw, p+1); ok {
				p++
				continue
			}
		}
		if d, used := doneAt(lw, p); used > 0 {
			if pl.value != nil || pl.same || (pl.done != nil && *pl.done != d) {
				return fail(softConflict, p)
			}
			pl.done = &d
			items++
			p += used
			extra = p
			continue
		}
		if num, used, ok := valueAt(tw, p); ok {
			if math.Abs(num.Value) > maxMagnitude {
				return payload{}, nil, errorf(`%s is too big for a key result. Check the number, e.g. "KR2 1.2M".`, quote(num.Raw))
			}
			switch {
			case pl.done != nil || pl.same:
				return fail(softConflict, p)
			case pl.value != nil && !replaceValue:
				return fail(softTwoValues, p)
			}
			v := num
			pl.value = &v
			items++
			p += used
			extra = p
			replaceValue = false
			// "3 of 5", "3 out of 5": the 5 is the target, not a second value.
			if q := ofAt(tw, lw, p); q > p {
				p = q
			}
			// Words naming the unit: "12 customers", "1.2M in revenue".
			for u := 0; u < 3 && p < n && isWord(lw[p]) && !keyword[lw[p]] && ofAt(tw, lw, p) == p; u++ {
				p++
			}
			if q := ofAt(tw, lw, p); q > p {
				p = q // "3 engineers out of 5"
				for u := 0; u < 3 && p < n && isWord(lw[p]) && !keyword[lw[p]]; u++ {
					p++
				}
			}
			if p+1 < n && (lw[p] == "to" || lw[p] == "->" || lw[p] == "→") {
				if _, _, ok := valueAt(tw, p+1); ok {
					replaceValue = true
					p++
				}
			}
			continue
		}
		if r, ok := ratio(w); ok {
			// "7/10" alone is most likely a confidence.
			if r[1] == 10 {
				return payload{}, nil, errorf(`Is %s your confidence? Write "confidence %s".`, quote(tw[p]), trimNum(r[0]))
			}
			return fail(softUnknown, p)
		}
		if filler[w] {
			p++
			continue
		}
		if w == "up" || w == "down" || w == "by" || w == "increased" || w == "decreased" {
			// "up to 45%" is a value; "up 5%" and "up by 5%" are changes.
			if p+1 < n && lw[p+1] == "to" {
				p++
				continue
			}
			q := p + 1
			if q < n && lw[q] == "by" {
				q++
			}
			if _, _, ok := valueAt(tw, q); ok && q < n {
				return fail(softDelta, p)
			}
		}
		return fail(softUnknown, p)
	}
	if items == 0 {
		return fail(softUnknown, n)
	}
	return pl, nil, nil
}

// ofAt skips "of 5" or "out of 5" at word p and returns where it ends (p
// when there is none).
func ofAt(tw, lw []string, p int) int {
	q := p
	if q < len(lw) && lw[q] == "out" {
		q++
	}
	if q >= len(lw) || lw[q] != "of" {
		return p
	}
	if m, used, ok := valueAt(tw, q+1); ok && !m.Percent {
		return q + 1 + used
	}
	return p
}

func trimNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ratio reads "7/10".
func ratio(w string) ([2]float64, bool) {
	a, b, ok := strings.Cut(w, "/")
	if !ok || a == "" || b == "" || !allDigits(b) {
		return [2]float64{}, false
	}
	for _, c := range []byte(a) {
		if !digit(c) && c != '.' {
			return [2]float64{}, false
		}
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return [2]float64{}, false
	}
	return [2]float64{x, y}, true
}

// confValue reads the confidence at word q: "7", "7/10", "7 / 10",
// "7 out of 10", "70%".
func confValue(tw, lw []string, q int) (int, int, *ParseError) {
	if q >= len(lw) {
		return 0, 0, errorf(`What's your confidence from 0 to 10? Try "confidence 7".`)
	}
	bad := func(w string) (int, int, *ParseError) {
		return 0, 0, errorf(`I couldn't read %s as a confidence. Use a whole number from 0 to 10, %s`, quote(w), tryConf)
	}
	var v float64
	used := 1
	if r, ok := ratio(lw[q]); ok {
		if r[1] != 10 {
			return bad(tw[q])
		}
		v = r[0]
	} else {
		num, k, ok := valueAt(tw[:min(len(tw), q+2)], q)
		if !ok || num.Currency != "" {
			return bad(tw[q])
		}
		used = k
		v = num.Value
		switch {
		case num.Percent:
			if v < 0 || v > 100 {
				return 0, 0, errorf(`Confidence goes from 0 to 10, so %s doesn't fit. Try "confidence 7".`, quote(num.Raw))
			}
			v = math.Round(v / 10)
		case q+used+1 < len(lw) && lw[q+used] == "/" && lw[q+used+1] == "10":
			used += 2
		case q+used+2 < len(lw) && lw[q+used] == "out" && lw[q+used+1] == "of" && lw[q+used+2] == "10":
			used += 3
		}
	}
	if v < 0 || v > 10 {
		return 0, 0, errorf(`Confidence goes from 0 to 10, so %s doesn't fit. Try "confidence 7".`, quote(tw[q]))
	}
	if v != math.Trunc(v) {
		return 0, 0, errorf(`Confidence is a whole number from 0 to 10; %s isn't. Try "confidence 7".`, quote(tw[q]))
	}
	return int(v), used, nil
}

// confBefore reads "7/10 confidence", "7 confidence", "7 out of 10 confidence".
func confBefore(tw, lw []string, p int) (int, int, bool, *ParseError) {
	for _, span := range []int{1, 2, 3, 4} {
		if p+span >= len(lw) || !confWords[lw[p+span]] {
			continue
		}
		// In "45% confidence 7" the 7 belongs to the word, not the 45%.
		q := p + span + 1
		for q < len(lw) && (filler[lw[q]] || lw[q] == "level" || lw[q] == "of") {
			q++
		}
		if q < len(lw) {
			if _, isRatio := ratio(lw[q]); isRatio {
				continue
			}
			if _, _, isNum := valueAt(tw, q); isNum {
				continue
			}
		}
		ok := false
		switch span {
		case 1:
			// A percent before the word is a value: "KR2 45% confidence 7".
			_, isRatio := ratio(lw[p])
			m, k, isNum := valueAt(tw[:p+1], p)
			ok = isRatio || isNum && k == 1 && !m.Percent && m.Currency == ""
		case 2:
			m, k, isNum := valueAt(tw[:p+2], p)
			ok = isNum && k == 2 && !m.Percent && m.Currency == ""
		case 3:
			ok = lw[p+1] == "/" && lw[p+2] == "10"
		case 4:
			ok = lw[p+1] == "out" && lw[p+2] == "of" && lw[p+3] == "10"
		}
		if !ok {
			continue
		}
		c, used, err := confValue(tw[:p+span], lw[:p+span], p)
		if err != nil {
			return 0, 0, false, err
		}
		if used != span {
			continue
		}
		return c, span + 1, true, nil
	}
	return 0, 0, false, nil
}

// statusStart are the words a status can start with (okrcore.ParseStatus
// reads the rest); checking them first keeps long messages fast.
var statusStart = map[string]bool{
	"on": true, "at": true, "off": true, "ontrack": true, "atrisk": true, "offtrack": true,
	"on-track": true, "at-risk": true, "off-track": true, "on_track": true, "at_risk": true, "off_track": true,
	"green": true, "amber": true, "yellow": true, "red": true, "behind": true,
}

func statusAt(lw []string, p int) (okrcore.Status, int) {
	if !statusStart[lw[p]] {
		return "", 0
	}
	if p+1 < len(lw) {
		if st, ok := okrcore.ParseStatus(lw[p] + " " + lw[p+1]); ok {
			return st, 2
		}
	}
	if st, ok := okrcore.ParseStatus(lw[p]); ok {
		return st, 1
	}
	return "", 0
}

func sameAt(lw []string, p int) int {
	for _, seq := range sameSeqs {
		if p+len(seq) > len(lw) {
			continue
		}
		match := true
		for i, w := range seq {
			if lw[p+i] != w {
				match = false
				break
			}
		}
		if match {
			return len(seq)
		}
	}
	return 0
}

// doneAt reads "done", "complete", "not done", "not yet done", "isn't done",
// "not yet", "incomplete".
func doneAt(lw []string, p int) (bool, int) {
	w := lw[p]
	if doneWords[w] {
		return true, 1
	}
	if w == "incomplete" || w == "unfinished" {
		return false, 1
	}
	if w == "not" || w == "isn't" || w == "isnt" || w == "aren't" {
		q := p + 1
		if q < len(lw) && lw[q] == "yet" {
			q++
		}
		if q < len(lw) && (doneWords[lw[q]] || lw[q] == "started") {
			return false, q - p + 1
		}
		if q > p+1 {
			return false, q - p // "not yet"
		}
	}
	return false, 0
}
