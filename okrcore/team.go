package okrcore

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTeamName is the longest team name accepted, in characters.
const MaxTeamName = 80

// requireLeadOrAdmin refuses anyone but an admin and the team's lead; an
// observer who leads a team still changes nothing.
func requireLeadOrAdmin(actor *User, t *Team, what string) error {
	if actor != nil && t.Lead == actor.ID && actor.Role != RoleObserver {
		return nil
	}
	return RequireAdmin(actor, what)
}

// teamForMembers loads a team for a change its lead may make too: its
// members, its digest channel or its time zone.
func teamForMembers(tx Tx, actor *User, id ID) (*Team, error) {
	t, err := tx.Team(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := requireLeadOrAdmin(actor, t, "change team "+t.Name+" (its lead can too)"); err != nil {
		return nil, err
	}
	return t, nil
}

// teamForAdmin loads a team for a change only an admin may make: its lead
// or its place in the org chart.
func teamForAdmin(tx Tx, actor *User, id ID) (*Team, error) {
	t, err := tx.Team(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := RequireAdmin(actor, "change a team's lead or parent"); err != nil {
		return nil, err
	}
	return t, nil
}

func putTeam(tx Tx, t *Team) error {
	if err := tx.PutTeam(t); err != nil {
		return fmt.Errorf("store team: %w", err)
	}
	return nil
}

// CreateTeam stores a new team, under parent when it gives one (a nil
// parent is a top-level team). Admins only; team names are unique in a
// workspace, whatever their case.
func CreateTeam(tx Tx, actor *User, name string, parent Later[ID]) (*Team, error) {
	if err := RequireAdmin(actor, "create teams"); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(CleanText(name, false))
	if name == "" || utf8.RuneCountInString(name) > MaxTeamName {
		return nil, Errorf(KindInvalid, "Give the team a name of up to %d characters: `/okr team create Sales`.", MaxTeamName)
	}
	if _, err := tx.TeamByName(actor.Workspace, name); err == nil {
		return nil, Errorf(KindConflict, "There is already a team called %s.", name)
	} else if !IsNotFound(err) {
		return nil, fmt.Errorf("look up team: %w", err)
	}
	t := &Team{Workspace: actor.Workspace, Name: name}
	pid, err := parent.get()
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
func usersOf(tx Tx, ws string, ids []ID) ([]*User, error) {
	out := make([]*User, 0, len(ids))
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
func AddTeamMembers(tx Tx, actor *User, team ID, people Later[[]ID]) (*Team, []*User, error) {
	return changeMembers(tx, actor, team, people, func(t *Team, u *User) {
		if !hasID(t.Members, u.ID) {
			t.Members = append(t.Members, u.ID)
		}
	})
}

// RemoveTeamMembers takes people off a team's members. Admins and the
// team's lead may. A lead stays the lead: SetTeamLead changes that.
func RemoveTeamMembers(tx Tx, actor *User, team ID, people Later[[]ID]) (*Team, []*User, error) {
	return changeMembers(tx, actor, team, people, func(t *Team, u *User) {
		t.Members = withoutID(t.Members, u.ID)
	})
}

// changeMembers applies change to the team for each person named, read
// only after the actor may change the team's members.
func changeMembers(tx Tx, actor *User, team ID, people Later[[]ID], change func(*Team, *User)) (*Team, []*User, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	ids, err := people.get()
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
func SetTeamLead(tx Tx, actor *User, team ID, lead Later[ID]) (*Team, *User, error) {
	t, err := teamForAdmin(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	id, err := lead.get()
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
func SetTeamParent(tx Tx, actor *User, team ID, parent Later[ID]) (*Team, *Team, error) {
	t, err := teamForAdmin(tx, actor, team)
	if err != nil {
		return nil, nil, err
	}
	pid, err := parent.get()
	if err != nil {
		return nil, nil, err
	}
	var p *Team
	t.Parent = 0
	if pid != 0 {
		if p, err = tx.Team(actor.Workspace, pid); err != nil {
			return nil, nil, err
		}
		if err := checkTeamParent(tx, t, p); err != nil {
			return nil, nil, err
		}
		t.Parent = p.ID
	}
	if err := putTeam(tx, t); err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// checkTeamParent walks up from p, the proposed parent of t, and refuses
// when it meets t.
func checkTeamParent(tx Tx, t, p *Team) error {
	var err error
	for q, depth := p, 0; q != nil && depth < maxDepth; depth++ {
		if q.ID == t.ID {
			return Errorf(KindInvalid, "%s can't sit under %s: that would make it part of itself.", t.Name, p.Name)
		}
		if q.Parent == 0 {
			break
		}
		if q, err = tx.Team(t.Workspace, q.Parent); err != nil {
			return err
		}
	}
	return nil
}

// SetTeamChannel sends a team's digest to a channel on platform (the one
// the channel was named from); an empty channel sends it to the lead
// again. Admins and the team's lead may.
func SetTeamChannel(tx Tx, actor *User, team ID, platform string, channel Later[string]) (*Team, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, err
	}
	ch, err := channel.get()
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
func SetTeamTimezone(tx Tx, actor *User, team ID, zone Later[string]) (*Team, error) {
	t, err := teamForMembers(tx, actor, team)
	if err != nil {
		return nil, err
	}
	z, err := zone.get()
	if err != nil {
		return nil, err
	}
	t.TimeZone = z
	if err := putTeam(tx, t); err != nil {
		return nil, err
	}
	return t, nil
}

func hasID(ids []ID, id ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// withoutID is ids without id, in a new slice.
func withoutID(ids []ID, id ID) []ID {
	var out []ID
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
