package reply

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
)

// Clauses

type seg struct {
	start, end int
	sep        string // "and" or "but" when that word ended the clause
}

// split splits text into clauses at ",", ";", newlines, ". " and the words
// "and" and "but". A comma between digits is a thousands separator. List
// markers ("- ", "* ", "1. ") at the start of a line are skipped.
func split(s string) []seg {
	var segs []seg
	start, lineStart := 0, true
	push := func(end int, sep string) {
		if strings.TrimSpace(s[start:end]) != "" {
			segs = append(segs, seg{start, end, sep})
		} else if sep == "" && len(segs) > 0 {
			segs[len(segs)-1].sep = ""
		}
	}
	for i := 0; i < len(s); {
		if lineStart {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			i = listMarker(s, i)
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
			if i > 0 && digit(s[i-1]) && i+1 < len(s) && digit(s[i+1]) {
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
				if hasFold(s[j:], w) && j+len(w) < len(s) && s[j+len(w)] == ' ' {
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

func listMarker(s string, i int) int {
	for _, m := range []string{"-", "*", "•", "·", "–", "—"} {
		if strings.HasPrefix(s[i:], m) {
			j := i + len(m)
			if j < len(s) && s[j] == ' ' {
				return j
			}
		}
	}
	j := i
	for j < len(s) && j-i < 2 && digit(s[j]) {
		j++
	}
	if j > i && j+1 < len(s) && (s[j] == '.' || s[j] == ')') && s[j+1] == ' ' {
		return j + 1
	}
	return i
}

type kind int

const (
	ignore  kind = iota // "thanks", "no blockers"
	update              // about a key result, or a value with none named
	overall             // confidence, status or "same" with no key result named
)

type clause struct {
	kind   kind
	upd    KRUpdate
	conf   *int
	status okrcore.Status
	same   bool
}

type fail struct {
	msg      *ParseError
	anchored bool   // the clause was clearly meant as a check-in (it names a KR or holds a number)
	hard     bool   // a definite mistake (confidence 11): no re-reading helps
	multi    bool   // several key results in one clause
	bareRef  string // the clause is only a key result id ("KR3") with nothing said about it
}

var polite = map[string]bool{
	"thanks": true, "thank you": true, "thx": true, "ty": true, "cheers": true, "ok": true, "okay": true,
	"no blockers": true, "no blocker": true, "nothing blocking": true, "not blocked": true,
	"no blockers this week": true, "that's it": true, "thats it": true, "that's all": true, "thats all": true,
}

// parseClause reads one clause.
func parseClause(raw string, o Options) (clause, *fail) {
	s := strings.TrimSpace(raw)
	s = strings.TrimSpace(strings.TrimRight(s, ".!?… "))
	low := strings.ToLower(strings.Join(strings.Fields(s), " "))
	low = strings.TrimRight(low, ".!?… ")
	if s == "" || polite[low] {
		return clause{kind: ignore}, nil
	}
	if ok, tail := leadWord(low, "skip"); ok && skipReason(tail) == "" {
		return clause{}, &fail{msg: &ParseError{Message: skipMsg}, hard: true}
	}
	if ok, tail := leadWord(low, "undo"); ok && undoTails[strings.TrimSpace(tail)] {
		return clause{}, &fail{msg: &ParseError{Message: undoMsg}, hard: true}
	}
	tw, lw := tokens(s)
	// Connecting words at either end.
	for len(lw) > 1 && connectors[lw[0]] {
		tw, lw = tw[1:], lw[1:]
	}
	for len(lw) > 1 && connectors[lw[len(lw)-1]] {
		tw, lw = tw[:len(tw)-1], lw[:len(lw)-1]
	}
	if len(lw) == 0 {
		return clause{kind: ignore}, nil
	}
	// A key result named by id.
	var at []int
	for p := 0; p < len(lw); p++ {
		if _, n, ok := refAt(lw, p); ok {
			at = append(at, p)
			p += n - 1
		}
	}
	if len(at) > 1 {
		return clause{}, &fail{anchored: true, multi: true,
			msg: &ParseError{Message: `Give each key result its own value, separated by commas, e.g. "KR2 45%, KR3 done".`}}
	}
	if len(at) == 1 {
		return idClause(o, s, tw, lw, at[0])
	}
	return wordClause(o, s, raw, tw, lw)
}

var connectors = map[string]bool{"and": true, "but": true, "also": true, "plus": true, "except": true, "then": true, "&": true}

var leadIgnore = map[string]bool{
	"set": true, "mark": true, "marked": true, "put": true, "for": true, "on": true, "update": true, "updated": true,
	"and": true, "also": true, "plus": true, "but": true, "except": true, "then": true, "my": true,
}

// refAt reads a key result or KPI id at word p: "KR2", "kr2", "#KR2",
// "KR-2", "KR 2", "KPI3". It returns the normalized ref and the words used.
func refAt(lw []string, p int) (string, int, bool) {
	w := strings.TrimPrefix(lw[p], "#")
	for _, kind := range []okrcore.RefKind{okrcore.RefKPI, okrcore.RefKeyResult} {
		k := strings.ToLower(string(kind))
		if !strings.HasPrefix(w, k) {
			continue
		}
		digits := strings.TrimPrefix(w[len(k):], "-")
		if digits == "" && p+1 < len(lw) {
			digits = lw[p+1]
			if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n > 0 && allDigits(digits) {
				return okrcore.Ref{Kind: kind, ID: okrcore.ID(n)}.String(), 2, true
			}
			return "", 0, false
		}
		if n, err := strconv.ParseUint(digits, 10, 64); err == nil && n > 0 && allDigits(digits) {
			return okrcore.Ref{Kind: kind, ID: okrcore.ID(n)}.String(), 1, true
		}
		return "", 0, false
	}
	return "", 0, false
}

// tokens splits a clause into words, as typed (tw) and lower-cased (lw).
// ":" and "=" separate words; brackets and quotes around words are dropped,
// and so are words made only of emoji (except check marks, which mean done).
var tokenReplacer = strings.NewReplacer(":", " ", "=", " ", "->", " -> ", "→", " → ")

func tokens(s string) (tw, lw []string) {
	s = tokenReplacer.Replace(s)
	for _, f := range strings.Fields(s) {
		f = strings.TrimFunc(f, func(r rune) bool {
			return unicode.In(r, unicode.Ps, unicode.Pe, unicode.Pi, unicode.Pf) || r == '"' || r == '\'' || r == '`' || r == '*' || r == '_'
		})
		if f == "" {
			continue
		}
		if !doneMarks[f] && symbolsOnly(f) {
			continue
		}
		tw = append(tw, f)
		lw = append(lw, strings.ToLower(f))
	}
	return tw, lw
}

func symbolsOnly(f string) bool {
	for _, r := range f {
		if !unicode.In(r, unicode.So, unicode.Sk, unicode.Mn, unicode.Me, unicode.Cf, unicode.Co) && r != '\u200d' {
			return false
		}
	}
	return true
}

// idClause reads a clause that names a key result by id: "KR2 45%".
func idClause(o Options, s string, tw, lw []string, k int) (clause, *fail) {
	ref, n, _ := refAt(lw, k)
	for _, w := range lw[:k] {
		if !leadIgnore[w] {
			return clause{}, &fail{anchored: true,
				msg: errorf(`I couldn't tell what %s means. Start with the key result, e.g. "%s 45%%".`, quote(s), own(ref))}
		}
	}
	ptw, plw := tw[k+n:], lw[k+n:]
	pl, soft, hard := parsePayload(o, ptw, plw)
	if hard != nil {
		return clause{}, &fail{msg: hard, hard: true, anchored: true}
	}
	if soft != nil {
		f := &fail{anchored: true, msg: softMessage(s, ref, ptw, plw, soft)}
		if firstNonFiller(plw) == len(plw) {
			f.bareRef = ref
		}
		return clause{}, f
	}
	return build(ref, s, pl), nil
}

// softMessage explains why the words after a key result were not understood.
func softMessage(s, id string, tw, lw []string, f *soft) *ParseError {
	ref := own(id)
	switch f.kind {
	case softTwoValues:
		return errorf(`%s has two values. Send one, e.g. "%s 45%%".`, quote(s), ref)
	case softConflict:
		return errorf(`%s says two different things. Send one, e.g. "%s 45%%" or "%s done".`, quote(s), ref, ref)
	case softDelta:
		return errorf(`Send the new value of %s rather than the change, e.g. "%s 45%%".`, ref, ref)
	}
	if f.at >= len(lw) || !f.seen {
		first := firstNonFiller(lw)
		if first >= len(lw) {
			return errorf(`What's the new value for %s? Try "%s 45%%" or "%s done".`, ref, ref, ref)
		}
		switch lw[first] {
		case "blocked", "blocker", "blockers", "stuck":
			return errorf(`What's blocking %s? Write e.g. "%s at risk, blocked: waiting on legal".`, ref, ref)
		}
		bad := strings.Join(tw[first:], " ")
		if looksNumeric(lw[first]) {
			bad = tw[first]
		}
		return errorf(`I couldn't read %s as a number. Try "%s 45%%" or "revenue 1.2M".`, quote(bad), ref)
	}
	extra := strings.Join(tw[f.extra:], " ")
	return errorf(`I couldn't tell what %s means in %s. Separate parts with commas and put remarks after "note:", e.g. "%s 45%%, note: …".`,
		quote(extra), quote(s), ref)
}

func firstNonFiller(lw []string) int {
	for p := range lw {
		if !filler[lw[p]] {
			return p
		}
	}
	return len(lw)
}

// wordClause reads a clause that names its key result by title words
// ("revenue 1.2M", "hiring done") or names none ("45%", "confidence 7").
func wordClause(o Options, s, raw string, tw, lw []string) (clause, *fail) {
	var hard *ParseError
	if len(lw) <= 40 {
		for i := 0; i < len(lw); i++ {
			if i > 0 && !refWord(o, tw, lw, i-1) {
				break
			}
			pl, soft, h := parsePayload(o, tw[i:], lw[i:])
			if h != nil {
				// "confidence high" is a mistake, unless the words turn
				// out to be a title: "customer confidence index 70".
				if hard == nil {
					hard = h
				}
				continue
			}
			if soft == nil {
				return build(strings.Join(tw[:i], " "), s, pl), nil
			}
		}
	}
	if hard != nil {
		return clause{}, &fail{msg: hard, hard: true, anchored: true}
	}
	// Not understood: say why as precisely as possible.
	for p, w := range lw {
		if !looksNumeric(w) {
			continue
		}
		if _, _, ok := valueAt(o, tw, p); ok {
			continue
		}
		if _, ok := ratio(w); ok {
			continue
		}
		return clause{}, &fail{anchored: true, msg: errorf(`I couldn't read %s as a number. `+inFormat(tryValue), quote(tw[p]))}
	}
	if i := strings.IndexAny(raw, ":="); i >= 0 && strings.TrimSpace(raw[i+1:]) != "" {
		name := strings.TrimSpace(raw[:i])
		val := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(raw[i+1:]), ".!?"))
		if name != "" && !strings.ContainsAny(name, ",;") {
			return clause{}, &fail{anchored: true,
				msg: errorf(`I couldn't read %s as a number. Try "%s 45%%" or "%s done".`, quote(val), name, name)}
		}
	}
	anchored := false
	for p := range lw {
		if _, _, ok := valueAt(o, tw, p); ok || anchorWords[lw[p]] || doneWords[lw[p]] || confWords[lw[p]] {
			anchored = true
		}
	}
	if anchored {
		return clause{}, &fail{anchored: true,
			msg: errorf(`I couldn't tell what %s means. Separate parts with commas, e.g. "KR2 45%%, KR3 done, confidence 7", and put remarks after "note:".`, quote(s))}
	}
	f := &fail{msg: errorf(`I didn't understand %s. Try "KR2 45%%", "revenue 1.2M" or "hiring done", and put remarks after "note:".`, quote(s))}
	if len(lw) <= 4 {
		f.bareRef = strings.Join(tw, " ")
		for _, w := range lw {
			if !isWord(w) || keyword[w] || filler[w] {
				f.bareRef = ""
			}
		}
	}
	return clause{}, f
}

// refWord reports whether word p may be part of a key result's title as a
// person names it: not the start of "confidence 7", and not a number with a
// unit, decimals or a sign (plain counts such as "5 engineers" are fine).
func refWord(o Options, tw, lw []string, p int) bool {
	w := tw[p]
	if confWords[lw[p]] && p+1 < len(lw) {
		// "confidence 7" is never part of a title.
		if _, ok := ratio(lw[p+1]); ok {
			return false
		}
		if _, _, ok := valueAt(o, tw, p+1); ok {
			return false
		}
	}
	if n, k, ok := valueAt(o, []string{w}, 0); ok && k == 1 {
		if n.Percent || n.Currency != "" || strings.ContainsAny(n.Raw, ".,+-−~≈") || !allDigits(n.Raw) {
			return false
		}
	}
	return true
}

func build(ref, raw string, pl payload) clause {
	if ref == "" && pl.value == nil && pl.done == nil {
		return clause{kind: overall, conf: pl.conf, status: pl.status, same: pl.same}
	}
	return clause{kind: update, upd: KRUpdate{
		Ref: ref, Value: pl.value, Relative: pl.relative, Done: pl.done, Status: pl.status, Confidence: pl.conf, Same: pl.same, Raw: raw,
	}}
}
