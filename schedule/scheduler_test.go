package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/outbox"
)

// The demo's people and their time zones: dana New York, alice Berlin, bob
// Los Angeles, carol London, erin Berlin, frank Kolkata, gina and hank
// Chicago; olga (Paris) is an observer.

func TestMissedWindowCaughtUpOnceWithinGrace(t *testing.T) {
	h := bottest.New(t, bottest.Demo())
	plat := h.Platform
	r := h.Rhythm(h.Dispatcher(outbox.Options{Workers: 4}))
	// Down from Sunday until Monday 14:00 UTC: alice's, erin's, carol's and
	// frank's Monday windows passed, within the 12-hour grace.
	h.Clock.Set(time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC))
	r.Tick()
	h.Clock.Set(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	r.Tick()
	r.Tick() // a second tick at the same moment changes nothing
	if got := bottest.Recipients(plat.Kind("checkin")); strings.Join(got, ",") != "alice,carol,erin,frank" {
		t.Errorf("caught up %v", got)
	}
	// Down again until Tuesday 20:00 UTC: Monday's windows for the others
	// are more than 12 hours old and skipped; Tuesday's reminders are not.
	h.Clock.Set(time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC))
	r.Tick()
	if got := bottest.Recipients(plat.Kind("checkin")); len(got) != 4 {
		t.Errorf("windows older than the grace period were sent: %v", got)
	}
	if len(plat.Kind("reminder")) == 0 {
		t.Error("Tuesday's reminders were not caught up")
	}
}
