package transfer

import (
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Cycles are matched by key, else by name or by identical dates; two of
// the source's cycles that match one another are one cycle. A cycle
// matched by name or dates keeps its name and dates; one remembered by
// key takes the source's. A closed cycle is never opened again: okrbot
// closes a cycle once, after grading it.

func (p *planner) planCycles() error {
	var stored []*okrcore.Cycle
	if !p.fresh() {
		var err error
		if stored, err = p.tx.Cycles(p.ws); err != nil {
			return fmt.Errorf("plan import: read cycles: %w", err)
		}
	}
	p.cycleByID = make(map[okrcore.ID]*okrcore.Cycle, len(stored)+len(p.p.Cycles))
	for _, c := range stored {
		p.cycleByID[c.ID] = c
		p.allCycles = append(p.allCycles, c.ID)
	}
	p.cycles = make(map[Key]*okrcore.Cycle, len(p.p.Cycles))
	for i := range p.p.Cycles {
		if err := p.planCycle(&p.p.Cycles[i]); err != nil {
			return err
		}
	}
	return nil
}

func (p *planner) planCycle(src *Cycle) error {
	name := cleanLine(src.Name)
	rec := recordName(src.Record, "cycle", src.Key, name)
	start, end, ok := p.cycleSpan(src, rec)
	if !ok {
		return nil
	}
	if name == "" {
		_, name = cycleKind(start, end)
		p.warn(rec, "has no name; imported as %s", name)
	}
	sk, id, err := p.remembered(KindCycle, src.Key)
	if err != nil {
		return err
	}
	var c *okrcore.Cycle
	if s := p.cycleByID[id]; id != 0 && s != nil {
		sk, c = "", p.take(s)
		c.Name, c.Start, c.End = name, start, end
		c.Kind, _ = cycleKind(start, end)
	} else {
		c = p.cycleLike(name, start, end)
	}
	if src.Closed {
		c.Closed = true
	}
	if src.Key != "" && p.cycles[src.Key] == nil {
		p.cycles[src.Key] = c
	}
	if sk != "" {
		p.cycleOut = append(p.cycleOut, entry{kind: KindCycle, id: c.ID, rec: c, key: sk, alias: true})
	}
	return nil
}

// cycleSpan reads a cycle's dates, with the nearest meaning for dates a
// cycle can't have; ok is false when there are none.
func (p *planner) cycleSpan(src *Cycle, rec string) (start, end time.Time, ok bool) {
	start, end = src.Start.UTC(), src.End.UTC()
	if start.IsZero() || end.IsZero() {
		p.warn(rec, "has no dates; it is left out, and what belongs to it goes into the cycle of the day of the import")
		return start, end, false
	}
	switch {
	case end.Before(start):
		p.warn(rec, "ends before it starts; its dates are swapped")
		start, end = end, start
	case end.Equal(start):
		p.warn(rec, "ends when it starts; it is imported as that one day")
		end = start.AddDate(0, 0, 1)
	}
	return start, end, true
}

// cycleLike is the stored or planned cycle of that name or those dates,
// or a new one planned now; its entry is planned once.
func (p *planner) cycleLike(name string, start, end time.Time) *okrcore.Cycle {
	for _, id := range p.allCycles {
		if c := p.cycleByID[id]; fold(c.Name) == fold(name) || c.Start.Equal(start) && c.End.Equal(end) {
			return p.take(c)
		}
	}
	c := &okrcore.Cycle{ID: p.newID(), Workspace: p.ws, Name: name, Start: start, End: end}
	c.Kind, _ = cycleKind(start, end)
	p.allCycles = append(p.allCycles, c.ID)
	p.cycleByID[c.ID] = c
	p.cycleOut = append(p.cycleOut, entry{kind: KindCycle, id: c.ID, rec: c})
	return c
}

// take is the record the import leaves of a cycle it matched: for a
// stored one, a copy planned once, which replaces it in what the plan
// reads.
func (p *planner) take(c *okrcore.Cycle) *okrcore.Cycle {
	if isPlaceholder(c.ID) || !p.claim(KindCycle, c.ID) {
		return c
	}
	d := *c
	p.cycleByID[c.ID] = &d
	p.cycleOut = append(p.cycleOut, entry{kind: KindCycle, id: c.ID, rec: &d, old: c})
	return &d
}

// cycleKind is the kind of a span, and the name it has as one.
func cycleKind(start, end time.Time) (okrcore.CycleKind, string) {
	for _, c := range []okrcore.Cycle{okrcore.QuarterOf(start), okrcore.YearOf(start)} {
		if c.Start.Equal(start) && c.End.Equal(end) {
			return c.Kind, c.Name
		}
	}
	return okrcore.CycleCustom, start.Format(time.DateOnly) + " to " + end.AddDate(0, 0, -1).Format(time.DateOnly)
}

// fallbackCycle is the cycle of what the source gives no cycle: the
// workspace's current one, else the one containing the day of the import,
// else that day's quarter.
func (p *planner) fallbackCycle(rec string) *okrcore.Cycle {
	if p.fallback == nil {
		if p.stored != nil {
			p.fallback = p.cycleByID[p.stored.CurrentCycle]
		}
		if p.fallback == nil {
			p.fallback = p.containing(p.opts.Now)
		}
		if p.fallback == nil {
			q := okrcore.QuarterOf(p.opts.Now)
			p.fallback = p.cycleLike(q.Name, q.Start, q.End)
		}
	}
	p.warn(rec, "has no cycle in the export; it is imported into %s", p.fallback.Name)
	return p.fallback
}
