// Package wording holds a workspace's own words for the bot's terms
// (objective, key result, check-in): which terms there are, the rule that
// only an admin renames them, and what a chosen word may be. Pure, like
// okrcore: rules as functions over okrcore.Tx. The pass that puts the
// words into messages is chat/wording's.
package wording

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// MaxWord is the longest word, in characters, a term may be renamed to:
// it shows in buttons and headers.
const MaxWord = 24

// maxWords is how many words a name may have ("Big Rock" has two).
const maxWords = 3

// Term is one of the bot's words a workspace may rename.
type Term struct {
	// Key names the term in `/okr wording KEY …`.
	Key string
	// Singular and Plural are the bot's own words for it.
	Singular, Plural string
}

// Terms are the words a workspace may rename, in the order `/okr wording`
// lists them.
func Terms() []Term {
	return []Term{
		{Key: "objective", Singular: "objective", Plural: "objectives"},
		{Key: "key-result", Singular: "key result", Plural: "key results"},
		{Key: "check-in", Singular: "check-in", Plural: "check-ins"},
	}
}

// TermOf finds a term by what a person calls it: its key, its words with a
// space or a hyphen, the usual short forms ("kr"), or the word the
// workspace chose for it.
func TermOf(w Words, name string) (Term, bool) {
	n := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(name, "-", " ")), " "))
	for _, t := range Terms() {
		s, p := w.Singular(t), w.Plural(t)
		switch n {
		case strings.ReplaceAll(t.Key, "-", " "), t.Singular, t.Plural, strings.ToLower(s), strings.ToLower(p):
			return t, true
		}
		if t.Key == "key-result" && (n == "kr" || n == "krs") || t.Key == "check-in" && (n == "checkin" || n == "checkins") {
			return t, true
		}
	}
	return Term{}, false
}

// Words are a workspace's chosen words, read from its record: the
// workspace's Words map, keyed by the bot's own singular and plural.
type Words struct{ chosen map[string]string }

// Of reads the words w chose; a nil workspace has the bot's own.
func Of(w *okrcore.Workspace) Words {
	if w == nil {
		return Words{}
	}
	return Words{chosen: w.Words}
}

// Singular is the workspace's word for one of t, as it was typed.
func (w Words) Singular(t Term) string { return w.or(t.Singular) }

// Plural is the workspace's word for several of t, as it was typed.
func (w Words) Plural(t Term) string { return w.or(t.Plural) }

// Renamed reports whether the workspace chose its own word for t.
func (w Words) Renamed(t Term) bool { return w.chosen[t.Singular] != "" }

// Any reports whether the workspace renamed any term.
func (w Words) Any() bool {
	for _, t := range Terms() {
		if w.Renamed(t) {
			return true
		}
	}
	return false
}

func (w Words) or(own string) string {
	if s := w.chosen[own]; s != "" {
		return s
	}
	return own
}

// Set renames term to singular (and plural; empty makes it from singular
// by the usual English rules): admins only. taken reports a word the bot
// already reads as something else (a command's name), which a term may
// not be renamed to; nil takes none.
func Set(tx okrcore.Tx, actor *okrcore.User, term, singular, plural string, taken func(string) bool) (Words, error) {
	w, err := admin(tx, actor, "choose the words I use")
	if err != nil {
		return Words{}, err
	}
	t, ok := TermOf(Of(w), term)
	if !ok {
		return Words{}, okrcore.Errorf(okrcore.KindInvalid, "I can rename %s, %s and %s, not %s: `/okr wording %[1]s Goal`.", "objective", "key-result", "check-in", term)
	}
	singular, plural = tidy(singular), tidy(plural)
	if plural == "" {
		plural = Pluralize(singular)
	}
	for _, s := range []string{singular, plural} {
		if err := check(Of(w), t, s, taken); err != nil {
			return Words{}, err
		}
	}
	m := map[string]string{}
	for k, v := range w.Words {
		m[k] = v
	}
	if strings.EqualFold(singular, t.Singular) && strings.EqualFold(plural, t.Plural) {
		delete(m, t.Singular)
		delete(m, t.Plural)
	} else {
		m[t.Singular], m[t.Plural] = singular, plural
	}
	return store(tx, w, m)
}

