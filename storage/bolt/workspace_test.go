package bolt

import (
	"context"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// TestWorkspaceReadOncePerTransaction: the workspace a transaction keeps
// decoded is handed out as copies (a change to one is not the next
// read's), a write in the transaction is what it reads after, and the
// next transaction reads what was committed.
func TestWorkspaceReadOncePerTransaction(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		return tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Name: "Acme", CurrentCycle: 1, Rules: okrcore.DefaultRules(), CreatedAt: at})
	}); err != nil {
		t.Fatal(err)
	}
	name := func(tx okrcore.Tx) string {
		t.Helper()
		w, err := tx.Workspace("T1")
		if err != nil {
			t.Fatal(err)
		}
		return w.Name
	}
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace("T1")
		if err != nil {
			return err
		}
		w.Name, w.Rules.MaxObjectives = "changed, not stored", 99
		if got := name(tx); got != "Acme" {
			t.Fatalf("a copy's change was read back: %q", got)
		}
		w.Name = "Acme Corp"
		if err := tx.PutWorkspace(w); err != nil {
			return err
		}
		w.Name = "changed after the write"
		if got := name(tx); got != "Acme Corp" {
			t.Fatalf("after a write in the transaction: %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace("T1")
		if err == nil && (w.Name != "Acme Corp" || w.Rules.MaxObjectives != 99) {
			t.Fatalf("committed: %+v", w)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
