package transfer

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/retally"
)

// tallySlots reads a workspace's check-in tally over the weeks of the
// test programmes: what the org-wide reports read.
func tallySlots(t *testing.T, s okrcore.Store, ws string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	first := okrcore.TallyWeekOf(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	err := s.View(ctx, func(tx okrcore.Tx) error {
		for w := first - 1; w < first+20; w++ {
			k := okrcore.TallyKey(0, w)
			if w == first-1 {
				k = okrcore.TallyKey(0, -1) // the block's own
			}
			b, err := tx.State(ws, k)
			if okrcore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			out[k] = bytes.Clone(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRolledBackImportLeavesTheTally: an import of more check-ins into a
// workspace whose tally is built, stopped after any of its transactions
// and rolled back, leaves the tally (so adoption and the manager digest)
// as it was; the whole import leaves it as the history counts it.
func TestRolledBackImportLeavesTheTally(t *testing.T) {
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	opts := Options{Workspace: "north", Platform: "slack", Now: now, Batch: 3}
	for k := 1; ; k++ {
		s := openStore(t)
		if _, err := Import(ctx, s, smallProgramme(), opts); err != nil {
			t.Fatalf("import: %v", err)
		}
		if err := s.Update(ctx, func(tx okrcore.Tx) error {
			return retally.Recount(tx, "north", []string{okrcore.TallyKey(0, -1)})
		}); err != nil {
			t.Fatalf("build the tally: %v", err)
		}
		before := tallySlots(t, s, "north")
		if len(before) != 3 {
			t.Fatalf("tally of %d slots before, want the block's and two weeks'", len(before))
		}
		p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planProgramme(tx, streamedProgramme(), opts) })
		if err != nil {
			t.Fatal(err)
		}
		err = p.writeStopping(ctx, s, opts, k)
		if err == nil {
			after := tallySlots(t, s, "north")
			if err := s.Update(ctx, func(tx okrcore.Tx) error {
				return retally.Recount(tx, "north", []string{okrcore.TallyKey(0, -1)})
			}); err != nil {
				t.Fatal(err)
			}
			if counted := tallySlots(t, s, "north"); !equalSlots(after, counted) || equalSlots(after, before) {
				t.Errorf("after the whole import the tally is %d slots, %d counted from the history, %d before", len(after), len(counted), len(before))
			}
			return
		}
		if !errors.Is(err, errStopped) {
			t.Fatalf("stopped after %d: %v", k, err)
		}
		if n, err := Recover(ctx, s); n != 1 || err != nil {
			t.Fatalf("recover after %d transactions: %d, %v", k, n, err)
		}
		if after := tallySlots(t, s, "north"); !equalSlots(after, before) {
			t.Errorf("rolled back after %d transactions: tally %q, want %q", k, after, before)
		}
	}
}

func equalSlots(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}
