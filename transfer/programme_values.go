package transfer

import (
	"cmp"
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
	// held are the source's check-ins that have a place in a history, in
	// the source's order, each rewritten in place into the check-in it
	// becomes; order is each key result's (in node order) by time. A
	// million check-ins are held once, in one block, rather than once as
	// read and again as planned.
	held       []heldCheckIn
	notes      *arena
	names      *arena // let go once planned
	order      []int32
	n, matched int
	authors    []Key
	authorAt   map[Key]int32
	statuses   []okrcore.Status
	items      []Key
	itemAt     map[Key]int32
	lostStatus string // the first check-in of a 256th status, if any
	// tallies gather one warning about many records, so that a million
	// check-ins by one unknown author say so once.
	tallies []*tally
	byWhy   map[string]*tally
}

// heldCheckIn is one check-in of the source as planning keeps it, and,
// once planned, the check-in the writer writes. A million are held at
// once, so it holds no pointer: the collector does not scan the block of
// them, which would otherwise be marked a million times a cycle while
// chat waits on the collector. What repeats (authors, statuses) is an
// index into a table, the time is its instant in UTC, and the note and
// the record's name are in arenas.
type heldCheckIn struct {
	sec   int64   // the time, in Unix seconds and nanoseconds
	value float64 // the source's; once planned, what is written
	prev  float64
	by    okrcore.ID // the author, once planned
	nsec  uint32
	// note is the note as it is written, cleaned and shortened already
	// (longNote says it was); name the record, for warnings.
	note, name text
	node       int32 // the node it is of, -1 for none, once planned
	item       int32 // the source's key of what it is of, in checkInPlan.items
	// author indexes checkInPlan.authors (the source's key), status
	// checkInPlan.statuses.
	author int32
	status uint8
	// hasValue: the source states a value; stored: an identical check-in
	// is stored already, so this one is not written; dated: the source
	// gives its time.
	hasValue, stored, longNote, dated bool
}

// at is the time of c.
func (c *heldCheckIn) at() time.Time { return time.Unix(c.sec, int64(c.nsec)).UTC() }

func (c *heldCheckIn) compare(d *heldCheckIn) int {
	return cmp.Or(cmp.Compare(c.sec, d.sec), cmp.Compare(c.nsec, d.nsec))
}

// authorIndex and statusIndex are the places of a check-in's author and
// status in their tables.
func (ins *checkInPlan) authorIndex(k Key) int32 {
	i, ok := ins.authorAt[k]
	if !ok {
		i = int32(len(ins.authors))
		ins.authors = append(ins.authors, k)
		ins.authorAt[k] = i
	}
	return i
}

func (ins *checkInPlan) statusIndex(s okrcore.Status) (uint8, bool) {
	for i, t := range ins.statuses {
		if t == s {
			return uint8(i), true
		}
	}
	if len(ins.statuses) > 255 {
		return 0, false
	}
	ins.statuses = append(ins.statuses, s)
	return uint8(len(ins.statuses) - 1), true
}

type tally struct {
	record, message string
	n               int
}

func (p *planner) tally(why, record string, format string, args ...any) {
	if p.ins.byWhy == nil {
		p.ins.byWhy = map[string]*tally{}
	}
	t := p.ins.byWhy[why]
	if t == nil {
		t = &tally{record: record, message: fmt.Sprintf(format, args...)}
		p.ins.byWhy[why] = t
		p.ins.tallies = append(p.ins.tallies, t)
	}
	t.n++
}

func ciRecord(c *CheckIn) string { return recordName(c.Record, "check-in", c.Key, "") }

type historyKey struct {
	at     int64
	author okrcore.ID
}

// collectCheckIns reads the check-ins of p into the block planning keeps
// them in. It reads no store, so an import does it before its read
// transaction: a large export's History takes a while to read again, and
// while a read transaction is open the store cannot grow its file for
// chat's writes.
func collectCheckIns(p *Programme) (*checkInPlan, error) {
	ins := &checkInPlan{held: make([]heldCheckIn, 0, p.NumCheckIns()), notes: &arena{}, names: &arena{},
		authorAt: map[Key]int32{}, itemAt: map[Key]int32{}}
	var failed error
	err := p.EachCheckIn(func(c *CheckIn) bool {
		h, err := ins.hold(c)
		if err != nil {
			failed = err
			return false
		}
		ins.held = append(ins.held, h)
		return true
	})
	if err = cmp.Or(err, failed); err != nil {
		return nil, err
	}
	ins.itemAt = nil
	return ins, nil
}

