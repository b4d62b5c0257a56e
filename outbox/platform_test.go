package outbox

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// flakyStore fails the first n reads, as a store does for a moment under
// load or while a disk is briefly unavailable.
type flakyStore struct {
	okrcore.Store
	fail int
}

func (s *flakyStore) View(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	if s.fail > 0 {
		s.fail--
		return errors.New("store briefly unavailable")
	}
	return s.Store.View(ctx, fn)
}

// TestPlatformOfRemembersOnlySuccess: one failed read of a workspace's
// platform must not route the workspace's later items nowhere.
func TestPlatformOfRemembersOnlySuccess(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		return tx.PutWorkspace(&okrcore.Workspace{ID: "T1", Platform: "slack", CreatedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	store := &flakyStore{Store: db, fail: 1}
	d := NewDispatcher(store, nil, ByPlatform(nil), Options{})
	if p := d.platformOf(ctx, "T1"); p != "" {
		t.Fatalf("platform during a failed read = %q, want none", p)
	}
	if p := d.platformOf(ctx, "T1"); p != "slack" {
		t.Fatalf("platform after the store recovered = %q, want slack", p)
	}
	store.fail = 5
	if p := d.platformOf(ctx, "T1"); p != "slack" {
		t.Fatalf("platform once known = %q, want slack (remembered)", p)
	}
}
