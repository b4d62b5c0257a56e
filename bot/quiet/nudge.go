package quiet

import (
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// NudgeTeam is `/okr nudge team NAME`, the manager digest's "Nudge them":
// one polite reminder to each person under the team who has not checked
// in, as of now, for the team's lead and admins.
func NudgeTeam(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	if len(args) < 2 || !strings.EqualFold(args[0].Text, "team") {
		return chat.Message{}, invalid("Try `/okr nudge team NAME`: one polite reminder to each person in the team, or beneath it, who hasn't checked in.")
	}
	t, err := report.FindTeam(tx, r.Actor.Workspace, reply.JoinTokens(args[1:]))
	if err != nil {
		return chat.Message{}, err
	}
	// Who is silent is the lead's to know: refused before it is read.
	if err := okrcore.RequireLeadOrAdmin(r.Actor, t, "nudge a team's people"); err != nil {
		return chat.Message{}, err
	}
	w, err := tx.Workspace(r.Actor.Workspace)
	if err != nil {
		return chat.Message{}, err
	}
	ids, err := report.Silent(tx, w, t, r.Now)
	if err != nil {
		return chat.Message{}, err
	}
	silent := make([]*okrcore.User, 0, len(ids))
	for _, id := range ids {
		u, err := tx.User(w.ID, id)
		if err != nil {
			return chat.Message{}, err
		}
		silent = append(silent, u)
	}
	loc := func(u *okrcore.User) *time.Location { return r.Loc(u.TimeZone) }
	period := func(u *okrcore.User) string {
		return okrcore.PeriodKey(report.EffectiveSchedule(tx, w, u.ID).CheckIn.Cadence, r.Now, loc(u))
	}
	res, err := away.Nudge(tx, r.Actor, t, silent, r.Now, loc, period)
	if err != nil {
		return chat.Message{}, err
	}
	if len(res.Sent)+len(res.Spared) == 0 {
		return chat.Text(fmt.Sprintf("Nobody to nudge: everyone with key results under %s has checked in (those away aside).", chat.User(t.Name))), nil
	}
	text := "Nobody nudged"
	if len(res.Sent) > 0 {
		text = "Sent one polite reminder to " + names(res.Sent)
	}
	if len(res.Spared) > 0 {
		text += fmt.Sprintf("; spared %s, who already had a reminder today or is away", names(res.Spared))
	}
	return chat.Text(text + ". Nobody gets more than one reminder a day from okrbot."), nil
}

func names(us []*okrcore.User) string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = chat.User(u.Name)
	}
	return strings.Join(out, ", ")
}
