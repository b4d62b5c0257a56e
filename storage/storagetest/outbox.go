package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func newItem(ws, key string, due time.Time) *okrcore.OutboxItem {
	return &okrcore.OutboxItem{
		Workspace: ws, Key: key, Kind: okrcore.OutboxCheckIn, User: 1, Period: "2025-W02",
		DueAt: due, State: okrcore.OutboxPending, CreatedAt: base,
	}
}

// add runs AddOutbox on each item in one transaction and returns what it
// reported for each.
func add(t *testing.T, s okrcore.Store, items ...*okrcore.OutboxItem) []bool {
	t.Helper()
	var created []bool
	update(t, s, func(tx okrcore.Tx) error {
		created = created[:0]
		for _, it := range items {
			ok, err := tx.AddOutbox(it)
			if err != nil {
				return err
			}
			created = append(created, ok)
		}
		return nil
	})
	return created
}

// refs names items as "ws/id", the identity of an item across workspaces.
func refs(items []*okrcore.OutboxItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s/%d", it.Workspace, it.ID))
	}
	return out
}

func due(t *testing.T, s okrcore.Store, now time.Time, limit int) []*okrcore.OutboxItem {
	t.Helper()
	return must(t, s, func(tx okrcore.Tx) ([]*okrcore.OutboxItem, error) { return tx.DueOutbox(now, limit) })
}

func wantDue(t *testing.T, what string, s okrcore.Store, now time.Time, limit int, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := refs(due(t, s, now, limit)); !slices.Equal(got, want) {
		t.Fatalf("%s: DueOutbox(%s, %d) = %v, want %v", what, now.Format(time.RFC3339Nano), limit, got, want)
	}
}

func wantOpen(t *testing.T, what string, s okrcore.Store, n int, oldest time.Time) {
	t.Helper()
	var gotN int
	var gotOldest time.Time
	view(t, s, func(tx okrcore.Tx) error {
		var err error
		gotN, gotOldest, err = tx.OpenOutbox()
		return err
	})
	if gotN != n || !gotOldest.Equal(oldest) {
		t.Fatalf("%s: OpenOutbox = %d, %s; want %d, %s", what, gotN, gotOldest, n, oldest)
	}
}

func outboxItem(t *testing.T, s okrcore.Store, ws string, id okrcore.ID) *okrcore.OutboxItem {
	t.Helper()
	return must(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxItem(ws, id) })
}

