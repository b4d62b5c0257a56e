package okrcore

import (
	"fmt"
	"time"
)

// UpdateKeyResult stores an edited key result. The actor must be allowed to
// change the stored owner (and, when the owner changes, the new one too).
// Progress and status are recomputed and rolled up.
func UpdateKeyResult(tx Tx, now time.Time, actor *User, k *KeyResult) error {
	old, err := tx.KeyResult(actor.Workspace, k.ID)
	if err != nil {
		return err
	}
	c, err := openCycle(tx, actor.Workspace, old.Cycle)
	if err != nil {
		return err
	}
	if err := CanChange(tx, actor, old.Owner); err != nil {
		return err
	}
	if k.Owner != old.Owner {
		if err := CheckOwnerExists(tx, actor.Workspace, k.Owner); err != nil {
			return err
		}
	}
	// Identity, history and cached fields are not editable.
	k.Workspace, k.Objective, k.Cycle, k.CreatedAt, k.LastCheckIn = old.Workspace, old.Objective, old.Cycle, old.CreatedAt, old.LastCheckIn
	if old.Start != k.Start || old.Target != k.Target {
		k.Direction = "" // infer again from the new span
	}
	if err := NormalizeKeyResult(k); err != nil {
		return err
	}
	rules, err := workspaceRules(tx, actor.Workspace)
	if err != nil {
		return err
	}
	k.Progress = KRProgress(k)
	if !k.StatusSet {
		k.Status = ComputeStatus(k.Progress, ExpectedProgressSince(c, k.CreatedAt, now), rules)
	}
	k.UpdatedAt = now
	if err := tx.PutKeyResult(k); err != nil {
		return fmt.Errorf("store key result: %w", err)
	}
	_, err = rollUpFrom(tx, now, actor.Workspace, k.Objective)
	return err
}

// UpdateObjective stores an edited objective: title, owner, weight or
// alignment. An alignment that would make the objective its own ancestor is
// refused. Both the old and the new chain of ancestors are rolled up.
func UpdateObjective(tx Tx, now time.Time, actor *User, o *Objective) error {
	old, err := tx.Objective(actor.Workspace, o.ID)
	if err != nil {
		return err
	}
	if _, err := openCycle(tx, actor.Workspace, old.Cycle); err != nil {
		return err
	}
	if err := CanChange(tx, actor, old.Owner); err != nil {
		return err
	}
	if o.Owner != old.Owner {
		if err := CheckOwnerExists(tx, actor.Workspace, o.Owner); err != nil {
			return err
		}
	}
	o.Workspace, o.Cycle, o.CreatedAt, o.CreatedBy = old.Workspace, old.Cycle, old.CreatedAt, old.CreatedBy
	if err := ValidateObjective(o); err != nil {
		return err
	}
	if o.ParentKR != old.ParentKR || o.ParentObjective != old.ParentObjective {
		if err := checkAlignment(tx, o); err != nil {
			return err
		}
	}
	o.UpdatedAt = now
	if err := tx.PutObjective(o); err != nil {
		return fmt.Errorf("store objective: %w", err)
	}
	if oldParent, err := ParentOf(tx, old); err == nil && oldParent != nil {
		if _, err := rollUpFrom(tx, now, actor.Workspace, oldParent.ID); err != nil {
			return err
		}
	}
	_, err = rollUpFrom(tx, now, actor.Workspace, o.ID)
	return err
}

// checkAlignment refuses a parent in another cycle and a parent that lies
// beneath the objective itself.
func checkAlignment(tx Tx, o *Objective) error {
	p, err := ParentOf(tx, o)
	if err != nil {
		return err
	}
	if p == nil {
		if o.ParentKR != 0 || o.ParentObjective != 0 {
			return Errorf(KindNotFound, "I can't find what you want to align under.")
		}
		return nil
	}
	if !Nests(tx, o.Workspace, p.Cycle, o.Cycle) {
		return Errorf(KindInvalid, "%s belongs to another cycle; align to something in the same cycle or one around it.", p.Ref())
	}
	for depth := 0; p != nil && depth < maxDepth; depth++ {
		if p.ID == o.ID {
			return Errorf(KindInvalid, "%s can't be aligned under something that is itself aligned beneath %s.", o.Ref(), o.Ref())
		}
		if p, err = ParentOf(tx, p); err != nil {
			return err
		}
	}
	return nil
}
