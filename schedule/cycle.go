package schedule

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// The end of a cycle (the table is cycleJobs): grading prompts and
// retrospective invitations come at a working hour of each person's own
// time zone, the time of their check-ins (their team's override, else the
// workspace's; 10:00 when check-ins are off), on the grading day and two
// days later; each team's summary at the time of its digests in its time
// zone, on the first day after answering has closed. Recipients are grouped
// by time zone and time of day, and each group's occurrence is recorded
// once by a marker, as the recurring jobs are. The instant is built from
// the local date, so a time in a spring-forward gap still comes (moved past
// the gap, localAt) and one in a fall-back fold comes once.

// defaultWorkingHour is when a cycle job comes for someone whose check-ins
// (or a team whose digests) are off.
const defaultWorkingHour = 10

// workingHour is the time of day of a slot, or 10:00 when it is off.
func workingHour(sl okrcore.Slot) (int, int) {
	if sl.Cadence == okrcore.Off || sl.Validate() != nil {
		return defaultWorkingHour, 0
	}
	return sl.Hour, sl.Minute
}

// localAt is h:m in loc on the calendar date of day. A time that does not
// exist that day (clocks went forward over it) is as late past the gap as
// it would have been before it: 02:30 is 03:30. One that happens twice is
// the first, as time.Date gives it.
func localAt(day time.Time, h, m int, loc *time.Location) time.Time {
	y, mo, d := day.Date()
	at := time.Date(y, mo, d, h, m, 0, 0, loc)
	wy, wmo, wd := at.Date()
	wall := time.Date(wy, wmo, wd, at.Hour(), at.Minute(), 0, 0, time.UTC)
	if want := time.Date(y, mo, d, h, m, 0, 0, time.UTC); wall.Before(want) {
		at = at.Add(want.Sub(wall))
	}
	return at
}

// firstAfter is the first h:m in loc, from the date of day on, that is not
// before notBefore.
func firstAfter(notBefore, day time.Time, h, m int, loc *time.Location) time.Time {
	at := localAt(day, h, m, loc)
	for i := 1; at.Before(notBefore) && i <= 3; i++ {
		at = localAt(day.AddDate(0, 0, i), h, m, loc)
	}
	return at
}

// cycleGroup is a set of recipients of cycle jobs that share a time zone
// and a working hour.
type cycleGroup struct {
	loc   *time.Location
	h, m  int
	users []okrcore.ID
	teams []okrcore.ID
}

// cycleGroups groups people (by their check-in time) or teams (by their
// digest time), keyed by zone and time, built once a tick when a cycle job
// may be due.
type cycleGroups struct {
	s         *Scheduler
	base      okrcore.Schedule
	users     []*okrcore.User
	teams     []*okrcore.Team
	userSched map[okrcore.ID]okrcore.Schedule
	people    map[string]*cycleGroup
	teamsOf   map[string]*cycleGroup
}

func (cg *cycleGroups) add(m map[string]*cycleGroup, tz string, sl okrcore.Slot) *cycleGroup {
	loc := cg.s.locs.Get(tz)
	h, mi := workingHour(sl)
	key := fmt.Sprintf("%s|%02d:%02d", loc, h, mi)
	g, ok := m[key]
	if !ok {
		g = &cycleGroup{loc: loc, h: h, m: mi}
		m[key] = g
	}
	return g
}

func (cg *cycleGroups) of(aud audience) map[string]*cycleGroup {
	if aud == forPeople {
		if cg.people == nil {
			cg.people = map[string]*cycleGroup{}
			for _, u := range cg.users {
				sc, ok := cg.userSched[u.ID]
				if !ok {
					sc = cg.base
				}
				g := cg.add(cg.people, u.TimeZone, sc.CheckIn)
				g.users = append(g.users, u.ID)
			}
		}
		return cg.people
	}
	if cg.teamsOf == nil {
		cg.teamsOf = map[string]*cycleGroup{}
		for _, t := range cg.teams {
			sc := cg.base
			if t.Schedule != nil {
				sc = t.Schedule.OrDefault()
			}
			g := cg.add(cg.teamsOf, t.TimeZone, sc.Digest)
			g.teams = append(g.teams, t.ID)
		}
	}
	return cg.teamsOf
}

