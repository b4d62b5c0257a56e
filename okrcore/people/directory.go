package people

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Everyone before they speak: an admin reads the platform's directory into
// okrbot, so that people can be placed in teams, lead them, own OKRs and be
// nudged before they ever wrote to the bot. A listed person is met as at
// first contact, without a direct conversation yet (the platform opens one
// on the first message).

// Listing is one reading of a platform's directory.
type Listing struct {
	Platform string
	// People are the profiles listed; Gone marks those the platform lists
	// as deactivated.
	People []Listed
	// Complete says everyone is in People, so that a person of the
	// platform missing from it has left.
	Complete bool
}

// Listed is one person of a Listing.
type Listed struct {
	Profile
	Gone bool
}

// SyncResult says what SyncDirectory did.
type SyncResult struct {
	Platform string
	// Listed counts the people the listing had (and who had not left).
	Listed, New, Updated, Left int
}

// SyncDirectory records everyone of a directory listing in ws: people
// okrbot doesn't know become people (joining, by a verified address, the
// same person on another platform), known ones take what changed, and
// those who left are marked so: they keep their records and are no longer
// nudged or counted in teams. Admins only. defaultZone is the time zone
// of a new person whose platform tells none.
func SyncDirectory(tx okrcore.Tx, now time.Time, actor *okrcore.User, l Listing, defaultZone string) (SyncResult, error) {
	if err := okrcore.RequireAdmin(actor, "sync people from the chat directory"); err != nil {
		return SyncResult{}, err
	}
	ws := actor.Workspace
	res := SyncResult{Platform: l.Platform}
	listed := map[string]bool{}
	for _, p := range l.People {
		p.Workspace, p.Platform, p.DM, p.DMRef = ws, l.Platform, "", ""
		if p.PlatformID == "" || listed[p.PlatformID] {
			continue
		}
		listed[p.PlatformID] = true
		if p.Gone {
			u, err := tx.UserByPlatform(ws, l.Platform, p.PlatformID)
			if okrcore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return res, err
			}
			left, err := markLeft(tx, u, l.Platform)
			if err != nil {
				return res, err
			}
			if left {
				res.Left++
			}
			continue
		}
		res.Listed++
		created, changed, err := syncOne(tx, now, p.Profile, defaultZone)
		if err != nil {
			return res, err
		}
		if created {
			res.New++
		} else if changed {
			res.Updated++
		}
	}
	if !l.Complete {
		return res, nil
	}
	// Who of the platform's people the listing missed takes everyone: a
	// complete listing is everyone too, so this scan is the size of the
	// sync's own work, an admin's, not a request's.
	users, err := tx.Users(ws)
	if err != nil {
		return res, fmt.Errorf("list people: %w", err)
	}
	for _, u := range users {
		a, ok := u.Account(l.Platform)
		if !ok || listed[a.PlatformID] {
			continue
		}
		left, err := markLeft(tx, u, l.Platform)
		if err != nil {
			return res, err
		}
		if left {
			res.Left++
		}
	}
	return res, nil
}

// syncOne records one listed person: whether it made a person, or changed
// a known one.
func syncOne(tx okrcore.Tx, now time.Time, p Profile, defaultZone string) (created, changed bool, err error) {
	u, err := tx.UserByPlatform(p.Workspace, p.Platform, p.PlatformID)
	if err == nil {
		changed, err = updateListed(tx, u, p)
		return false, changed, err
	}
	if !okrcore.IsNotFound(err) {
		return false, false, err
	}
	same, err := personWithEmail(tx, p.Workspace, p.Platform, p.Email, p.EmailVerified, 0)
	if err != nil {
		return false, false, err
	}
	if same != nil {
		ApplyProfile(same, p)
		same.Left = false
		return false, true, putUser(tx, same)
	}
	_, err = newPerson(tx, now, p, defaultZone)
	return err == nil, false, err
}

