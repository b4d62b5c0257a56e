package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// TestSlackStatusAway: with `settings slack-status-away on`, a person whose
// Slack status says they're away (the fake's users.info serves it) gets no
// nudge while it lasts; an expired one, or one that says something else,
// holds nothing. With the setting off, no status is read at all.
func TestSlackStatusAway(t *testing.T) {
	k := bottest.New(t, bottest.Demo(), bottest.Workspace("T1", "slack"), bottest.Start(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)))
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	later := k.Clock.Now().AddDate(0, 0, 30)
	for _, u := range []fakeUser{
		{ID: "bob", Name: "bob", StatusEmoji: ":palm_tree:", StatusText: "Surfing", StatusExpires: later},
		{ID: "erin", Name: "erin", StatusEmoji: ":speech_balloon:", StatusText: "Out of office, back in January"},
		{ID: "carol", Name: "carol", StatusEmoji: ":airplane:", StatusExpires: k.Clock.Now().Add(time.Hour)}, // gone by Monday
		{ID: "frank", Name: "frank", StatusEmoji: ":spiral_calendar_pad:", StatusText: "In a meeting"},
	} {
		f.addUser(u)
	}
	r := k.Rhythm(k.DispatcherTo(outbox.Only(a), outbox.Options{Workers: 4}))
	state := func(who, week string) okrcore.OutboxState {
		t.Helper()
		var st okrcore.OutboxState
		if err := k.DB.View(t.Context(), func(tx okrcore.Tx) error {
			u, err := tx.UserByPlatform("T1", "slack", who)
			if err != nil {
				return err
			}
			it, err := tx.OutboxByKey("T1", fmt.Sprintf("checkin:u%d:%s", u.ID, week))
			if err != nil {
				return err
			}
			st = it.State
			return nil
		}); err != nil {
			t.Fatalf("%s's nudge of %s: %v", who, week, err)
		}
		return st
	}

	// Off (the default): everyone is nudged, and no status is read.
	r.RunUntil(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	if n := len(f.callsOf("users.info")); n != 0 {
		t.Errorf("%d users.info calls with the setting off", n)
	}
	for _, who := range []string{"bob", "erin", "carol", "frank"} {
		if st := state(who, "2026-W48"); st != okrcore.OutboxSent {
			t.Errorf("setting off: %s's nudge %s, want sent", who, st)
		}
	}

	if got := bottest.Text(k.Ask("dana", "settings slack-status-away on")); !strings.Contains(got, "Slack status says they're away") {
		t.Fatalf("settings slack-status-away on: %s", got)
	}
	k.Clock.Set(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	want := map[string]okrcore.OutboxState{"bob": okrcore.OutboxSkipped, "erin": okrcore.OutboxSkipped, "carol": okrcore.OutboxSent, "frank": okrcore.OutboxSent}
	for who, w := range want {
		if st := state(who, "2026-W49"); st != w {
			t.Errorf("setting on: %s's nudge %s, want %s", who, st, w)
		}
	}
	if n := len(f.callsOf("users.info")); n == 0 {
		t.Errorf("no users.info call with the setting on")
	}

	// Slack failing to say anyone's status (every read this week fails):
	// bob's nudge goes, as if his status said nothing.
	for range 40 {
		f.failNext("users.info", reply{status: 500})
	}
	k.Clock.Set(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	r.RunUntil(time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), 15*time.Minute)
	if st := state("bob", "2026-W50"); st != okrcore.OutboxSent {
		t.Errorf("bob's nudge %s while users.info failed, want sent", st)
	}
}
