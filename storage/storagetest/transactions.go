package storagetest

// Conformance of transactions: copies, rollback, read-only views,
// cancelled contexts and concurrent updates.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func testCopies(t *testing.T, s okrcore.Store) {
	tm := newTeam("w", "Core", 1, 2, 3)
	st := []byte("state")
	put(t, s, func(tx okrcore.Tx) error {
		return errors.Join(tx.PutTeam(tm), tx.PutState("w", "k", st, time.Time{}))
	})
	// Changing what was put changes nothing stored.
	tm.Members[0], tm.Name = 9, "Changed"
	st[0] = 'X'
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 1) })
	equal(t, "team after changing the put value", got.Members, []okrcore.ID{2, 3})
	equal(t, "team name after changing the put value", got.Name, "Core")
	// Changing what was read changes nothing stored.
	got.Members[0] = 7
	got.Name = "Mutated"
	v := must(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State("w", "k") })
	equal(t, "state after changing the put value", string(v), "state")
	v[0] = 'Y'
	again := must(t, s, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.Team("w", 1) })
	equal(t, "team after changing a read copy", again.Members, []okrcore.ID{2, 3})
	v = must(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State("w", "k") })
	equal(t, "state after changing a read copy", string(v), "state")
	// Values read inside a transaction stay valid after it, while others write.
	var kept []*okrcore.Team
	var keptState []byte
	view(t, s, func(tx okrcore.Tx) error {
		var err error
		kept, err = tx.Teams("w")
		if err != nil {
			return err
		}
		keptState, err = tx.State("w", "k")
		return err
	})
	for i := range 50 {
		put(t, s, func(tx okrcore.Tx) error {
			return errors.Join(tx.PutTeam(newTeam("w", fmt.Sprintf("T%d", i), 1, 2)),
				tx.PutState("w", "k", []byte(fmt.Sprintf("overwritten %d", i)), time.Time{}))
		})
	}
	equal(t, "team kept from a closed transaction", kept[0].Name, "Core")
	equal(t, "state kept from a closed transaction", string(keptState), "state")
}

func testRollback(t *testing.T, s okrcore.Store) {
	err := s.Update(context.Background(), func(tx okrcore.Tx) error {
		u := newUser("w", "U1", "Ann")
		o := newObjective("w", 1, okrcore.UserOwner(1), "Doomed")
		c := newCheckIn("w", okrcore.TargetKR, 1, 1, base, 1)
		if err := errors.Join(tx.PutWorkspace(&okrcore.Workspace{ID: "w"}), tx.PutUser(u), tx.PutObjective(o),
			tx.AddCheckIn(c), tx.PutState("w", "k", []byte("v"), time.Time{})); err != nil {
			return err
		}
		if _, err := tx.User("w", u.ID); err != nil {
			return fmt.Errorf("own write not visible: %w", err)
		}
		return fmt.Errorf("wrapped: %w", errSentinel)
	})
	if !errors.Is(err, errSentinel) {
		t.Fatalf("Update returned %v, want the error fn returned", err)
	}
	view(t, s, func(tx okrcore.Tx) error {
		wantNotFound(t, second(tx.Workspace("w")), "workspace after rollback")
		wantNotFound(t, second(tx.User("w", 1)), "user after rollback")
		wantNotFound(t, second(tx.UserByPlatform("w", "slack", "U1")), "user by platform after rollback")
		wantNotFound(t, second(tx.UserByName("w", "ann")), "user by name after rollback")
		wantNotFound(t, second(tx.Objective("w", 1)), "objective after rollback")
		wantNotFound(t, second(tx.State("w", "k")), "state after rollback")
		equal(t, "objectives by owner after rollback", lenOf(tx.ObjectivesByOwner("w", okrcore.UserOwner(1), 0)), 0)
		equal(t, "check-ins after rollback", lenOf(tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)), 0)
		return nil
	})
	// IDs handed out in the rolled-back transaction are handed out again.
	u := newUser("w", "U2", "Ben")
	put(t, s, func(tx okrcore.Tx) error { return tx.PutUser(u) })
	equal(t, "first user ID after rollback", u.ID, okrcore.ID(1))

	// An okrcore error keeps its kind; a failed update keeps earlier data.
	err = s.Update(context.Background(), func(tx okrcore.Tx) error {
		u2 := *u
		u2.Name = "Changed"
		if err := tx.PutUser(&u2); err != nil {
			return err
		}
		return okrcore.Errorf(okrcore.KindForbidden, "Only admins can do that.")
	})
	wantKind(t, err, okrcore.KindForbidden, "forbidden from fn")
	got := must(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })
	equal(t, "user after failed change", got, u)

	// A refused put inside fn, with fn returning that error, keeps nothing.
	err = s.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := tx.PutObjective(newObjective("w", 1, okrcore.UserOwner(1), "kept?")); err != nil {
			return err
		}
		return tx.PutUser(newUser("w", "U2", "Clash"))
	})
	wantKind(t, err, okrcore.KindConflict, "conflict from fn")
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("w", 1) })), "objective from failed update")
}

