// Package words is the conversation's side of a workspace's own words:
// `/okr wording` read and answered, the words loaded for an event, and the
// words a person types in them (`/okr new goal …`) read as the bot's own
// command words, so that both vocabularies work.
package words

import (
	"context"
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/wording"
	"github.com/okrbot/okrbot/reply"
)

// Of is the words of workspace ws; a workspace it cannot read (not there
// yet, a store's hiccup) speaks in the bot's own words, so that an answer
// still goes out.
func Of(ctx context.Context, store okrcore.Store, ws string) wording.Words {
	w, err := okrcore.View(ctx, store, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace(ws) })
	if err != nil {
		return wording.Words{}
	}
	return wording.Of(w)
}

// Run is `/okr wording ARGS` for actor in its own transaction (a read
// when it only shows). usage is the usage line of the command a word
// names, "" for none, so that a term is not renamed to a command's word
// (the check-in word may be one of the check-in command's). It returns the
// answer and the words in force after it: was, when it was refused.
func Run(ctx context.Context, store okrcore.Store, actor *okrcore.User, was wording.Words, args []reply.Token, usage func(string) string) (chat.Message, wording.Words, error) {
	run := okrcore.Update[chat.Message]
	if len(args) == 0 {
		run = okrcore.View[chat.Message]
	}
	now := was
	m, err := run(ctx, store, func(tx okrcore.Tx) (chat.Message, error) {
		m, w, err := Command(tx, actor, args, func(term, word string) bool {
			u := usage(word)
			return u != "" && !(term == "check-in" && u == usage("checkin"))
		})
		if err == nil {
			now = w
		}
		return m, err
	})
	if err != nil {
		return chat.Message{}, was, err
	}
	return m, now, nil
}

// Usage is `/okr wording`'s usage line. Its terms are the command's own
// words, marked so that the wording pass keeps them.
func Usage() string {
	return "wording [" + chat.User("objective") + "|key-result|" + chat.User("check-in") + " WORD [PLURAL] | reset [TERM]]"
}

// Command runs `/okr wording ARGS` in tx for actor: with no arguments it
// shows the words in use, else it renames a term or resets them (admins).
// taken reports a word that is already a command of another meaning for
// the term (see wording.Set). It returns the answer and the words now in
// force, in which the answer is to be worded.
func Command(tx okrcore.Tx, actor *okrcore.User, args []reply.Token, taken func(term, word string) bool) (chat.Message, wording.Words, error) {
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return chat.Message{}, wording.Words{}, fmt.Errorf("load workspace: %w", err)
	}
	words := wording.Of(w)
	var intro string
	switch {
	case len(args) == 0:
		return show(words, ""), words, nil
	case strings.EqualFold(args[0].Text, "reset") && !args[0].Quoted:
		terms := make([]string, 0, len(args)-1)
		for _, a := range args[1:] {
			terms = append(terms, a.Text)
		}
		if words, err = wording.Reset(tx, actor, terms...); err != nil {
			return chat.Message{}, wording.Words{}, err
		}
		intro = "Done: those terms are my own words again."
	case len(args) > 3:
		return chat.Message{}, wording.Words{}, okrcore.Errorf(okrcore.KindInvalid, "Give a term, its word and, when it is not just an s more, its plural: `/okr wording key-result Measure Measures`. Put a word of several in quotes: `/okr wording %s \"Big Rock\"`.", "objective")
	default:
		t, ok := wording.TermOf(words, args[0].Text)
		if !ok {
			return chat.Message{}, wording.Words{}, okrcore.Errorf(okrcore.KindInvalid, "I can rename %s, %s and %s, not %s: `/okr wording %[1]s Goal`.", "objective", "key-result", "check-in", args[0].Text)
		}
		var singular, plural string
		if len(args) > 1 {
			singular = args[1].Text
		}
		if len(args) > 2 {
			plural = args[2].Text
		}
		if words, err = wording.Set(tx, actor, t.Key, singular, plural, func(word string) bool { return taken(t.Key, word) }); err != nil {
			return chat.Message{}, wording.Words{}, err
		}
		intro = fmt.Sprintf("Done: I now say %s and %s for %s, in every message, form, digest and page; `/okr %s` and the old words keep working in commands.",
			chat.User(words.Singular(t)), chat.User(words.Plural(t)), chat.User(t.Plural), CheckInCommand(words))
	}
	return show(words, intro), words, nil
}

