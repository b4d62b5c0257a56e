package outbox

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// holdingStore holds its first Update until release is closed, so that
// the marks arriving meanwhile queue behind it, and fails the Update
// numbered failAt (1-based; 0: none) once.
type holdingStore struct {
	okrcore.Store
	started, release chan struct{}
	failAt           int

	mu    sync.Mutex
	calls int
}

func (s *holdingStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	if n == 1 {
		close(s.started)
		<-s.release
	}
	if n == s.failAt {
		return errors.New("the group's transaction failed")
	}
	return s.Store.Update(ctx, fn)
}

func (s *holdingStore) updates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// noLease is a Claimer that leases nothing: it only makes the dispatcher
// group its marks, as it does on a store shared by replicas.
type noLease struct{}

func (noLease) ClaimOutbox(context.Context, string, time.Time, time.Time, time.Duration, int) ([]*okrcore.OutboxItem, error) {
	return nil, nil
}
func (noLease) RenewOutbox(context.Context, string, time.Time, time.Duration) (int, error) {
	return 0, nil
}
func (noLease) ReleaseOutbox(context.Context, string) (int, error) { return 0, nil }

// TestMarksAreCommittedInGroups: marks that arrive while one is being
// committed are committed together in the next transaction, each with its
// own outcome (an item that is not there refuses only its own mark), and
// a group whose transaction fails is recorded mark by mark.
func TestMarksAreCommittedInGroups(t *testing.T) {
	for _, c := range []struct {
		name   string
		failAt int
		want   int // Updates: the first mark, the group, and one per mark when it failed
	}{
		{"committed together", 0, 2},
		{"the group fails", 2, 2 + 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := bolt.Open(filepath.Join(t.TempDir(), "okrbot.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
			items := make([]*okrcore.OutboxItem, 4)
			err = db.Update(ctx, func(tx okrcore.Tx) error {
				for i := range items {
					items[i] = &okrcore.OutboxItem{Workspace: "T1", Key: "checkin:u" + string(rune('1'+i)), Kind: okrcore.OutboxCheckIn, DueAt: t0, CreatedAt: t0}
					if _, err := tx.AddOutbox(items[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			gone := &okrcore.OutboxItem{Workspace: "T1", ID: 999, Key: "checkin:gone", Kind: okrcore.OutboxCheckIn, DueAt: t0}
			s := &holdingStore{Store: db, started: make(chan struct{}), release: make(chan struct{}), failAt: c.failAt}
			d := NewDispatcher(s, nil, ByPlatform(nil), Options{Claimer: noLease{}, Now: func() time.Time { return t0 }})

			errs := make([]error, len(items)+1)
			var wg sync.WaitGroup
			wg.Go(func() { errs[0] = d.mark(ctx, items[0], okrcore.OutboxSending, t0, "") })
			<-s.started
			rest := append(items[1:len(items):len(items)], gone)
			for i, it := range rest {
				wg.Go(func() { errs[i+1] = d.mark(ctx, it, okrcore.OutboxSent, t0, "") })
			}
			waitQueued(t, d, len(rest))
			close(s.release)
			wg.Wait()

			for i, err := range errs[:len(items)] {
				if err != nil {
					t.Errorf("mark of item %d: %v", i+1, err)
				}
			}
			if err := errs[len(items)]; !okrcore.IsNotFound(err) {
				t.Errorf("mark of an item that is not there: %v, want not found", err)
			}
			if got := s.updates(); got != c.want {
				t.Errorf("%d transactions, want %d", got, c.want)
			}
			err = db.View(ctx, func(tx okrcore.Tx) error {
				for i, it := range items {
					got, err := tx.OutboxItem("T1", it.ID)
					if err != nil {
						return err
					}
					if want := map[bool]okrcore.OutboxState{true: okrcore.OutboxSending, false: okrcore.OutboxSent}[i == 0]; got.State != want {
						t.Errorf("item %d is %s, want %s", i+1, got.State, want)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// waitQueued returns once n marks wait behind the one being committed.
func waitQueued(t *testing.T, d *Dispatcher, n int) {
	t.Helper()
	for {
		d.marks.mu.Lock()
		queued := len(d.marks.queue)
		d.marks.mu.Unlock()
		if queued == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