func testOutboxAdd(t *testing.T, s okrcore.Store) {
	i1 := newItem("w", "checkin:u1:2025-W02", base)
	i1.State = "" // means pending
	i2 := newItem("w", "digest:t3:2025-W02", base.Add(time.Hour))
	i2.Kind, i2.User, i2.Team = okrcore.OutboxDigest, 0, 3
	equal(t, "created", add(t, s, i1, i2), []bool{true, true})
	equal(t, "IDs", []okrcore.ID{i1.ID, i2.ID}, []okrcore.ID{1, 2})
	equal(t, "empty state stored as", i1.State, okrcore.OutboxPending)
	equal(t, "item 1", outboxItem(t, s, "w", 1), i1)
	equal(t, "item 2 by key", must(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) {
		return tx.OutboxByKey("w", "digest:t3:2025-W02")
	}), i2)

	// The same key again is a no-op that reports the stored item's ID,
	// whatever the rest of the new item says; in the transaction that
	// created it, too.
	dup := newItem("w", "checkin:u1:2025-W02", base.Add(-time.Hour))
	dup.Kind, dup.State, dup.Attempts = okrcore.OutboxReminder, okrcore.OutboxSent, 3
	dupCopy := *dup
	i3 := newItem("w", "checkin:u2:2025-W02", base)
	i3dup := newItem("w", "checkin:u2:2025-W02", base.Add(time.Minute))
	equal(t, "created with duplicates", add(t, s, dup, i3, i3dup), []bool{false, true, false})
	equal(t, "ID of a duplicate", dup.ID, i1.ID)
	dupCopy.ID = dup.ID
	equal(t, "rest of a duplicate", dup, &dupCopy)
	equal(t, "ID of a duplicate in the creating transaction", []okrcore.ID{i3.ID, i3dup.ID}, []okrcore.ID{3, 3})
	equal(t, "item 1 after a duplicate", outboxItem(t, s, "w", 1), i1)
	equal(t, "item 3 after a duplicate", outboxItem(t, s, "w", 3), i3)
	wantOpen(t, "after duplicates", s, 3, base)

	// Items that are refused leave nothing behind.
	for _, tc := range []struct {
		name string
		it   *okrcore.OutboxItem
		kind okrcore.ErrorKind
	}{
		{"nil", nil, okrcore.KindInvalid},
		{"no workspace", newItem("", "k", base), okrcore.KindInvalid},
		{"empty key", newItem("w", "", base), okrcore.KindInvalid},
		{"unknown kind", func() *okrcore.OutboxItem { it := newItem("w", "k", base); it.Kind = "fax"; return it }(), okrcore.KindInvalid},
		{"no kind", func() *okrcore.OutboxItem { it := newItem("w", "k", base); it.Kind = ""; return it }(), okrcore.KindInvalid},
		{"unknown state", func() *okrcore.OutboxItem { it := newItem("w", "k", base); it.State = "lost"; return it }(), okrcore.KindInvalid},
		{"invalid item under a stored key", func() *okrcore.OutboxItem {
			it := newItem("w", "checkin:u1:2025-W02", base)
			it.Kind = "fax"
			return it
		}(), okrcore.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(context.Background(), func(tx okrcore.Tx) error { return second(tx.AddOutbox(tc.it)) })
			wantKind(t, err, tc.kind, "AddOutbox of "+tc.name)
			wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxItem("w", 4) })), tc.name+" stored")
			wantOpen(t, "after refusing "+tc.name, s, 3, base)
		})
	}

	for name, fn := range map[string]func(tx okrcore.Tx) (*okrcore.OutboxItem, error){
		"unknown ID":             func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxItem("w", 99) },
		"ID 0":                   func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxItem("w", 0) },
		"unknown key":            func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey("w", "checkin:u9:2025-W02") },
		"empty key":              func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey("w", "") },
		"prefix of a stored key": func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey("w", "checkin:u1") },
	} {
		wantNotFound(t, second(get(t, s, fn)), name)
	}
}

func testOutboxIsolation(t *testing.T, s okrcore.Store) {
	a, b := newItem("a", "digest:t1:2025-W02", base), newItem("b", "digest:t1:2025-W02", base)
	onlyA := newItem("a", "digest:t2:2025-W02", base)
	equal(t, "same key in two workspaces", add(t, s, a, b, onlyA), []bool{true, true, true})
	equal(t, "IDs per workspace", []okrcore.ID{a.ID, b.ID, onlyA.ID}, []okrcore.ID{1, 1, 2})
	wantDue(t, "both workspaces", s, base, 0, "a/1", "a/2", "b/1")
	wantOpen(t, "both workspaces", s, 3, base)

	view(t, s, func(tx okrcore.Tx) error {
		wantNotFound(t, second(tx.OutboxItem("b", 2)), "item 2 of a in b")
		wantNotFound(t, second(tx.OutboxByKey("b", onlyA.Key)), "key of a in b")
		wantNotFound(t, second(tx.OutboxItem("ab", 1)), "item 1 in a workspace whose name starts with a")
		got, err := tx.OutboxByKey("b", a.Key)
		if err != nil {
			return err
		}
		equal(t, "b's item by the shared key", got, b)
		return nil
	})

	// Changing a's item leaves b's alone; b cannot change a's.
	a.State = okrcore.OutboxSent
	put(t, s, func(tx okrcore.Tx) error { return tx.PutOutbox(a) })
	equal(t, "b's item after a's was sent", outboxItem(t, s, "b", 1), b)
	wantDue(t, "after a's was sent", s, base, 0, "a/2", "b/1")
	intruder := *onlyA
	intruder.Workspace = "b"
	err := s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutOutbox(&intruder) })
	wantNotFound(t, err, "PutOutbox of a's item 2 in b")
	equal(t, "a's item 2", outboxItem(t, s, "a", 2), onlyA)
	wantOpen(t, "after a's was sent", s, 2, base)
}

