package away

import (
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Held says why a message to a person is not sent when its time comes; a
// zero Held means it goes.
type Held struct{ Reason string }

// Hold decides, when a person's check-in nudge, reminder or grading prompt
// is due, whether it waits out their time away, a mute or the day's one
// reminder. status is the person's chat status when the platform could
// tell it (nil otherwise); it counts only where the workspace chose so. loc
// is the person's time zone, their days the days of "one a day".
func Hold(tx okrcore.Tx, it *okrcore.OutboxItem, status *Status, now time.Time, loc *time.Location) (Held, error) {
	switch it.Kind {
	case okrcore.OutboxCheckIn, okrcore.OutboxReminder, okrcore.OutboxGrading:
	default:
		return Held{}, nil
	}
	b, err := readPerson(tx, it.Workspace, it.User)
	if err != nil {
		return Held{}, err
	}
	if p, ok := b.AwayAt(it.User, now); ok {
		return Held{Reason: "away until " + p.Until.In(loc).Format("2006-01-02 15:04")}, nil
	}
	if status != nil && b.Settings.SlackStatus && StatusAway(*status, now) {
		return Held{Reason: "their chat status says they are away"}, nil
	}
	if it.Kind != okrcore.OutboxReminder {
		return Held{}, nil
	}
	if c, err := okrcore.CurrentCycle(tx, it.Workspace); err == nil && b.Muted(it.User, c.ID) {
		return Held{Reason: "reminders muted for the cycle"}, nil
	}
	others := []string{ReminderKey(it.User, it.Period), NudgeKey(it.User, Day(now, loc))}
	var items []*okrcore.OutboxItem
	for _, k := range others {
		if k == it.Key {
			continue
		}
		x, err := tx.OutboxByKey(it.Workspace, k)
		if okrcore.IsNotFound(err) {
			continue
		}
		if err != nil {
			return Held{}, err
		}
		items = append(items, x)
	}
	// Only a reminder already sent holds this one: two due the same day
	// must not hold each other back.
	sent := items[:0]
	for _, x := range items {
		if x.State == okrcore.OutboxSent {
			sent = append(sent, x)
		}
	}
	if RemindedOn(sent, it.Key, now, loc) {
		return Held{Reason: "already had a reminder today"}, nil
	}
	return Held{}, nil
}

// IsNudge says whether an outbox key is a "Nudge them" reminder's.
func IsNudge(key string) bool { return strings.Contains(key, ":nudge:") }
