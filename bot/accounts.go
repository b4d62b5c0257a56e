package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
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
func (e *Engine) settings(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return settingsView(req.actor), nil
	}
	what := lower(args[0].text)
	if what != "nudges" && what != "nudge" || len(args) != 2 {
		return chat.Message{}, usage("Try `/okr settings` to see your settings, or `/okr settings nudges slack|teams` to choose where your check-in nudges go. Your time zone: `/okr timezone Europe/Berlin`.")
	}
	p, ok := parsePlatform(args[1].text)
	if !ok {
		return chat.Message{}, usage("%q is not a chat platform: use slack or teams.", args[1].text)
	}
	var u *okrcore.User
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if u, err = tx.User(req.ws, req.actor.ID); err != nil {
			return err
		}
		if _, ok := u.Account(p); !ok {
			return okrcore.Errorf(okrcore.KindInvalid, "You don't use okrbot on %s yet. Say hi to okrbot there first (with the same e-mail address), or ask an admin to link your accounts with `/okr link`.", chat.PlatformName(p))
		}
		u.NudgeOn = p
		return tx.PutUser(u)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Done: your check-in nudges, reminders and other direct messages now come on %s.", chat.PlatformName(p))), nil
}

func settingsView(u *okrcore.User) chat.Message {
	tz := u.TimeZone
	if tz == "" {
		tz = "not set"
	}
	names := platformNames(u)
	lines := []string{
		fmt.Sprintf("*Your settings, %s*", u.Name),
		fmt.Sprintf("Nudges and reminders come on: *%s*", names[0]),
		fmt.Sprintf("Time zone: %s (`/okr timezone Europe/Berlin` changes it)", tz),
	}
	m := chat.Message{Ephemeral: true}
	if len(names) > 1 {
		lines = append(lines, "You also use okrbot on "+strings.Join(names[1:], " and ")+".")
		var buttons []chat.Button
		for _, a := range u.Accounts() {
			if a.Platform != u.NudgeAccount().Platform {
				buttons = append(buttons, chat.Button{Label: "Nudge me on " + chat.PlatformName(a.Platform), Value: "settings nudges " + a.Platform})
			}
		}
		text := strings.Join(lines, "\n")
		m.Text = text
		m.Blocks = []chat.Block{chat.Section{Text: text}, chat.Actions{Buttons: buttons}}
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
func (e *Engine) link(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr link PERSON OTHER`: OTHER's chat account becomes PERSON's, so they are one person with one set of OKRs. `/okr users` lists people with their numbers (use #12 when two share a name).")
	}
	if err := okrcore.RequireAdmin(req.actor, "link accounts"); err != nil {
		return chat.Message{}, err
	}
	var keep, fold *okrcore.User
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if keep, err = findUser(tx, req.ws, req.ev.Platform, args[0].text); err != nil {
			return err
		}
		if fold, err = findUser(tx, req.ws, req.ev.Platform, args[1].text); err != nil {
			return err
		}
		if keep.ID == fold.ID {
			return okrcore.Errorf(okrcore.KindInvalid, "That is the same person twice.")
		}
		for _, a := range fold.Accounts() {
			if _, clash := keep.Account(a.Platform); clash {
				return okrcore.Errorf(okrcore.KindConflict, "%s already has a %s account, and a person has one account per platform. `/okr unlink %s %s` frees it first.",
					keep.Name, chat.PlatformName(a.Platform), userHandle(keep), a.Platform)
			}
		}
		if what, err := ownedBy(tx, req.ws, fold.ID); err != nil {
			return err
		} else if what != "" {
			return okrcore.Errorf(okrcore.KindConflict, "%s %s in okrbot, so I can't fold that account into %s without losing track of it. Hand those over first (`/okr edit ID owner %s`), or link the other way round: `/okr link %s %s`.",
				userHandle(fold), what, keep.Name, userHandle(keep), userHandle(fold), userHandle(keep))
		}
		return foldInto(tx, req.ws, keep, fold)
	})
	if err != nil {
		return chat.Message{}, err
	}
	e.log.InfoContext(ctx, "accounts linked by an admin", "user", keep.ID, "folded", fold.ID, "admin", req.actor.ID)
	return chat.Text(fmt.Sprintf("Linked: %s now uses okrbot on %s, with one set of OKRs. Nudges go to %s; they can change that with `/okr settings`.",
		keep.Name, strings.Join(platformNames(keep), " and "), platformNames(keep)[0])), nil
}

// unlink takes one platform's account off a person into a new, empty okrbot
// user: the way back from a wrong link.
func (e *Engine) unlink(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr unlink PERSON teams` (or slack): that account becomes a separate person again, with no OKRs.")
	}
	if err := okrcore.RequireAdmin(req.actor, "unlink accounts"); err != nil {
		return chat.Message{}, err
	}
	p, ok := parsePlatform(args[1].text)
	if !ok {
		return chat.Message{}, usage("%q is not a chat platform: use slack or teams.", args[1].text)
	}
	var u, split *okrcore.User
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if u, err = findUser(tx, req.ws, req.ev.Platform, args[0].text); err != nil {
			return err
		}
		a, ok := u.Account(p)
		if !ok {
			return okrcore.Errorf(okrcore.KindNotFound, "%s has no %s account.", u.Name, chat.PlatformName(p))
		}
		if len(u.Accounts()) < 2 {
			return okrcore.Errorf(okrcore.KindConflict, "%s is only on %s: there is nothing to unlink.", u.Name, chat.PlatformName(p))
		}
		var rest []okrcore.Account
		for _, o := range u.Accounts() {
			if o != a {
				rest = append(rest, o)
			}
		}
		u.Platform, u.PlatformID, u.DM, u.DMRef, u.Linked = "", "", "", "", nil
		for _, o := range rest {
			u.SetAccount(o)
		}
		if u.NudgeOn == p {
			u.NudgeOn = ""
		}
		if err := tx.PutUser(u); err != nil {
			return err
		}
		split = &okrcore.User{Workspace: req.ws, Name: u.Name + " (" + chat.PlatformName(p) + ")", TimeZone: u.TimeZone, Role: okrcore.RoleMember, CreatedAt: req.now}
		split.SetAccount(a)
		return tx.PutUser(split)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Unlinked: %s's %s account is now %s (%s), a separate person with no OKRs. %s keeps every OKR.",
		u.Name, chat.PlatformName(p), split.Name, userHandle(split), u.Name)), nil
}

