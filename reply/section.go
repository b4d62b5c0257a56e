package reply

import (
	"strings"
)

// Notes and blockers take the rest of the message.

type section struct {
	blocker bool
	text    string
}

var sectionWords = []struct {
	w       string
	blocker bool
}{
	{"blockers", true}, {"blocker", true}, {"blocked", true},
	{"comments", false}, {"comment", false}, {"notes", false}, {"note", false},
}

var noBlockers = map[string]bool{
	"none": true, "no": true, "nothing": true, "n/a": true, "na": true, "nope": true, "nil": true, "-": true,
	"none so far": true, "none this week": true, "no blockers": true, "nothing blocking": true,
}

// sections finds "note: …" and "blocked: …" parts. The first one ends the
// ordinary clauses; each runs to the end of the message or to the next
// labelled part. It returns where the ordinary clauses end.
func sections(t string) (int, []section, *ParseError) {
	first := -1
	var blocker bool
	var content int
	for i := 0; i < len(t); i++ {
		switch t[i] | 0x20 {
		case 'n', 'b', 'c':
			if b, c, ok := sectionAt(t, i, false); ok {
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
	var out []section
	for {
		end := len(t)
		var nb bool
		var nc int
		for j := content; j < len(t); j++ {
			switch t[j] | 0x20 {
			case 'n', 'b', 'c':
				if b, c, ok := sectionAt(t, j, true); ok {
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
		if n := len(text) - len(" and"); n >= 0 && hasFold(text[n:], " and") {
			text = strings.TrimSpace(text[:n]) // "blocked: legal and", in any case
		}
		if blocker {
			switch {
			case text == "":
				return 0, nil, &ParseError{Message: `What's blocking you? Try "blocked: waiting on legal".`}
			case noBlockers[strings.ToLower(strings.TrimRight(text, ".! "))]:
				text = ""
			}
		} else if text == "" {
			return 0, nil, &ParseError{Message: `The note is empty. Try "note: shipped the beta to 3 customers".`}
		}
		out = append(out, section{blocker: blocker, text: text})
		if end == len(t) {
			break
		}
		blocker, content = nb, nc
	}
	return first, out, nil
}

// sectionAt reports whether a note or blocker part starts at byte i of t
// and where its text starts. Labelled forms ("note:", "blocked:") count
// anywhere after a word break; bare forms ("blocked on x", "note x") only at
// the start of a clause. Inside a part (strict) only a new part after a
// separator counts, and a bare one only at the start of a line.
func sectionAt(t string, i int, strict bool) (blocker bool, content int, ok bool) {
	if !boundaryBefore(t, i) {
		return false, 0, false
	}
	for _, sw := range sectionWords {
		if !hasFold(t[i:], sw.w) {
			continue
		}
		j := i + len(sw.w)
		if !boundary(t, j) {
			continue
		}
		k := j
		for k < len(t) && t[k] == ' ' {
			k++
		}
		clauseStart := clauseStart(t, i)
		if k < len(t) && t[k] == ':' {
			if strict && !clauseStart {
				return false, 0, false
			}
			return sw.blocker, k + 1, true
		}
		if strict {
			if !lineStart(t, i) {
				return false, 0, false
			}
		} else if !clauseStart {
			// "KR3 at risk blocked on legal"
			if sw.w == "blocked" {
				if c, ok := afterOnBy(t, k); ok {
					return true, c, true
				}
			}
			return false, 0, false
		}
		if k < len(t) && strings.ContainsRune("-–—", rune(t[k])) || strings.HasPrefix(t[k:], "–") || strings.HasPrefix(t[k:], "—") {
			return sw.blocker, k, true
		}
		if sw.w == "blocked" {
			if c, ok := afterOnBy(t, k); ok {
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

func afterOnBy(t string, k int) (int, bool) {
	for _, w := range []string{"on", "by"} {
		if hasFold(t[k:], w) && k+len(w) < len(t) && (t[k+len(w)] == ' ' || t[k+len(w)] == ':') {
			return k + len(w) + 1, true
		}
	}
	return 0, false
}

// clauseStart reports whether byte i starts a clause: the start of the
// text, or after a separator (newline, ";", ",", ". ", " and ", a bullet).
func clauseStart(t string, i int) bool {
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
		return j < i && lineStart(t, j-1)
	}
	if strings.HasSuffix(t[:j], "•") {
		return j < i && lineStart(t, j-len("•"))
	}
	for _, w := range []string{" and", " but"} {
		if len(t[:j]) >= len(w) && hasFold(t[j-len(w):], w) {
			return j < i
		}
	}
	return false
}

func lineStart(t string, i int) bool {
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
