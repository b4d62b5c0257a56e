// Package cyclecmd is the `/okr cycle` command: the cycles and which are
// current, a new cycle and the one after it, making one current, closing
// one (asking with a button before its end), and what becomes of a closed
// cycle's unfinished key results (carry over, drop, keep). The rules are
// okrcore/cycles'; this reads the words and says the outcome.
package cyclecmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
	"github.com/okrbot/okrbot/report/cycleview"
)

// Usage is the command's help line.
const Usage = "cycle [list | new SPEC | next [NAME] | set NAME | close [NAME] | carry KR…|all|mine | drop KR… | keep KR…]"

const tryThis = "Try `/okr cycle`, `/okr cycle new Q1 2027`, `/okr cycle next`, `/okr cycle set Q1 2027`, `/okr cycle close Q4 2026`, `/okr cycle carry KR7` (or `all`), `/okr cycle drop KR7` or `/okr cycle keep KR7`."

// Run answers `/okr cycle …`; args are the words after "cycle".
func Run(ctx context.Context, store okrcore.Store, now time.Time, actor *okrcore.User, args []reply.Token) (chat.Message, error) {
	sub := ""
	if len(args) > 0 {
		sub = strings.ToLower(args[0].Text)
	}
	rest := reply.JoinTokens(args[min(1, len(args)):])
	switch sub {
	case "", "show", "list":
		return okrcore.View(ctx, store, func(tx okrcore.Tx) (chat.Message, error) { return cycleview.List(tx, actor.Workspace, now) })
	case "new", "set", "next":
		return okrcore.Update(ctx, store, func(tx okrcore.Tx) (chat.Message, error) { return change(tx, now, actor, sub, rest) })
	case "close":
		return closeCycle(ctx, store, now, actor, args[1:])
	case "carry", "drop", "keep":
		return decide(ctx, store, now, actor, sub, args[1:])
	}
	return chat.Message{}, okrcore.Errorf(okrcore.KindInvalid, tryThis)
}

// change creates, follows or sets a cycle.
func change(tx okrcore.Tx, now time.Time, actor *okrcore.User, sub, spec string) (chat.Message, error) {
	if sub == "set" {
		c, err := cycles.Set(tx, actor, spec)
		if err != nil {
			return chat.Message{}, err
		}
		return chat.Text(fmt.Sprintf("%s is now current (%s).", chat.User(c.Name), cycleview.Span(c))), nil
	}
	var c *okrcore.Cycle
	var current bool
	var err error
	if sub == "next" {
		c, current, err = cycles.Next(tx, now, actor, spec)
	} else {
		c, current, err = cycles.Create(tx, now, actor, func() (okrcore.Cycle, error) { return okrcore.ParseCycle(spec) })
	}
	if err != nil {
		return chat.Message{}, err
	}
	text := fmt.Sprintf("Created cycle %s (%s).", chat.User(c.Name), cycleview.Span(c))
	switch {
	case current:
		text += " It is now current."
	case c.Start.After(now):
		text += fmt.Sprintf(" It becomes current when it starts, on %s; `/okr cycle set %s` makes it current now.", c.Start.Format("Mon Jan 2"), chat.User(c.Name))
	default:
		text += fmt.Sprintf(" Make it current with `/okr cycle set %s`.", chat.User(c.Name))
	}
	return chat.Text(text), nil
}