// hold is c as planning keeps it. Its note is cleaned as okrcore keeps
// notes here, where nothing else is held, rather than when planned.
func (ins *checkInPlan) hold(c *CheckIn) (heldCheckIn, error) {
	st, ok := ins.statusIndex(c.Status)
	if !ok {
		// More than 255 statuses, none of which okrbot knows.
		ins.lostStatus = cmp.Or(ins.lostStatus, ciRecord(c))
		st, _ = ins.statusIndex(okrcore.StatusNone)
	}
	item, ok := ins.itemAt[c.Item]
	if !ok {
		item = int32(len(ins.items))
		ins.items = append(ins.items, c.Item)
		ins.itemAt[c.Item] = item
	}
	note, long := cut(strings.TrimSpace(okrcore.CleanText(c.Note, true)), okrcore.MaxNote)
	h := heldCheckIn{value: c.Value, author: ins.authorIndex(c.Author), status: st, item: item, hasValue: c.HasValue, longNote: long,
		dated: !c.At.IsZero(), sec: c.At.Unix(), nsec: uint32(c.At.Nanosecond())}
	var err, nerr error
	h.note, err = ins.notes.add(note)
	h.name, nerr = ins.names.add(ciRecord(c))
	return h, cmp.Or(err, nerr)
}

func (p *planner) planCheckIns() error {
	if p.pre == nil {
		pre, err := collectCheckIns(p.p)
		if err != nil {
			return err
		}
		p.pre = pre
	}
	p.ins, p.pre = *p.pre, nil
	if p.ins.lostStatus != "" {
		p.warn(p.ins.lostStatus, "check-ins with more than 255 different statuses are imported without the ones okrbot does not know")
	}
	nodes, held := p.items.nodes, p.ins.held
	start := make([]int32, len(nodes)+1)
	kept := 0
	for i := range held {
		c := &held[i]
		item := p.ins.items[c.item]
		n := p.items.byKey[item]
		c.node = -1
		switch {
		case n == nil:
			p.tallyCheckIn(c, "item:"+string(item), "it is about %s, which is not in the export; it is not imported", item)
		case n.kind != ItemKeyResult && n.kind != ItemKPI:
			p.tallyCheckIn(c, "kind:"+string(item), "it is about %s, a %s, and okrbot keeps check-ins of key results and KPIs; it is not imported", n.rec, n.kind)
		case !c.dated:
			p.tallyCheckIn(c, "at:"+string(item), "it has no date, so it has no place in the history of %s; it is not imported", n.rec)
		default:
			c.node = int32(n.pos)
			start[n.pos+1]++
			kept++
		}
	}
	// A counting sort by key result, then by time within each.
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	order, fill := make([]int32, kept), slices.Clone(start[:len(nodes)])
	for i := range held {
		if n := held[i].node; n >= 0 {
			order[fill[n]] = int32(i)
			fill[n]++
		}
	}
	p.ins.order = order
	for _, n := range nodes {
		if n.kind == ItemKeyResult || n.kind == ItemKPI {
			idx := order[start[n.pos]:start[n.pos+1]]
			slices.SortStableFunc(idx, func(a, b int32) int { return held[a].compare(&held[b]) })
			if err := p.history(n, idx); err != nil {
				return err
			}
		}
	}
	p.tallied("check-ins")
	p.ins.names = nil
	return nil
}

// tallyCheckIn is tally for check-in c, whose name is made only for the
// first of each tally.
func (p *planner) tallyCheckIn(c *heldCheckIn, why, format string, args ...any) {
	if t := p.ins.byWhy[why]; t != nil {
		t.n++
		return
	}
	p.tally(why, p.ins.names.get(c.name), format, args...)
}

// tallied warns once for each tally, and starts them again.
func (p *planner) tallied(what string) {
	for _, t := range p.ins.tallies {
		if t.n > 1 {
			t.message += fmt.Sprintf("; the same goes for %d more %s", t.n-1, what)
		}
		p.warn(t.record, "%s", t.message)
	}
	p.ins.tallies, p.ins.byWhy = nil, map[string]*tally{}
}

func (n *node) target() (okrcore.TargetKind, okrcore.ID) {
	if n.kind == ItemKPI {
		return okrcore.TargetKPI, n.kpi.ID
	}
	return okrcore.TargetKR, n.kr.ID
}

