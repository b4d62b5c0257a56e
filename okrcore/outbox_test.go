package okrcore_test

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func TestOutboxValid(t *testing.T) {
	kinds := okrcore.OutboxKinds()
	if len(kinds) != 11 {
		t.Errorf("%d kinds, want 11: %v", len(kinds), kinds)
	}
	for _, k := range kinds {
		if !k.Valid() {
			t.Errorf("%q is listed but not valid", k)
		}
	}
	for _, k := range []okrcore.OutboxKind{"", "Checkin", "retro_summary", "email"} {
		if k.Valid() {
			t.Errorf("%q is valid", k)
		}
	}
	for _, tc := range []struct {
		s     okrcore.OutboxState
		valid bool
	}{
		{okrcore.OutboxPending, true}, {okrcore.OutboxSending, true}, {okrcore.OutboxSent, true},
		{okrcore.OutboxSkipped, true}, {okrcore.OutboxFailed, true}, {"", false}, {"lost", false},
	} {
		if got := tc.s.Valid(); got != tc.valid {
			t.Errorf("%q.Valid() = %v, want %v", tc.s, got, tc.valid)
		}
	}
}
