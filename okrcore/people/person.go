package people

import (
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
)

// A person's own settings: anyone may change their own, observers too.

func putUser(tx okrcore.Tx, u *okrcore.User) error {
	if err := tx.PutUser(u); err != nil {
		return fmt.Errorf("store user: %w", err)
	}
	return nil
}

// SetUserTimezone sets the actor's own time zone: an IANA name the caller
// has checked (okrcore reads no zone database).
func SetUserTimezone(tx okrcore.Tx, actor *okrcore.User, zone string) (*okrcore.User, error) {
	u, err := tx.User(actor.Workspace, actor.ID)
	if err != nil {
		return nil, err
	}
	u.TimeZone = zone
	if err := putUser(tx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetNudgePlatform chooses the platform the actor's nudges, reminders and
// other direct messages come on: one they have an account on.
func SetNudgePlatform(tx okrcore.Tx, actor *okrcore.User, platform string) (*okrcore.User, error) {
	u, err := tx.User(actor.Workspace, actor.ID)
	if err != nil {
		return nil, err
	}
	if _, ok := u.Account(platform); !ok {
		return nil, okrcore.Errorf(okrcore.KindInvalid, "You don't use okrbot on %s yet. Say hi to okrbot there first (with the same e-mail address), or ask an admin to link your accounts with `/okr link`.", okrcore.PlatformName(platform))
	}
	u.NudgeOn = platform
	if err := putUser(tx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ForgetDirectConversation drops the direct conversation stored for the
// actor's account (platform, platformID) when it is conversation: the app
// was removed from it, and nothing should be sent into the void. Another
// conversation stays.
func ForgetDirectConversation(tx okrcore.Tx, actor *okrcore.User, platform, platformID, conversation string) error {
	u, err := tx.User(actor.Workspace, actor.ID)
	if err != nil {
		return err
	}
	a, ok := u.AccountOf(platform, platformID)
	if !ok || a.DM != conversation {
		return nil
	}
	a.DM, a.DMRef = "", ""
	u.SetAccount(a)
	return putUser(tx, u)
}