func testReadOnlyView(t *testing.T, s okrcore.Store) {
	var errs []error
	view(t, s, func(tx okrcore.Tx) error {
		errs = append(errs,
			tx.PutWorkspace(&okrcore.Workspace{ID: "w"}),
			tx.PutUser(newUser("w", "U1", "Ann")),
			tx.PutObjective(newObjective("w", 1, okrcore.UserOwner(1), "x")),
			tx.AddCheckIn(newCheckIn("w", okrcore.TargetKR, 1, 1, base, 1)),
			tx.PutState("w", "k", []byte("v"), time.Time{}),
			tx.DeleteState("w", "k"),
			second(tx.AddOutbox(newItem("w", "k", base))),
			tx.PutOutbox(&okrcore.OutboxItem{ID: 1, Workspace: "w", Key: "k", Kind: okrcore.OutboxDigest}),
			// Refused before looking: nothing is stored, yet a delete in a
			// read-only transaction is a mistake all the same.
			tx.DeleteTeam("w", 1), tx.DeleteCycle("w", 1), tx.DeleteObjective("w", 1), tx.DeleteKeyResult("w", 1),
			tx.DeleteKPI("w", 1), tx.DeleteInitiative("w", 1), tx.DeleteCheckIn("w", 1),
		)
		return nil
	})
	for i, err := range errs {
		if err == nil {
			t.Errorf("write %d in View succeeded", i)
		}
	}
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })), "user written in View")
}

func testContext(t *testing.T, s okrcore.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx okrcore.Tx) error { ran = true; return tx.PutUser(newUser("w", "U1", "Ann")) })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Update with a cancelled context: err %v, ran %v", err, ran)
	}
	err = s.View(ctx, func(tx okrcore.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("View with a cancelled context: err %v, ran %v", err, ran)
	}
	wantNotFound(t, second(get(t, s, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User("w", 1) })), "user of a cancelled update")
}

func testConcurrent(t *testing.T, s okrcore.Store) {
	const writers, each = 32, 20
	kr := newKR("w", 1, 1, okrcore.UserOwner(1), "Counter")
	kr.Current = 0
	put(t, s, func(tx okrcore.Tx) error { return tx.PutKeyResult(kr) })

	// Each writer checks in on the KR (read, add, write back); every fifth
	// update fails after writing and must leave no trace. Readers run
	// alongside and must always see the KR and its check-ins agree.
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+8)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			readCounter(s, stop, errs)
		}()
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			writeCounter(s, w, each, errs)
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	wantCounted(t, s, writers, each)
}

// readCounter reads the counter KR and its check-ins every millisecond
// until stop, and sends the first time they disagree: a reader must never
// see half an update.
func readCounter(s okrcore.Store, stop <-chan struct{}, errs chan<- error) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Millisecond):
		}
		err := s.View(context.Background(), func(tx okrcore.Tx) error {
			k, err := tx.KeyResult("w", 1)
			if err != nil {
				return err
			}
			cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)
			if err != nil {
				return err
			}
			if float64(len(cis)) != k.Current {
				return fmt.Errorf("reader saw KR at %g with %d check-ins", k.Current, len(cis))
			}
			return nil
		})
		if err != nil {
			errs <- err
			return
		}
	}
}

// writeCounter is writer w's each updates of the counter KR, each adding a
// check-in with the value it read plus one; every fifth fails after
// writing. Each check-in's time is unique to the writer and update.
func writeCounter(s okrcore.Store, w, each int, errs chan<- error) {
	for i := range each {
		fail := i%5 == 4
		err := s.Update(context.Background(), func(tx okrcore.Tx) error {
			k, err := tx.KeyResult("w", 1)
			if err != nil {
				return err
			}
			c := &okrcore.CheckIn{
				Workspace: "w", Target: okrcore.TargetKR, TargetID: 1, Author: okrcore.ID(w + 1),
				At: base.Add(time.Duration(w*each+i) * time.Second), Value: k.Current + 1, Previous: k.Current,
			}
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
			k.Current++
			k.LastCheckIn = c.At
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
			if fail {
				return errSentinel
			}
			return nil
		})
		if fail && !errors.Is(err, errSentinel) {
			errs <- fmt.Errorf("failing update returned %v", err)
		} else if !fail && err != nil {
			errs <- err
		}
	}
}

// wantCounted checks that exactly the updates that did not fail were kept:
// the counter, check-in IDs without gaps, no value written twice (a lost
// update), and four in five of each writer's check-ins.
func wantCounted(t *testing.T, s okrcore.Store, writers, each int) {
	kept := writers * each * 4 / 5
	view(t, s, func(tx okrcore.Tx) error {
		k, err := tx.KeyResult("w", 1)
		if err != nil {
			return err
		}
		if k.Current != float64(kept) {
			t.Errorf("KR counter = %g, want %d", k.Current, kept)
		}
		cis, err := tx.CheckIns("w", okrcore.TargetKR, 1, time.Time{}, 0)
		if err != nil {
			return err
		}
		got := ids(cis)
		slices.Sort(got)
		want := make([]okrcore.ID, kept)
		for i := range want {
			want[i] = okrcore.ID(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Errorf("check-in IDs are not 1..%d without gaps: %v", kept, got)
		}
		values := map[float64]bool{}
		for _, c := range cis {
			values[c.Value] = true
		}
		if len(values) != kept {
			t.Errorf("%d distinct check-in values, want %d: lost updates", len(values), kept)
		}
		perAuthor := map[okrcore.ID]int{}
		for _, c := range cis {
			perAuthor[c.Author]++
		}
		for a := okrcore.ID(1); a <= okrcore.ID(writers); a++ {
			if perAuthor[a] != each*4/5 {
				t.Errorf("author %d has %d check-ins, want %d", a, perAuthor[a], each*4/5)
			}
			mine, err := tx.CheckInsByAuthor("w", a, time.Time{}, 0)
			if err != nil || len(mine) != each*4/5 {
				t.Errorf("CheckInsByAuthor(%d) = %d, %v", a, len(mine), err)
			}
		}
		return nil
	})
}
