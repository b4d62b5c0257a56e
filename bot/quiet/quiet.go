// Package quiet holds the conversation's commands about being left alone
// and about chasing: `away` (and `skip until …`), `mute`, `unmute`, the
// workspace's settings of Slack statuses and of the escalation ladder,
// and the manager digest's "Nudge them". It reads the words and writes the
// answers; every rule and write is okrcore/away's.
package quiet

import (
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/reply"
)

// Request is what a command here needs of the conversation's request.
type Request struct {
	Actor *okrcore.User
	Now   time.Time
	// Loc is a time zone by its IANA name (cached by the caller).
	Loc func(tz string) *time.Location
	// Person resolves words that name someone (@bob, #12, an address),
	// only once a permission allows.
	Person func(tx okrcore.Tx, tok reply.Token) okrcore.Later[okrcore.ID]
}

func invalid(format string, args ...any) error {
	return okrcore.Errorf(okrcore.KindInvalid, format, args...)
}

// spanWords are the words that begin a time away rather than name a
// person: `away until …`, `away 2 weeks`, `away off`.
func spanWord(w string) bool {
	switch strings.ToLower(w) {
	case "until", "till", "til", "to", "through", "thru", "from", "for", "off", "back", "end", "a", "an",
		"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve":
		return true
	}
	return w != "" && w[0] >= '0' && w[0] <= '9'
}

const awayHelp = "Try `/okr away until 2027-01-10 [note]`, `/okr away 2 weeks`, `/okr away off`, or `/okr away` to see it; admins and team leads: `/okr away @bob until Jan 10`."

// Away is `/okr away [@PERSON] [until DATE | N weeks | off] [note]`.
func Away(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	var person okrcore.Later[okrcore.ID]
	if len(args) > 0 && !spanWord(args[0].Text) {
		person, args = r.Person(tx, args[0]), args[1:]
	}
	if len(args) == 0 {
		return show(tx, r, person)
	}
	switch strings.ToLower(args[0].Text) {
	case "off", "back", "end":
		if len(args) > 1 {
			return chat.Message{}, invalid(awayHelp)
		}
		u, ended, err := away.End(tx, r.Actor, person, r.Now)
		if err != nil {
			return chat.Message{}, err
		}
		who := whose(r, u)
		if !ended {
			return chat.Text(fmt.Sprintf("%s not away: nothing to end.", who.are)), nil
		}
		return chat.Text(fmt.Sprintf("Welcome back! %s no longer away: check-in nudges and reminders come again from the next one.", who.are)), nil
	}
	text := reply.JoinTokens(args)
	u, p, err := away.Set(tx, r.Actor, person, func(u *okrcore.User) (away.Span, error) {
		return away.Parse(text, r.Now, r.Loc(u.TimeZone))
	}, r.Now)
	if err != nil {
		return chat.Message{}, err
	}
	loc := r.Loc(u.TimeZone)
	when := "until the end of " + away.Span{Until: p.Until}.LastDay(loc).Format("Mon, Jan 2 2006")
	if p.From.After(r.Now) {
		when = "from " + p.From.In(loc).Format("Mon, Jan 2") + " " + when
	}
	note := ""
	if p.Note != "" {
		note = fmt.Sprintf(" (%s)", chat.User(p.Note))
	}
	if u.ID == r.Actor.ID {
		return chat.Text(fmt.Sprintf("Enjoy your time away%s! You're away %s: no check-in nudges, reminders or grading prompts until then, and digests show you as away, not as missing. When you're back I'll say hello if a check-in is due. `/okr away off` if you're back early.", note, when)), nil
	}
	return chat.Text(fmt.Sprintf("%s is away %s%s: no check-in nudges, reminders or grading prompts for them until then, and digests show them as away. `/okr away %s off` ends it early.", chat.User(u.Name), when, note, chat.User(u.Name))), nil
}

// who words a person as the answer speaks of them: "You're", "Bob is".
type who struct{ are string }

func whose(r Request, u *okrcore.User) who {
	if u.ID == r.Actor.ID {
		return who{are: "You're"}
	}
	return who{are: chat.User(u.Name) + " is"}
}

