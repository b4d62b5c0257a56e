package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestTransactionRemembersWhatItWrote: a transaction reads again what it
// read and wrote as the server would give it: its own puts and deletes,
// never a caller's change to a record it was handed, and an entry that
// expired while it ran as gone.
func TestTransactionRemembersWhatItWrote(t *testing.T) {
	clock := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	db, err := postgres.Open(context.Background(), postgrestest.URL(t), postgres.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const ws = "T1"
	var cycle, objective, stored okrcore.ID
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		if err := tx.PutWorkspace(&okrcore.Workspace{ID: ws, Name: "Acme"}); err != nil {
			return err
		}
		c := &okrcore.Cycle{Workspace: ws, Name: "Q4"}
		if err := tx.PutCycle(c); err != nil {
			return err
		}
		cycle = c.ID
		o := &okrcore.Objective{Workspace: ws, Cycle: c.ID, Title: "Grow"}
		if err := tx.PutObjective(o); err != nil {
			return err
		}
		objective = o.ID
		withTotals := &okrcore.Objective{Workspace: ws, Cycle: c.ID, Title: "Keep"}
		if err := tx.PutObjective(withTotals); err != nil {
			return err
		}
		stored = withTotals.ID
		return tx.PutState(ws, okrcore.TotalsKey(stored), []byte("stored"), time.Time{})
	})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func(t *testing.T, tx okrcore.Tx)
	}{
		{"a record changed by its reader and not put reads as stored", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			c := mustCycle(t, tx, ws, cycle)
			c.Name = "changed"
			if got := mustCycle(t, tx, ws, cycle); got.Name != "Q4" {
				t.Errorf("read %q after an unsaved change, want Q4", got.Name)
			}
		}},
		{"a record put reads as put", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			c := mustCycle(t, tx, ws, cycle)
			c.Name = "Q4 2026"
			if err := tx.PutCycle(c); err != nil {
				t.Fatal(err)
			}
			c.Name = "changed after the put"
			if got := mustCycle(t, tx, ws, cycle); got.Name != "Q4 2026" {
				t.Errorf("read %q after the put, want Q4 2026", got.Name)
			}
		}},
		{"a record deleted is not found", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			mustCycle(t, tx, ws, cycle)
			if err := tx.DeleteCycle(ws, cycle); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Cycle(ws, cycle); !okrcore.IsNotFound(err) {
				t.Errorf("read a deleted cycle: %v", err)
			}
		}},
		{"the workspace put reads as put", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			w, err := tx.Workspace(ws)
			if err != nil {
				t.Fatal(err)
			}
			w.Name = "Acme Inc"
			if err := tx.PutWorkspace(w); err != nil {
				t.Fatal(err)
			}
			if got, err := tx.Workspace(ws); err != nil || got.Name != "Acme Inc" {
				t.Errorf("workspace %+v, %v after the put", got, err)
			}
		}},
		{"state: written, changed by its reader, deleted", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			if err := tx.PutState(ws, "k", []byte("one"), time.Time{}); err != nil {
				t.Fatal(err)
			}
			b, err := tx.State(ws, "k")
			if err != nil || string(b) != "one" {
				t.Fatalf("state %q, %v", b, err)
			}
			b[0] = 'X'
			if b, err := tx.State(ws, "k"); err != nil || !bytes.Equal(b, []byte("one")) {
				t.Errorf("state %q, %v after the reader changed its copy", b, err)
			}
			if err := tx.DeleteState(ws, "k"); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.State(ws, "k"); !okrcore.IsNotFound(err) {
				t.Errorf("read deleted state: %v", err)
			}
		}},
		{"an objective's totals, read with it: none, then written, then deleted", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			key := okrcore.TotalsKey(objective)
			if _, err := tx.Objective(ws, objective); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.State(ws, key); !okrcore.IsNotFound(err) {
				t.Fatalf("totals that were never written: %v", err)
			}
			if err := tx.PutState(ws, key, []byte("t1"), time.Time{}); err != nil {
				t.Fatal(err)
			}
			if b, err := tx.State(ws, key); err != nil || string(b) != "t1" {
				t.Errorf("totals %q, %v after the put", b, err)
			}
			if err := tx.DeleteState(ws, key); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.State(ws, key); !okrcore.IsNotFound(err) {
				t.Errorf("deleted totals: %v", err)
			}
		}},
		{"an objective's stored totals, read with it", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			key := okrcore.TotalsKey(stored)
			if _, err := tx.Objective(ws, stored); err != nil {
				t.Fatal(err)
			}
			if b, err := tx.State(ws, key); err != nil || string(b) != "stored" {
				t.Errorf("totals %q, %v", b, err)
			}
		}},
		{"state that expires while the transaction runs is gone", func(t *testing.T, tx okrcore.Tx) {
			t.Helper()
			if err := tx.PutState(ws, "soon", []byte("x"), clock.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.State(ws, "soon"); err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(time.Hour)
			if _, err := tx.State(ws, "soon"); !okrcore.IsNotFound(err) {
				t.Errorf("read expired state: %v", err)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			// Each step rolled back, so that the next starts from the stored
			// cycle.
			errRollBack := errors.New("roll back")
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				s.do(t, tx)
				return errRollBack
			})
			if err != errRollBack {
				t.Fatal(err)
			}
		})
	}
}

func mustCycle(t *testing.T, tx okrcore.Tx, ws string, id okrcore.ID) *okrcore.Cycle {
	t.Helper()
	c, err := tx.Cycle(ws, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWritesGetAConnectionWhileReadsWait: reads that hold every
// connection they may leave a write its own, and a read that asks no
// query begins no transaction.
func TestWritesGetAConnectionWhileReadsWait(t *testing.T) {
	db, err := postgres.Open(context.Background(), postgrestest.URL(t), postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	hold := make(chan struct{})
	held := make(chan struct{})
	done := make(chan error, 8)
	for range 8 {
		go func() {
			done <- db.View(ctx, func(tx okrcore.Tx) error {
				if _, err := tx.Workspaces(); err != nil {
					return err
				}
				held <- struct{}{}
				<-hold
				return nil
			})
		}()
	}
	for range 3 { // three of four connections: the reads' share
		<-held
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Update(wctx, func(tx okrcore.Tx) error { return tx.PutWorkspace(&okrcore.Workspace{ID: "T1"}) }); err != nil {
		t.Fatalf("a write while reads hold their connections: %v", err)
	}
	close(hold)
	for range 5 {
		<-held
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := db.View(ctx, func(okrcore.Tx) error { return nil }); err != nil {
		t.Fatalf("a read without a query: %v", err)
	}
	if s := db.Stats(); s.Acquired != 0 {
		t.Errorf("%d connections still out after every read ended", s.Acquired)
	}
}
