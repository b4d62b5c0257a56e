// Package storagetest is the conformance suite of okrcore.Store: every
// storage backend runs Run and must pass it.
package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// base is the time the suite's records are stamped with.
var base = time.Date(2025, time.January, 6, 9, 0, 0, 0, time.UTC)

func update(t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func view(t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// get runs one lookup in a read transaction.
func get[T any](t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	var lookupErr error
	err := s.View(context.Background(), func(tx okrcore.Tx) error {
		out, lookupErr = fn(tx)
		return nil
	})
	if err != nil {
		t.Fatalf("view: %v", err)
	}
	return out, lookupErr
}

// must runs one lookup in a read transaction and fails on error.
func must[T any](t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) (T, error)) T {
	t.Helper()
	out, err := get(t, s, fn)
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	return out
}

// put runs one write in its own transaction.
func put(t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) error) {
	t.Helper()
	update(t, s, fn)
}

func wantKind(t *testing.T, err error, kind okrcore.ErrorKind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, kind)
	}
	if got := okrcore.ErrorKindOf(err); got != kind {
		t.Fatalf("%s: got error kind %s (%v), want %s", what, got, err, kind)
	}
	if kind != okrcore.KindInternal && okrcore.ErrorMessage(err) == "" {
		t.Fatalf("%s: %s error %v carries no message for people", what, kind, err)
	}
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	wantKind(t, err, okrcore.KindNotFound, what)
}

func dump(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\ngot  %s\nwant %s", what, dump(got), dump(want))
	}
}

// ided is any record with an ID.
type ided interface {
	*okrcore.User | *okrcore.Team | *okrcore.Cycle | *okrcore.Objective |
		*okrcore.KeyResult | *okrcore.KPI | *okrcore.Initiative | *okrcore.CheckIn
}

func idOf[T ided](r T) okrcore.ID {
	switch r := any(r).(type) {
	case *okrcore.User:
		return r.ID
	case *okrcore.Team:
		return r.ID
	case *okrcore.Cycle:
		return r.ID
	case *okrcore.Objective:
		return r.ID
	case *okrcore.KeyResult:
		return r.ID
	case *okrcore.KPI:
		return r.ID
	case *okrcore.Initiative:
		return r.ID
	case *okrcore.CheckIn:
		return r.ID
	}
	return 0
}

func wsOf[T ided](r T) string {
	switch r := any(r).(type) {
	case *okrcore.User:
		return r.Workspace
	case *okrcore.Team:
		return r.Workspace
	case *okrcore.Cycle:
		return r.Workspace
	case *okrcore.Objective:
		return r.Workspace
	case *okrcore.KeyResult:
		return r.Workspace
	case *okrcore.KPI:
		return r.Workspace
	case *okrcore.Initiative:
		return r.Workspace
	case *okrcore.CheckIn:
		return r.Workspace
	}
	return ""
}

func ids[T ided](list []T) []okrcore.ID {
	out := []okrcore.ID{}
	for _, r := range list {
		out = append(out, idOf(r))
	}
	return out
}

// wantIDs checks a list by its IDs, in order.
func wantIDs[T ided](t *testing.T, what string, list []T, err error, want ...okrcore.ID) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if want == nil {
		want = []okrcore.ID{}
	}
	if got := ids(list); !slices.Equal(got, want) {
		t.Fatalf("%s: got IDs %v, want %v", what, got, want)
	}
}

func intp(v int) *int { return &v }

func floatp(v float64) *float64 { return &v }

var errSentinel = errors.New("storagetest: planned failure")
