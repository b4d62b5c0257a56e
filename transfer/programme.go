package transfer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// Planning a Programme matches each of its records with what the workspace
// holds, then says what to create and what to change. A record is matched
// by the key an earlier import of the same source remembered in State,
// else as Viva Goals matched: people by e-mail address, teams by name,
// cycles by name or dates, objectives and key results by title, owner and
// cycle, KPIs by title and owner, initiatives by title and key result,
// check-ins by key result, time and author. Every value is made as
// okrcore's own operations would leave it, so that planning the same
// Programme again, after it was written, finds nothing to do.

// sourceStateKey is the State key under which an import remembers which
// record a source's key became: "src:vivagoals:objectives:123".
func sourceStateKey(source string, kind Kind, key Key) string {
	return "src:" + source + ":" + strings.ReplaceAll(strings.ToLower(string(kind)), " ", "_") + ":" + string(key)
}

// sourceStateValue is what a sourceKey step stores: the record's id in
// decimal.
func sourceStateValue(id okrcore.ID) []byte {
	return strconv.AppendUint(nil, uint64(id), 10)
}

// planner is one planning of a Programme: what it has found so far.
type planner struct {
	tx    okrcore.Tx
	p     *Programme
	opts  Options
	ws    string
	pl    *plan
	rules okrcore.Rules
	// stored is the workspace as read; nil when it does not exist yet,
	// and then nothing is matched and nothing is read.
	stored     *okrcore.Workspace
	next       int
	zones      map[string]bool
	claimed    map[claimKey]bool // stored records matched, by kind
	people     map[Key]*okrcore.User
	left       map[Key]bool
	storedUser []*okrcore.User
	newUsers   []*okrcore.User
	userOut    []entry
	teams      map[Key]*okrcore.Team
	// storedTeams are the workspace's teams by folded name.
	storedTeams map[string]*okrcore.Team
	teamByID    map[okrcore.ID]*okrcore.Team
	teamOut     []entry
	cycles      map[Key]*okrcore.Cycle
	allCycles   []okrcore.ID // stored and new, each once, in order
	cycleByID   map[okrcore.ID]*okrcore.Cycle
	cycleOut    []entry
	fallback    *okrcore.Cycle
	current     okrcore.ID

	items itemPlan
	ins   checkInPlan
	// pre are the check-ins collected before the read transaction, nil
	// until planCheckIns collects them itself.
	pre *checkInPlan
	// reads, when set, opens a read transaction of its own for each
	// stored history the check-ins are planned after (tx is then nil).
	reads func(func(okrcore.Tx) error) error
	done  int // the records planned, for progress
}

// entry is one record the plan leaves as rec: new when old is nil,
// otherwise changed from old or left as it is.
type entry struct {
	kind Kind
	id   okrcore.ID
	rec  any
	old  any
	// key is the State key to remember rec by; "" when there is none or
	// the key already names it.
	key string
	// alias says rec is already another entry's record (two of the
	// source's records are one person): only key is written.
	alias bool
}

// planProgramme plans the import of p into opts.Workspace, reading the
// workspace through tx and writing nothing.
func planProgramme(tx okrcore.Tx, p *Programme, opts Options) (*plan, error) {
	return planCollected(tx, p, nil, opts)
}

// planCollected is planProgramme with p's check-ins collected already
// (collectCheckIns), or nil to collect them.
func planCollected(tx okrcore.Tx, p *Programme, pre *checkInPlan, opts Options) (*plan, error) {
	pp, err := startProgramme(tx, p, pre, opts)
	if err != nil {
		return nil, err
	}
	return pp.finish()
}

// startProgramme plans the people, teams, cycles and items of p, which
// are matched with the workspace's records read through tx; finish plans
// the rest.
func startProgramme(tx okrcore.Tx, p *Programme, pre *checkInPlan, opts Options) (*planner, error) {
	if opts.Workspace == "" {
		return nil, fmt.Errorf("plan import: no workspace given")
	}
	pp := &planner{tx: tx, p: p, opts: opts, ws: opts.Workspace, zones: map[string]bool{}, claimed: map[claimKey]bool{}, pre: pre}
	pp.pl = &plan{workspace: opts.Workspace, summary: Summary{Workspace: opts.Workspace, DryRun: opts.DryRun, Counts: map[Kind]Count{}}}
	pp.pl.summary.Warnings = append(pp.pl.summary.Warnings, p.Warnings...)
	w, err := tx.Workspace(opts.Workspace)
	switch {
	case okrcore.IsNotFound(err):
		pp.pl.create, pp.pl.platform = true, opts.Platform
		pp.rules = okrcore.DefaultRules()
	case err != nil:
		return nil, fmt.Errorf("plan import: read workspace: %w", err)
	default:
		pp.stored, pp.rules = w, w.Rules.OrDefault()
		pp.pl.platform = w.Platform
	}
	err = pp.stages([]func() error{pp.planPeople, pp.planTeams, pp.planCycles, pp.planItems}, []int{len(p.People), len(p.Teams), len(p.Cycles), len(p.Items)})
	return pp, err
}

