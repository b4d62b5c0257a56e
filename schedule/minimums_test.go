package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// An objective still short of key results a day after it was written
// warns its owner once, at the first full hour after the day: not while
// they write their first key result, not for one that got its second in
// time, and never again.
func TestFewKeyResultsWarnedADayLaterOnce(t *testing.T) {
	written := time.Date(2026, 11, 24, 9, 7, 0, 0, time.UTC)
	k := bottest.New(t, bottest.Demo(), bottest.Start(written))
	plat := k.Platform
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 2}))
	for _, step := range []struct{ who, say, want string }{
		{"alice", `new objective "Open the partner channel"`, "O6"},
		{"alice", `new kr O6 "Partners signed" from 0 to 5`, "KR"},
		{"bob", `new objective "Shorten the sales cycle"`, "O7"},
		{"bob", `new kr O7 "Days to close" from 60 to 45`, "KR"},
		{"bob", `new kr O7 "Deals stalled over a month" from 12 to 4`, "KR"},
		{"carol", `new objective "Make check-ins instant"`, "O8"},
		{"carol", `new kr O8 "Check-ins under a second" from 80 to 99`, "KR"},
	} {
		got := bottest.Text(k.Ask(step.who, step.say))
		if !strings.Contains(got, step.want) || strings.Contains(got, "at least") {
			t.Fatalf("%s %q: %s", step.who, step.say, got)
		}
	}
	// Carol adds her second key result in the evening.
	r.RunUntil(written.Add(10*time.Hour), 15*time.Minute)
	if got := bottest.Text(k.Ask("carol", `new kr O8 "p99 latency" from 900 to 300`)); !strings.Contains(got, "KR") {
		t.Fatalf("carol's second key result: %s", got)
	}
	r.RunUntil(written.Add(24*time.Hour-time.Minute), 15*time.Minute)
	if ws := plat.Kind("few_key_results"); len(ws) != 0 {
		t.Fatalf("warned before a day went by: %+v", ws)
	}
	r.RunUntil(written.Add(5*24*time.Hour), 15*time.Minute)
	ws := plat.Kind("few_key_results")
	if len(ws) != 1 || ws[0].To.ID != "dm:alice" {
		t.Fatalf("warnings %+v, want one to alice", ws)
	}
	if at := ws[0].At.Sub(written); at < 24*time.Hour || at > 25*time.Hour {
		t.Errorf("warned %s after the objective was written, want within the hour after a day", at)
	}
	if got := bottest.Text(ws[0].Message); !strings.Contains(got, "O6") || !strings.Contains(got, "2–5 key results") {
		t.Errorf("warning: %s", got)
	}
}

// A warning that comes after the owner mended it is not sent.
func TestFewKeyResultsMendedMeanwhile(t *testing.T) {
	written := time.Date(2026, 11, 24, 9, 7, 0, 0, time.UTC)
	k := bottest.New(t, bottest.Demo(), bottest.Start(written))
	k.Ask("alice", `new objective "Open the partner channel"`)
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 2}))
	// The scheduler records the warning at 10:00 the next day; alice adds
	// two key results before it goes out.
	k.Clock.Set(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if _, err := r.Scheduler.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	k.Ask("alice", `new kr O6 "Partners signed" from 0 to 5`)
	k.Ask("alice", `new kr O6 "Partner revenue" from 0 to 100000`)
	r.Tick()
	if ws := k.Platform.Kind("few_key_results"); len(ws) != 0 {
		t.Errorf("warned though mended: %+v", ws)
	}
	if it := outboxItem(t, k, "few_key_results:O6"); it == nil || it.State != okrcore.OutboxSkipped {
		t.Errorf("the warning recorded at 10:00 is %+v, want it skipped when composed", it)
	}
}

// Each team's planning digest comes once, on the cycle's first weekday at
// its digest time, with grading off too, and lists who is short.
func TestPlanningDigestAtCycleStart(t *testing.T) {
	k := bottest.New(t, bottest.Demo(), bottest.Start(time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)))
	for _, step := range []struct{ who, say, want string }{
		{"dana", "schedule grading off", "off"},
		{"dana", "cycle new Q1 2027", "Q1 2027"},
		{"dana", "cycle set Q1 2027", "Q1 2027 is now current"},
		{"alice", `new objective "Open the partner channel"`, "O6"},
		{"alice", `new kr O6 "Partners signed" from 0 to 5`, "KR"},
	} {
		if got := bottest.Text(k.Ask(step.who, step.say)); !strings.Contains(got, step.want) {
			t.Fatalf("%s %q: %s", step.who, step.say, got)
		}
	}
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 2}))
	r.RunUntil(time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	sent := k.Platform.Kind("planning")
	// Q1 2027 begins on Friday, Jan 1: each team at 16:00 in its zone.
	wantSentAt(t, "planning digest", sent, map[string]string{
		"#sales": "2027-01-01T15:00", "#engineering": "2027-01-01T16:00", "#leadership": "2027-01-01T21:00", "#customer-success": "2027-01-01T22:00",
	})
	for _, s := range sent {
		got := bottest.Text(s.Message)
		switch s.To.ID {
		case "#sales":
			for _, w := range []string{"Planning Q1 2027 · team Sales", "Fewer than 3 objectives", "alice: 1 objective", "O6 Open the partner channel (alice): 1 key result"} {
				if !strings.Contains(got, w) {
					t.Errorf("Sales' planning digest lacks %q:\n%s", w, got)
				}
			}
		case "#engineering":
			if !strings.Contains(got, "Nobody in Engineering has objectives for Q1 2027 yet") {
				t.Errorf("Engineering's planning digest:\n%s", got)
			}
		}
	}
}
