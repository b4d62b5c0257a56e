package okrcore

import (
	"fmt"
	"strconv"
)

// A person's own settings: anyone may change their own, observers too.

// PlatformName is a chat platform as people call it.
func PlatformName(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "teams":
		return "Microsoft Teams"
	case "shell":
		return "the terminal"
	}
	return p
}

// Handle names a person unambiguously in a command ("#12"), where two may
// share a name.
func (u *User) Handle() string { return "#" + strconv.FormatUint(uint64(u.ID), 10) }

func putUser(tx Tx, u *User) error {
	if err := tx.PutUser(u); err != nil {
		return fmt.Errorf("store user: %w", err)
	}
	return nil
}

// SetUserTimezone sets the actor's own time zone: an IANA name the caller
// has checked (okrcore reads no zone database).
func SetUserTimezone(tx Tx, actor *User, zone string) (*User, error) {
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
func SetNudgePlatform(tx Tx, actor *User, platform string) (*User, error) {
	u, err := tx.User(actor.Workspace, actor.ID)
	if err != nil {
		return nil, err
	}
	if _, ok := u.Account(platform); !ok {
		return nil, Errorf(KindInvalid, "You don't use okrbot on %s yet. Say hi to okrbot there first (with the same e-mail address), or ask an admin to link your accounts with `/okr link`.", PlatformName(platform))
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
func ForgetDirectConversation(tx Tx, actor *User, platform, platformID, conversation string) error {
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
