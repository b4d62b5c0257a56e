// Package treetest is the conformance of a store's optional read of the
// company tree's roots (RootObjectives: a cycle's objectives aligned to
// nothing), which the web view's company tree and `/okr tree` start from:
// what ObjectivesByCycle says once filtered, as objectives are made,
// aligned, aligned no more, moved to another cycle and deleted, in each
// workspace apart. Imported by the backends' tests only.
package treetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// RootLister is the read a backend offers.
type RootLister interface {
	RootObjectives(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error)
}

// Run checks s's RootObjectives against its ObjectivesByCycle.
func Run(t *testing.T, s okrcore.Store) {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	update := func(what string, fn func(tx okrcore.Tx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	objs := map[string]*okrcore.Objective{}
	put := func(tx okrcore.Tx, name, ws string, cycle okrcore.ID, parentObj, parentKR okrcore.ID) error {
		o := objs[name]
		if o == nil {
			o = &okrcore.Objective{Workspace: ws, Title: name, Owner: okrcore.UserOwner(1), CreatedAt: start}
			objs[name] = o
		}
		o.Cycle, o.ParentObjective, o.ParentKR = cycle, parentObj, parentKR
		return tx.PutObjective(o)
	}
	update("the cycles and a key result", func(tx okrcore.Tx) error {
		var errs []error
		for _, ws := range []string{"w", "x"} {
			for i := range 2 {
				errs = append(errs, tx.PutCycle(&okrcore.Cycle{Workspace: ws, Name: "Q" + string(rune('1'+i)), Start: start.AddDate(0, 3*i, 0), End: start.AddDate(0, 3*i+3, 0)}))
			}
		}
		errs = append(errs, put(tx, "company", "w", 1, 0, 0))
		errs = append(errs, tx.PutKeyResult(&okrcore.KeyResult{Workspace: "w", Objective: 1, Cycle: 1, Title: "KR", Owner: okrcore.UserOwner(1), Metric: okrcore.MetricNumber, Target: 10}))
		return errors.Join(errs...)
	})
	kr := func() okrcore.ID {
		krs, err := okrcore.View(ctx, s, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) {
			return tx.KeyResultsByObjective("w", objs["company"].ID)
		})
		if err != nil || len(krs) != 1 {
			t.Fatalf("the company's key result: %v %v", krs, err)
		}
		return krs[0].ID
	}()
	steps := []struct {
		what string
		fn   func(tx okrcore.Tx) error
	}{
		{"a tree and roots in two cycles and two workspaces", func(tx okrcore.Tx) error {
			return errors.Join(put(tx, "dept", "w", 1, objs["company"].ID, 0), put(tx, "under a key result", "w", 1, 0, kr),
				put(tx, "lone", "w", 1, 0, 0), put(tx, "next quarter", "w", 2, 0, 0), put(tx, "other workspace", "x", 1, 0, 0))
		}},
		{"a root aligned under another", func(tx okrcore.Tx) error { return put(tx, "lone", "w", 1, objs["company"].ID, 0) }},
		{"an aligned one aligned no more", func(tx okrcore.Tx) error { return put(tx, "under a key result", "w", 1, 0, 0) }},
		{"a root moved to the next cycle", func(tx okrcore.Tx) error { return put(tx, "under a key result", "w", 2, 0, 0) }},
		{"a root deleted", func(tx okrcore.Tx) error { return tx.DeleteObjective("w", objs["next quarter"].ID) }},
	}
	for _, st := range steps {
		update(st.what, st.fn)
		err := s.View(ctx, func(tx okrcore.Tx) error {
			rl, ok := tx.(RootLister)
			if !ok {
				t.Fatalf("%T has no RootObjectives", tx)
			}
			for _, ws := range []string{"w", "x", "none"} {
				for c := range okrcore.ID(4) {
					all, err := tx.ObjectivesByCycle(ws, c)
					if err != nil {
						return err
					}
					var want []okrcore.ID
					for _, o := range all {
						if o.ParentKR == 0 && o.ParentObjective == 0 && c != 0 {
							want = append(want, o.ID)
						}
					}
					got, err := rl.RootObjectives(ws, c)
					if err != nil {
						return err
					}
					ids := make([]okrcore.ID, len(got))
					for i, o := range got {
						ids[i] = o.ID
					}
					if !slices.Equal(ids, want) {
						t.Errorf("after %s: RootObjectives(%s, %d) = %v, want %v", st.what, ws, c, ids, want)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("after %s: %v", st.what, err)
		}
	}
}
