package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// TestFillTotalsAtStart: a store written without roll-up totals (as one
// from before them is) gets the totals of every objective of its open
// cycle from fillTotals, in batches; a second start writes none, and
// fillTotals on an empty store is no error.
func TestFillTotalsAtStart(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := fillTotals(ctx, db, log); err != nil {
		t.Fatalf("an empty store: %v", err)
	}
	spec := storagetest.OrgSpec{Users: 300, Teams: 40, Objectives: totalsBatch + 150, KeyResults: 1500, CheckInsPerKR: 2}
	org, err := storagetest.GenerateOrg(ctx, db, spec)
	if err != nil {
		t.Fatal(err)
	}
	var ids []okrcore.ID
	missing := func() int {
		t.Helper()
		var n int
		// FillTotals in a transaction that is rolled back counts what is
		// missing without writing it.
		errCount := db.Update(ctx, func(tx okrcore.Tx) error {
			objs, err := tx.ObjectivesByCycle(org.Workspace, org.Cycle)
			if err != nil {
				return err
			}
			ids = ids[:0]
			for _, o := range objs {
				ids = append(ids, o.ID)
			}
			if n, err = okrcore.FillTotals(tx, org.Workspace, ids); err != nil {
				return err
			}
			return errRollBack
		})
		if errCount != errRollBack {
			t.Fatal(errCount)
		}
		return n
	}
	if n := missing(); n != len(ids) || n < totalsBatch {
		t.Fatalf("the generated store lacks %d totals of %d objectives", n, len(ids))
	}
	if err := fillTotals(ctx, db, log); err != nil {
		t.Fatal(err)
	}
	if n := missing(); n != 0 {
		t.Fatalf("after fillTotals %d objectives lack totals", n)
	}
	if err := fillTotals(ctx, db, log); err != nil {
		t.Fatal(err)
	}
}

var errRollBack = errors.New("roll back")
