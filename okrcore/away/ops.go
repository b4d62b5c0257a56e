package away

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// mayActFor refuses anyone but the person, an admin, or the lead of one of
// the person's teams or of a team above one (an observer changes nothing
// for others). The person is read only once the actor could be allowed,
// so that a refusal tells nothing about them.
func mayActFor(tx okrcore.Tx, actor *okrcore.User, person okrcore.Later[okrcore.ID], what string) (*okrcore.User, error) {
	if person == nil {
		return tx.User(actor.Workspace, actor.ID)
	}
	if actor.Role == okrcore.RoleObserver {
		return nil, okrcore.Errorf(okrcore.KindForbidden, "Only admins and team leads can %s for someone else.", what)
	}
	if actor.Role != okrcore.RoleAdmin {
		led, err := ledTeams(tx, actor)
		if err != nil {
			return nil, err
		}
		if len(led) == 0 {
			return nil, okrcore.Errorf(okrcore.KindForbidden, "Only admins and team leads can %s for someone else.", what)
		}
	}
	id, err := person()
	if err != nil {
		return nil, err
	}
	u, err := tx.User(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if u.ID == actor.ID || actor.Role == okrcore.RoleAdmin {
		return u, nil
	}
	ok, err := leads(tx, actor, u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, okrcore.Errorf(okrcore.KindForbidden, "You can %s only for people in a team you lead; an admin can for anyone.", what)
	}
	return u, nil
}

func ledTeams(tx okrcore.Tx, actor *okrcore.User) (map[okrcore.ID]bool, error) {
	teams, err := tx.TeamsOfUser(actor.Workspace, actor.ID)
	if err != nil {
		return nil, err
	}
	led := map[okrcore.ID]bool{}
	for _, t := range teams {
		if t.Lead == actor.ID {
			led[t.ID] = true
		}
	}
	return led, nil
}

// leads says whether actor leads one of u's teams or a team above one.
func leads(tx okrcore.Tx, actor, u *okrcore.User) (bool, error) {
	teams, err := tx.TeamsOfUser(u.Workspace, u.ID)
	if err != nil {
		return false, err
	}
	for _, t := range teams {
		// The org chart is shallow; the bound stops a loop in old data.
		for depth := 0; t != nil && depth < 32; depth++ {
			if t.Lead == actor.ID {
				return true, nil
			}
			if t.Parent == 0 || t.Parent == t.ID {
				break
			}
			p, err := tx.Team(u.Workspace, t.Parent)
			if okrcore.IsNotFound(err) {
				break
			}
			if err != nil {
				return false, err
			}
			t = p
		}
	}
	return false, nil
}

// Set records a time away for the actor, or for person when given (admins
// and leads). parse reads the request in the person's own time zone. A
// time away that overlaps one already set, or one still to come, replaces
// it: the newest word counts.
func Set(tx okrcore.Tx, actor *okrcore.User, person okrcore.Later[okrcore.ID], parse func(*okrcore.User) (Span, error), now time.Time) (*okrcore.User, Period, error) {
	u, err := mayActFor(tx, actor, person, "set time away")
	if err != nil {
		return nil, Period{}, err
	}
	if u.Left {
		return nil, Period{}, okrcore.Errorf(okrcore.KindInvalid, "%s has left the organisation; okrbot sends them nothing anyway.", u.Name)
	}
	span, err := parse(u)
	if err != nil {
		return nil, Period{}, err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return nil, Period{}, err
	}
	p := Period{From: span.From, Until: span.Until, Note: span.Note}
	if u.ID != actor.ID {
		p.By = actor.ID
	}
	rec := b.person(u.ID)
	kept := []Period{}
	for _, x := range rec.Away {
		overlaps := x.From.Before(p.Until) && p.From.Before(x.Until)
		if !overlaps && !x.From.After(now) {
			kept = append(kept, x)
		}
	}
	rec.Away = append(kept, p)
	return u, p, b.write(tx, actor.Workspace, now, u.ID)
}

// End ends the actor's (or person's) time away now and drops any still to
// come; ended is false when there was none.
func End(tx okrcore.Tx, actor *okrcore.User, person okrcore.Later[okrcore.ID], now time.Time) (u *okrcore.User, ended bool, err error) {
	if u, err = mayActFor(tx, actor, person, "end time away"); err != nil {
		return nil, false, err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return nil, false, err
	}
	rec := b.People[u.ID]
	if rec == nil {
		return u, false, nil
	}
	kept := rec.Away[:0]
	for _, x := range rec.Away {
		switch {
		case !x.Until.After(now):
			kept = append(kept, x)
		case x.From.After(now):
			ended = true
		default:
			// Ended now, and not a return to welcome: the person said so.
			x.Until, x.Ended, ended = now, true, true
			kept = append(kept, x)
		}
	}
	rec.Away = kept
	return u, ended, b.write(tx, actor.Workspace, now, u.ID)
}

// Mute mutes the actor's reminders (and the ladder's naming of them) for
// the current cycle; the check-in nudge itself still comes.
func Mute(tx okrcore.Tx, actor *okrcore.User, now time.Time) (*okrcore.Cycle, error) {
	c, err := okrcore.CurrentCycle(tx, actor.Workspace)
	if err != nil {
		return nil, err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return nil, err
	}
	b.person(actor.ID).Muted = c.ID
	return c, b.write(tx, actor.Workspace, now, actor.ID)
}

// Unmute ends a mute; was says whether there was one for the current
// cycle.
func Unmute(tx okrcore.Tx, actor *okrcore.User, now time.Time) (was bool, err error) {
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return false, err
	}
	if rec := b.People[actor.ID]; rec != nil {
		was = rec.Muted != 0
		rec.Muted = 0
	}
	return was, b.write(tx, actor.Workspace, now, actor.ID)
}

