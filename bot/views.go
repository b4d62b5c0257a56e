package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// mine shows the actor's OKRs: objectives they own and objectives holding a
// key result they own, plus their KPIs.
func (e *Engine) mine(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) { return report.MineView(tx, req.ws, req.now, req.actor.ID) })
}

// findUser resolves "@alice", "alice", a platform mention such as <@U123>
// or <@U123|alice>, or a platform user id.
func findUser(tx okrcore.Tx, ws, platform, s string) (*okrcore.User, error) {
	raw := strings.TrimSpace(s)
	id := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">"), "@")
	if i := strings.IndexByte(id, '|'); i >= 0 {
		id = id[:i]
	}
	if u, err := tx.UserByPlatform(ws, platform, id); err == nil {
		return u, nil
	}
	// "#12" (as `okr users` lists people) tells apart two people of the
	// same name.
	if n, err := strconv.ParseUint(strings.TrimPrefix(raw, "#"), 10, 64); err == nil && strings.HasPrefix(raw, "#") && n > 0 {
		u, err := tx.User(ws, okrcore.ID(n))
		if okrcore.IsNotFound(err) {
			return nil, okrcore.Errorf(okrcore.KindNotFound, "Nobody is number %s. `/okr users` lists people with their numbers.", raw)
		}
		return u, err
	}
	if email, ok := emailIn(raw); ok {
		if u, err := people.PersonWithEmail(tx, ws, email); u != nil || err != nil {
			return u, err
		}
		return nil, okrcore.Errorf(okrcore.KindNotFound, "Nobody okrbot knows, nor anyone in the chat directory, has the address %s. `/okr users` lists the people I know.", email)
	}
	u, err := tx.UserByName(ws, strings.TrimPrefix(raw, "@"))
	if okrcore.IsNotFound(err) {
		return nil, okrcore.Errorf(okrcore.KindNotFound, "I don't know anyone called %s. People appear once they have talked to me, or once an admin ran `/okr people sync`; `/okr users` lists them.", raw)
	}
	return u, err
}

func (e *Engine) team(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return e.teams(ctx, req, nil)
	}
	if sub := lower(args[0].Text); teamSubcommands[sub] {
		return e.teamAdmin(ctx, req, sub, args[1:])
	}
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		t, err := report.FindTeam(tx, req.ws, reply.JoinTokens(args))
		if err != nil {
			return m, err
		}
		m, err = report.TeamView(tx, req.ws, req.now, t)
		return m, err
	})
}

func (e *Engine) teams(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) { return report.TeamsList(tx, req.ws) })
}

func (e *Engine) show(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Which one? Try `/okr show KR3` or `/okr show O1`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	if !ok {
		if id, shaped := report.IDShaped(args[0].Text); shaped && len(args) == 1 {
			// An id no record can have (O0), unless a team is called so.
			if m, err := e.team(ctx, req, args); err == nil {
				return m, nil
			}
			return chat.Message{}, usage("There is no %s. Check the id with `/okr mine` or `/okr tree`.", id)
		}
		// A team by name is the one thing people look up without an id.
		return e.team(ctx, req, args)
	}
	m, err := okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) { return report.RecordView(tx, req.ws, req.now, ref) })
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s. Check the id with `/okr mine` or `/okr tree`.", ref)
	}
	return m, err
}

func (e *Engine) history(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Whose history? Try `/okr history KR3`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	if !ok || (ref.Kind != okrcore.RefKeyResult && ref.Kind != okrcore.RefKPI) {
		return chat.Message{}, usage("History is kept for key results and KPIs: try `/okr history KR3`.")
	}
	m, err := okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) { return report.HistoryView(tx, req.ws, ref) })
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	return m, err
}

func (e *Engine) tree(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		return report.AlignmentView(tx, req.ws, req.now, reply.JoinTokens(args))
	})
}

func (e *Engine) whoami(_ context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	tz := chat.User(req.actor.TimeZone)
	if tz == "" {
		tz = "not set (`/okr timezone Europe/Berlin`)"
	}
	text := fmt.Sprintf("You are *%s* (%s, %s) in workspace %s, writing from %s. Time zone: %s.", chat.User(req.actor.Name), req.actor.Role, userHandle(req.actor), req.ws, chat.PlatformName(req.ev.Platform), tz)
	if names := platformNames(req.actor); len(names) > 1 {
		text += fmt.Sprintf(" You use okrbot on %s; nudges come on %s.", strings.Join(names, " and "), names[0])
	}
	return chat.Text(text), nil
}

func (e *Engine) users(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		us, err := tx.Users(req.ws)
		if err != nil {
			return m, err
		}
		var lines []string
		for _, u := range us {
			line := fmt.Sprintf("%s %s (%s) · %s", userHandle(u), chat.User(u.Name), u.Role, strings.Join(platformNames(u), " + "))
			if u.TimeZone != "" {
				line += " · " + chat.User(u.TimeZone)
			}
			if u.Left {
				line += " · left (the chat directory says so)"
			}
			lines = append(lines, line)
			if len(lines) == 200 {
				lines = append(lines, fmt.Sprintf("…and %d more", len(us)-200))
				break
			}
		}
		m = chat.Text(fmt.Sprintf("%s:\n%s", report.Count(len(us), "person"), strings.Join(lines, "\n")))
		m.Ephemeral = true
		return m, nil
	})
}
