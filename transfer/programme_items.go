package transfer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// Items sit where okrbot can keep them. An objective aligns under an
// objective or a key result of its own cycle; a key result belongs to an
// objective; an initiative to a key result. What the source puts
// elsewhere gets the nearest faithful place, with a warning:
//   - an objective whose parent is missing, of another cycle, not an
//     objective or key result, or under itself (a loop): the top level;
//   - a key result under a key result: that key result's objective;
//   - a key result without an objective: an objective holderTitle of its
//     cycle and owner, which a second import matches again;
//   - an initiative under an objective, or without a key result: a
//     milestone key result (done when the initiative is), there or under
//     that holder objective;
//   - an initiative under an initiative: that initiative's key result.

// holderTitle is the objective key results without one are imported under.
const holderTitle = "Imported key results without an objective"

type node struct {
	it    *Item // nil for a holder objective
	kind  ItemKind
	rec   string
	title string
	// parent is the objective of a key result, the key result of an
	// initiative, what an objective aligns to; nil at the top.
	parent    *node
	cycle     *okrcore.Cycle
	owner     okrcore.Owner
	ownerName string // for warnings
	level     int
	state     int8
	pos       int // in itemPlan.nodes

	rule valueRule
	obj  *okrcore.Objective
	kr   *okrcore.KeyResult
	kpi  *okrcore.KPI
	ini  *okrcore.Initiative
	old  any
	sk   string // the State key to remember the record by, "" for none
}

type matchKey struct {
	owner okrcore.Owner
	title string
}

type claimKey struct {
	kind Kind
	id   okrcore.ID
}

// cycleIndex is what one stored cycle holds, read once.
type cycleIndex struct {
	objs []*okrcore.Objective
	krs  []*okrcore.KeyResult
	objM map[matchKey][]*okrcore.Objective
	krM  map[matchKey][]*okrcore.KeyResult
}

type itemPlan struct {
	nodes   []*node
	byKey   map[Key]*node
	holders map[matchKey]*node // by cycle (in title) and owner
	stored  map[okrcore.ID]*cycleIndex
	kpiM    map[matchKey][]*okrcore.KPI
	iniM    map[okrcore.ID]map[string][]*okrcore.Initiative
	order   []*node // in the order they are written
	// extra are stored objectives the import does not name, whose
	// progress changes with what it writes under them.
	extra []entry
	// ownerless names an item nobody can own: the import is refused.
	ownerless string
}

const (
	unresolved int8 = iota
	resolving
	resolved
)

func (p *planner) planItems() error {
	ip := &p.items
	items := p.p.Items
	block := make([]node, len(items))
	ip.nodes, ip.byKey = make([]*node, 0, len(items)), make(map[Key]*node, len(items))
	ip.holders, ip.stored, ip.iniM = map[matchKey]*node{}, map[okrcore.ID]*cycleIndex{}, map[okrcore.ID]map[string][]*okrcore.Initiative{}
	for i := range items {
		it, n := &items[i], &block[i]
		n.it, n.kind, n.pos = it, it.Kind, len(ip.nodes)
		switch it.Kind {
		case ItemObjective, ItemKeyResult, ItemKPI, ItemInitiative:
		default:
			p.warn(recordName(it.Record, "item", it.Key, it.Title), "is of a kind okrbot does not know (%q); it is imported as an objective", it.Kind)
			n.kind = ItemObjective
		}
		title, long := cut(cleanLine(it.Title), okrcore.MaxTitle)
		n.rec = recordName(it.Record, string(n.kind), it.Key, title)
		if long {
			p.warn(n.rec, "the title is longer than %d characters; it is shortened", okrcore.MaxTitle)
		}
		if title == "" {
			title = strings.TrimSpace("Untitled " + string(n.kind) + " " + string(it.Key))
			p.warn(n.rec, "has no title; imported as %q", title)
		}
		n.title = title
		if n.kind == ItemObjective && it.Status != okrcore.StatusNone {
			p.tally("objective status", n.rec, "the status the export gives it is not kept, as okrbot works an objective's status out from its key results")
		}
		ip.nodes = append(ip.nodes, n)
		if ip.byKey[it.Key] != nil && it.Key != "" {
			p.warn(n.rec, "the export lists this key twice; the second is imported as an item of its own, and nothing refers to it")
		} else if it.Key != "" {
			ip.byKey[it.Key] = n
		}
	}
	p.tallied("objectives")
	for i := range block {
		p.resolve(&block[i])
	}
	if ip.ownerless != "" {
		return okrcore.Errorf(okrcore.KindInvalid, "%s has no owner, and neither the export nor the workspace has anybody to own it.", ip.ownerless)
	}
	if err := p.matchByKeys(); err != nil {
		return err
	}
	return p.buildItems()
}

