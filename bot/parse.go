package bot

// Parsing of check-ins written in plain words, as people type them in chat in
// reply to the weekly nudge ("KR2 45%, hiring done, confidence 7, blocked:
// waiting on legal"). Everything here is pure: no I/O, no clock.
//
// Unexported names in this file start with "pr" so that they cannot collide
// with the rest of the package.

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// Reply is what a person said in one check-in message.
type Reply struct {
	Updates    []KRUpdate
	Confidence *int           // overall "confidence 7" (0–10)
	Status     okrcore.Status // overall "at risk" with no key result named
	Note       string         // "note: ..."
	Blockers   string         // "blocked: waiting on legal", "blocked on the vendor contract", "blocker: ..."
	NoChange   bool           // "same as last week", "no change", "same", "nothing changed"
	Skip       bool           // "skip", "skip this week"
	Undo       bool           // "undo"
}

// KRUpdate is one clause about one key result, before it is matched to a record.
type KRUpdate struct {
	Ref        string         // what named the key result: "KR2" or title words such as "revenue"; "" when none was named ("45%" alone)
	Value      *Number        // nil when no value was given
	Done       *bool          // "done"/"complete"/"finished"/"hit" => true, "not done" => false
	Status     okrcore.Status // "KR3 at risk"
	Confidence *int           // "KR3 confidence 6"
	Same       bool           // "KR3 same" / "KR3 no change"
	Raw        string         // the clause as typed, for messages
}

// Number is a value as typed: 45%, 1.2M, $300k, 1,200, -3.5, €40, 3.1
type Number struct {
	Value    float64 // magnitude applied: "1.2M" => 1200000, "45%" => 45
	Percent  bool
	Currency string // "$", "€", "£" when typed (USD, EUR and GBP are read as these)
	Raw      string
}

// ParseError is a reply the bot did not understand. Message is one or two
// short sentences for a person, including an example of what works.
type ParseError struct{ Message string }

func (e *ParseError) Error() string { return e.Message }

// Resolved is an update matched to a key result with its new value computed.
type Resolved struct {
	KR         *okrcore.KeyResult
	Value      float64 // new current value in the KR's own unit (unchanged value when only status/confidence/same)
	HasValue   bool
	Status     okrcore.Status
	Confidence *int
	Raw        string
}

// prMaxMagnitude is the largest value a person may type; anything bigger is a
// typo (and okrcore refuses it too).
const prMaxMagnitude = 1e15

const (
	prHelp = `That doesn't look like a check-in. Reply with a value for each key result, ` +
		`e.g. "KR2 45%, KR3 done, confidence 7", or "same as last week", or "skip".`
	prTryValue = `Try "KR2 45%" or "revenue 1.2M".`
	prTryConf  = `e.g. "confidence 7".`
	prSkipMsg  = `To skip this week, send just "skip" (a reason may follow, e.g. "skip, on vacation").`
	prUndoMsg  = `To take back your last check-in, send just "undo".`
)

func prErrorf(format string, args ...any) *ParseError {
	return &ParseError{Message: fmt.Sprintf(format, args...)}
}

// prQuote shows what a person typed inside a message: one line, clipped.
func prQuote(s string) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)), " ")
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:39])) + "…"
	}
	return `"` + s + `"`
}

// ---------------------------------------------------------------------------
// Numbers

// ParseNumber parses one value as typed. ok=false when it is not a number.
// Words after the number ("12 customers") are allowed and ignored.
func ParseNumber(s string) (Number, bool) {
	s = strings.TrimRight(strings.TrimSpace(prNormSpace(s)), ".! ")
	sc, ok := prScanNumber(s)
	if !ok {
		return Number{}, false
	}
	rest := sc.rest
	if rest == "" {
		return sc.num, true
	}
	if !prSpace(rest[0]) {
		// Letters stuck to the number: a unit such as "5kg" or "10x".
		w, tail := prLetterRun(rest)
		if w == "" || sc.suffixed || prMagnitudeLetter(w) || sc.num.Raw == "0" && (w[0]|0x20) == 'x' {
			return Number{}, false
		}
		rest = tail
	}
	for _, f := range strings.Fields(rest) {
		if !prIsWord(f) {
			return Number{}, false
		}
	}
	return sc.num, true
}

type prScan struct {
	num      Number
	rest     string // what follows the number
	suffixed bool   // a magnitude, percent or currency suffix was read
}

var prMagnitudes = []struct {
	word string
	exp  int
}{
	{"thousand", 3}, {"million", 6}, {"billion", 9},
	{"mio", 6}, {"mln", 6}, {"mn", 6}, {"bn", 9},
	{"k", 3}, {"m", 6}, {"b", 9},
}

var prCurrencyPrefixes = []struct{ word, sym string }{
	{"us$", "$"}, {"$", "$"}, {"€", "€"}, {"£", "£"}, {"usd", "$"}, {"eur", "€"}, {"gbp", "£"},
}

var prCurrencyWords = []struct{ word, sym string }{
	{"dollars", "$"}, {"dollar", "$"}, {"euros", "€"}, {"euro", "€"},
	{"usd", "$"}, {"eur", "€"}, {"gbp", "£"},
	{"us$", "$"}, {"$", "$"}, {"€", "€"}, {"£", "£"},
}

