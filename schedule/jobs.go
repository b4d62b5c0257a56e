package schedule

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// This file is the table of what the scheduler sends. A new kind of
// scheduled message is one entry here and one composer in report.

// audience is whom a recurring job goes to: each person of a group, or
// each team of a group.
type audience int

const (
	forPeople audience = iota
	forTeams
)

// recurringJob is a message sent at every occurrence of one slot of a
// schedule (the workspace's, or a team's override).
type recurringJob struct {
	kind     okrcore.OutboxKind
	audience audience
	slot     func(okrcore.Schedule) okrcore.Slot
	// period is the occurrence whose check-in period an item belongs to;
	// nil for the occurrence itself.
	period func(g *group, occ time.Time) time.Time
	// skip leaves a team out (for forTeams jobs); nil sends to every team.
	skip func(t *okrcore.Team, hasChildren map[okrcore.ID]bool) bool
	// thread keeps only the teams whose escalation ladder has its thread
	// step on (okrcore/away), read once per tick that plans the job.
	thread bool
	// delay puts the items after the occurrence.
	delay time.Duration
}

func (j recurringJob) periodAt(g *group, occ time.Time) time.Time {
	if j.period == nil {
		return occ
	}
	return j.period(g, occ)
}

func (j recurringJob) wants(t *okrcore.Team, hasChildren map[okrcore.ID]bool) bool {
	return j.skip == nil || !j.skip(t, hasChildren)
}

// recurringJobs is read-only. People's jobs come before teams' within a
// tick, each in this order, as items are planned.
var recurringJobs = []recurringJob{
	{kind: okrcore.OutboxCheckIn, audience: forPeople, slot: func(s okrcore.Schedule) okrcore.Slot { return s.CheckIn }},
	{kind: okrcore.OutboxReminder, audience: forPeople, slot: func(s okrcore.Schedule) okrcore.Slot { return s.Reminder },
		// A reminder belongs to the check-in period before it.
		period: func(g *group, occ time.Time) time.Time {
			if c, _, ok := latestOccurrence(g.sched.CheckIn, occ, g.loc, 35*24*time.Hour); ok {
				return c
			}
			return occ
		}},
	{kind: okrcore.OutboxDigest, audience: forTeams, slot: func(s okrcore.Schedule) okrcore.Slot { return s.Digest },
		// Nowhere to post: no channel and nobody to DM.
		skip: func(t *okrcore.Team, _ map[okrcore.ID]bool) bool { return t.DigestChannel == "" && t.Lead == 0 }},
	{kind: okrcore.OutboxManagerDigest, audience: forTeams, slot: func(s okrcore.Schedule) okrcore.Slot { return s.ManagerDigest },
		// Only a lead of teams under it has anything to roll up.
		skip: func(t *okrcore.Team, hasChildren map[okrcore.ID]bool) bool { return !hasChildren[t.ID] || t.Lead == 0 }},
	// The escalation ladder's reply in the digest's thread, once the
	// digest it answers is out; only where the ladder has it on.
	{kind: okrcore.OutboxEscalation, audience: forTeams, slot: func(s okrcore.Schedule) okrcore.Slot { return s.Digest },
		thread: true, delay: escalationDelay,
		skip: func(t *okrcore.Team, _ map[okrcore.ID]bool) bool { return t.DigestChannel == "" }},
}

// escalationDelay is how long after the digest the ladder's reply in its
// thread comes: room for the digest to go out first, even when a large
// fan-out delays it.
const escalationDelay = 30 * time.Minute

// cycleJob is a message sent once per cycle at its end, to each group of
// recipients that share a time zone and a working hour (cycle.go): people
// at the time of their check-ins, teams at the time of their digests, 10:00
// where those are off.
type cycleJob struct {
	kind okrcore.OutboxKind
	// name makes the markers that record the job as done for a cycle and
	// a group.
	name     string
	audience audience
	// due is when the job comes for a group at h:m in loc; gradingDays is
	// the workspace's lead time for grading.
	due func(c *okrcore.Cycle, gradingDays int, loc *time.Location, h, m int) time.Time
	// until ends the job's window: a job missed while the bot was down is
	// caught up until then.
	until func(c *okrcore.Cycle, due time.Time, grace time.Duration) time.Time
	// ended runs the job for a cycle closed or no longer current too; the
	// others are for the current, open cycle only.
	ended bool
	// atStart is a job of the cycle's first days, which runs when grading
	// is off too.
	atStart bool
	// recipients are the people of a forPeople job; forTeams jobs go to
	// every team.
	recipients func(tx okrcore.Tx, ws string, c *okrcore.Cycle, teams []*okrcore.Team) (map[okrcore.ID]bool, error)
}

