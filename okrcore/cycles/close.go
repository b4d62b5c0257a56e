package cycles

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// EarlyClose refuses to close a cycle before its end unless the close is
// confirmed: the conversation asks, with a button that confirms.
type EarlyClose struct {
	Cycle *okrcore.Cycle
	Now   time.Time
}

// DaysLeft is how many days of the cycle remain, counting today.
func (e *EarlyClose) DaysLeft() int {
	return int(e.Cycle.End.Sub(e.Now).Hours()/24) + 1
}

func (e *EarlyClose) Error() string {
	days := fmt.Sprintf("%d days", e.DaysLeft())
	if e.DaysLeft() == 1 {
		days = "1 day"
	}
	return fmt.Sprintf("%s runs until %s; closing it now grades its key results and freezes them %s early.",
		e.Cycle.Name, e.Cycle.End.AddDate(0, 0, -1).Format("Mon Jan 2"), days)
}

// WhichCycle refuses a close that names no cycle while several current
// ones are open: the conversation asks which, a button each.
type WhichCycle struct{ Cycles []*okrcore.Cycle }

func (e *WhichCycle) Error() string {
	names := make([]string, len(e.Cycles))
	for i, c := range e.Cycles {
		names[i] = c.Name
	}
	return "Which cycle should I close: " + strings.Join(names, " or ") + "?"
}

// Closing is what closing a cycle did.
type Closing struct {
	Cycle                *okrcore.Cycle
	Objectives, Achieved int
	// Unfinished key results await their owners' word, and Asked is how
	// many people were asked (an outbox prompt each).
	Unfinished, Asked int
	// Next is the cycle that follows, nil while there is none, and
	// Current says it became current with the close (its start had come).
	Next    *okrcore.Cycle
	Current bool
}

// Close grades every key result of the named cycle that has no grade yet
// with its suggested score, scores every objective, closes the cycle so
// that its OKRs no longer change, and asks each owner of an unfinished key
// result what becomes of it (carry over, drop, keep). Before the cycle's
// end it is refused with EarlyClose unless early confirms it. With no
// name it closes the open current cycle, or asks which (WhichCycle).
// Admins only.
func Close(tx okrcore.Tx, now time.Time, actor *okrcore.User, name string, early bool) (*Closing, error) {
	w, cs, err := admin(tx, actor, "close a cycle")
	if err != nil {
		return nil, err
	}
	c, err := toClose(tx, w, cs, name)
	if err != nil {
		return nil, err
	}
	if c.Closed {
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s is closed already.", c.Name)
	}
	if now.Before(c.End) && !early {
		return nil, &EarlyClose{Cycle: c, Now: now}
	}
	out := &Closing{Cycle: c}
	if out.Objectives, out.Achieved, err = grade(tx, now, w, c); err != nil {
		return nil, err
	}
	c.Closed = true
	if err := tx.PutCycle(c); err != nil {
		return nil, fmt.Errorf("close cycle: %w", err)
	}
	if out.Unfinished, out.Asked, err = ask(tx, now, w.ID, c); err != nil {
		return nil, err
	}
	if out.Next = Following(cs, c); out.Next != nil && !out.Next.Closed && !now.Before(out.Next.Start) {
		set := currentSet(w, cs)
		if cur := set[c.Kind]; cur == nil || cur.ID == c.ID {
			if err := makeCurrent(tx, set, out.Next); err != nil {
				return nil, err
			}
			if err := storeSet(tx, w, set); err != nil {
				return nil, err
			}
		}
		// Current too when the schedule switched to it at its start.
		out.Current = set[c.Kind] == out.Next
	}
	return out, nil
}

// toClose is the cycle a close names, or the one open current cycle.
func toClose(tx okrcore.Tx, w *okrcore.Workspace, cs []*okrcore.Cycle, name string) (*okrcore.Cycle, error) {
	if strings.TrimSpace(name) != "" {
		return Find(cs, name)
	}
	cur, err := okrcore.CurrentCycles(tx, w.ID)
	if err != nil {
		return nil, err
	}
	var open []*okrcore.Cycle
	for _, c := range cur {
		if !c.Closed {
			open = append(open, c)
		}
	}
	switch len(open) {
	case 0:
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s is closed already. Name another: `/okr cycle list` shows them.", cur[0].Name)
	case 1:
		return open[0], nil
	}
	return nil, &WhichCycle{Cycles: open}
}

