package okrcore

import (
	"fmt"
	"time"
)

// CreateKPI authorizes and stores a new KPI: whoever may change the owner's
// OKRs may track a KPI for them.
func CreateKPI(tx Tx, now time.Time, actor *User, k *KPI) error {
	if err := CanChange(tx, actor, k.Owner); err != nil {
		return err
	}
	k.ID, k.Workspace = 0, actor.Workspace
	if err := ValidateKPI(k); err != nil {
		return err
	}
	if err := checkOwnerExists(tx, k.Workspace, k.Owner); err != nil {
		return err
	}
	k.CreatedAt, k.LastCheckIn = now, time.Time{}
	if err := tx.PutKPI(k); err != nil {
		return fmt.Errorf("store kpi: %w", err)
	}
	return nil
}

// UpdateKPI lets change edit a KPI's title, healthy range or unit, once
// the actor may change its owner's OKRs, and stores the result. change runs
// after the permission check, so that someone who may not edit the KPI
// hears that before any complaint about what they asked for. Who owns it,
// its value and its history are not edited here: they are put back.
func UpdateKPI(tx Tx, actor *User, id ID, change func(k *KPI) error) (*KPI, error) {
	old, err := tx.KPI(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := CanChange(tx, actor, old.Owner); err != nil {
		return nil, err
	}
	k := *old
	if err := change(&k); err != nil {
		return nil, err
	}
	k.ID, k.Workspace, k.Owner, k.Current, k.CreatedAt, k.LastCheckIn = old.ID, old.Workspace, old.Owner, old.Current, old.CreatedAt, old.LastCheckIn
	if err := ValidateKPI(&k); err != nil {
		return nil, err
	}
	if err := tx.PutKPI(&k); err != nil {
		return nil, fmt.Errorf("store kpi: %w", err)
	}
	return &k, nil
}
