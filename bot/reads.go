package bot

import (
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// keeps reports whether the inbox must keep ev from before its
// acknowledgement until it is handled (NewInbox). The inbox is there so
// that an acknowledged event that changes something is not lost by a
// crash; an event that only reads gains nothing from it (the person who
// sees no answer asks again, and nothing stored is lost), and its record
// would make its answer wait for an fsync. What such an event may still
// write is what the next contact writes again: the person's own account
// and profile at first contact, a channel's reference (resolveUser,
// rememberChannel), and its dedupe mark.
//
// It decides conservatively, from the event alone (no store read, before
// the acknowledgement): a slash command or a message addressed with its
// /okr prefix whose command is in readOnly, or App Home opened (`mine`).
// Every other event is kept: buttons and forms, a message without the
// prefix (an answer in a dialog, a plain check-in, or a command whose
// refusal is read again as a check-in), text that does not parse, an
// empty command and an unknown one. TestReadsWriteNothing holds each read
// to it on a real store.
func (e *Engine) keeps(ev chat.Event) bool {
	line := ev.Text
	switch ev.Kind {
	case chat.EventHomeOpened:
		return false
	case chat.EventCommand:
	case chat.EventMessage:
		rest, ok := stripPrefix(strings.TrimSpace(ev.Text))
		if !ok {
			return true
		}
		line = rest
	default:
		return true
	}
	toks, err := reply.Tokenize(line)
	if err != nil || len(toks) == 0 {
		return true
	}
	return !readOnly(toks)
}

// readOnly reports whether the command line toks (the first token its
// command) only reads, by the path command takes for it. A workspace's own
// words need not be applied first: a chosen word may not be a command
// (okrcore/wording), so no command named here is ever one.
func readOnly(toks []reply.Token) bool {
	name, args := lower(toks[0].Text), toks[1:]
	switch name {
	case "help", "mine", "me", "my", "teams", "tree", "history", "log", "digest", "whoami", "users":
		return true
	case "team", "show":
		// Both reach e.team with a team's name, which takes "add",
		// "create"… as its own subcommands.
		return len(args) == 0 || !teamSubcommands[lower(args[0].Text)]
	case "settings", "rules", "schedule", "cycle", "wording":
		// Without arguments they show; with any they may change.
		return len(args) == 0
	}
	if _, ok := okrcore.ParseRef(name); ok {
		return true // "O12" is `show O12`
	}
	return false
}