// gradingDay is the day owners are asked to grade: gradingDays before the
// cycle's end, by the calendar date of its end (midnight UTC after its last
// day). retroDay is two days later, on the last day at the latest.
func gradingDay(c *okrcore.Cycle, gradingDays int) time.Time {
	return c.End.UTC().AddDate(0, 0, -gradingDays)
}

func retroDay(c *okrcore.Cycle, gradingDays int) time.Time {
	d := gradingDay(c, gradingDays).AddDate(0, 0, 2)
	if last := c.End.UTC().AddDate(0, 0, -1); d.After(last) {
		return last
	}
	return d
}

// untilAnsweringCloses keeps a prompt due until the cycle's retrospective
// closes, when its last day has ended everywhere.
func untilAnsweringCloses(c *okrcore.Cycle, _ time.Time, _ time.Duration) time.Time {
	return c.RetroCloses()
}

// planningDay is the day of a cycle's planning digest: its first weekday.
func planningDay(c *okrcore.Cycle) time.Time {
	d := c.Start.UTC()
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// cycleJobs is read-only.
var cycleJobs = []cycleJob{
	// Each team hears where its planning stands against the rules on the
	// cycle's first weekday (okrcore/minimums).
	{kind: okrcore.OutboxPlanning, name: "planning", audience: forTeams, atStart: true,
		due: func(c *okrcore.Cycle, _ int, loc *time.Location, h, m int) time.Time {
			return localAt(planningDay(c), h, m, loc)
		},
		until: func(_ *okrcore.Cycle, due time.Time, grace time.Duration) time.Time { return due.Add(grace) }},
	// Owners grade their key results in the cycle's last days; a team's
	// key results are graded by its lead.
	{kind: okrcore.OutboxGrading, name: "grading", audience: forPeople, recipients: keyResultOwners,
		due: func(c *okrcore.Cycle, gd int, loc *time.Location, h, m int) time.Time {
			return localAt(gradingDay(c, gd), h, m, loc)
		},
		until: untilAnsweringCloses},
	// Everyone in a team answers the retrospective two days later.
	{kind: okrcore.OutboxRetro, name: "retro", audience: forPeople, recipients: teamMembers,
		due: func(c *okrcore.Cycle, gd int, loc *time.Location, h, m int) time.Time {
			return localAt(retroDay(c, gd), h, m, loc)
		},
		until: untilAnsweringCloses},
	// Each team's retrospective is posted once answering it has closed
	// (its results show no sooner): at the team's working hour on the
	// first day that comes after the close.
	{kind: okrcore.OutboxRetro, name: "retro-summary", audience: forTeams, ended: true,
		due: func(c *okrcore.Cycle, _ int, loc *time.Location, h, m int) time.Time {
			return firstAfter(c.RetroCloses(), c.End.UTC(), h, m, loc)
		},
		until: func(_ *okrcore.Cycle, due time.Time, grace time.Duration) time.Time { return due.Add(grace) }},
}

func keyResultOwners(tx okrcore.Tx, ws string, c *okrcore.Cycle, _ []*okrcore.Team) (map[okrcore.ID]bool, error) {
	krs, err := tx.KeyResultsByCycle(ws, c.ID)
	if err != nil {
		return nil, err
	}
	owners := map[okrcore.ID]bool{}
	for _, k := range krs {
		switch k.Owner.Kind {
		case okrcore.OwnerUser:
			owners[k.Owner.ID] = true
		case okrcore.OwnerTeam:
			if t, err := tx.Team(ws, k.Owner.ID); err == nil && t.Lead != 0 {
				owners[t.Lead] = true
			}
		}
	}
	return owners, nil
}

func teamMembers(_ okrcore.Tx, _ string, _ *okrcore.Cycle, teams []*okrcore.Team) (map[okrcore.ID]bool, error) {
	members := map[okrcore.ID]bool{}
	for _, t := range teams {
		for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
			if m != 0 {
				members[m] = true
			}
		}
	}
	return members, nil
}
