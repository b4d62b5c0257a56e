package sheet

import (
	"fmt"
	"slices"

	"github.com/okrbot/okrbot/transfer"
)

const dateShown = "2 Jan 2006"

// cycleOf reads the row's cycle: its name, with its first and last day
// (the end inclusive, as people write it; okrbot keeps the day after). In
// the template every row of a cycle that gives dates gives the same; the
// Explorer's dates are each item's own, and its period spans them all.
func (r *reader) cycleOf(x row, it *pending) string {
	name := r.text(x, fCycle)
	start, hasStart, why := r.date(x, fCycleStart)
	if why != "" {
		return why
	}
	end, hasEnd, why := r.date(x, fCycleEnd)
	if why != "" {
		return why
	}
	end = end.AddDate(0, 0, 1)
	dated := hasStart && hasEnd
	switch {
	case dated && !start.Before(end):
		return fmt.Sprintf("ends on %s, before it starts on %s", end.AddDate(0, 0, -1).Format(dateShown), start.Format(dateShown))
	case !r.explorer && hasStart != hasEnd:
		if hasStart {
			return fmt.Sprintf("gives a %s but no %s; give both, or neither to use the cycle as the workspace has it", r.colName(fCycleStart), orName(r.colName(fCycleEnd), "Cycle End"))
		}
		return fmt.Sprintf("gives a %s but no %s; give both, or neither to use the cycle as the workspace has it", r.colName(fCycleEnd), orName(r.colName(fCycleStart), "Cycle Start"))
	case name == "" && !dated:
		return ""
	}
	key := foldName(name)
	if key == "" {
		key = "span:" + start.Format("2006-01-02") + ".." + end.Format("2006-01-02")
	}
	c := r.byCycle[key]
	if c == nil {
		c = &cycle{key: key, name: name, row: x.n}
		r.byCycle[key] = c
		r.cycles = append(r.cycles, c)
	}
	switch {
	case !dated:
	case c.start.IsZero():
		c.start, c.end = start, end
	case c.start.Equal(start) && c.end.Equal(end):
	case r.explorer:
		c.start, c.end, c.widened = minTime(c.start, start), maxTime(c.end, end), true
	default:
		return fmt.Sprintf("says the cycle %s runs from %s to %s, and row %d from %s to %s", name, start.Format(dateShown), end.AddDate(0, 0, -1).Format(dateShown), c.row, c.start.Format(dateShown), c.end.AddDate(0, 0, -1).Format(dateShown))
	}
	it.cycle = c
	return ""
}

