package away

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// NudgeResult says whom "Nudge them" reminds, and whom it spares.
type NudgeResult struct {
	Sent []*okrcore.User
	// Spared had a reminder today already, are away or muted reminders.
	Spared []*okrcore.User
}

// Nudge plans one polite reminder now for each of people who have not
// checked in under team, by the team's lead or an admin: never a second
// one the same day (the reminder's key is its day), never to someone away
// or who muted reminders. period is a person's current check-in period,
// loc their time zone.
func Nudge(tx okrcore.Tx, actor *okrcore.User, team *okrcore.Team, people []*okrcore.User, now time.Time,
	loc func(*okrcore.User) *time.Location, period func(*okrcore.User) string) (NudgeResult, error) {
	var res NudgeResult
	if err := okrcore.RequireLeadOrAdmin(actor, team, "nudge a team's people"); err != nil {
		return res, err
	}
	b, err := Read(tx, actor.Workspace)
	if err != nil {
		return res, err
	}
	c, err := okrcore.CurrentCycle(tx, actor.Workspace)
	if err != nil {
		return res, err
	}
	for _, u := range people {
		l := loc(u)
		it := &okrcore.OutboxItem{Workspace: actor.Workspace, Kind: okrcore.OutboxReminder, User: u.ID, Period: period(u),
			DueAt: now, CreatedAt: now, State: okrcore.OutboxPending, Key: NudgeKey(u.ID, Day(now, l))}
		if _, away := b.AwayAt(u.ID, now); away || b.Muted(u.ID, c.ID) || u.Left {
			res.Spared = append(res.Spared, u)
			continue
		}
		today, err := remindedToday(tx, it, now, l)
		if err != nil {
			return res, err
		}
		if today {
			res.Spared = append(res.Spared, u)
			continue
		}
		added, err := tx.AddOutbox(it)
		if err != nil {
			return res, err
		}
		if !added {
			res.Spared = append(res.Spared, u)
			continue
		}
		res.Sent = append(res.Sent, u)
	}
	return res, nil
}

// remindedToday says whether the person of it already has a reminder
// sent or due today, other than it.
func remindedToday(tx okrcore.Tx, it *okrcore.OutboxItem, now time.Time, loc *time.Location) (bool, error) {
	var items []*okrcore.OutboxItem
	for _, k := range []string{ReminderKey(it.User, it.Period), it.Key} {
		x, err := tx.OutboxByKey(it.Workspace, k)
		if okrcore.IsNotFound(err) {
			continue
		}
		if err != nil {
			return false, err
		}
		items = append(items, x)
	}
	return RemindedOn(items, "", now, loc), nil
}
