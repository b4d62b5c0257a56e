package bot

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/bot/quiet"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/reply"
)

// One organisation may use okrbot on Slack and on Teams at once. A person
// is one okrbot user with an account on each platform they use: accounts
// join by a verified e-mail address when the person first writes from the
// second platform (resolveUser), or by an admin's `okr link`. Direct
// messages go to the platform the person chooses with `okr settings`.

// platformNames lists a person's platforms, the nudged one first.
func platformNames(u *okrcore.User) []string {
	nudge := u.NudgeAccount().Platform
	names := []string{chat.PlatformName(nudge)}
	for _, a := range u.Accounts() {
		if a.Platform != nudge {
			names = append(names, chat.PlatformName(a.Platform))
		}
	}
	return names
}

// parsePlatform reads a platform as people write it.
func parsePlatform(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "slack":
		return "slack", true
	case "teams", "msteams", "microsoft teams", "microsoft":
		return "teams", true
	case "shell", "terminal":
		return "shell", true
	}
	return "", false
}

// settings shows a person's own settings and changes where their nudges go:
// `okr settings`, `okr settings nudges teams`.
func (e *Engine) settings(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
			quietLines, err := quiet.Mine(tx, quiet.Request{Actor: req.actor, Now: req.now, Loc: e.locs.Get})
			return settingsView(req.actor, quietLines), err
		})
	}
	if quiet.IsSetting(args[0].Text) {
		return e.quietCmd(quiet.Setting)(ctx, req, args)
	}
	what := lower(args[0].Text)
	if what != "nudges" && what != "nudge" || len(args) != 2 {
		return chat.Message{}, usage("Try `/okr settings` to see your settings, or `/okr settings nudges slack|teams` to choose where your check-in nudges go. Your time zone: `/okr timezone Europe/Berlin`.")
	}
	p, ok := parsePlatform(args[1].Text)
	if !ok {
		return chat.Message{}, usage("\"%s\" is not a chat platform: use slack or teams.", chat.User(args[1].Text))
	}
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		_, err := people.SetNudgePlatform(tx, req.actor, p)
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Done: your check-in nudges, reminders and other direct messages now come on %s.", chat.PlatformName(p))), nil
}

// settingsView is `/okr settings`: a person's own settings, quiet (time
// away, muted reminders) among them.
func settingsView(u *okrcore.User, quietLines []string) chat.Message {
	names := platformNames(u)
	lines := append([]string{
		fmt.Sprintf("*Your settings, %s*", chat.User(u.Name)),
		fmt.Sprintf("Nudges and reminders come on: *%s*", names[0]),
		fmt.Sprintf("Time zone: %s (`/okr timezone Europe/Berlin` changes it)", chat.User(cmp.Or(u.TimeZone, "not set"))),
	}, quietLines...)
	m := chat.Message{Ephemeral: true}
	if len(names) > 1 {
		lines = append(lines, "You also use okrbot on "+strings.Join(names[1:], " and ")+".")
		var buttons []chat.Button
		for _, a := range u.Accounts() {
			if a.Platform != u.NudgeAccount().Platform {
				buttons = append(buttons, chat.Button{Label: "Nudge me on " + chat.PlatformName(a.Platform), Value: "settings nudges " + a.Platform})
			}
		}
		m.Text = strings.Join(lines, "\n")
		m.Blocks = []chat.Block{chat.Section{Text: m.Text}, chat.Actions{Buttons: buttons}}
		return m
	}
	lines = append(lines, "If you also use okrbot on another chat platform, say hi to it there: with the same verified e-mail address it knows it's you, and you can choose where your nudges go.")
	text := strings.Join(lines, "\n")
	m.Text, m.Blocks = text, []chat.Block{chat.Section{Text: text}}
	return m
}

// link makes two okrbot users one person: the second one's chat account
// joins the first, and the second user goes away. It is for accounts an
// e-mail address could not join (no verified address, or different ones).
// The second user must not own OKRs or have checked in: those would have
// to change hands, which `okr edit ID owner @PERSON` does in the open.
func (e *Engine) link(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr link PERSON OTHER`: OTHER's chat account becomes PERSON's, so they are one person with one set of OKRs. `/okr users` lists people with their numbers (use #12 when two share a name).")
	}
	var keep, fold *okrcore.User
	err := e.store.Update(ctx, func(tx okrcore.Tx) (err error) {
		keep, fold, err = people.LinkAccount(tx, req.actor, named(tx, req, args[0]), named(tx, req, args[1]))
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	e.log.InfoContext(ctx, "accounts linked by an admin", "user", keep.ID, "folded", fold.ID, "admin", req.actor.ID)
	return chat.Text(fmt.Sprintf("Linked: %s now uses okrbot on %s, with one set of OKRs. Nudges go to %s; they can change that with `/okr settings`.",
		chat.User(keep.Name), strings.Join(platformNames(keep), " and "), platformNames(keep)[0])), nil
}

// unlink takes one platform's account off a person into a new, empty okrbot
// user: the way back from a wrong link.
func (e *Engine) unlink(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr unlink PERSON teams` (or slack): that account becomes a separate person again, with no OKRs.")
	}
	var p string
	var u, split *okrcore.User
	err := e.store.Update(ctx, func(tx okrcore.Tx) (err error) {
		platform := func() (string, error) {
			var ok bool
			if p, ok = parsePlatform(args[1].Text); !ok {
				return "", usage("\"%s\" is not a chat platform: use slack or teams.", chat.User(args[1].Text))
			}
			return p, nil
		}
		u, split, err = people.UnlinkAccount(tx, req.now, req.actor, platform, named(tx, req, args[0]))
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Unlinked: %s's %s account is now %s (%s), a separate person with no OKRs. %s keeps every OKR.",
		chat.User(u.Name), chat.PlatformName(p), chat.User(split.Name), userHandle(split), chat.User(u.Name))), nil
}

// userHandle names a person unambiguously in a command.
func userHandle(u *okrcore.User) string { return u.Handle() }
