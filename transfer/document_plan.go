package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// planDocument plans the import of okrbot's own export. Into a new or
// empty workspace every record is created under its own id, so that the
// workspace exports to the same bytes; into the workspace the export came
// from, records are matched by id: equal ones are left alone, different
// ones replaced, missing ones created, and check-ins, which never change,
// are left alone when their id is there. Another workspace that holds
// OKRs is refused. The document's records are checked (and their text
// cleaned) in place, and with opts.Workspace naming an empty workspace
// they are moved to it.
func planDocument(tx okrcore.Tx, d *Document, opts Options) (*plan, error) {
	if d.Workspace == nil || d.Workspace.ID == "" {
		return nil, okrcore.Errorf(okrcore.KindInvalid, "The export names no workspace.")
	}
	from, ws := d.Workspace.ID, opts.Workspace
	if ws == "" {
		ws = from
	}
	if ws == registryWS {
		return nil, okrcore.Errorf(okrcore.KindInvalid, "%q is not a workspace okrbot can import into.", ws)
	}
	stored, err := tx.Workspace(ws)
	if err != nil && !okrcore.IsNotFound(err) {
		return nil, err
	}
	empty, err := isEmpty(tx, ws)
	if err != nil {
		return nil, err
	}
	if ws != from && !empty {
		return nil, okrcore.Errorf(okrcore.KindConflict, "Workspace %s already holds OKRs, and this export is of workspace %s: an export goes back into the workspace it came from, or into an empty one.", ws, from)
	}
	dp := &docPlan{tx: tx, d: d, ws: ws, from: from, empty: empty, p: &plan{workspace: ws, platform: opts.Platform}}
	dp.p.summary = Summary{Workspace: ws, Counts: map[Kind]Count{}}
	dp.p.steps = make([]step, 0, 1+len(d.People)+len(d.Teams)+len(d.Cycles)+len(d.Objectives)+len(d.KeyResults)+len(d.KPIs)+len(d.Initiatives)+len(d.CheckIns))
	if err := dp.check(); err != nil {
		return nil, err
	}
	if ws != from {
		moveTo(d, ws)
	}
	if err := dp.order(); err != nil {
		return nil, err
	}
	if err := dp.workspace(stored); err != nil {
		return nil, err
	}
	return dp.p, nil
}

// isEmpty reports whether ws holds no people, teams, OKRs or KPIs; the
// cycle every workspace starts with does not count.
func isEmpty(tx okrcore.Tx, ws string) (bool, error) {
	us, err1 := tx.Users(ws)
	ts, err2 := tx.Teams(ws)
	ks, err3 := tx.KPIs(ws)
	cs, err4 := tx.Cycles(ws)
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(us)+len(ts)+len(ks) > 0 {
		return false, err
	}
	for _, c := range cs {
		if os, err := tx.ObjectivesByCycle(ws, c.ID); err != nil || len(os) > 0 {
			return false, err
		}
	}
	return true, nil
}

func moveTo(d *Document, ws string) {
	d.Workspace.ID = ws
	move(d.People, ws)
	move(d.Teams, ws)
	move(d.Cycles, ws)
	move(d.Objectives, ws)
	move(d.KeyResults, ws)
	move(d.KPIs, ws)
	move(d.Initiatives, ws)
	move(d.CheckIns, ws)
}

func move[T any](recs []*T, ws string) {
	for _, r := range recs {
		*fields(r).ws = ws
	}
}

// recordFields are the workspace and the id of a document's record.
type recordFields struct {
	ws *string
	id okrcore.ID
}

func fields(rec any) recordFields {
	switch r := rec.(type) {
	case *okrcore.User:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.Team:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.Cycle:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.Objective:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.KeyResult:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.KPI:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.Initiative:
		return recordFields{&r.Workspace, r.ID}
	case *okrcore.CheckIn:
		return recordFields{&r.Workspace, r.ID}
	}
	panic(fmt.Sprintf("transfer: %T is not a record of a document", rec))
}

// docPlan is the planning of one document.
type docPlan struct {
	tx        okrcore.Tx
	d         *Document
	ws, from  string
	empty     bool
	p         *plan
	users     map[okrcore.ID]*okrcore.User
	teams     map[okrcore.ID]*okrcore.Team
	cycles    map[okrcore.ID]*okrcore.Cycle
	objs      map[okrcore.ID]*okrcore.Objective
	krs       map[okrcore.ID]*okrcore.KeyResult
	kpis      map[okrcore.ID]*okrcore.KPI
	krsOfObjs map[okrcore.ID][]*okrcore.KeyResult
}

