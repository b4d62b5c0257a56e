package bot

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// TestCheckInGroupSurvivesAPanic: a check-in whose write panics gets an
// error, and so does its group; the check-ins after it are written.
func TestCheckInGroupSurvivesAPanic(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	e := NewEngine(db, Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = e.writeCheckIns(ctx, func(tx okrcore.Tx, _ *okrcore.CheckIns) error {
				if i == 0 {
					panic("boom")
				}
				return nil
			})
		})
	}
	wg.Wait()
	if errs[0] == nil {
		t.Error("the panicking write returned no error")
	}
	if err := e.writeCheckIns(ctx, func(okrcore.Tx, *okrcore.CheckIns) error { return nil }); err != nil {
		t.Errorf("a write after the panic: %v", err)
	}
}