// updateListed stores what changed of a known person. A verified address
// that is new (it changed on the platform, or is vouched for only now)
// may be another platform's person's, whom they then join as at first
// contact.
func updateListed(tx okrcore.Tx, u *okrcore.User, p Profile) (bool, error) {
	if !ProfileChanged(u, p) && !u.Left {
		return false, nil
	}
	email, verified := u.Email, u.EmailVerified
	ApplyProfile(u, p)
	u.Left = false
	if u.EmailVerified && (!verified || !strings.EqualFold(email, u.Email)) {
		keep, err := JoinAccount(tx, u)
		if err != nil || keep != nil {
			return true, err
		}
	}
	return true, putUser(tx, u)
}

// newPerson stores a person okrbot has not met, with their account on p's
// platform and no direct conversation yet.
func newPerson(tx okrcore.Tx, now time.Time, p Profile, defaultZone string) (*okrcore.User, error) {
	u := &okrcore.User{Workspace: p.Workspace, Platform: p.Platform, PlatformID: p.PlatformID, Role: okrcore.RoleMember, CreatedAt: now}
	ApplyProfile(u, p)
	if u.TimeZone == "" {
		u.TimeZone = defaultZone
	}
	if u.Name == "" {
		u.Name = p.PlatformID
	}
	return u, putUser(tx, u)
}

// markLeft marks u gone from platform. A person who is on another
// platform too stays, and is reached there from now on.
func markLeft(tx okrcore.Tx, u *okrcore.User, platform string) (bool, error) {
	if u.Left {
		return false, nil
	}
	for _, a := range u.Accounts() {
		if a.Platform != platform {
			if u.NudgeAccount().Platform == platform {
				u.NudgeOn = a.Platform
				return false, putUser(tx, u)
			}
			return false, nil
		}
	}
	u.Left = true
	return true, putUser(tx, u)
}

// PlaceFromDirectory is the person a directory lookup found (a name or an
// address typed in `team add`): the one okrbot knows with that account or
// verified address, else a new person. It is called by an operation that
// checked its own permission; observers change nothing.
func PlaceFromDirectory(tx okrcore.Tx, now time.Time, actor *okrcore.User, p Profile, defaultZone string) (*okrcore.User, error) {
	if actor == nil || actor.Role == okrcore.RoleObserver {
		return nil, okrcore.Errorf(okrcore.KindForbidden, "Observers can look, but not change anything.")
	}
	p.Workspace, p.DM, p.DMRef = actor.Workspace, "", ""
	if u, err := tx.UserByPlatform(p.Workspace, p.Platform, p.PlatformID); err == nil || !okrcore.IsNotFound(err) {
		return u, err
	}
	same, err := personWithEmail(tx, p.Workspace, p.Platform, p.Email, p.EmailVerified, 0)
	if err != nil {
		return nil, err
	}
	if same != nil {
		ApplyProfile(same, p)
		return same, putUser(tx, same)
	}
	return newPerson(tx, now, p, defaultZone)
}

// PersonWithEmail is the person in ws whose address is email, preferring
// one the platform vouched for; nil when nobody has it.
func PersonWithEmail(tx okrcore.Tx, ws, email string) (*okrcore.User, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	users, err := tx.UsersByEmail(ws, email)
	if err != nil {
		return nil, fmt.Errorf("people by address: %w", err)
	}
	var found *okrcore.User
	for _, u := range users {
		if found == nil || u.EmailVerified && !found.EmailVerified {
			found = u
		}
	}
	return found, nil
}

// Sentence says what a sync did, for the admin who asked: "Synced 1,204
// people from Slack: 37 new, 5 updated, 2 left."
func (r SyncResult) Sentence() string {
	noun := "people"
	if r.Listed == 1 {
		noun = "person"
	}
	return fmt.Sprintf("Synced %s %s from %s: %s new, %s updated, %s left.", thousands(r.Listed), noun, okrcore.PlatformName(r.Platform),
		thousands(r.New), thousands(r.Updated), thousands(r.Left))
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
