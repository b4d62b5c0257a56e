package transfer

import (
	"fmt"
	"math"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The records of items, as okrcore's validators leave them: a second
// import compares what it plans with what the first one wrote.

// valueRule reads a value the source states for a key result as one the
// key result can take: a milestone's done (1 or more) or not; a measure
// whose target equals its start (reach) as a milestone done once the
// value reaches target in direction dir; a percentage from 0 to 1000, as
// okrcore.RecordCheckIn takes them.
type valueRule struct {
	milestone, reach, percent bool
	target                    float64
	dir                       okrcore.Direction
}

// apply is v as the key result keeps it, and whether that is not v.
func (r valueRule) apply(v float64) (float64, bool) {
	switch {
	case r.reach:
		return done(v >= r.target && r.dir != okrcore.Decrease || v <= r.target && r.dir == okrcore.Decrease), false
	case r.milestone:
		w := done(v >= 1)
		return w, w != v
	case r.percent:
		w := min(max(v, 0), 1000)
		return w, w != v
	}
	return v, false
}

func done(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// begin is the record an item leaves: a copy of the stored one, or a new
// one with a placeholder id.
func begin[T any](p *planner, n *node, old *T, rec T, id func(*T) *okrcore.ID) *T {
	if old != nil {
		c := *old
		n.old = old
		return &c
	}
	*id(&rec) = p.newID()
	return &rec
}

// group lists records by key.
func group[T any, K comparable](recs []*T, key func(*T) K) map[K][]*T {
	m := make(map[K][]*T, len(recs))
	for _, r := range recs {
		m[key(r)] = append(m[key(r)], r)
	}
	return m
}

// buildItems makes every item's record: objectives and key results level
// by level, so that a record's parent has its id first, then KPIs and
// initiatives.
func (p *planner) buildItems() error {
	p.items.order = p.orderedItems()
	for _, n := range p.items.order {
		var err error
		switch n.kind {
		case ItemObjective:
			err = p.buildObjective(n)
		case ItemKeyResult:
			err = p.buildKeyResult(n)
		case ItemKPI:
			err = p.buildKPI(n)
		case ItemInitiative:
			err = p.buildInitiative(n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// orderedItems lists the items in the order they are written.
func (p *planner) orderedItems() []*node {
	ip := &p.items
	var levels [][2][]*node
	var kpis, inits []*node
	for _, n := range ip.nodes {
		for len(levels) <= n.level {
			levels = append(levels, [2][]*node{})
		}
		switch n.kind {
		case ItemObjective:
			levels[n.level][0] = append(levels[n.level][0], n)
		case ItemKeyResult:
			levels[n.level][1] = append(levels[n.level][1], n)
		case ItemKPI:
			kpis = append(kpis, n)
		default:
			inits = append(inits, n)
		}
	}
	out := make([]*node, 0, len(ip.nodes))
	for _, l := range levels {
		out = append(append(out, l[0]...), l[1]...)
	}
	return append(append(out, kpis...), inits...)
}

func (p *planner) buildObjective(n *node) error {
	old, _ := n.old.(*okrcore.Objective)
	ix, err := p.index(n.cycle)
	if err != nil {
		return err
	}
	if old == nil && ix != nil && !isPlaceholder(n.owner.ID) {
		old = firstFree(p, KindObjective, ix.objM[matchKey{n.owner, fold(n.title)}], func(o *okrcore.Objective) okrcore.ID { return o.ID })
	}
	o := begin(p, n, old, okrcore.Objective{Workspace: p.ws, CreatedAt: p.opts.Now}, func(o *okrcore.Objective) *okrcore.ID { return &o.ID })
	o.Title, o.Owner, o.Cycle = n.title, n.owner, n.cycle.ID
	o.ParentKR, o.ParentObjective = 0, 0
	switch q := n.parent; {
	case q == nil:
	case q.kind == ItemObjective:
		o.ParentObjective = q.obj.ID
	default:
		o.ParentKR = q.kr.ID
	}
	if n.it != nil {
		o.Weight = p.weight(n, o.Weight)
		o.Score = p.score(n, o.Score)
		o.CreatedAt = createdAt(n, o.CreatedAt)
	}
	if err := okrcore.ValidateObjective(o); err != nil {
		return fmt.Errorf("plan import: %s: %w", n.rec, err)
	}
	n.obj = o
	return nil
}

func createdAt(n *node, stored time.Time) time.Time {
	if n.it.Created.IsZero() {
		return stored
	}
	return n.it.Created.UTC()
}

// weight is the item's weight as okrcore takes it: 0 when the source says
// none (the stored one stays), the usual weight when it says one okrcore
// refuses.
func (p *planner) weight(n *node, stored float64) float64 {
	w := n.it.Weight
	if w == 0 {
		return stored
	}
	if err := okrcore.CheckWeight(w); err != nil {
		p.warn(n.rec, "its weight %v is not between 0 and 100; it counts with the usual weight", w)
		return 0
	}
	return w
}

// score is the grade the source gives, as okrcore keeps grades (0–1, two
// decimals); the stored one when it gives none.
func (p *planner) score(n *node, stored *float64) *float64 {
	s := n.it.Score
	switch {
	case s == nil:
		return stored
	case math.IsNaN(*s):
		p.warn(n.rec, "its score is not a number; it is left as it was")
		return stored
	}
	v := min(max(*s, 0), 1)
	if v != *s {
		p.warn(n.rec, "its score %v is outside 0 to 1; it is imported as %v", *s, v)
	}
	v = math.Round(v*100) / 100
	return &v
}

func (p *planner) buildKeyResult(n *node) error {
	old, _ := n.old.(*okrcore.KeyResult)
	ix, err := p.index(n.cycle)
	if err != nil {
		return err
	}
	if old == nil && ix != nil && !isPlaceholder(n.owner.ID) {
		old = firstFree(p, KindKeyResult, ix.krM[matchKey{n.owner, fold(n.title)}], func(k *okrcore.KeyResult) okrcore.ID { return k.ID })
	}
	k := begin(p, n, old, okrcore.KeyResult{Workspace: p.ws, CreatedAt: p.opts.Now}, func(k *okrcore.KeyResult) *okrcore.ID { return &k.ID })
	k.Objective, k.Cycle = n.parent.obj.ID, n.cycle.ID
	k.Title, k.Owner = n.title, n.owner
	p.measure(n, k)
	k.Score, k.CreatedAt = p.score(n, k.Score), createdAt(n, k.CreatedAt)
	if err := okrcore.NormalizeKeyResult(k); err != nil {
		return fmt.Errorf("plan import: %s: %w", n.rec, err)
	}
	n.kr = k
	return nil
}

// measure sets what a key result measures, with the nearest meaning for
// numbers okrcore can't keep; Current is the source's until check-ins
// say otherwise.
func (p *planner) measure(n *node, k *okrcore.KeyResult) {
	it := n.it
	k.Weight = p.weight(n, k.Weight)
	if n.rule.milestone { // an initiative, done or not
		k.Metric, k.Start, k.Target, k.Direction, k.Unit, k.Current = okrcore.MetricMilestone, 0, 1, okrcore.Increase, "", done(it.Done)
		return
	}
	metric := it.Metric
	switch metric {
	case okrcore.MetricPercent, okrcore.MetricNumber, okrcore.MetricCurrency, okrcore.MetricMilestone:
	default:
		if metric != "" {
			p.warn(n.rec, "it measures %q, which okrbot does not know; it is imported as a number", metric)
		}
		metric = okrcore.MetricNumber
	}
	start, ok1 := ordinary(it.Start, 0)
	target, ok2 := ordinary(it.Target, start)
	cur, ok3 := ordinary(it.Current, start)
	if !ok1 || !ok2 || !ok3 {
		p.warn(n.rec, "its start, target or current value is not a number okrbot can keep; a start is read as 0, the others as the start")
	}
	if metric == okrcore.MetricPercent && (start < 0 || target < 0) {
		p.warn(n.rec, "a percentage starts and ends at 0 or more; below 0 is read as 0")
		start, target = max(start, 0), max(target, 0)
	}
	unit, long := cut(cleanLine(it.Unit), 16)
	if long {
		p.warn(n.rec, "its unit is longer than 16 characters; it is shortened to %q", unit)
	}
	dir := it.Direction
	n.rule = valueRule{percent: metric == okrcore.MetricPercent}
	switch {
	case metric == okrcore.MetricMilestone:
		n.rule = valueRule{milestone: true}
		start, target, dir = 0, 1, okrcore.Increase
	case start == target:
		if dir != okrcore.Decrease {
			dir = okrcore.Increase
		}
		side := map[okrcore.Direction]string{okrcore.Increase: "above", okrcore.Decrease: "below"}[dir]
		p.warn(n.rec, "its target equals its start (%s), so there is nothing to measure; it is imported as a milestone, done once the value is at or %s it", okrcore.FormatValue(target, metric, unit), side)
		n.rule = valueRule{reach: true, target: target, dir: dir}
		metric, start, target, dir = okrcore.MetricMilestone, 0, 1, okrcore.Increase
	default:
		want := okrcore.Increase
		if target < start {
			want = okrcore.Decrease
		}
		if dir != "" && dir != want {
			p.warn(n.rec, "its direction (%s) does not fit going from %s to %s; it is imported as its numbers say", dir, okrcore.FormatValue(start, metric, unit), okrcore.FormatValue(target, metric, unit))
		}
		dir = want
	}
	k.Metric, k.Start, k.Target, k.Direction, k.Unit = metric, start, target, dir, unit
	v, moved := n.rule.apply(cur)
	if moved {
		p.warn(n.rec, "its current value %v is not one it can take; it is imported as %v", cur, v)
	}
	k.Current = v
}

func (p *planner) buildKPI(n *node) error {
	old, _ := n.old.(*okrcore.KPI)
	if old == nil && !p.fresh() && !isPlaceholder(n.owner.ID) {
		if p.items.kpiM == nil {
			all, err := p.tx.KPIs(p.ws)
			if err != nil {
				return fmt.Errorf("plan import: read KPIs: %w", err)
			}
			p.items.kpiM = group(all, func(k *okrcore.KPI) matchKey { return matchKey{k.Owner, fold(k.Title)} })
		}
		old = firstFree(p, KindKPI, p.items.kpiM[matchKey{n.owner, fold(n.title)}], func(k *okrcore.KPI) okrcore.ID { return k.ID })
	}
	k := begin(p, n, old, okrcore.KPI{Workspace: p.ws, CreatedAt: p.opts.Now}, func(k *okrcore.KPI) *okrcore.ID { return &k.ID })
	it := n.it
	k.Title, k.Owner, k.Unit, k.CreatedAt = n.title, n.owner, cleanLine(it.Unit), createdAt(n, k.CreatedAt)
	lo, ok1 := ordinary(it.HealthyMin, 0)
	hi, ok2 := ordinary(it.HealthyMax, 0)
	cur, ok3 := ordinary(it.Current, 0)
	if !ok1 || !ok2 || !ok3 {
		p.warn(n.rec, "its healthy range or value is not made of numbers okrbot can keep; 0 is used instead")
	}
	if lo > hi {
		p.warn(n.rec, "its healthy range goes from high to low; it is read the other way round")
		lo, hi = hi, lo
	}
	k.HealthyMin, k.HealthyMax, k.Current = lo, hi, cur
	if err := okrcore.ValidateKPI(k); err != nil {
		return fmt.Errorf("plan import: %s: %w", n.rec, err)
	}
	n.kpi = k
	return nil
}

func (p *planner) buildInitiative(n *node) error {
	old, _ := n.old.(*okrcore.Initiative)
	kr := n.parent.kr
	if old == nil && !p.fresh() && !isPlaceholder(kr.ID) {
		m, ok := p.items.iniM[kr.ID]
		if !ok {
			all, err := p.tx.InitiativesByKeyResult(p.ws, kr.ID)
			if err != nil {
				return fmt.Errorf("plan import: read initiatives: %w", err)
			}
			m = group(all, func(in *okrcore.Initiative) string { return fold(in.Title) })
			p.items.iniM[kr.ID] = m
		}
		old = firstFree(p, KindInitiative, m[fold(n.title)], func(in *okrcore.Initiative) okrcore.ID { return in.ID })
	}
	in := begin(p, n, old, okrcore.Initiative{Workspace: p.ws, CreatedAt: p.opts.Now}, func(in *okrcore.Initiative) *okrcore.ID { return &in.ID })
	in.KeyResult, in.Title, in.Done, in.CreatedAt = kr.ID, n.title, n.it.Done, createdAt(n, in.CreatedAt)
	// An initiative belongs to a person: a team's is its lead's.
	in.Owner = p.ownerPerson(n.owner)
	n.ini = in
	return nil
}
