package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/chat"
)

const (
	testBotToken = slacktest.BotToken
	testAppToken = slacktest.AppToken
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam     = slacktest.Team
	testBotUser  = slacktest.BotUser
)

// call is one request the fake Slack received (slacktest.Call, with the
// lowercase helpers these tests use).
type call slacktest.Call

func (c call) get(key string) string { return slacktest.Call(c).Get(key) }

func (c call) body() string { return slacktest.Call(c).Body() }

// reply is a canned answer for the next call of a method.
type reply struct {
	status     int
	retryAfter string
	body       string
}

type fakeUser = slacktest.User

// fakeSlack is slacktest's fake Slack for one test: it stops at cleanup,
// and its waits fail the test.
type fakeSlack struct {
	*slacktest.Fake
	t      testing.TB
	srv    *httptest.Server
	acks   <-chan map[string]any
	opened openedCount
}

// openedCount reads how many Socket Mode connections were opened.
type openedCount struct{ f *slacktest.Fake }

func (o openedCount) Load() int32 { return o.f.Opened() }

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	sf := slacktest.New(slacktest.Options{})
	t.Cleanup(sf.Close)
	return &fakeSlack{Fake: sf, t: t, srv: sf.Server, acks: sf.Acks(), opened: openedCount{sf}}
}

func (f *fakeSlack) apiURL() string { return f.APIURL() }

func (f *fakeSlack) responseURL(id string) string { return f.ResponseURL(id) }

func (f *fakeSlack) addUser(u fakeUser) { f.AddUser(u) }

// failNext makes the next call of method answer r.
func (f *fakeSlack) failNext(method string, r reply) {
	f.FailNext(method, slacktest.Reply{Status: r.status, RetryAfter: r.retryAfter, Body: r.body})
}

func (f *fakeSlack) record(c call) { f.Record(slacktest.Call(c)) }

// callsOf returns the calls of a method so far.
func (f *fakeSlack) callsOf(method string) []call {
	var out []call
	for _, c := range f.Calls(method) {
		out = append(out, call(c))
	}
	return out
}

// waitCalls waits until method was called n times and returns the calls.
func (f *fakeSlack) waitCalls(method string, n int) []call {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if cs := f.callsOf(method); len(cs) >= n {
			return cs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waited for %d %s calls; got %d (all: %v)", n, method, len(f.callsOf(method)), f.methods())
		}
		select {
		case <-f.Changed():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (f *fakeSlack) methods() []string { return f.Methods() }

// sendEnvelope sends a Socket Mode envelope of a type with a payload.
func (f *fakeSlack) sendEnvelope(id, typ string, retry int, payload any) {
	f.t.Helper()
	if err := f.SendEnvelope(id, typ, retry, payload, 5*time.Second); err != nil {
		f.t.Fatal(err)
	}
}

// waitAck waits for the ack of an envelope.
func (f *fakeSlack) waitAck(id string) {
	f.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ack := <-f.acks:
			if ack["envelope_id"] == id {
				return
			}
		case <-deadline:
			f.t.Fatalf("no ack for envelope %s", id)
		}
	}
}

func writeSlack(w http.ResponseWriter, v any) { slacktest.Write(w, v) }

// recorder is a fake bot.Handler: it records events and answers with
// answer (when set); with gate set, it waits for the gate to open first.
type recorder struct {
	mu     sync.Mutex
	events []chat.Event
	answer func(chat.Event) (chat.Message, bool)
	gate   chan struct{}
	seen   chan chat.Event
	errs   chan error
}

func newRecorder(answer func(chat.Event) (chat.Message, bool)) *recorder {
	return &recorder{answer: answer, seen: make(chan chat.Event, 100), errs: make(chan error, 100)}
}

func (r *recorder) Handle(ctx context.Context, ev chat.Event, resp chat.Responder) {
	r.mu.Lock()
	gate := r.gate
	r.mu.Unlock()
	if gate != nil {
		<-gate
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.seen <- ev
	if r.answer != nil {
		if m, ok := r.answer(ev); ok {
			if err := resp.Respond(ctx, m); err != nil {
				r.errs <- err
			}
		}
	}
}

// hold makes the handler wait until the returned function is called.
func (r *recorder) hold() (release func()) {
	gate := make(chan struct{})
	r.mu.Lock()
	r.gate = gate
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.gate = nil
		r.mu.Unlock()
		close(gate)
	}
}

func (r *recorder) all() []chat.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Event(nil), r.events...)
}

// next waits for the next handled event.
func (r *recorder) next(t *testing.T) chat.Event {
	t.Helper()
	select {
	case ev := <-r.seen:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event reached the handler")
	}
	return chat.Event{}
}

// echo answers every event with a short text.
func echo(ev chat.Event) (chat.Message, bool) {
	return chat.Text("got " + string(ev.Kind) + " " + ev.Text + ev.Value), true
}

// harness is an adapter running against a fake Slack.
type harness struct {
	t    *testing.T
	fake *fakeSlack
	a    *Adapter
	h    *recorder
	srv  *httptest.Server // the adapter's HTTP handler
}

