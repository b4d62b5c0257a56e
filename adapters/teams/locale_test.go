package teams

import (
	"encoding/json"
	"testing"
	"time"
)

// The person's locale comes from the activity, so that the engine reads
// numbers as they write them ("1.000,5" in de-DE).
func TestTranslateLocale(t *testing.T) {
	for _, c := range []struct{ locale, want string }{{"de-DE", "de-DE"}, {" en-US ", "en-US"}, {"", ""}, {string(make([]byte, 40)), ""}} {
		act := map[string]any{
			"type": "message", "id": "1", "text": "KR4 12,5", "serviceUrl": "https://s/", "channelId": "msteams", "locale": c.locale,
			"from":         map[string]any{"id": "29:a", "aadObjectId": "aad-a"},
			"conversation": map[string]any{"id": "a:1", "conversationType": "personal", "tenantId": "t"},
		}
		body, _ := json.Marshal(act)
		a, err := ParseActivity(body)
		if err != nil {
			t.Fatal(err)
		}
		if in := translate(a, time.Now()); !in.handle || in.ev.Locale != c.want {
			t.Errorf("locale %q: event locale %q (handle %v), want %q", c.locale, in.ev.Locale, in.handle, c.want)
		}
	}
}
