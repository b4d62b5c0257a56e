package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// TestNudgeCarriesTheForm: the nudge holds the check-in form, so a platform
// whose messages can hold inputs (a Teams card) shows it inline.
func TestNudgeCarriesTheForm(t *testing.T) {
	h := bottest.New(t, bottest.Demo())
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	h.Tick()
	var it *okrcore.OutboxItem
	_ = h.DB.View(context.Background(), func(tx okrcore.Tx) error {
		it, _ = tx.OutboxByKey(h.Workspace, "checkin:u2:2026-W48")
		return nil
	})
	if it == nil {
		t.Fatal("alice's nudge was not scheduled")
	}
	d, err := h.Engine.Compose(context.Background(), it)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Message.Form
	if f == nil || f.ID != "checkin" || f.State != "KR4,KR6,KR7" || len(f.Inputs) != 11 {
		t.Fatalf("nudge form = %+v", f)
	}
	if d.Message.Key != "checkin:u2:2026-W48" {
		t.Errorf("nudge key %q", d.Message.Key)
	}
}
