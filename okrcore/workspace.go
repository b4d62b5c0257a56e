package okrcore

import (
	"fmt"
	"time"
)

// EnsureWorkspace creates a workspace on first use, with the quarter of now
// as its current cycle, and remembers the platform of a workspace that did
// not know it yet.
func EnsureWorkspace(tx Tx, ws, platform string, now time.Time) error {
	w, err := tx.Workspace(ws)
	if err == nil {
		if w.Platform == "" && platform != "" {
			w.Platform = platform
			return tx.PutWorkspace(w)
		}
		return nil
	}
	if !IsNotFound(err) {
		return err
	}
	c := QuarterOf(now)
	c.Workspace = ws
	if err := tx.PutCycle(&c); err != nil {
		return fmt.Errorf("create first cycle: %w", err)
	}
	return tx.PutWorkspace(&Workspace{ID: ws, Name: ws, Platform: platform, CurrentCycle: c.ID, Rules: DefaultRules(), CreatedAt: now})
}

// SetRules lets change edit the workspace's OKR rules (starting from the
// ones in force, defaults filled in) and stores them. Admins only; change
// runs after that check. It returns the rules now in force.
func SetRules(tx Tx, actor *User, change func(r *Rules) error) (Rules, error) {
	w, err := tx.Workspace(actor.Workspace)
	if err != nil {
		return Rules{}, err
	}
	if err := RequireAdmin(actor, "change the OKR rules"); err != nil {
		return Rules{}, err
	}
	r := w.Rules.OrDefault()
	if err := change(&r); err != nil {
		return Rules{}, err
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	w.Rules = r
	if err := tx.PutWorkspace(w); err != nil {
		return Rules{}, fmt.Errorf("store workspace: %w", err)
	}
	return r, nil
}