// finish plans the check-ins and what they leave on their key results,
// and the steps of the plan. Of the store it reads only the histories of
// key results and KPIs stored already, through p.reads when it is set.
func (p *planner) finish() (*plan, error) {
	if err := p.stages([]func() error{p.planCheckIns, p.planValues}, []int{p.p.NumCheckIns(), 0}); err != nil {
		return nil, err
	}
	p.planCurrent()
	p.noAdminWarning()
	p.emitAll()
	return p.pl, nil
}

// stages runs the stages of planning, each of sizes records, and tells
// opts.Progress after each.
func (p *planner) stages(stages []func() error, sizes []int) error {
	src := p.p
	for i, stage := range stages {
		if err := stage(); err != nil {
			return err
		}
		if p.done += sizes[i]; p.opts.Progress != nil {
			p.opts.Progress(Progress{Phase: "plan", Done: p.done, Total: len(src.People) + len(src.Teams) + len(src.Cycles) + len(src.Items) + src.NumCheckIns()})
		}
	}
	return nil
}

func (p *planner) fresh() bool { return p.stored == nil }

func (p *planner) newID() okrcore.ID {
	p.next++
	return placeholder(p.next)
}

func (p *planner) warn(record, format string, args ...any) {
	p.pl.summary.Warnings = append(p.pl.summary.Warnings, Warning{Record: record, Message: fmt.Sprintf(format, args...)})
}

// remembered is the id an earlier import of this source stored under key.
func (p *planner) remembered(kind Kind, key Key) (string, okrcore.ID, error) {
	if key == "" {
		return "", 0, nil
	}
	sk := sourceStateKey(p.p.Source, kind, key)
	if p.fresh() {
		return sk, 0, nil
	}
	b, err := p.tx.State(p.ws, sk)
	if okrcore.IsNotFound(err) {
		return sk, 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("read source key: %w", err)
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil || isPlaceholder(okrcore.ID(n)) {
		return sk, 0, nil // not an id: nothing to match
	}
	return sk, okrcore.ID(n), nil
}

// recall is the stored record an earlier import of this source
// remembered under key; otherwise nil, and the State key to remember the
// new match by.
func recall[T any](p *planner, kind Kind, key Key, get func(string, okrcore.ID) (*T, error)) (string, *T, okrcore.ID, error) {
	sk, id, err := p.remembered(kind, key)
	if err != nil || id == 0 {
		return sk, nil, 0, err
	}
	rec, err := get(p.ws, id)
	switch {
	case okrcore.IsNotFound(err):
		return sk, nil, 0, nil
	case err != nil:
		return "", nil, 0, fmt.Errorf("plan import: read %s: %w", kind, err)
	}
	return "", rec, id, nil
}

// claim takes a stored record for one of the source's records; false when
// another has it.
func (p *planner) claim(k Kind, id okrcore.ID) bool {
	ck := claimKey{k, id}
	if p.claimed[ck] {
		return false
	}
	p.claimed[ck] = true
	return true
}

// zone is a time zone the source names, "" when it names none or one
// okrbot can't read (with a warning).
func (p *planner) zone(name, record string) string {
	name = strings.TrimSpace(name)
	ok, seen := p.zones[name]
	if !seen && name != "" {
		_, err := time.LoadLocation(name)
		ok = err == nil && name != "Local"
		p.zones[name] = ok
	}
	if !ok && name != "" {
		p.warn(record, "the time zone %q is not one okrbot knows; UTC is used instead", name)
	}
	if !ok {
		return ""
	}
	return name
}

// cleanLine is text as okrcore keeps it on one line, trimmed.
func cleanLine(s string) string { return strings.TrimSpace(okrcore.CleanText(s, false)) }

// fold is what two titles or names share when they match.
func fold(s string) string { return strings.ToLower(s) }

// cut shortens s to at most n characters.
func cut(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])), true
}

func recordName(record, kind string, key Key, title string) string {
	switch {
	case record != "":
		return record
	case key != "":
		return kind + " " + string(key)
	case title != "":
		return kind + " " + strconv.Quote(title)
	}
	return kind
}

// ordinary is v when it is a number okrcore takes, else fallback.
func ordinary(v, fallback float64) (float64, bool) {
	if okrcore.ValidNumber("", v) != nil {
		return fallback, false
	}
	return v, true
}

// planCurrent makes the cycle that contains the time of the import the
// workspace's current one, when it has none.
func (p *planner) planCurrent() {
	if p.stored != nil && p.cycleByID[p.stored.CurrentCycle] != nil {
		return
	}
	if c := p.containing(p.opts.Now); c != nil {
		p.current = c.ID
		return
	}
	today, q := p.opts.Now.UTC().Format("2 January 2006"), okrcore.QuarterOf(p.opts.Now).Name
	switch {
	case p.stored == nil && len(p.allCycles) > 0:
		p.warn("", "No cycle of the export contains %s; the new workspace starts with %s as its current cycle, as every new workspace does, and an admin can pick another with `/okr cycle set NAME`.", today, q)
	case len(p.allCycles) > 0:
		p.warn("", "No cycle contains %s, so none is made the current one; an admin can pick one with `/okr cycle set NAME`.", today)
	}
}