func testOutboxDue(t *testing.T, s okrcore.Store) {
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	berlin := time.FixedZone("CET", 3600)
	items := []*okrcore.OutboxItem{
		newItem("b", "k1", h(2)),             // b/1
		newItem("a", "k1", h(2)),             // a/1
		newItem("a", "k2", h(1)),             // a/2
		newItem("c", "k1", h(-1)),            // c/1
		newItem("a", "k3", h(2).In(berlin)),  // a/3: the same instant as a/1, another zone
		newItem("b", "k2", h(5)),             // b/2
		newItem("c", "k2", time.Time{}),      // c/2: no due time, due at once
		newItem("a", "k4", h(-3).Add(-1e9)),  // a/4
		newItem("b", "k3", h(2).Add(1)),      // b/3: a nanosecond later
		newItem("a", "k5", h(48).In(berlin)), // a/5
	}
	add(t, s, items...)
	for _, tc := range []struct {
		name  string
		now   time.Time
		limit int
		want  []string
	}{
		{"zero time", time.Time{}, 0, []string{"c/2"}},
		{"past", h(-2), 0, []string{"c/2", "a/4"}},
		{"an hour ago", h(-1), 0, []string{"c/2", "a/4", "c/1"}},
		{"just before the tie", h(2).Add(-1), 0, []string{"c/2", "a/4", "c/1", "a/2"}},
		{"at the tie, inclusive, by workspace then ID", h(2), 0, []string{"c/2", "a/4", "c/1", "a/2", "a/1", "a/3", "b/1"}},
		{"a nanosecond later", h(2).Add(1), 0, []string{"c/2", "a/4", "c/1", "a/2", "a/1", "a/3", "b/1", "b/3"}},
		{"limit", h(2), 3, []string{"c/2", "a/4", "c/1"}},
		{"limit in the tie", h(2), 5, []string{"c/2", "a/4", "c/1", "a/2", "a/1"}},
		{"limit above what is due", h(2), 50, []string{"c/2", "a/4", "c/1", "a/2", "a/1", "a/3", "b/1"}},
		{"negative limit", h(10), -1, []string{"c/2", "a/4", "c/1", "a/2", "a/1", "a/3", "b/1", "b/3", "b/2"}},
		{"now in another zone", h(1).In(berlin), 0, []string{"c/2", "a/4", "c/1", "a/2"}},
		{"far future", h(10000), 0, []string{"c/2", "a/4", "c/1", "a/2", "a/1", "a/3", "b/1", "b/3", "b/2", "a/5"}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantDue(t, tc.name, s, tc.now, tc.limit, tc.want...) })
	}
	got := due(t, s, h(2), 0)
	equal(t, "a/3 as stored", got[5].DueAt.Equal(h(2)), true)
	wantOpen(t, "ten items", s, 10, time.Time{})
}

