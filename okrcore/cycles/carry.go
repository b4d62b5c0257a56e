package cycles

import (
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Decision is what deciding about one key result did: for a carried one,
// its continuation in the next cycle (New, under Objective).
type Decision struct {
	Old       *okrcore.KeyResult
	New       *okrcore.KeyResult
	Objective *okrcore.Objective
	Next      *okrcore.Cycle
}

// Decide records what becomes of an unfinished key result of a closed
// cycle: carried over to the next cycle (a new key result starting from
// its current value, its history linked to this one), dropped, or kept as
// it is. Its owner, their lead or an admin decides; a carried key result
// stays carried, the other two may be changed.
func Decide(tx okrcore.Tx, now time.Time, actor *okrcore.User, kr okrcore.ID, what okrcore.Outcome) (*Decision, error) {
	k, err := tx.KeyResult(actor.Workspace, kr)
	if okrcore.IsNotFound(err) {
		return nil, okrcore.Errorf(okrcore.KindNotFound, "There is no KR%d.", kr)
	}
	if err != nil {
		return nil, err
	}
	c, err := tx.Cycle(actor.Workspace, k.Cycle)
	if err != nil {
		return nil, err
	}
	if err := okrcore.CanChange(tx, actor, k.Owner); err != nil {
		return nil, err
	}
	switch {
	case !c.Closed:
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s is in %s, which is still open: what becomes of it is decided when the cycle closes.", k.Ref(), c.Name)
	case k.Outcome == okrcore.OutcomeCarried:
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s was carried over already, as KR%d.", k.Ref(), k.CarriedTo)
	case okrcore.KRProgress(k) >= 1:
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s reached its target; there is nothing to carry over or drop.", k.Ref())
	}
	d := &Decision{Old: k}
	if what == okrcore.OutcomeCarried {
		if err := carry(tx, now, actor, c, d); err != nil {
			return nil, err
		}
	}
	k.Outcome, k.UpdatedAt = what, now
	if err := tx.PutKeyResult(k); err != nil {
		return nil, fmt.Errorf("store KR%d: %w", k.ID, err)
	}
	return d, nil
}

// NextOpen is the cycle a closed cycle's key results are carried into:
// the one that follows it, open.
func NextOpen(tx okrcore.Tx, ws string, c *okrcore.Cycle) (*okrcore.Cycle, error) {
	cs, err := tx.Cycles(ws)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	next := Following(cs, c)
	switch {
	case next == nil && c.Kind == okrcore.CycleCustom:
		return nil, okrcore.Errorf(okrcore.KindNotFound, "%s has no next cycle yet to carry it over to. An admin creates it with `/okr cycle new`.", c.Name)
	case next == nil:
		return nil, okrcore.Errorf(okrcore.KindNotFound, "%s has no next cycle yet to carry it over to. An admin creates it with `/okr cycle next %s`.", c.Name, c.Name)
	}
	if next.Closed {
		return nil, okrcore.Errorf(okrcore.KindConflict, "%s, the cycle after %s, is closed too.", next.Name, c.Name)
	}
	return next, nil
}

// carry writes d.Old's continuation in the cycle after c: under the
// objective that continues its objective there (made when it is the first
// of its key results carried over), from its current value to its target.
// Its open initiatives move with it.
func carry(tx okrcore.Tx, now time.Time, actor *okrcore.User, c *okrcore.Cycle, d *Decision) error {
	ws, k := actor.Workspace, d.Old
	next, err := NextOpen(tx, ws, c)
	if err != nil {
		return err
	}
	o, err := tx.Objective(ws, k.Objective)
	if err != nil {
		return err
	}
	if d.Objective, err = continued(tx, now, actor, o, next); err != nil {
		return err
	}
	nk := *k
	nk.ID, nk.Objective, nk.Cycle = 0, d.Objective.ID, next.ID
	nk.Start, nk.Score, nk.Confidence, nk.Status, nk.StatusSet, nk.Stated = k.Current, nil, nil, okrcore.StatusNone, false, nil
	nk.LastCheckIn, nk.Outcome, nk.CarriedFrom, nk.CarriedTo, nk.CreatedAt, nk.UpdatedAt = time.Time{}, "", k.ID, 0, now, now
	if k.Metric == okrcore.MetricMilestone {
		nk.Start = 0
	}
	if err := okrcore.NormalizeKeyResult(&nk); err != nil {
		return err
	}
	nk.Progress = okrcore.KRProgress(&nk)
	if err := tx.PutKeyResult(&nk); err != nil {
		return fmt.Errorf("store carried key result: %w", err)
	}
	ins, err := tx.InitiativesByKeyResult(ws, k.ID)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if !in.Done {
			in.KeyResult = nk.ID
			if err := tx.PutInitiative(in); err != nil {
				return fmt.Errorf("move I%d: %w", in.ID, err)
			}
		}
	}
	k.CarriedTo = nk.ID
	d.New, d.Next = &nk, next
	if err := okrcore.RollUp(tx, now, ws, d.Objective.ID); err != nil {
		return err
	}
	return realign(tx, now, ws, next, func(old *okrcore.Objective) (okrcore.ID, okrcore.ID) {
		if old.ParentKR == k.ID {
			return nk.ID, 0
		}
		return 0, 0
	})
}

