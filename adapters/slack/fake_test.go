package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/okrbot/okrbot/chat"
)

const (
	testBotToken = "xoxb-test-token"
	testAppToken = "xapp-test-token"
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam     = "T1"
	testBotUser  = "UBOT"
)

// call is one request the fake Slack received.
type call struct {
	Method string     // "chat.postMessage", or "response_url"
	Form   url.Values // form-encoded requests
	JSON   map[string]any
	Token  string
}

// get reads a parameter from the form or the JSON body.
func (c call) get(key string) string {
	if c.Form != nil {
		return c.Form.Get(key)
	}
	switch v := c.JSON[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// body is everything the call carried, for substring checks.
func (c call) body() string {
	if c.Form != nil {
		return c.Form.Encode() + " " + c.Form.Get("blocks") + " " + c.Form.Get("text") + " " + c.Form.Get("metadata")
	}
	b, _ := json.Marshal(c.JSON)
	return string(b)
}

// reply is a canned answer for the next call of a method.
type reply struct {
	status     int
	retryAfter string
	body       string
}

type fakeUser struct {
	ID, Name, Display, Email, TZ string
	Unconfirmed                  bool // the e-mail address is not confirmed
	Bot, App, Deleted            bool // is_bot, is_app_user, deleted
}

// json is the user as users.info, users.list and users.lookupByEmail
// describe them.
func (u fakeUser) json() map[string]any {
	return map[string]any{"id": u.ID, "team_id": testTeam, "name": u.Name, "real_name": u.Name, "tz": u.TZ, "deleted": u.Deleted,
		"is_bot": u.Bot, "is_app_user": u.App, "is_email_confirmed": !u.Unconfirmed,
		"profile": map[string]any{"display_name": u.Display, "real_name": u.Name, "email": u.Email}}
}

// fakeSlack speaks Slack's Web API wire format on loopback: form-encoded
// (or JSON) requests to /api/METHOD answered with Slack's JSON; response
// URLs under /response/; and a Socket Mode websocket at /ws.
type fakeSlack struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	calls   []call
	users   map[string]fakeUser
	history map[string][]map[string]any // channel → posted messages, newest first
	replies map[string][]reply
	seq     int
	changed chan struct{}

	// Socket Mode.
	wsMu    sync.Mutex
	wsConn  *websocket.Conn
	wsReady chan struct{}
	acks    chan map[string]any
	opened  atomic.Int32
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, users: map[string]fakeUser{}, history: map[string][]map[string]any{}, replies: map[string][]reply{},
		changed: make(chan struct{}, 1), wsReady: make(chan struct{}), acks: make(chan map[string]any, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", f.serveAPI)
	mux.HandleFunc("/response/{id}", f.serveResponseURL)
	mux.HandleFunc("/ws", f.serveWS)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

func (f *fakeSlack) close() {
	f.wsMu.Lock()
	if f.wsConn != nil {
		_ = f.wsConn.Close()
	}
	f.wsMu.Unlock()
	f.srv.Close()
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

func (f *fakeSlack) responseURL(id string) string { return f.srv.URL + "/response/" + id }

func (f *fakeSlack) addUser(u fakeUser) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = u
}

// failNext makes the next call of method answer r.
func (f *fakeSlack) failNext(method string, r reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[method] = append(f.replies[method], r)
}

func (f *fakeSlack) record(c call) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// callsOf returns the calls of a method so far.
func (f *fakeSlack) callsOf(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
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
		case <-f.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (f *fakeSlack) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Method)
	}
	return out
}

func (f *fakeSlack) nextTS() string {
	f.seq++
	return fmt.Sprintf("1700000000.%06d", f.seq)
}

func (f *fakeSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	c := call{Method: method}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if len(body) > 0 {
			if err := json.Unmarshal(body, &c.JSON); err != nil {
				writeSlack(w, map[string]any{"ok": false, "error": "invalid_json"})
				return
			}
		}
		if c.JSON == nil {
			c.JSON = map[string]any{}
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeSlack(w, map[string]any{"ok": false, "error": "invalid_form_data"})
			return
		}
		c.Form = form
	}
	c.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" && c.Form != nil {
		c.Token = c.Form.Get("token")
	}
	want := testBotToken
	if method == "apps.connections.open" {
		want = testAppToken
	}
	if c.Token != want {
		f.record(c)
		writeSlack(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	// The canned reply is taken before the call is recorded: a test that
	// saw the call may queue the next reply.
	f.mu.Lock()
	var canned *reply
	if q := f.replies[method]; len(q) > 0 {
		canned = &q[0]
		f.replies[method] = q[1:]
	}
	f.mu.Unlock()
	f.record(c)
	f.mu.Lock()
	if rp := canned; rp != nil {
		f.mu.Unlock()
		if rp.retryAfter != "" {
			w.Header().Set("Retry-After", rp.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		_, _ = io.WriteString(w, rp.body)
		return
	}
	defer f.mu.Unlock()
	switch method {
	case "auth.test":
		writeSlack(w, map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "okrbot",
			"team_id": testTeam, "user_id": testBotUser, "bot_id": "BBOT"})
	case "chat.postMessage":
		ch := c.get("channel")
		if u, ok := f.users[ch]; ok || strings.HasPrefix(ch, "U") {
			if ok {
				ch = "D" + strings.ToUpper(u.ID)
			} else {
				ch = "D" + ch[1:]
			}
		}
		ts := f.nextTS()
		msg := map[string]any{"type": "message", "text": c.get("text"), "ts": ts, "bot_id": "BBOT"}
		if md := c.get("metadata"); md != "" {
			var m map[string]any
			_ = json.Unmarshal([]byte(md), &m)
			msg["metadata"] = m
		}
		f.history[ch] = append([]map[string]any{msg}, f.history[ch]...)
		writeSlack(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "message": msg})
	case "chat.postEphemeral":
		writeSlack(w, map[string]any{"ok": true, "message_ts": f.nextTS()})
	case "chat.update":
		writeSlack(w, map[string]any{"ok": true, "channel": c.get("channel"), "ts": c.get("ts"), "text": c.get("text")})
	case "views.open", "views.publish":
		writeSlack(w, map[string]any{"ok": true, "view": map[string]any{"id": fmt.Sprintf("V%d", len(f.calls))}})
	case "users.info":
		u, ok := f.users[c.get("user")]
		if !ok {
			writeSlack(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		writeSlack(w, map[string]any{"ok": true, "user": u.json()})
	case "users.list":
		f.serveUsersList(w, c)
	case "users.lookupByEmail":
		for _, u := range f.users {
			if strings.EqualFold(u.Email, c.get("email")) {
				writeSlack(w, map[string]any{"ok": true, "user": u.json()})
				return
			}
		}
		writeSlack(w, map[string]any{"ok": false, "error": "users_not_found"})
	case "conversations.open":
		users := c.get("users")
		writeSlack(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(users, "U")}})
	case "conversations.history":
		var msgs []map[string]any
		for _, m := range f.history[c.get("channel")] {
			cp := map[string]any{}
			for k, v := range m {
				if k == "metadata" && c.get("include_all_metadata") != "1" {
					continue
				}
				cp[k] = v
			}
			msgs = append(msgs, cp)
		}
		writeSlack(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
	case "apps.connections.open":
		writeSlack(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	default:
		writeSlack(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *fakeSlack) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	c := call{Method: "response_url", JSON: map[string]any{}}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &c.JSON); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	c.JSON["url_id"] = r.PathValue("id")
	f.record(c)
	writeSlack(w, map[string]any{"ok": true})
}

func writeSlack(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// serveWS is Socket Mode's websocket: it says hello, then the test sends
// envelopes with sendEnvelope and reads the acks from f.acks.
func (f *fakeSlack) serveWS(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.opened.Add(1)
	f.wsMu.Lock()
	f.wsConn = conn
	err = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"debug_info": map[string]any{"host": "applink-test"}, "connection_info": map[string]any{"app_id": "A1"}})
	f.wsMu.Unlock()
	if err != nil {
		return
	}
	select {
	case <-f.wsReady:
	default:
		close(f.wsReady)
	}
	for {
		var ack map[string]any
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		f.acks <- ack
	}
}

// sendEnvelope sends a Socket Mode envelope of a type with a payload.
func (f *fakeSlack) sendEnvelope(id, typ string, retry int, payload any) {
	f.t.Helper()
	select {
	case <-f.wsReady:
	case <-time.After(5 * time.Second):
		f.t.Fatal("the adapter never connected to the Socket Mode websocket")
	}
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api",
		"retry_attempt": retry, "retry_reason": ""}
	if retry > 0 {
		env["retry_reason"] = "timeout"
	}
	if err := f.wsConn.WriteJSON(env); err != nil {
		f.t.Fatalf("write envelope: %v", err)
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

// serveUsersList answers users.list a page of limit people at a time, in
// id order, the next page named by an opaque cursor; f.mu is held.
func (f *fakeSlack) serveUsersList(w http.ResponseWriter, c call) {
	ids := make([]string, 0, len(f.users))
	for id := range f.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	limit, err := strconv.Atoi(c.get("limit"))
	if err != nil || limit <= 0 {
		limit = 1000
	}
	from := 0
	if cur := c.get("cursor"); cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		n, aerr := strconv.Atoi(strings.TrimPrefix(string(b), "user:"))
		if err != nil || aerr != nil || n > len(ids) {
			writeSlack(w, map[string]any{"ok": false, "error": "invalid_cursor"})
			return
		}
		from = n
	}
	to := min(from+limit, len(ids))
	members := []map[string]any{}
	for _, id := range ids[from:to] {
		members = append(members, f.users[id].json())
	}
	next := ""
	if to < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte("user:" + strconv.Itoa(to)))
	}
	writeSlack(w, map[string]any{"ok": true, "members": members, "response_metadata": map[string]any{"next_cursor": next}})
}