// testOutboxStates walks one item through its life: each step changes it
// with PutOutbox and checks where it shows.
func testOutboxStates(t *testing.T, s okrcore.Store) {
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	other := newItem("x", "digest:t1:2025-W02", h(10)) // stays open throughout
	it := newItem("w", "checkin:u1:2025-W02", h(0))
	add(t, s, other, it)
	for _, step := range []struct {
		name   string
		change func(it *okrcore.OutboxItem)
		open   bool
	}{
		{"pending → sending", func(it *okrcore.OutboxItem) { it.State, it.Attempts = okrcore.OutboxSending, 1 }, true},
		{"sending → pending, retry later", func(it *okrcore.OutboxItem) {
			it.State, it.DueAt, it.LastError = okrcore.OutboxPending, h(1), "rate limited"
		}, true},
		{"postponed past the other workspace's", func(it *okrcore.OutboxItem) { it.DueAt = h(12) }, true},
		{"brought forward", func(it *okrcore.OutboxItem) { it.DueAt = h(-2) }, true},
		{"pending → sending again", func(it *okrcore.OutboxItem) { it.State, it.Attempts = okrcore.OutboxSending, 2 }, true},
		{"sending → sent", func(it *okrcore.OutboxItem) {
			it.State, it.SentRef, it.SentAt, it.LastError = okrcore.OutboxSent, "D1/1700000000.000100", h(-1), ""
		}, false},
		{"sent, due time changed", func(it *okrcore.OutboxItem) { it.DueAt = h(-5) }, false},
		{"sent → pending (resend)", func(it *okrcore.OutboxItem) { it.State = okrcore.OutboxPending }, true},
		{"pending → skipped", func(it *okrcore.OutboxItem) { it.State = okrcore.OutboxSkipped }, false},
		{"skipped → failed", func(it *okrcore.OutboxItem) { it.State, it.LastError = okrcore.OutboxFailed, "account gone" }, false},
		{"failed → empty state (pending)", func(it *okrcore.OutboxItem) { it.State, it.DueAt = "", h(3) }, true},
		{"pending → failed", func(it *okrcore.OutboxItem) { it.State = okrcore.OutboxFailed }, false},
	} {
		step.change(it)
		put(t, s, func(tx okrcore.Tx) error { return tx.PutOutbox(it) })
		if it.State == "" {
			t.Fatalf("%s: empty state not set to pending", step.name)
		}
		equal(t, step.name+": stored", outboxItem(t, s, "w", it.ID), it)
		n, oldest := 1, other.DueAt
		want := []string{"x/1"}
		if step.open {
			n = 2
			if it.DueAt.Before(oldest) {
				oldest, want = it.DueAt, []string{"w/1", "x/1"}
			} else {
				want = []string{"x/1", "w/1"}
			}
		}
		wantDue(t, step.name, s, h(100), 0, want...)
		wantOpen(t, step.name, s, n, oldest)
		// An open item is due from its due time on, not before.
		dueNow := slices.Contains(refs(due(t, s, it.DueAt, 0)), "w/1")
		dueBefore := slices.Contains(refs(due(t, s, it.DueAt.Add(-1), 0)), "w/1")
		if dueNow != step.open || dueBefore {
			t.Fatalf("%s: due at its due time %v, a nanosecond before %v; open %v", step.name, dueNow, dueBefore, step.open)
		}
	}

	// What PutOutbox refuses leaves the item as it was.
	stored := outboxItem(t, s, "w", 1)
	for _, tc := range []struct {
		name   string
		change func(it *okrcore.OutboxItem)
		kind   okrcore.ErrorKind
	}{
		{"key change", func(it *okrcore.OutboxItem) { it.Key, it.State = "checkin:u1:2025-W03", okrcore.OutboxPending }, okrcore.KindInvalid},
		{"ID 0", func(it *okrcore.OutboxItem) { it.ID, it.Key = 0, "new:key" }, okrcore.KindInvalid},
		{"unknown ID", func(it *okrcore.OutboxItem) { it.ID = 7 }, okrcore.KindNotFound},
		{"other workspace", func(it *okrcore.OutboxItem) { it.Workspace = "x2" }, okrcore.KindNotFound},
		{"unknown state", func(it *okrcore.OutboxItem) { it.State = "lost" }, okrcore.KindInvalid},
		{"unknown kind", func(it *okrcore.OutboxItem) { it.Kind = "fax" }, okrcore.KindInvalid},
		{"empty key", func(it *okrcore.OutboxItem) { it.Key = "" }, okrcore.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *stored
			tc.change(&c)
			err := s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutOutbox(&c) })
			wantKind(t, err, tc.kind, "PutOutbox with a "+tc.name)
			equal(t, "item after a refused "+tc.name, outboxItem(t, s, "w", 1), stored)
			if c.Workspace != stored.Workspace || c.Key != stored.Key {
				wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) {
					return tx.OutboxByKey(c.Workspace, c.Key)
				})), "key of a refused "+tc.name)
			}
			wantOpen(t, "after a refused "+tc.name, s, 1, other.DueAt)
		})
	}
	err := s.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutOutbox(nil) })
	wantKind(t, err, okrcore.KindInvalid, "PutOutbox(nil)")
}

