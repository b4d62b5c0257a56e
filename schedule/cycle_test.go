package schedule_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// The end of a cycle at working hours: grading prompts and retrospective
// invitations come at each person's check-in time (10:00 by default, or
// their team's override) in their own time zone, on the grading day and
// two days later; each team's summary at its digest time in its time zone,
// on the first day after answering closes.

// sentAt is when each person (or channel) got messages of kind, in UTC.
func sentAt(ss []bottest.Sent) map[string][]string {
	at := map[string][]string{}
	for _, s := range ss {
		who := strings.TrimPrefix(s.To.ID, "dm:")
		at[who] = append(at[who], s.At.UTC().Format("2006-01-02T15:04"))
	}
	return at
}

func wantSentAt(t *testing.T, what string, ss []bottest.Sent, want map[string]string) {
	t.Helper()
	got := sentAt(ss)
	for who, w := range want {
		if len(got[who]) != 1 || got[who][0] != w {
			t.Errorf("%s to %s at %v UTC, want once at %s", what, who, got[who], w)
		}
	}
	for who := range got {
		if _, ok := want[who]; !ok {
			t.Errorf("%s to %s at %v, want none", what, who, got[who])
		}
	}
}

func outboxItem(t *testing.T, k *bottest.Kit, key string) *okrcore.OutboxItem {
	t.Helper()
	var it *okrcore.OutboxItem
	_ = k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		it, _ = tx.OutboxByKey(k.Workspace, key)
		return nil
	})
	return it
}

func userID(t *testing.T, k *bottest.Kit, name string) okrcore.ID {
	t.Helper()
	var id okrcore.ID
	_ = k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		u, err := tx.UserByName(k.Workspace, name)
		if err == nil {
			id = u.ID
		}
		return err
	})
	if id == 0 {
		t.Fatalf("no user %s", name)
	}
	return id
}

