package chat

import (
	"sync"

	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// PlatformName is how people call a platform.
func PlatformName(p string) string { return okrcore.PlatformName(p) }

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

// Location is a person's time zone as their platform names it, or UTC when
// it is unset or unknown to this machine.
func Location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Zones keeps loaded time zones: loading one reads and parses a file, and
// a tick or a fan-out looks one up per person. The zero value is ready.
type Zones struct {
	mu   sync.Mutex
	locs map[string]*time.Location
}

// Get is Location(tz), loaded once.
func (c *Zones) Get(tz string) *time.Location {
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.locs[tz]; ok {
		return loc
	}
	if c.locs == nil {
		c.locs = map[string]*time.Location{}
	}
	loc := Location(tz)
	c.locs[tz] = loc
	return loc
}
