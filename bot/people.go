package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// Everyone before they speak: an admin reads the platform's directory
// into okrbot (`okr people sync`), and `okr team add` looks up an address
// nobody in okrbot has. Teams has rosters rather than a directory: the
// conversations the bot was added to are kept (placesKey) to read theirs.

// peopleCmd is `okr people sync`.
func (e *Engine) peopleCmd(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) != 1 || lower(args[0].Text) != "sync" {
		return chat.Message{}, usage("Try `/okr people sync`: everyone in the chat directory becomes someone okrbot knows, who can join teams, own OKRs and be nudged before writing to me.")
	}
	// Checked before the directory is read, and again by okrcore.
	if err := okrcore.RequireAdmin(req.actor, "sync people from the chat directory"); err != nil {
		return chat.Message{}, err
	}
	r, err := e.SyncPeople(ctx, req.actor, req.ev.Platform)
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(r.Sentence()), nil
}

// SyncPeople records everyone of platform's directory in actor's
// workspace (people.SyncDirectory), for `okr people sync` and the control
// socket's `okrbot people sync`. A directory that can't be read changes
// nothing and says why in words for people.
func (e *Engine) SyncPeople(ctx context.Context, actor *okrcore.User, platform string) (people.SyncResult, error) {
	dir, in, err := e.directory(ctx, actor.Workspace, platform)
	if err != nil {
		return people.SyncResult{}, err
	}
	roster, err := dir.People(ctx, in)
	if err != nil {
		return people.SyncResult{}, e.directoryTrouble(ctx, platform, err)
	}
	l := people.Listing{Platform: platform, Complete: roster.Complete}
	for _, p := range roster.People {
		l.People = append(l.People, people.Listed{Profile: people.Profile{Platform: platform, PlatformID: p.ID, Name: p.Name,
			Email: p.Email, EmailVerified: p.EmailVerified, TimeZone: p.TimeZone}, Gone: p.Left})
	}
	r, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (people.SyncResult, error) {
		return people.SyncDirectory(tx, e.now(), actor, l, e.defaultTZ)
	})
	if err == nil {
		e.log.InfoContext(ctx, "people synced from the directory", "platform", platform, "listed", r.Listed, "new", r.New, "updated", r.Updated, "left", r.Left)
	}
	return r, err
}

// directory is platform's directory and the conversations of ws it reads
// the rosters of.
func (e *Engine) directory(ctx context.Context, ws, platform string) (chat.Directory, []chat.Conversation, error) {
	dir := e.dirs[platform]
	if dir == nil {
		return nil, nil, usage("I can't read a directory of people on %s. On Slack or Teams, `/okr people sync` reads theirs.", chat.PlatformName(platform))
	}
	in, err := okrcore.View(ctx, e.store, func(tx okrcore.Tx) ([]chat.Conversation, error) {
		var in []chat.Conversation
		for _, id := range places(tx, ws, platform) {
			if b, err := tx.State(ws, report.ChannelRefKey(id)); err == nil {
				in = append(in, chat.Conversation{ID: id, Ref: string(b), Platform: platform})
			}
		}
		return in, nil
	})
	return dir, in, err
}

// directoryTrouble says, in words for people, why a directory could not
// be read; the log has the detail.
func (e *Engine) directoryTrouble(ctx context.Context, platform string, err error) error {
	name := chat.PlatformName(platform)
	var rl *chat.RateLimitError
	switch {
	case errors.Is(err, chat.ErrNoRoster):
		return usage("I'm in no team or group chat on %s yet, so I have no roster to read. Add okrbot to a team, then try again.", name)
	case errors.As(err, &rl):
		return usage("%s asks me to slow down, so I read nobody and nothing changed. Try again in %s.", name, rl.RetryAfter.Round(time.Second))
	case ctx.Err() != nil:
		return err
	}
	e.log.WarnContext(ctx, "read the directory", "platform", platform, "err", err)
	return usage("I couldn't read the people of %s just now (it answered with an error), so nothing changed. Try again in a few minutes.", name)
}

// lookUpUnknown asks the directory about the e-mail addresses among toks
// that name nobody okrbot knows, for named to place them (req.found).
func (e *Engine) lookUpUnknown(ctx context.Context, req *request, toks []reply.Token) error {
	var unknown []string
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		for _, t := range toks {
			if _, err := findUser(tx, req.ws, req.ev.Platform, t.Text); okrcore.IsNotFound(err) {
				unknown = append(unknown, t.Text)
			}
		}
		return nil
	})
	if err != nil || len(unknown) == 0 || e.dirs[req.ev.Platform] == nil {
		return err
	}
	dir, in, err := e.directory(ctx, req.ws, req.ev.Platform)
	if err != nil {
		return err
	}
	for _, word := range unknown {
		email, ok := emailIn(word)
		if !ok {
			continue
		}
		p, found, lerr := dir.PersonByEmail(ctx, email, in)
		if lerr != nil {
			return e.directoryTrouble(ctx, req.ev.Platform, lerr)
		}
		if found {
			if req.found == nil {
				req.found = map[string]people.Profile{}
			}
			req.found[word] = people.Profile{Platform: req.ev.Platform, PlatformID: p.ID, Name: p.Name, Email: p.Email, EmailVerified: p.EmailVerified,
				TimeZone: cmp.Or(p.TimeZone, e.defaultTZ)}
		}
	}
	return nil
}

// emailIn reads an e-mail address as typed, or as Slack writes one it
// linked (<mailto:a@b.example|a@b.example>).
func emailIn(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<mailto:"), ">")
	if i := strings.IndexByte(s, '|'); i >= 0 {
		s = s[:i]
	}
	at := strings.IndexByte(s, '@')
	return s, at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>")
}

// placesKey keeps the ids of the channel conversations the bot is in on
// a platform, whose stored references (report.ChannelRefKey) name where
// their rosters are read.
func placesKey(platform string) string { return "places:" + platform }

func places(tx okrcore.Tx, ws, platform string) []string {
	var ids []string
	if b, err := tx.State(ws, placesKey(platform)); err == nil {
		_ = json.Unmarshal(b, &ids)
	}
	return ids
}

// keepPlace adds the conversation of a channel event to the places, or
// takes it off when the bot was removed.
func keepPlace(tx okrcore.Tx, ev chat.Event, now time.Time) error {
	ids := places(tx, ev.Workspace, ev.Platform)
	i, had := slices.BinarySearch(ids, ev.Conversation.ID)
	switch {
	case ev.Kind == chat.EventRemoved && had:
		ids = slices.Delete(ids, i, i+1)
	case ev.Kind != chat.EventRemoved && !had:
		ids = slices.Insert(ids, i, ev.Conversation.ID)
	default:
		return nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode places: %w", err)
	}
	return tx.PutState(ev.Workspace, placesKey(ev.Platform), b, now.Add(channelRefTTL))
}