// prScanNumber reads a number at the start of s: an optional sign, an
// optional currency prefix, digits with optional thousands separators and
// decimals, then an optional magnitude (k, M, bn, million), percent sign or
// currency suffix.
func prScanNumber(s string) (prScan, bool) {
	var sc prScan
	i := 0
	for _, a := range []string{"~", "≈"} {
		if strings.HasPrefix(s, a) {
			i += len(a)
			break
		}
	}
	neg, signed := false, false
	readSign := func() {
		if signed {
			return
		}
		switch {
		case strings.HasPrefix(s[i:], "+"):
			signed = true
			i++
		case strings.HasPrefix(s[i:], "-"):
			signed, neg = true, true
			i++
		case strings.HasPrefix(s[i:], "−"):
			signed, neg = true, true
			i += len("−")
		}
	}
	readSign()
	prefix := ""
	for _, c := range prCurrencyPrefixes {
		if !prHasFold(s[i:], c.word) {
			continue
		}
		j := i + len(c.word)
		if prIsLetterWord(c.word) && (j == len(s) || !prSpace(s[j]) && !prDigit(s[j])) {
			continue
		}
		prefix = c.sym
		i = j
		for i < len(s) && prSpace(s[i]) {
			i++
		}
		readSign()
		break
	}
	// Digits.
	j := i
	for j < len(s) && prDigit(s[j]) {
		j++
	}
	var intPart strings.Builder
	intPart.WriteString(s[i:j])
	if j > i && j+1 < len(s) && s[j] == ',' && prDigit(s[j+1]) {
		if j-i > 3 {
			return sc, false
		}
		for j+1 < len(s) && s[j] == ',' && prDigit(s[j+1]) {
			if j+4 > len(s) || !prAllDigits(s[j+1:j+4]) || (j+4 < len(s) && prDigit(s[j+4])) {
				return sc, false
			}
			intPart.WriteString(s[j+1 : j+4])
			j += 4
		}
	}
	frac := ""
	if j+1 < len(s) && s[j] == '.' && prDigit(s[j+1]) {
		k := j + 1
		for k < len(s) && prDigit(s[k]) {
			k++
		}
		frac = s[j+1 : k]
		j = k
	}
	if intPart.Len() == 0 && frac == "" {
		return sc, false
	}
	if j < len(s) && (prDigit(s[j]) || s[j] == '.' || s[j] == ',') && !(s[j] == ',' && (j+1 == len(s) || !prDigit(s[j+1]))) {
		return sc, false // "1.2.3", "1,2"
	}
	end := j
	// Suffixes: magnitude, then percent or currency.
	exp := 0
	next := func() int { // where the next word starts
		k := end
		for k < len(s) && prSpace(s[k]) {
			k++
		}
		return k
	}
	if k := next(); k < len(s) {
		for _, m := range prMagnitudes {
			if !prHasFold(s[k:], m.word) || !prBoundary(s, k+len(m.word)) {
				continue
			}
			// "1.2 M" and "1.2 m" are magnitudes too: in a check-in an "m"
			// after a number means million far more often than metres.
			exp = m.exp
			end = k + len(m.word)
			sc.suffixed = true
			break
		}
	}
	percent := false
	suffix := ""
	if k := next(); k < len(s) {
		switch {
		case s[k] == '%':
			percent = true
			end = k + 1
		case prHasFold(s[k:], "percent") && prBoundary(s, k+7):
			percent = true
			end = k + 7
		case prHasFold(s[k:], "pct") && prBoundary(s, k+3):
			percent = true
			end = k + 3
		default:
			for _, c := range prCurrencyWords {
				if !prHasFold(s[k:], c.word) {
					continue
				}
				if prIsLetterWord(c.word) && !prBoundary(s, k+len(c.word)) {
					continue
				}
				suffix = c.sym
				end = k + len(c.word)
				break
			}
		}
	}
	if percent || suffix != "" {
		sc.suffixed = true
	}
	if percent && (exp != 0 || prefix != "") {
		return sc, false
	}
	if prefix != "" && suffix != "" && prefix != suffix {
		return sc, false
	}
	num := intPart.String()
	if num == "" {
		num = "0"
	}
	if frac != "" {
		num += "." + frac
	}
	if exp != 0 {
		num += "e" + strconv.Itoa(exp)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return sc, false
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	cur := prefix
	if cur == "" {
		cur = suffix
	}
	sc.num = Number{Value: v, Percent: percent, Currency: cur, Raw: strings.TrimSpace(s[:end])}
	sc.rest = s[end:]
	return sc, true
}

// prMagnitudeLetter reports whether a unit stuck to a number starts like a
// magnitude ("5kg", "3mb"): those are refused rather than misread.
func prMagnitudeLetter(w string) bool {
	switch unicode.ToLower(rune(w[0])) {
	case 'k', 'm', 'b':
		return true
	}
	return false
}

// prValueAt reads a value from the clause words at p, joining up to three
// words ("1.2 M", "$ 300", "300 USD", "45 %"). It returns how many words it used.
func prValueAt(tw []string, p int) (Number, int, bool) {
	for k := min(3, len(tw)-p); k >= 1; k-- {
		s := strings.Join(tw[p:p+k], " ")
		sc, ok := prScanNumber(s)
		if !ok {
			continue
		}
		if sc.rest == "" {
			return sc.num, k, true
		}
		if k == 1 && !sc.suffixed && prIsWord(sc.rest) && !prMagnitudeLetter(sc.rest) && !(sc.num.Raw == "0" && (sc.rest[0]|0x20) == 'x') {
			return sc.num, k, true // "5kg", "10x"
		}
	}
	return Number{}, 0, false
}

// prLooksNumeric reports whether a word was meant as a number: it starts with
// a digit, or with a sign or currency symbol followed by one.
func prLooksNumeric(w string) bool {
	for range 3 {
		if w == "" {
			return false
		}
		if prDigit(w[0]) {
			return true
		}
		r, n := utf8.DecodeRuneInString(w)
		if !strings.ContainsRune("+-−$€£~≈.", r) {
			return false
		}
		w = w[n:]
	}
	return false
}

// ---------------------------------------------------------------------------
// The whole message

// ParseReply parses a whole message. It returns a *ParseError when any clause
// is not understood (nothing is applied then) or when the text contains no
// check-in at all.
func ParseReply(text string) (Reply, error) {
	var r Reply
	t := strings.TrimSpace(prStripLead(prNormSpace(text)))
	if t == "" {
		return r, &ParseError{Message: prHelp}
	}
	headEnd, sections, perr := prSections(t)
	if perr != nil {
		return r, perr
	}
	head := t[:headEnd]
	var notes, blockers []string
	for _, s := range sections {
		switch {
		case s.blocker && s.text != "":
			blockers = append(blockers, s.text)
		case !s.blocker:
			notes = append(notes, s.text)
		}
	}

	// Commands that stand alone.
	if ok, tail := prLeadWord(head, "undo"); ok {
		phrase := strings.ToLower(strings.Join(strings.Fields(strings.TrimRight(tail, " .!")), " "))
		if len(sections) > 0 || !prUndoTails[phrase] {
			return Reply{}, &ParseError{Message: prUndoMsg}
		}
		return Reply{Undo: true}, nil
	}
	if ok, tail := prLeadWord(head, "skip"); ok {
		reason := prSkipReason(tail)
		if reason != "" {
			if prHasKRRef(reason) || strings.Contains(reason, "%") {
				return Reply{}, &ParseError{Message: `"skip" skips the whole check-in. To leave one key result as it is, send e.g. "KR2 same".`}
			}
			notes = append([]string{reason}, notes...)
		}
		return Reply{Skip: true, Note: strings.Join(notes, "\n"), Blockers: strings.Join(blockers, "\n")}, nil
	}

	segs := prSplit(head)
	var (
		firstFail  *prFail
		unknown    *prFail
		understood = len(sections) > 0
	)
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		c, f := prParseClause(head[seg.start:seg.end])
		if f != nil && !f.hard && (seg.sep == "and" || seg.sep == "but") {
			// "research and development 40%": the "and" was part of a title.
			// Titles hold few of them: try at most three more clauses.
			for j := i + 1; j < len(segs) && j <= i+3; j++ {
				c2, f2 := prParseClause(head[seg.start:segs[j].end])
				if f2 == nil || f2.multi {
					c, f, i = c2, f2, j
					break
				}
				if segs[j].sep != "and" && segs[j].sep != "but" {
					break
				}
			}
		}
		if f != nil && f.bareRef != "" && i == len(segs)-1 && len(sections) > 0 {
			// "KR3 blocked on legal", "hiring, note: waiting for data": a
			// check-in on that key result with its value unchanged.
			c, f = prClause{kind: prUpdate, upd: KRUpdate{Ref: f.bareRef, Same: true, Raw: strings.TrimSpace(head[seg.start:seg.end])}}, nil
		}
		if f != nil {
			if f.anchored || f.hard {
				if firstFail == nil {
					firstFail = f
				}
			} else if unknown == nil {
				unknown = f
			}
			continue
		}
		if c.kind != prIgnore {
			understood = true
		}
		switch c.kind {
		case prUpdate:
			r.Updates = append(r.Updates, c.upd)
		case prOverall:
			if c.conf != nil {
				if r.Confidence != nil && *r.Confidence != *c.conf {
					return Reply{}, prErrorf(`You gave two confidence values (%d and %d). Send one, %s`, *r.Confidence, *c.conf, prTryConf)
				}
				r.Confidence = c.conf
			}
			if c.status != "" {
				if r.Status != "" && r.Status != c.status {
					return Reply{}, prErrorf(`You said both %q and %q. Send one status, e.g. "at risk".`, r.Status.Label(), c.status.Label())
				}
				r.Status = c.status
			}
			if c.same {
				r.NoChange = true
			}
		}
	}
	switch {
	case firstFail != nil:
		return Reply{}, &ParseError{Message: firstFail.msg}
	case unknown != nil && understood:
		return Reply{}, &ParseError{Message: unknown.msg}
	case unknown != nil:
		return Reply{}, &ParseError{Message: prHelp}
	}
	r.Note = strings.Join(notes, "\n")
	r.Blockers = strings.Join(blockers, "\n")
	if len(r.Updates) == 0 && r.Confidence == nil && r.Status == "" && r.Note == "" && r.Blockers == "" && !r.NoChange {
		return Reply{}, &ParseError{Message: prHelp}
	}
	return r, nil
}

// prNormSpace turns the odd spaces chat clients send into plain ones, drops
// zero-width characters and unifies line ends.
func prNormSpace(s string) string {
	if !strings.ContainsAny(s, "\r\t\u00a0\u2007\u202f\u200b\u200c\u2060\ufeff") {
		return s
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\u00a0", " ", "\u2007", " ", "\u202f", " ",
		"\u200b", "", "\u200c", "", "\u2060", "", "\ufeff", "").Replace(s)
}

// prLeadWords are greetings and labels ignored at the start of a message.
var prLeadWords = []string{
	"good morning", "good afternoon", "good evening",
	"hello there", "hi there", "hey there", "hi team", "hey team", "hello team",
	"hi all", "hey all", "hello all", "hi everyone", "hey everyone",
	"hello", "hiya", "hey", "hi", "morning", "howdy",
	"weekly check-in", "weekly checkin", "weekly update", "status update", "my update", "my check-in",
	"check-in", "checkin", "check in", "updates", "update",
}

