package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres"
)

var leaseT0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// addDue records n pending items due at leaseT0 in workspace T1.
func addDue(t *testing.T, db *postgres.DB, n int) {
	t.Helper()
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Platform: "slack", CreatedAt: leaseT0}); err != nil {
			return err
		}
		for i := range n {
			if _, err := tx.AddOutbox(&okrcore.OutboxItem{Workspace: "T1", Key: fmt.Sprintf("checkin:u%d:2026-W48", i), Kind: okrcore.OutboxCheckIn,
				DueAt: leaseT0, CreatedAt: leaseT0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestClaimersNeverShareAnItem: claimers racing over one outbox each get
// items no other got, and together all of them.
func TestClaimersNeverShareAnItem(t *testing.T) {
	db := open(t)
	const n, claimers = 300, 6
	addDue(t, db, n)
	var mu sync.Mutex
	owner := map[okrcore.ID]string{}
	var wg sync.WaitGroup
	for c := range claimers {
		me := fmt.Sprintf("replica-%d", c)
		wg.Go(func() {
			for {
				items, err := db.ClaimOutbox(context.Background(), me, leaseT0, leaseT0, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					if prev, ok := owner[it.ID]; ok {
						t.Errorf("item %d claimed by %s and %s", it.ID, prev, me)
					}
					owner[it.ID] = me
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(owner) != n {
		t.Errorf("%d items claimed, want %d", len(owner), n)
	}
}

// TestLeaseEnds: a live lease keeps an item from others, renewing keeps it
// live, an ended one lets another take it, and an item put back to
// pending is free at once.
func TestLeaseEnds(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	addDue(t, db, 2)
	lease := 2 * time.Minute
	claim := func(owner string, at time.Time) []*okrcore.OutboxItem {
		t.Helper()
		items, err := db.ClaimOutbox(ctx, owner, at, at, lease, 10)
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	if got := claim("a", leaseT0); len(got) != 2 {
		t.Fatalf("a claimed %d items, want 2", len(got))
	}
	if got := claim("b", leaseT0.Add(lease-time.Second)); len(got) != 0 {
		t.Fatalf("b claimed %d items under a's live lease, want none", len(got))
	}
	if n, err := db.RenewOutbox(ctx, "a", leaseT0.Add(time.Minute), lease); err != nil || n != 2 {
		t.Fatalf("a renewed %d leases (%v), want 2", n, err)
	}
	if got := claim("b", leaseT0.Add(lease+time.Second)); len(got) != 0 {
		t.Fatalf("b claimed %d items under a's renewed lease, want none", len(got))
	}
	// a marks one sending (it left) and puts the other back to pending.
	got := claim("a", leaseT0) // nothing: a's own live lease counts too
	if len(got) != 0 {
		t.Fatalf("a claimed %d items it holds, want none", len(got))
	}
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		for id, st := range map[okrcore.ID]okrcore.OutboxState{1: okrcore.OutboxSending, 2: okrcore.OutboxPending} {
			it, err := tx.OutboxItem("T1", id)
			if err != nil {
				return err
			}
			it.State = st
			if err := tx.PutOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := claim("b", leaseT0.Add(2*time.Minute)); len(got) != 1 || got[0].ID != 2 || got[0].State != okrcore.OutboxPending {
		t.Fatalf("b claimed %v after a put item 2 back; want item 2, pending", ids(got))
	}
	// a died: its lease on item 1 (sending) ends, and b gets it as it was.
	at := leaseT0.Add(time.Minute + lease + time.Second)
	if got := claim("b", at); len(got) != 1 || got[0].ID != 1 || got[0].State != okrcore.OutboxSending {
		t.Fatalf("b claimed %v after a's lease ended; want item 1, sending (to reconcile)", ids(got))
	}
	if n, err := db.RenewOutbox(ctx, "a", at, lease); err != nil || n != 0 {
		t.Errorf("a renewed %d leases it lost (%v), want none", n, err)
	}
}

// TestClaimRefusesBadInput: a lease without an owner or length is refused
// with a sentence, and claims nothing.
func TestClaimRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	addDue(t, db, 1)
	for _, c := range []struct {
		owner string
		lease time.Duration
	}{{"", time.Minute}, {"a", 0}, {"a", -time.Second}} {
		if _, err := db.ClaimOutbox(ctx, c.owner, leaseT0, leaseT0, c.lease, 5); okrcore.ErrorKindOf(err) != okrcore.KindInvalid || okrcore.ErrorMessage(err) == "" {
			t.Errorf("claim by %q for %v: %v, want invalid", c.owner, c.lease, err)
		}
		if _, err := db.RenewOutbox(ctx, c.owner, leaseT0, c.lease); okrcore.ErrorKindOf(err) != okrcore.KindInvalid || okrcore.ErrorMessage(err) == "" {
			t.Errorf("renew by %q for %v: %v, want invalid", c.owner, c.lease, err)
		}
	}
	if got, err := db.ClaimOutbox(ctx, "a", leaseT0, leaseT0, time.Minute, 5); err != nil || len(got) != 1 {
		t.Errorf("after refused claims, a claimed %d (%v), want the one item", len(got), err)
	}
}

func ids(items []*okrcore.OutboxItem) []okrcore.ID {
	var out []okrcore.ID
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}
