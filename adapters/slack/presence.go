package slack

import (
	"context"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// Presence reads a person's profile status with users.info when one of
// their nudges is due (chat.StatusReader), for a workspace that counts an
// out-of-office status as time away. It is not read from the profile
// cache: a status changes within the hour, and one read per nudge is what
// users.info's rate allows for. Whether the status means "away" is
// okrcore's to say, not the adapter's.
func (a *Adapter) Presence(ctx context.Context, userID string) (chat.Presence, error) {
	u, err := a.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return chat.Presence{}, a.apiError("users.info", err)
	}
	p := chat.Presence{Emoji: u.Profile.StatusEmoji, Text: u.Profile.StatusText}
	if u.Profile.StatusExpiration > 0 {
		p.Expires = time.Unix(int64(u.Profile.StatusExpiration), 0)
	}
	return p, nil
}
