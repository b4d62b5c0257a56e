package okrcore

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore/totals"
)

// An objective's roll-up reads its key results and every objective aligned
// beneath it: near the top of a large organisation, hundreds of records
// under the write lock for each check-in below. So each objective keeps in
// a State slot the totals its progress and status are made of
// (okrcore/totals); a check-in puts in what changed beneath and reads one
// slot per level. Other writes' roll-ups read the records and write the
// slot again; a write that changes what is beneath an objective without a
// roll-up (an import, its rollback) calls ForgetTotals, which moves the
// workspace's epoch on: slots of an older one, or none (a store from
// before them), are read from the records at the next roll-up or by
// FillTotals.

// maxDepth bounds walks up the alignment chain so that bad data cannot loop.
const maxDepth = 64

const totalsEpochKey = "totals:epoch"

// TotalsKey is the State slot of objective id's totals, which a
// check-in's roll-up reads beside the objective (a backend may read the
// two together).
func TotalsKey(id ID) string { return "totals:o" + strconv.FormatUint(uint64(id), 10) }

// totalsEpoch is the epoch the slots of ws are valid in.
func totalsEpoch(tx Tx, ws string) (uint64, error) {
	b, err := tx.State(ws, totalsEpochKey)
	if IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read totals epoch: %w", err)
	}
	e, _ := binary.Uvarint(b) // damaged reads as 0, and ForgetTotals writes it again
	return e, nil
}

// rollContext is what the roll-ups of a workspace read once.
type rollContext struct {
	rules Rules
	epoch uint64
}

func rollContextOf(tx Tx, ws string) (rollContext, error) {
	r, err := workspaceRules(tx, ws)
	if err != nil {
		return rollContext{}, err
	}
	e, err := totalsEpoch(tx, ws)
	return rollContext{r, e}, err
}

// ForgetTotals makes every objective of ws read its roll-up from the
// records next time: for writes of key results and objectives that do not
// roll up what is above them.
func ForgetTotals(tx Tx, ws string) error {
	e, err := totalsEpoch(tx, ws)
	if err != nil {
		return err
	}
	return tx.PutState(ws, totalsEpochKey, binary.AppendUvarint(nil, e+1), time.Time{})
}

// statementOf is what k's owner said of it, as KRStanding reads it: one
// stated before statements were dated reads as stated at its last
// check-in, for that week.
func statementOf(k *KeyResult) *Statement {
	if k.Stated == nil && k.StatusSet && k.Status != StatusNone {
		return &Statement{Status: k.Status, At: k.LastCheckIn, Until: PeriodEnd(Slot{}, k.LastCheckIn, time.UTC)}
	}
	return k.Stated
}

func krEntry(k *KeyResult) totals.Entry {
	e := totals.Entry{ID: uint64(k.ID), Weight: k.Weight, Progress: KRProgress(k), CreatedSec: k.CreatedAt.Unix(), CreatedNsec: uint32(k.CreatedAt.Nanosecond())}
	if st := statementOf(k); st != nil && st.Status != StatusNone {
		e.Said, e.UntilSec, e.UntilNsec = string(st.Status), st.Until.Unix(), uint32(st.Until.Nanosecond())
	}
	return e
}

func alignedEntry(o *Objective) totals.Entry {
	return totals.Entry{ID: uint64(o.ID), Weight: o.Weight, Progress: clamp01(o.Progress)}
}

// fromTotals makes t's entries the key results and objectives the roll-up
// reads: each key result's KRProgress is its entry's progress, exactly (a
// value p on a span from 0 to 1), so that ObjectiveProgress and
// ObjectiveStanding sum what they would sum over the records.
func fromTotals(t *totals.Totals) ([]*KeyResult, []*Objective) {
	krs := make([]*KeyResult, len(t.KeyResults))
	for i, e := range t.KeyResults {
		krs[i] = &KeyResult{ID: ID(e.ID), Weight: e.Weight, Progress: e.Progress, Target: 1, Current: e.Progress, Metric: MetricNumber, CreatedAt: time.Unix(e.CreatedSec, int64(e.CreatedNsec))}
		if e.Said != "" {
			krs[i].Stated = &Statement{Status: Status(e.Said), Until: time.Unix(e.UntilSec, int64(e.UntilNsec))}
		}
	}
	kids := make([]*Objective, len(t.Aligned))
	for i, e := range t.Aligned {
		kids[i] = &Objective{ID: ID(e.ID), Weight: e.Weight, Progress: e.Progress}
	}
	return krs, kids
}

// RollUp recomputes the progress of objective id and of its ancestors.
func RollUp(tx Tx, now time.Time, ws string, id ID) error {
	_, err := rollUpFrom(tx, now, ws, id)
	return err
}

