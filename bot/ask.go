package bot

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// Asking before writing. A check-in that names no key result unambiguously
// gets a button per key result it may be about, and a value that looks
// like a slip gets "are you sure?" with a button that confirms it. Each
// button's value is the check-in to send, completed; nothing is written
// until one is pressed.

// maxButtonValue is the longest check-in a button carries: platforms cut
// longer values (Slack at 2,000 characters), and a cut check-in is not
// what was written. A longer one is asked about without buttons.
const maxButtonValue = 1900

// askErr carries a question out of a store transaction, whose writes it
// undoes.
type askErr struct{ m chat.Message }

func (a *askErr) Error() string { return a.m.Text }

// asked is the answer to a handler's error: the question when it asks one.
func asked(err error) (chat.Message, error) {
	var a *askErr
	if errors.As(err, &a) {
		return a.m, nil
	}
	return chat.Message{}, err
}

// question is a message asking q with buttons.
func question(q string, buttons []chat.Button) chat.Message {
	return chat.Message{Text: q, Blocks: []chat.Block{chat.Section{Text: q}, chat.Actions{Buttons: buttons}}}
}

// which turns an error of reply.Resolve into a question when it offers
// choices of key results: one button for each, sending text with the
// update written with that key result's id.
func which(err error, rep reply.Reply, text string) error {
	var pe *reply.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	if len(pe.Choices) == 0 {
		return usage("%s", pe.MessageWith(chat.User))
	}
	var buttons []chat.Button
	for _, c := range pe.Choices {
		label := c.KR.Ref().String() + " " + c.KR.Title
		if utf8.RuneCountInString(label) > 40 {
			label = strings.TrimSpace(string([]rune(label)[:39])) + "…"
		}
		label = chat.User(label)
		v := completed(text, rep, pe.Raw, c.Clause)
		if len(v) > maxButtonValue {
			return usage("%s Nothing was saved: send it again with the key result's id.", pe.MessageWith(chat.User))
		}
		buttons = append(buttons, chat.Button{Label: label, Value: v})
	}
	return &askErr{question(pe.MessageWith(chat.User)+" Nothing is saved until you pick one.", buttons)}
}

// completed is text with the update typed as raw replaced by clause. The
// updates are found in text in their order, so that "KR4 5, 5" completes
// its second 5; when they can't be, the clause stands with the message's
// note and blockers.
func completed(text string, rep reply.Reply, raw, clause string) string {
	at := 0
	for _, u := range rep.Updates {
		i := strings.Index(text[at:], u.Raw)
		if i < 0 || u.Raw == "" {
			break
		}
		if u.Raw == raw {
			return text[:at+i] + clause + text[at+i+len(raw):]
		}
		at += i + len(u.Raw)
	}
	if rep.Note != "" {
		clause += ", note: " + rep.Note
	}
	if rep.Blockers != "" {
		clause += "\nblocked: " + rep.Blockers
	}
	return clause
}

// sure asks "are you sure?" about the values of resolved that look like
// slips (okrcore.Implausible), unless the reply confirmed them; its button
// sends text again, confirmed.
func sure(rep reply.Reply, resolved []reply.Resolved, text string) error {
	if rep.Confirmed {
		return nil
	}
	var doubts []string
	for _, r := range resolved {
		// okrcore's doubt is plain words with the person's unit in it.
		if d := okrcore.Implausible(r.KR, r.Value); r.HasValue && d != "" {
			doubts = append(doubts, chat.User(d))
		}
	}
	if len(doubts) == 0 {
		return nil
	}
	q := "Are you sure? " + strings.Join(doubts, " ") + " Nothing is saved until you confirm; if it's a slip, send the right value."
	if len(text) > maxButtonValue {
		return usage("%s", strings.Replace(q, "until you confirm", "until you send it again starting with `confirm`", 1))
	}
	return &askErr{question(q, []chat.Button{{Label: "Yes, record it", Value: "confirm " + text, Style: chat.StylePrimary}})}
}

// numbers is how the person writes numbers: as their locale says when
// their platform gives one, otherwise as the workspace's rules say.
func (e *Engine) numbers(ctx context.Context, req *request) reply.Options {
	if o, ok := reply.OptionsForLocale(req.ev.Locale); ok {
		return o
	}
	w, err := okrcore.View(ctx, e.store, func(tx okrcore.Tx) (*okrcore.Workspace, error) { return tx.Workspace(req.ws) })
	if err != nil {
		return reply.Options{}
	}
	return reply.Options{DecimalComma: w.Rules.DecimalComma}
}