func prStripLead(s string) string {
	for {
		t := strings.TrimLeft(s, " \n")
		matched := false
		for _, w := range prLeadWords {
			if n := prPhrase(t, w); n > 0 {
				t = strings.TrimLeft(t[n:], " \n,!.:;")
				for _, d := range []string{"- ", "– ", "— "} {
					t = strings.TrimPrefix(t, d)
				}
				matched = true
				break
			}
		}
		s = t
		if !matched {
			return s
		}
	}
}

// prLeadWord reports whether s starts with the word w and returns the rest.
func prLeadWord(s, w string) (bool, string) {
	s = strings.TrimSpace(s)
	if !prHasFold(s, w) || !prBoundary(s, len(w)) {
		return false, ""
	}
	return true, s[len(w):]
}

var prUndoTails = map[string]bool{
	"": true, "that": true, "it": true, "please": true, "last": true, "that please": true,
	"last check-in": true, "last checkin": true, "my last check-in": true, "my last checkin": true,
	"last update": true, "my last update": true,
}

// prSkipReason drops "this week" and the like after "skip" and returns the
// reason that may follow ("skip, on vacation").
func prSkipReason(tail string) string {
	t := tail
	for {
		u := strings.TrimLeft(t, " ")
		matched := false
		for _, w := range []string{"for this week", "this week", "for the week", "for now", "this time", "this one", "today", "it", "please"} {
			if n := prPhrase(u, w); n > 0 {
				t = u[n:]
				matched = true
				break
			}
		}
		if !matched {
			break
		}
	}
	t = strings.TrimLeft(t, " \n,;:.!-–—")
	return strings.TrimSpace(t)
}

func prHasKRRef(s string) bool {
	f := strings.Fields(strings.NewReplacer(",", " ", ";", " ", ":", " ").Replace(s))
	for i := range f {
		f[i] = strings.ToLower(f[i])
	}
	for p := range f {
		if _, _, ok := prRefAt(f, p); ok {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Notes and blockers take the rest of the message.

type prSection struct {
	blocker bool
	text    string
}

var prSectionWords = []struct {
	w       string
	blocker bool
}{
	{"blockers", true}, {"blocker", true}, {"blocked", true},
	{"comments", false}, {"comment", false}, {"notes", false}, {"note", false},
}

var prNoBlockers = map[string]bool{
	"none": true, "no": true, "nothing": true, "n/a": true, "na": true, "nope": true, "nil": true, "-": true,
	"none so far": true, "none this week": true, "no blockers": true, "nothing blocking": true,
}

// prSections finds "note: …" and "blocked: …" parts. The first one ends the
// ordinary clauses; each runs to the end of the message or to the next
// labelled part. It returns where the ordinary clauses end.
func prSections(t string) (int, []prSection, *ParseError) {
	first := -1
	var blocker bool
	var content int
	for i := 0; i < len(t); i++ {
		switch t[i] | 0x20 {
		case 'n', 'b', 'c':
			if b, c, ok := prSectionAt(t, i, false); ok {
				first, blocker, content = i, b, c
			}
		}
		if first >= 0 {
			break
		}
	}
	if first < 0 {
		return len(t), nil, nil
	}
	var out []prSection
	for {
		end := len(t)
		var nb bool
		var nc int
		for j := content; j < len(t); j++ {
			switch t[j] | 0x20 {
			case 'n', 'b', 'c':
				if b, c, ok := prSectionAt(t, j, true); ok {
					end, nb, nc = j, b, c
				}
			}
			if end < len(t) {
				break
			}
		}
		text := strings.TrimSpace(t[content:end])
		text = strings.TrimLeft(text, ",;:-–— ")
		text = strings.TrimSpace(strings.TrimRight(text, ",; \n"))
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), " and"))
		if blocker {
			switch {
			case text == "":
				return 0, nil, &ParseError{Message: `What's blocking you? Try "blocked: waiting on legal".`}
			case prNoBlockers[strings.ToLower(strings.TrimRight(text, ".! "))]:
				text = ""
			}
		} else if text == "" {
			return 0, nil, &ParseError{Message: `The note is empty. Try "note: shipped the beta to 3 customers".`}
		}
		out = append(out, prSection{blocker: blocker, text: text})
		if end == len(t) {
			break
		}
		blocker, content = nb, nc
	}
	return first, out, nil
}

// prSectionAt reports whether a note or blocker part starts at byte i of t
// and where its text starts. Labelled forms ("note:", "blocked:") count
// anywhere after a word break; bare forms ("blocked on x", "note x") only at
// the start of a clause. Inside a part (strict) only a new part after a
// separator counts, and a bare one only at the start of a line.
func prSectionAt(t string, i int, strict bool) (blocker bool, content int, ok bool) {
	if !prBoundaryBefore(t, i) {
		return false, 0, false
	}
	for _, sw := range prSectionWords {
		if !prHasFold(t[i:], sw.w) {
			continue
		}
		j := i + len(sw.w)
		if !prBoundary(t, j) {
			continue
		}
		k := j
		for k < len(t) && t[k] == ' ' {
			k++
		}
		clauseStart := prClauseStart(t, i)
		if k < len(t) && t[k] == ':' {
			if strict && !clauseStart {
				return false, 0, false
			}
			return sw.blocker, k + 1, true
		}
		if strict {
			if !prLineStart(t, i) {
				return false, 0, false
			}
		} else if !clauseStart {
			// "KR3 at risk blocked on legal"
			if sw.w == "blocked" {
				if c, ok := prAfterOnBy(t, k); ok {
					return true, c, true
				}
			}
			return false, 0, false
		}
		if k < len(t) && strings.ContainsRune("-–—", rune(t[k])) || strings.HasPrefix(t[k:], "–") || strings.HasPrefix(t[k:], "—") {
			return sw.blocker, k, true
		}
		if sw.w == "blocked" {
			if c, ok := prAfterOnBy(t, k); ok {
				return true, c, true
			}
		}
		if k == j && j < len(t) {
			// "note," "blocked." at the start of a clause still count; "notes'" does not.
			if !strings.ContainsRune(",;.!\n", rune(t[j])) {
				return false, 0, false
			}
		}
		return sw.blocker, j, true
	}
	return false, 0, false
}

func prAfterOnBy(t string, k int) (int, bool) {
	for _, w := range []string{"on", "by"} {
		if prHasFold(t[k:], w) && k+len(w) < len(t) && (t[k+len(w)] == ' ' || t[k+len(w)] == ':') {
			return k + len(w) + 1, true
		}
	}
	return 0, false
}

// prClauseStart reports whether byte i starts a clause: the start of the
// text, or after a separator (newline, ";", ",", ". ", " and ", a bullet).
func prClauseStart(t string, i int) bool {
	j := i
	for j > 0 && t[j-1] == ' ' {
		j--
	}
	if j == 0 {
		return true
	}
	switch t[j-1] {
	case '\n', ';', ',':
		return true
	case '.', '!', '?':
		return j < i
	case '-', '*':
		return j < i && prLineStart(t, j-1)
	}
	if strings.HasSuffix(t[:j], "•") {
		return j < i && prLineStart(t, j-len("•"))
	}
	for _, w := range []string{" and", " but"} {
		if len(t[:j]) >= len(w) && prHasFold(t[j-len(w):], w) {
			return j < i
		}
	}
	return false
}

func prLineStart(t string, i int) bool {
	j := i
	for j > 0 && t[j-1] == ' ' {
		j--
	}
	if j == 0 || t[j-1] == '\n' {
		return true
	}
	if j < i && (t[j-1] == '-' || t[j-1] == '*') {
		k := j - 1
		for k > 0 && t[k-1] == ' ' {
			k--
		}
		return k == 0 || t[k-1] == '\n'
	}
	return false
}

// ---------------------------------------------------------------------------
// Clauses

type prSeg struct {
	start, end int
	sep        string // "and" or "but" when that word ended the clause
}

