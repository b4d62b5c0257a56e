package check

import (
	"errors"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func TestOutbox(t *testing.T) {
	good := func() *okrcore.OutboxItem {
		return &okrcore.OutboxItem{Workspace: "T1", Key: "checkin:u1:2026-W47", Kind: okrcore.OutboxCheckIn}
	}
	tests := []struct {
		name   string
		change func(it *okrcore.OutboxItem) *okrcore.OutboxItem
		want   string // in the refusal; "" for none
	}{
		{"good", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { return it }, ""},
		{"none", func(*okrcore.OutboxItem) *okrcore.OutboxItem { return nil }, "no scheduled message"},
		{"no workspace", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { it.Workspace = ""; return it }, "no workspace"},
		{"no key", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { it.Key = ""; return it }, "no key"},
		{"long key", func(it *okrcore.OutboxItem) *okrcore.OutboxItem {
			it.Key = strings.Repeat("k", MaxOutboxKey+1)
			return it
		}, "at most 1024 fit"},
		{"longest key", func(it *okrcore.OutboxItem) *okrcore.OutboxItem {
			it.Key = strings.Repeat("k", MaxOutboxKey)
			return it
		}, ""},
		{"key not UTF-8", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { it.Key = "a\xffb"; return it }, "not UTF-8"},
		{"kind", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { it.Kind = "fax"; return it }, "not a kind"},
		{"state", func(it *okrcore.OutboxItem) *okrcore.OutboxItem { it.State = "lost"; return it }, "not a state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Outbox("add outbox item", tt.change(good()))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(okrcore.ErrorMessage(err), tt.want)):
				t.Fatalf("got %v; want a refusal saying %q", err, tt.want)
			case tt.want != "" && okrcore.ErrorKindOf(err) != okrcore.KindInvalid:
				t.Fatalf("kind %q; want invalid", okrcore.ErrorKindOf(err))
			}
		})
	}
}

func TestDefaultState(t *testing.T) {
	it := &okrcore.OutboxItem{}
	DefaultState(it)
	if it.State != okrcore.OutboxPending {
		t.Errorf("state %q; want pending", it.State)
	}
	it.State = okrcore.OutboxSent
	DefaultState(it)
	if it.State != okrcore.OutboxSent {
		t.Errorf("a set state became %q", it.State)
	}
}

func TestObjectiveHasOneParent(t *testing.T) {
	if err := Objective(&okrcore.Objective{ParentKR: 3, ParentObjective: 4}); okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
		t.Errorf("two parents: %v", err)
	}
	for _, o := range []*okrcore.Objective{nil, {}, {ParentKR: 3}, {ParentObjective: 4}} {
		if err := Objective(o); err != nil {
			t.Errorf("%+v refused: %v", o, err)
		}
	}
}

func TestRefusalsSayTheirOperation(t *testing.T) {
	for _, tt := range []struct {
		err  error
		kind okrcore.ErrorKind
	}{
		{NotFound("get user", "I can't find %s.", "ana"), okrcore.KindNotFound},
		{Conflict("put team", "Sales exists."), okrcore.KindConflict},
		{Invalid("put cycle", "No name."), okrcore.KindInvalid},
	} {
		var e *okrcore.Error
		if okrcore.ErrorKindOf(tt.err) != tt.kind || !errors.As(tt.err, &e) || e.Op == "" {
			t.Errorf("%v: kind %q, op missing or wrong kind", tt.err, okrcore.ErrorKindOf(tt.err))
		}
	}
}
