package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// WebLinks signs the personal links of the web view (web.Links).
type WebLinks interface {
	Link(ctx context.Context, ws string, person okrcore.ID) (string, error)
	Revoke(ctx context.Context, ws string) error
	TeamLink(team okrcore.ID) string
}

// UseWebLinks turns `/okr web` on with the links of l, and digests' links to their team page; without it
// the command says how to set okrbot's public address. Call it before the engine handles events.
func (e *Engine) UseWebLinks(l WebLinks) {
	e.reports.LinkTeams(l.TeamLink)
	spec := e.cmds["web"]
	spec.run = func(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
		return webLink(ctx, l, req, args)
	}
	e.cmds["web"] = spec
}

func (e *Engine) webUnset(context.Context, *request, []reply.Token) (chat.Message, error) {
	return chat.Text("The web view needs the address people's browsers reach okrbot at: an admin sets `public_url` in the configuration file (or `OKRBOT_PUBLIC_URL`, or `--public-url`), such as https://okrbot.example.com, and restarts okrbot."), nil
}

func webLink(ctx context.Context, l WebLinks, req *request, args []reply.Token) (chat.Message, error) {
	switch {
	case len(args) == 1 && strings.EqualFold(args[0].Text, "revoke"):
		if err := okrcore.RequireAdmin(req.actor, "revoke the web view's links"); err != nil {
			return chat.Message{}, err
		}
		if err := l.Revoke(ctx, req.ws); err != nil {
			return chat.Message{}, err
		}
		return chat.Text("Every web link and session made before now has stopped working. Anyone can get a new link with `/okr web`."), nil
	case len(args) > 0:
		return chat.Message{}, usage("Try `/okr web` for your link, or `/okr web revoke` (admins) to end every link.")
	case !req.ev.Conversation.Direct && req.ev.Platform == "teams":
		// A Teams channel shows an answer to everyone: a link is personal.
		return chat.Text("Your link is personal: ask me `okr web` in our chat instead."), nil
	}
	link, err := l.Link(ctx, req.ws, req.actor.ID)
	if err != nil {
		return chat.Message{}, fmt.Errorf("web link: %w", err)
	}
	// Not a person's text: chat.User would break the link, which has no markup.
	m := chat.Text("Your link to the web view (valid 12 hours, for you only): " + link)
	m.Ephemeral = true
	return m, nil
}