func show(tx okrcore.Tx, r Request, person okrcore.Later[okrcore.ID]) (chat.Message, error) {
	u := r.Actor
	if person != nil {
		id, err := person()
		if err != nil {
			return chat.Message{}, err
		}
		if u, err = tx.User(r.Actor.Workspace, id); err != nil {
			return chat.Message{}, err
		}
	}
	b, err := away.Read(tx, r.Actor.Workspace)
	if err != nil {
		return chat.Message{}, err
	}
	w := whose(r, u)
	when, ok := awayWhen(b, u, r)
	if !ok {
		return chat.Text(fmt.Sprintf("%s not away. %s", w.are, awayHelp)), nil
	}
	return chat.Text(fmt.Sprintf("%s away %s. `/okr away off` ends it.", w.are, when)), nil
}

// awayWhen words u's time away now or next ("until the end of Wed, Nov 25
// 2026 (on a boat)"); ok is false when there is none.
func awayWhen(b *away.Book, u *okrcore.User, r Request) (string, bool) {
	p, ok := b.Next(u.ID, r.Now)
	if !ok {
		return "", false
	}
	loc := r.Loc(u.TimeZone)
	when := "until the end of " + away.Span{Until: p.Until}.LastDay(loc).Format("Mon, Jan 2 2006")
	if p.From.After(r.Now) {
		when = "from " + p.From.In(loc).Format("Mon, Jan 2") + " " + when
	}
	if p.Note != "" {
		when += fmt.Sprintf(" (%s)", chat.User(p.Note))
	}
	return when, true
}

// Mine is what `/okr settings` says of the person's own quiet: their time
// away and whether their reminders are muted, each with how to end or
// start it.
func Mine(tx okrcore.Tx, r Request) ([]string, error) {
	b, err := away.Read(tx, r.Actor.Workspace)
	if err != nil {
		return nil, err
	}
	lines := []string{"Time away: none (`/okr away until 2027-01-10 [note]` or `/okr away 2 weeks`)"}
	if when, ok := awayWhen(b, r.Actor, r); ok {
		lines[0] = "Time away: " + when + " (`/okr away off` ends it)"
	}
	c, err := okrcore.CurrentCycle(tx, r.Actor.Workspace)
	switch {
	case err == nil && b.Muted(r.Actor.ID, c.ID):
		return append(lines, fmt.Sprintf("Reminders: muted for %s (`/okr unmute` turns them back on)", chat.User(c.Name))), nil
	case err != nil && !okrcore.IsNotFound(err):
		return nil, err
	}
	return append(lines, "Reminders: on, one after a check-in nudge you haven't answered (`/okr mute reminders` mutes them for this cycle)"), nil
}

// Skip is `/okr skip until Dec 20, on vacation`: more than this period's
// check-in is time away.
func Skip(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 || !spanWord(args[0].Text) || strings.EqualFold(args[0].Text, "off") {
		return chat.Message{}, invalid("`/okr skip` skips this check-in; for longer, `/okr skip until Dec 20` or `/okr away 2 weeks`.")
	}
	return Away(tx, r, args)
}

// Mute is `/okr mute [reminders]`: no reminders for the rest of the cycle.
func Mute(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	if len(args) > 1 || (len(args) == 1 && !strings.EqualFold(args[0].Text, "reminders")) {
		return chat.Message{}, invalid("Try `/okr mute reminders`: no reminders for the rest of this cycle (`/okr unmute` turns them back on).")
	}
	c, err := away.Mute(tx, r.Actor, r.Now)
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Reminders muted for %s: you still get the check-in nudge, but no reminder after it and no \"Nudge them\", and the escalation ladder won't name you. `/okr unmute` turns them back on.", chat.User(c.Name))), nil
}

// Unmute is `/okr unmute [reminders]`.
func Unmute(tx okrcore.Tx, r Request, args []reply.Token) (chat.Message, error) {
	if len(args) > 1 || (len(args) == 1 && !strings.EqualFold(args[0].Text, "reminders")) {
		return chat.Message{}, invalid("Try `/okr unmute`: reminders come again.")
	}
	was, err := away.Unmute(tx, r.Actor, r.Now)
	if err != nil {
		return chat.Message{}, err
	}
	if !was {
		return chat.Text("Your reminders weren't muted: nothing changed."), nil
	}
	return chat.Text("Reminders are back on: after a check-in nudge you get one reminder if you haven't checked in."), nil
}
