package transfer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Check-ins become history as okrcore.RecordCheckIn writes it: each keeps
// the value before it (Previous), one without a value keeps that value,
// and the key result's current value, last check-in and stated status are
// its latest check-in's. A check-in already stored (same key result, time
// and author) is left alone; the stored history of a key result is read
// only when the key result itself was matched, so that an import into an
// empty workspace reads nothing per record.

type checkInPlan struct {
	out     []*okrcore.CheckIn
	matched int
	chunk   []okrcore.CheckIn
	tallies []*tally
	byWhy   map[string]*tally
}

// tally gathers one warning about many check-ins, so that a million of
// them with one unknown author say so once.
type tally struct {
	record, message string
	n               int
}

func (ins *checkInPlan) note(why, record, message string) {
	t := ins.byWhy[why]
	if t == nil {
		t = &tally{record: record, message: message}
		ins.byWhy[why] = t
		ins.tallies = append(ins.tallies, t)
	}
	t.n++
}

// alloc hands out check-ins from blocks, so that a million of them are a
// few allocations.
func (ins *checkInPlan) alloc() *okrcore.CheckIn {
	if len(ins.chunk) == 0 {
		ins.chunk = make([]okrcore.CheckIn, 8192)
	}
	c := &ins.chunk[0]
	ins.chunk = ins.chunk[1:]
	return c
}

type historyKey struct {
	at     int64
	author okrcore.ID
}

