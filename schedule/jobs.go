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
}

// cycleJob is a message sent once in a cycle's last days, from at until
// the cycle's end plus the grace period (a job with late set: until
// that).
type cycleJob struct {
	kind okrcore.OutboxKind
	// name makes the marker that records the job as done for a cycle.
	name       string
	at         func(c *okrcore.Cycle, sc okrcore.Schedule) time.Time
	late       func(c *okrcore.Cycle, grace time.Duration) time.Time
	recipients func(tx okrcore.Tx, ws string, c *okrcore.Cycle, teams []*okrcore.Team) (users, teamIDs []okrcore.ID, err error)
}

// until is the end of a cycle job's window.
func (j cycleJob) until(c *okrcore.Cycle, grace time.Duration) time.Time {
	if j.late != nil {
		return j.late(c, grace)
	}
	return c.End.Add(grace)
}

func gradingAt(c *okrcore.Cycle, sc okrcore.Schedule) time.Time {
	return c.End.AddDate(0, 0, -sc.GradingDays)
}

// cycleJobs is read-only.
var cycleJobs = []cycleJob{
	// Owners grade their key results in the cycle's last days; a team's
	// key results are graded by its lead.
	{kind: okrcore.OutboxGrading, name: "grading", at: gradingAt, recipients: keyResultOwners},
	// Everyone in a team answers the retrospective two days later.
	{kind: okrcore.OutboxRetro, name: "retro",
		at:         func(c *okrcore.Cycle, sc okrcore.Schedule) time.Time { return gradingAt(c, sc).AddDate(0, 0, 2) },
		recipients: teamMembers},
	// Each team's retrospective is posted when answering it has closed
	// (its results show no sooner).
	{kind: okrcore.OutboxRetro, name: "retro-summary",
		at:   func(c *okrcore.Cycle, _ okrcore.Schedule) time.Time { return c.RetroCloses() },
		late: func(c *okrcore.Cycle, grace time.Duration) time.Time { return c.RetroCloses().Add(grace) },
		recipients: func(_ okrcore.Tx, _ string, _ *okrcore.Cycle, teams []*okrcore.Team) ([]okrcore.ID, []okrcore.ID, error) {
			ids := make([]okrcore.ID, 0, len(teams))
			for _, t := range teams {
				ids = append(ids, t.ID)
			}
			return nil, ids, nil
		}},
}

func keyResultOwners(tx okrcore.Tx, ws string, c *okrcore.Cycle, _ []*okrcore.Team) ([]okrcore.ID, []okrcore.ID, error) {
	krs, err := tx.KeyResultsByCycle(ws, c.ID)
	if err != nil {
		return nil, nil, err
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
	return sortedIDs(owners), nil, nil
}

func teamMembers(_ okrcore.Tx, _ string, _ *okrcore.Cycle, teams []*okrcore.Team) ([]okrcore.ID, []okrcore.ID, error) {
	members := map[okrcore.ID]bool{}
	for _, t := range teams {
		for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
			if m != 0 {
				members[m] = true
			}
		}
	}
	return sortedIDs(members), nil, nil
}