// resolve finds a node's place, cycle and owner, after its parent's.
func (p *planner) resolve(n *node) {
	if n.state != unresolved {
		return
	}
	n.state = resolving
	switch n.kind {
	case ItemObjective:
		p.resolveObjective(n)
	case ItemKeyResult:
		p.resolveKeyResult(n)
	case ItemInitiative:
		p.resolveInitiative(n)
	case ItemKPI:
		p.ownerOf(n, nil)
	}
	n.state = resolved
}

// parentOf is the node n names as its parent, resolved; nil with a warning
// when it is missing or would make n part of itself.
func (p *planner) parentOf(n *node, lost string) *node {
	key := n.it.Parent
	q := p.items.byKey[key]
	switch {
	case key == "":
		return nil
	case q == nil:
		p.warn(n.rec, "it sits under %s, which is not in the export; %s", key, lost)
		return nil
	case q.state == resolving:
		p.warn(n.rec, "it sits under %s, which sits under it, a loop; %s", q.rec, lost)
		return nil
	}
	p.resolve(q)
	return q
}

func (p *planner) resolveObjective(n *node) {
	const lost = "it is imported at the top level"
	q := p.parentOf(n, lost)
	if q != nil && q.kind != ItemObjective && q.kind != ItemKeyResult {
		p.warn(n.rec, "it aligns to %s, a %s, and objectives align only to objectives and key results; %s", q.rec, q.kind, lost)
		q = nil
	}
	n.cycle = p.cycleOf(n)
	if q != nil && n.cycle != nil && q.cycle.ID != n.cycle.ID {
		p.warn(n.rec, "it aligns to %s, of another cycle (%s), and okrbot aligns objectives within one cycle; %s", q.rec, q.cycle.Name, lost)
		q = nil
	}
	switch {
	case n.cycle != nil:
	case q != nil:
		n.cycle = q.cycle
	default:
		n.cycle = p.fallbackCycle(n.rec)
	}
	if n.parent = q; q != nil {
		n.level = q.level + 1 // a key result has its objective's level
	}
	p.ownerOf(n, q)
}

func (p *planner) resolveKeyResult(n *node) {
	const lost = "it is imported under the objective " + holderTitle
	q := p.parentOf(n, lost)
	switch {
	case q == nil:
		if n.it.Parent == "" {
			p.warn(n.rec, "it belongs to no objective; %s", lost)
		}
	case q.kind == ItemKeyResult:
		p.warn(n.rec, "it sits under the key result %s, and key results belong to objectives; it is imported under that key result's objective", q.rec)
		q = q.parent
	case q.kind != ItemObjective:
		p.warn(n.rec, "it sits under %s, a %s, and key results belong to objectives; %s", q.rec, q.kind, lost)
		q = nil
	}
	p.place(n, q)
}

// place puts a key result under its objective q, or when there is none,
// under the holder objective of its cycle and owner.
func (p *planner) place(n *node, q *node) {
	p.ownerOf(n, q)
	if q == nil {
		c := p.cycleOf(n)
		if c == nil {
			c = p.fallbackCycle(n.rec)
		}
		k := matchKey{n.owner, strconv.FormatUint(uint64(c.ID), 10)}
		if q = p.items.holders[k]; q == nil {
			q = &node{kind: ItemObjective, title: holderTitle, cycle: c, owner: n.owner, ownerName: n.ownerName, state: resolved, pos: len(p.items.nodes)}
			q.rec = "objective " + strconv.Quote(holderTitle) + " of " + n.ownerName + " in " + c.Name
			p.items.holders[k] = q
			p.items.nodes = append(p.items.nodes, q)
		}
	}
	n.parent, n.cycle, n.level = q, q.cycle, q.level
}

func (p *planner) resolveInitiative(n *node) {
	const lost = "it is imported as a milestone key result (done when the initiative is) under the objective " + holderTitle
	q := p.parentOf(n, lost)
	if q != nil && q.kind == ItemInitiative {
		p.warn(n.rec, "it sits under the initiative %s; it is imported under that initiative's key result", q.rec)
		q = q.parent
	}
	switch {
	case q == nil:
		if n.it.Parent == "" {
			p.warn(n.rec, "it belongs to no key result; %s", lost)
		}
	case q.kind == ItemKeyResult:
		n.parent, n.cycle = q, q.cycle
		p.ownerOf(n, q)
		return
	case q.kind == ItemObjective:
		p.warn(n.rec, "it sits under the objective %s, and initiatives belong to key results; it is imported as a milestone key result of that objective, done when the initiative is", q.rec)
	default:
		p.warn(n.rec, "it sits under %s, a %s; %s", q.rec, q.kind, lost)
		q = nil
	}
	n.kind, n.rule = ItemKeyResult, valueRule{milestone: true}
	p.place(n, q)
}

