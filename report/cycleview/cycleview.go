// Package cycleview is what okrbot says about cycles: where a cycle
// stands, the list of cycles with the current ones marked, what became of
// a key result at its cycle's close, and the prompt that asks an owner
// what becomes of their unfinished key results (carry over, drop, keep).
// It reads the store and writes nothing.
package cycleview

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// Line says where we are in the cycle.
func Line(c *okrcore.Cycle, now time.Time) string {
	days := int(c.End.Sub(c.Start).Hours()/24 + 0.5)
	day := int(now.Sub(c.Start).Hours()/24) + 1
	switch {
	case c.Closed:
		return fmt.Sprintf("%s (closed)", chat.User(c.Name))
	case day < 1:
		return fmt.Sprintf("%s starts %s", chat.User(c.Name), c.Start.Format("Jan 2"))
	case day > days:
		return fmt.Sprintf("%s ended %s", chat.User(c.Name), c.End.AddDate(0, 0, -1).Format("Jan 2"))
	}
	return fmt.Sprintf("%s · day %d of %d · expected progress %s", chat.User(c.Name), day, days, okrcore.Percent(okrcore.ExpectedProgress(c, now)))
}

// Names is the cycles' names as a person reads them: "Q1 2027 and 2027".
func Names(cs []*okrcore.Cycle) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = chat.User(c.Name)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Ref is a cycle's reference, C3.
func Ref(c *okrcore.Cycle) okrcore.Ref { return okrcore.Ref{Kind: okrcore.RefCycle, ID: c.ID} }

// Span is a cycle's first and last day.
func Span(c *okrcore.Cycle) string {
	return c.Start.Format("Jan 2 2006") + " to " + c.End.AddDate(0, 0, -1).Format("Jan 2 2006")
}

// List is `/okr cycle list`: the current cycles, then every cycle with the
// current ones marked.
func List(tx okrcore.Tx, ws string, now time.Time) (chat.Message, error) {
	cs, err := tx.Cycles(ws)
	if err != nil {
		return chat.Message{}, err
	}
	cur, err := okrcore.CurrentCycles(tx, ws)
	if err != nil && !okrcore.IsNotFound(err) {
		return chat.Message{}, err
	}
	current := map[okrcore.ID]bool{}
	var heads []string
	for _, c := range cur {
		current[c.ID] = true
		heads = append(heads, Line(c, now))
	}
	var lines []string
	for _, c := range cs {
		mark := "  "
		if current[c.ID] {
			mark = "▶ "
		}
		state := ""
		switch {
		case c.Closed:
			state = " (closed)"
		case !current[c.ID] && c.Start.After(now):
			state = " (next)"
		}
		lines = append(lines, fmt.Sprintf("%s%s %s: %s%s", mark, Ref(c), chat.User(c.Name), Span(c), state))
	}
	head := "No current cycle."
	switch len(heads) {
	case 0:
	case 1:
		head = "Current cycle: " + heads[0]
	default:
		head = "Current cycles: " + strings.Join(heads, "; ")
	}
	return chat.Text(head + "\n" + strings.Join(lines, "\n")), nil
}

// Lineage says where a key result came from and what became of it at its
// cycle's close; empty for one that is neither carried nor decided.
func Lineage(tx okrcore.Tx, ws string, k *okrcore.KeyResult) string {
	var parts []string
	if k.CarriedFrom != 0 {
		parts = append(parts, "carried over from "+KRIn(tx, ws, k.CarriedFrom))
	}
	switch k.Outcome {
	case okrcore.OutcomeCarried:
		parts = append(parts, "carried over to "+KRIn(tx, ws, k.CarriedTo))
	case okrcore.OutcomeDropped:
		parts = append(parts, "dropped at its cycle's close")
	case okrcore.OutcomeKept:
		parts = append(parts, "kept as done at its cycle's close")
	}
	return strings.Join(parts, "; ")
}