// prSplit splits text into clauses at ",", ";", newlines, ". " and the words
// "and" and "but". A comma between digits is a thousands separator. List
// markers ("- ", "* ", "1. ") at the start of a line are skipped.
func prSplit(s string) []prSeg {
	var segs []prSeg
	start, lineStart := 0, true
	push := func(end int, sep string) {
		if strings.TrimSpace(s[start:end]) != "" {
			segs = append(segs, prSeg{start, end, sep})
		} else if sep == "" && len(segs) > 0 {
			segs[len(segs)-1].sep = ""
		}
	}
	for i := 0; i < len(s); {
		if lineStart {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			i = prListMarker(s, i)
			start, lineStart = i, false
			continue
		}
		c := s[i]
		switch {
		case c == '\n' || c == ';':
			push(i, "")
			i++
			start, lineStart = i, c == '\n'
		case c == ',':
			if i > 0 && prDigit(s[i-1]) && i+1 < len(s) && prDigit(s[i+1]) {
				i++
				continue
			}
			push(i, "")
			i++
			start = i
		case (c == '.' || c == '!' || c == '?') && i+1 < len(s) && s[i+1] == ' ':
			push(i, "")
			i++
			start = i
		case c == ' ':
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			sep := ""
			for _, w := range []string{"and", "but"} {
				if prHasFold(s[j:], w) && j+len(w) < len(s) && s[j+len(w)] == ' ' {
					sep = w
				}
			}
			if sep != "" {
				push(i, sep)
				i = j + len(sep)
				start = i
				continue
			}
			i = j
		default:
			i++
		}
	}
	push(len(s), "")
	return segs
}

func prListMarker(s string, i int) int {
	for _, m := range []string{"-", "*", "•", "·", "–", "—"} {
		if strings.HasPrefix(s[i:], m) {
			j := i + len(m)
			if j < len(s) && s[j] == ' ' {
				return j
			}
		}
	}
	j := i
	for j < len(s) && j-i < 2 && prDigit(s[j]) {
		j++
	}
	if j > i && j+1 < len(s) && (s[j] == '.' || s[j] == ')') && s[j+1] == ' ' {
		return j + 1
	}
	return i
}

type prKind int

const (
	prIgnore  prKind = iota // "thanks", "no blockers"
	prUpdate                // about a key result, or a value with none named
	prOverall               // confidence, status or "same" with no key result named
)

type prClause struct {
	kind   prKind
	upd    KRUpdate
	conf   *int
	status okrcore.Status
	same   bool
}

type prFail struct {
	msg      string
	anchored bool   // the clause was clearly meant as a check-in (it names a KR or holds a number)
	hard     bool   // a definite mistake (confidence 11): no re-reading helps
	multi    bool   // several key results in one clause
	bareRef  string // the clause is only a key result id ("KR3") with nothing said about it
}

var prPolite = map[string]bool{
	"thanks": true, "thank you": true, "thx": true, "ty": true, "cheers": true, "ok": true, "okay": true,
	"no blockers": true, "no blocker": true, "nothing blocking": true, "not blocked": true,
	"no blockers this week": true, "that's it": true, "thats it": true, "that's all": true, "thats all": true,
}

// prParseClause reads one clause.
func prParseClause(raw string) (prClause, *prFail) {
	s := strings.TrimSpace(raw)
	s = strings.TrimSpace(strings.TrimRight(s, ".!?… "))
	low := strings.ToLower(strings.Join(strings.Fields(s), " "))
	low = strings.TrimRight(low, ".!?… ")
	if s == "" || prPolite[low] {
		return prClause{kind: prIgnore}, nil
	}
	if ok, tail := prLeadWord(low, "skip"); ok && prSkipReason(tail) == "" {
		return prClause{}, &prFail{msg: prSkipMsg, hard: true}
	}
	if ok, tail := prLeadWord(low, "undo"); ok && prUndoTails[strings.TrimSpace(tail)] {
		return prClause{}, &prFail{msg: prUndoMsg, hard: true}
	}
	tw, lw := prTokens(s)
	// Connecting words at either end.
	for len(lw) > 1 && prConnectors[lw[0]] {
		tw, lw = tw[1:], lw[1:]
	}
	for len(lw) > 1 && prConnectors[lw[len(lw)-1]] {
		tw, lw = tw[:len(tw)-1], lw[:len(lw)-1]
	}
	if len(lw) == 0 {
		return prClause{kind: prIgnore}, nil
	}
	// A key result named by id.
	var at []int
	for p := 0; p < len(lw); p++ {
		if _, n, ok := prRefAt(lw, p); ok {
			at = append(at, p)
			p += n - 1
		}
	}
	if len(at) > 1 {
		return prClause{}, &prFail{anchored: true, multi: true,
			msg: `Give each key result its own value, separated by commas, e.g. "KR2 45%, KR3 done".`}
	}
	if len(at) == 1 {
		return prIDClause(s, tw, lw, at[0])
	}
	return prWordClause(s, raw, tw, lw)
}

var prConnectors = map[string]bool{"and": true, "but": true, "also": true, "plus": true, "except": true, "then": true, "&": true}

var prLeadIgnore = map[string]bool{
	"set": true, "mark": true, "marked": true, "put": true, "for": true, "on": true, "update": true, "updated": true,
	"and": true, "also": true, "plus": true, "but": true, "except": true, "then": true, "my": true,
}

// prRefAt reads a key result or KPI id at word p: "KR2", "kr2", "#KR2",
// "KR-2", "KR 2", "KPI3". It returns the normalized ref and the words used.
func prRefAt(lw []string, p int) (string, int, bool) {
	w := strings.TrimPrefix(lw[p], "#")
	for _, kind := range []okrcore.RefKind{okrcore.RefKPI, okrcore.RefKeyResult} {
		k := strings.ToLower(string(kind))
		if !strings.HasPrefix(w, k) {
			continue
		}
		digits := strings.TrimPrefix(w[len(k):], "-")
		if digits == "" && p+1 < len(lw) {
			digits = lw[p+1]
			if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n > 0 && prAllDigits(digits) {
				return okrcore.Ref{Kind: kind, ID: okrcore.ID(n)}.String(), 2, true
			}
			return "", 0, false
		}
		if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n > 0 && prAllDigits(digits) {
			return okrcore.Ref{Kind: kind, ID: okrcore.ID(n)}.String(), 1, true
		}
		return "", 0, false
	}
	return "", 0, false
}

// prTokens splits a clause into words, as typed (tw) and lower-cased (lw).
// ":" and "=" separate words; brackets and quotes around words are dropped,
// and so are words made only of emoji (except check marks, which mean done).
var prTokenReplacer = strings.NewReplacer(":", " ", "=", " ", "->", " -> ", "→", " → ")

func prTokens(s string) (tw, lw []string) {
	s = prTokenReplacer.Replace(s)
	for _, f := range strings.Fields(s) {
		f = strings.TrimFunc(f, func(r rune) bool {
			return unicode.In(r, unicode.Ps, unicode.Pe, unicode.Pi, unicode.Pf) || r == '"' || r == '\'' || r == '`' || r == '*' || r == '_'
		})
		if f == "" {
			continue
		}
		if !prDoneMarks[f] && prSymbolsOnly(f) {
			continue
		}
		tw = append(tw, f)
		lw = append(lw, strings.ToLower(f))
	}
	return tw, lw
}

func prSymbolsOnly(f string) bool {
	for _, r := range f {
		if !unicode.In(r, unicode.So, unicode.Sk, unicode.Mn, unicode.Me, unicode.Cf, unicode.Co) && r != '\u200d' {
			return false
		}
	}
	return true
}

// prIDClause reads a clause that names a key result by id: "KR2 45%".
func prIDClause(s string, tw, lw []string, k int) (prClause, *prFail) {
	ref, n, _ := prRefAt(lw, k)
	for _, w := range lw[:k] {
		if !prLeadIgnore[w] {
			return prClause{}, &prFail{anchored: true,
				msg: fmt.Sprintf(`I couldn't tell what %s means. Start with the key result, e.g. "%s 45%%".`, prQuote(s), ref)}
		}
	}
	ptw, plw := tw[k+n:], lw[k+n:]
	pl, soft, hard := prParsePayload(ptw, plw)
	if hard != nil {
		return prClause{}, &prFail{msg: hard.Message, hard: true, anchored: true}
	}
	if soft != nil {
		f := &prFail{anchored: true, msg: prSoftMessage(s, ref, ptw, plw, soft)}
		if prFirstNonFiller(plw) == len(plw) {
			f.bareRef = ref
		}
		return prClause{}, f
	}
	return prBuild(ref, s, pl), nil
}

