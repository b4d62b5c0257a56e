package shell

import (
	"fmt"
	"sort"
	"strings"

	"github.com/okrbot/okrbot/chat"
)

// The terminal shows one person's chat at a time: a scheduled message for
// someone else (bob's nudge while you are alice) waits until `/as bob`,
// which shows it, and its arrival is announced in one line, once, rather
// than printed among your own messages.

// letter is a scheduled message waiting for its reader, as rendered.
type letter struct {
	to      string // the conversation it was sent to
	text    string
	buttons []chat.Button
}

// mailbox holds the letters of people other than the one speaking.
type mailbox struct {
	waiting map[string][]letter // by user id
	fresh   map[string]int      // letters not yet announced, by user id
	// busy says a line is being handled: arrivals are announced once it
	// is done, in one line.
	busy bool
}

func (mb *mailbox) add(who string, l letter) {
	if mb.waiting == nil {
		mb.waiting, mb.fresh = map[string][]letter{}, map[string]int{}
	}
	mb.waiting[who] = append(mb.waiting[who], l)
	mb.fresh[who]++
}

// take removes and returns who's letters.
func (mb *mailbox) take(who string) []letter {
	ls := mb.waiting[who]
	delete(mb.waiting, who)
	delete(mb.fresh, who)
	return ls
}

// notice words the letters that arrived since the last notice, "" for
// none: "(1 new message for bob: `/as bob` shows it.)" or "(New messages
// for others: 2 for bob, 1 for erin; `/as NAME` shows them.)".
func (mb *mailbox) notice() string {
	if len(mb.fresh) == 0 {
		return ""
	}
	var who []string
	for w := range mb.fresh {
		who = append(who, w)
	}
	sort.Strings(who)
	defer clear(mb.fresh)
	if len(who) == 1 {
		n := mb.fresh[who[0]]
		if n == 1 {
			return fmt.Sprintf("(1 new message for %s: `/as %s` shows it.)", who[0], who[0])
		}
		return fmt.Sprintf("(%d new messages for %s: `/as %s` shows them.)", n, who[0], who[0])
	}
	var parts []string
	for _, w := range who {
		parts = append(parts, fmt.Sprintf("%d for %s", mb.fresh[w], w))
	}
	return "(New messages for others: " + strings.Join(parts, ", ") + "; `/as NAME` shows them.)"
}

// setBusy marks a line as being handled; when it is done, what arrived
// for others meanwhile is announced.
func (s *Shell) setBusy(busy bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mail.busy = busy
	if !busy {
		s.announceLocked(false)
	}
}

// announceLocked prints the notice of new letters, if any. One that comes
// while an interactive chat waits at its prompt gives the prompt back
// (reprompt). s.mu is held.
func (s *Shell) announceLocked(reprompt bool) {
	n := s.mail.notice()
	if n == "" {
		return
	}
	if reprompt && s.interactive {
		fmt.Fprintf(s.out, "\n%s\n%s> ", n, s.user)
		return
	}
	fmt.Fprintln(s.out, n)
}

// deliverMailLocked shows the letters waiting for the person now
// speaking; the last one's buttons are theirs to press. s.mu is held.
func (s *Shell) deliverMailLocked() {
	me := userID(s.user)
	for _, l := range s.mail.take(me) {
		fmt.Fprintf(s.out, "[to %s]\n%s", l.to, l.text)
		s.buttons = l.buttons
	}
}