// Reset gives terms (all of them when none is named) the bot's own words
// again: admins only.
func Reset(tx okrcore.Tx, actor *okrcore.User, terms ...string) (Words, error) {
	w, err := admin(tx, actor, "choose the words I use")
	if err != nil {
		return Words{}, err
	}
	if len(terms) == 0 {
		return store(tx, w, nil)
	}
	m := map[string]string{}
	for k, v := range w.Words {
		m[k] = v
	}
	for _, name := range terms {
		t, ok := TermOf(Of(w), name)
		if !ok {
			return Words{}, okrcore.Errorf(okrcore.KindInvalid, "I can reset %s, %s and %s, not %s.", "objective", "key-result", "check-in", name)
		}
		delete(m, t.Singular)
		delete(m, t.Plural)
	}
	return store(tx, w, m)
}

func admin(tx okrcore.Tx, actor *okrcore.User, what string) (*okrcore.Workspace, error) {
	if err := okrcore.RequireAdmin(actor, what); err != nil {
		return nil, err
	}
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return nil, fmt.Errorf("load workspace: %w", err)
	}
	return w, nil
}

func store(tx okrcore.Tx, w *okrcore.Workspace, m map[string]string) (Words, error) {
	if len(m) == 0 {
		m = nil
	}
	w.Words = m
	if err := tx.PutWorkspace(w); err != nil {
		return Words{}, fmt.Errorf("store workspace: %w", err)
	}
	return Of(w), nil
}

// tidy is a word as typed with its spaces made single.
func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

// check refuses a word a message could not carry: empty, too long, with
// markup, a mention, a link or a digit-only part, or one that names another
// term or a command.
func check(w Words, t Term, s string, taken func(string) bool) error {
	if s == "" {
		return okrcore.Errorf(okrcore.KindInvalid, "Give the word to use for %s: `/okr wording %s Goal` (and its plural after it when it is not just an s more).", t.Singular, t.Key)
	}
	if n := utf8.RuneCountInString(s); n > MaxWord {
		return okrcore.Errorf(okrcore.KindInvalid, "%s is %d characters long; a word for %s may have up to %d, so that it fits in buttons and titles.", s, n, t.Singular, MaxWord)
	}
	if len(strings.Fields(s)) > maxWords {
		return okrcore.Errorf(okrcore.KindInvalid, "%s has more than %d words; a shorter name for %s reads better in every message.", s, maxWords, t.Singular)
	}
	for i, part := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(part)
		if i == 0 && !unicode.IsLetter(r) {
			return okrcore.Errorf(okrcore.KindInvalid, "A word for %s starts with a letter; %s does not.", t.Singular, s)
		}
		for _, r := range part {
			if !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r) && r != '-' && r != '\'' && r != '’' {
				return okrcore.Errorf(okrcore.KindInvalid, "A word for %s has letters, digits, hyphens and apostrophes only (no markup, mentions or links); %s has %s.", t.Singular, s, string(r))
			}
		}
	}
	for _, o := range Terms() {
		if o.Key == t.Key {
			continue
		}
		for _, other := range []string{o.Singular, o.Plural, w.Singular(o), w.Plural(o)} {
			if strings.EqualFold(other, s) {
				return okrcore.Errorf(okrcore.KindConflict, "%s already means %s here; choose another word for %s.", s, o.Singular, t.Singular)
			}
		}
	}
	if taken != nil && !strings.EqualFold(s, t.Singular) && !strings.EqualFold(s, t.Plural) && taken(strings.ToLower(s)) {
		return okrcore.Errorf(okrcore.KindConflict, "%s is already one of my commands (`/okr %s`); choose another word for %s.", s, strings.ToLower(s), t.Singular)
	}
	return nil
}

// Pluralize makes the plural of a word by the usual English rules, on its
// last word: "Goal" → "Goals", "Priority" → "Priorities", "Big Rock" →
// "Big Rocks", "Pitch" → "Pitches". A person gives the plural when it is
// not regular ("Criterion Criteria").
func Pluralize(s string) string {
	if s == "" {
		return ""
	}
	// An acronym's plural has a small s: "KPIs".
	l := strings.ToLower(s)
	switch {
	case strings.HasSuffix(l, "s") || strings.HasSuffix(l, "x") || strings.HasSuffix(l, "z") || strings.HasSuffix(l, "ch") || strings.HasSuffix(l, "sh"):
		return s + "es"
	case strings.HasSuffix(s, "y") && len(l) > 1 && !strings.ContainsRune("aeiou", rune(l[len(l)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}
