package reply

import (
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The words of a schedule: "checkin biweekly monday 9:30", "grading 7".

const ScheduleHelp = "Try `/okr schedule checkin monday 10:00`, `/okr schedule checkin biweekly monday 9:30`, " +
	"`/okr schedule checkin monthly 1 10:00`, `/okr schedule reminder tuesday 10:00` (or `reminder default`), " +
	"`/okr schedule digest friday 16:00`, `/okr schedule manager friday 17:00`, `/okr schedule grading 7` (days before the end, or `off`), " +
	"or the same after `/okr schedule team NAME …` for one team (`/okr schedule team NAME reset` removes its override)."

// ApplySchedule reads "checkin [weekly|biweekly] monday 10:00",
// "checkin monthly 1 10:00", "checkin off", "reminder default",
// "grading 7" and the like into sc.
func ApplySchedule(sc *okrcore.Schedule, args []Token) error {
	job := lowerWord(args[0].Text)
	rest := Texts(args[1:])
	if job == "grading" {
		if len(rest) != 1 {
			return wordsUsage("Say how many days before a cycle ends to ask for grades: `/okr schedule grading 7`, or `grading off`.")
		}
		if lowerWord(rest[0]) == "off" {
			sc.GradingDays = -1
			return nil
		}
		n, err := strconv.Atoi(rest[0])
		if err != nil || n < 1 || n > 30 {
			return wordsUsage("Grading starts 1 to 30 days before a cycle ends; %q isn't that.", rest[0])
		}
		sc.GradingDays = n
		return nil
	}
	var slot *okrcore.Slot
	switch job {
	case "checkin", "check-in", "checkins", "nudge":
		slot = &sc.CheckIn
	case "reminder", "reminders":
		slot = &sc.Reminder
		if len(rest) == 1 && lowerWord(rest[0]) == "default" {
			*slot = okrcore.Slot{}
			return nil
		}
	case "digest", "digests":
		slot = &sc.Digest
	case "manager", "manager-digest":
		slot = &sc.ManagerDigest
	default:
		return wordsUsage(inFormat(ScheduleHelp))
	}
	s, err := ParseSlot(rest)
	if err != nil {
		return err
	}
	*slot = s
	return nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func ParseSlot(words []string) (okrcore.Slot, error) {
	s := okrcore.Slot{Cadence: okrcore.Weekly}
	if len(words) == 1 && lowerWord(words[0]) == "off" {
		return okrcore.Slot{Cadence: okrcore.Off}, nil
	}
	if len(words) > 0 {
		switch lowerWord(words[0]) {
		case "weekly", "every":
			words = words[1:]
		case "biweekly", "fortnightly":
			s.Cadence, words = okrcore.Biweekly, words[1:]
		case "monthly":
			s.Cadence, words = okrcore.Monthly, words[1:]
		}
	}
	if len(words) != 2 {
		return s, wordsUsage(inFormat(ScheduleHelp))
	}
	if s.Cadence == okrcore.Monthly {
		d, err := strconv.Atoi(strings.TrimRight(lowerWord(words[0]), "stndrh"))
		if err != nil {
			return s, wordsUsage("Monthly needs a day of the month: `monthly 1 10:00`.")
		}
		s.Day = d
	} else {
		wd, ok := weekdays[strings.TrimSuffix(lowerWord(words[0]), "s")]
		if !ok {
			if wd, ok = weekdays[lowerWord(words[0])]; !ok {
				return s, wordsUsage("%q is not a day of the week.", words[0])
			}
		}
		s.Weekday = wd
	}
	h, m, ok := parseClock(words[1])
	if !ok {
		return s, wordsUsage("%q is not a time of day; write it like 10:00 or 16:30.", words[1])
	}
	s.Hour, s.Minute = h, m
	return s, s.Validate()
}

func parseClock(s string) (int, int, bool) {
	s = lowerWord(s)
	pm := strings.HasSuffix(s, "pm")
	am := strings.HasSuffix(s, "am")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "pm"), "am")
	hs, ms, found := strings.Cut(s, ":")
	h, err := strconv.Atoi(hs)
	if err != nil {
		return 0, 0, false
	}
	m := 0
	if found {
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 {
			return 0, 0, false
		}
	}
	if pm || am {
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		if pm && h != 12 {
			h += 12
		}
		if am && h == 12 {
			h = 0
		}
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}