func testOutboxOpenCount(t *testing.T, s okrcore.Store) {
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	wantOpen(t, "empty", s, 0, time.Time{})
	wantDue(t, "empty", s, h(100), 0)
	a1, a2, b1 := newItem("a", "k1", h(3)), newItem("a", "k2", h(1)), newItem("b", "k1", h(2))
	add(t, s, a1, a2, b1)
	wantOpen(t, "three added", s, 3, h(1))

	// A failed update changes nothing, though it saw its own changes.
	err := s.Update(context.Background(), func(tx okrcore.Tx) error {
		if _, err := tx.AddOutbox(newItem("a", "k3", h(-1))); err != nil {
			return err
		}
		if _, err := tx.AddOutbox(newItem("c", "k1", h(4))); err != nil {
			return err
		}
		sent := *a2
		sent.State = okrcore.OutboxSent
		if err := tx.PutOutbox(&sent); err != nil {
			return err
		}
		later := *b1
		later.DueAt = h(9)
		if err := tx.PutOutbox(&later); err != nil {
			return err
		}
		n, oldest, err := tx.OpenOutbox()
		if err != nil {
			return err
		}
		if n != 4 || !oldest.Equal(h(-1)) {
			return fmt.Errorf("OpenOutbox inside the update = %d, %s; want 4, %s", n, oldest, h(-1))
		}
		due, err := tx.DueOutbox(h(100), 0)
		if err != nil {
			return err
		}
		if got := refs(due); !slices.Equal(got, []string{"a/3", "a/1", "c/1", "b/1"}) {
			return fmt.Errorf("DueOutbox inside the update = %v", got)
		}
		return errSentinel
	})
	if !errors.Is(err, errSentinel) {
		t.Fatalf("failing update: %v", err)
	}
	wantOpen(t, "after rollback", s, 3, h(1))
	wantDue(t, "after rollback", s, h(100), 0, "a/2", "b/1", "a/1")
	equal(t, "b/1 after rollback", outboxItem(t, s, "b", 1), b1)
	view(t, s, func(tx okrcore.Tx) error {
		wantNotFound(t, second(tx.OutboxByKey("a", "k3")), "item added in a rolled-back update")
		wantNotFound(t, second(tx.OutboxItem("c", 1)), "item added in a rolled-back update")
		return nil
	})

	// Adding a stored key changes nothing; an item added closed is not open.
	closed := newItem("b", "k2", h(-7))
	closed.State = okrcore.OutboxSkipped
	equal(t, "created", add(t, s, newItem("a", "k1", h(-9)), closed), []bool{false, true})
	wantOpen(t, "after a duplicate and a closed item", s, 3, h(1))
	wantDue(t, "after a duplicate and a closed item", s, h(100), 0, "a/2", "b/1", "a/1")

	// Closing the oldest moves the oldest on; closing all leaves none.
	for i, tc := range []struct {
		it     *okrcore.OutboxItem
		n      int
		oldest time.Time
	}{{a2, 2, h(2)}, {a1, 1, h(2)}, {b1, 0, time.Time{}}} {
		tc.it.State = okrcore.OutboxSent
		put(t, s, func(tx okrcore.Tx) error { return tx.PutOutbox(tc.it) })
		wantOpen(t, fmt.Sprint("after closing ", i+1), s, tc.n, tc.oldest)
	}
	wantDue(t, "all closed", s, h(100), 0)
}

