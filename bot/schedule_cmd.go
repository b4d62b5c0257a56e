package bot

import (
	"context"
	"strings"

	"github.com/okrbot/okrbot/bot/quiet"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/teams"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// schedule shows the rhythm in words, or changes it: admins for the
// workspace, admins and a team's lead for a team.
func (e *Engine) schedule(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	var text string
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(req.ws)
		if err != nil {
			return err
		}
		var team *okrcore.Team
		if len(args) >= 2 && lower(args[0].Text) == "team" {
			if team, err = report.FindTeam(tx, req.ws, args[1].Text); err != nil {
				return err
			}
			args = args[2:]
		}
		if len(args) == 0 {
			text = describeSchedules(tx, w, team)
			return nil
		}
		// Unset slots stay unset, so that a default reminder keeps
		// following the check-in day.
		change := func(sc *okrcore.Schedule) error { return reply.ApplySchedule(sc, args) }
		switch {
		case team == nil:
			if w, err = teams.SetSchedule(tx, req.actor, change); err != nil {
				return err
			}
		case lower(args[0].Text) == "reset":
			if _, err := teams.ResetTeamSchedule(tx, req.actor, team.ID); err != nil {
				return err
			}
			text = chat.User(team.Name) + " follows the workspace's schedule again.\n" + w.Schedule.Describe()
			return nil
		default:
			if team, err = teams.SetTeamSchedule(tx, req.actor, team.ID, change); err != nil {
				return err
			}
		}
		text = "Done. " + describeSchedules(tx, w, team)
		return nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(text), nil
}

// cadenceOf is how often the person asking checks in (their team's
// override, else the workspace's rhythm); weekly when it cannot be read.
func (e *Engine) cadenceOf(ctx context.Context, req *request) okrcore.Cadence {
	c := okrcore.Weekly
	if req == nil || req.actor == nil {
		return c
	}
	_ = e.store.View(ctx, func(tx okrcore.Tx) error {
		if w, err := tx.Workspace(req.ws); err == nil {
			c = report.EffectiveSchedule(tx, w, req.actor.ID).CheckIn.Cadence
		}
		return nil
	})
	return c
}

func describeSchedules(tx okrcore.Tx, w *okrcore.Workspace, team *okrcore.Team) string {
	if team != nil {
		if team.Schedule == nil {
			return chat.User(team.Name) + " follows the workspace's schedule:\n" + w.Schedule.Describe() + "\n" + quiet.Ladder(tx, w.ID, w.Schedule, team)
		}
		return chat.User(team.Name) + "'s schedule:\n" + team.Schedule.Describe() + "\n" + quiet.Ladder(tx, w.ID, *team.Schedule, team)
	}
	s := w.Schedule.Describe() + "\n" + quiet.Ladder(tx, w.ID, w.Schedule, nil)
	if teams, err := tx.Teams(w.ID); err == nil {
		var own []string
		for _, t := range teams {
			if t.Schedule != nil {
				own = append(own, chat.User(t.Name))
			}
		}
		if len(own) > 0 {
			s += "\nTeams with their own schedule: " + strings.Join(own, ", ") + " (`/okr schedule team NAME` shows one)."
		}
	}
	return s
}
