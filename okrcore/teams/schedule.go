package teams

import (
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
)

// SetSchedule lets change edit the workspace's schedule and stores it.
// Admins only; change runs after that check. Slots change leaves unset stay
// unset, so that a default reminder keeps following the check-in day.
func SetSchedule(tx okrcore.Tx, actor *okrcore.User, change func(s *okrcore.Schedule) error) (*okrcore.Workspace, error) {
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return nil, err
	}
	if err := okrcore.RequireAdmin(actor, "change the schedule"); err != nil {
		return nil, err
	}
	sc := w.Schedule
	if err := change(&sc); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	w.Schedule = sc
	if err := tx.PutWorkspace(w); err != nil {
		return nil, fmt.Errorf("store workspace: %w", err)
	}
	return w, nil
}

// teamForSchedule loads a team for a change to its schedule, which admins
// and its lead may make.
func teamForSchedule(tx okrcore.Tx, actor *okrcore.User, id okrcore.ID) (*okrcore.Team, error) {
	t, err := tx.Team(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := okrcore.RequireLeadOrAdmin(actor, t, "change "+t.Name+"'s schedule (its lead can too)"); err != nil {
		return nil, err
	}
	return t, nil
}

// SetTeamSchedule lets change edit a team's own schedule (starting from
// the workspace's when the team has none yet) and stores it. Admins and
// the team's lead may; change runs after that check.
func SetTeamSchedule(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, change func(s *okrcore.Schedule) error) (*okrcore.Team, error) {
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return nil, err
	}
	t, err := teamForSchedule(tx, actor, team)
	if err != nil {
		return nil, err
	}
	sc := w.Schedule
	if t.Schedule != nil {
		sc = *t.Schedule
	}
	if err := change(&sc); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	t.Schedule = &sc
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// ResetTeamSchedule drops a team's own schedule: it follows the
// workspace's again. Admins and the team's lead may.
func ResetTeamSchedule(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID) (*okrcore.Team, error) {
	t, err := teamForSchedule(tx, actor, team)
	if err != nil {
		return nil, err
	}
	t.Schedule = nil
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}
