package chat

import (
	"github.com/okrbot/okrbot/okrcore"
)

// platformName is how people call a platform.
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

// DirectTo is the conversation for a direct message to a person, on the
// platform they chose for nudges: the conversation they last wrote from
// there, or their platform id, which platforms that can open a direct
// message on first send accept.
func DirectTo(u *okrcore.User) Conversation { return DirectAmong(u, nil) }

// DirectAmong is DirectTo among the platforms served says are running.
func DirectAmong(u *okrcore.User, served func(string) bool) Conversation {
	a := u.NudgeAccountAmong(served)
	c := Conversation{ID: a.DM, Ref: a.DMRef, Direct: true, UserID: a.PlatformID, Platform: a.Platform}
	if c.ID == "" {
		c.ID = a.PlatformID
	}
	return c
}
