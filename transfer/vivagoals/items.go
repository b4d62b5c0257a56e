package vivagoals

import (
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// vivaKind is what an objectives entry is in Viva Goals's terms.
type vivaKind int

const (
	vivaObjective vivaKind = iota // "Big rock"
	vivaKR                        // "Kpi"
	vivaProject                   // "Project"
	vivaUnknown
)

func readType(s string) vivaKind {
	switch strings.Join(strings.Fields(strings.ToLower(s)), " ") {
	case "big rock", "bigrock", "objective", "goal":
		return vivaObjective
	case "kpi", "key result", "keyresult", "kr":
		return vivaKR
	case "project", "initiative":
		return vivaProject
	}
	return vivaUnknown
}

func (k vivaKind) word() string {
	switch k {
	case vivaObjective:
		return "objective"
	case vivaKR:
		return "key result"
	case vivaProject:
		return "project"
	}
	return "OKR"
}

// pending is what an objectives entry said that is settled only once every
// entry is read: what it becomes, under what, measured how.
type pending struct {
	viva     vivaKind
	typeText string
	parents  []transfer.Key // the IDs it aligns to, in the order given
	align    []rawAlign
	outcome  *rawOutcome
	progress num
	status   statusMeaning
	statusOf string // the status as written
	score    num
	period   ref
	parent   int // the entry it sits under, -1 for none
	// missing is the ID it aligns to when none of its parents is in the
	// export: the import says what it does with such a record.
	missing transfer.Key

	// The latest check-in with a value, which is the item's current value.
	latestAt  time.Time
	latestVal float64
	hasLatest bool
}

// item reads one entry of objectives.
func (rd *reader) item(it rawItem) {
	title := strings.TrimSpace(it.Title)
	viva := readType(it.Type)
	key := transfer.Key(it.ID)
	record := viva.word() + " " + firstOf(string(it.ID), quote(title))
	if it.ID != "" && title != "" {
		record += " " + quote(title)
	}
	if _, dup := rd.items[key]; dup && key != "" {
		rd.warn(record, "another OKR has the same ID; only the first is imported")
		return
	}
	x := transfer.Item{Key: key, Title: title, Record: record}
	if len(it.Owner) > 0 {
		x.Owner.Person = rd.personFor(it.Owner[0], record, "owner")
		if len(it.Owner) > 1 {
			rd.warn(record, "it has %d owners; okrbot gives an OKR one owner, so the first (%s) owns it", len(it.Owner), describe(it.Owner[0]))
		}
	}
	if len(it.Teams) > 0 {
		if t, ok := rd.teamFor(it.Teams[0]); ok {
			x.Owner.Team = rd.prog.Teams[t].Key
		} else {
			rd.warn(record, "its team, %s, is not in the export, so it is imported without a team", quote(firstOf(it.Teams[0].Name, string(it.Teams[0].ID))))
		}
		if len(it.Teams) > 1 {
			rd.warn(record, "it belongs to %d teams; okrbot gives an OKR one team, so it is imported with the first", len(it.Teams))
		}
	}
	if t, ok := parseTime(it.CreatedAt); ok {
		x.Created = t
		rd.saw(t)
	}
	if t, ok := parseTime(it.LastCheckIn); ok {
		rd.saw(t)
	}
	if strings.TrimSpace(it.GoalType) != "" {
		rd.tally.goalTypes++
	}
	if strings.TrimSpace(it.Description) != "" {
		rd.tally.descriptions++
	}
	p := pending{viva: viva, typeText: it.Type, align: it.Alignment, outcome: it.Outcome, progress: it.Progress,
		status: readStatus(it.Status), statusOf: strings.TrimSpace(it.Status), score: it.Score, period: it.Period, parent: -1}
	for _, id := range it.ParentIDs {
		p.parents = appendNew(p.parents, transfer.Key(id))
	}
	for _, a := range it.Alignment {
		p.parents = appendNew(p.parents, transfer.Key(a.ID))
	}
	if key != "" {
		rd.items[key] = len(rd.prog.Items)
	}
	rd.prog.Items = append(rd.prog.Items, x)
	rd.pend = append(rd.pend, p)
}

func appendNew(l []transfer.Key, k transfer.Key) []transfer.Key {
	if k == "" {
		return l
	}
	for _, have := range l {
		if have == k {
			return l
		}
	}
	return append(l, k)
}

// resolveItems settles, once every entry is read, what each becomes and
// what it sits under: okrbot puts key results under objectives and
// initiatives under key results, where Viva Goals aligns anything to
// anything.
func (rd *reader) resolveItems() {
	items, pend := rd.prog.Items, rd.pend
	parent := make([]int, len(items))
	for i := range pend {
		parent[i] = rd.directParent(i)
	}
	cutLoops(parent, func(i int) {
		rd.warn(items[i].Record, "its alignment leads back to itself, so it is imported without a parent")
	})
	for i := range pend {
		pend[i].parent = parent[i]
	}
	kinds := make([]transfer.ItemKind, len(items))
	for i := range items {
		rd.kindOf(i, kinds)
	}
	for i := range items {
		items[i].Kind = kinds[i]
		rd.placeUnder(i, kinds)
		rd.settle(i)
	}
}

// directParent is the entry i aligns to, among those in the export.
func (rd *reader) directParent(i int) int {
	p, it := &rd.pend[i], &rd.prog.Items[i]
	var found []int
	var missing []transfer.Key
	for _, k := range p.parents {
		if j, ok := rd.items[k]; ok && j != i {
			found = append(found, j)
		} else if !ok {
			missing = append(missing, k)
		}
	}
	switch {
	case len(found) == 0 && len(missing) > 0:
		p.missing = missing[0]
		return -1
	case len(found) == 0:
		return -1
	case len(found) > 1:
		rd.warn(it.Record, "it is aligned to %d OKRs; okrbot keeps one parent, so it sits under the first, %s", len(found), rd.prog.Items[found[0]].Record)
	}
	return found[0]
}

// kindOf decides what entry i becomes. A project is an initiative of the
// key result it serves; one directly under an objective becomes a key
// result of that objective, measured in percent, as its progress was.
func (rd *reader) kindOf(i int, kinds []transfer.ItemKind) transfer.ItemKind {
	if kinds[i] != "" {
		return kinds[i]
	}
	p, it := &rd.pend[i], &rd.prog.Items[i]
	var k transfer.ItemKind
	switch p.viva {
	case vivaObjective:
		k = transfer.ItemObjective
	case vivaKR:
		k = transfer.ItemKeyResult
	case vivaProject:
		k = transfer.ItemInitiative
		if p.parent >= 0 && rd.kindOf(p.parent, kinds) == transfer.ItemObjective {
			k = transfer.ItemKeyResult
			rd.warn(it.Record, "it is a project directly under an objective; okrbot links initiatives to key results, so it is imported as a key result of that objective, measured in percent")
		}
	default:
		k = transfer.ItemObjective
		as := "an objective"
		if p.outcome != nil && strings.EqualFold(strings.TrimSpace(p.outcome.Type), "metric") {
			k, as = transfer.ItemKeyResult, "a key result, as it has a metric"
		}
		rd.warn(it.Record, "its type, %s, is not one okrbot knows (Big rock, Kpi, Project), so it is imported as %s", quote(p.typeText), as)
	}
	kinds[i] = k
	return k
}

// fits says whether an item of kind child may sit under one of kind
// parent in okrbot.
func fits(child, parent transfer.ItemKind) bool {
	switch child {
	case transfer.ItemObjective:
		return parent == transfer.ItemObjective || parent == transfer.ItemKeyResult
	case transfer.ItemKeyResult:
		return parent == transfer.ItemObjective
	}
	return parent == transfer.ItemKeyResult
}

// placeUnder sets item i's parent: its direct parent when okrbot allows
// it there, else the nearest ancestor that fits, with a warning.
func (rd *reader) placeUnder(i int, kinds []transfer.ItemKind) {
	items, p := rd.prog.Items, &rd.pend[i]
	it := &items[i]
	direct := p.parent
	at := direct
	for at >= 0 && !fits(kinds[i], kinds[at]) {
		at = rd.pend[at].parent
	}
	if direct >= 0 && at != direct {
		where := "so it is imported without a parent"
		if at >= 0 {
			where = "so it is placed under " + items[at].Record
		}
		rd.warn(it.Record, "it is aligned to %s; okrbot puts %s, %s", items[direct].Record, fitWords(kinds[i]), where)
	}
	if at < 0 {
		if direct < 0 {
			it.Parent = p.missing
		}
		return
	}
	it.Parent = items[at].Key
	if at != direct {
		return
	}
	for _, a := range p.align {
		if transfer.Key(a.ID) != it.Parent || !a.Weight.OK {
			continue
		}
		w := a.Weight.V
		if a.Weight.Percent || w > 1 {
			w /= 100
		}
		switch {
		case w <= 0:
			rd.warn(it.Record, "its weight is %s; okrbot counts every item in its parent's progress, so it is imported with the default weight", weightText(a.Weight))
		case w > 100:
			rd.warn(it.Record, "its weight, %s, is beyond what okrbot accepts, so it is imported with the default weight", weightText(a.Weight))
		default:
			it.Weight = w
		}
		break
	}
}

func fitWords(k transfer.ItemKind) string {
	switch k {
	case transfer.ItemObjective:
		return "objectives under objectives or key results"
	case transfer.ItemKeyResult:
		return "key results only under objectives"
	}
	return "initiatives only under key results"
}

func weightText(n num) string {
	s := trimNumber(n.V)
	if n.Percent {
		s += "%"
	}
	return s
}

// settle fills what item i says about its period, status and measure.
func (rd *reader) settle(i int) {
	it, p := &rd.prog.Items[i], &rd.pend[i]
	// A period that is not in the export is passed on as named; the
	// import says what it does with it.
	if c, ok := rd.cycleFor(p.period); ok {
		it.Cycle = rd.prog.Cycles[c].Key
	} else {
		it.Cycle = transfer.Key(firstOf(string(p.period.ID), p.period.Name))
	}
	if !p.status.known {
		rd.warn(it.Record, "its status, %s, has no equivalent in okrbot, so it is imported with no status", quote(p.statusOf))
	}
	progress := 0.0
	if p.progress.OK {
		progress = min(max(p.progress.V, 0), 100) / 100
	}
	it.Status = p.status.status
	if p.status.closed && progress >= 1 {
		it.Status = okrcore.StatusDone
	}
	switch it.Kind {
	case transfer.ItemKeyResult:
		rd.measure(it, p)
		it.Current = valueAt(it, progress)
		if p.status.done && it.Metric == okrcore.MetricMilestone {
			it.Current = 1
		}
	case transfer.ItemInitiative:
		it.Done = p.status.done || progress >= 1
	}
}
