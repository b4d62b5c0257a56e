package teams

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// The person's time zone comes from the activity's localTimezone, or else
// from its clientInfo entity; a zone Go does not know is ignored.
func TestTranslateTimeZone(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{
			"type": "message", "id": "1", "text": "okr mine", "serviceUrl": "https://s/", "channelId": "msteams",
			"from":         map[string]any{"id": "29:a", "aadObjectId": "aad-a"},
			"conversation": map[string]any{"id": "a:1", "conversationType": "personal", "tenantId": "t"},
		}
	}
	clientInfo := func(tz string) []any {
		return []any{
			map[string]any{"type": "mention", "text": "<at>okrbot</at>"},
			map[string]any{"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web", "timezone": tz},
		}
	}
	cases := []struct {
		name string
		mod  func(map[string]any)
		want string
	}{
		{"localTimezone", func(a map[string]any) { a["localTimezone"] = "Europe/Berlin" }, "Europe/Berlin"},
		{"clientInfo entity", func(a map[string]any) { a["entities"] = clientInfo("America/Los_Angeles") }, "America/Los_Angeles"},
		{"localTimezone wins", func(a map[string]any) {
			a["localTimezone"] = "Asia/Kolkata"
			a["entities"] = clientInfo("America/Chicago")
		}, "Asia/Kolkata"},
		{"unknown zone", func(a map[string]any) { a["localTimezone"] = "Mars/Olympus_Mons" }, ""},
		{"unknown zone in entity", func(a map[string]any) { a["entities"] = clientInfo("Nowhere") }, ""},
		{"Local is not a zone", func(a map[string]any) { a["localTimezone"] = "Local" }, ""},
		{"none", func(map[string]any) {}, ""},
		{"timezone not a string", func(a map[string]any) { a["entities"] = []any{map[string]any{"type": "clientInfo", "timezone": 5}} }, ""},
		{"install carries it too", func(a map[string]any) {
			a["type"], a["action"], a["text"] = "installationUpdate", "add", ""
			a["entities"] = clientInfo("Europe/London")
		}, "Europe/London"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			act := base()
			c.mod(act)
			body, _ := json.Marshal(act)
			a, err := ParseActivity(body)
			if err != nil {
				t.Fatal(err)
			}
			in := translate(a, time.Now())
			if !in.handle || in.ev.TimeZone != c.want {
				t.Fatalf("time zone %q (handle %v), want %q", in.ev.TimeZone, in.handle, c.want)
			}
		})
	}
}

// The engine keeps the zone Teams reports on the person, so nudges come at
// their local time.
func TestTimeZoneReachesTheStore(t *testing.T) {
	db := bottest.Store(t)
	bottest.SeedDemo(t, db, testTenant, Platform, time.Now())
	hs := startHarness(t, bot.NewEngine(db, bot.Options{}), nil)
	act := hs.activity("message", "tz1", "okr mine")
	act["from"] = map[string]any{"id": "bob", "name": "bob"} // seeded in Los Angeles
	delete(act, "localTimezone")
	act["entities"] = []any{map[string]any{"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/London"}}
	if status, _ := hs.post(act); status != 200 {
		t.Fatalf("status %d", status)
	}
	hs.conn.waitCalls(1)
	var tz string
	err := db.View(t.Context(), func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform(testTenant, Platform, "bob")
		if err == nil {
			tz = u.TimeZone
		}
		return err
	})
	if err != nil || tz != "Europe/London" {
		t.Fatalf("bob's zone %q, %v", tz, err)
	}
}
