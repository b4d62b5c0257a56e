package okrcore

// Teams' own operations (create, members, lead, parent, channel, time zone,
// schedule) are in okrcore/teams; what other writes share with them stays here.

// MaxTeamName is the longest team name accepted, in characters.
const MaxTeamName = 80

// RequireLeadOrAdmin refuses anyone but an admin and the team's lead; an
// observer who leads a team still changes nothing.
func RequireLeadOrAdmin(actor *User, t *Team, what string) error {
	if actor != nil && t.Lead == actor.ID && actor.Role != RoleObserver {
		return nil
	}
	return RequireAdmin(actor, what)
}

// CheckTeamParent walks up from p, the proposed parent of t, and refuses
// when it meets t.
func CheckTeamParent(tx Tx, t, p *Team) error {
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
