package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// TestOneSenderAtATime: of replicas asking together, one becomes the
// outbox's sender; it keeps its term by renewing it, the others get it
// only once it ended or was resigned.
func TestOneSenderAtATime(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	const lease = time.Minute
	var mu sync.Mutex
	var won []string
	var wg sync.WaitGroup
	for i := range 8 {
		me := fmt.Sprintf("replica-%d", i)
		wg.Go(func() {
			ok, err := db.LeadOutbox(ctx, me, leaseT0, lease)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won = append(won, me)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d replicas became the sender (%v), want one", len(won), won)
	}
	leader := won[0]
	steps := []struct {
		what  string
		owner string
		at    time.Time
		want  bool
	}{
		{"another, while the term lives", "other", leaseT0.Add(lease - time.Second), false},
		{"the sender renews it", leader, leaseT0.Add(lease - time.Second), true},
		{"another, past the first term but within the renewed one", "other", leaseT0.Add(lease + time.Second), false},
		{"another, once the renewed term ended", "other", leaseT0.Add(2*lease - time.Second), true},
		{"the old sender, back too late", leader, leaseT0.Add(2 * lease), false},
	}
	for _, s := range steps {
		ok, err := db.LeadOutbox(ctx, s.owner, s.at, lease)
		if err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if ok != s.want {
			t.Fatalf("%s: sender = %v, want %v", s.what, ok, s.want)
		}
	}
	if err := db.ResignOutbox(ctx, leader); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.LeadOutbox(ctx, leader, leaseT0.Add(2*lease), lease); ok {
		t.Fatal("a replica that is not the sender resigned the sender's term")
	}
	if err := db.ResignOutbox(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.LeadOutbox(ctx, leader, leaseT0.Add(2*lease), lease); err != nil || !ok {
		t.Fatalf("after the sender resigned: sender = %v, %v; want the term at once", ok, err)
	}
	if _, err := db.LeadOutbox(ctx, "", leaseT0, lease); okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
		t.Fatalf("a term without an owner: %v, want refused as invalid", err)
	}
}

// TestOutboxLeaseNamesItsOwner: a transaction reads who holds an item's
// lease, nobody once it went back to pending.
func TestOutboxLeaseNamesItsOwner(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	addDue(t, db, 2)
	items, err := db.ClaimOutbox(ctx, "a", leaseT0, leaseT0, time.Minute, 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %d items, %v", len(items), err)
	}
	type leaseReader interface {
		OutboxLease(ws string, id okrcore.ID) (string, error)
	}
	owner := func(id okrcore.ID) (got string) {
		t.Helper()
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			var err error
			got, err = tx.(leaseReader).OutboxLease("T1", id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	claimed := items[0]
	if got := owner(claimed.ID); got != "a" {
		t.Fatalf("claimed item's lease owner %q, want a", got)
	}
	if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.PutOutbox(claimed) }); err != nil {
		t.Fatal(err)
	}
	if got := owner(claimed.ID); got != "" {
		t.Fatalf("lease owner %q after the item went back to pending, want none", got)
	}
	// A dispatcher that stops hands back what it still holds, and only that.
	rest, err := db.ClaimOutbox(ctx, "a", leaseT0, leaseT0, time.Minute, 5)
	if err != nil || len(rest) != 2 {
		t.Fatalf("claim the rest: %d items, %v", len(rest), err)
	}
	if n, err := db.ReleaseOutbox(ctx, "b"); err != nil || n != 0 {
		t.Fatalf("another owner's release: %d, %v; want none", n, err)
	}
	if n, err := db.ReleaseOutbox(ctx, "a"); err != nil || n != 2 {
		t.Fatalf("release: %d, %v; want the 2 claimed", n, err)
	}
	for _, it := range rest {
		if got := owner(it.ID); got != "" {
			t.Fatalf("lease owner %q after the release, want none", got)
		}
	}
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		_, err := tx.(leaseReader).OutboxLease("T1", 999)
		return err
	})
	if okrcore.ErrorKindOf(err) != okrcore.KindNotFound {
		t.Fatalf("lease of a missing item: %v, want not found", err)
	}
}

// TestLeasedOutboxReadsItemsWithTheirOwners: a group of items is read with
// their leases' owners in one query, an ID not stored left out, and an
// item read so is still refused a changed key when it is put.
func TestLeasedOutboxReadsItemsWithTheirOwners(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	addDue(t, db, 3)
	claimed, err := db.ClaimOutbox(ctx, "a", leaseT0, leaseT0, time.Minute, 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d items, %v", len(claimed), err)
	}
	type leasedReader interface {
		LeasedOutbox(ws string, ids []okrcore.ID) ([]*okrcore.OutboxItem, []string, error)
	}
	var items []*okrcore.OutboxItem
	var owners []string
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		items, owners, err = tx.(leasedReader).LeasedOutbox("T1", []okrcore.ID{3, claimed[1].ID, 999, claimed[0].ID})
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		changed := *items[0]
		changed.Key = "checkin:someone-else"
		if err := tx.PutOutbox(&changed); okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
			t.Errorf("put of an item read with its lease under another key: %v, want refused as invalid", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[okrcore.ID]string{}
	for i, it := range items {
		got[it.ID] = owners[i]
	}
	want := map[okrcore.ID]string{claimed[0].ID: "a", claimed[1].ID: "a", 3: ""}
	if len(got) != len(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	for id, owner := range want {
		if o, ok := got[id]; !ok || o != owner {
			t.Errorf("item %d: owner %q (read %v), want %q", id, o, ok, owner)
		}
	}
	for _, it := range items {
		if it.Workspace != "T1" || it.Key == "" {
			t.Errorf("item %d read as %+v", it.ID, it)
		}
	}
}