// closeCycle closes the named cycle (or the open current one). Before the
// cycle's end it asks first: its button sends the close again with "now".
func closeCycle(ctx context.Context, store okrcore.Store, now time.Time, actor *okrcore.User, args []reply.Token) (chat.Message, error) {
	early := false
	if n := len(args); n > 0 && strings.EqualFold(args[n-1].Text, "now") {
		early, args = true, args[:n-1]
	}
	cl, err := okrcore.Update(ctx, store, func(tx okrcore.Tx) (*cycles.Closing, error) {
		return cycles.Close(tx, now, actor, reply.JoinTokens(args), early)
	})
	var ec *cycles.EarlyClose
	if errors.As(err, &ec) {
		ref := cycleview.Ref(ec.Cycle).String()
		q := fmt.Sprintf("%s runs until %s, %s from now. Close it early? Its key results are graded from their progress and can no longer change.",
			chat.User(ec.Cycle.Name), ec.Cycle.End.AddDate(0, 0, -1).Format("Mon Jan 2"), report.Count(ec.DaysLeft(), "day"))
		return question(q, chat.Button{Label: "Close " + chat.User(ec.Cycle.Name) + " now", Value: "cycle close " + ref + " now", Style: chat.StyleDanger},
			chat.Button{Label: "Keep it open", Value: "cycle list"}), nil
	}
	var wc *cycles.WhichCycle
	if errors.As(err, &wc) {
		var bs []chat.Button
		for _, c := range wc.Cycles {
			bs = append(bs, chat.Button{Label: "Close " + chat.User(c.Name), Value: "cycle close " + cycleview.Ref(c).String()})
		}
		return question("Several cycles are current: which one should I close?", bs...), nil
	}
	if err != nil {
		return chat.Message{}, err
	}
	text := fmt.Sprintf("Closed %s: %s scored, %d achieved (0.7 or more).", chat.User(cl.Cycle.Name), report.Count(cl.Objectives, "objective"), cl.Achieved)
	if cl.Unfinished > 0 {
		text += fmt.Sprintf(" %s did not reach the target: I asked %s whether to carry each over, drop it or keep it as done.",
			report.Count(cl.Unfinished, "key result"), report.Count(cl.Asked, "person"))
	}
	switch {
	case cl.Next == nil:
		text += fmt.Sprintf(" There is no next cycle yet: `/okr cycle next %s` creates it.", chat.User(cl.Cycle.Name))
	case cl.Current:
		text += fmt.Sprintf(" %s is current now.", chat.User(cl.Next.Name))
	default:
		text += fmt.Sprintf(" %s follows; it becomes current on %s.", chat.User(cl.Next.Name), cl.Next.Start.Format("Mon Jan 2"))
	}
	if cl.Unfinished == 0 || cl.Next == nil {
		return chat.Text(text), nil
	}
	return question(text, chat.Button{Label: "Carry everything over", Value: "cycle carry all " + cycleview.Ref(cl.Cycle).String()}), nil
}

// decide records what becomes of unfinished key results: each one named
// (KR7 KR8), or with carry, "all" or "mine" and an optional cycle.
func decide(ctx context.Context, store okrcore.Store, now time.Time, actor *okrcore.User, sub string, args []reply.Token) (chat.Message, error) {
	what := map[string]okrcore.Outcome{"carry": okrcore.OutcomeCarried, "drop": okrcore.OutcomeDropped, "keep": okrcore.OutcomeKept}[sub]
	if len(args) == 0 {
		return chat.Message{}, okrcore.Errorf(okrcore.KindInvalid, "Which key result? Try `/okr cycle %s KR7`.", sub)
	}
	if all := strings.ToLower(args[0].Text); sub == "carry" && (all == "all" || all == "mine") {
		ds, err := okrcore.Update(ctx, store, func(tx okrcore.Tx) ([]*cycles.Decision, error) {
			return cycles.CarryAll(tx, now, actor, reply.JoinTokens(args[1:]), all == "mine")
		})
		if err != nil {
			return chat.Message{}, err
		}
		return chat.Text(cycleview.Decided(what, ds)), nil
	}
	var ids []okrcore.ID
	for _, a := range args {
		r, ok := okrcore.ParseRef(strings.TrimSuffix(a.Text, ","))
		if !ok || r.Kind != okrcore.RefKeyResult {
			return chat.Message{}, okrcore.Errorf(okrcore.KindInvalid, "%s is not a key result. Try `/okr cycle %s KR7`.", a.Text, sub)
		}
		ids = append(ids, r.ID)
	}
	ds, err := okrcore.Update(ctx, store, func(tx okrcore.Tx) ([]*cycles.Decision, error) {
		var out []*cycles.Decision
		for _, id := range ids {
			d, err := cycles.Decide(tx, now, actor, id, what)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(cycleview.Decided(what, ds)), nil
}

// question is a sentence with buttons that answer it.
func question(text string, buttons ...chat.Button) chat.Message {
	return chat.Message{Text: text, Blocks: []chat.Block{chat.Section{Text: text}, chat.Actions{Buttons: buttons}}}
}

// IsCycle reports whether an option's value names a cycle as people
// write one ("2027", "2027-Q2", "C3", a quoted "Q2 2027").
func IsCycle(v []reply.Token) bool {
	r, ok := okrcore.ParseRef(v[0].Text)
	_, err := okrcore.ParseCycle(v[0].Text)
	return v[0].Quoted || err == nil || ok && r.Kind == okrcore.RefCycle
}

// Named is the workspace's cycle of that name or reference.
func Named(tx okrcore.Tx, ws, name string) (*okrcore.Cycle, error) {
	cs, err := tx.Cycles(ws)
	if err != nil {
		return nil, err
	}
	return cycles.Find(cs, name)
}
