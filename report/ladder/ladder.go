// Package ladder holds what time away and the escalation ladder add to
// the scheduled messages: the chat status read before a nudge, the words
// of a welcome back and of a lead's "Nudge them", and the reply in a team
// digest's thread that names who has not checked in.
package ladder

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// NudgeHead is the first line of a nudge or reminder: a welcome back after
// time away (the nudge planned for the return, okrcore/away.WelcomeKey), a lead's "Nudge them", the schedule's reminder or its nudge.
func NudgeHead(it *okrcore.OutboxItem, name, cycle, period, cadence, due string) string {
	switch {
	case away.IsWelcome(it.Key):
		return "Welcome back, " + name + "! Hope your time away went well. Your " + cadence + " check-in is due (" + cycle + ")."
	case away.IsNudge(it.Key):
		return "Hi " + name + ", a friendly nudge from your team: your check-in for this " + period + " is still open (" + due + "). It takes a minute."
	case it.Kind == okrcore.OutboxReminder:
		return "Hi " + name + ", a reminder: your check-in for this " + period + " is still open (" + due + ")."
	}
	return "Hi " + name + "! Time for your " + cadence + " check-in (" + cycle + ")."
}

// ThreadReply is the ladder's reply in a team digest's thread: who has not
// checked in this period (names, already a person's text), politely.
func ThreadReply(names []string, this string) chat.Message {
	text := "Still to check in " + this + ": " + list(names) + ". A minute in `/okr checkin` keeps the team's picture true; thanks!"
	return chat.Message{Text: text, Blocks: []chat.Block{chat.Section{Text: text}, chat.Context{Text: "Nobody away is named here, nor anyone who muted reminders."}}}
}

// SilentBlocks are the manager digest's names step: who under team has not
// checked in this period (names, a person's text), and the button whose
// value (nudge) reminds them.
func SilentBlocks(team, nudge, this string, names []string) []chat.Block {
	if len(names) == 0 {
		return []chat.Block{chat.Section{Text: "Everyone with key results under " + team + " has checked in " + this + " (those away aside)."}}
	}
	return []chat.Block{
		chat.Section{Text: fmt.Sprintf("*Not checked in %s* (%d, those away aside): %s", this, len(names), list(names))},
		chat.Actions{Buttons: []chat.Button{{Label: "Nudge them", Value: nudge}}},
	}
}

// maxNames is how many names a line lists before "and N more".
const maxNames = 40

func list(names []string) string {
	more := ""
	if len(names) > maxNames {
		more = fmt.Sprintf(" and %d more", len(names)-maxNames)
		names = names[:maxNames]
	}
	if len(names) == 1 || more != "" {
		return strings.Join(names, ", ") + more
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// AwayNote is what a count of people with key results adds when some
// were away: ", 2 away".
func AwayNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d away", n)
}