// history plans the check-ins idx (in time order) of a key result or KPI
// after its stored ones, and leaves on the record what the latest says.
func (p *planner) history(n *node, idx []int32) error {
	var stored []*okrcore.CheckIn
	var seen map[historyKey]int
	target, id := n.target()
	if n.old != nil {
		seen = map[historyKey]int{}
		var all []*okrcore.CheckIn
		read := func(tx okrcore.Tx) (err error) {
			all, err = tx.CheckIns(p.ws, target, id, time.Time{}, 0)
			return err
		}
		var err error
		if p.reads != nil {
			err = p.reads(read)
		} else {
			err = read(p.tx)
		}
		if err != nil {
			return fmt.Errorf("plan import: read history: %w", err)
		}
		for _, c := range all {
			if c.UndoOf == 0 {
				seen[historyKey{c.At.UnixNano(), c.Author}]++
			}
		}
		stored = okrcore.Effective(all) // newest first, as stored
		slices.Reverse(stored)
	}
	src := p.ins.held
	prev := 0.0
	if n.kind == ItemKeyResult {
		prev = n.kr.Start
	} else if len(idx) > 0 {
		prev = src[idx[0]].value
	}
	var last *heldCheckIn
	s := 0
	for _, i := range idx {
		c := &src[i]
		at := c.at()
		author := p.author(c, n)
		if k := (historyKey{at.UnixNano(), author}); seen[k] > 0 {
			seen[k]--
			p.ins.matched++
			c.stored, c.note = true, text{}
			continue
		}
		for ; s < len(stored) && !stored[s].At.After(at); s++ {
			prev = stored[s].Value
		}
		c.value, c.prev, c.by = p.checkInValue(c, n, prev), prev, author
		if st := p.ins.statuses[c.status]; !knownStatus(st) {
			p.tallyCheckIn(c, "status:"+string(st), "its status %q is not one okrbot knows; it is imported without a status", st)
			c.status, _ = p.ins.statusIndex(okrcore.StatusNone)
		}
		if c.longNote {
			p.tallyCheckIn(c, "note", "its note is longer than %d characters; it is shortened", okrcore.MaxNote)
		}
		prev, last = c.value, c
		p.ins.n++
	}
	var latest *okrcore.CheckIn
	if last != nil {
		latest = &okrcore.CheckIn{Author: last.by, At: last.at(), Value: last.value, Status: p.ins.statuses[last.status]}
	}
	p.settle(n, latest, len(stored) > 0 && (latest == nil || stored[len(stored)-1].At.After(latest.At)))
	return nil
}

// author is who wrote a check-in: when the source does not say, the
// person its key result's or KPI's owner stands for.
func (p *planner) author(c *heldCheckIn, n *node) okrcore.ID {
	a := p.ins.authors[c.author]
	if u := p.people[a]; a != "" && u != nil {
		return u.ID
	}
	if a == "" {
		p.tallyCheckIn(c, "author:", "it names no author; it is kept as written by the owner of what it is about")
	} else {
		p.tallyCheckIn(c, "author:"+string(a), "its author %s is not among the people of the export; it is kept as written by the owner of what it is about", a)
	}
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

// checkInValue is what a check-in says, as its key result takes it; one
// that says no value, or none okrbot can keep, keeps the value before.
func (p *planner) checkInValue(c *heldCheckIn, n *node, prev float64) float64 {
	if !c.hasValue {
		return prev
	}
	v, ok := ordinary(c.value, prev)
	if !ok {
		p.tallyCheckIn(c, "nan:"+n.rec, "its value is not a number okrbot can keep; it keeps the value before it, of %s", n.rec)
		return v
	}
	if n.kind == ItemKPI {
		return v
	}
	w, moved := n.rule.apply(v)
	if moved {
		p.tallyCheckIn(c, "value:"+n.rec, "its value %v is not one %s can take; it is imported as %v", v, n.rec, w)
	}
	return w
}

// settle leaves on a key result or KPI what its history says: the latest
// planned check-in's value, time and status, or, when the latest is
// stored, what the stored record says, or with no history at all, what
// the source states.
func (p *planner) settle(n *node, last *okrcore.CheckIn, latestStored bool) {
	if n.kind == ItemKPI {
		old, _ := n.old.(*okrcore.KPI)
		switch {
		case last != nil && !latestStored:
			n.kpi.Current, n.kpi.LastCheckIn = last.Value, last.At
		case old != nil && (latestStored || !old.LastCheckIn.IsZero()):
			n.kpi.Current, n.kpi.LastCheckIn = old.Current, old.LastCheckIn
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
		if !knownStatus(said) {
			p.warn(n.rec, "its status %q is not one okrbot knows; it is imported without a status", said)
			said = okrcore.StatusNone
		}
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

// knownStatus reports whether okrcore keeps s as a status.
func knownStatus(s okrcore.Status) bool {
	switch s {
	case okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone:
		return true
	}
	return false
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
			k, c := n.kr, p.cycleNow(n.kr.Cycle)
			k.Progress = okrcore.KRProgress(k)
			if c.Closed && k.Score == nil {
				s := okrcore.SuggestScore(k)
				k.Score = &s
			}
			k.Status, k.UpdatedAt = okrcore.KRStanding(k, c, p.opts.Now, p.rules).Status, p.opts.Now
			krs = append(krs, k)
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
	for _, n := range ip.order {
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
