package reply

import (
	"math"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// What is said about a key result: value, done, status, confidence, same.

type payload struct {
	value    *Number
	relative bool // value is a change: "+3", "3 more", "up 10%"
	done     *bool
	status   okrcore.Status
	conf     *int
	same     bool
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
func parsePayload(o Options, tw, lw []string) (payload, *soft, *ParseError) {
	r := &payloadReader{o: o, tw: tw, lw: lw}
	for p := 0; p < len(lw); {
		next, sf, err := r.readItem(p)
		if err != nil {
			return payload{}, nil, err
		}
		if sf != nil {
			return payload{}, sf, nil
		}
		p = next
	}
	if r.items == 0 {
		_, sf, _ := r.fail(softUnknown, len(lw))
		return payload{}, sf, nil
	}
	return r.pl, nil, nil
}

// payloadReader is what parsePayload has understood so far.
type payloadReader struct {
	o            Options  // how the person writes numbers
	tw, lw       []string // the words as typed and in lower case
	pl           payload
	items        int  // how many things were understood
	extra        int  // end of the last thing understood
	replaceValue bool // "from 40% to 45%": the next value replaces this one
}

// A payloadStep tries to read one kind of thing at word p. It returns
// where reading goes on, p itself when the word is not of its kind, or why
// the words are no payload.
type payloadStep func(r *payloadReader, p int) (int, *soft, *ParseError)

// payloadSteps are tried in this order, and the order matters: "7
// confidence" is a confidence rather than a value with a unit, and in
// "hit 5" the "hit" leads to the value rather than saying done.
var payloadSteps = []payloadStep{
	(*payloadReader).readConfidence,
	(*payloadReader).readConfidenceBefore,
	(*payloadReader).readStatus,
	(*payloadReader).readSame,
	(*payloadReader).skipHitBeforeValue,
	(*payloadReader).readDone,
	(*payloadReader).readValue,
	(*payloadReader).refuseRatio,
	(*payloadReader).skipFiller,
	(*payloadReader).readChange,
}

// readItem reads one thing at word p with the first step that knows it.
func (r *payloadReader) readItem(p int) (int, *soft, *ParseError) {
	for _, step := range payloadSteps {
		if next, sf, err := step(r, p); next > p || sf != nil || err != nil {
			return next, sf, err
		}
	}
	return r.fail(softUnknown, p)
}

// understood counts one thing read that ends at word end, so that a
// failure later can say something was understood before it.
func (r *payloadReader) understood(end int) (int, *soft, *ParseError) {
	r.items++
	r.extra = end
	return end, nil, nil
}

func (r *payloadReader) fail(kind softKind, at int) (int, *soft, *ParseError) {
	return at, &soft{kind: kind, at: at, seen: r.items > 0, extra: min(r.extra, at)}, nil
}

// readConfidence reads "confidence 7", "conf: 7/10", "confidence is 7".
func (r *payloadReader) readConfidence(p int) (int, *soft, *ParseError) {
	if !confWords[r.lw[p]] {
		return p, nil, nil
	}
	q := p + 1
	for q < len(r.lw) && (filler[r.lw[q]] || r.lw[q] == "level" || r.lw[q] == "of") {
		q++
	}
	c, used, err := confValue(r.tw, r.lw, q)
	if err != nil {
		return p, nil, err
	}
	if r.pl.conf != nil {
		return r.fail(softConflict, p)
	}
	r.pl.conf = &c
	return r.understood(q + used)
}

// readConfidenceBefore reads a confidence before the word: "7/10
// confidence", "7 confidence".
func (r *payloadReader) readConfidenceBefore(p int) (int, *soft, *ParseError) {
	c, used, ok, err := confBefore(r.tw, r.lw, p)
	if err != nil {
		return p, nil, err
	}
	if !ok {
		return p, nil, nil
	}
	if r.pl.conf != nil {
		return r.fail(softConflict, p)
	}
	r.pl.conf = &c
	return r.understood(p + used)
}

// readStatus reads "at risk", "on track" and the like; saying the same
// status twice is fine, two different ones are not.
func (r *payloadReader) readStatus(p int) (int, *soft, *ParseError) {
	st, used := statusAt(r.lw, p)
	if used == 0 {
		return p, nil, nil
	}
	if r.pl.status != "" && r.pl.status != st {
		return r.fail(softConflict, p)
	}
	r.pl.status = st
	return r.understood(p + used)
}

// readSame reads "same", "no change": it cannot go with a new value or done.
func (r *payloadReader) readSame(p int) (int, *soft, *ParseError) {
	used := sameAt(r.lw, p)
	if used == 0 {
		return p, nil, nil
	}
	if r.pl.value != nil || r.pl.done != nil {
		return r.fail(softConflict, p)
	}
	r.pl.same = true
	return r.understood(p + used)
}

// skipHitBeforeValue skips "hit" or "reached" when a value follows ("hit
// 5"): then it leads to the value rather than saying done.
func (r *payloadReader) skipHitBeforeValue(p int) (int, *soft, *ParseError) {
	if w := r.lw[p]; (w == "hit" || w == "reached") && p+1 < len(r.lw) {
		if _, _, ok := valueAt(r.o, r.tw, p+1); ok {
			return p + 1, nil, nil
		}
	}
	return p, nil, nil
}

// readDone reads "done", "not done" and the like; a value or "same" with
// it, or done and not done together, is a conflict.
func (r *payloadReader) readDone(p int) (int, *soft, *ParseError) {
	d, used := doneAt(r.lw, p)
	if used == 0 {
		return p, nil, nil
	}
	if r.pl.value != nil || r.pl.same || (r.pl.done != nil && *r.pl.done != d) {
		return r.fail(softConflict, p)
	}
	r.pl.done = &d
	return r.understood(p + used)
}

// readValue reads a value ("45%", "1.2M") with the words that may follow
// it, and notes "45% to 50%" so that the second value replaces the first.
func (r *payloadReader) readValue(p int) (int, *soft, *ParseError) {
	num, used, ok := valueAt(r.o, r.tw, p)
	if !ok {
		return p, nil, nil
	}
	if math.Abs(num.Value) > maxMagnitude {
		return p, nil, errorf(`%s is too big for a key result. Check the number, e.g. "KR2 1.2M".`, quote(num.Raw))
	}
	switch {
	case r.pl.done != nil || r.pl.same:
		return r.fail(softConflict, p)
	case r.pl.value != nil && !r.replaceValue:
		return r.fail(softTwoValues, p)
	}
	// "+3" and "3 more" are changes; "-3" is a value below zero.
	r.pl.relative = strings.HasPrefix(num.Raw, "+")
	r.pl.value = &num
	p, _, _ = r.understood(p + used)
	r.replaceValue = false
	if p < len(r.lw) {
		switch r.lw[p] {
		case "more", "extra":
			r.pl.relative = true
			p, _, _ = r.understood(p + 1)
		case "fewer", "less":
			if num.Value = -num.Value; num.Value == 0 {
				num.Value = 0 // no "-0"
			}
			r.pl.relative = true
			p, _, _ = r.understood(p + 1)
		}
	}
	p = r.skipValueWords(p)
	if p+1 < len(r.lw) && (r.lw[p] == "to" || r.lw[p] == "->" || r.lw[p] == "→") {
		if _, _, ok := valueAt(r.o, r.tw, p+1); ok {
			r.replaceValue = true
			p++
		}
	}
	return p, nil, nil
}

// skipValueWords skips what may follow a value without being a second one:
// a target ("3 of 5", "3 out of 5") and up to three words naming the unit
// ("12 customers", "1.2M in revenue", "3 engineers out of 5").
func (r *payloadReader) skipValueWords(p int) int {
	tw, lw, n := r.tw, r.lw, len(r.lw)
	if q := ofAt(r.o, tw, lw, p); q > p {
		p = q
	}
	for u := 0; u < 3 && p < n && isWord(lw[p]) && !keyword[lw[p]] && ofAt(r.o, tw, lw, p) == p; u++ {
		p++
	}
	if q := ofAt(r.o, tw, lw, p); q > p {
		p = q // "3 engineers out of 5"
		for u := 0; u < 3 && p < n && isWord(lw[p]) && !keyword[lw[p]]; u++ {
			p++
		}
	}
	return p
}

// refuseRatio refuses a ratio that is no value; "7/10" alone is most
// likely a confidence, and the message says how to write one.
func (r *payloadReader) refuseRatio(p int) (int, *soft, *ParseError) {
	rt, ok := ratio(r.lw[p])
	if !ok {
		return p, nil, nil
	}
	if rt[1] == 10 {
		return p, nil, errorf(`Is %s your confidence? Write "confidence %s".`, quote(r.tw[p]), own(trimNum(rt[0])))
	}
	return r.fail(softUnknown, p)
}

func (r *payloadReader) skipFiller(p int) (int, *soft, *ParseError) {
	if filler[r.lw[p]] {
		return p + 1, nil, nil
	}
	return p, nil, nil
}

// readChange reads a change: "up 5%", "down by 2", "increased by 3" (up
// to 45% is a value). "by 5" alone says no direction and is refused.
func (r *payloadReader) readChange(p int) (int, *soft, *ParseError) {
	lw, n := r.lw, len(r.lw)
	var sign float64
	switch lw[p] {
	case "up", "increased":
		sign = 1
	case "down", "decreased":
		sign = -1
	case "by":
	default:
		return p, nil, nil
	}
	if p+1 < n && lw[p+1] == "to" {
		return p + 1, nil, nil
	}
	q := p + 1
	if q < n && lw[q] == "by" {
		q++
	}
	if _, _, ok := valueAt(r.o, r.tw, q); !ok || q >= n {
		return p, nil, nil
	}
	if sign == 0 || r.pl.value != nil {
		return r.fail(softDelta, p)
	}
	next, sf, err := r.readValue(q)
	if sf != nil || err != nil || r.pl.value == nil {
		return next, sf, err
	}
	v := *r.pl.value
	if v.Value *= sign; v.Value == 0 {
		v.Value = 0 // no "-0"
	}
	r.pl.value, r.pl.relative = &v, true
	return next, nil, nil
}

// ofAt skips "of 5" or "out of 5" at word p and returns where it ends (p
// when there is none).
func ofAt(o Options, tw, lw []string, p int) int {
	q := p
	if q < len(lw) && lw[q] == "out" {
		q++
	}
	if q >= len(lw) || lw[q] != "of" {
		return p
	}
	if m, used, ok := valueAt(o, tw, q+1); ok && !m.Percent {
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
		return 0, 0, errorf(`I couldn't read %s as a confidence. Use a whole number from 0 to 10, `+inFormat(tryConf), quote(w))
	}
	var v float64
	used := 1
	if r, ok := ratio(lw[q]); ok {
		if r[1] != 10 {
			return bad(tw[q])
		}
		v = r[0]
	} else {
		num, k, ok := valueAt(Options{}, tw[:min(len(tw), q+2)], q)
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
			if _, _, isNum := valueAt(Options{}, tw, q); isNum {
				continue
			}
		}
		ok := false
		switch span {
		case 1:
			// A percent before the word is a value: "KR2 45% confidence 7".
			_, isRatio := ratio(lw[p])
			m, k, isNum := valueAt(Options{}, tw[:p+1], p)
			ok = isRatio || isNum && k == 1 && !m.Percent && m.Currency == ""
		case 2:
			m, k, isNum := valueAt(Options{}, tw[:p+2], p)
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
