// Package tracking holds the operations on what is tracked beside
// objectives: KPIs (created and edited by whoever may change their owner's
// OKRs) and initiatives (work under a key result, added and marked done).
// Pure, like okrcore: rules as functions over okrcore.Tx.
package tracking

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// CreateKPI authorizes and stores a new KPI: whoever may change the owner's
// OKRs may track a KPI for them.
func CreateKPI(tx okrcore.Tx, now time.Time, actor *okrcore.User, k *okrcore.KPI) error {
	if err := okrcore.CanChange(tx, actor, k.Owner); err != nil {
		return err
	}
	k.ID, k.Workspace = 0, actor.Workspace
	if err := okrcore.ValidateKPI(k); err != nil {
		return err
	}
	if err := okrcore.CheckOwnerExists(tx, k.Workspace, k.Owner); err != nil {
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
func UpdateKPI(tx okrcore.Tx, actor *okrcore.User, id okrcore.ID, change func(k *okrcore.KPI) error) (*okrcore.KPI, error) {
	old, err := tx.KPI(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if err := okrcore.CanChange(tx, actor, old.Owner); err != nil {
		return nil, err
	}
	k := *old
	if err := change(&k); err != nil {
		return nil, err
	}
	k.ID, k.Workspace, k.Owner, k.Current, k.CreatedAt, k.LastCheckIn = old.ID, old.Workspace, old.Owner, old.Current, old.CreatedAt, old.LastCheckIn
	if err := okrcore.ValidateKPI(&k); err != nil {
		return nil, err
	}
	if err := tx.PutKPI(&k); err != nil {
		return nil, fmt.Errorf("store kpi: %w", err)
	}
	return &k, nil
}

// CreateInitiative stores a new piece of work under a key result. Whoever
// may change the key result may add work to it; the initiative belongs to
// its Owner, the actor when none is set.
func CreateInitiative(tx okrcore.Tx, now time.Time, actor *okrcore.User, in *okrcore.Initiative) error {
	in.Title = okrcore.CleanText(in.Title, false)
	if strings.TrimSpace(in.Title) == "" || utf8.RuneCountInString(in.Title) > okrcore.MaxTitle {
		return okrcore.Errorf(okrcore.KindInvalid, "Give the initiative a short title (up to %d characters).", okrcore.MaxTitle)
	}
	k, err := tx.KeyResult(actor.Workspace, in.KeyResult)
	if err != nil {
		return err
	}
	if err := okrcore.CanChange(tx, actor, k.Owner); err != nil {
		return err
	}
	in.ID, in.Workspace, in.CreatedAt = 0, actor.Workspace, now
	if in.Owner == 0 {
		in.Owner = actor.ID
	}
	if err := tx.PutInitiative(in); err != nil {
		return fmt.Errorf("store initiative: %w", err)
	}
	return nil
}

// SetInitiativeDone marks an initiative done or open again. Its own owner
// may, whatever their role, and so may whoever may change its key result.
func SetInitiativeDone(tx okrcore.Tx, actor *okrcore.User, id okrcore.ID, done bool) (*okrcore.Initiative, error) {
	in, err := tx.Initiative(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	k, err := tx.KeyResult(actor.Workspace, in.KeyResult)
	if err != nil {
		return nil, err
	}
	if in.Owner != actor.ID {
		if err := okrcore.CanChange(tx, actor, k.Owner); err != nil {
			return nil, err
		}
	}
	in.Done = done
	if err := tx.PutInitiative(in); err != nil {
		return nil, fmt.Errorf("store initiative: %w", err)
	}
	return in, nil
}