// prSoftMessage explains why the words after a key result were not understood.
func prSoftMessage(s, ref string, tw, lw []string, f *prSoft) string {
	switch f.kind {
	case prSoftTwoValues:
		return fmt.Sprintf(`%s has two values. Send one, e.g. "%s 45%%".`, prQuote(s), ref)
	case prSoftConflict:
		return fmt.Sprintf(`%s says two different things. Send one, e.g. "%s 45%%" or "%s done".`, prQuote(s), ref, ref)
	case prSoftDelta:
		return fmt.Sprintf(`Send the new value of %s rather than the change, e.g. "%s 45%%".`, ref, ref)
	}
	if f.at >= len(lw) || !f.seen {
		first := prFirstNonFiller(lw)
		if first >= len(lw) {
			return fmt.Sprintf(`What's the new value for %s? Try "%s 45%%" or "%s done".`, ref, ref, ref)
		}
		switch lw[first] {
		case "blocked", "blocker", "blockers", "stuck":
			return fmt.Sprintf(`What's blocking %s? Write e.g. "%s at risk, blocked: waiting on legal".`, ref, ref)
		}
		bad := strings.Join(tw[first:], " ")
		if prLooksNumeric(lw[first]) {
			bad = tw[first]
		}
		return fmt.Sprintf(`I couldn't read %s as a number. Try "%s 45%%" or "revenue 1.2M".`, prQuote(bad), ref)
	}
	extra := strings.Join(tw[f.extra:], " ")
	return fmt.Sprintf(`I couldn't tell what %s means in %s. Separate parts with commas and put remarks after "note:", e.g. "%s 45%%, note: …".`,
		prQuote(extra), prQuote(s), ref)
}

func prFirstNonFiller(lw []string) int {
	for p := range lw {
		if !prFiller[lw[p]] {
			return p
		}
	}
	return len(lw)
}

// prWordClause reads a clause that names its key result by title words
// ("revenue 1.2M", "hiring done") or names none ("45%", "confidence 7").
func prWordClause(s, raw string, tw, lw []string) (prClause, *prFail) {
	var hard *ParseError
	if len(lw) <= 40 {
		for i := 0; i < len(lw); i++ {
			if i > 0 && !prRefWord(tw, lw, i-1) {
				break
			}
			pl, soft, h := prParsePayload(tw[i:], lw[i:])
			if h != nil {
				// "confidence high" is a mistake, unless the words turn
				// out to be a title: "customer confidence index 70".
				if hard == nil {
					hard = h
				}
				continue
			}
			if soft == nil {
				return prBuild(strings.Join(tw[:i], " "), s, pl), nil
			}
		}
	}
	if hard != nil {
		return prClause{}, &prFail{msg: hard.Message, hard: true, anchored: true}
	}
	// Not understood: say why as precisely as possible.
	for p, w := range lw {
		if !prLooksNumeric(w) {
			continue
		}
		if _, _, ok := prValueAt(tw, p); ok {
			continue
		}
		if _, ok := prRatio(w); ok {
			continue
		}
		return prClause{}, &prFail{anchored: true, msg: fmt.Sprintf(`I couldn't read %s as a number. %s`, prQuote(tw[p]), prTryValue)}
	}
	if i := strings.IndexAny(raw, ":="); i >= 0 && strings.TrimSpace(raw[i+1:]) != "" {
		name := strings.TrimSpace(raw[:i])
		val := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(raw[i+1:]), ".!?"))
		if name != "" && !strings.ContainsAny(name, ",;") {
			return prClause{}, &prFail{anchored: true,
				msg: fmt.Sprintf(`I couldn't read %s as a number. Try "%s 45%%" or "%s done".`, prQuote(val), name, name)}
		}
	}
	anchored := false
	for p := range lw {
		if _, _, ok := prValueAt(tw, p); ok || prAnchorWords[lw[p]] || prDoneWords[lw[p]] || prConfWords[lw[p]] {
			anchored = true
		}
	}
	if anchored {
		return prClause{}, &prFail{anchored: true,
			msg: fmt.Sprintf(`I couldn't tell what %s means. Separate parts with commas, e.g. "KR2 45%%, KR3 done, confidence 7", and put remarks after "note:".`, prQuote(s))}
	}
	f := &prFail{msg: fmt.Sprintf(`I didn't understand %s. Try "KR2 45%%", "revenue 1.2M" or "hiring done", and put remarks after "note:".`, prQuote(s))}
	if len(lw) <= 4 {
		f.bareRef = strings.Join(tw, " ")
		for _, w := range lw {
			if !prIsWord(w) || prKeyword[w] || prFiller[w] {
				f.bareRef = ""
			}
		}
	}
	return prClause{}, f
}

// prRefWord reports whether word p may be part of a key result's title as a
// person names it: not the start of "confidence 7", and not a number with a
// unit, decimals or a sign (plain counts such as "5 engineers" are fine).
func prRefWord(tw, lw []string, p int) bool {
	w := tw[p]
	if prConfWords[lw[p]] && p+1 < len(lw) {
		// "confidence 7" is never part of a title.
		if _, ok := prRatio(lw[p+1]); ok {
			return false
		}
		if _, _, ok := prValueAt(tw, p+1); ok {
			return false
		}
	}
	if n, k, ok := prValueAt([]string{w}, 0); ok && k == 1 {
		if n.Percent || n.Currency != "" || strings.ContainsAny(n.Raw, ".,+-−~≈") || !prAllDigits(n.Raw) {
			return false
		}
	}
	return true
}

func prBuild(ref, raw string, pl prPayload) prClause {
	if ref == "" && pl.value == nil && pl.done == nil {
		return prClause{kind: prOverall, conf: pl.conf, status: pl.status, same: pl.same}
	}
	return prClause{kind: prUpdate, upd: KRUpdate{
		Ref: ref, Value: pl.value, Done: pl.done, Status: pl.status, Confidence: pl.conf, Same: pl.same, Raw: raw,
	}}
}

// ---------------------------------------------------------------------------
// What is said about a key result: value, done, status, confidence, same.

type prPayload struct {
	value  *Number
	done   *bool
	status okrcore.Status
	conf   *int
	same   bool
}

type prSoftKind int

const (
	prSoftUnknown   prSoftKind = iota // a word that is none of the things below
	prSoftTwoValues                   // "45% 50%"
	prSoftConflict                    // "45% done", "done not done"
	prSoftDelta                       // "up 5%": a change, not a value
)

type prSoft struct {
	kind  prSoftKind
	at    int  // the word not understood
	seen  bool // something was understood before it
	extra int  // where the words not understood start (after the last thing understood)
}

var prFiller = map[string]bool{
	"is": true, "are": true, "at": true, "to": true, "now": true, "was": true, "currently": true, "reached": true,
	"-": true, "–": true, "—": true, "->": true, "→": true, "as": true, "yet": true, "still": true,
	"about": true, "around": true, "approx": true, "approximately": true, "roughly": true, "~": true, "≈": true,
	"from": true, "and": true, "it's": true, "its": true,
}

var prConfWords = map[string]bool{"confidence": true, "conf": true, "confidence-level": true}

var prDoneWords = map[string]bool{
	"done": true, "complete": true, "completed": true, "finished": true, "achieved": true, "hit": true,
	"✅": true, "✔": true, "✔️": true, "☑": true, "☑️": true, "✓": true,
}

var prDoneMarks = map[string]bool{"✅": true, "✔": true, "✔️": true, "☑": true, "☑️": true, "✓": true}

var prSameSeqs = [][]string{
	{"same", "as", "last", "week"}, {"same", "as", "last", "time"}, {"same", "as", "before"},
	{"no", "changes"}, {"no", "change"}, {"nothing", "changed"}, {"nothing", "new"},
	{"no", "updates"}, {"no", "update"}, {"not", "changed"}, {"unchanged"}, {"same"}, {"flat"},
}

// prAnchorWords show that a clause not understood was still meant as a check-in.
var prAnchorWords = map[string]bool{
	"track": true, "risk": true, "ontrack": true, "atrisk": true, "offtrack": true, "on-track": true, "at-risk": true,
	"off-track": true, "same": true, "unchanged": true,
}

// prKeyword are words that are never a unit after a number.
var prKeyword = map[string]bool{
	"on": true, "off": true, "at": true, "track": true, "risk": true, "ontrack": true, "atrisk": true, "offtrack": true,
	"on-track": true, "at-risk": true, "off-track": true, "green": true, "amber": true, "yellow": true, "red": true, "behind": true,
	"not": true, "isn't": true, "isnt": true, "yet": true, "incomplete": true,
	"same": true, "no": true, "nothing": true, "unchanged": true, "flat": true,
	"to": true, "and": true, "but": true, "is": true, "now": true,
}