// refusal names the record a document is refused for.
func refusal(what string, id okrcore.ID, err error) error {
	e := okrcore.Errorf(okrcore.KindInvalid, "The export's %s %d is refused: %s", what, id, okrcore.ErrorMessage(err))
	e.Op, e.Err = "plan import", err
	return e
}

// index checks the records of one list and maps them by id; with m nil,
// it only checks them (check-ins, too many to map).
func index[T any](dp *docPlan, what string, recs []*T, m map[okrcore.ID]*T) error {
	for i, r := range recs {
		if r == nil {
			return okrcore.Errorf(okrcore.KindInvalid, "The export's %s number %d is empty.", what, i+1)
		}
		f := fields(r)
		switch _, dup := m[f.id]; {
		case f.id == 0:
			return okrcore.Errorf(okrcore.KindInvalid, "The export holds a %s without an id.", what)
		case *f.ws != dp.from:
			return okrcore.Errorf(okrcore.KindInvalid, "The export's %s %d belongs to workspace %q, not to the export's %q.", what, f.id, *f.ws, dp.from)
		case dup:
			return okrcore.Errorf(okrcore.KindInvalid, "The export holds %s %d twice.", what, f.id)
		}
		if err := okrcore.ValidateImport(r); err != nil {
			return refusal(what, f.id, err)
		}
		if m != nil {
			m[f.id] = r
		}
	}
	return nil
}

// check indexes and validates every record, then checks what each refers
// to: in the document, or in the workspace the document goes into.
func (dp *docPlan) check() error {
	d := dp.d
	dp.users, dp.teams, dp.cycles = map[okrcore.ID]*okrcore.User{}, map[okrcore.ID]*okrcore.Team{}, map[okrcore.ID]*okrcore.Cycle{}
	dp.objs, dp.krs, dp.kpis = map[okrcore.ID]*okrcore.Objective{}, map[okrcore.ID]*okrcore.KeyResult{}, map[okrcore.ID]*okrcore.KPI{}
	for _, err := range []error{
		index(dp, "person", d.People, dp.users), index(dp, "team", d.Teams, dp.teams), index(dp, "cycle", d.Cycles, dp.cycles),
		index(dp, "objective", d.Objectives, dp.objs), index(dp, "key result", d.KeyResults, dp.krs), index(dp, "KPI", d.KPIs, dp.kpis),
		index(dp, "initiative", d.Initiatives, map[okrcore.ID]*okrcore.Initiative{}), index(dp, "check-in", d.CheckIns, nil),
	} {
		if err != nil {
			return err
		}
	}
	if err := okrcore.ValidateImport(d.Workspace); err != nil {
		return refusal("workspace", 0, err)
	}
	return dp.references()
}

// has reports whether a record the document refers to is in it or, for a
// workspace that is not empty, stored.
func has[T any](dp *docPlan, in map[okrcore.ID]*T, id okrcore.ID, get func(string, okrcore.ID) (*T, error)) bool {
	if _, ok := in[id]; ok {
		return true
	}
	if dp.empty || id == 0 {
		return false
	}
	_, err := get(dp.ws, id)
	return err == nil
}

func (dp *docPlan) owner(o okrcore.Owner) bool {
	if o.Kind == okrcore.OwnerTeam {
		return has(dp, dp.teams, o.ID, dp.tx.Team)
	}
	return has(dp, dp.users, o.ID, dp.tx.User)
}

func missing(what string, id okrcore.ID, ref string) error {
	return okrcore.Errorf(okrcore.KindInvalid, "The export's %s %d refers to %s, which is neither in the export nor in the workspace.", what, id, ref)
}

