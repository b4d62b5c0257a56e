package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

const scheduleHelp = "Try `/okr schedule checkin monday 10:00`, `/okr schedule checkin biweekly monday 9:30`, " +
	"`/okr schedule checkin monthly 1 10:00`, `/okr schedule reminder tuesday 10:00` (or `reminder default`), " +
	"`/okr schedule digest friday 16:00`, `/okr schedule manager friday 17:00`, `/okr schedule grading 7` (days before the end, or `off`), " +
	"or the same after `/okr schedule team NAME …` for one team (`/okr schedule team NAME reset` removes its override)."

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
		change := func(sc *okrcore.Schedule) error { return applySchedule(sc, args) }
		switch {
		case team == nil:
			if w, err = okrcore.SetSchedule(tx, req.actor, change); err != nil {
				return err
			}
		case lower(args[0].Text) == "reset":
			if _, err := okrcore.ResetTeamSchedule(tx, req.actor, team.ID); err != nil {
				return err
			}
			text = team.Name + " follows the workspace's schedule again.\n" + w.Schedule.Describe()
			return nil
		default:
			if team, err = okrcore.SetTeamSchedule(tx, req.actor, team.ID, change); err != nil {
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
			return team.Name + " follows the workspace's schedule:\n" + w.Schedule.Describe()
		}
		return team.Name + "'s schedule:\n" + team.Schedule.Describe()
	}
	s := w.Schedule.Describe()
	if teams, err := tx.Teams(w.ID); err == nil {
		var own []string
		for _, t := range teams {
			if t.Schedule != nil {
				own = append(own, t.Name)
			}
		}
		if len(own) > 0 {
			s += "\nTeams with their own schedule: " + strings.Join(own, ", ") + " (`/okr schedule team NAME` shows one)."
		}
	}
	return s
}

// applySchedule reads "checkin [weekly|biweekly] monday 10:00",
// "checkin monthly 1 10:00", "checkin off", "reminder default",
// "grading 7" and the like into sc.
func applySchedule(sc *okrcore.Schedule, args []reply.Token) error {
	job := lower(args[0].Text)
	rest := reply.Texts(args[1:])
	if job == "grading" {
		if len(rest) != 1 {
			return usage("Say how many days before a cycle ends to ask for grades: `/okr schedule grading 7`, or `grading off`.")
		}
		if lower(rest[0]) == "off" {
			sc.GradingDays = -1
			return nil
		}
		n, err := strconv.Atoi(rest[0])
		if err != nil || n < 1 || n > 30 {
			return usage("Grading starts 1 to 30 days before a cycle ends; %q isn't that.", rest[0])
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
		if len(rest) == 1 && lower(rest[0]) == "default" {
			*slot = okrcore.Slot{}
			return nil
		}
	case "digest", "digests":
		slot = &sc.Digest
	case "manager", "manager-digest":
		slot = &sc.ManagerDigest
	default:
		return usage("%s", scheduleHelp)
	}
	s, err := parseSlot(rest)
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

func parseSlot(words []string) (okrcore.Slot, error) {
	s := okrcore.Slot{Cadence: okrcore.Weekly}
	if len(words) == 1 && lower(words[0]) == "off" {
		return okrcore.Slot{Cadence: okrcore.Off}, nil
	}
	if len(words) > 0 {
		switch lower(words[0]) {
		case "weekly", "every":
			words = words[1:]
		case "biweekly", "fortnightly":
			s.Cadence, words = okrcore.Biweekly, words[1:]
		case "monthly":
			s.Cadence, words = okrcore.Monthly, words[1:]
		}
	}
	if len(words) != 2 {
		return s, usage("%s", scheduleHelp)
	}
	if s.Cadence == okrcore.Monthly {
		d, err := strconv.Atoi(strings.TrimRight(lower(words[0]), "stndrh"))
		if err != nil {
			return s, usage("Monthly needs a day of the month: `monthly 1 10:00`.")
		}
		s.Day = d
	} else {
		wd, ok := weekdays[strings.TrimSuffix(lower(words[0]), "s")]
		if !ok {
			if wd, ok = weekdays[lower(words[0])]; !ok {
				return s, usage("%q is not a day of the week.", words[0])
			}
		}
		s.Weekday = wd
	}
	h, m, ok := parseClock(words[1])
	if !ok {
		return s, usage("%q is not a time of day; write it like 10:00 or 16:30.", words[1])
	}
	s.Hour, s.Minute = h, m
	return s, s.Validate()
}

func parseClock(s string) (int, int, bool) {
	s = lower(s)
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
