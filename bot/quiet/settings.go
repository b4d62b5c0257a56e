package quiet

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// IsSetting says whether `/okr settings WORD …` is one of the workspace's
// settings here rather than a person's own.
func IsSetting(word string) bool {
	switch strings.ToLower(word) {
	case "slack-status-away", "escalation":
		return true
	}
	return false
}

const settingsHelp = "Try `/okr settings slack-status-away on|off` (admins) or `/okr settings escalation thread|names on|off [team NAME]` (admins; a team's lead for their team)."

func onOff(tok reply.Token) (bool, error) {
	switch strings.ToLower(tok.Text) {
	case "on", "yes", "true":
		return true, nil
	case "off", "no", "false":
		return false, nil
	}
	return false, invalid("Say `on` or `off`, not \"%s\".", tok.Text)
}

// Setting is `/okr settings slack-status-away on|off` and `/okr settings
// escalation thread|names on|off [team NAME]`.
func Setting(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	switch {
	case len(args) == 2 && strings.EqualFold(args[0].Text, "slack-status-away"):
		on, err := onOff(args[1])
		if err != nil {
			return chat.Message{}, err
		}
		if err := away.SetSlackStatus(tx, r.Actor, on, r.Now); err != nil {
			return chat.Message{}, err
		}
		if on {
			return chat.Text("Done: someone whose Slack status says they're away (a :palm_tree: or :airplane: status, or \"out of office\", \"vacation\", \"OOO\" in its text, until it expires) gets no check-in nudges, reminders or grading prompts while it lasts. It is read when a nudge is due."), nil
		}
		return chat.Text("Done: Slack statuses no longer count as time away; `/okr away` still does."), nil
	case (len(args) == 3 || len(args) >= 5) && strings.EqualFold(args[0].Text, "escalation"):
		on, err := onOff(args[2])
		if err != nil {
			return chat.Message{}, err
		}
		var team *okrcore.Team
		if len(args) >= 5 {
			if !strings.EqualFold(args[3].Text, "team") {
				return chat.Message{}, invalid(settingsHelp)
			}
			if team, err = report.FindTeam(tx, r.Actor.Workspace, reply.JoinTokens(args[4:])); err != nil {
				return chat.Message{}, err
			}
		}
		step := strings.ToLower(args[1].Text)
		if _, err := away.SetLadder(tx, r.Actor, team, step, on, r.Now); err != nil {
			return chat.Message{}, err
		}
		where := "every team"
		if team != nil {
			where = "team " + chat.User(team.Name)
		}
		state := "off"
		if on {
			state = "on"
		}
		return chat.Text(fmt.Sprintf("Done: the escalation ladder's `%s` step is %s for %s. `/okr schedule` says what each step does and when.", step, state, where)), nil
	}
	return chat.Message{}, invalid(settingsHelp)
}

// Ladder says the escalation ladder in words, step by step, for a team
// (nil: the workspace) under sched, for `/okr schedule`.
func Ladder(tx okrcore.Tx, ws string, sched okrcore.Schedule, team *okrcore.Team) string {
	b, err := away.Read(tx, ws)
	if err != nil {
		return ""
	}
	sched = sched.OrDefault()
	l := b.Settings.Ladder
	if team != nil {
		l = b.Settings.LadderOf(team.ID)
	}
	step := func(on bool, what, when, turn string) string {
		if on {
			return what + ": on, " + when + " (`/okr settings escalation " + turn + " off` stops it)"
		}
		return what + ": off (`/okr settings escalation " + turn + " on` starts it)"
	}
	lines := []string{
		"*Escalation ladder*, for someone who hasn't checked in (never for those away or who muted reminders):",
		"1. The check-in nudge, a direct message: " + sched.CheckIn.Describe(),
		"2. One reminder, a direct message: " + sched.Reminder.Describe() + "; nobody gets more than one reminder a day, and `/okr mute reminders` mutes them for a cycle",
		"3. " + step(l.Thread, "A reply in the thread of the team's digest naming who hasn't checked in", "with the digest "+sched.Digest.Describe(), away.StepThread),
		"4. " + step(l.Names, "The manager digest names them, with a \"Nudge them\" button that sends each one polite reminder", sched.ManagerDigest.Describe(), away.StepNames),
	}
	if b.Settings.SlackStatus {
		lines = append(lines, "A Slack status that says out of office counts as time away (`/okr settings slack-status-away off`).")
	}
	return strings.Join(lines, "\n")
}