func (dp *docPlan) references() error {
	tx := dp.tx
	for _, t := range dp.d.Teams {
		for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
			if m != 0 && !has(dp, dp.users, m, tx.User) {
				return missing("team", t.ID, fmt.Sprintf("person %d", m))
			}
		}
		if t.Parent != 0 && !has(dp, dp.teams, t.Parent, tx.Team) {
			return missing("team", t.ID, okrcore.Ref{Kind: okrcore.RefTeam, ID: t.Parent}.String())
		}
	}
	for _, o := range dp.d.Objectives {
		switch {
		case !has(dp, dp.cycles, o.Cycle, tx.Cycle):
			return missing("objective", o.ID, fmt.Sprintf("cycle %d", o.Cycle))
		case !dp.owner(o.Owner):
			return missing("objective", o.ID, "an owner")
		case o.CreatedBy != 0 && !has(dp, dp.users, o.CreatedBy, tx.User):
			return missing("objective", o.ID, fmt.Sprintf("person %d", o.CreatedBy))
		case o.ParentKR != 0 && !has(dp, dp.krs, o.ParentKR, tx.KeyResult):
			return missing("objective", o.ID, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: o.ParentKR}.String())
		case o.ParentObjective != 0 && !has(dp, dp.objs, o.ParentObjective, tx.Objective):
			return missing("objective", o.ID, okrcore.Ref{Kind: okrcore.RefObjective, ID: o.ParentObjective}.String())
		}
		if p := dp.parent(o); p != nil && p.Cycle != o.Cycle {
			return okrcore.Errorf(okrcore.KindInvalid, "The export's objective O%d is aligned under O%d of another cycle.", o.ID, p.ID)
		}
	}
	dp.krsOfObjs = map[okrcore.ID][]*okrcore.KeyResult{}
	for _, k := range dp.d.KeyResults {
		switch {
		case dp.objs[k.Objective] == nil: // an export holds the objectives of its key results
			return okrcore.Errorf(okrcore.KindInvalid, "The export's key result %d belongs to O%d, which is not in the export.", k.ID, k.Objective)
		case !dp.owner(k.Owner):
			return missing("key result", k.ID, "an owner")
		case k.Stated != nil && k.Stated.By != 0 && !has(dp, dp.users, k.Stated.By, tx.User):
			return missing("key result", k.ID, fmt.Sprintf("person %d", k.Stated.By))
		}
		if o := dp.objs[k.Objective]; o.Cycle != k.Cycle {
			return okrcore.Errorf(okrcore.KindInvalid, "The export's key result %d is in another cycle than its objective O%d.", k.ID, o.ID)
		}
		dp.krsOfObjs[k.Objective] = append(dp.krsOfObjs[k.Objective], k)
	}
	for _, k := range dp.d.KPIs {
		if !dp.owner(k.Owner) {
			return missing("KPI", k.ID, "an owner")
		}
	}
	for _, in := range dp.d.Initiatives {
		if !has(dp, dp.krs, in.KeyResult, tx.KeyResult) {
			return missing("initiative", in.ID, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: in.KeyResult}.String())
		}
		if in.Owner != 0 && !has(dp, dp.users, in.Owner, tx.User) {
			return missing("initiative", in.ID, fmt.Sprintf("person %d", in.Owner))
		}
	}
	for _, c := range dp.d.CheckIns {
		target := has(dp, dp.krs, c.TargetID, tx.KeyResult)
		if c.Target == okrcore.TargetKPI {
			target = has(dp, dp.kpis, c.TargetID, tx.KPI)
		}
		if !target {
			return missing("check-in", c.ID, fmt.Sprintf("%s %d", map[okrcore.TargetKind]string{okrcore.TargetKR: "key result", okrcore.TargetKPI: "KPI"}[c.Target], c.TargetID))
		}
		if !has(dp, dp.users, c.Author, tx.User) {
			return missing("check-in", c.ID, fmt.Sprintf("person %d", c.Author))
		}
	}
	return nil
}

// same reports whether a stored record says what the document's does.
func same(stored, rec any) (bool, error) {
	a, err1 := json.Marshal(stored)
	b, err2 := json.Marshal(rec)
	if err := errors.Join(err1, err2); err != nil {
		return false, fmt.Errorf("compare: %w", err)
	}
	return bytes.Equal(a, b), nil
}

// add plans one record: created when the workspace does not hold its id,
// replaced when it holds another version, left alone when it holds this
// one.
func add[T any](dp *docPlan, kind Kind, rec *T, id okrcore.ID, get func(string, okrcore.ID) (*T, error)) error {
	c := dp.p.summary.Counts[kind]
	defer func() { dp.p.summary.Counts[kind] = c }()
	if !dp.empty || kind == KindCycle {
		stored, err := get(dp.ws, id)
		switch {
		case err == nil:
			eq, err := same(stored, rec)
			if err != nil {
				return err
			}
			if eq {
				c.Unchanged++
				return nil
			}
			c.Updated++
			dp.p.steps = append(dp.p.steps, step{rec: rec, update: true})
			return nil
		case !okrcore.IsNotFound(err):
			return err
		}
	}
	c.Created++
	dp.p.steps = append(dp.p.steps, step{rec: rec})
	return nil
}

