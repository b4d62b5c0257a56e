package slack

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// lateHandler hands events to an engine made after the adapter, as the
// engine needs the adapter's directory.
type lateHandler struct{ e *bot.Engine }

func (l *lateHandler) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	l.e.Handle(ctx, ev, r)
}

// TestDirectoryEndToEnd: an admin syncs the Slack directory (users.list,
// page after page), places someone who never wrote by address
// (users.lookupByEmail), and a synced person with an OKR gets Monday's
// nudge, which Slack opens as the app's DM with their user id.
func TestDirectoryEndToEnd(t *testing.T) {
	clock := bottest.NewClock(time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
	db := bottest.Store(t)
	bottest.SeedDemo(t, db, testTeam, Platform, clock.Now())
	f := newFakeSlack(t)
	for _, n := range []string{"dana", "alice", "bob", "carol", "frank", "gina", "hank", "olga"} {
		f.addUser(fakeUser{ID: n, Name: n, Email: n + "@acme.example", Unconfirmed: true})
	}
	f.addUser(fakeUser{ID: "UZOE", Name: "Zoe Zed", Email: "zoe@acme.example", TZ: "Europe/Berlin"})
	f.addUser(fakeUser{ID: "UBOT", Name: "okrbot", Bot: true})
	f.addUser(fakeUser{ID: "erin", Name: "erin", Deleted: true})
	late := &lateHandler{}
	a := start(t, f, Config{}, Options{DirectoryPage: 3, Now: clock.Now}, late)
	late.e = bot.NewEngine(db, bot.Options{Now: clock.Now, Directories: map[string]chat.Directory{Platform: a}})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	hs := &harness{t: t, fake: f, a: a, srv: srv}

	command := func(user, text string, n int) string {
		t.Helper()
		hs.postForm("/slack/commands", commandForm(user, "D1", text, fmt.Sprintf("trig-%d", n), f.responseURL(fmt.Sprint(n))))
		return f.waitCalls("response_url", n)[n-1].body()
	}
	if got := command("dana", "people sync", 1); !strings.Contains(got, "Synced 9 people from Slack: 1 new, 0 updated, 1 left.") {
		t.Fatalf("sync: %s", got)
	}
	if n := len(f.callsOf("users.list")); n != 4 {
		t.Errorf("%d users.list pages, want 4 of 3", n)
	}
	if got := command("alice", "people sync", 2); !strings.Contains(got, "Only an admin") {
		t.Errorf("a member's sync: %s", got)
	}
	f.addUser(fakeUser{ID: "UNEW", Name: "Nadia New", Email: "nadia@acme.example"})
	if got := command("dana", "team add Sales nadia@acme.example", 3); !strings.Contains(got, "Added Nadia New to Sales.") {
		t.Errorf("team add by address: %s", got)
	}
	// The address is a person's text: a zero-width space after its dot
	// keeps Slack from making it a link.
	if got := command("dana", "team add Sales ghost@acme.example", 4); !strings.Contains(strings.ReplaceAll(got, "\u200b", ""), "Nobody okrbot knows, nor anyone in the chat directory, has the address ghost@acme.example.") || !strings.Contains(got, "acme.\u200bexample") {
		t.Errorf("team add of nobody: %s", got)
	}
	if n := len(f.callsOf("users.lookupByEmail")); n != 2 {
		t.Errorf("%d address lookups, want 2", n)
	}
	got := command("dana", `new objective "Open Berlin" for <@UZOE>`, 5)
	obj := regexp.MustCompile(`O[0-9]+`).FindString(got)
	if obj == "" {
		t.Fatalf("objective: %s", got)
	}
	if got := command("dana", "new kr "+obj+` "Ten customers" from 0 to 10 owner <@UZOE>`, 6); !strings.Contains(got, "Ten customers") {
		t.Fatalf("key result for %s: %s", obj, got)
	}

	// Monday 10:00 in Berlin.
	clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	sched := schedule.NewScheduler(db, schedule.Options{Now: clock.Now})
	disp := outbox.NewDispatcher(db, late.e, outbox.ByPlatform(map[string]chat.Sender{Platform: a}), outbox.Options{Now: clock.Now, Workers: 2})
	ctx := context.Background()
	if _, err := sched.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if err := disp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var toZoe, toErin int
	for _, c := range f.callsOf("chat.postMessage") {
		switch c.get("channel") {
		case "UZOE":
			toZoe++
		case "erin":
			toErin++
		}
	}
	if toZoe != 1 || toErin != 0 {
		t.Errorf("nudges: %d to Zoe, %d to erin (who left); want 1 and 0: %v", toZoe, toErin, f.methods())
	}
}