func orName(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// link finds each row's parent by its Ref (in the Explorer's export also
// by title), and checks that the parent is what the row's kind sits under.
func (r *reader) link(items []*pending, badRefs map[string]int) {
	byRef := map[string]*pending{}
	byTitle := map[string][]*pending{}
	for _, it := range items {
		if r.explorer {
			byTitle[foldName(it.item.Title)] = append(byTitle[foldName(it.item.Title)], it)
		}
		if it.ref == "" {
			continue
		}
		k := foldName(it.ref)
		if o := byRef[k]; o != nil {
			it.bad = fmt.Sprintf("%s %s is also the %s of row %d", r.refWord(), quote(it.ref), r.refWord(), o.n)
			continue
		}
		if n, ok := badRefs[k]; ok {
			it.bad = fmt.Sprintf("%s %s is also the %s of row %d", r.refWord(), quote(it.ref), r.refWord(), n)
			continue
		}
		byRef[k] = it
	}
	for _, it := range items {
		if it.bad == "" {
			it.bad = r.parentOf(it, byRef, byTitle, badRefs)
		}
	}
}

func (r *reader) refWord() string { return orName(r.colName(fRef), "Ref") }

// parentOf links it to its parent, or says why it can't be.
func (r *reader) parentOf(it *pending, byRef map[string]*pending, byTitle map[string][]*pending, badRefs map[string]int) string {
	kind, col := it.item.Kind, orName(r.colName(fParent), "Parent")
	if it.parent == "" {
		switch kind {
		case transfer.ItemKeyResult:
			return fmt.Sprintf("is a key result without its objective: give the objective's %s in %s", r.refWord(), col)
		case transfer.ItemInitiative:
			return fmt.Sprintf("is an initiative without its key result: give the key result's %s in %s", r.refWord(), col)
		}
		return ""
	}
	if kind == transfer.ItemKPI {
		it.warn("is a KPI, which sits under nothing; its %s is left out", col)
		return ""
	}
	k := foldName(it.parent)
	up := byRef[k]
	if n, ok := badRefs[k]; ok && up == nil {
		return fmt.Sprintf("sits under %s, row %d, which can't be read", quote(it.parent), n)
	}
	if ts := byTitle[foldName(it.parent)]; up == nil && len(ts) > 1 {
		return fmt.Sprintf("is aligned to %s, the title of %d rows; name it by its %s", quote(it.parent), len(ts), r.refWord())
	} else if up == nil && len(ts) == 1 {
		up = ts[0]
		if up.ref == "" {
			up.ref = "title:" + foldName(up.item.Title)
		}
	}
	switch {
	case up == nil && r.explorer && kind == transfer.ItemObjective:
		it.warn("is aligned to %s, which is not in the file; it is imported without its alignment", quote(it.parent))
		return ""
	case up == nil:
		return fmt.Sprintf("%s says %s, which is not the %s of any row", col, quote(it.parent), r.refWord())
	case up == it:
		return fmt.Sprintf("sits under itself (%s %s)", col, quote(it.parent))
	case kind == transfer.ItemKeyResult && up.item.Kind != transfer.ItemObjective,
		kind == transfer.ItemInitiative && up.item.Kind != transfer.ItemKeyResult,
		kind == transfer.ItemObjective && up.item.Kind != transfer.ItemObjective && up.item.Kind != transfer.ItemKeyResult:
		return fmt.Sprintf("is %s %s, which can't sit under %s %s (row %d): %s", article(kind), kind, article(up.item.Kind), up.item.Kind, up.n, under(kind))
	}
	it.up = up
	return ""
}

func under(k transfer.ItemKind) string {
	switch k {
	case transfer.ItemKeyResult:
		return "a key result sits under an objective"
	case transfer.ItemInitiative:
		return "an initiative sits under a key result"
	}
	return "an objective aligns under an objective or a key result"
}

// walk settles a row after its parents: a row under a bad row is bad, a
// chain of parents that comes back to a row is, and a key result is in
// its objective's cycle.
func (r *reader) walk(it *pending) {
	switch it.walked {
	case 2:
		return
	case 1:
		it.bad, it.walked = "its parents lead back to itself", 2
		return
	}
	it.walked = 1
	if it.bad == "" && it.up != nil {
		r.walk(it.up)
		up := it.up
		switch {
		case it.bad != "":
		case up.bad != "":
			it.bad = fmt.Sprintf("sits under row %d, which can't be read", up.n)
		case it.item.Kind != transfer.ItemKeyResult:
		case it.cycle == nil:
			it.cycle = up.cycle
		case up.cycle != nil && up.cycle != it.cycle:
			it.bad = fmt.Sprintf("is in the cycle %s and its objective, row %d, in %s: a key result is in its objective's cycle", it.cycle.name, up.n, up.cycle.name)
		}
	}
	it.walked = 2
}

// emitItems adds the good rows to the programme and the bad ones to the
// errors.
func (r *reader) emitItems(items []*pending) {
	r.p.Items = make([]transfer.Item, 0, len(items))
	for _, it := range items {
		if it.bad != "" {
			r.fail(it.n, it.bad)
			continue
		}
		for _, w := range it.warns {
			r.warn(it.n, "%s", w)
		}
		in := it.item
		in.Key = transfer.Key(it.ref)
		if it.up != nil {
			in.Parent = transfer.Key(it.up.ref)
		}
		if it.owner != nil {
			it.owner.used = true
			in.Owner.Person = it.owner.key()
		}
		if it.team != nil {
			it.team.used = true
			in.Owner.Team = it.team.key()
			// The person who owns a team's item works in it, as the
			// team's digest should show.
			if it.owner != nil && !slices.Contains(it.team.members, it.owner) {
				it.team.members = append(it.team.members, it.owner)
			}
		}
		if it.cycle != nil && in.Kind != transfer.ItemInitiative && in.Kind != transfer.ItemKPI {
			it.cycle.used = true
			in.Cycle = transfer.Key(it.cycle.key)
		}
		r.p.Items = append(r.p.Items, in)
	}
}

func (r *reader) emitCycles() {
	for _, c := range r.cycles {
		if !c.used {
			continue
		}
		r.p.Cycles = append(r.p.Cycles, transfer.Cycle{Key: transfer.Key(c.key), Name: c.name, Start: c.start, End: c.end, Record: rowName(c.row)})
		if c.widened {
			r.warn(c.row, "the rows of the period %s give different dates; it is imported from the first start to the last end, %s to %s", c.name, c.start.Format(dateShown), c.end.AddDate(0, 0, -1).Format(dateShown))
		}
	}
}
