package okrcore

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CreateInitiative stores a new piece of work under a key result. Whoever
// may change the key result may add work to it; the initiative belongs to
// its Owner, the actor when none is set.
func CreateInitiative(tx Tx, now time.Time, actor *User, in *Initiative) error {
	in.Title = CleanText(in.Title, false)
	if strings.TrimSpace(in.Title) == "" || utf8.RuneCountInString(in.Title) > MaxTitle {
		return Errorf(KindInvalid, "Give the initiative a short title (up to %d characters).", MaxTitle)
	}
	k, err := tx.KeyResult(actor.Workspace, in.KeyResult)
	if err != nil {
		return err
	}
	if err := CanChange(tx, actor, k.Owner); err != nil {
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
func SetInitiativeDone(tx Tx, actor *User, id ID, done bool) (*Initiative, error) {
	in, err := tx.Initiative(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	k, err := tx.KeyResult(actor.Workspace, in.KeyResult)
	if err != nil {
		return nil, err
	}
	if in.Owner != actor.ID {
		if err := CanChange(tx, actor, k.Owner); err != nil {
			return nil, err
		}
	}
	in.Done = done
	if err := tx.PutInitiative(in); err != nil {
		return nil, fmt.Errorf("store initiative: %w", err)
	}
	return in, nil
}
