package chat

import (
	"context"
	"errors"
)

// Directory is an adapter that can list the people of its platform, so
// that an admin can place people in teams before they ever wrote to the
// bot. The adapters found in cmd implement it where the platform allows.
type Directory interface {
	// People lists everyone the platform shows the bot. in are the
	// conversations the bot was added to (teams, channels, group chats),
	// for platforms that have rosters rather than a directory (Teams).
	People(ctx context.Context, in []Conversation) (Roster, error)
	// PersonByEmail finds the person with that address; ok is false when
	// nobody has it.
	PersonByEmail(ctx context.Context, email string, in []Conversation) (p DirectoryPerson, ok bool, err error)
}

// Roster is what one listing of a directory found.
type Roster struct {
	People []DirectoryPerson
	// Complete says the listing is the whole directory, so that someone
	// missing from it has left. The rosters of the conversations a bot is
	// in are not: a person can be in none of them and still be there.
	Complete bool
}

// DirectoryPerson is a person as a platform's directory describes them.
type DirectoryPerson struct {
	// ID is the platform's user id, as events carry it.
	ID   string
	Name string
	// Email is the person's address; EmailVerified says the platform
	// vouches for it, as for an event's sender.
	Email         string
	EmailVerified bool
	TimeZone      string
	// Left says the platform lists the person as gone (deactivated).
	Left bool
}

// ErrNoRoster is what a Directory answers when the bot is in no
// conversation whose roster it could read (on Teams, no team or group
// chat yet).
var ErrNoRoster = errors.New("chat: no conversation with a roster")