// testOutboxConcurrentAdd enqueues one key from many goroutines at once,
// some of whose updates fail: exactly one item is made, and every update
// that succeeded learns its ID.
func testOutboxConcurrentAdd(t *testing.T, s okrcore.Store) {
	const writers = 64
	var wg sync.WaitGroup
	type result struct {
		created bool
		id      okrcore.ID
		err     error
		own     *okrcore.OutboxItem
	}
	results := make([]result, writers)
	start := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			shared := newItem("w", "checkin:u1:2025-W02", base.Add(time.Duration(w)*time.Minute))
			own := newItem("w", fmt.Sprintf("checkin:u%d:2025-W02", w+100), base)
			var created bool
			err := s.Update(context.Background(), func(tx okrcore.Tx) error {
				shared.ID, own.ID = 0, 0
				var err error
				if created, err = tx.AddOutbox(shared); err != nil {
					return err
				}
				if _, err := tx.AddOutbox(own); err != nil {
					return err
				}
				if w%4 == 3 {
					return errSentinel
				}
				return nil
			})
			results[w] = result{created, shared.ID, err, own}
		}()
	}
	close(start)
	wg.Wait()
	stored, err := get(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey("w", "checkin:u1:2025-W02") })
	if err != nil {
		t.Fatal(err)
	}
	creators := 0
	var owned []string
	for w, r := range results {
		if w%4 == 3 {
			if !errors.Is(r.err, errSentinel) {
				t.Fatalf("failing writer %d: %v", w, r.err)
			}
			wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey("w", r.own.Key) })), "own item of a failed update")
			continue
		}
		if r.err != nil {
			t.Fatalf("writer %d: %v", w, r.err)
		}
		if r.created {
			creators++
		}
		if r.id != stored.ID {
			t.Fatalf("writer %d got ID %d for the shared key, stored is %d", w, r.id, stored.ID)
		}
		owned = append(owned, fmt.Sprintf("w/%d", r.own.ID))
	}
	if creators != 1 {
		t.Fatalf("%d updates created the shared item, want 1", creators)
	}
	slices.Sort(owned)
	all := refs(due(t, s, base.Add(time.Hour*24), 0))
	if len(all) != len(owned)+1 || !slices.Contains(all, fmt.Sprintf("w/%d", stored.ID)) {
		t.Fatalf("due items %v, want the shared one and %v", all, owned)
	}
	wantOpen(t, "after the race", s, len(owned)+1, base)
}

func testWorkspaces(t *testing.T, s okrcore.Store) {
	list := func() []*okrcore.Workspace {
		return must(t, s, func(tx okrcore.Tx) ([]*okrcore.Workspace, error) { return tx.Workspaces() })
	}
	names := func(ws []*okrcore.Workspace) string {
		var out []string
		for _, w := range ws {
			out = append(out, w.ID)
		}
		return strings.Join(out, ",")
	}
	equal(t, "no workspaces", len(list()), 0)
	sched := okrcore.DefaultSchedule()
	sched.CheckIn.Hour = 9
	var made []*okrcore.Workspace
	for _, id := range []string{"b", "a", "T0123", "a b", "c", "B"} {
		made = append(made, &okrcore.Workspace{ID: id, Name: "Workspace " + id, Rules: okrcore.DefaultRules(), Schedule: sched, CreatedAt: base})
	}
	put(t, s, func(tx okrcore.Tx) error {
		for _, w := range made {
			if err := tx.PutWorkspace(w); err != nil {
				return err
			}
		}
		return nil
	})
	got := list()
	equal(t, "workspaces in ID order", names(got), "B,T0123,a,a b,b,c")
	equal(t, "workspace a", got[2], made[1])

	// Replacing one keeps one; a rolled-back one is not listed.
	a := *made[1]
	a.Name, a.CurrentCycle = "Renamed", 2
	put(t, s, func(tx okrcore.Tx) error { return tx.PutWorkspace(&a) })
	err := s.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := tx.PutWorkspace(&okrcore.Workspace{ID: "d", Name: "Doomed"}); err != nil {
			return err
		}
		ws, err := tx.Workspaces()
		if err != nil {
			return err
		}
		if names(ws) != "B,T0123,a,a b,b,c,d" {
			return fmt.Errorf("workspaces inside the update: %s", names(ws))
		}
		return errSentinel
	})
	if !errors.Is(err, errSentinel) {
		t.Fatalf("failing update: %v", err)
	}
	got = list()
	equal(t, "workspaces after a replace and a rollback", names(got), "B,T0123,a,a b,b,c")
	equal(t, "replaced workspace a", got[2], &a)
	got[2].Name = "changed copy"
	equal(t, "workspace a after changing a copy", list()[2], &a)
}
