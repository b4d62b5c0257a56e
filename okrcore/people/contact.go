package people

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// First contact: the person behind an event, found or made. The first
// person in a workspace becomes its admin, so that a small team can start
// without configuration; an account whose platform vouches for an address
// another person already has on another platform joins that person.

// Profile is what a platform says about the person behind one event, and
// where the event came from.
type Profile struct {
	Workspace     string
	Platform      string
	PlatformID    string
	Name          string
	Email         string
	EmailVerified bool
	TimeZone      string
	// DM and DMRef are the direct conversation the event came from (and
	// the platform's reference to it); empty for an event in a channel.
	DM, DMRef string
}

// namesFrom says whether p's platform describes the person: their first
// account's does, so that a name, an address or a time zone doesn't flip
// with every platform they write from. Others only fill in what is
// missing.
func namesFrom(u *okrcore.User, p Profile) bool {
	return u.PlatformID == "" || p.Platform == u.Platform
}

// ApplyProfile updates u with what p says, and remembers where to reach
// the person on p's platform: platforms such as Teams can only message
// someone proactively through a stored reference.
func ApplyProfile(u *okrcore.User, p Profile) {
	p.Name = strings.TrimSpace(okrcore.CleanText(p.Name, false))
	first := namesFrom(u, p)
	if p.Name != "" && (first || u.Name == "") {
		u.Name = p.Name
	}
	sameEmail := strings.EqualFold(p.Email, u.Email) && p.EmailVerified == u.EmailVerified
	if p.Email != "" && !sameEmail && (first || u.Email == "" || (p.EmailVerified && !u.EmailVerified)) {
		u.Email, u.EmailVerified = p.Email, p.EmailVerified
	}
	if p.TimeZone != "" && (first || u.TimeZone == "") {
		u.TimeZone = p.TimeZone
	}
	a, ok := u.AccountOf(p.Platform, p.PlatformID)
	if !ok {
		a = okrcore.Account{Platform: p.Platform, PlatformID: p.PlatformID}
	}
	if p.DM != "" {
		a.DM = p.DM
		if p.DMRef != "" {
			a.DMRef = p.DMRef
		}
	}
	u.SetAccount(a)
}

// ProfileChanged reports whether p would change what is stored of u.
func ProfileChanged(u *okrcore.User, p Profile) bool {
	c := *u
	c.Linked = slices.Clone(u.Linked)
	ApplyProfile(&c, p)
	return c.Name != u.Name || c.Email != u.Email || c.EmailVerified != u.EmailVerified || c.TimeZone != u.TimeZone ||
		c.Platform != u.Platform || c.PlatformID != u.PlatformID || c.DM != u.DM || c.DMRef != u.DMRef || !slices.Equal(c.Linked, u.Linked)
}

// personWithEmail finds the person whom a new account on platform belongs
// to: someone in ws with the same verified e-mail address and no account
// on that platform yet, other than the account's own person (except). It
// reads the people with that address (an index), never everyone, so that
// it can run under the write lock. Unverified addresses never match:
// anyone can type an address into a profile.
func personWithEmail(tx okrcore.Tx, ws, platform, email string, verified bool, except okrcore.ID) (*okrcore.User, error) {
	if !verified || strings.TrimSpace(email) == "" {
		return nil, nil
	}
	users, err := tx.UsersByEmail(ws, email)
	if err != nil {
		return nil, fmt.Errorf("people by address: %w", err)
	}
	for _, u := range users {
		if u.ID == except || !u.EmailVerified {
			continue
		}
		if _, ok := u.Account(platform); ok {
			continue
		}
		return u, nil
	}
	return nil, nil
}

// AccountLookup is what a read transaction found for the account behind
// an event, before anything is written.
type AccountLookup struct {
	// User is the account's person; nil when okrbot has not met the
	// account yet, and then:
	User *okrcore.User
	// Empty says nobody was in the workspace.
	Empty bool
	// SameEmail is the person with the account's verified address on
	// another platform, if any.
	SameEmail *okrcore.User
}

