package schedule_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// Someone the chat directory says left keeps their records and hears
// nothing more; the others are nudged as before.
func TestNoNudgeForPeopleWhoLeft(t *testing.T) {
	h := bottest.New(t, bottest.Demo())
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform(h.Workspace, h.PlatformName, "alice")
		if err != nil {
			return err
		}
		u.Left = true
		return tx.PutUser(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := h.Rhythm(h.Dispatcher(outbox.Options{Workers: 4}))
	// Monday 10:00 in Berlin: alice's and erin's window.
	h.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r.Tick()
	got := bottest.Recipients(h.Platform.Kind("checkin"))
	if slices.Contains(got, "alice") || !slices.Contains(got, "erin") {
		t.Errorf("nudged %v, want erin and not alice, who left", got)
	}
}
