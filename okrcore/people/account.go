package people

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// One organisation may use okrbot on several chat platforms at once. A
// person is one User with an account on each platform they use. Accounts
// join by a verified e-mail address (RegisterAccount, JoinAccount) or by
// an admin (LinkAccount); UnlinkAccount is the way back.

// LinkAccount makes two people one: other's chat accounts become person's
// and other goes away. Admins only. It is for accounts an e-mail address
// could not join; other must not own OKRs or have checked in (those would
// have to change hands, which an edit of their owner does in the open), and
// person must not already have an account on other's platforms. It returns
// the person, with every account, and the one folded into them.
func LinkAccount(tx okrcore.Tx, actor *okrcore.User, person, other okrcore.Later[okrcore.ID]) (keep, fold *okrcore.User, err error) {
	if err := okrcore.RequireAdmin(actor, "link accounts"); err != nil {
		return nil, nil, err
	}
	ws := actor.Workspace
	if keep, err = laterUser(tx, ws, person); err != nil {
		return nil, nil, err
	}
	if fold, err = laterUser(tx, ws, other); err != nil {
		return nil, nil, err
	}
	if keep.ID == fold.ID {
		return nil, nil, okrcore.Errorf(okrcore.KindInvalid, "That is the same person twice.")
	}
	for _, a := range fold.Accounts() {
		if _, clash := keep.Account(a.Platform); clash {
			return nil, nil, okrcore.Errorf(okrcore.KindConflict, "%s already has a %s account, and a person has one account per platform. `/okr unlink %s %s` frees it first.",
				keep.Name, okrcore.PlatformName(a.Platform), keep.Handle(), a.Platform)
		}
	}
	what, err := ownedBy(tx, ws, fold.ID)
	if err != nil {
		return nil, nil, err
	}
	if what != "" {
		return nil, nil, okrcore.Errorf(okrcore.KindConflict, "%s %s in okrbot, so I can't fold that account into %s without losing track of it. Hand those over first (`/okr edit ID owner %s`), or link the other way round: `/okr link %s %s`.",
			fold.Handle(), what, keep.Name, keep.Handle(), fold.Handle(), keep.Handle())
	}
	if err := foldInto(tx, ws, keep, fold); err != nil {
		return nil, nil, err
	}
	return keep, fold, nil
}

func laterUser(tx okrcore.Tx, ws string, l okrcore.Later[okrcore.ID]) (*okrcore.User, error) {
	id, err := read(l)
	if err != nil {
		return nil, err
	}
	return tx.User(ws, id)
}

// UnlinkAccount takes a person's account on platform off them into a new
// person with no OKRs: the way back from a wrong link. Admins only; a
// person keeps at least one account. It returns the person, without that
// account, and the new one.
func UnlinkAccount(tx okrcore.Tx, now time.Time, actor *okrcore.User, platform okrcore.Later[string], person okrcore.Later[okrcore.ID]) (u, split *okrcore.User, err error) {
	if err := okrcore.RequireAdmin(actor, "unlink accounts"); err != nil {
		return nil, nil, err
	}
	p, err := read(platform)
	if err != nil {
		return nil, nil, err
	}
	if u, err = laterUser(tx, actor.Workspace, person); err != nil {
		return nil, nil, err
	}
	a, ok := u.Account(p)
	if !ok {
		return nil, nil, okrcore.Errorf(okrcore.KindNotFound, "%s has no %s account.", u.Name, okrcore.PlatformName(p))
	}
	if len(u.Accounts()) < 2 {
		return nil, nil, okrcore.Errorf(okrcore.KindConflict, "%s is only on %s: there is nothing to unlink.", u.Name, okrcore.PlatformName(p))
	}
	var rest []okrcore.Account
	for _, o := range u.Accounts() {
		if o != a {
			rest = append(rest, o)
		}
	}
	u.Platform, u.PlatformID, u.DM, u.DMRef, u.Linked = "", "", "", "", nil
	for _, o := range rest {
		u.SetAccount(o)
	}
	if u.NudgeOn == p {
		u.NudgeOn = ""
	}
	if err := putUser(tx, u); err != nil {
		return nil, nil, err
	}
	split = &okrcore.User{Workspace: actor.Workspace, Name: u.Name + " (" + okrcore.PlatformName(p) + ")", TimeZone: u.TimeZone, Role: okrcore.RoleMember, CreatedAt: now}
	split.SetAccount(a)
	if err := putUser(tx, split); err != nil {
		return nil, nil, err
	}
	return u, split, nil
}