func init() {
	for w := range prDoneWords {
		prKeyword[w] = true
	}
	for w := range prConfWords {
		prKeyword[w] = true
	}
}

// prParsePayload reads the words after the key result. A soft failure means
// these words are not a payload (the caller may read the clause another
// way); a hard one is a definite mistake such as "confidence 11".
func prParsePayload(tw, lw []string) (prPayload, *prSoft, *ParseError) {
	var pl prPayload
	n := len(lw)
	items := 0
	replaceValue := false // "from 40% to 45%"
	extra := 0            // end of the last thing understood
	fail := func(kind prSoftKind, at int) (prPayload, *prSoft, *ParseError) {
		return prPayload{}, &prSoft{kind: kind, at: at, seen: items > 0, extra: min(extra, at)}, nil
	}
	for p := 0; p < n; {
		w := lw[p]
		// Confidence: "confidence 7", "conf: 7/10", "confidence is 7".
		if prConfWords[w] {
			q := p + 1
			for q < n && (prFiller[lw[q]] || lw[q] == "level" || lw[q] == "of") {
				q++
			}
			c, used, err := prConfValue(tw, lw, q)
			if err != nil {
				return prPayload{}, nil, err
			}
			if pl.conf != nil {
				return fail(prSoftConflict, p)
			}
			pl.conf = &c
			items++
			p = q + used
			extra = p
			continue
		}
		// Confidence before the word: "7/10 confidence", "7 confidence".
		if c, used, ok, err := prConfBefore(tw, lw, p); ok || err != nil {
			if err != nil {
				return prPayload{}, nil, err
			}
			if pl.conf != nil {
				return fail(prSoftConflict, p)
			}
			pl.conf = &c
			items++
			p += used
			extra = p
			continue
		}
		if st, used := prStatusAt(lw, p); used > 0 {
			if pl.status != "" && pl.status != st {
				return fail(prSoftConflict, p)
			}
			pl.status = st
			items++
			p += used
			extra = p
			continue
		}
		if used := prSameAt(lw, p); used > 0 {
			if pl.value != nil || pl.done != nil {
				return fail(prSoftConflict, p)
			}
			pl.same = true
			items++
			p += used
			extra = p
			continue
		}
		if (w == "hit" || w == "reached") && p+1 < n {
			if _, _, ok := prValueAt(tw, p+1); ok {
				p++
				continue
			}
		}
		if d, used := prDoneAt(lw, p); used > 0 {
			if pl.value != nil || pl.same || (pl.done != nil && *pl.done != d) {
				return fail(prSoftConflict, p)
			}
			pl.done = &d
			items++
			p += used
			extra = p
			continue
		}
		if num, used, ok := prValueAt(tw, p); ok {
			if math.Abs(num.Value) > prMaxMagnitude {
				return prPayload{}, nil, prErrorf(`%s is too big for a key result. Check the number, e.g. "KR2 1.2M".`, prQuote(num.Raw))
			}
			switch {
			case pl.done != nil || pl.same:
				return fail(prSoftConflict, p)
			case pl.value != nil && !replaceValue:
				return fail(prSoftTwoValues, p)
			}
			v := num
			pl.value = &v
			items++
			p += used
			extra = p
			replaceValue = false
			// "3 of 5", "3 out of 5": the 5 is the target, not a second value.
			if q := prOfAt(tw, lw, p); q > p {
				p = q
			}
			// Words naming the unit: "12 customers", "1.2M in revenue".
			for u := 0; u < 3 && p < n && prIsWord(lw[p]) && !prKeyword[lw[p]] && prOfAt(tw, lw, p) == p; u++ {
				p++
			}
			if q := prOfAt(tw, lw, p); q > p {
				p = q // "3 engineers out of 5"
				for u := 0; u < 3 && p < n && prIsWord(lw[p]) && !prKeyword[lw[p]]; u++ {
					p++
				}
			}
			if p+1 < n && (lw[p] == "to" || lw[p] == "->" || lw[p] == "→") {
				if _, _, ok := prValueAt(tw, p+1); ok {
					replaceValue = true
					p++
				}
			}
			continue
		}
		if r, ok := prRatio(w); ok {
			// "7/10" alone is most likely a confidence.
			if r[1] == 10 {
				return prPayload{}, nil, prErrorf(`Is %s your confidence? Write "confidence %s".`, prQuote(tw[p]), trimNum(r[0]))
			}
			return fail(prSoftUnknown, p)
		}
		if prFiller[w] {
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
			if _, _, ok := prValueAt(tw, q); ok && q < n {
				return fail(prSoftDelta, p)
			}
		}
		return fail(prSoftUnknown, p)
	}
	if items == 0 {
		return fail(prSoftUnknown, n)
	}
	return pl, nil, nil
}

// prOfAt skips "of 5" or "out of 5" at word p and returns where it ends (p
// when there is none).
func prOfAt(tw, lw []string, p int) int {
	q := p
	if q < len(lw) && lw[q] == "out" {
		q++
	}
	if q >= len(lw) || lw[q] != "of" {
		return p
	}
	if m, used, ok := prValueAt(tw, q+1); ok && !m.Percent {
		return q + 1 + used
	}
	return p
}

func trimNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// prRatio reads "7/10".
func prRatio(w string) ([2]float64, bool) {
	a, b, ok := strings.Cut(w, "/")
	if !ok || a == "" || b == "" || !prAllDigits(b) {
		return [2]float64{}, false
	}
	for _, c := range []byte(a) {
		if !prDigit(c) && c != '.' {
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

// prConfValue reads the confidence at word q: "7", "7/10", "7 / 10",
// "7 out of 10", "70%".
func prConfValue(tw, lw []string, q int) (int, int, *ParseError) {
	if q >= len(lw) {
		return 0, 0, prErrorf(`What's your confidence from 0 to 10? Try "confidence 7".`)
	}
	bad := func(w string) (int, int, *ParseError) {
		return 0, 0, prErrorf(`I couldn't read %s as a confidence. Use a whole number from 0 to 10, %s`, prQuote(w), prTryConf)
	}
	var v float64
	used := 1
	if r, ok := prRatio(lw[q]); ok {
		if r[1] != 10 {
			return bad(tw[q])
		}
		v = r[0]
	} else {
		num, k, ok := prValueAt(tw[:min(len(tw), q+2)], q)
		if !ok || num.Currency != "" {
			return bad(tw[q])
		}
		used = k
		v = num.Value
		switch {
		case num.Percent:
			if v < 0 || v > 100 {
				return 0, 0, prErrorf(`Confidence goes from 0 to 10, so %s doesn't fit. Try "confidence 7".`, prQuote(num.Raw))
			}
			v = math.Round(v / 10)
		case q+used+1 < len(lw) && lw[q+used] == "/" && lw[q+used+1] == "10":
			used += 2
		case q+used+2 < len(lw) && lw[q+used] == "out" && lw[q+used+1] == "of" && lw[q+used+2] == "10":
			used += 3
		}
	}
	if v < 0 || v > 10 {
		return 0, 0, prErrorf(`Confidence goes from 0 to 10, so %s doesn't fit. Try "confidence 7".`, prQuote(tw[q]))
	}
	if v != math.Trunc(v) {
		return 0, 0, prErrorf(`Confidence is a whole number from 0 to 10; %s isn't. Try "confidence 7".`, prQuote(tw[q]))
	}
	return int(v), used, nil
}

// prConfBefore reads "7/10 confidence", "7 confidence", "7 out of 10 confidence".
func prConfBefore(tw, lw []string, p int) (int, int, bool, *ParseError) {
	for _, span := range []int{1, 2, 3, 4} {
		if p+span >= len(lw) || !prConfWords[lw[p+span]] {
			continue
		}
		// In "45% confidence 7" the 7 belongs to the word, not the 45%.
		q := p + span + 1
		for q < len(lw) && (prFiller[lw[q]] || lw[q] == "level" || lw[q] == "of") {
			q++
		}
		if q < len(lw) {
			if _, isRatio := prRatio(lw[q]); isRatio {
				continue
			}
			if _, _, isNum := prValueAt(tw, q); isNum {
				continue
			}
		}
		ok := false
		switch span {
		case 1:
			// A percent before the word is a value: "KR2 45% confidence 7".
			_, isRatio := prRatio(lw[p])
			m, k, isNum := prValueAt(tw[:p+1], p)
			ok = isRatio || isNum && k == 1 && !m.Percent && m.Currency == ""
		case 2:
			m, k, isNum := prValueAt(tw[:p+2], p)
			ok = isNum && k == 2 && !m.Percent && m.Currency == ""
		case 3:
			ok = lw[p+1] == "/" && lw[p+2] == "10"
		case 4:
			ok = lw[p+1] == "out" && lw[p+2] == "of" && lw[p+3] == "10"
		}
		if !ok {
			continue
		}
		c, used, err := prConfValue(tw[:p+span], lw[:p+span], p)
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

// prStatusStart are the words a status can start with (okrcore.ParseStatus
// reads the rest); checking them first keeps long messages fast.
var prStatusStart = map[string]bool{
	"on": true, "at": true, "off": true, "ontrack": true, "atrisk": true, "offtrack": true,
	"on-track": true, "at-risk": true, "off-track": true, "on_track": true, "at_risk": true, "off_track": true,
	"green": true, "amber": true, "yellow": true, "red": true, "behind": true,
}

func prStatusAt(lw []string, p int) (okrcore.Status, int) {
	if !prStatusStart[lw[p]] {
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

func prSameAt(lw []string, p int) int {
	for _, seq := range prSameSeqs {
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

// prDoneAt reads "done", "complete", "not done", "not yet done", "isn't done",
// "not yet", "incomplete".
func prDoneAt(lw []string, p int) (bool, int) {
	w := lw[p]
	if prDoneWords[w] {
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
		if q < len(lw) && (prDoneWords[lw[q]] || lw[q] == "started") {
			return false, q - p + 1
		}
		if q > p+1 {
			return false, q - p // "not yet"
		}
	}
	return false, 0
}

// ---------------------------------------------------------------------------
// Matching updates to key results

// Resolve matches updates to the person's key results (typically those they
// own in the current cycle) and computes each new value in the key result's
// own unit. See the package documentation of the check-in grammar for the
// rules; every error is a *ParseError written for a person.
func Resolve(updates []KRUpdate, krs []*okrcore.KeyResult) ([]Resolved, error) {
	var mine []*okrcore.KeyResult
	ids := map[okrcore.ID]bool{}
	for _, k := range krs {
		if k != nil && !ids[k.ID] {
			ids[k.ID] = true
			mine = append(mine, k)
		}
	}
	if len(updates) == 0 {
		return nil, nil
	}
	if len(mine) == 0 {
		return nil, &ParseError{Message: `You have no key results to check in on in this cycle.`}
	}
	var out []Resolved
	index := map[*okrcore.KeyResult]int{}
	for _, u := range updates {
		k, err := prMatch(u, mine)
		if err != nil {
			return nil, err
		}
		r, err := prResolveOne(u, k)
		if err != nil {
			return nil, err
		}
		i, seen := index[k]
		if !seen {
			index[k] = len(out)
			out = append(out, r)
			continue
		}
		merged, err := prMerge(out[i], r)
		if err != nil {
			return nil, err
		}
		out[i] = merged
	}
	return out, nil
}

func prMerge(a, b Resolved) (Resolved, error) {
	ref := a.KR.Ref().String()
	if a.HasValue && b.HasValue && a.Value != b.Value {
		return a, prErrorf(`You gave %s two values (%s and %s). Send one, e.g. "%s %s".`, ref,
			okrcore.FormatValue(a.Value, a.KR.Metric, a.KR.Unit), okrcore.FormatValue(b.Value, b.KR.Metric, b.KR.Unit),
			ref, prExampleValue(a.KR))
	}
	if a.Status != "" && b.Status != "" && a.Status != b.Status {
		return a, prErrorf(`You said %s is both %s and %s. Send one, e.g. "%s at risk".`, ref, a.Status.Label(), b.Status.Label(), ref)
	}
	if a.Confidence != nil && b.Confidence != nil && *a.Confidence != *b.Confidence {
		return a, prErrorf(`You gave %s two confidence values (%d and %d). Send one, e.g. "%s confidence 7".`, ref, *a.Confidence, *b.Confidence, ref)
	}
	if b.HasValue {
		a.Value, a.HasValue = b.Value, true
	}
	if b.Status != "" {
		a.Status = b.Status
	}
	if b.Confidence != nil {
		a.Confidence = b.Confidence
	}
	a.Raw = strings.TrimSpace(a.Raw + ", " + b.Raw)
	return a, nil
}

// prExampleValue is a value that fits the key result, for examples in messages.
func prExampleValue(k *okrcore.KeyResult) string {
	switch k.Metric {
	case okrcore.MetricMilestone:
		return "done"
	case okrcore.MetricPercent:
		return "45%"
	}
	v := k.Current
	if k.Target != k.Start {
		v = k.Start + (k.Target-k.Start)/2
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	s := okrcore.FormatValue(v, k.Metric, "")
	if k.Metric == okrcore.MetricCurrency {
		unit := prCurrencySymbol(k.Unit)
		if unit == "" {
			unit = "$"
		}
		s = unit + strings.TrimPrefix(s, "$")
	}
	return s
}

// prDescribe renders what an update says, for examples in messages.
func prDescribe(u KRUpdate) string {
	var parts []string
	switch {
	case u.Value != nil:
		parts = append(parts, u.Value.Raw)
	case u.Done != nil && *u.Done:
		parts = append(parts, "done")
	case u.Done != nil:
		parts = append(parts, "not done")
	case u.Same:
		parts = append(parts, "same")
	}
	if u.Status != "" {
		parts = append(parts, u.Status.Label())
	}
	if u.Confidence != nil {
		parts = append(parts, "confidence "+strconv.Itoa(*u.Confidence))
	}
	if len(parts) == 0 {
		return "45%"
	}
	return strings.Join(parts, " ")
}

func prSortedKRs(krs []*okrcore.KeyResult) []*okrcore.KeyResult {
	s := append([]*okrcore.KeyResult(nil), krs...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].ID < s[j].ID })
	return s
}

// prList names key results: "KR2, KR3" or with titles "KR2 (Grow revenue), KR3 (…)";
// at most six, then "and 4 more".
func prList(krs []*okrcore.KeyResult, titles bool) string {
	const shown = 6
	var parts []string
	for i, k := range prSortedKRs(krs) {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(krs)-shown))
			break
		}
		s := k.Ref().String()
		if titles && strings.TrimSpace(k.Title) != "" {
			s += " (" + strings.Trim(prQuote(k.Title), `"`) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// prMatch finds the key result an update is about.
func prMatch(u KRUpdate, krs []*okrcore.KeyResult) (*okrcore.KeyResult, error) {
	ref := strings.TrimSpace(u.Ref)
	what := strings.TrimSpace(u.Raw)
	if what == "" {
		what = prDescribe(u)
	}
	if ref == "" {
		if len(krs) == 1 {
			return krs[0], nil
		}
		first := prSortedKRs(krs)[0].Ref().String()
		return nil, prErrorf(`Which key result is %s for? Yours are %s. Try "%s %s".`, prQuote(what), prList(krs, false), first, prDescribe(u))
	}
	compact := strings.ReplaceAll(strings.ReplaceAll(ref, " ", ""), "-", "")
	if r, ok := okrcore.ParseRef(compact); ok && r.Kind == okrcore.RefKeyResult {
		for _, k := range krs {
			if k.ID == r.ID {
				return k, nil
			}
		}
		return nil, prErrorf(`%s isn't one of your key results. Yours are %s.`, r, prList(krs, false))
	}
	words := prWords(ref)
	var content []string
	for _, w := range words {
		if !prStopWords[w] {
			content = append(content, w)
		}
	}
	if len(content) == 0 {
		content = words
	}
	best, bestScore := []*okrcore.KeyResult(nil), 0
	for _, k := range krs {
		title := prTitleWords(k)
		score := 0
		for _, w := range content {
			s := 0
			for _, t := range title {
				s = max(s, prWordMatch(w, t))
			}
			if s == 0 {
				score = 0
				break
			}
			score += s
		}
		switch {
		case score == 0:
		case score > bestScore:
			best, bestScore = []*okrcore.KeyResult{k}, score
		case score == bestScore:
			best = append(best, k)
		}
	}
	switch len(best) {
	case 0:
		first := prSortedKRs(krs)[0].Ref().String()
		return nil, prErrorf(`I couldn't find a key result matching %s. Yours are %s. Try "%s %s".`,
			prQuote(ref), prList(krs, len(krs) <= 4), first, prDescribe(u))
	case 1:
		return best[0], nil
	}
	best = prSortedKRs(best)
	names := make([]string, 0, len(best))
	for i, k := range best {
		if i == 6 {
			names = append(names, fmt.Sprintf("%d more", len(best)-6))
			break
		}
		names = append(names, k.Ref().String()+" ("+strings.Trim(prQuote(k.Title), `"`)+")")
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	return nil, prErrorf(`%s could be %s. Use the id, e.g. "%s %s".`, prQuote(ref), list, best[0].Ref(), prDescribe(u))
}

var prStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "for": true, "my": true, "our": true, "on": true,
	"in": true, "to": true, "and": true, "kr": true, "key": true, "result": true,
}

// prWords splits text into lower-case words of letters and digits.
func prWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// prTitleWords are the words of a key result's title and unit, plus each
// hyphenated word joined up ("sign-ups" also gives "signups").
func prTitleWords(k *okrcore.KeyResult) []string {
	ws := prWords(k.Title + " " + k.Unit)
	for _, f := range strings.Fields(strings.ToLower(k.Title)) {
		j := strings.Join(prWords(f), "")
		if j != "" && !strings.Contains(" "+strings.Join(ws, " ")+" ", " "+j+" ") {
			ws = append(ws, j)
		}
	}
	return ws
}

// prWordMatch scores how well a word a person typed matches a title word:
// 3 the same word, 2 the same stem ("hiring", "hire"), 1 a prefix ("rev").
func prWordMatch(r, t string) int {
	switch {
	case r == t:
		return 3
	case prStem(r) == prStem(t):
		return 2
	case utf8.RuneCountInString(r) >= 2 && strings.HasPrefix(t, r):
		return 1
	}
	rs, ts := prStem(r), prStem(t)
	if utf8.RuneCountInString(rs) >= 3 && strings.HasPrefix(ts, rs) || utf8.RuneCountInString(ts) >= 3 && strings.HasPrefix(rs, ts) {
		return 1
	}
	return 0
}

// prStem strips one common English ending: "hiring", "hired", "hires" and
// "hire" all give "hir".
func prStem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s", "e"} {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w)-len(suf) >= 3 {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// prCurrencySymbol maps a currency unit to its symbol, "" when unknown.
func prCurrencySymbol(unit string) string {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "$", "usd", "us$", "dollar", "dollars":
		return "$"
	case "€", "eur", "euro", "euros":
		return "€"
	case "£", "gbp", "pound", "pounds":
		return "£"
	}
	return ""
}

// prResolveOne computes what one update does to its key result.
func prResolveOne(u KRUpdate, k *okrcore.KeyResult) (Resolved, error) {
	ref := k.Ref().String()
	r := Resolved{KR: k, Value: k.Current, Status: u.Status, Confidence: u.Confidence, Raw: u.Raw}
	if u.Confidence != nil && (*u.Confidence < 0 || *u.Confidence > 10) {
		return r, prErrorf(`Confidence goes from 0 to 10, so %d doesn't fit. Try "%s confidence 7".`, *u.Confidence, ref)
	}
	switch u.Status {
	case okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone:
	default:
		return r, prErrorf(`I don't know the status %q. Try "%s on track", "%s at risk" or "%s off track".`, string(u.Status), ref, ref, ref)
	}
	example := ref + " " + prExampleValue(k)
	if u.Value != nil && u.Done != nil || u.Same && (u.Value != nil || u.Done != nil) {
		return r, prErrorf(`%s says two different things about %s. Send one, e.g. "%s".`, prQuote(u.Raw), ref, example)
	}
	if u.Value == nil && u.Done == nil && !u.Same && u.Status == "" && u.Confidence == nil {
		return r, prErrorf(`What's the new value for %s? Try "%s".`, ref, example)
	}
	metric := k.Metric
	switch {
	case u.Done != nil:
		switch {
		case metric == okrcore.MetricMilestone && *u.Done:
			r.Value = 1
		case metric == okrcore.MetricMilestone:
			r.Value = 0
		case *u.Done:
			r.Value = k.Target
		default:
			return r, prErrorf(`"not done" only fits a milestone. For %s send the current value, e.g. "%s".`, ref, example)
		}
		r.HasValue = true
	case u.Value != nil:
		n := *u.Value
		v := n.Value
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return r, prErrorf(`I couldn't read %s as a number. Try "%s".`, prQuote(n.Raw), example)
		}
		if math.Abs(v) > prMaxMagnitude {
			return r, prErrorf(`%s is too big for %s. Check the number, e.g. "%s".`, prQuote(n.Raw), ref, example)
		}
		switch metric {
		case okrcore.MetricMilestone:
			switch {
			case v == 0:
				r.Value = 0
			case n.Percent && v == 100 || !n.Percent && v == 1:
				r.Value = 1
			default:
				return r, prErrorf(`%s is a milestone: it's done or not done, so %s doesn't fit. Try "%s done" or "%s not done".`,
					ref, prQuote(n.Raw), ref, ref)
			}
		case okrcore.MetricPercent:
			if n.Currency != "" {
				return r, prErrorf(`%s is a percentage, not an amount of money. Try "%s 45%%".`, ref, ref)
			}
			if v < 0 || v > 1000 {
				return r, prErrorf(`%s is a percentage, so %s is out of range (0%% to 1000%%). Try "%s 45%%".`, ref, prQuote(n.Raw), ref)
			}
			r.Value = v
		default:
			if metric == okrcore.MetricCurrency && n.Currency != "" {
				want := prCurrencySymbol(k.Unit)
				if k.Unit == "" {
					want = "$"
				}
				if want != "" && want != n.Currency {
					return r, prErrorf(`%s is counted in %s, not %s. Send the value in %s, e.g. "%s".`, ref, want, n.Currency, want, example)
				}
			}
			if n.Percent {
				if k.Start == k.Target {
					return r, prErrorf(`%s starts and ends at %s, so I can't turn %s into a value. Send the value itself, e.g. "%s %s".`,
						ref, okrcore.FormatValue(k.Target, metric, k.Unit), prQuote(n.Raw), ref, okrcore.FormatValue(k.Target, metric, ""))
				}
				v = k.Start + v/100*(k.Target-k.Start)
			}
			r.Value = v
		}
		r.HasValue = true
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || math.Abs(r.Value) > prMaxMagnitude {
		return r, prErrorf(`That makes %s too big for %s. Check the number, e.g. "%s".`, trimNum(r.Value), ref, example)
	}
	return r, nil
}

// ---------------------------------------------------------------------------
// Small helpers

func prDigit(c byte) bool { return '0' <= c && c <= '9' }
func prSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

func prAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !prDigit(s[i]) {
			return false
		}
	}
	return true
}

// prHasFold reports whether s starts with prefix, ignoring ASCII case; prefix
// is lower case.
func prHasFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// prPhrase reports how many bytes of s the words of phrase take at its start,
// ignoring ASCII case and with any number of spaces between the words; 0
// when s does not start with the phrase.
func prPhrase(s, phrase string) int {
	i := 0
	for k, w := range strings.Split(phrase, " ") {
		if k > 0 {
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j == i {
				return 0
			}
			i = j
		}
		if !prHasFold(s[i:], w) {
			return 0
		}
		i += len(w)
	}
	if !prBoundary(s, i) {
		return 0
	}
	return i
}

// prBoundary reports whether a word may end at byte i of s.
func prBoundary(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// prBoundaryBefore reports whether a word may start at byte i of s.
func prBoundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func prIsLetterWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// prIsWord reports whether w is a word of letters (with inner "-" or "'").
func prIsWord(w string) bool {
	if w == "" {
		return false
	}
	for i, r := range w {
		if unicode.IsLetter(r) {
			continue
		}
		if i > 0 && (r == '-' || r == '\'' || r == '’') {
			continue
		}
		return false
	}
	return true
}

// prLetterRun splits a leading run of letters off s.
func prLetterRun(s string) (string, string) {
	for i, r := range s {
		if !unicode.IsLetter(r) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}