// SetSlackStatus turns on or off reading Slack statuses as time away.
// Admins only.
func SetSlackStatus(tx okrcore.Tx, actor *okrcore.User, on bool, now time.Time) error {
	if err := okrcore.RequireAdmin(actor, "change how Slack statuses count"); err != nil {
		return err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return err
	}
	b.Settings.SlackStatus = on
	return b.write(tx, actor.Workspace, now)
}

// Ladder steps, as `/okr settings escalation STEP on|off` names them.
const (
	StepThread = "thread"
	StepNames  = "names"
)

// SetLadder turns one optional step of the escalation ladder on or off,
// for the workspace (team nil: admins) or for one team (its lead too).
// A team's first own setting starts from the workspace's ladder.
func SetLadder(tx okrcore.Tx, actor *okrcore.User, team *okrcore.Team, step string, on bool, now time.Time) (Ladder, error) {
	var err error
	if team == nil {
		err = okrcore.RequireAdmin(actor, "change the escalation ladder")
	} else {
		err = okrcore.RequireLeadOrAdmin(actor, team, "change a team's escalation ladder")
	}
	if err != nil {
		return Ladder{}, err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return Ladder{}, err
	}
	l := b.Settings.Ladder
	if team != nil {
		l = b.Settings.LadderOf(team.ID)
	}
	switch step {
	case StepThread:
		l.Thread = on
	case StepNames:
		l.Names = on
	default:
		return Ladder{}, okrcore.Errorf(okrcore.KindInvalid, "The escalation ladder has the steps `thread` (a reply in the team digest's thread naming who hasn't checked in) and `names` (the manager digest names them, with a \"Nudge them\" button), not \"%s\".", step)
	}
	if team == nil {
		b.Settings.Ladder = l
	} else {
		if b.Settings.Teams == nil {
			b.Settings.Teams = map[okrcore.ID]Ladder{}
		}
		b.Settings.Teams[team.ID] = l
	}
	return l, b.write(tx, actor.Workspace, now)
}
