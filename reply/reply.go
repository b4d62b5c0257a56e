// Package reply reads check-ins written in plain words, as people type them
// in chat in reply to the weekly nudge ("KR2 45%, hiring done, confidence 7,
// blocked: waiting on legal"), and matches them to key results. Everything
// here is pure: no I/O, no clock.
package reply

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/textarg"
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
	// Confirmed says the values are meant even where they look like slips
	// ("confirm KR4 0", what an "are you sure?" button sends).
	Confirmed bool
}

// KRUpdate is one clause about one key result, before it is matched to a record.
type KRUpdate struct {
	Ref        string         // what named the key result: "KR2" or title words such as "revenue"; "" when none was named ("45%" alone)
	Value      *Number        // nil when no value was given
	Relative   bool           // Value is a change of the current value: "+3", "3 more", "down 2" (negative), "up 10%"
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
// short sentences for a person, including an example of what works, with
// what the person typed (and their key results' titles and units) as they
// are; MessageWith is the same sentences with those passed through a
// renderer's quote, so that the rest is the bot's own words.
type ParseError struct {
	Message string
	// Choices are the key results an update may be about when it named
	// none unambiguously ("the 5", "45%", a word in two titles), each with
	// the clause that says the same with its id; Raw is the clause as
	// typed, which a choice's Clause replaces.
	Choices []Choice
	Raw     string
	// format and args are what Message was made of: the string arguments
	// are a person's text, the bot's own words are in format or in an
	// argument of another kind (own, okrcore.Ref, numbers).
	format string
	args   []any
}

// Choice is a key result an update may be about, and the update written
// with its id ("KR4 5").
type Choice struct {
	KR     *okrcore.KeyResult
	Clause string
}

func (e *ParseError) Error() string { return e.Message }

// MessageWith is Message with each of the person's words passed through
// quote (chat.User); a message made of no argument is all the bot's.
func (e *ParseError) MessageWith(quote func(string) string) string {
	if e.format == "" {
		return e.Message
	}
	return fmt.Sprintf(e.format, textarg.Quote(e.args, quote)...)
}

// own marks a string argument of a ParseError as the bot's own words (an
// id, a status, a number), which textarg.Quote leaves alone: it quotes
// only arguments of a string kind.
func own(s string) ownText { return ownText{s} }

type ownText struct{ s string }

func (o ownText) String() string { return o.s }

// Resolved is an update matched to a key result with its new value computed.
type Resolved struct {
	KR         *okrcore.KeyResult
	Value      float64 // new current value in the KR's own unit (unchanged value when only status/confidence/same)
	HasValue   bool
	Status     okrcore.Status
	Confidence *int
	Raw        string
}

// maxMagnitude is the largest value a person may type; anything bigger is a
// typo (and okrcore refuses it too).
const maxMagnitude = 1e15

const (
	help = `That doesn't look like a check-in. Reply with a value for each key result, ` +
		`e.g. "KR2 45%, KR3 done, confidence 7", or "same as last week", or "skip".`
	tryValue = `Try "KR2 45%" or "revenue 1.2M".`
	tryConf  = `e.g. "confidence 7".`
	skipMsg  = `To skip this week, send just "skip" (a reason may follow, e.g. "skip, on vacation").`
	undoMsg  = `To take back your last check-in, send just "undo".`
)

// errorf is a ParseError whose string arguments are a person's text.
func errorf(format string, args ...any) *ParseError {
	return &ParseError{Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// quote shows what a person typed inside a message: one line, clipped.
func quote(s string) string {
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

// The whole message

// ParseReply parses a whole message. It returns a *ParseError when any clause
// is not understood (nothing is applied then) or when the text contains no
// check-in at all.
func ParseReply(text string) (Reply, error) { return ParseReplyWith(text, Options{}) }

// ParseReplyWith is ParseReply for a person who writes numbers as o says.
// A message that starts with "confirm" ("confirm KR4 0") is Confirmed: the
// values in it are meant even where they look like slips.
func ParseReplyWith(text string, o Options) (Reply, error) {
	var r Reply
	t := strings.TrimSpace(stripLead(normSpace(text)))
	if ok, tail := leadWord(t, "confirm"); ok {
		r.Confirmed = true
		t = strings.TrimSpace(strings.TrimLeft(tail, " :,.!")) // not "-": "confirm -3"
	}
	if t == "" {
		return Reply{}, &ParseError{Message: help}
	}
	headEnd, sections, perr := sections(t)
	if perr != nil {
		return Reply{}, perr
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

	if alone, ok, err := standalone(head, len(sections) > 0, notes, blockers); ok {
		return alone, err
	}

	segs := split(head)
	var (
		firstFail  *fail
		unknown    *fail
		understood = len(sections) > 0
	)
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		c, f := parseClause(head[seg.start:seg.end], o)
		if f != nil && !f.hard && (seg.sep == "and" || seg.sep == "but") {
			// "research and development 40%": the "and" was part of a title.
			// Titles hold few of them: try at most three more clauses.
			for j := i + 1; j < len(segs) && j <= i+3; j++ {
				c2, f2 := parseClause(head[seg.start:segs[j].end], o)
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
			c, f = clause{kind: update, upd: KRUpdate{Ref: f.bareRef, Same: true, Raw: strings.TrimSpace(head[seg.start:seg.end])}}, nil
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
		if c.kind != ignore {
			understood = true
		}
		switch c.kind {
		case update:
			r.Updates = append(r.Updates, c.upd)
		case overall:
			if c.conf != nil {
				if r.Confidence != nil && *r.Confidence != *c.conf {
					return Reply{}, errorf(`You gave two confidence values (%d and %d). Send one, `+inFormat(tryConf), *r.Confidence, *c.conf)
				}
				r.Confidence = c.conf
			}
			if c.status != "" {
				if r.Status != "" && r.Status != c.status {
					return Reply{}, errorf(`You said both %q and %q. Send one status, e.g. "at risk".`, own(r.Status.Label()), own(c.status.Label()))
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
		return Reply{}, firstFail.msg
	case unknown != nil && understood:
		return Reply{}, unknown.msg
	case unknown != nil:
		return Reply{}, &ParseError{Message: help}
	}
	r.Note = strings.Join(notes, "\n")
	r.Blockers = strings.Join(blockers, "\n")
	if len(r.Updates) == 0 && r.Confidence == nil && r.Status == "" && r.Note == "" && r.Blockers == "" && !r.NoChange {
		return Reply{}, &ParseError{Message: help}
	}
	return r, nil
}

// standalone reads the commands that stand alone, "undo" and "skip" (a
// reason may follow it); ok says head is one of them.
func standalone(head string, hasSections bool, notes, blockers []string) (r Reply, ok bool, err error) {
	if ok, tail := leadWord(head, "undo"); ok {
		phrase := strings.ToLower(strings.Join(strings.Fields(strings.TrimRight(tail, " .!")), " "))
		if hasSections || !undoTails[phrase] {
			return Reply{}, true, &ParseError{Message: undoMsg}
		}
		return Reply{Undo: true}, true, nil
	}
	if ok, tail := leadWord(head, "skip"); ok {
		reason := skipReason(tail)
		if reason != "" {
			if hasKRRef(reason) || strings.Contains(reason, "%") {
				return Reply{}, true, &ParseError{Message: `"skip" skips the whole check-in. To leave one key result as it is, send e.g. "KR2 same".`}
			}
			notes = append([]string{reason}, notes...)
		}
		return Reply{Skip: true, Note: strings.Join(notes, "\n"), Blockers: strings.Join(blockers, "\n")}, true, nil
	}
	return Reply{}, false, nil
}

// normSpace turns the odd spaces chat clients send into plain ones, drops
// zero-width characters and unifies line ends.
func normSpace(s string) string {
	if !strings.ContainsAny(s, "\r\t\u00a0\u2007\u202f\u200b\u200c\u2060\ufeff") {
		return s
	}
	return strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ", "\u00a0", " ", "\u2007", " ", "\u202f", " ",
		"\u200b", "", "\u200c", "", "\u2060", "", "\ufeff", "").Replace(s)
}

// leadWords are greetings and labels ignored at the start of a message.
var leadWords = []string{
	"good morning", "good afternoon", "good evening",
	"hello there", "hi there", "hey there", "hi team", "hey team", "hello team",
	"hi all", "hey all", "hello all", "hi everyone", "hey everyone",
	"hello", "hiya", "hey", "hi", "morning", "howdy",
	"weekly check-in", "weekly checkin", "weekly update", "status update", "my update", "my check-in",
	"check-in", "checkin", "check in", "updates", "update",
}

func stripLead(s string) string {
	for {
		t := strings.TrimLeft(s, " \n")
		matched := false
		for _, w := range leadWords {
			if n := phrase(t, w); n > 0 {
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

// leadWord reports whether s starts with the word w and returns the rest.
func leadWord(s, w string) (bool, string) {
	s = strings.TrimSpace(s)
	if !hasFold(s, w) || !boundary(s, len(w)) {
		return false, ""
	}
	return true, s[len(w):]
}

var undoTails = map[string]bool{
	"": true, "that": true, "it": true, "please": true, "last": true, "that please": true,
	"last check-in": true, "last checkin": true, "my last check-in": true, "my last checkin": true,
	"last update": true, "my last update": true,
}

// skipReason drops "this week" and the like after "skip" and returns the
// reason that may follow ("skip, on vacation").
func skipReason(tail string) string {
	t := tail
	for {
		u := strings.TrimLeft(t, " ")
		matched := false
		for _, w := range []string{"for this week", "this week", "for the week", "for now", "this time", "this one", "today", "it", "please"} {
			if n := phrase(u, w); n > 0 {
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

func hasKRRef(s string) bool {
	f := strings.Fields(strings.NewReplacer(",", " ", ";", " ", ":", " ").Replace(s))
	for i := range f {
		f[i] = strings.ToLower(f[i])
	}
	for p := range f {
		if _, _, ok := refAt(f, p); ok {
			return true
		}
	}
	return false
}