// grade gives each ungraded key result of c its suggested score and scores
// every objective.
func grade(tx okrcore.Tx, now time.Time, w *okrcore.Workspace, c *okrcore.Cycle) (objectives, achieved int, err error) {
	rules := w.Rules.OrDefault()
	objs, err := tx.ObjectivesByCycle(w.ID, c.ID)
	if err != nil {
		return 0, 0, err
	}
	for _, o := range objs {
		krs, err := tx.KeyResultsByObjective(w.ID, o.ID)
		if err != nil {
			return 0, 0, err
		}
		for _, k := range krs {
			if k.Score == nil {
				s := okrcore.SuggestScore(k)
				k.Score, k.UpdatedAt = &s, now
				if err := tx.PutKeyResult(k); err != nil {
					return 0, 0, fmt.Errorf("grade KR%d: %w", k.ID, err)
				}
			}
		}
		s := okrcore.ObjectiveScore(o, krs)
		o.Score, o.UpdatedAt = &s, now
		if err := tx.PutObjective(o); err != nil {
			return 0, 0, fmt.Errorf("score O%d: %w", o.ID, err)
		}
		objectives++
		if okrcore.Achieved(s, rules) {
			achieved++
		}
	}
	return objectives, achieved, nil
}

// Period is the outbox period of a cycle's prompts ("c3"), and CycleOf
// reads it back.
func Period(c okrcore.ID) string { return "c" + strconv.FormatUint(uint64(c), 10) }

// CycleOf is the cycle of a prompt's period, 0 when it names none.
func CycleOf(period string) okrcore.ID {
	n, err := strconv.ParseUint(strings.TrimPrefix(period, "c"), 10, 64)
	if err != nil || !strings.HasPrefix(period, "c") {
		return 0
	}
	return okrcore.ID(n)
}

// ask records one prompt for each person who owns an unfinished key result
// of c (a team's goes to its lead): what becomes of it.
func ask(tx okrcore.Tx, now time.Time, ws string, c *okrcore.Cycle) (unfinished, asked int, err error) {
	krs, err := tx.KeyResultsByCycle(ws, c.ID)
	if err != nil {
		return 0, 0, err
	}
	who := map[okrcore.ID]bool{}
	for _, k := range krs {
		if !Unfinished(k) {
			continue
		}
		unfinished++
		if id, err := Decider(tx, ws, k.Owner); err != nil {
			return 0, 0, err
		} else if id != 0 {
			who[id] = true
		}
	}
	for id := range who {
		it := &okrcore.OutboxItem{Workspace: ws, Kind: okrcore.OutboxCarry, User: id, Period: Period(c.ID), DueAt: now, CreatedAt: now,
			Key: fmt.Sprintf("%s:u%d:%s", okrcore.OutboxCarry, id, Period(c.ID))}
		if _, err := tx.AddOutbox(it); err != nil {
			return 0, 0, fmt.Errorf("ask about carrying over: %w", err)
		}
	}
	return unfinished, len(who), nil
}

// Decider is who is asked about a key result owned by owner: the person,
// or the lead of the owning team (0 when it has none).
func Decider(tx okrcore.Tx, ws string, owner okrcore.Owner) (okrcore.ID, error) {
	if owner.Kind == okrcore.OwnerUser {
		return owner.ID, nil
	}
	t, err := tx.Team(ws, owner.ID)
	if okrcore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return t.Lead, nil
}

// Unfinished reports whether a key result of a closed cycle did not reach
// its target and its owner has not said what becomes of it.
func Unfinished(k *okrcore.KeyResult) bool {
	return k.Outcome == "" && okrcore.KRProgress(k) < 1
}

// Pending are the unfinished key results of cycle c that user is asked
// about (Owned) and nobody has decided on yet, in id order.
func Pending(tx okrcore.Tx, ws string, c, user okrcore.ID) ([]*okrcore.KeyResult, error) {
	krs, err := Owned(tx, ws, c, user)
	if err != nil {
		return nil, err
	}
	out := krs[:0]
	for _, k := range krs {
		if Unfinished(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// Owned are the key results of cycle c that user answers for: their own,
// and those of the teams they lead, in id order.
func Owned(tx okrcore.Tx, ws string, c, user okrcore.ID) ([]*okrcore.KeyResult, error) {
	owners := []okrcore.Owner{okrcore.UserOwner(user)}
	ts, err := tx.TeamsOfUser(ws, user)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Lead == user {
			owners = append(owners, okrcore.TeamOwner(t.ID))
		}
	}
	seen := map[okrcore.ID]bool{}
	var out []*okrcore.KeyResult
	for _, o := range owners {
		krs, err := tx.KeyResultsByOwner(ws, o, c)
		if err != nil {
			return nil, err
		}
		for _, k := range krs {
			if !seen[k.ID] {
				seen[k.ID] = true
				out = append(out, k)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