// start runs an adapter with handler h against f. cfg's tokens and API
// URL are filled in when empty.
func start(t testing.TB, f *fakeSlack, cfg Config, opts Options, h chat.Handler) *Adapter {
	t.Helper()
	if cfg.BotToken == "" {
		cfg.BotToken = testBotToken
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		cfg.SigningSecret = testSecret
	}
	if cfg.APIURL == "" {
		cfg.APIURL = f.apiURL()
	}
	a, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after its context ended")
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for !a.run.Running() {
		if time.Now().After(deadline) {
			t.Fatal("the adapter did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return a
}

// newHarness starts an adapter in HTTP mode with a recorder.
func newHarness(t *testing.T, opts Options, answer func(chat.Event) (chat.Message, bool)) *harness {
	t.Helper()
	f := newFakeSlack(t)
	h := newRecorder(answer)
	a := start(t, f, Config{}, opts, h)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &harness{t: t, fake: f, a: a, h: h, srv: srv}
}

var signSeq atomic.Int64

// sign returns Slack's signature headers for body at time ts.
func sign(secret string, ts time.Time, body []byte) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

// freshTime is a recent time, different for every call so that two
// signatures of one body differ (as Slack's retries do).
func freshTime() time.Time {
	return time.Now().Add(-time.Duration(signSeq.Add(1)%200) * time.Second)
}

// post sends a request to the adapter with the given headers.
func (hs *harness) post(path, contentType string, body []byte, header http.Header) (int, string) {
	hs.t.Helper()
	req, err := http.NewRequest(http.MethodPost, hs.srv.URL+path, strings.NewReader(string(body)))
	if err != nil {
		hs.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		hs.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// postEvent sends a signed Events API body.
func (hs *harness) postEvent(body []byte, extra ...string) (int, string) {
	hs.t.Helper()
	h := sign(testSecret, freshTime(), body)
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return hs.post("/slack/events", "application/json", body, h)
}

// postForm sends a signed form (a slash command or an interaction).
func (hs *harness) postForm(path string, form url.Values) (int, string) {
	hs.t.Helper()
	body := []byte(form.Encode())
	return hs.post(path, "application/x-www-form-urlencoded", body, sign(testSecret, freshTime(), body))
}

// postInteraction sends a signed interaction payload.
func (hs *harness) postInteraction(payload any) (int, string) {
	hs.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		hs.t.Fatal(err)
	}
	return hs.postForm("/slack/interactions", url.Values{"payload": {string(b)}})
}

// Payload builders in Slack's wire format.

func eventBody(eventID string, event map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": event,
		"authorizations": []map[string]any{{"team_id": testTeam, "user_id": testBotUser, "is_bot": true}},
	})
	return b
}

func dmEvent(user, channel, ts, text string) map[string]any {
	return map[string]any{"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
		"channel_type": "im", "client_msg_id": "c-" + ts}
}

func mentionEvent(user, channel, ts, text string) map[string]any {
	return map[string]any{"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts}
}

func commandForm(user, channel, text, trigger, responseURL string) url.Values {
	return url.Values{"token": {"legacy"}, "team_id": {testTeam}, "team_domain": {"acme"}, "channel_id": {channel},
		"channel_name": {"directmessage"}, "user_id": {user}, "user_name": {strings.ToLower(user)}, "command": {"/okr"},
		"text": {text}, "api_app_id": {"A1"}, "response_url": {responseURL}, "trigger_id": {trigger}}
}

func buttonPayload(user, channel, messageTS, actionID, value, trigger, responseURL string) map[string]any {
	return map[string]any{
		"type": "block_actions", "team": map[string]any{"id": testTeam, "domain": "acme"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": testTeam},
		"api_app_id": "A1", "token": "legacy", "trigger_id": trigger, "response_url": responseURL,
		"container": map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"channel":   map[string]any{"id": channel, "name": "directmessage"},
		"message":   map[string]any{"type": "message", "ts": messageTS, "text": "nudge"},
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b1", "value": value,
			"text": map[string]any{"type": "plain_text", "text": "Update"}, "action_ts": "1700000001.000100"}},
	}
}

func submissionPayload(user, viewID, metadata string, values map[string]map[string]any) map[string]any {
	state := map[string]any{}
	for block, v := range values {
		state[block] = map[string]any{"value": v}
	}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": testTeam, "domain": "acme"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": testTeam},
		"api_app_id": "A1", "token": "legacy", "trigger_id": "trig-" + viewID,
		"view": map[string]any{"id": viewID, "team_id": testTeam, "type": "modal", "callback_id": formCallbackID,
			"private_metadata": metadata, "hash": "h1", "state": map[string]any{"values": state}},
	}
}

func httptestGet(t *testing.T, h http.Handler, path string) int {
	t.Helper()
	return serve(h, httptest.NewRequest(http.MethodGet, path, nil))
}

func httptestRequest(t *testing.T, path string, body []byte, header http.Header) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	for k, v := range header {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", "application/json")
	return r
}

func serve(h http.Handler, r *http.Request) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Code
}