// order plans the records so that each comes after what it refers to:
// cycles, people, teams parents first, objectives parents first each with
// its key results, KPIs, initiatives, check-ins; the workspace last.
func (dp *docPlan) order() error {
	tx := dp.tx
	teamParent := func(t *okrcore.Team) *okrcore.Team { return dp.teams[t.Parent] }
	for _, err := range []error{
		addAll(dp, KindCycle, dp.d.Cycles, tx.Cycle),
		addAll(dp, KindPerson, dp.d.People, tx.User),
		parentsFirst(dp.d.Teams, teamParent, func(t *okrcore.Team) error { return add(dp, KindTeam, t, t.ID, tx.Team) }, func(t *okrcore.Team) error {
			return okrcore.Errorf(okrcore.KindInvalid, "The export's team %s sits under a team that sits under it.", t.Name)
		}),
		parentsFirst(dp.d.Objectives, dp.parent, dp.objective, func(o *okrcore.Objective) error {
			return okrcore.Errorf(okrcore.KindInvalid, "The export's objective O%d is aligned under something that is itself aligned beneath it.", o.ID)
		}),
		addAll(dp, KindKPI, dp.d.KPIs, tx.KPI),
		addAll(dp, KindInitiative, dp.d.Initiatives, tx.Initiative),
	} {
		if err != nil {
			return err
		}
	}
	return dp.orderCheckIns()
}

func addAll[T any](dp *docPlan, kind Kind, recs []*T, get func(string, okrcore.ID) (*T, error)) error {
	for _, r := range recs {
		if err := add(dp, kind, r, fields(r).id, get); err != nil {
			return err
		}
	}
	return nil
}

// parentsFirst calls plan for each record after the record above it,
// refusing with loop one that lies beneath itself.
func parentsFirst[T any](recs []*T, parent func(*T) *T, plan, loop func(*T) error) error {
	state := map[*T]int8{} // 1 being placed, 2 placed
	var visit func(r *T) error
	visit = func(r *T) error {
		switch state[r] {
		case 1:
			return loop(r)
		case 2:
			return nil
		}
		state[r] = 1
		if p := parent(r); p != nil {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[r] = 2
		return plan(r)
	}
	for _, r := range recs {
		if err := visit(r); err != nil {
			return err
		}
	}
	return nil
}

// parent is the objective of the document an objective is aligned under.
func (dp *docPlan) parent(o *okrcore.Objective) *okrcore.Objective {
	if k, ok := dp.krs[o.ParentKR]; ok {
		return dp.objs[k.Objective]
	}
	return dp.objs[o.ParentObjective]
}

// objective plans an objective and its key results.
func (dp *docPlan) objective(o *okrcore.Objective) error {
	if err := add(dp, KindObjective, o, o.ID, dp.tx.Objective); err != nil {
		return err
	}
	for _, k := range dp.krsOfObjs[o.ID] {
		if err := add(dp, KindKeyResult, k, k.ID, dp.tx.KeyResult); err != nil {
			return err
		}
	}
	return nil
}

type target struct {
	kind okrcore.TargetKind
	id   okrcore.ID
}

// orderCheckIns plans the history: a check-in whose id the workspace holds
// is left alone, as check-ins never change.
func (dp *docPlan) orderCheckIns() error {
	stored := map[target]map[okrcore.ID]bool{}
	c := dp.p.summary.Counts[KindCheckIn]
	for _, ci := range dp.d.CheckIns {
		if !dp.empty {
			t := target{ci.Target, ci.TargetID}
			ids, ok := stored[t]
			if !ok {
				cis, err := dp.tx.CheckIns(dp.ws, t.kind, t.id, time.Time{}, 0)
				if err != nil {
					return fmt.Errorf("load check-ins: %w", err)
				}
				ids = make(map[okrcore.ID]bool, len(cis))
				for _, s := range cis {
					ids[s.ID] = true
				}
				stored[t] = ids
			}
			if ids[ci.ID] {
				c.Unchanged++
				continue
			}
		}
		c.Created++
		dp.p.steps = append(dp.p.steps, step{rec: ci})
	}
	dp.p.summary.Counts[KindCheckIn] = c
	return nil
}

// workspace plans the workspace's settings: the document's, unless the
// workspace already says the same. A cycle's export may name a current
// cycle it does not hold; the workspace keeps its own then, or, new,
// takes the export's cycle.
func (dp *docPlan) workspace(stored *okrcore.Workspace) error {
	w := dp.d.Workspace
	if w.CurrentCycle != 0 && !has(dp, dp.cycles, w.CurrentCycle, dp.tx.Cycle) && len(dp.d.Cycles) > 0 {
		w.CurrentCycle = dp.d.Cycles[0].ID // a cycle's export holds that cycle
		if stored != nil && stored.CurrentCycle != 0 {
			w.CurrentCycle = stored.CurrentCycle
		}
		dp.p.summary.Warnings = append(dp.p.summary.Warnings, Warning{Record: "workspace", Message: "the export's current cycle is not in it; the current cycle is C" + fmt.Sprint(w.CurrentCycle) + "."})
	}
	if stored != nil {
		if eq, err := same(stored, w); err != nil || eq {
			return err
		}
	}
	if w.Platform == "" {
		w.Platform = dp.p.platform
	}
	dp.p.steps = append(dp.p.steps, step{rec: w, update: stored != nil})
	return nil
}
