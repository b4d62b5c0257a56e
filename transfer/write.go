package transfer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/retally"
)

// defaultBatch is how many records one transaction of an import writes.
// bbolt keeps every page a transaction dirties in memory and slows down
// sharply once one transaction inserts hundreds of thousands of index
// keys, so an import is many transactions of this size (see
// BenchmarkBatch for the measurement).
const defaultBatch = 5000

// errStopped is how an import stopped by stopAfter ends: as if its process
// had died, leaving its journal for Recover.
var errStopped = errors.New("import stopped half way")

// write writes the plan in transactions of at most opts.Batch records
// under a journal (see journal.go): all of it lands, or, when a write
// fails, what was written is rolled back before write returns. The
// workspace record (and the workspace itself when p.create) is written by
// the last transaction, so that the scheduler sees a new workspace only
// once it is whole.
func (p *plan) write(ctx context.Context, s okrcore.Store, opts Options) error {
	return p.writeStopping(ctx, s, opts, 0)
}

// writeStopping is write that, when stopAfter > 0, stops after that many
// transactions without rolling back, as a crash would.
func (p *plan) writeStopping(ctx context.Context, s okrcore.Store, opts Options, stopAfter int) error {
	batch := opts.Batch
	if batch <= 0 {
		batch = defaultBatch
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	w := &writer{plan: p, ws: p.workspace, token: token, now: opts.Now, real: map[okrcore.ID]okrcore.ID{}}
	body := make([]step, 0, len(p.steps))
	for _, st := range p.steps {
		if lastStep(st.rec) {
			w.last = append(w.last, st.rec)
		} else {
			body = append(body, st)
		}
	}
	total := len(body)
	if p.history != nil {
		total += p.history.n
	}
	if total == 0 && len(w.last) == 0 && !p.create {
		return nil
	}
	// The check-ins of a history become steps a transaction at a time.
	var made []okrcore.CheckIn
	steps := make([]step, 0, min(batch, total))
	from, hist, done := 0, 0, 0
	for {
		if stopAfter > 0 && w.txs == stopAfter {
			return errStopped
		}
		steps = steps[:0]
		to := min(from+batch, len(body))
		steps = append(steps, body[from:to]...)
		from = to
		if room := batch - len(steps); room > 0 && from == len(body) && p.history != nil {
			made = made[:0]
			hist = p.history.records(hist, func(c *okrcore.CheckIn) bool {
				if len(made) == room {
					return false
				}
				made = append(made, *c)
				return true
			})
			for i := range made {
				steps = append(steps, step{rec: &made[i]})
			}
		}
		n := len(steps)
		last := done+n == total
		if n == 0 && !last {
			return w.fail(ctx, s, fmt.Errorf("write import: %d of %d records planned were found", done, total))
		}
		var local map[okrcore.ID]okrcore.ID
		err := s.Update(ctx, func(tx okrcore.Tx) error {
			local = map[okrcore.ID]okrcore.ID{}
			return w.transaction(tx, steps, local, last)
		})
		if err != nil {
			return w.fail(ctx, s, err)
		}
		for k, v := range local {
			w.real[k] = v
		}
		w.txs++
		done += n
		if opts.Progress != nil {
			opts.Progress(Progress{Phase: "write", Done: done, Total: total})
		}
		if last {
			return nil
		}
		if opts.Rest > 0 {
			select {
			case <-ctx.Done():
				return w.fail(ctx, s, ctx.Err())
			case <-time.After(opts.Rest):
			}
		}
	}
}

func newToken() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("import token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// fail rolls back what the import wrote before err, even when err is the
// end of ctx.
func (w *writer) fail(ctx context.Context, s okrcore.Store, err error) error {
	if w.txs == 0 {
		return err
	}
	if rerr := rollback(context.WithoutCancel(ctx), s, w.ws); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// writer is one import being written.
type writer struct {
	plan  *plan
	ws    string
	token string
	now   time.Time
	// real maps the placeholders of records written so far to their ids.
	real map[okrcore.ID]okrcore.ID
	txs  int   // transactions committed
	last []any // the workspace record's steps, for the last transaction
}

// lastStep reports whether rec is written with the workspace record, by
// the last transaction.
func lastStep(rec any) bool {
	_, ok := rec.(*okrcore.Workspace)
	return ok
}

// busy is the refusal of an import while another one's journal is there.
func busy(ws string) error {
	return okrcore.Errorf(okrcore.KindConflict, "Another import into workspace %s is running, or one stopped half way and is rolled back when okrbot next starts; try again once it is done.", ws)
}

// transaction writes steps, and the journal part that undoes them, in one
// transaction; the last one writes the workspace and removes the journal.
func (w *writer) transaction(tx okrcore.Tx, steps []step, local map[okrcore.ID]okrcore.ID, last bool) error {
	j, err := journalOf(tx, w.ws)
	if err != nil {
		return err
	}
	first := w.txs == 0
	switch {
	case first && j != nil, !first && (j == nil || j.Token != w.token):
		return busy(w.ws)
	}
	part := &journalPart{}
	r := &resolver{w: w, local: local}
	h := &gathered{}
	for _, st := range steps {
		var err error
		switch c := st.rec.(type) {
		case *okrcore.Workspace:
		case *okrcore.CheckIn:
			err = h.add(w, r, c)
		default:
			if err = h.flush(tx, r, part); err == nil {
				err = w.step(tx, st.rec, r, part)
			}
		}
		if err != nil {
			return err
		}
	}
	if err := h.flush(tx, r, part); err != nil {
		return err
	}
	if !last {
		if first {
			j = &journal{Token: w.token, Started: w.now}
			if err := setRunning(tx, w.ws, true); err != nil {
				return err
			}
		}
		j.Parts++
		if err := putJSON(tx, w.ws, journalPartKey(j.Parts), part); err != nil {
			return err
		}
		return putJSON(tx, w.ws, journalKey, j)
	}
	if err := w.workspace(tx, r); err != nil {
		return err
	}
	if first {
		return nil
	}
	for n := 1; n <= j.Parts; n++ {
		if err := tx.DeleteState(w.ws, journalPartKey(n)); err != nil {
			return err
		}
	}
	if err := tx.DeleteState(w.ws, journalKey); err != nil {
		return err
	}
	return setRunning(tx, w.ws, false)
}

// workspace writes the workspace record: created when p.create, as
// EnsureWorkspace creates a workspace, then the plan's own settings.
func (w *writer) workspace(tx okrcore.Tx, r *resolver) error {
	if w.plan.create {
		if err := okrcore.EnsureWorkspace(tx, w.ws, w.plan.platform, w.now); err != nil {
			return fmt.Errorf("create workspace: %w", err)
		}
	}
	for _, rec := range w.last {
		ws := *rec.(*okrcore.Workspace)
		r.fix(&ws.CurrentCycle)
		if r.err != nil {
			return r.err
		}
		if err := okrcore.ImportWorkspace(tx, &ws); err != nil {
			return fmt.Errorf("workspace %s: %w", ws.ID, err)
		}
	}
	return nil
}

// resolver replaces placeholders by the ids of the records written.
type resolver struct {
	w     *writer
	local map[okrcore.ID]okrcore.ID // written by this transaction
	err   error
}

func (r *resolver) fix(id *okrcore.ID) {
	if !isPlaceholder(*id) || r.err != nil {
		return
	}
	if v, ok := r.local[*id]; ok {
		*id = v
	} else if v, ok := r.w.real[*id]; ok {
		*id = v
	} else {
		r.err = fmt.Errorf("a record refers to record %d of the plan before it is written", uint64(*id&^placeholderBit))
	}
}

func (r *resolver) fixAll(ids []okrcore.ID) []okrcore.ID {
	out := slices.Clone(ids) // the plan's own stays as it is
	for i := range out {
		r.fix(&out[i])
	}
	return out
}

// step writes one record as a copy, its references resolved.
func (w *writer) step(tx okrcore.Tx, rec any, r *resolver, part *journalPart) error {
	switch x := rec.(type) {
	case *okrcore.User:
		c := *x
		return put(tx, w, r, part, jUser, c.Workspace, &c, &c.ID, tx.User, okrcore.ImportUser)
	case *okrcore.Team:
		c := *x
		r.fix(&c.Lead)
		r.fix(&c.Parent)
		c.Members = r.fixAll(c.Members)
		return put(tx, w, r, part, jTeam, c.Workspace, &c, &c.ID, tx.Team, okrcore.ImportTeam)
	case *okrcore.Cycle:
		c := *x
		return put(tx, w, r, part, jCycle, c.Workspace, &c, &c.ID, tx.Cycle, okrcore.ImportCycle)
	case *okrcore.Objective:
		c := *x
		r.fix(&c.Cycle)
		r.fix(&c.Owner.ID)
		r.fix(&c.ParentKR)
		r.fix(&c.ParentObjective)
		r.fix(&c.CreatedBy)
		return put(tx, w, r, part, jObjective, c.Workspace, &c, &c.ID, tx.Objective, okrcore.ImportObjective)
	case *okrcore.KeyResult:
		c := *x
		r.fix(&c.Objective)
		r.fix(&c.Cycle)
		r.fix(&c.Owner.ID)
		if c.Stated != nil && isPlaceholder(c.Stated.By) {
			st := *c.Stated
			r.fix(&st.By)
			c.Stated = &st
		}
		return put(tx, w, r, part, jKeyResult, c.Workspace, &c, &c.ID, tx.KeyResult, okrcore.ImportKeyResult)
	case *okrcore.KPI:
		c := *x
		r.fix(&c.Owner.ID)
		return put(tx, w, r, part, jKPI, c.Workspace, &c, &c.ID, tx.KPI, okrcore.ImportKPI)
	case *okrcore.Initiative:
		c := *x
		r.fix(&c.KeyResult)
		r.fix(&c.Owner)
		return put(tx, w, r, part, jInitiative, c.Workspace, &c, &c.ID, tx.Initiative, okrcore.ImportInitiative)
	case sourceKey:
		return w.sourceKey(tx, x, r, part)
	case *sourceKey:
		return w.sourceKey(tx, *x, r, part)
	}
	return fmt.Errorf("a plan step holds %T, which an import does not write", rec)
}

// put writes one record: a placeholder id becomes the next id of its kind;
// a stored record it replaces goes into the journal part first.
func put[T any](tx okrcore.Tx, w *writer, r *resolver, part *journalPart, kind, ws string, rec *T, id *okrcore.ID,
	get func(string, okrcore.ID) (*T, error), write func(okrcore.Tx, *T) error) error {
	if r.err != nil {
		return r.err
	}
	if ws != w.ws {
		return fmt.Errorf("%s %d belongs to workspace %q, not %q", kind, *id, ws, w.ws)
	}
	var ph okrcore.ID
	if isPlaceholder(*id) {
		ph, *id = *id, 0
	}
	created := true
	if *id != 0 && get != nil {
		old, err := get(ws, *id)
		switch {
		case err == nil:
			created = false
			if err := part.prior(kind, old); err != nil {
				return err
			}
		case !okrcore.IsNotFound(err):
			return err
		}
	}
	if err := write(tx, rec); err != nil {
		return fmt.Errorf("%s %d: %w", kind, *id, err)
	}
	if ph != 0 {
		r.local[ph] = *id
	}
	if created {
		part.created(kind, *id)
	}
	return nil
}

func (w *writer) sourceKey(tx okrcore.Tx, k sourceKey, r *resolver, part *journalPart) error {
	id := k.id
	r.fix(&id)
	if r.err != nil {
		return r.err
	}
	old, err := tx.State(w.ws, k.state)
	if err != nil && !okrcore.IsNotFound(err) {
		return err
	}
	part.States = append(part.States, priorState{Key: k.state, Value: old, Existed: err == nil})
	if err := tx.PutState(w.ws, k.state, sourceStateValue(id), time.Time{}); err != nil {
		return fmt.Errorf("source key %s: %w", k.state, err)
	}
	return nil
}

// gathered are the check-ins that follow each other in a transaction,
// written together so that okrcore.ImportCheckIns looks each key result
// and author up once.
type gathered struct {
	cs  []*okrcore.CheckIn
	phs []okrcore.ID // each one's placeholder, 0 for an id of its own
}

func (h *gathered) add(w *writer, r *resolver, x *okrcore.CheckIn) error {
	c := *x // an undo refers to a check-in written before, not one gathered
	r.fix(&c.TargetID)
	r.fix(&c.Author)
	r.fix(&c.UndoOf)
	if r.err != nil {
		return r.err
	}
	if c.Workspace != w.ws {
		return fmt.Errorf("check-in %d belongs to workspace %q, not %q", c.ID, c.Workspace, w.ws)
	}
	var ph okrcore.ID
	if isPlaceholder(c.ID) {
		ph, c.ID = c.ID, 0
	}
	h.cs, h.phs = append(h.cs, &c), append(h.phs, ph)
	return nil
}

// flush writes the check-ins gathered. History has no lookup by id, and
// needs none: AddCheckIn refuses an id that is there.
func (h *gathered) flush(tx okrcore.Tx, r *resolver, part *journalPart) error {
	if len(h.cs) == 0 {
		return nil
	}
	// The tally slots the check-ins change, for a rollback to count again.
	for _, k := range retally.KeysOf(h.cs) {
		part.States = append(part.States, priorState{Key: k, Existed: false})
	}
	if err := okrcore.ImportCheckIns(tx, h.cs); err != nil {
		return err
	}
	for i, c := range h.cs {
		if h.phs[i] != 0 {
			r.local[h.phs[i]] = c.ID
		}
		part.created(jCheckIn, c.ID)
	}
	h.cs, h.phs = h.cs[:0], h.phs[:0]
	return nil
}
