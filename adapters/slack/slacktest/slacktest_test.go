package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLimit: the bucket admits its burst at once and then PerSecond, one
// call per conversation per PerConversation, and refuses the rest with a
// whole number of seconds, on a clock the test moves.
func TestLimit(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	type call struct {
		after time.Duration // moved before the call
		conv  string
		ok    bool
		retry time.Duration
	}
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
		conv  time.Duration
		calls []call
	}{
		{"the burst, then the rate", 2, 2, 0, []call{
			{0, "a", true, 0}, {0, "b", true, 0}, {0, "c", false, time.Second},
			{500 * time.Millisecond, "c", true, 0}, {0, "d", false, time.Second}, {time.Second, "d", true, 0}}},
		{"one a second per conversation", 100, 10, time.Second, []call{
			{0, "a", true, 0}, {100 * time.Millisecond, "a", false, time.Second}, {0, "b", true, 0},
			{900 * time.Millisecond, "a", true, 0}}},
		{"a slow rate asks for whole seconds", 0.25, 1, 0, []call{
			{0, "a", true, 0}, {0, "b", false, 4 * time.Second}, {3 * time.Second, "b", false, time.Second}, {time.Second, "b", true, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimit(tc.rate, tc.burst, tc.conv, now)
			refused := 0
			for i, c := range tc.calls {
				at = at.Add(c.after)
				ok, retry := l.Admit(c.conv)
				if ok != c.ok || retry != c.retry {
					t.Errorf("call %d to %s: ok %v retry %s; want %v %s", i, c.conv, ok, retry, c.ok, c.retry)
				}
				if !ok {
					refused++
				}
			}
			if calls, limited, _ := l.Stats(); calls != int64(len(tc.calls)) || limited != int64(refused) {
				t.Errorf("stats %d calls, %d limited; want %d, %d", calls, limited, len(tc.calls), refused)
			}
		})
	}
}

func TestDeliveriesTally(t *testing.T) {
	d := NewDeliveries()
	for _, k := range []string{"a:1", "a:1", "a:2", "x:9"} {
		conv, _, _ := strings.Cut(k, ":")
		d.Add(conv, k)
	}
	got := d.Tally(map[string][]string{"a": {"a:1", "a:2", "a:3"}})
	if want := (Tally{Messages: 3, Duplicates: 1, Missed: 1, Unexpected: 1}); got != want {
		t.Errorf("tally %+v, want %+v", got, want)
	}
	if c := d.Clone(); c.Total() != 4 || c.Count("a", "a:1") != 2 {
		t.Errorf("clone: %d in all, %d of a:1", c.Total(), c.Count("a", "a:1"))
	}
}

// TestFakeLimitsPosts: over HTTP, a post above the hidden limit is
// answered 429 with Retry-After and not delivered; those within it are
// delivered under the outbox key of their metadata; a bad token and a
// body that does not parse are refused as Slack refuses them.
func TestFakeLimitsPosts(t *testing.T) {
	f := New(Options{Limit: NewLimit(1, 1, time.Second)})
	defer f.Close()
	post := func(token string, form url.Values) (int, string, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, f.APIURL()+"chat.postMessage", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		return res.StatusCode, res.Header.Get("Retry-After"), v
	}
	msg := url.Values{"channel": {"u1"}, "text": {"hi"}, "metadata": {`{"event_type":"okrbot_outbox","event_payload":{"key":"checkin:u1:2026-W48"}}`}}
	if code, _, v := post(BotToken, msg); code != 200 || v["ok"] != true {
		t.Fatalf("first post: %d %v", code, v)
	}
	if code, after, v := post(BotToken, msg); code != http.StatusTooManyRequests || after != "1" || v["error"] != "ratelimited" {
		t.Errorf("second post at once: %d Retry-After %q %v; want 429, 1, ratelimited", code, after, v)
	}
	if _, _, v := post("xoxb-wrong", msg); v["error"] != "invalid_auth" {
		t.Errorf("a wrong token: %v", v)
	}
	if n := f.Deliveries().Count("u1", "checkin:u1:2026-W48"); n != 1 {
		t.Errorf("%d deliveries of the nudge, want 1", n)
	}
	if st := f.Stats(); st.Posts != 2 || st.RateLimited != 1 {
		t.Errorf("stats %+v; want 2 posts (the bad token's is not one), 1 limited", st)
	}
	req, _ := http.NewRequest(http.MethodPost, f.APIURL()+"auth.test", strings.NewReader("{"))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	_ = json.NewDecoder(res.Body).Decode(&v)
	res.Body.Close()
	if v["error"] != "invalid_json" {
		t.Errorf("a body that does not parse: %v", v)
	}
}