// foldInto makes fold's accounts keep's and removes fold, who must own
// nothing (ownedBy): team places and initiatives move, what keep lacks
// (address, time zone) is taken, and an admin stays one.
func foldInto(tx okrcore.Tx, ws string, keep, fold *okrcore.User) error {
	if err := moveTeams(tx, ws, fold.ID, keep.ID); err != nil {
		return err
	}
	if err := moveInitiatives(tx, ws, fold.ID, keep.ID); err != nil {
		return err
	}
	if err := tx.DeleteUser(ws, fold.ID); err != nil {
		return fmt.Errorf("remove the folded user: %w", err)
	}
	for _, a := range fold.Accounts() {
		keep.SetAccount(a)
	}
	if keep.Email == "" {
		keep.Email, keep.EmailVerified = fold.Email, fold.EmailVerified
	}
	if keep.TimeZone == "" {
		keep.TimeZone = fold.TimeZone
	}
	if fold.Role == okrcore.RoleAdmin && keep.Role != okrcore.RoleAdmin {
		keep.Role = okrcore.RoleAdmin // an admin's rights are not lost by linking
	}
	return tx.PutUser(keep)
}

// userHandle names a person unambiguously in a command.
func userHandle(u *okrcore.User) string { return "#" + strconv.FormatUint(uint64(u.ID), 10) }

// ownedBy says what a user owns or wrote, in words ("" for nothing).
func ownedBy(tx okrcore.Tx, ws string, id okrcore.ID) (string, error) {
	owner := okrcore.UserOwner(id)
	objs, err := tx.ObjectivesByOwner(ws, owner, 0)
	if err != nil {
		return "", err
	}
	krs, err := tx.KeyResultsByOwner(ws, owner, 0)
	if err != nil {
		return "", err
	}
	kpis, err := tx.KPIs(ws)
	if err != nil {
		return "", err
	}
	nKPI := 0
	for _, k := range kpis {
		if k.Owner == owner {
			nKPI++
		}
	}
	checkIns, err := tx.CheckInsByAuthor(ws, id, time.Time{}, 1)
	if err != nil {
		return "", err
	}
	var parts []string
	count := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	count(len(objs), "objective", "objectives")
	count(len(krs), "key result", "key results")
	count(nKPI, "KPI", "KPIs")
	if len(checkIns) > 0 {
		parts = append(parts, "check-ins")
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "already has " + strings.Join(parts, ", "), nil
}

// moveTeams puts to in from's place in every team: member and lead.
func moveTeams(tx okrcore.Tx, ws string, from, to okrcore.ID) error {
	teams, err := tx.TeamsOfUser(ws, from)
	if err != nil {
		return err
	}
	for _, t := range teams {
		members := t.Members[:0:0]
		seen := map[okrcore.ID]bool{}
		for _, m := range t.Members {
			if m == from {
				m = to
			}
			if !seen[m] {
				seen[m] = true
				members = append(members, m)
			}
		}
		t.Members = members
		if t.Lead == from {
			t.Lead = to
		}
		if err := tx.PutTeam(t); err != nil {
			return err
		}
	}
	return nil
}

// moveInitiatives hands from's initiatives to to. Initiatives have no owner
// index, so every key result is visited: linking is a rare admin step.
func moveInitiatives(tx okrcore.Tx, ws string, from, to okrcore.ID) error {
	cycles, err := tx.Cycles(ws)
	if err != nil {
		return err
	}
	for _, c := range cycles {
		krs, err := tx.KeyResultsByCycle(ws, c.ID)
		if err != nil {
			return err
		}
		for _, k := range krs {
			ins, err := tx.InitiativesByKeyResult(ws, k.ID)
			if err != nil {
				return err
			}
			for _, in := range ins {
				if in.Owner == from {
					in.Owner = to
					if err := tx.PutInitiative(in); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
