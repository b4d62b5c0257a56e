// Package teams holds the operations on teams: creating one, its members,
// its lead, its place in the org chart, where its digest goes and the time
// zone it follows. Pure, like okrcore: rules as functions over okrcore.Tx.
package teams

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// get is what a Later gives; a nil Later gives the zero value.
func get[T any](l okrcore.Later[T]) (T, error) {
	if l == nil {
		var zero T
		return zero, nil
	}
	return l()
}

func putTeam(tx okrcore.Tx, t *okrcore.Team) error {
	if err := tx.PutTeam(t); err != nil {
		return fmt.Errorf("store team: %w", err)
	}
	return nil
}

// teamForMembers loads a team for a change its lead may make too: its
// members, its digest channel or its time zone.
func teamForMembers(tx okrcore.Tx, actor *okrcore.User, id okrcore.ID) (*okrcore.Team, error) {
	t, err := tx.Team(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := okrcore.RequireLeadOrAdmin(actor, t, "change team "+t.Name+" (its lead can too)"); err != nil {
		return nil, err
	}
	return t, nil
}

// teamForAdmin loads a team for a change only an admin may make: its lead
// or its place in the org chart.
func teamForAdmin(tx okrcore.Tx, actor *okrcore.User, id okrcore.ID) (*okrcore.Team, error) {
	t, err := tx.Team(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := okrcore.RequireAdmin(actor, "change a team's lead or parent"); err != nil {
		return nil, err
	}
	return t, nil
}

// CreateTeam stores a new team, under parent when it gives one (a nil
// parent is a top-level team). Admins only; team names are unique in a
// workspace, whatever their case.
func CreateTeam(tx okrcore.Tx, actor *okrcore.User, name string, parent okrcore.Later[okrcore.ID]) (*okrcore.Team, error) {
	if err := okrcore.RequireAdmin(actor, "create teams"); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(okrcore.CleanText(name, false))
	if name == "" || utf8.RuneCountInString(name) > okrcore.MaxTeamName {
		return nil, okrcore.Errorf(okrcore.KindInvalid, "Give the team a name of up to %d characters: `/okr team create Sales`.", okrcore.MaxTeamName)
	}
	if _, err := tx.TeamByName(actor.Workspace, name); err == nil {
		return nil, okrcore.Errorf(okrcore.KindConflict, "There is already a team called %s.", name)
	} else if !okrcore.IsNotFound(err) {
		return nil, fmt.Errorf("look up team: %w", err)
	}
	t := &okrcore.Team{Workspace: actor.Workspace, Name: name}
	pid, err := get(parent)
	if err != nil {
		return nil, err
	}
	if pid != 0 {
		p, err := tx.Team(actor.Workspace, pid)
		if err != nil {
			return nil, err
		}
		t.Parent = p.ID
	}
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// usersOf loads people by id, in the order given.
func usersOf(tx okrcore.Tx, ws string, ids []okrcore.ID) ([]*okrcore.User, error) {
	out := make([]*okrcore.User, 0, len(ids))
	for _, id := range ids {
		u, err := tx.User(ws, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// AddTeamMembers adds people to a team; someone already in it stays once.
// Admins and the team's lead may. It returns the team and the people named,
// in their order.
func AddTeamMembers(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, people okrcore.Later[[]okrcore.ID]) (*okrcore.Team, []*okrcore.User, error) {
	return changeMembers(tx, actor, team, people, func(t *okrcore.Team, u *okrcore.User) {
		if !hasID(t.Members, u.ID) {
			t.Members = append(t.Members, u.ID)
		}
	})
}

// RemoveTeamMembers takes people off a team's members. Admins and the
// team's lead may. A lead stays the lead: SetTeamLead changes that.
func RemoveTeamMembers(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, people okrcore.Later[[]okrcore.ID]) (*okrcore.Team, []*okrcore.User, error) {
	return changeMembers(tx, actor, team, people, func(t *okrcore.Team, u *okrcore.User) {
		t.Members = withoutID(t.Members, u.ID)
	})
}

// changeMembers applies change to the team for each person named, read
// only after the actor may change the team's members.
func changeMembers(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, people okrcore.Later[[]okrcore.ID], change func(*okrcore.Team, *okrcore.User)) (*okrcore.Team, []*okrcore.User, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	ids, err := get(people)
	if err != nil {
		return nil, nil, err
	}
	us, err := usersOf(tx, actor.Workspace, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range us {
		change(t, u)
	}
	if err := putTeam(tx, t); err != nil {
		return nil, nil, err
	}
	return t, us, nil
}

// SetTeamLead makes someone a team's lead, and a member if they were not.
// Admins only.
func SetTeamLead(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, lead okrcore.Later[okrcore.ID]) (*okrcore.Team, *okrcore.User, error) {
	t, err := teamForAdmin(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	id, err := get(lead)
	if err != nil {
		return nil, nil, err
	}
	u, err := tx.User(actor.Workspace, id)
	if err != nil {
		return nil, nil, err
	}
	t.Lead = u.ID
	if !hasID(t.Members, u.ID) {
		t.Members = append(t.Members, u.ID)
	}
	if err := putTeam(tx, t); err != nil {
		return nil, nil, err
	}
	return t, u, nil
}

// SetTeamParent places a team under another one, or at the top of the org
// chart when parent gives 0. Admins only. A team can't sit under itself or
// under one of its own sub-teams. It returns the team and its new parent
// (nil at the top).
func SetTeamParent(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, parent okrcore.Later[okrcore.ID]) (*okrcore.Team, *okrcore.Team, error) {
	t, err := teamForAdmin(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	pid, err := get(parent)
	if err != nil {
		return nil, nil, err
	}
	var p *okrcore.Team
	t.Parent = 0
	if pid != 0 {
		if p, err = tx.Team(actor.Workspace, pid); err != nil {
			return nil, nil, err
		}
		if err := okrcore.CheckTeamParent(tx, t, p); err != nil {
			return nil, nil, err
		}
		t.Parent = p.ID
	}
	if err := putTeam(tx, t); err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// SetTeamChannel sends a team's digest to a channel on platform (the one
// the channel was named from); an empty channel sends it to the lead
// again. Admins and the team's lead may.
func SetTeamChannel(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, platform string, channel okrcore.Later[string]) (*okrcore.Team, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, err
	}
	ch, err := get(channel)
	if err != nil {
		return nil, err
	}
	t.DigestChannel, t.DigestPlatform = ch, platform
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// SetTeamTimezone sets the time zone a team's digest follows: an IANA name
// the caller has checked (okrcore reads no zone database). Admins and the
// team's lead may.
func SetTeamTimezone(tx okrcore.Tx, actor *okrcore.User, team okrcore.ID, zone okrcore.Later[string]) (*okrcore.Team, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, err
	}
	z, err := get(zone)
	if err != nil {
		return nil, err
	}
	t.TimeZone = z
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func hasID(ids []okrcore.ID, id okrcore.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// withoutID is ids without id, in a new slice.
func withoutID(ids []okrcore.ID, id okrcore.ID) []okrcore.ID {
	var out []okrcore.ID
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