// containing is the shortest cycle, stored or planned, that contains t.
func (p *planner) containing(t time.Time) *okrcore.Cycle {
	var best *okrcore.Cycle
	for _, id := range p.allCycles {
		if c := p.cycleByID[id]; c.Contains(t) && (best == nil || c.End.Sub(c.Start) < best.End.Sub(best.Start)) {
			best = c
		}
	}
	return best
}

// noAdminWarning says when nobody will be an admin: okrbot makes the first
// person who writes to it an admin only in an empty workspace.
func (p *planner) noAdminWarning() {
	if len(p.newUsers) == 0 || slices.ContainsFunc(p.storedUser, func(u *okrcore.User) bool { return u.Role == okrcore.RoleAdmin }) {
		return
	}
	p.warn("", "Nobody in this workspace is an admin yet, and people from the import are members: the first person to write to okrbot will not become an admin, as in an empty workspace. Make someone admin with `okrbot admin EMAIL` on the server.")
}

// emitAll turns the entries into steps, in an order in which every record
// follows what it refers to.
func (p *planner) emitAll() {
	// Each record and its key, every check-in and the workspace.
	p.pl.steps = make([]step, 0, 2*(len(p.userOut)+len(p.teamOut)+len(p.cycleOut)+len(p.items.nodes)+len(p.items.extra))+1)
	for _, list := range [][]entry{p.userOut, p.teamOut, p.cycleOut} {
		for _, e := range list {
			p.emit(e)
		}
	}
	p.items.emit(p)
	p.pl.summary.Counts[KindCheckIn] = Count{Created: p.ins.n, Unchanged: p.ins.matched}
	if p.ins.n > 0 {
		targets := make([]ofCheckIn, len(p.items.nodes))
		for i, n := range p.items.nodes {
			if n.kind == ItemKeyResult || n.kind == ItemKPI {
				targets[i].kind, targets[i].id = n.target()
			}
		}
		p.pl.history = &queue{ws: p.ws, held: p.ins.held, notes: p.ins.notes, order: p.ins.order, n: p.ins.n, targets: targets, statuses: p.ins.statuses}
	}
	if w := p.workspaceRecord(); w != nil {
		p.pl.steps = append(p.pl.steps, step{rec: w, update: p.stored != nil})
	}
}

// workspaceRecord is the workspace as the import leaves it, nil when it
// stays as it is. A new workspace with a cycle to make current is written
// whole, as okrcore.EnsureWorkspace would create it but without the
// quarter it starts with, which would stand next to the imported one; a
// new workspace with none is created by the writer as any workspace is
// (plan.create).
func (p *planner) workspaceRecord() *okrcore.Workspace {
	if p.current == 0 {
		return nil
	}
	if p.stored == nil {
		p.pl.create = false
		return &okrcore.Workspace{ID: p.ws, Name: p.ws, Platform: p.opts.Platform, CurrentCycle: p.current, Rules: okrcore.DefaultRules(), CreatedAt: p.opts.Now}
	}
	w := *p.stored
	w.CurrentCycle = p.current
	return &w
}

func (p *planner) emit(e entry) {
	c := p.pl.summary.Counts[e.kind]
	switch {
	case e.alias:
	case e.old == nil:
		p.pl.steps = append(p.pl.steps, step{rec: e.rec})
		c.Created++
	case changed(e.old, e.rec):
		p.pl.steps = append(p.pl.steps, step{rec: e.rec, update: true})
		c.Updated++
	default:
		c.Unchanged++
	}
	p.pl.summary.Counts[e.kind] = c
	if e.key != "" {
		p.pl.steps = append(p.pl.steps, step{rec: sourceKey{state: e.key, id: e.id}})
	}
}

// changed reports whether rec differs from old in what an import says.
// What okrbot derives from the time (a status read at now, when a record
// was last written) is not compared, so that the same import later is
// still the same; nor is progress that differs only by the order of a sum.
func changed(old, rec any) bool {
	switch o := old.(type) {
	case *okrcore.Objective:
		r := *rec.(*okrcore.Objective)
		r.Status, r.UpdatedAt, r.CreatedBy = o.Status, o.UpdatedAt, o.CreatedBy
		if near(r.Progress, o.Progress) {
			r.Progress = o.Progress
		}
		rec = &r
	case *okrcore.KeyResult:
		r := *rec.(*okrcore.KeyResult)
		r.Status, r.UpdatedAt = o.Status, o.UpdatedAt
		if near(r.Progress, o.Progress) {
			r.Progress = o.Progress
		}
		rec = &r
	}
	a, err1 := json.Marshal(old)
	b, err2 := json.Marshal(rec)
	return err1 != nil || err2 != nil || !bytes.Equal(a, b)
}

// near compares progress computed by different sums of the same weights.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
