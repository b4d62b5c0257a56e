package slack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
)

// goWords are what an error body must not say: Go's types, packages and
// decoder messages are for the log, not for whoever sent the request.
var goWords = regexp.MustCompile(`(?i)json:|cannot unmarshal|go struct|go value|\bstruct\b|\bfield\b|of type|slackapi|slackevents|\*[a-z]+\.|panic|runtime|\.go\b`)

func checkBody(t *testing.T, what string, status int, body string, wantStatus int, wantBody string) {
	t.Helper()
	if status != wantStatus || body != wantBody {
		t.Errorf("%s: %d %q, want %d %q", what, status, body, wantStatus, wantBody)
	}
	if goWords.MatchString(body) {
		t.Errorf("%s: the body names Go: %q", what, body)
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }
func (failingBody) Close() error             { return nil }

// TestErrorBodies: every refusal of the HTTP handler, with its body.
func TestErrorBodies(t *testing.T) {
	ib := bottest.NewInbox()
	hs := newKeptHarness(t, Options{MaxBody: 4096, Workers: 1, Queue: 1}, ib)
	form := "application/x-www-form-urlencoded"
	payload := func(s string) string { return url.Values{"payload": {s}}.Encode() }
	tests := []struct {
		name, path, ctype, body string
		sig                     string // "bad" for a wrong signature
		status                  int
		want                    string
	}{
		{"event with a wrong signature", "/slack/events", "application/json", `{}`, "bad", 401, "invalid request signature\n"},
		{"command with a wrong signature", "/slack/commands", form, "text=x", "bad", 401, "invalid request signature\n"},
		{"interaction with a wrong signature", "/slack/interactions", form, "payload=x", "bad", 401, "invalid request signature\n"},
		{"event too large", "/slack/events", "application/json", `{"x":"` + strings.Repeat("a", 5000) + `"}`, "", 413, "request body too large\n"},
		{"command too large", "/slack/commands", form, "text=" + strings.Repeat("a", 5000), "", 413, "request body too large\n"},
		{"event not JSON", "/slack/events", "application/json", `{"type": `, "", 400, "malformed event\n"},
		{"event of the wrong shape", "/slack/events", "application/json", `{"type":"event_callback","team_id":"T1","event":{"type":"message","text":42}}`, "", 400, "malformed event\n"},
		{"command with a broken form", "/slack/commands", form, "text=%zz&team_id=T1", "", 400, "malformed form\n"},
		{"command without team or user", "/slack/commands", form, "command=%2Fokr&text=mine", "", 400, "malformed command\n"},
		{"interaction not JSON", "/slack/interactions", form, payload("{oops"), "", 400, "malformed interaction\n"},
		{"interaction of the wrong shape", "/slack/interactions", form, payload(`{"type":"block_actions","team":{"id":7}}`), "", 400, "malformed interaction\n"},
		{"interaction without user", "/slack/interactions", form, payload(`{"type":"block_actions","team":{"id":"T1"}}`), "", 400, "malformed interaction\n"},
	}
	for _, tc := range tests {
		b := []byte(tc.body)
		h := sign(testSecret, freshTime(), b)
		if tc.sig == "bad" {
			h = sign("wrong", time.Now(), b)
		}
		status, body := hs.post(tc.path, tc.ctype, b, h)
		checkBody(t, tc.name, status, body, tc.status, tc.want)
	}

	// A body that cannot be read.
	r := httptest.NewRequest(http.MethodPost, "/slack/events", nil)
	r.Body = failingBody{}
	rec := httptest.NewRecorder()
	hs.a.Handler().ServeHTTP(rec, r)
	checkBody(t, "a body that cannot be read", rec.Code, rec.Body.String(), 400, "cannot read the request\n")

	// Busy: one event in the worker, one queued, then no room.
	release := hs.h.hold()
	defer release()
	for _, ts := range []string{"2.1", "2.2"} {
		hs.postEvent(eventBody("E"+ts, dmEvent("U1", "D1", ts, "x")))
		time.Sleep(20 * time.Millisecond)
	}
	status, body := hs.postEvent(eventBody("E2.3", dmEvent("U1", "D1", "2.3", "x")))
	checkBody(t, "an event on a full pool", status, body, 503, "busy\n")
	status, body = hs.postInteraction(buttonPayload("U1", "D1", "1.0", actionPrefix+"1", "mine", "trig-full", hs.fake.responseURL("x")))
	checkBody(t, "a button on a full pool", status, body, 503, "busy\n")

	// Routes and methods the handler does not serve.
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{http.MethodGet, "/slack/events", 405, "Method Not Allowed\n"},
		{http.MethodPost, "/slack/nothing", 404, "404 page not found\n"},
	} {
		rec := httptest.NewRecorder()
		hs.a.Handler().ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader("{}")))
		checkBody(t, c.method+" "+c.path, rec.Code, rec.Body.String(), c.status, c.want)
	}
}

// TestErrorBodiesBeforeRun: before Run, deliveries and /healthz are
// refused with 503.
func TestErrorBodiesBeforeRun(t *testing.T) {
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := eventBody("E1", dmEvent("U1", "D1", "1.1", "mine"))
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptestRequest(t, "/slack/events", b, sign(testSecret, time.Now(), b)))
	checkBody(t, "an event before Run", rec.Code, rec.Body.String(), 503, "busy\n")
	rec = httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	checkBody(t, "/healthz before Run", rec.Code, rec.Body.String(), 503, "starting\n")
}

// TestServeCapsHeaders: Serve's server refuses headers over 64 KiB with
// 431.
func TestServeCapsHeaders(t *testing.T) {
	f := newFakeSlack(t)
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, addr, newRecorder(nil)) }()
	defer func() { cancel(); <-done }()
	get := func(n int) int {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz", nil)
			req.Header.Set("X-Padding", strings.Repeat("a", n))
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
					return res.StatusCode
				}
			} else if time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if code := get(32 << 10); code != http.StatusOK {
		t.Errorf("a 32 KiB header: %d, want 200", code)
	}
	if code := get(100 << 10); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 100 KiB header: %d, want 431", code)
	}
}
