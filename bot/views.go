package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// mine shows the actor's OKRs: objectives they own and objectives holding a
// key result they own, plus their KPIs.
func (e *Engine) mine(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if err != nil {
			return m, err
		}
		objs, krsByObj, err := report.OwnedOKRs(tx, req.ws, req.actor.ID, c.ID)
		if err != nil {
			return m, err
		}
		n := report.NewReading(tx, req.ws, req.now)
		m = chat.Message{Ephemeral: true}
		m.Blocks = append(m.Blocks, chat.Header{Text: "Your OKRs"}, chat.Context{Text: report.CycleLine(c, req.now)})
		if len(objs) == 0 {
			m.Text = fmt.Sprintf("You have no OKRs in %s yet.", c.Name)
			m.Blocks = append(m.Blocks, chat.Section{Text: m.Text + " Create one with `/okr new objective \"Your objective\"`, then add key results with `/okr new kr O1 \"Measure\" from 0 to 10`."})
			return m, nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Your OKRs in %s:", c.Name)
		for _, o := range objs {
			if o.Owner == okrcore.UserOwner(req.actor.ID) {
				n.Know(o.ID, krsByObj[o.ID]) // all of its key results
			}
			m.Blocks = append(m.Blocks, report.ObjBar(o, n, 0))
			fmt.Fprintf(&b, "\n%s %s %s", o.Ref(), o.Title, okrcore.Percent(o.Progress))
			for _, k := range krsByObj[o.ID] {
				m.Blocks = append(m.Blocks, report.KRBar(k, n, 1))
			}
			if len(krsByObj[o.ID]) == 0 {
				m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("No key results yet: `/okr new kr %s \"Measure\" from 0 to 10`", o.Ref())})
			}
		}
		kpis, err := tx.KPIs(req.ws)
		if err != nil {
			return m, err
		}
		for _, k := range kpis {
			if k.Owner == okrcore.UserOwner(req.actor.ID) {
				m.Blocks = append(m.Blocks, report.KPISection(k))
			}
		}
		m.Text = b.String()
		m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
			{Label: "Check in", Value: "checkin", Style: chat.StylePrimary},
			{Label: "Check in with a form", Value: "form"},
			{Label: "Alignment tree", Value: "tree"},
		}})
		return m, nil
	})
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
	u, err := tx.UserByName(ws, strings.TrimPrefix(raw, "@"))
	if okrcore.IsNotFound(err) {
		return nil, okrcore.Errorf(okrcore.KindNotFound, "I don't know anyone called %s. People appear once they have talked to me; `/okr users` lists them.", raw)
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
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		ts, err := tx.Teams(req.ws)
		if err != nil {
			return m, err
		}
		if len(ts) == 0 {
			m = chat.Text("There are no teams yet. An admin can create one: `/okr team create Sales`.")
			return m, nil
		}
		n := report.NewNamer(tx, req.ws)
		var lines []string
		for _, t := range ts {
			line := fmt.Sprintf("%s *%s*: %s", t.Ref(), t.Name, report.Count(len(t.Members), "member"))
			if t.Lead != 0 {
				line += ", led by " + n.User(t.Lead)
			}
			if t.Parent != 0 {
				line += ", part of " + n.Team(t.Parent)
			}
			lines = append(lines, line)
		}
		m = chat.Text(strings.Join(lines, "\n"))
		m.Ephemeral = true
		return m, nil
	})
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
	var m chat.Message
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		n := report.NewReading(tx, req.ws, req.now)
		switch ref.Kind {
		case okrcore.RefObjective:
			m, err = report.ObjectiveView(tx, req.ws, req.now, n, ref.ID)
		case okrcore.RefKeyResult:
			m, err = report.KRView(tx, req.ws, req.now, n, ref.ID)
		case okrcore.RefKPI:
			var k *okrcore.KPI
			if k, err = tx.KPI(req.ws, ref.ID); err == nil {
				m = chat.Message{Text: k.Title, Blocks: []chat.Block{chat.Header{Text: k.Ref().String() + " " + k.Title}, report.KPISection(k), chat.Context{Text: "Owner: " + n.Owner(k.Owner)}}}
			}
		case okrcore.RefInitiative:
			var i *okrcore.Initiative
			if i, err = tx.Initiative(req.ws, ref.ID); err == nil {
				state := "not done"
				if i.Done {
					state = "done"
				}
				m = chat.Text(fmt.Sprintf("%s *%s*: %s, for KR%d", i.Ref(), i.Title, state, i.KeyResult))
			}
		case okrcore.RefTeam:
			var t *okrcore.Team
			if t, err = tx.Team(req.ws, ref.ID); err == nil {
				m, err = report.TeamView(tx, req.ws, req.now, t)
			}
		case okrcore.RefCycle:
			var c *okrcore.Cycle
			if c, err = tx.Cycle(req.ws, ref.ID); err == nil {
				m = chat.Text(report.CycleLine(c, req.now))
			}
		}
		return err
	})
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
	tz := req.actor.TimeZone
	if tz == "" {
		tz = "not set (`/okr timezone Europe/Berlin`)"
	}
	text := fmt.Sprintf("You are *%s* (%s, %s) in workspace %s, writing from %s. Time zone: %s.", req.actor.Name, req.actor.Role, userHandle(req.actor), req.ws, chat.PlatformName(req.ev.Platform), tz)
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
			line := fmt.Sprintf("%s %s (%s) · %s", userHandle(u), u.Name, u.Role, strings.Join(platformNames(u), " + "))
			if u.TimeZone != "" {
				line += " · " + u.TimeZone
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