func rollUpFrom(tx Tx, now time.Time, ws string, id ID) ([]*Objective, error) {
	rc, err := rollContextOf(tx, ws)
	if err != nil {
		return nil, err
	}
	var chain []*Objective
	seen := map[ID]bool{}
	for depth := 0; id != 0 && depth < maxDepth && !seen[id]; depth++ {
		seen[id] = true
		o, err := tx.Objective(ws, id)
		if err != nil {
			return nil, fmt.Errorf("roll up O%d: %w", id, err)
		}
		if err := rollUpOne(tx, now, o, rc); err != nil {
			return nil, err
		}
		chain = append(chain, o)
		p, err := ParentOf(tx, o)
		if err != nil {
			return nil, err
		}
		id = 0
		if p != nil {
			id = p.ID
		}
	}
	return chain, nil
}

// rollUpOne recomputes o's progress and status from its key results and
// the objectives aligned beneath it as tx holds them, and stores it with
// its totals.
func rollUpOne(tx Tx, now time.Time, o *Objective, rc rollContext) error {
	krs, kids, t, err := readTotals(tx, o.Workspace, o.ID, rc.epoch)
	if err != nil {
		return err
	}
	return storeRollUp(tx, now, o, krs, kids, t, rc.rules)
}

// readTotals reads what is beneath objective id and makes its totals.
func readTotals(tx Tx, ws string, id ID, epoch uint64) ([]*KeyResult, []*Objective, *totals.Totals, error) {
	krs, err := tx.KeyResultsByObjective(ws, id)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("roll up O%d: %w", id, err)
	}
	kids, err := AlignedUnder(tx, ws, id, krs)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("roll up O%d: %w", id, err)
	}
	t := &totals.Totals{Epoch: epoch, KeyResults: make([]totals.Entry, len(krs)), Aligned: make([]totals.Entry, len(kids))}
	for i, k := range krs {
		t.KeyResults[i] = krEntry(k)
	}
	for i, c := range kids {
		t.Aligned[i] = alignedEntry(c)
	}
	return krs, kids, t, nil
}

// rollUpChanged is rollUpOne from o's stored totals with the entries of
// the key results and objectives beneath it that changed put in, reading
// no sibling; it reports false, having written nothing, when the slot is
// missing, of another epoch or lacks one of them.
func rollUpChanged(tx Tx, now time.Time, o *Objective, krs []*KeyResult, kids []*Objective, rc rollContext) (bool, error) {
	t, err := storedTotals(tx, o.Workspace, o.ID, rc.epoch)
	if t == nil || err != nil {
		return false, err
	}
	for _, k := range krs {
		if !totals.Replace(t.KeyResults, krEntry(k)) {
			return false, nil
		}
	}
	for _, c := range kids {
		if !totals.Replace(t.Aligned, alignedEntry(c)) {
			return false, nil
		}
	}
	sk, sc := fromTotals(t)
	return true, storeRollUp(tx, now, o, sk, sc, t, rc.rules)
}

// storedTotals reads the totals of objective id, nil when there are none
// valid in epoch (none written, damaged, or of an older epoch).
func storedTotals(tx Tx, ws string, id ID, epoch uint64) (*totals.Totals, error) {
	b, err := tx.State(ws, TotalsKey(id))
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read totals of O%d: %w", id, err)
	}
	if t, err := totals.Decode(b); err == nil && t.Epoch == epoch {
		return t, nil
	}
	return nil, nil
}

func storeRollUp(tx Tx, now time.Time, o *Objective, krs []*KeyResult, kids []*Objective, t *totals.Totals, rules Rules) error {
	o.Progress = ObjectiveProgress(krs, kids)
	if c, err := tx.Cycle(o.Workspace, o.Cycle); err == nil {
		o.Status = ObjectiveStanding(o, krs, c, now, rules).Status
	}
	o.UpdatedAt = now
	if err := tx.PutObjective(o); err != nil {
		return fmt.Errorf("store O%d: %w", o.ID, err)
	}
	if err := tx.PutState(o.Workspace, TotalsKey(o.ID), totals.Encode(t), time.Time{}); err != nil {
		return fmt.Errorf("store totals of O%d: %w", o.ID, err)
	}
	return nil
}

// FillTotals writes the totals of those of ids (objectives of ws) that
// have none valid, changing no record: what a workspace from before the
// slots needs once, so that its first check-ins read one slot per level
// too. It returns how many it wrote.
func FillTotals(tx Tx, ws string, ids []ID) (int, error) {
	epoch, err := totalsEpoch(tx, ws)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		t, err := storedTotals(tx, ws, id, epoch)
		if t == nil && err == nil {
			_, _, t, err = readTotals(tx, ws, id, epoch)
		} else if err == nil {
			continue
		}
		if err != nil {
			return n, err
		}
		if err := tx.PutState(ws, TotalsKey(id), totals.Encode(t), time.Time{}); err != nil {
			return n, fmt.Errorf("store totals of O%d: %w", id, err)
		}
		n++
	}
	return n, nil
}