// JoinAccount folds u, an account okrbot met without a verified address
// that now has one, into the person on another platform with that
// address, when u has nothing of its own yet (one account, no OKRs, no
// check-ins): the join that would have happened at first contact. It
// returns the person joined, or nil when u stays as it is.
func JoinAccount(tx okrcore.Tx, u *okrcore.User) (*okrcore.User, error) {
	if len(u.Linked) > 0 || !u.EmailVerified || u.Email == "" {
		return nil, nil
	}
	keep, err := personWithEmail(tx, u.Workspace, u.Platform, u.Email, true, u.ID)
	if err != nil || keep == nil {
		return nil, err
	}
	if what, err := ownedBy(tx, u.Workspace, u.ID); err != nil || what != "" {
		return nil, err
	}
	if err := foldInto(tx, u.Workspace, keep, u); err != nil {
		return nil, err
	}
	return keep, nil
}

// foldInto makes fold's accounts keep's and removes fold, who must own
// nothing (ownedBy): team places and initiatives move, what keep lacks
// (address, time zone) is taken, and an admin stays one.
func foldInto(tx okrcore.Tx, ws string, keep, fold *okrcore.User) error {
	if err := moveTeams(tx, ws, fold.ID, keep.ID); err != nil {
		return err
	}
	if err := moveInitiatives(tx, ws, fold.ID, keep.ID); err != nil {
		return err
	}
	if err := tx.DeleteUser(ws, fold.ID); err != nil {
		return fmt.Errorf("remove the folded user: %w", err)
	}
	for _, a := range fold.Accounts() {
		keep.SetAccount(a)
	}
	if keep.Email == "" {
		keep.Email, keep.EmailVerified = fold.Email, fold.EmailVerified
	}
	if keep.TimeZone == "" {
		keep.TimeZone = fold.TimeZone
	}
	if fold.Role == okrcore.RoleAdmin && keep.Role != okrcore.RoleAdmin {
		keep.Role = okrcore.RoleAdmin // an admin's rights are not lost by linking
	}
	return putUser(tx, keep)
}

// ownedBy says what a user owns or wrote, in words ("" for nothing).
func ownedBy(tx okrcore.Tx, ws string, id okrcore.ID) (string, error) {
	owner := okrcore.UserOwner(id)
	objs, err := tx.ObjectivesByOwner(ws, owner, 0)
	if err != nil {
		return "", err
	}
	krs, err := tx.KeyResultsByOwner(ws, owner, 0)
	if err != nil {
		return "", err
	}
	kpis, err := tx.KPIsByOwner(ws, owner)
	if err != nil {
		return "", err
	}
	nKPI := len(kpis)
	checkIns, err := tx.CheckInsByAuthor(ws, id, time.Time{}, 1)
	if err != nil {
		return "", err
	}
	var parts []string
	count := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	count(len(objs), "objective", "objectives")
	count(len(krs), "key result", "key results")
	count(nKPI, "KPI", "KPIs")
	if len(checkIns) > 0 {
		parts = append(parts, "check-ins")
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "already has " + strings.Join(parts, ", "), nil
}

// moveTeams puts to in from's place in every team: member and lead.
func moveTeams(tx okrcore.Tx, ws string, from, to okrcore.ID) error {
	teams, err := tx.TeamsOfUser(ws, from)
	if err != nil {
		return err
	}
	for _, t := range teams {
		members := t.Members[:0:0]
		seen := map[okrcore.ID]bool{}
		for _, m := range t.Members {
			if m == from {
				m = to
			}
			if !seen[m] {
				seen[m] = true
				members = append(members, m)
			}
		}
		t.Members = members
		if t.Lead == from {
			t.Lead = to
		}
		if err := tx.PutTeam(t); err != nil {
			return err
		}
	}
	return nil
}

// moveInitiatives hands from's initiatives to to.
func moveInitiatives(tx okrcore.Tx, ws string, from, to okrcore.ID) error {
	ins, err := tx.InitiativesByOwner(ws, from)
	if err != nil {
		return err
	}
	for _, in := range ins {
		in.Owner = to
		if err := tx.PutInitiative(in); err != nil {
			return err
		}
	}
	return nil
}