func TestEndOfCycleAtLocalWorkingHours(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	plat := k.Platform
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 4}))
	// Sales checks in at 14:30: alice and bob grade then.
	if got := bottest.Text(k.Ask("alice", "/okr schedule team Sales checkin monday 14:30")); !strings.Contains(got, "14:30") {
		t.Fatalf("team schedule: %s", got)
	}
	// Q4 2026 ends on Thursday, Dec 31: owners grade from Friday, Dec 25
	// (seven days before the end), the retrospective opens on Dec 27.
	k.Clock.Set(time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 12, 26, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	wantSentAt(t, "grading prompt", plat.Kind("grading"), map[string]string{
		"alice": "2026-12-25T13:30", "bob": "2026-12-25T22:30", // Sales' 14:30 in Berlin and Los Angeles
		"erin": "2026-12-25T09:00", "carol": "2026-12-25T10:00", "dana": "2026-12-25T15:00",
		"gina": "2026-12-25T16:00", "hank": "2026-12-25T16:00", "frank": "2026-12-25T04:30",
	})
	// The keys are those of the items stored before.
	var cyc okrcore.ID
	_ = k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		cur, err := okrcore.CurrentCycle(tx, k.Workspace)
		if err == nil {
			cyc = cur.ID
		}
		return err
	})
	for _, who := range []string{"alice", "frank"} {
		key := fmt.Sprintf("grading:u%d:c%d", userID(t, k, who), cyc)
		if it := outboxItem(t, k, key); it == nil || it.Period != fmt.Sprintf("c%d", cyc) {
			t.Errorf("no outbox item %s: %+v", key, it)
		}
	}

	r.RunUntil(time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	wantSentAt(t, "retrospective invitation", plat.Kind("retro"), map[string]string{
		"alice": "2026-12-27T13:30", "bob": "2026-12-27T22:30",
		"erin": "2026-12-27T09:00", "carol": "2026-12-27T10:00", "dana": "2026-12-27T15:00",
		"gina": "2026-12-27T16:00", "hank": "2026-12-27T16:00", "frank": "2026-12-27T04:30",
	})
	if key := fmt.Sprintf("retro:u%d:c%d", userID(t, k, "erin"), cyc); outboxItem(t, k, key) == nil {
		t.Errorf("erin's invitation is not under %s", key)
	}

	// Three of Leadership answer, and three of Engineering (in London, its
	// lead's time zone). Leadership moves to Kolkata, where its 16:00 digest
	// time on Jan 1 (10:30 UTC) comes before answering closes (12:00 UTC):
	// its summary comes the day after.
	if got := bottest.Text(k.Ask("dana", "/okr team timezone Leadership Asia/Kolkata")); !strings.Contains(got, "Asia/Kolkata") {
		t.Fatalf("team time zone: %s", got)
	}
	for _, who := range []string{"alice", "dana", "gina", "carol", "erin", "frank"} {
		k.Press(who, "retro")
		for _, a := range []string{"4", "3", "5", "4", "Weekly demos", "Long status meetings", "The Friday digest"} {
			k.Ask(who, a)
		}
	}
	before := len(plat.Kind("retro"))
	r.RunUntil(time.Date(2027, 1, 1, 11, 59, 0, 0, time.UTC), time.Hour)
	if n := len(plat.Kind("retro")); n != before {
		t.Errorf("%d retrospective messages before answering closed", n-before)
	}
	r.RunUntil(time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	wantSentAt(t, "summary", plat.Kind("retro")[before:], map[string]string{
		"#engineering": "2027-01-01T16:00",
		"#leadership":  "2027-01-02T10:30",
	})
}

// TestGradingAcrossSpringForward: grading on the day clocks go forward in
// New York and Chicago (2027-03-14), and in Kolkata's half-hour offset.
func TestGradingAcrossSpringForward(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)), bottest.Demo())
	plat := k.Platform
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 4}))
	// Q1 2027 ends on Mar 31: grading 18 days before is Mar 14.
	for _, cmd := range []string{"/okr schedule grading 18", "/okr schedule team Engineering checkin monday 2:30"} {
		if got := bottest.Text(k.Ask("dana", cmd)); !strings.Contains(got, "Done") {
			t.Fatalf("%s: %s", cmd, got)
		}
	}
	// Customer Success checks in at 02:30, which does not exist in Chicago
	// on Mar 14: gina and hank are asked at 03:30 CDT, once.
	if got := bottest.Text(k.Ask("gina", `/okr schedule team "Customer Success" checkin monday 2:30`)); !strings.Contains(got, "02:30") {
		t.Fatalf("team schedule: %s", got)
	}
	k.Clock.Set(time.Date(2027, 3, 13, 12, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2027, 3, 15, 12, 0, 0, 0, time.UTC), time.Minute)
	wantSentAt(t, "grading prompt", plat.Kind("grading"), map[string]string{
		"dana": "2027-03-14T14:00",                             // 10:00 EDT, the clocks went forward at 02:00
		"gina": "2027-03-14T08:30", "hank": "2027-03-14T08:30", // 02:30 is 03:30 CDT that day
		"bob":   "2027-03-14T17:00", // 10:00 PDT
		"frank": "2027-03-13T21:00", // Engineering's 02:30 in Kolkata
		"carol": "2027-03-14T02:30", "erin": "2027-03-14T01:30",
		"alice": "2027-03-14T09:00",
	})
}

// TestRetroInvitationAcrossFallBack: the retrospective opens on the day
// clocks go back in New York (2026-11-01), at a check-in time that happens
// twice that night: it comes once.
func TestRetroInvitationAcrossFallBack(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC)), bottest.Demo())
	plat := k.Platform
	r := k.Rhythm(k.Dispatcher(outbox.Options{Workers: 4}))
	// A cycle whose last day is Nov 7: grading nine days before it ends
	// (Oct 30), the retrospective two days later (Nov 1), at 01:30.
	for _, cmd := range []string{"/okr cycle new Fall 2026-10-01 2026-11-07", "/okr cycle set Fall", "/okr schedule grading 9", "/okr schedule checkin sunday 1:30"} {
		got := bottest.Text(k.Ask("dana", cmd))
		if strings.Contains(got, "isn't") || strings.Contains(got, "couldn't") || strings.Contains(got, "Only") {
			t.Fatalf("%s: %s", cmd, got)
		}
	}
	k.Clock.Set(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Minute)
	got := sentAt(plat.Kind("retro"))
	for _, who := range []string{"dana", "gina", "hank"} {
		if len(got[who]) != 1 {
			t.Errorf("%s invited %d times (%v) over the fold, want once", who, len(got[who]), got[who])
		}
	}
	if at := got["dana"]; len(at) == 1 && at[0] != "2026-11-01T05:30" {
		t.Errorf("dana invited at %s UTC, want 05:30 (the first 01:30 in New York, EDT)", at[0])
	}
}
