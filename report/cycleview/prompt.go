package cycleview

import (
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// maxPromptKRs keeps a prompt within what one message holds: a row of
// three buttons per key result (Slack takes 50 blocks, Teams cards grow
// long); the rest are named with the command that carries them all.
const maxPromptKRs = 10

// Prompt composes the carry-over prompt of an outbox item (okrcore's
// OutboxCarry): the person's unfinished key results of the closed cycle
// that nobody has decided on yet, each with Carry over, Drop and Keep as
// done, as the store is when it is sent. direct is where a person's
// messages go.
func Prompt(tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem, direct func(*okrcore.User) chat.Conversation) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	to := direct(u)
	c, err := tx.Cycle(w.ID, cycles.CycleOf(it.Period))
	if okrcore.IsNotFound(err) {
		return chat.Delivery{To: to, Skip: "the cycle is gone"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	krs, err := cycles.Pending(tx, w.ID, c.ID, u.ID)
	if err != nil {
		return chat.Delivery{}, err
	}
	if len(krs) == 0 {
		return chat.Delivery{To: to, Skip: "nothing left to decide"}, nil
	}
	return chat.Delivery{To: to, Message: PromptMessage(tx, w.ID, c, krs)}, nil
}

// PromptMessage asks what becomes of krs, unfinished key results of the
// closed cycle c.
func PromptMessage(tx okrcore.Tx, ws string, c *okrcore.Cycle, krs []*okrcore.KeyResult) chat.Message {
	what := "key result"
	if len(krs) > 1 {
		what = fmt.Sprintf("%d key results", len(krs))
	}
	head := fmt.Sprintf("%s is closed. What becomes of your %s that did not reach the target?", chat.User(c.Name), what)
	m := chat.Message{Text: head, Blocks: []chat.Block{chat.Section{Text: head}}}
	explain := "*Carry over* continues it in %s, starting from where it stands, its history kept; *Drop* leaves it behind, marked dropped; *Keep as done* leaves it as it stands."
	next, nextErr := cycles.NextOpen(tx, ws, c)
	if nextErr == nil {
		explain = fmt.Sprintf(explain, chat.User(next.Name))
	} else {
		explain = fmt.Sprintf(explain, "the next cycle") + " " + okrcore.ErrorMessageWith(nextErr, chat.User)
	}
	m.Blocks = append(m.Blocks, chat.Context{Text: explain})
	for i, k := range krs {
		if i == maxPromptKRs {
			m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("…and %d more: `/okr cycle carry mine %s` carries them all over, or name one: `/okr cycle drop KR12`.", len(krs)-i, chat.User(c.Name))})
			break
		}
		ref := k.Ref().String()
		stands := chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit))
		if k.Metric != okrcore.MetricMilestone {
			stands += fmt.Sprintf(" of %s (%s)", chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit)), okrcore.Percent(okrcore.KRProgress(k)))
		}
		m.Blocks = append(m.Blocks,
			chat.Section{Text: fmt.Sprintf("%s *%s*: %s", ref, chat.User(k.Title), stands)},
			chat.Actions{Buttons: []chat.Button{
				{Label: "Carry over", Value: "cycle carry " + ref, Style: chat.StylePrimary},
				{Label: "Drop", Value: "cycle drop " + ref},
				{Label: "Keep as done", Value: "cycle keep " + ref},
			}})
	}
	if len(krs) > 1 {
		m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "Carry all over", Value: "cycle carry mine " + Ref(c).String()}}})
	}
	return m
}

// CarryHint is what an empty `okr mine` adds for someone with key results
// left unfinished in a closed cycle that current ones follow: the button
// that carries them over; nil when there are none.
func CarryHint(tx okrcore.Tx, ws string, user okrcore.ID, current []*okrcore.Cycle) ([]chat.Block, error) {
	all, err := tx.Cycles(ws)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if !c.Closed {
			continue
		}
		next := cycles.Following(all, c)
		if next == nil || !holds(current, next) {
			continue
		}
		krs, err := cycles.Pending(tx, ws, c.ID, user)
		if err != nil {
			return nil, err
		}
		if len(krs) == 0 {
			continue
		}
		refs := make([]string, len(krs))
		for i, k := range krs {
			refs[i] = k.Ref().String()
		}
		text := fmt.Sprintf("%s closed with your %s unfinished: %s. Carry them over to %s, or decide one by one with `/okr cycle carry KR…`, `drop` or `keep`.",
			chat.User(c.Name), plural(len(krs), "key result"), joinRefs(refs), chat.User(next.Name))
		return []chat.Block{chat.Section{Text: text}, chat.Actions{Buttons: []chat.Button{
			{Label: "Carry them over", Value: "cycle carry mine " + Ref(c).String(), Style: chat.StylePrimary}}}}, nil
	}
	return nil, nil
}

func holds(cs []*okrcore.Cycle, c *okrcore.Cycle) bool {
	for _, o := range cs {
		if o.ID == c.ID {
			return true
		}
	}
	return false
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// joinRefs names at most six references, then how many more.
func joinRefs(refs []string) string {
	if len(refs) > 6 {
		return strings.Join(refs[:6], ", ") + fmt.Sprintf(" and %d more", len(refs)-6)
	}
	return strings.Join(refs, ", ")
}

// EmptyMine completes m, `okr mine` for someone with no OKRs in the
// current cycles cs: how to write one, naming no objective (one of a
// closed cycle takes no key results), and what waits to be carried over
// from a closed cycle.
func EmptyMine(tx okrcore.Tx, ws string, now time.Time, user okrcore.ID, cs []*okrcore.Cycle, m chat.Message) (chat.Message, error) {
	if len(cs) > 1 {
		m.Blocks = append(m.Blocks, Contexts(cs, now)...)
		m.Text = fmt.Sprintf("You have no OKRs in %s yet.", Names(cs))
	}
	m.Blocks = append(m.Blocks, chat.Section{Text: m.Text + " Create one with `/okr new objective \"Your objective\"`; I answer with its id, and `/okr new kr` with that id adds its key results."})
	hint, err := CarryHint(tx, ws, user, cs)
	if err != nil || hint == nil {
		return m, err
	}
	m.Blocks = append(m.Blocks, hint...)
	return m, nil
}
