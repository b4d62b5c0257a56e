package okrcore

import (
	"fmt"
	"strings"
	"time"
)

// cycleAdmin refuses anyone but an admin and loads what every change to
// cycles reads: the workspace and its cycles.
func cycleAdmin(tx Tx, actor *User) (*Workspace, []*Cycle, error) {
	if err := RequireAdmin(actor, "change cycles"); err != nil {
		return nil, nil, err
	}
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return nil, nil, err
	}
	cs, err := tx.Cycles(actor.Workspace)
	if err != nil {
		return nil, nil, fmt.Errorf("list cycles: %w", err)
	}
	return w, cs, nil
}

// CreateCycle stores a new cycle. Admins only; cycle names are unique in a
// workspace, whatever their case. The new cycle becomes the current one
// when there is none yet or when now falls inside it; current says whether
// it did.
func CreateCycle(tx Tx, now time.Time, actor *User, cycle Later[Cycle]) (c *Cycle, current bool, err error) {
	w, cs, err := cycleAdmin(tx, actor)
	if err != nil {
		return nil, false, err
	}
	nc, err := cycle.get()
	if err != nil {
		return nil, false, err
	}
	nc.Name = strings.TrimSpace(CleanText(nc.Name, false))
	switch {
	case nc.Name == "":
		return nil, false, Errorf(KindInvalid, "A cycle needs a name, like Q1 2027.")
	case !nc.End.After(nc.Start):
		return nil, false, Errorf(KindInvalid, "A cycle ends after it starts.")
	}
	for _, o := range cs {
		if strings.EqualFold(o.Name, nc.Name) {
			return nil, false, Errorf(KindConflict, "There is already a cycle called %s.", nc.Name)
		}
	}
	nc.ID, nc.Workspace, nc.Closed = 0, actor.Workspace, false
	if err := tx.PutCycle(&nc); err != nil {
		return nil, false, fmt.Errorf("store cycle: %w", err)
	}
	if w.CurrentCycle == 0 || now.After(nc.Start) && now.Before(nc.End) {
		w.CurrentCycle, current = nc.ID, true
	}
	if err := tx.PutWorkspace(w); err != nil {
		return nil, false, fmt.Errorf("store workspace: %w", err)
	}
	return &nc, current, nil
}

// SetCurrentCycle makes the cycle of that name (or reference, such as C3)
// the current one. Admins only.
func SetCurrentCycle(tx Tx, actor *User, name string) (*Cycle, error) {
	w, cs, err := cycleAdmin(tx, actor)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if strings.EqualFold(c.Name, name) || strings.EqualFold(Ref{Kind: RefCycle, ID: c.ID}.String(), name) {
			w.CurrentCycle = c.ID
			if err := tx.PutWorkspace(w); err != nil {
				return nil, fmt.Errorf("store workspace: %w", err)
			}
			return c, nil
		}
	}
	return nil, Errorf(KindNotFound, "There is no cycle called %q. `/okr cycle list` shows them.", name)
}

// CloseCurrentCycle grades and closes the current cycle, as CloseCycle
// does. Admins only.
func CloseCurrentCycle(tx Tx, now time.Time, actor *User) (c *Cycle, objectives, achieved int, err error) {
	if _, _, err := cycleAdmin(tx, actor); err != nil {
		return nil, 0, 0, err
	}
	if c, err = CurrentCycle(tx, actor.Workspace); err != nil {
		return nil, 0, 0, err
	}
	if objectives, achieved, err = CloseCycle(tx, now, actor, c.ID); err != nil {
		return nil, 0, 0, err
	}
	return c, objectives, achieved, nil
}