// cycleOf is the cycle the item names, nil when it names none (with a
// warning when it names one the export does not have).
func (p *planner) cycleOf(n *node) *okrcore.Cycle {
	if n.it.Cycle == "" {
		return nil
	}
	c := p.cycles[n.it.Cycle]
	if c == nil {
		p.warn(n.rec, "its cycle %s is not in the export", n.it.Cycle)
	}
	return c
}

// ownerOf sets who owns an item: the person it names, else its team, else
// its parent's owner, else the workspace's first admin or first person.
func (p *planner) ownerOf(n *node, parent *node) {
	o := n.it.Owner
	if u := p.people[o.Person]; o.Person != "" && u != nil {
		n.owner, n.ownerName = okrcore.UserOwner(u.ID), u.Name
		return
	}
	if t := p.teams[o.Team]; o.Team != "" && t != nil {
		if o.Person != "" {
			p.warn(n.rec, "its owner %s is not among the people of the export; it is owned by its team %s", o.Person, t.Name)
		}
		n.owner, n.ownerName = okrcore.TeamOwner(t.ID), t.Name
		return
	}
	who := string(o.Person) + string(o.Team)
	if parent != nil {
		n.owner, n.ownerName = parent.owner, parent.ownerName
		if who != "" {
			p.warn(n.rec, "its owner %s is not in the export; it is owned by %s, who owns %s", who, parent.ownerName, parent.rec)
		} else if n.kind == ItemObjective {
			p.warn(n.rec, "names no owner; it is owned by %s, who owns %s", parent.ownerName, parent.rec)
		}
		return
	}
	u := p.defaultOwner()
	switch {
	case u == nil:
		p.items.ownerless = n.rec
		return
	case who != "":
		p.warn(n.rec, "its owner %s is not in the export; it is owned by %s", who, u.Name)
	default:
		p.warn(n.rec, "names no owner; it is owned by %s", u.Name)
	}
	n.owner, n.ownerName = okrcore.UserOwner(u.ID), u.Name
}

func (n *node) summaryKind() Kind { return n.kind.summaryKind() }

// matchByKeys finds the records an earlier import remembered, before any
// is matched by what it says, so that none is taken twice.
func (p *planner) matchByKeys() error {
	for _, n := range p.items.nodes {
		if n.it == nil || n.it.Key == "" || p.items.byKey[n.it.Key] != n {
			continue
		}
		var err error
		switch n.kind {
		case ItemObjective:
			err = recallNode(p, n, p.tx.Objective)
		case ItemKeyResult:
			err = recallNode(p, n, p.tx.KeyResult)
		case ItemKPI:
			err = recallNode(p, n, p.tx.KPI)
		case ItemInitiative:
			err = recallNode(p, n, p.tx.Initiative)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func recallNode[T any](p *planner, n *node, get func(string, okrcore.ID) (*T, error)) error {
	sk, old, id, err := recall(p, n.summaryKind(), n.it.Key, get)
	if n.sk = sk; old != nil && p.claim(n.summaryKind(), id) {
		n.old = old
	}
	return err
}

// firstFree is the first of the candidates no other record has claimed.
func firstFree[T any](p *planner, k Kind, cands []*T, id func(*T) okrcore.ID) *T {
	for _, c := range cands {
		if p.claim(k, id(c)) {
			return c
		}
	}
	return nil
}

// index is what a stored cycle holds; nil for a cycle the import creates.
func (p *planner) index(c *okrcore.Cycle) (*cycleIndex, error) {
	if p.fresh() || isPlaceholder(c.ID) || p.items.stored[c.ID] != nil {
		return p.items.stored[c.ID], nil
	}
	objs, err := p.tx.ObjectivesByCycle(p.ws, c.ID)
	if err != nil {
		return nil, fmt.Errorf("plan import: read objectives: %w", err)
	}
	krs, err := p.tx.KeyResultsByCycle(p.ws, c.ID)
	if err != nil {
		return nil, fmt.Errorf("plan import: read key results: %w", err)
	}
	ix := &cycleIndex{objs: objs, krs: krs,
		objM: group(objs, func(o *okrcore.Objective) matchKey { return matchKey{o.Owner, fold(o.Title)} }),
		krM:  group(krs, func(k *okrcore.KeyResult) matchKey { return matchKey{k.Owner, fold(k.Title)} })}
	p.items.stored[c.ID] = ix
	return ix, nil
}