// KRIn is "KR7 (Q4 2026)", a key result with its cycle.
func KRIn(tx okrcore.Tx, ws string, id okrcore.ID) string {
	ref := okrcore.Ref{Kind: okrcore.RefKeyResult, ID: id}.String()
	k, err := tx.KeyResult(ws, id)
	if err != nil {
		return ref
	}
	if c, err := tx.Cycle(ws, k.Cycle); err == nil {
		return ref + " (" + chat.User(c.Name) + ")"
	}
	return ref
}

// Decided is the answer to a decision about key results.
func Decided(what okrcore.Outcome, ds []*cycles.Decision) string {
	if len(ds) == 0 {
		return "There was nothing left to carry over: every unfinished key result you may change has been decided on."
	}
	var lines []string
	for _, d := range ds {
		switch what {
		case okrcore.OutcomeCarried:
			lines = append(lines, fmt.Sprintf("%s *%s* carries over to %s as %s, under %s, from %s to %s.", d.Old.Ref(), chat.User(d.Old.Title),
				chat.User(d.Next.Name), d.New.Ref(), d.Objective.Ref(), chat.User(okrcore.FormatValue(d.New.Start, d.New.Metric, d.New.Unit)),
				chat.User(okrcore.FormatValue(d.New.Target, d.New.Metric, d.New.Unit))))
		case okrcore.OutcomeDropped:
			lines = append(lines, fmt.Sprintf("Dropped %s *%s*: it stays in its closed cycle, marked dropped.", d.Old.Ref(), chat.User(d.Old.Title)))
		default:
			lines = append(lines, fmt.Sprintf("Kept %s *%s* as done, as it stands.", d.Old.Ref(), chat.User(d.Old.Title)))
		}
	}
	if what == okrcore.OutcomeCarried && len(ds) > 1 {
		lines = append([]string{fmt.Sprintf("Carried over %d key results:", len(ds))}, lines...)
	}
	return strings.Join(lines, "\n")
}

// OfPeriod is the cycle an end-of-cycle outbox item is about: the one its
// period names ("C3", "3" or the cycle's name), else the current one.
func OfPeriod(tx okrcore.Tx, ws, period string) (*okrcore.Cycle, error) {
	p := strings.TrimSpace(period)
	if p != "" {
		if r, ok := okrcore.ParseRef(p); ok && r.Kind == okrcore.RefCycle {
			if c, err := tx.Cycle(ws, r.ID); err == nil {
				return c, nil
			}
		}
		if n, err := strconv.ParseUint(p, 10, 64); err == nil && n > 0 {
			if c, err := tx.Cycle(ws, okrcore.ID(n)); err == nil {
				return c, nil
			}
		}
		if cs, err := tx.Cycles(ws); err == nil {
			for _, c := range cs {
				if strings.EqualFold(c.Name, p) {
					return c, nil
				}
			}
		}
	}
	return okrcore.CurrentCycle(tx, ws)
}

// InCycles is what list finds in each of the cycles cs, in their order.
func InCycles[T any](cs []*okrcore.Cycle, list func(c okrcore.ID) ([]T, error)) ([]T, error) {
	var out []T
	for _, c := range cs {
		more, err := list(c.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// Contexts are the cycles' lines, one context block each.
func Contexts(cs []*okrcore.Cycle, now time.Time) []chat.Block {
	out := make([]chat.Block, len(cs))
	for i, c := range cs {
		out[i] = chat.Context{Text: Line(c, now)}
	}
	return out
}

// Objectives are owner's objectives in the cycles cs, in their order.
func Objectives(tx okrcore.Tx, ws string, owner okrcore.Owner, cs []*okrcore.Cycle) ([]*okrcore.Objective, error) {
	return InCycles(cs, func(c okrcore.ID) ([]*okrcore.Objective, error) { return tx.ObjectivesByOwner(ws, owner, c) })
}

// KeyResults are owner's key results in the cycles cs, in their order.
func KeyResults(tx okrcore.Tx, ws string, owner okrcore.Owner, cs []*okrcore.Cycle) ([]*okrcore.KeyResult, error) {
	return InCycles(cs, func(c okrcore.ID) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByOwner(ws, owner, c) })
}
