package slack

import (
	"context"
	"errors"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// maxDirectoryWaits bounds how often one listing waits out a rate limit:
// a workspace of 10,000 people is 50 pages.
const maxDirectoryWaits = 20

// People lists the workspace's people with users.list, page after page
// (the cursor), leaving out bots, Slackbot and app users; deactivated
// people are listed as left. Slack's listing is the whole workspace. A
// rate limit is waited out when Slack asks for at most
// Options.DirectoryWait; a failed page fails the listing, so that a half
// directory is never taken for the whole.
func (a *Adapter) People(ctx context.Context, _ []chat.Conversation) (chat.Roster, error) {
	pages := a.api.GetUsersPaginated(slackapi.GetUsersOptionLimit(a.opts.DirectoryPage), slackapi.GetUsersOptionIncludeLocale(false))
	var out []chat.DirectoryPerson
	for waits := 0; ; {
		next, err := pages.Next(ctx)
		if pages.Done(err) {
			break
		}
		var rl *slackapi.RateLimitedError
		if errors.As(err, &rl) && rl.RetryAfter <= a.opts.DirectoryWait && waits < maxDirectoryWaits {
			waits++
			if err := kit.Sleep(ctx, rl.RetryAfter); err != nil {
				return chat.Roster{}, err
			}
			continue
		}
		if err != nil {
			return chat.Roster{}, a.apiError("users.list", err)
		}
		pages = next
		for i := range next.Users {
			if p, ok := directoryPerson(&next.Users[i]); ok {
				out = append(out, p)
			}
		}
	}
	a.log.Info("read the Slack directory", "people", len(out))
	return chat.Roster{People: out, Complete: true}, nil
}

// PersonByEmail finds the person with that address (users.lookupByEmail);
// a bot or a deactivated account is nobody to place in a team.
func (a *Adapter) PersonByEmail(ctx context.Context, email string, _ []chat.Conversation) (chat.DirectoryPerson, bool, error) {
	u, err := a.api.GetUserByEmailContext(ctx, strings.TrimSpace(email))
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "users_not_found" {
		return chat.DirectoryPerson{}, false, nil
	}
	if err != nil {
		return chat.DirectoryPerson{}, false, a.apiError("users.lookupByEmail", err)
	}
	p, ok := directoryPerson(u)
	return p, ok && !p.Left, nil
}

// directoryPerson is a Slack user as a directory person; ok is false for
// bots, Slackbot and app users.
func directoryPerson(u *slackapi.User) (chat.DirectoryPerson, bool) {
	if u.ID == "" || u.ID == "USLACKBOT" || u.IsBot || u.IsAppUser || u.IsWorkflowBot {
		return chat.DirectoryPerson{}, false
	}
	p := profileOf(u)
	return chat.DirectoryPerson{ID: u.ID, Name: p.name, Email: p.email, EmailVerified: p.email != "" && p.emailVerified, TimeZone: p.tz, Left: u.Deleted}, true
}
