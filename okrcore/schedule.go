package okrcore

import (
	"fmt"
	"strings"
	"time"
)

// Cadence is how often a scheduled job runs.
type Cadence string

const (
	Weekly   Cadence = "weekly"
	Biweekly Cadence = "biweekly"
	Monthly  Cadence = "monthly"
	Off      Cadence = "off"
)

// Slot is when a job runs: a weekday (weekly and biweekly) or a day of the
// month (monthly), at a local time of day. Whose local time depends on the
// job: check-ins and reminders use each person's time zone, digests the
// team's.
type Slot struct {
	Cadence Cadence      `json:"cadence"`
	Weekday time.Weekday `json:"weekday"`
	Day     int          `json:"day,omitempty"` // 1–28, monthly only
	Hour    int          `json:"hour"`
	Minute  int          `json:"minute"`
}

// CronSpec is the slot as a five-field cron expression ("0 10 * * 1").
// Biweekly slots run on the weekly spec; the odd weeks are filtered out by
// OnWeek.
func (s Slot) CronSpec() string {
	if s.Cadence == Monthly {
		return fmt.Sprintf("%d %d %d * *", s.Minute, s.Hour, s.Day)
	}
	return fmt.Sprintf("%d %d * * %d", s.Minute, s.Hour, int(s.Weekday))
}

// OnWeek reports whether a biweekly slot runs in the week of t (local
// time): every other week, counted from a fixed Monday so that the rhythm
// does not depend on when the bot started.
func (s Slot) OnWeek(t time.Time) bool {
	if s.Cadence != Biweekly {
		return true
	}
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	weeks := int(day.Sub(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24 / 7)
	return weeks%2 == 0
}

// Validate checks a slot's fields.
func (s Slot) Validate() error {
	switch s.Cadence {
	case Weekly, Biweekly, Off:
	case Monthly:
		if s.Day < 1 || s.Day > 28 {
			return Errorf(KindInvalid, "Monthly jobs run on a day from 1 to 28, so that every month has it.")
		}
	default:
		return Errorf(KindInvalid, "%q is not a cadence; use weekly, biweekly, monthly or off.", s.Cadence)
	}
	if s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 || s.Weekday < 0 || s.Weekday > 6 {
		return Errorf(KindInvalid, "That time doesn't exist; use a time like 10:00 or 16:30.")
	}
	return nil
}

// Describe says the slot in words: "every Monday at 10:00".
func (s Slot) Describe() string {
	at := fmt.Sprintf("%02d:%02d", s.Hour, s.Minute)
	switch s.Cadence {
	case Off:
		return "off"
	case Biweekly:
		return fmt.Sprintf("every other %s at %s", s.Weekday, at)
	case Monthly:
		return fmt.Sprintf("on day %d of every month at %s", s.Day, at)
	}
	return fmt.Sprintf("every %s at %s", s.Weekday, at)
}

// Schedule is the weekly rhythm of a workspace, or a team's override of it.
type Schedule struct {
	CheckIn Slot `json:"checkin"`
	// Reminder goes to people who have not checked in; a zero Cadence
	// means the next working day after the check-in, at the same time.
	Reminder      Slot `json:"reminder"`
	Digest        Slot `json:"digest"`
	ManagerDigest Slot `json:"manager_digest"`
	// GradingDays is how many days before a cycle ends owners are asked
	// to grade their key results; 0 means 7, negative means never.
	GradingDays int `json:"grading_days,omitempty"`
}

// DefaultSchedule is the rhythm of the rollout guides: check-in nudges on
// Monday at 10:00, a reminder the next working day, team digests on Friday
// at 16:00 and the manager digest after them, grading in the last week.
func DefaultSchedule() Schedule {
	return Schedule{
		CheckIn:       Slot{Cadence: Weekly, Weekday: time.Monday, Hour: 10},
		Digest:        Slot{Cadence: Weekly, Weekday: time.Friday, Hour: 16},
		ManagerDigest: Slot{Cadence: Weekly, Weekday: time.Friday, Hour: 17},
		GradingDays:   7,
	}
}

// OrDefault fills unset slots from DefaultSchedule and resolves the
// reminder's "next working day".
func (s Schedule) OrDefault() Schedule {
	d := DefaultSchedule()
	if s.CheckIn.Cadence == "" {
		s.CheckIn = d.CheckIn
	}
	if s.Digest.Cadence == "" {
		s.Digest = d.Digest
	}
	if s.ManagerDigest.Cadence == "" {
		s.ManagerDigest = d.ManagerDigest
	}
	if s.GradingDays == 0 {
		s.GradingDays = d.GradingDays
	}
	if s.Reminder.Cadence == "" {
		r := s.CheckIn
		if r.Cadence == Monthly {
			r.Day++
			if r.Day > 28 {
				r.Day = 1
			}
		} else {
			r.Weekday = nextWorkingDay(r.Weekday)
		}
		s.Reminder = r
	}
	return s
}

func nextWorkingDay(d time.Weekday) time.Weekday {
	switch d {
	case time.Friday, time.Saturday:
		return time.Monday
	}
	return d + 1
}

// Describe says the whole schedule in words, one line a job.
func (s Schedule) Describe() string {
	s = s.OrDefault()
	lines := []string{
		"Check-ins: " + s.CheckIn.Describe() + ", each person's local time",
		"Reminders to those who haven't checked in: " + s.Reminder.Describe() + ", each person's local time",
		"Team digests: " + s.Digest.Describe() + ", the team's time zone",
		"Manager digests: " + s.ManagerDigest.Describe() + ", the lead's team's time zone",
	}
	if s.GradingDays < 0 {
		lines = append(lines, "Grading: off")
	} else {
		days := "days"
		if s.GradingDays == 1 {
			days = "day"
		}
		lines = append(lines, fmt.Sprintf("Grading: owners are asked %d %s before a cycle ends, at their check-in time in their own time zone (10:00 when check-ins are off); "+
			"the retrospective two days later, the same way; each team's results at its digest time once answering has closed", s.GradingDays, days))
	}
	return strings.Join(lines, "\n")
}

// PeriodKey names the check-in period containing t in loc: the ISO week
// ("2026-W47") for weekly and biweekly rhythms, the month ("2026-11") for
// monthly ones. A person is nudged at most once per period.
func PeriodKey(c Cadence, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if c == Monthly {
		return t.Format("2006-01")
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// PeriodStart is the first instant of the period containing t in loc.
func PeriodStart(c Cadence, t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	if c == Monthly {
		return time.Date(y, m, 1, 0, 0, 0, 0, loc)
	}
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

// maxGradingDays is the earliest grading prompt, in days before a cycle
// ends.
const maxGradingDays = 30

// Validate checks every slot that is set (an unset one follows the
// default) and the grading lead time.
func (s Schedule) Validate() error {
	for _, sl := range []Slot{s.CheckIn, s.Reminder, s.Digest, s.ManagerDigest} {
		if sl.Cadence == "" {
			continue
		}
		if err := sl.Validate(); err != nil {
			return err
		}
	}
	if s.GradingDays > maxGradingDays {
		return Errorf(KindInvalid, "Grading starts 1 to %d days before a cycle ends; %d isn't that.", maxGradingDays, s.GradingDays)
	}
	return nil
}
