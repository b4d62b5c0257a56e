package teams

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/report"
	"github.com/okrbot/okrbot/schedule"
)

// lateHandler hands activities to an engine made after the adapter, as
// the engine needs the adapter's directory.
type lateHandler struct{ e *bot.Engine }

func (l *lateHandler) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	l.e.Handle(ctx, ev, r)
}

// TestDirectoryEndToEnd: the bot is added to a team; an admin syncs the
// people from its roster (pagedmembers on the service URL the team's
// activity named); Zoe, who never wrote, is given an OKR and nudged on
// Monday in a 1:1 chat the adapter creates for her.
func TestDirectoryEndToEnd(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)), bottest.Workspace(testTenant, Platform), bottest.Demo())
	late := &lateHandler{}
	hs := startHarness(t, late, nil)
	late.e = bot.NewEngine(k.DB, bot.Options{Now: k.Clock.Now, Directories: map[string]chat.Directory{Platform: hs.a}})
	const channel = "19:sales@thread.tacv2"
	hs.conn.setRoster(channel,
		`{"id":"29:dana","aadObjectId":"dana","name":"dana","tenantId":"`+testTenant+`","userRole":"user"}`,
		`{"id":"29:zoe","aadObjectId":"aad-zoe","name":"Zoe","email":"zoe@example.com","userPrincipalName":"zoe@example.com","tenantId":"`+testTenant+`","userRole":"user"}`,
		`{"id":"28:other-bot","name":"Other bot"}`)
	post := func(act map[string]any) {
		t.Helper()
		if status, body := hs.post(act); status != 200 {
			t.Fatalf("%s: status %d %s", act["type"], status, body)
		}
	}
	fromDana := func(typ, id, text string) map[string]any {
		act := hs.activity(typ, id, text)
		act["from"] = map[string]any{"id": "29:dana", "aadObjectId": "dana", "name": "dana"}
		act["conversation"] = map[string]any{"id": "a:dm-dana", "conversationType": "personal", "tenantId": testTenant}
		return act
	}
	up := fromDana("conversationUpdate", "inst-team", "")
	up["conversation"] = map[string]any{"id": channel, "conversationType": "channel", "tenantId": testTenant}
	up["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant}, "team": map[string]any{"id": "19:team@thread.tacv2"}}
	up["membersAdded"] = []any{map[string]any{"id": "28:" + testAppID}}
	post(up)
	waitInstalled(t, k, channel)
	// Teams answers the install in the channel with nothing; the next
	// answers go to dana's chat.
	ask := func(id, text, want string) string {
		t.Helper()
		mark := len(hs.conn.callList())
		post(fromDana("message", id, text))
		c := hs.conn.waitCall(mark, "answering "+text, func(c connCall) bool { return c.Conversation == "a:dm-dana" })
		if !strings.Contains(c.Raw, want) {
			t.Fatalf("%s: %s, want %q", text, c.Raw, want)
		}
		return c.Raw
	}
	ask("sync", "okr people sync", "Synced 2 people from Microsoft Teams: 1 new")
	var paged []string
	for _, c := range hs.conn.callList() {
		if strings.HasSuffix(c.Path, "/pagedmembers") {
			paged = append(paged, c.Conversation)
		}
	}
	if len(paged) != 1 || paged[0] != channel {
		t.Errorf("rosters read: %v, want %s's", paged, channel)
	}
	obj := regexp.MustCompile(`O[0-9]+`).FindString(ask("obj", `okr new objective "Open Berlin" for @Zoe`, "Open Berlin"))
	ask("kr", "okr new kr "+obj+` "Ten customers" from 0 to 10 owner @Zoe`, "Ten customers")

	// Monday 10:00 UTC, Zoe's zone (Teams' roster tells none).
	k.Clock.Set(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	mark := len(hs.conn.callList())
	sched := k.Scheduler(schedule.Options{})
	disp := outbox.NewDispatcher(k.DB, late.e, outbox.ByPlatform(map[string]chat.Sender{Platform: hs.a}), outbox.Options{Now: k.Clock.Now, Workers: 2})
	if _, err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := disp.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs.conn.waitCall(mark, "opening Zoe's chat", func(c connCall) bool {
		return c.Method == "POST" && c.Path == "/v3/conversations" && strings.Contains(c.Raw, `"members":[{"id":"aad-zoe"}],"tenantId":"`+testTenant+`"`)
	})
	hs.conn.waitCall(mark, "nudging Zoe", func(c connCall) bool { return c.Conversation == "a:dm-aad-zoe" && strings.Contains(c.Raw, "check-in") })
}

// waitInstalled waits until the engine has stored the reference of the
// conversation it was added to: the install is handled by the pool after
// its ack, so a command posted right after it could otherwise run first
// and find no roster to read.
func waitInstalled(t *testing.T, k *bottest.Kit, conv string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := okrcore.View(context.Background(), k.DB, func(tx okrcore.Tx) ([]byte, error) {
			return tx.State(k.Workspace, report.ChannelRefKey(conv))
		})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the install in %s was not handled: %v", conv, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
