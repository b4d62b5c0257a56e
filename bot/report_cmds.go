package bot

import (
	"context"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// digestCmd is `/okr digest [TEAM]`: a team's digest now, by default of the
// team the asker leads, else of their first team.
func (e *Engine) digestCmd(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		w, err := tx.Workspace(req.ws)
		if err != nil {
			return m, err
		}
		var t *okrcore.Team
		if len(args) > 0 {
			if t, err = report.FindTeam(tx, req.ws, reply.JoinTokens(args)); err != nil {
				return m, err
			}
		} else {
			ts, err := tx.TeamsOfUser(req.ws, req.actor.ID)
			if err != nil {
				return m, err
			}
			if len(ts) == 0 {
				return m, usage("You aren't in a team, so I have no team digest to show you. Name one: `/okr digest Sales` (`/okr teams` lists them).")
			}
			t = ts[0]
			for _, x := range ts {
				if x.Lead == req.actor.ID {
					t = x
					break
				}
			}
		}
		cs, err := okrcore.CurrentCycles(tx, req.ws)
		if err != nil {
			return m, err
		}
		m, err = e.reports.TeamDigestMessage(tx, w, t, cs, req.now)
		if err != nil {
			return m, err
		}
		m.Ephemeral = true
		return m, nil
	})
}

// adoption is `/okr adoption [TEAM]`. Everyone may read it: OKRs are
// transparent.
func (e *Engine) adoption(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return e.reports.Adoption(ctx, req.ws, req.now, reply.JoinTokens(args))
}