// LookUpAccount finds the person behind p's account, and for an account
// okrbot has not met, whether anyone is in the workspace and who has its
// verified address. Run it in a read transaction: RegisterAccount reads
// again under the write lock only what may have changed since, and every
// read here and there is an index lookup, whatever the workspace's size.
func LookUpAccount(tx okrcore.Tx, p Profile) (AccountLookup, error) {
	u, err := tx.UserByPlatform(p.Workspace, p.Platform, p.PlatformID)
	if err == nil {
		return AccountLookup{User: u}, nil
	}
	if !okrcore.IsNotFound(err) {
		return AccountLookup{}, err
	}
	has, err := tx.HasUsers(p.Workspace)
	if err != nil {
		return AccountLookup{}, err
	}
	same, err := personWithEmail(tx, p.Workspace, p.Platform, p.Email, p.EmailVerified, 0)
	if err != nil {
		return AccountLookup{}, err
	}
	return AccountLookup{Empty: !has, SameEmail: same}, nil
}

// Registration says what RegisterAccount did.
type Registration struct {
	// User is the person behind the account, as stored.
	User *okrcore.User
	// Joined says a new account joined the person with its verified
	// address on another platform.
	Joined bool
	// Folded is set when a known account, whose address was vouched for
	// only now, was folded into the person with that address: the id the
	// account had on its own.
	Folded okrcore.ID
}

// RegisterAccount stores what p says of its account's person, creating
// the workspace on its first event and the person on their first: in the
// write transaction after LookUpAccount, whose findings it reads again
// where they may have changed since. defaultZone is the time zone of a new
// person whose platform tells none.
func RegisterAccount(tx okrcore.Tx, now time.Time, p Profile, seen AccountLookup, defaultZone string) (Registration, error) {
	if err := okrcore.EnsureWorkspace(tx, p.Workspace, p.Platform, now); err != nil {
		return Registration{}, err
	}
	existing, err := tx.UserByPlatform(p.Workspace, p.Platform, p.PlatformID)
	switch {
	case err == nil:
		return updateAccount(tx, existing, p)
	case !okrcore.IsNotFound(err):
		return Registration{}, err
	}
	if seen.SameEmail != nil {
		// The person may have changed since the read: ask the index again.
		same, err := personWithEmail(tx, p.Workspace, p.Platform, p.Email, p.EmailVerified, 0)
		if err != nil {
			return Registration{}, err
		}
		if same != nil {
			ApplyProfile(same, p)
			if err := putUser(tx, same); err != nil {
				return Registration{}, err
			}
			return Registration{User: same, Joined: true}, nil
		}
	}
	role := okrcore.RoleMember
	if seen.Empty {
		// Nobody was there at the read; someone may have arrived since.
		has, err := tx.HasUsers(p.Workspace)
		if err != nil {
			return Registration{}, err
		}
		if !has {
			role = okrcore.RoleAdmin
		}
	}
	u := &okrcore.User{Workspace: p.Workspace, Platform: p.Platform, PlatformID: p.PlatformID, Role: role, CreatedAt: now}
	ApplyProfile(u, p)
	if u.TimeZone == "" {
		u.TimeZone = defaultZone
	}
	if u.Name == "" {
		u.Name = p.PlatformID
	}
	if err := putUser(tx, u); err != nil {
		return Registration{}, err
	}
	return Registration{User: u}, nil
}

// Expected is the person RegisterAccount will return for p after seen,
// when that is known without writing: an account met before whose profile
// joins nobody (its address was verified already, or still is not), or a
// new account that joins the person with its verified address. It is that
// person as read, with p applied (the same ApplyProfile), so that a caller
// who only reads need not wait for the registration to be durable; the
// registration, run after, may find the person changed meanwhile, as any
// read may. nil when registering creates someone (their id comes from the
// write) or may fold one person into another.
func Expected(seen AccountLookup, p Profile) *okrcore.User {
	u := seen.User
	switch {
	case u != nil && !u.EmailVerified && p.EmailVerified:
		return nil // updateAccount may join it to someone
	case u == nil:
		u = seen.SameEmail
	}
	if u == nil {
		return nil
	}
	c := *u
	c.Linked = slices.Clone(u.Linked)
	ApplyProfile(&c, p)
	return &c
}

// updateAccount stores a known account's new profile. An address vouched
// for only now (the platform's profile could not be read when okrbot first
// met the account) may belong to someone who is that person on another
// platform.
func updateAccount(tx okrcore.Tx, u *okrcore.User, p Profile) (Registration, error) {
	verified := u.EmailVerified
	ApplyProfile(u, p)
	if !verified && u.EmailVerified {
		keep, err := JoinAccount(tx, u)
		if err != nil {
			return Registration{}, fmt.Errorf("join by verified address: %w", err)
		}
		if keep != nil {
			return Registration{User: keep, Folded: u.ID}, nil
		}
	}
	if err := putUser(tx, u); err != nil {
		return Registration{}, err
	}
	return Registration{User: u}, nil
}