// CheckInCommand is the check-in command in the workspace's words.
func CheckInCommand(w wording.Words) string {
	for _, t := range wording.Terms() {
		if t.Key == "check-in" && w.Renamed(t) {
			return strings.ToLower(w.Singular(t))
		}
	}
	return "checkin"
}

// show lists the words in use. The bot's own terms in it are marked as
// quoted words, so that the wording pass leaves them as they are.
func show(w wording.Words, intro string) chat.Message {
	lines := []string{}
	if intro != "" {
		lines = append(lines, intro, "")
	}
	lines = append(lines, "*The words I use here*")
	for _, t := range wording.Terms() {
		line := fmt.Sprintf("• %s: %s / %s", chat.User(t.Key), chat.User(w.Singular(t)), chat.User(w.Plural(t)))
		if !w.Renamed(t) {
			line += " (my own)"
		}
		lines = append(lines, line)
	}
	s := strings.Join(lines, "\n")
	return chat.Message{Text: s, Blocks: []chat.Block{
		chat.Section{Text: s},
		chat.Context{Text: fmt.Sprintf("Admins change them: `/okr wording %s Goal`, `/okr wording key-result Measure Measures`, `/okr wording %s update`, `/okr wording reset` (all) or `/okr wording reset %[1]s`. In commands, my words and yours both work.",
			chat.User("objective"), chat.User("check-in"))},
	}}
}

// Canonical reads the words of a command typed in the workspace's words as
// the bot's own: the check-in word as `checkin`, and after `new`, `help`
// or `rules` the words for an objective or key result as `objective`,
// `objectives`, `kr` and `krs`. A word of several may be typed as it is
// ("new big rock") or with hyphens; quoted words are a person's text and
// stay.
func Canonical(w wording.Words, toks []reply.Token) []reply.Token {
	if !w.Any() || len(toks) == 0 {
		return toks
	}
	out := canonicalAt(w, toks, 0)
	if len(out) > 1 {
		switch strings.ToLower(out[0].Text) {
		case "new", "help", "rules":
			out = canonicalAt(w, out, 1)
		}
	}
	return out
}

// canonicalAt replaces the words of toks from i that name a renamed term
// with the bot's word for it.
func canonicalAt(w wording.Words, toks []reply.Token, i int) []reply.Token {
	for n := min(len(toks)-i, 3); n >= 1; n-- {
		typed := make([]string, 0, n)
		for _, t := range toks[i : i+n] {
			if !t.Quoted {
				typed = append(typed, t.Text)
			}
		}
		if len(typed) < n {
			continue // a quoted word is a person's
		}
		if word, ok := CommandWord(w, strings.Join(typed, " ")); ok {
			out := append(append(append([]reply.Token(nil), toks[:i]...), reply.Token{Text: word}), toks[i+n:]...)
			return out
		}
	}
	return toks
}

// CommandWord is the bot's command word for a word typed in the
// workspace's words; ok is false for any other word.
func CommandWord(w wording.Words, typed string) (word string, ok bool) {
	bot := map[string][2]string{"objective": {"objective", "objectives"}, "key-result": {"kr", "krs"}, "check-in": {"checkin", "checkin"}}
	typed = strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(typed, "-", " ")), " "))
	for _, t := range wording.Terms() {
		if !w.Renamed(t) {
			continue
		}
		switch typed {
		case strings.ToLower(strings.ReplaceAll(w.Singular(t), "-", " ")):
			return bot[t.Key][0], true
		case strings.ToLower(strings.ReplaceAll(w.Plural(t), "-", " ")):
			return bot[t.Key][1], true
		}
	}
	return "", false
}
