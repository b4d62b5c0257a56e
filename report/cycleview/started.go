package cycleview

import (
	"context"
	"fmt"
	"slices"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// Started composes an admin's note that the schedule made a cycle current
// when it started (okrcore's OutboxCycleStarted), as the store is when it
// is sent: nothing when the person is no longer an admin or the cycle is
// gone, closed or no longer current (an admin chose another since).
func Started(tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem, direct func(*okrcore.User) chat.Conversation) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	to := direct(u)
	if u.Role != okrcore.RoleAdmin || u.Left {
		return chat.Delivery{To: to, Skip: "no longer an admin"}, nil
	}
	cs, err := tx.Cycles(w.ID)
	if err != nil {
		return chat.Delivery{}, fmt.Errorf("list cycles: %w", err)
	}
	i := slices.IndexFunc(cs, func(c *okrcore.Cycle) bool { return c.ID == cycles.CycleOf(it.Period) })
	if i < 0 || cs[i].Closed || (w.CurrentCycle != cs[i].ID && !slices.Contains(w.AlsoCurrent, cs[i].ID)) {
		return chat.Delivery{To: to, Skip: "the cycle is no longer current"}, nil
	}
	return chat.Delivery{To: to, Message: StartedMessage(cs, cs[i])}, nil
}

// StartedMessage says that c became current at its start, and what an
// admin may still want to do: close the cycle of its kind before it.
func StartedMessage(cs []*okrcore.Cycle, c *okrcore.Cycle) chat.Message {
	text := fmt.Sprintf("%s started on %s, so I made it current (%s).", chat.User(c.Name), c.Start.Format("Mon Jan 2"), Span(c))
	var before *okrcore.Cycle
	for _, o := range cs {
		if o.Kind == c.Kind && !o.Closed && o.ID != c.ID && !o.End.After(c.Start) && (before == nil || o.End.After(before.End)) {
			before = o
		}
	}
	if before != nil {
		text += fmt.Sprintf(" %s is still open: `/okr cycle close %s` grades it and asks its owners about unfinished key results.", chat.User(before.Name), chat.User(before.Name))
	}
	text += " `/okr cycle` lists the cycles; `/okr cycle set NAME` makes another one current."
	return chat.Text(text)
}

// Composer makes compose, given where a person's messages go (direct), a
// composer for report's registry of outbox kinds.
func Composer(compose func(okrcore.Tx, *okrcore.Workspace, *okrcore.OutboxItem, func(*okrcore.User) chat.Conversation) (chat.Delivery, error),
	direct func(*okrcore.User) chat.Conversation) func(context.Context, okrcore.Tx, *okrcore.Workspace, *okrcore.OutboxItem) (chat.Delivery, error) {
	return func(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
		return compose(tx, w, it, direct)
	}
}
