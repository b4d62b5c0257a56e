package schedule_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// TestAdvanceRunsTheWindowsOfAJump: a moved clock's jump of a day (a
// demo's `/clock +1d`) is not downtime: every Monday window it passes over
// is due at its own local time, as if the bot had run all along, and
// nothing is logged as skipped. A single tick after the same jump skips
// the windows older than the grace period (bob's, in Los Angeles).
func TestAdvanceRunsTheWindowsOfAJump(t *testing.T) {
	monday := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tuesday := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	k := bottest.New(t, bottest.Start(monday), bottest.Demo())
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sched := k.Scheduler(schedule.Options{Logger: log})
	disp := k.Dispatcher(outbox.Options{Workers: 4})
	st, err := sched.Advance(context.Background(), tuesday, k.Clock.Set, func(ctx context.Context) {
		if err := disp.Drain(ctx); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !k.Clock.Now().Equal(tuesday) {
		t.Errorf("the clock is at %s, want %s", k.Clock.Now(), tuesday)
	}
	nudges := k.Platform.Kind("checkin")
	if got := strings.Join(bottest.Recipients(nudges), ","); got != "alice,bob,carol,dana,erin,frank,gina,hank" {
		t.Fatalf("nudged %s; want everyone but the observer", got)
	}
	zones := map[string]string{"dana": "America/New_York", "bob": "America/Los_Angeles", "gina": "America/Chicago", "hank": "America/Chicago",
		"alice": "Europe/Berlin", "carol": "Europe/London"}
	for _, n := range nudges {
		tz, ok := zones[n.To.ID]
		if !ok {
			continue
		}
		loc, _ := time.LoadLocation(tz)
		if want := time.Date(2026, 11, 23, 10, 0, 0, 0, loc); !n.At.Equal(want) && n.At.After(monday) {
			t.Errorf("%s was nudged at %s, want Monday 10:00 their time (%s)", n.To.ID, n.At.UTC(), want.UTC())
		}
	}
	if st.Enqueued < 8 {
		t.Errorf("Advance says it enqueued %d", st.Enqueued)
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "skipped") {
		t.Errorf("the jump was logged as downtime:\n%s", logs.String())
	}

	// The same jump as one tick: bob's window (18:00 UTC on Monday) is more
	// than the grace period old, and is skipped with a warning.
	k2 := bottest.New(t, bottest.Start(monday), bottest.Demo())
	k2.Tick()
	k2.Clock.Set(tuesday)
	var logs2 bytes.Buffer
	if _, err := k2.Scheduler(schedule.Options{Logger: slog.New(slog.NewTextHandler(&logs2, nil))}).Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs2.String(), "skipped") {
		t.Errorf("a single tick over the jump logged no skip: %s", logs2.String())
	}
}

// TestAdvanceNeedsTheClockItMoves: set must move the scheduler's own clock.
func TestAdvanceNeedsTheClockItMoves(t *testing.T) {
	k := bottest.New(t)
	sched := k.Scheduler(schedule.Options{})
	if _, err := sched.Advance(context.Background(), k.Clock.Now().Add(time.Hour), func(time.Time) {}, nil); err == nil {
		t.Error("Advance with a set that moves nothing succeeded")
	}
}