func (p *planner) planCheckIns() error {
	src := p.p.CheckIns
	ins := &p.ins
	ins.byWhy = map[string]*tally{}
	nodes := p.items.nodes
	start := make([]int32, len(nodes)+1)
	of := make([]int32, len(src))
	for i := range src {
		c := &src[i]
		of[i] = -1
		n := p.items.byKey[c.Item]
		rec := recordName(c.Record, "check-in", c.Key, "")
		switch {
		case n == nil:
			ins.note("item:"+string(c.Item), rec, fmt.Sprintf("it is about %s, which is not in the export; it is not imported", c.Item))
		case n.kind != ItemKeyResult && n.kind != ItemKPI:
			ins.note("kind:"+string(c.Item), rec, fmt.Sprintf("it is about %s, a %s, and okrbot keeps check-ins of key results and KPIs; it is not imported", n.rec, n.kind))
		case c.At.IsZero():
			ins.note("at:"+string(c.Item), rec, fmt.Sprintf("it has no date, so it has no place in the history of %s; it is not imported", n.rec))
		default:
			of[i] = int32(n.pos)
			start[n.pos+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	order := make([]int32, start[len(start)-1])
	fill := slices.Clone(start[:len(nodes)])
	for i, n := range of {
		if n >= 0 {
			order[fill[n]] = int32(i)
			fill[n]++
		}
	}
	ins.out = make([]*okrcore.CheckIn, 0, len(order))
	for _, n := range nodes {
		if n.kind != ItemKeyResult && n.kind != ItemKPI {
			continue
		}
		idx := order[start[n.pos]:start[n.pos+1]]
		slices.SortStableFunc(idx, func(a, b int32) int { return src[a].At.Compare(src[b].At) })
		if err := p.history(n, idx); err != nil {
			return err
		}
	}
	for _, t := range ins.tallies {
		if t.n > 1 {
			p.warn(t.record, "%s; the same goes for %d more check-ins", t.message, t.n-1)
		} else {
			p.warn(t.record, "%s", t.message)
		}
	}
	return nil
}

// storedHistory is the effective stored history of a matched key result or KPI,
// oldest first, and what of it a planned check-in matches.
func (p *planner) storedHistory(n *node) ([]*okrcore.CheckIn, map[historyKey]int, error) {
	if n.old == nil {
		return nil, nil, nil
	}
	target, id := okrcore.TargetKR, okrcore.ID(0)
	if n.kind == ItemKPI {
		target, id = okrcore.TargetKPI, n.kpi.ID
	} else {
		id = n.kr.ID
	}
	all, err := p.tx.CheckIns(p.ws, target, id, time.Time{}, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("plan import: read history: %w", err)
	}
	seen := make(map[historyKey]int, len(all))
	for _, c := range all {
		if c.UndoOf == 0 {
			seen[historyKey{c.At.UnixNano(), c.Author}]++
		}
	}
	eff := okrcore.Effective(all) // newest first, as stored
	slices.Reverse(eff)
	return eff, seen, nil
}

// history plans the check-ins idx (in time order) of a key result or KPI
// after its stored ones, and leaves on the record what the latest says.
func (p *planner) history(n *node, idx []int32) error {
	if len(idx) == 0 && n.old == nil {
		p.settle(n, nil, false)
		return nil
	}
	stored, seen, err := p.storedHistory(n)
	if err != nil {
		return err
	}
	src := p.p.CheckIns
	target, id, prev := okrcore.TargetKR, okrcore.ID(0), 0.0
	if n.kind == ItemKPI {
		target, id = okrcore.TargetKPI, n.kpi.ID
		if len(idx) > 0 {
			prev = src[idx[0]].Value
		}
	} else {
		id, prev = n.kr.ID, n.kr.Start
	}
	var last *okrcore.CheckIn
	s := 0
	for _, i := range idx {
		c := &src[i]
		author := p.author(c, n)
		if k := (historyKey{c.At.UnixNano(), author}); seen[k] > 0 {
			seen[k]--
			p.ins.matched++
			continue
		}
		for ; s < len(stored) && !stored[s].At.After(c.At); s++ {
			prev = stored[s].Value
		}
		ci := p.ins.alloc()
		*ci = okrcore.CheckIn{ID: p.newID(), Workspace: p.ws, Target: target, TargetID: id, Author: author,
			At: c.At, Value: prev, Previous: prev, Status: p.checkInStatus(c, n), Note: p.note(c, n)}
		if c.HasValue {
			ci.Value = p.checkInValue(c, n, prev)
		}
		prev, last = ci.Value, ci
		p.ins.out = append(p.ins.out, ci)
	}
	latestStored := len(stored) > 0 && (last == nil || stored[len(stored)-1].At.After(last.At))
	p.settle(n, last, latestStored)
	return nil
}

func (p *planner) author(c *CheckIn, n *node) okrcore.ID {
	if u := p.people[c.Author]; c.Author != "" && u != nil {
		return u.ID
	}
	who := "no author"
	if c.Author != "" {
		who = "an author (" + string(c.Author) + ") who is not among the people of the export"
	}
	p.ins.note("author:"+string(c.Author), recordName(c.Record, "check-in", c.Key, ""),
		fmt.Sprintf("it has %s; it is kept as written by the owner of what it is about", who))
	if n.kind == ItemKPI {
		return p.ownerPerson(n.kpi.Owner)
	}
	return p.ownerPerson(n.kr.Owner)
}

// ownerPerson is the person an owner stands for: a team's lead, else the
// workspace's first admin or first person.
func (p *planner) ownerPerson(o okrcore.Owner) okrcore.ID {
	if o.Kind == okrcore.OwnerUser {
		return o.ID
	}
	if t := p.teamByID[o.ID]; t != nil && t.Lead != 0 {
		return t.Lead
	}
	if u := p.defaultOwner(); u != nil {
		return u.ID
	}
	return 0
}

func (p *planner) checkInStatus(c *CheckIn, n *node) okrcore.Status {
	switch c.Status {
	case okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone:
		return c.Status
	}
	p.ins.note("status:"+string(c.Status), recordName(c.Record, "check-in", c.Key, ""),
		fmt.Sprintf("its status %q is not one okrbot knows; it is imported without a status", c.Status))
	return okrcore.StatusNone
}

func (p *planner) note(c *CheckIn, n *node) string {
	s := strings.TrimSpace(okrcore.CleanText(c.Note, true))
	s, long := cut(s, okrcore.MaxNote)
	if long {
		p.warn(recordName(c.Record, "check-in", c.Key, ""), "its note is longer than %d characters; it is shortened", okrcore.MaxNote)
	}
	return s
}

func (p *planner) checkInValue(c *CheckIn, n *node, prev float64) float64 {
	v, ok := ordinary(c.Value, prev)
	if !ok {
		p.ins.note("nan:"+n.rec, recordName(c.Record, "check-in", c.Key, ""),
			fmt.Sprintf("its value is not a number okrbot can keep; it keeps the value before it, of %s", n.rec))
		return v
	}
	if n.kind == ItemKPI {
		return v
	}
	w, moved := n.rule.apply(v)
	if moved {
		p.ins.note("value:"+n.rec, recordName(c.Record, "check-in", c.Key, ""),
			fmt.Sprintf("its value %v is not one %s can take; it is imported as %v", v, n.rec, w))
	}
	return w
}

// settle leaves on a key result or KPI what its history says: the latest
// planned check-in's value, time and status, or, when the latest is
// stored, what the stored record says, or with no history at all, what
// the source states.
func (p *planner) settle(n *node, last *okrcore.CheckIn, latestStored bool) {
	if n.kind == ItemKPI {
		k, old := n.kpi, n.old
		switch {
		case last != nil && !latestStored:
			k.Current, k.LastCheckIn = last.Value, last.At
		case old != nil && (latestStored || !old.(*okrcore.KPI).LastCheckIn.IsZero()):
			k.Current, k.LastCheckIn = old.(*okrcore.KPI).Current, old.(*okrcore.KPI).LastCheckIn
		}
		return
	}
	k := n.kr
	old, _ := n.old.(*okrcore.KeyResult)
	switch {
	case last != nil && !latestStored:
		k.Current, k.LastCheckIn, k.Confidence = last.Value, last.At, nil
		k.StatusSet, k.Stated = last.Status != okrcore.StatusNone, nil
		if k.StatusSet {
			until := okrcore.PeriodEnd(okrcore.Slot{}, last.At, time.UTC)
			k.Stated = &okrcore.Statement{Status: last.Status, By: last.Author, At: last.At.In(until.Location()), Until: until}
		}
	case old != nil && (latestStored || !old.LastCheckIn.IsZero()):
		k.Current, k.LastCheckIn, k.Confidence = old.Current, old.LastCheckIn, old.Confidence
		k.StatusSet, k.Stated = old.StatusSet, old.Stated
	default:
		k.LastCheckIn, k.Confidence = time.Time{}, nil
		said := n.it.Status
		switch {
		case said == okrcore.StatusNone:
			k.StatusSet, k.Stated = false, nil
		case old != nil && old.StatusSet && old.Stated != nil && old.Stated.Status == said:
			k.StatusSet, k.Stated = true, old.Stated
		default:
			until := okrcore.PeriodEnd(okrcore.Slot{}, p.opts.Now, time.UTC)
			k.StatusSet, k.Stated = true, &okrcore.Statement{Status: said, At: p.opts.Now.In(until.Location()), Until: until}
		}
	}
}

// planValues works out progress, scores and statuses: key results from
// their values, objectives by okrcore.RollUpAll over what the workspace
// holds and what the import writes.
func (p *planner) planValues() error {
	ip := &p.items
	var objs []*okrcore.Objective
	var krs []*okrcore.KeyResult
	planned := make(map[okrcore.ID]bool, len(ip.nodes))
	for _, n := range ip.nodes {
		switch {
		case n.obj != nil:
			objs = append(objs, n.obj)
			planned[n.obj.ID] = true
		case n.kr != nil:
			n.kr.Progress = okrcore.KRProgress(n.kr)
			if p.cycleNow(n.kr.Cycle).Closed && n.kr.Score == nil {
				s := okrcore.SuggestScore(n.kr)
				n.kr.Score = &s
			}
			krs = append(krs, n.kr)
			planned[n.kr.ID] = true
		}
	}
	// What the workspace holds besides, in the cycles the import writes
	// into: their progress follows from what is written under them.
	type other struct{ old, rec *okrcore.Objective }
	var others []other
	for _, id := range slices.Sorted(maps.Keys(ip.stored)) {
		ix := ip.stored[id]
		for _, o := range ix.objs {
			if !planned[o.ID] {
				c := *o
				objs, others = append(objs, &c), append(others, other{o, &c})
			}
		}
		for _, k := range ix.krs {
			if !planned[k.ID] {
				krs = append(krs, k)
			}
		}
	}
	progress := okrcore.RollUpAll(objs, krs)
	krsOf := make(map[okrcore.ID][]*okrcore.KeyResult, len(objs))
	for _, k := range krs {
		krsOf[k.Objective] = append(krsOf[k.Objective], k)
	}
	now := p.opts.Now
	for _, o := range objs {
		o.Progress = progress[o.ID]
		c := p.cycleNow(o.Cycle)
		if c.Closed && o.Score == nil && planned[o.ID] {
			s := okrcore.ObjectiveScore(o, krsOf[o.ID])
			o.Score = &s
		}
		o.Status = okrcore.ObjectiveStanding(o, krsOf[o.ID], c, now, p.rules).Status
		o.UpdatedAt = now
	}
	for _, k := range krs {
		if planned[k.ID] {
			k.Status = okrcore.KRStanding(k, p.cycleNow(k.Cycle), now, p.rules).Status
			k.UpdatedAt = now
		}
	}
	for _, o := range others {
		if !near(o.old.Progress, o.rec.Progress) {
			ip.extra = append(ip.extra, entry{kind: KindObjective, id: o.rec.ID, rec: o.rec, old: o.old})
		}
	}
	return nil
}

// cycleNow is a cycle as the import leaves it.
func (p *planner) cycleNow(id okrcore.ID) *okrcore.Cycle {
	if c := p.cycleByID[id]; c != nil {
		return c
	}
	return &okrcore.Cycle{ID: id}
}

// emit plans the items' steps: objectives and key results level by
// level, KPIs, initiatives, then the stored objectives whose progress
// changes (which refer only to stored records).
func (ip *itemPlan) emit(p *planner) {
	for _, n := range p.orderedItems() {
		e := entry{kind: n.summaryKind(), old: n.old, key: n.sk}
		switch {
		case n.obj != nil:
			e.rec, e.id = n.obj, n.obj.ID
		case n.kr != nil:
			e.rec, e.id = n.kr, n.kr.ID
		case n.kpi != nil:
			e.rec, e.id = n.kpi, n.kpi.ID
		default:
			e.rec, e.id = n.ini, n.ini.ID
		}
		p.emit(e)
	}
	for _, e := range ip.extra {
		p.emit(e)
	}
}