// realign aligns the continuations in next that are aligned to nothing
// where their old objectives were aligned, now that under tells where
// that continues (a key result or objective carried over after them):
// the tree of the next cycle does not depend on the order of the
// carrying.
func realign(tx okrcore.Tx, now time.Time, ws string, next *okrcore.Cycle, under func(old *okrcore.Objective) (kr, obj okrcore.ID)) error {
	objs, err := tx.ObjectivesByCycle(ws, next.ID)
	if err != nil {
		return err
	}
	for _, m := range objs {
		if m.CarriedFrom == 0 || m.ParentKR != 0 || m.ParentObjective != 0 {
			continue
		}
		old, err := tx.Objective(ws, m.CarriedFrom)
		if err != nil {
			continue // the objective it continues is gone: nothing to follow
		}
		if m.ParentKR, m.ParentObjective = under(old); m.ParentKR == 0 && m.ParentObjective == 0 {
			continue
		}
		m.UpdatedAt = now
		if err := tx.PutObjective(m); err != nil {
			return fmt.Errorf("align O%d: %w", m.ID, err)
		}
		if err := okrcore.RollUp(tx, now, ws, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// continued is the objective of next that continues o, made the first
// time: the same title, owner and weight, aligned where o was when that
// still holds in next (a parent of a cycle around it, such as the year)
// or under the parent's own continuation.
func continued(tx okrcore.Tx, now time.Time, actor *okrcore.User, o *okrcore.Objective, next *okrcore.Cycle) (*okrcore.Objective, error) {
	ws := o.Workspace
	objs, err := tx.ObjectivesByCycle(ws, next.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range objs {
		if n.CarriedFrom == o.ID {
			return n, nil
		}
	}
	n := &okrcore.Objective{Workspace: ws, Cycle: next.ID, Title: o.Title, Owner: o.Owner, Weight: o.Weight, CarriedFrom: o.ID,
		CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	switch {
	case o.ParentObjective != 0:
		if p, err := tx.Objective(ws, o.ParentObjective); err == nil && okrcore.Nests(tx, ws, p.Cycle, next.ID) {
			n.ParentObjective = p.ID
		} else {
			for _, m := range objs {
				if m.CarriedFrom == o.ParentObjective {
					n.ParentObjective = m.ID
				}
			}
		}
	case o.ParentKR != 0:
		if p, err := tx.KeyResult(ws, o.ParentKR); err == nil && okrcore.Nests(tx, ws, p.Cycle, next.ID) {
			n.ParentKR = p.ID
		} else if err == nil && p.CarriedTo != 0 {
			n.ParentKR = p.CarriedTo
		}
	}
	if err := tx.PutObjective(n); err != nil {
		return nil, fmt.Errorf("store carried objective: %w", err)
	}
	return n, realign(tx, now, ws, next, func(old *okrcore.Objective) (okrcore.ID, okrcore.ID) {
		if old.ParentObjective == o.ID && n.ID != 0 {
			return 0, n.ID
		}
		return 0, 0
	})
}

// CarryAll carries over the unfinished key results nobody has decided on
// yet from the named closed cycle, or with no name from each closed cycle
// that ended within the last quarter and has an open next cycle: with
// mine, those the actor is asked about (Pending); else every one the actor
// may change (for an admin, everyone's). It returns what it carried.
func CarryAll(tx okrcore.Tx, now time.Time, actor *okrcore.User, name string, mine bool) ([]*Decision, error) {
	from, err := carriedFrom(tx, now, actor.Workspace, name)
	if err != nil {
		return nil, err
	}
	var out []*Decision
	for _, c := range from {
		var krs []*okrcore.KeyResult
		if mine {
			krs, err = Pending(tx, actor.Workspace, c.ID, actor.ID)
		} else {
			krs, err = tx.KeyResultsByCycle(actor.Workspace, c.ID)
		}
		if err != nil {
			return nil, err
		}
		for _, k := range krs {
			if !Unfinished(k) || okrcore.CanChange(tx, actor, k.Owner) != nil {
				continue
			}
			d, err := Decide(tx, now, actor, k.ID, okrcore.OutcomeCarried)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// carriedFrom are the closed cycles a CarryAll takes key results from.
func carriedFrom(tx okrcore.Tx, now time.Time, ws, name string) ([]*okrcore.Cycle, error) {
	cs, err := tx.Cycles(ws)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	if name != "" {
		c, err := Find(cs, name)
		if err != nil {
			return nil, err
		}
		if !c.Closed {
			return nil, okrcore.Errorf(okrcore.KindConflict, "%s is still open: its key results are carried over once it closes.", c.Name)
		}
		if _, err := NextOpen(tx, ws, c); err != nil {
			return nil, err
		}
		return []*okrcore.Cycle{c}, nil
	}
	var from []*okrcore.Cycle
	for _, c := range cs {
		if n := Following(cs, c); c.Closed && n != nil && !n.Closed && now.Sub(c.End) < lately {
			from = append(from, c)
		}
	}
	if len(from) == 0 {
		return nil, okrcore.Errorf(okrcore.KindNotFound, "No cycle that closed lately has a next cycle to carry over to. Name one: `/okr cycle carry all Q4 2026`.")
	}
	return from, nil
}

// lately is how long after its end a closed cycle's key results are still
// carried over by a CarryAll that names no cycle: a quarter.
const lately = 92 * 24 * time.Hour
