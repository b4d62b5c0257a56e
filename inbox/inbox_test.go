package inbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

func openStore(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func event(id string) chat.Event {
	return chat.Event{ID: id, Kind: chat.EventMessage, Platform: "slack", Workspace: "T1", UserID: "U1", Text: "KR4 " + id}
}

func pendingIDs(t *testing.T, in *Inbox) []string {
	t.Helper()
	evs, err := in.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

// TestPendingAcrossRestarts: a new inbox on the same store lists what the
// last one recorded and was not done with nor handled, oldest first.
func TestPendingAcrossRestarts(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	now := time.Now() // the store expires records by the wall clock
	handled := map[string]bool{}
	start := func() *Inbox {
		return New(db, Options{Now: func() time.Time { return now }, Slots: 16,
			Handled: func(_ okrcore.Tx, ev chat.Event) (bool, error) { return handled[ev.ID], nil }})
	}
	in := start()
	for _, id := range []string{"E3", "E1", "E2", "E4"} {
		now = now.Add(time.Second)
		if err := in.Record(ctx, event(id)); err != nil {
			t.Fatal(err)
		}
	}
	// E1 handled and done, E2 handled and the crash before its Done: the
	// engine's marks say so either way.
	handled["E1"], handled["E2"] = true, true
	_ = in.Done(ctx, event("E1"))
	in = start()
	if got := pendingIDs(t, in); !slices.Equal(got, []string{"E3", "E4"}) {
		t.Fatalf("pending %v, want [E3 E4]", got)
	}
	// A Record of a new event does not take a pending one's slot.
	for i := range 14 {
		if err := in.Record(ctx, event(fmt.Sprint("N", i))); err != nil {
			t.Fatalf("new record %d of 14 free slots: %v", i, err)
		}
	}
	if err := in.Record(ctx, event("N14")); !errors.Is(err, ErrFull) {
		t.Errorf("a Record with every slot in use: %v, want ErrFull", err)
	}
	_ = in.Done(ctx, event("E3"))
	if got := pendingIDs(t, in); !slices.Equal(got, []string{"E4"}) {
		t.Errorf("pending after E3 was done: %v, want [E4]", got)
	}
}

// TestSlotsReusedAndCleared: records of handled events are overwritten or
// cleared by later Records, and Flush deletes the rest.
func TestSlotsReusedAndCleared(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	in := New(db, Options{Slots: 4})
	stored := func() int {
		t.Helper()
		n := 0
		_ = db.View(ctx, func(tx okrcore.Tx) error {
			for s := range 8 {
				if _, err := tx.State(Scope, Key(s)); err == nil {
					n++
				}
			}
			return nil
		})
		return n
	}
	for i := range 4 {
		if err := in.Record(ctx, event(fmt.Sprint("A", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Record(ctx, event("A9")); !errors.Is(err, ErrFull) {
		t.Errorf("a fifth Record in four slots: %v, want ErrFull", err)
	}
	if err := in.Record(ctx, event("A0")); err != nil {
		t.Errorf("recording an event kept already: %v", err)
	}
	for i := range 4 {
		_ = in.Done(ctx, event(fmt.Sprint("A", i)))
	}
	if n := stored(); n != 4 {
		t.Errorf("%d records stored after Done, want 4 (Done writes nothing)", n)
	}
	if err := in.Record(ctx, event("B")); err != nil {
		t.Fatal(err)
	}
	if n, want := stored(), 4-clears; n != want {
		t.Errorf("%d records stored after one more Record, want %d (it reuses one and clears %d)", n, want, clears)
	}
	_ = in.Done(ctx, event("B"))
	if err := in.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Errorf("%d records stored after Flush, want 0", n)
	}
	if err := in.Record(ctx, chat.Event{Platform: "slack", Text: "no id"}); err != nil || stored() != 0 {
		t.Errorf("an event without id: %v, %d stored; want it not kept", err, stored())
	}
}

// writeCounter counts the store's write transactions.
type writeCounter struct {
	okrcore.Store
	n atomic.Int32
}

func (s *writeCounter) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	s.n.Add(1)
	return s.Store.Update(ctx, fn)
}

// TestEventsNotKept: an event that Options.Keeps lets go is recorded
// without a write, takes no slot, is done without error and is not pending
// after a restart; the kept ones beside it are, and fill every slot.
func TestEventsNotKept(t *testing.T) {
	db := &writeCounter{Store: openStore(t)}
	ctx := context.Background()
	keeps := func(ev chat.Event) bool { return !strings.HasPrefix(ev.ID, "R") }
	in := New(db, Options{Slots: 2, Keeps: keeps})
	for _, id := range []string{"R1", "K1", "R2", "K2", "R3"} {
		if err := in.Record(ctx, event(id)); err != nil {
			t.Fatalf("Record %s: %v", id, err)
		}
	}
	if n := db.n.Load(); n != 2 {
		t.Errorf("%d writes for two kept events and three not kept, want 2", n)
	}
	if err := in.Record(ctx, event("K3")); !errors.Is(err, ErrFull) {
		t.Errorf("a third kept event in two slots: %v, want ErrFull", err)
	}
	for _, id := range []string{"R1", "R2"} {
		if err := in.Done(ctx, event(id)); err != nil {
			t.Errorf("Done %s: %v", id, err)
		}
	}
	in = New(db, Options{Slots: 2, Keeps: keeps})
	if got := pendingIDs(t, in); !slices.Equal(got, []string{"K1", "K2"}) {
		t.Errorf("pending after a restart: %v, want [K1 K2]", got)
	}
}