// Bounds of the cycle jobs' windows, for a cheap test before any group is
// built: no local time of a date comes earlier than 14 hours before that
// date begins in UTC, a summary comes within three days of the cycle's
// end, and the planning digest within three of its start (a weekend).
const (
	earliestZone  = 14 * time.Hour
	summaryWithin = 3 * 24 * time.Hour
	planWithin    = 3 * 24 * time.Hour
)

// planEndOfCycle plans the jobs of a cycle's end: owners grade, members
// answer the retrospective, each team's retrospective is posted; the
// summary also for a cycle that ended lately but is closed or no longer
// current. The current cycle's planning digest, at its start, is planned
// here too.
func (s *Scheduler) planEndOfCycle(tx okrcore.Tx, w *okrcore.Workspace, cg *cycleGroups, now time.Time, p *plan) error {
	gd := cg.base.GradingDays
	cycles, err := tx.Cycles(w.ID)
	if err != nil {
		return err
	}
	for _, c := range cycles {
		current := (c.ID == w.CurrentCycle || slices.Contains(w.AlsoCurrent, c.ID)) && !c.Closed
		starting := current && !now.Before(c.Start.Add(-earliestZone)) && now.Before(c.Start.Add(planWithin+earliestZone+s.grace))
		from := c.End.Add(-earliestZone)
		if current {
			from = gradingDay(c, gd).Add(-earliestZone)
		}
		if !starting && (gd < 0 || now.Before(from) || now.After(c.RetroCloses().Add(summaryWithin+s.grace))) {
			continue
		}
		if err := s.planCycle(tx, w.ID, c, current, cg, now, p); err != nil {
			return err
		}
	}
	return nil
}

// planCycle adds the items of every cycle job due now for c, group by
// group.
func (s *Scheduler) planCycle(tx okrcore.Tx, ws string, c *okrcore.Cycle, current bool, cg *cycleGroups, now time.Time, p *plan) error {
	cyc := "c" + strconv.FormatUint(uint64(c.ID), 10)
	for _, j := range cycleJobs {
		// One marker for the whole workspace is an occurrence recorded
		// before the jobs came at local working hours.
		if (!current && !j.ended) || (cg.base.GradingDays < 0 && !j.atStart) || handled(tx, ws, "slot:"+j.name+":"+cyc) {
			continue
		}
		var want map[okrcore.ID]bool
		groups := cg.of(j.audience)
		for _, key := range sortedKeys(groups) {
			g := groups[key]
			due := j.due(c, cg.base.GradingDays, g.loc, g.h, g.m)
			if now.Before(due) || !now.Before(j.until(c, due, s.grace)) {
				continue
			}
			marker := "slot:" + j.name + ":" + cyc + ":" + key
			if handled(tx, ws, marker) {
				continue
			}
			if j.recipients != nil && want == nil {
				var err error
				if want, err = j.recipients(tx, ws, c, cg.teams); err != nil {
					return err
				}
			}
			for _, id := range sortedUsers(g.users, want) {
				p.items = append(p.items, &okrcore.OutboxItem{Workspace: ws, Kind: j.kind, User: id, Period: cyc, DueAt: due, CreatedAt: now,
					Key: fmt.Sprintf("%s:u%d:%s", j.kind, id, cyc)})
			}
			for _, id := range g.teams {
				p.items = append(p.items, &okrcore.OutboxItem{Workspace: ws, Kind: j.kind, Team: id, Period: cyc, DueAt: due, CreatedAt: now,
					Key: fmt.Sprintf("%s:t%d:%s", j.kind, id, cyc)})
			}
			p.markers = append(p.markers, marker)
		}
	}
	return nil
}

// sortedUsers is the people of ids that want holds, in id order.
func sortedUsers(ids []okrcore.ID, want map[okrcore.ID]bool) []okrcore.ID {
	var out []okrcore.ID
	for _, id := range ids {
		if want[id] {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// startCycles makes current each cycle whose start has come (a quarter
// after the last, made by `/okr cycle next`), when the tick's plan found
// one due (cycles.Due, in the plan's read): the cycle records that it
// started, so it happens once per workspace however many schedulers
// tick, and the nudges composed after it list the new cycle's key
// results.
func (s *Scheduler) startCycles(ctx context.Context, ws string, now time.Time) error {
	started, err := okrcore.Update(ctx, s.store, func(tx okrcore.Tx) ([]*okrcore.Cycle, error) { return cycles.Advance(tx, now, ws) })
	for _, c := range started {
		s.log.Info("cycle started", "workspace", ws, "cycle", c.ID)
	}
	return err
}
