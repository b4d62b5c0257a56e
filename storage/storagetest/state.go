package storagetest

// Conformance of the bot's key-value state.

import (
	"fmt"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func testState(t *testing.T, s okrcore.Store) {
	now := time.Now()
	state := func(ws, k string) ([]byte, error) {
		return get(t, s, func(tx okrcore.Tx) ([]byte, error) { return tx.State(ws, k) })
	}
	_, err := state("w", "dialog:U1")
	wantNotFound(t, err, "state before put")

	put(t, s, func(tx okrcore.Tx) error {
		for _, e := range []struct {
			k, v string
			exp  time.Time
		}{
			{"forever", "f", time.Time{}},
			{"future", "fu", now.Add(time.Hour)},
			{"past", "p", now.Add(-time.Minute)},
			{"long-past", "lp", base},
			{"empty", "", time.Time{}},
		} {
			if err := tx.PutState("w", e.k, []byte(e.v), e.exp); err != nil {
				return err
			}
		}
		return tx.PutState("w2", "forever", []byte("other workspace"), time.Time{})
	})
	for k, want := range map[string]string{"forever": "f", "future": "fu", "empty": ""} {
		got, err := state("w", k)
		if err != nil {
			t.Fatalf("state %q: %v", k, err)
		}
		if string(got) != want {
			t.Fatalf("state %q = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"past", "long-past"} {
		_, err := state("w", k)
		wantNotFound(t, err, "expired state "+k)
	}
	got, err := state("w2", "forever")
	if err != nil || string(got) != "other workspace" {
		t.Fatalf("state of w2 = %q, %v", got, err)
	}
	_, err = state("w2", "future")
	wantNotFound(t, err, "state of w in w2")

	// Overwrite: a new value and expiry replace the old; an expired entry
	// can be written again.
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutState("w", "future", []byte("gone"), now.Add(-time.Second)); err != nil {
			return err
		}
		return tx.PutState("w", "past", []byte("back"), now.Add(time.Hour))
	})
	_, err = state("w", "future")
	wantNotFound(t, err, "state overwritten with a past expiry")
	got, err = state("w", "past")
	if err != nil || string(got) != "back" {
		t.Fatalf("rewritten state = %q, %v", got, err)
	}

	// Reads and writes see their own transaction.
	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.PutState("w", "seen", []byte("1"), now.Add(time.Hour)); err != nil {
			return err
		}
		v, err := tx.State("w", "seen")
		if err != nil || string(v) != "1" {
			return fmt.Errorf("state in the writing transaction = %q, %v", v, err)
		}
		return nil
	})

	put(t, s, func(tx okrcore.Tx) error {
		if err := tx.DeleteState("w", "forever"); err != nil {
			return err
		}
		return tx.DeleteState("w", "never-stored")
	})
	_, err = state("w", "forever")
	wantNotFound(t, err, "deleted state")
	got, err = state("w2", "forever")
	if err != nil || string(got) != "other workspace" {
		t.Fatalf("w2 state after deleting w's = %q, %v", got, err)
	}
}
