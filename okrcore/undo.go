package okrcore

import (
	"fmt"
	"time"
)

// History is append-only, so an undo appends, for each check-in it takes
// back, one naming it (UndoOf) and restores what the check-in changed from
// what it kept (Prior); the objectives above are rolled up again. Readers
// of history count neither check-in (Effective); a reader of check-in
// times alone must be told (the adoption report keeps a list).

// UndoWindow is how long after a check-in its author may take it back.
const UndoWindow = 24 * time.Hour

// Prior is what a check-in found on its key result (or KPI) besides the value.
type Prior struct {
	Confidence  *int       `json:"confidence,omitempty"`
	Status      Status     `json:"status,omitempty"`
	StatusSet   bool       `json:"status_set,omitempty"`
	Stated      *Statement `json:"stated,omitempty"`
	LastCheckIn time.Time  `json:"last_checkin"`
}

// UndoResult is what an undo put back; At is when the undone check-in was.
type UndoResult struct {
	KeyResults []*KeyResult
	KPIs       []*KPI
	At         time.Time
}

// UndoLastCheckIn takes back the actor's last check-in of the last
// UndoWindow: every key result and KPI it covered (written at one moment).
// It is refused, changing nothing, when someone checked in on one of them
// since: undoing would lose their update.
func UndoLastCheckIn(tx Tx, now time.Time, actor *User) (*UndoResult, error) {
	ws := actor.Workspace
	recent, err := tx.CheckInsByAuthor(ws, actor.ID, now.Add(-UndoWindow), 0)
	if err != nil {
		return nil, fmt.Errorf("load recent check-ins: %w", err)
	}
	if len(recent) > 0 && recent[0].UndoOf != 0 {
		return nil, Errorf(KindConflict, "Your last check-in is already undone; there is no check-in of yours from the last day left to undo.")
	}
	last := Effective(recent)
	if len(last) == 0 {
		return nil, Errorf(KindNotFound, "There is no check-in of yours from the last day to undo.")
	}
	n := 1
	for n < len(last) && last[n].At.Equal(last[0].At) {
		n++
	}
	res := &UndoResult{}
	for _, write := range []bool{false, true} { // every refusal before the first write
		for _, c := range last[:n] {
			if err := undoOne(tx, now, actor, c, write, res); err != nil {
				return nil, err
			}
		}
	}
	for _, k := range res.KeyResults {
		if _, err := rollUpFrom(tx, now, ws, k.Objective); err != nil {
			return nil, err
		}
	}
	res.At = last[0].At
	if err := tallyUndone(tx, ws, actor.ID, res.At); err != nil {
		return nil, fmt.Errorf("tally undo: %w", err)
	}
	return res, nil
}

// undoOne puts back the key result or KPI of c as c found it, or with
// write false only says why it may not.
func undoOne(tx Tx, now time.Time, actor *User, c *CheckIn, write bool, res *UndoResult) error {
	ws := actor.Workspace
	var k *KeyResult
	var kpi *KPI
	var cy *Cycle
	var owner Owner
	var last time.Time
	var ref Ref
	var err error
	if c.Target == TargetKPI {
		if kpi, err = tx.KPI(ws, c.TargetID); err == nil {
			owner, last, ref = kpi.Owner, kpi.LastCheckIn, kpi.Ref()
		}
	} else if k, err = tx.KeyResult(ws, c.TargetID); err == nil {
		owner, last, ref = k.Owner, k.LastCheckIn, k.Ref()
		cy, err = openCycle(tx, ws, k.Cycle)
	}
	if err != nil {
		return err
	}
	if err := CanChange(tx, actor, owner); err != nil {
		return err
	}
	if last.After(c.At) {
		return Errorf(KindConflict, "%s has a newer check-in than yours, so undoing yours would lose it; nothing was undone. Check in again with the values you want.", ref)
	}
	if !write {
		return nil
	}
	undo := &CheckIn{Workspace: ws, Target: c.Target, TargetID: c.TargetID, Author: actor.ID, At: now, Value: c.Previous, Previous: c.Value, UndoOf: c.ID}
	if err := tx.AddCheckIn(undo); err != nil {
		return fmt.Errorf("append undo: %w", err)
	}
	if kpi != nil {
		kpi.Current = c.Previous
		if c.Prior != nil {
			kpi.LastCheckIn = c.Prior.LastCheckIn
		}
		res.KPIs = append(res.KPIs, kpi)
		return tx.PutKPI(kpi)
	}
	k.Current, k.UpdatedAt = c.Previous, now
	k.Progress = KRProgress(k)
	if p := c.Prior; p != nil {
		k.Confidence, k.Status, k.StatusSet, k.Stated, k.LastCheckIn = p.Confidence, p.Status, p.StatusSet, p.Stated, p.LastCheckIn
	} else { // from before check-ins kept what they changed: progress decides
		rules, err := workspaceRules(tx, ws)
		if err != nil {
			return err
		}
		k.StatusSet, k.Stated = false, nil
		k.Status = KRStanding(k, cy, now, rules).Status
	}
	res.KeyResults = append(res.KeyResults, k)
	return tx.PutKeyResult(k)
}

// Effective drops from check-ins listed newest first, as the store lists
// them, those an undo took back and the undos: what readers of history
// count. An undo is newer than what it takes back, so a list holding a
// check-in holds its undo.
func Effective(cis []*CheckIn) []*CheckIn {
	undone := map[ID]bool{}
	out := make([]*CheckIn, 0, len(cis))
	for _, c := range cis {
		if c.UndoOf != 0 {
			undone[c.UndoOf] = true
		} else if !undone[c.ID] {
			out = append(out, c)
		}
	}
	return out
}
