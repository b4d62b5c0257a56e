// Package cycles holds the rules of cycles that follow each other and run
// side by side: which are current (one of each kind, an annual company
// cycle beside its quarter), creating one and the one after it, switching
// to a cycle when its start comes, closing one (asking first when it has
// not ended), and what becomes of a closed cycle's unfinished key results
// (carried over, dropped or kept). Pure, like okrcore: time is an
// argument, every write goes through okrcore.Tx.
package cycles

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// admin refuses anyone but an admin and loads what every change to cycles
// reads: the workspace and its cycles.
func admin(tx okrcore.Tx, actor *okrcore.User, what string) (*okrcore.Workspace, []*okrcore.Cycle, error) {
	if err := okrcore.RequireAdmin(actor, what); err != nil {
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

// currentSet is the workspace's current cycles by kind, read from its
// fields; a cycle that is gone is left out.
func currentSet(w *okrcore.Workspace, cs []*okrcore.Cycle) map[okrcore.CycleKind]*okrcore.Cycle {
	byID := map[okrcore.ID]*okrcore.Cycle{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	set := map[okrcore.CycleKind]*okrcore.Cycle{}
	// The primary goes last, so that it wins over an older AlsoCurrent of
	// its kind.
	for _, id := range append(append([]okrcore.ID(nil), w.AlsoCurrent...), w.CurrentCycle) {
		if c := byID[id]; c != nil {
			set[c.Kind] = c
		}
	}
	return set
}

// storeSet writes set back into the workspace: the shortest cycle is the
// primary, where new objectives go.
func storeSet(tx okrcore.Tx, w *okrcore.Workspace, set map[okrcore.CycleKind]*okrcore.Cycle) error {
	list := make([]*okrcore.Cycle, 0, len(set))
	for _, c := range set {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		di, dj := list[i].End.Sub(list[i].Start), list[j].End.Sub(list[j].Start)
		if di != dj {
			return di < dj
		}
		return list[i].ID < list[j].ID
	})
	w.CurrentCycle, w.AlsoCurrent = 0, nil
	for i, c := range list {
		if i == 0 {
			w.CurrentCycle = c.ID
		} else {
			w.AlsoCurrent = append(w.AlsoCurrent, c.ID)
		}
	}
	if err := tx.PutWorkspace(w); err != nil {
		return fmt.Errorf("store workspace: %w", err)
	}
	return nil
}

// makeCurrent puts c in the set in place of the current cycle of its kind
// and marks it started, so that the schedule never switches to it again.
func makeCurrent(tx okrcore.Tx, set map[okrcore.CycleKind]*okrcore.Cycle, c *okrcore.Cycle) error {
	set[c.Kind] = c
	if c.Started {
		return nil
	}
	c.Started = true
	if err := tx.PutCycle(c); err != nil {
		return fmt.Errorf("store cycle: %w", err)
	}
	return nil
}

// Find is the cycle people name: its name in any case, or its reference
// (C3).
func Find(cs []*okrcore.Cycle, name string) (*okrcore.Cycle, error) {
	name = strings.Join(strings.Fields(name), " ")
	for _, c := range cs {
		if strings.EqualFold(c.Name, name) || strings.EqualFold(okrcore.Ref{Kind: okrcore.RefCycle, ID: c.ID}.String(), name) {
			return c, nil
		}
	}
	if p, err := okrcore.ParseCycle(name); err == nil {
		for _, c := range cs { // "2027-Q1" names Q1 2027
			if strings.EqualFold(c.Name, p.Name) {
				return c, nil
			}
		}
	}
	return nil, okrcore.Errorf(okrcore.KindNotFound, "There is no cycle called %q. `/okr cycle list` shows them.", name)
}

// Create stores a new cycle. Admins only; cycle names are unique in a
// workspace, whatever their case. The new cycle becomes current, in place
// of the one of its kind, when now falls inside it or nothing is current
// yet; one that starts later becomes current when it starts (Advance).
// current says whether it did.
func Create(tx okrcore.Tx, now time.Time, actor *okrcore.User, spec okrcore.Later[okrcore.Cycle]) (c *okrcore.Cycle, current bool, err error) {
	w, cs, err := admin(tx, actor, "change cycles")
	if err != nil {
		return nil, false, err
	}
	var nc okrcore.Cycle
	if spec != nil {
		if nc, err = spec(); err != nil {
			return nil, false, err
		}
	}
	if err := add(tx, w.ID, cs, &nc); err != nil {
		return nil, false, err
	}
	set := currentSet(w, cs)
	if len(set) == 0 || nc.Contains(now) {
		current = true
		if err := makeCurrent(tx, set, &nc); err != nil {
			return nil, false, err
		}
		if err := storeSet(tx, w, set); err != nil {
			return nil, false, err
		}
	}
	return &nc, current, nil
}

// add checks and stores a new cycle of workspace ws beside cs.
func add(tx okrcore.Tx, ws string, cs []*okrcore.Cycle, nc *okrcore.Cycle) error {
	nc.Name = strings.TrimSpace(okrcore.CleanText(nc.Name, false))
	switch {
	case nc.Name == "":
		return okrcore.Errorf(okrcore.KindInvalid, "A cycle needs a name, like Q1 2027.")
	case !nc.End.After(nc.Start):
		return okrcore.Errorf(okrcore.KindInvalid, "A cycle ends after it starts.")
	}
	for _, o := range cs {
		if strings.EqualFold(o.Name, nc.Name) {
			return okrcore.Errorf(okrcore.KindConflict, "There is already a cycle called %s (%s).", nc.Name, okrcore.Ref{Kind: okrcore.RefCycle, ID: o.ID})
		}
	}
	nc.ID, nc.Workspace, nc.Closed, nc.Started = 0, ws, false, false
	if err := tx.PutCycle(nc); err != nil {
		return fmt.Errorf("store cycle: %w", err)
	}
	return nil
}

// Set makes the named cycle current in place of the current one of its
// kind. Admins only.
func Set(tx okrcore.Tx, actor *okrcore.User, name string) (*okrcore.Cycle, error) {
	w, cs, err := admin(tx, actor, "change cycles")
	if err != nil {
		return nil, err
	}
	c, err := Find(cs, name)
	if err != nil {
		return nil, err
	}
	set := currentSet(w, cs)
	if err := makeCurrent(tx, set, c); err != nil {
		return nil, err
	}
	return c, storeSet(tx, w, set)
}

// Following is the cycle that comes after c: the same kind, the earliest
// to start on or after c's end; nil when there is none yet.
func Following(cs []*okrcore.Cycle, c *okrcore.Cycle) *okrcore.Cycle {
	var next *okrcore.Cycle
	for _, o := range cs {
		if o.ID != c.ID && o.Kind == c.Kind && !o.Start.Before(c.End) && (next == nil || o.Start.Before(next.Start)) {
			next = o
		}
	}
	return next
}

// Next creates the cycle after the named one (the current quarter when
// name is empty) of the same kind and length (Successor): Q1 2027 after
// Q4 2026, 2028 after 2027, H2 2027 after H1 2027. It becomes current when its start comes (Advance), at once if it
// has come already. Admins only.
func Next(tx okrcore.Tx, now time.Time, actor *okrcore.User, name string) (nc *okrcore.Cycle, current bool, err error) {
	w, cs, err := admin(tx, actor, "change cycles")
	if err != nil {
		return nil, false, err
	}
	var base *okrcore.Cycle
	if strings.TrimSpace(name) == "" {
		if base, err = okrcore.CurrentCycle(tx, w.ID); err != nil {
			return nil, false, err
		}
	} else if base, err = Find(cs, name); err != nil {
		return nil, false, err
	}
	// Custom cycles of several series run side by side (sprints within
	// halves): only one that starts the day after base follows it here.
	if f := Following(cs, base); f != nil && (base.Kind != okrcore.CycleCustom || f.Start.Equal(base.End)) {
		return nil, false, okrcore.Errorf(okrcore.KindConflict, "%s already has its next cycle, %s (%s).", base.Name, f.Name, okrcore.Ref{Kind: okrcore.RefCycle, ID: f.ID})
	}
	c, ok := Successor(base)
	if !ok {
		return nil, false, okrcore.Errorf(okrcore.KindInvalid, "%s is a custom cycle, and I can't tell from its name what follows it. Create the next one with `/okr cycle new NAME %s %s` (it starts the day after %s ends and lasts as long).",
			base.Name, base.End.Format("2006-01-02"), sameLength(base.Start, base.End).AddDate(0, 0, -1).Format("2006-01-02"), base.Name)
	}
	if err := add(tx, w.ID, cs, &c); err != nil {
		return nil, false, err
	}
	switched, err := advance(tx, now, w, append(cs, &c))
	if err != nil {
		return nil, false, err
	}
	for _, s := range switched {
		current = current || s.ID == c.ID
	}
	return &c, current, nil
}

// catchUp is how late after its start a cycle is still switched to on its
// own: a scheduler that was down for a few days catches up, while a
// database from before this switch was scheduled keeps the current cycles
// an admin chose.
const catchUp = 7 * 24 * time.Hour

// Advance makes current each open cycle whose start has come, in place of
// the current cycle of its kind that it follows (or beside the others
// when none of its kind is current): the schedule calls it, and it
// switches to a cycle once only, so an admin's later choice stands. Each
// admin is told of each switch (OutboxCycleStarted, keyed by admin and
// cycle), since nobody asked for it at that moment. It returns the cycles
// it made current.
func Advance(tx okrcore.Tx, now time.Time, ws string) ([]*okrcore.Cycle, error) {
	w, err := tx.Workspace(ws)
	if err != nil {
		return nil, err
	}
	cs, err := tx.Cycles(ws)
	if err != nil {
		return nil, fmt.Errorf("list cycles: %w", err)
	}
	switched, err := advance(tx, now, w, cs)
	if err != nil || len(switched) == 0 {
		return switched, err
	}
	admins, err := tx.UsersByRole(ws, okrcore.RoleAdmin)
	if err != nil {
		return nil, fmt.Errorf("list admins: %w", err)
	}
	for _, c := range switched {
		for _, a := range admins {
			if a.Left {
				continue
			}
			it := &okrcore.OutboxItem{Workspace: ws, Kind: okrcore.OutboxCycleStarted, User: a.ID, Period: Period(c.ID), DueAt: now, CreatedAt: now,
				Key: fmt.Sprintf("%s:u%d:%s", okrcore.OutboxCycleStarted, a.ID, Period(c.ID))}
			if _, err := tx.AddOutbox(it); err != nil {
				return nil, fmt.Errorf("tell admins of a started cycle: %w", err)
			}
		}
	}
	return switched, nil
}

func advance(tx okrcore.Tx, now time.Time, w *okrcore.Workspace, cs []*okrcore.Cycle) ([]*okrcore.Cycle, error) {
	set := currentSet(w, cs)
	var switched []*okrcore.Cycle
	for _, c := range cs {
		if !startsNow(c, set, now) {
			continue
		}
		if err := makeCurrent(tx, set, c); err != nil {
			return nil, err
		}
		switched = append(switched, c)
	}
	if len(switched) == 0 {
		return nil, nil
	}
	return switched, storeSet(tx, w, set)
}

// Due reports whether Advance has anything to do at now, from what a
// read transaction holds, so that the schedule opens a write only then.
func Due(w *okrcore.Workspace, cs []*okrcore.Cycle, now time.Time) bool {
	set := currentSet(w, cs)
	for _, c := range cs {
		if startsNow(c, set, now) {
			return true
		}
	}
	return false
}

// startsNow reports whether c becomes current at now: open, never current
// before, begun within catchUp, and following the current cycle of its
// kind (which has ended) or with none of its kind current.
func startsNow(c *okrcore.Cycle, set map[okrcore.CycleKind]*okrcore.Cycle, now time.Time) bool {
	cur := set[c.Kind]
	return !c.Closed && !c.Started && c.Contains(now) && now.Sub(c.Start) < catchUp && cur != c && (cur == nil || !cur.End.After(c.Start))
}
