package bolt

import (
	"context"
	"reflect"
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
		return tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Name: "Acme", CurrentCycle: 1, AlsoCurrent: []okrcore.ID{2}, Rules: okrcore.DefaultRules(), CreatedAt: at})
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
		w.AlsoCurrent = append(w.AlsoCurrent, 9)
		if got := name(tx); got != "Acme" {
			t.Fatalf("a copy's change was read back: %q", got)
		}
		w.AlsoCurrent[0] = 8
		if again, err := tx.Workspace("T1"); err != nil || !reflect.DeepEqual(again.AlsoCurrent, []okrcore.ID{2}) {
			t.Fatalf("a copy's list shared with the next read: %v, %v", again, err)
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

// TestWorkspaceCopiesShareNothing fails when a field that holds a
// reference (a slice, a map, a pointer) is added to okrcore.Workspace and
// not to copyWorkspace's clones.
func TestWorkspaceCopiesShareNothing(t *testing.T) {
	copied := map[string]bool{"AlsoCurrent": true, "Words": true}
	var refs func(typ reflect.Type, path string)
	refs = func(typ reflect.Type, path string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
				if !copied[path+f.Name] {
					t.Errorf("okrcore.Workspace.%s%s is a %s: make copyWorkspace clone it", path, f.Name, f.Type.Kind())
				}
			case reflect.Struct:
				if f.Type != reflect.TypeFor[time.Time]() {
					refs(f.Type, path+f.Name+".")
				}
			}
		}
	}
	refs(reflect.TypeFor[okrcore.Workspace](), "")
}
