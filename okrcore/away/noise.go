package away

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
)

// Reminders come from two places, the schedule's reminder of a check-in
// period and a lead's "Nudge them"; each has a key that names its period
// or its day, so whether a person had one today is two look-ups by key.

// ReminderKey is the key of the scheduled reminder of a period.
func ReminderKey(user okrcore.ID, period string) string {
	return fmt.Sprintf("%s:u%d:%s", okrcore.OutboxReminder, user, period)
}

// NudgeKey is the key of the "Nudge them" reminder of a person's day (a
// date in their time zone): at most one a day, by the key alone.
func NudgeKey(user okrcore.ID, day string) string {
	return fmt.Sprintf("%s:u%d:nudge:%s", okrcore.OutboxReminder, user, day)
}

// WelcomeKey is the key of the welcome-back nudge after a time away that
// ended at until.
func WelcomeKey(user okrcore.ID, until time.Time) string {
	return fmt.Sprintf("%s:u%d:back:%d", okrcore.OutboxCheckIn, user, until.Unix())
}

// IsWelcome says whether an outbox key is a welcome-back nudge's.
func IsWelcome(key string) bool { return strings.Contains(key, ":back:") }

// Day names the day of t in loc, as NudgeKey takes it.
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

// RemindedOn says whether any of the items (a person's reminders, by key)
// went out, or is still to go out, on the day of now in loc, other than
// except: nobody gets more than one reminder a day. An item still open
// counts on the day it is due; one sent counts on the day it was sent.
func RemindedOn(items []*okrcore.OutboxItem, except string, now time.Time, loc *time.Location) bool {
	day := Day(now, loc)
	for _, it := range items {
		if it == nil || it.Key == except {
			continue
		}
		switch {
		case it.State == okrcore.OutboxSent && Day(it.SentAt, loc) == day:
			return true
		case it.State.Open() && Day(it.DueAt, loc) == day:
			return true
		}
	}
	return false
}

// Status is a chat profile's status, as the platform reports it: its
// emoji (":palm_tree:"), its text and when it expires (zero: never).
type Status struct {
	Emoji   string
	Text    string
	Expires time.Time
}

// awayEmoji are the statuses people set when they are off work.
var awayEmoji = map[string]bool{
	"palm_tree": true, "airplane": true, "airplane_departure": true, "airplane_arriving": true, "small_airplane": true,
	"beach_with_umbrella": true, "desert_island": true, "face_with_thermometer": true, "thermometer": true,
	"sick": true, "mask": true, "face_with_head_bandage": true, "baby": true, "baby_bottle": true,
	"luggage": true, "umbrella_on_ground": true, "camping": true,
	"skier": true, "ooo": true,
}

// awayWords are phrases of a status text that say the person is off.
var awayWords = []string{
	"out of office", "out of the office", "out-of-office", "ooo", "vacation", "vacationing", "holiday", "holidays",
	"on leave", "parental leave", "maternity leave", "paternity leave", "sick leave", "annual leave", "pto",
	"off sick", "sick", "off work", "away until", "travelling", "traveling", "day off", "days off", "time off",
}

// StatusAway says whether a status says its person is away at now: a
// vacation or sickness emoji, or a text that says out of office, that has
// not expired.
func StatusAway(s Status, now time.Time) bool {
	if !s.Expires.IsZero() && !s.Expires.After(now) {
		return false
	}
	if awayEmoji[strings.ToLower(strings.Trim(s.Emoji, ":"))] {
		return true
	}
	text := " " + strings.Join(strings.FieldsFunc(strings.ToLower(s.Text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	}), " ") + " "
	for _, w := range awayWords {
		if strings.Contains(text, " "+w+" ") {
			return true
		}
	}
	return false
}
