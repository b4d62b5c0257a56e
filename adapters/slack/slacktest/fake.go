// Package slacktest is a fake Slack on loopback for tests and for
// cmd/okrload: the Web API's wire format (form-encoded or JSON requests to
// /api/METHOD answered with Slack's JSON), response URLs under /response/,
// and a Socket Mode websocket at /ws. It can enforce a rate limit on
// chat.postMessage that the code under test is not told (Limit), and it
// counts what it delivered by the outbox key in each message's metadata
// (Deliveries). Nothing in production imports it.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options: the tokens the fake accepts and who it is.
const (
	BotToken = "xoxb-test-token"
	AppToken = "xapp-test-token"
	Team     = "T1"
	BotUser  = "UBOT"
)

// Options configure a Fake; the zero value is a fake that keeps every call.
type Options struct {
	// Limit, when set, is enforced on chat.postMessage: above it the fake
	// answers 429 with Retry-After, and the message is not delivered.
	Limit *Limit
	// Latency is added to every chat.postMessage, half before it is
	// counted and half after.
	Latency time.Duration
	// Quiet keeps no calls and no history, only counts and deliveries:
	// for load, where keeping every body would be what is measured.
	Quiet bool
}

// Call is one request the fake received.
type Call struct {
	Method string     // "chat.postMessage", or "response_url"
	Form   url.Values // form-encoded requests
	JSON   map[string]any
	Token  string
}

// Get reads a parameter from the form or the JSON body.
func (c Call) Get(key string) string {
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

// Body is everything the call carried, for substring checks.
func (c Call) Body() string {
	if c.Form != nil {
		return c.Form.Encode() + " " + c.Form.Get("blocks") + " " + c.Form.Get("text") + " " + c.Form.Get("metadata")
	}
	b, _ := json.Marshal(c.JSON)
	return string(b)
}

// Reply is a canned answer for the next call of a method.
type Reply struct {
	Status     int
	RetryAfter string
	Body       string
}

// User is a member of the fake workspace.
type User struct {
	ID, Name, Display, Email, TZ string
	Unconfirmed                  bool // the e-mail address is not confirmed
	Bot, App, Deleted            bool // is_bot, is_app_user, deleted
	// Status is the profile's status: its emoji (":palm_tree:"), text and
	// expiration (zero: none), as users.info serves it.
	StatusEmoji, StatusText string
	StatusExpires           time.Time
}

// wire is the user as users.info, users.list and users.lookupByEmail
// describe them.
func (u User) wire() map[string]any {
	return map[string]any{"id": u.ID, "team_id": Team, "name": u.Name, "real_name": u.Name, "tz": u.TZ, "deleted": u.Deleted,
		"is_bot": u.Bot, "is_app_user": u.App, "is_email_confirmed": !u.Unconfirmed,
		"profile": map[string]any{"display_name": u.Display, "real_name": u.Name, "email": u.Email,
			"status_emoji": u.StatusEmoji, "status_text": u.StatusText, "status_expiration": expiration(u.StatusExpires)}}
}

func expiration(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Stats are what the fake counted.
type Stats struct {
	Posts       int64 // chat.postMessage calls, refused or not
	RateLimited int64 // of which answered 429
	Answers     int64 // posts to response URLs
	Connections int64 // connections opened to the fake
}

// Answer is the first post to one response URL.
type Answer struct {
	at   atomic.Int64 // Unix nanoseconds
	body string       // written before done is closed
	done chan struct{}
}

// Done is closed when the answer arrived.
func (a *Answer) Done() <-chan struct{} { return a.done }

// At is when it arrived (zero before).
func (a *Answer) At() time.Time {
	if n := a.at.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Body is what was posted, once Done is closed.
func (a *Answer) Body() string { return a.body }

// Fake is a fake Slack on a loopback server.
type Fake struct {
	// Server is the loopback server; its handler is the fake's, for a
	// proxy in front of it.
	Server *httptest.Server
	opts   Options
	dels   *Deliveries

	mu      sync.Mutex
	calls   []Call
	users   map[string]User
	history map[string][]map[string]any // channel → posted messages, newest first
	replies map[string][]Reply
	seq     int
	changed chan struct{}
	pending map[string]*Answer // response URL id → its answer, once expected
	files   map[string]*File   // file id → its external upload (files.go)

	posts, limited, answers, conns atomic.Int64

	ws socket
}

// New starts a fake Slack; Close stops it.
func New(opts Options) *Fake {
	f := &Fake{opts: opts, dels: NewDeliveries(), users: map[string]User{}, history: map[string][]map[string]any{},
		replies: map[string][]Reply{}, changed: make(chan struct{}, 1), pending: map[string]*Answer{}}
	f.ws.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", f.serveAPI)
	mux.HandleFunc("/response/{id}", f.serveResponseURL)
	mux.HandleFunc("/upload/{id}", f.serveUpload)
	mux.HandleFunc("/ws", f.serveWS)
	f.Server = httptest.NewUnstartedServer(mux)
	f.Server.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.Server.Start()
	return f
}

// Close closes the websocket and the server.
func (f *Fake) Close() {
	f.ws.close()
	f.Server.Close()
}

// APIURL is the Web API's base URL, as the adapter's Config.APIURL.
func (f *Fake) APIURL() string { return f.Server.URL + "/api/" }

// ResponseURL is the response URL named id.
func (f *Fake) ResponseURL(id string) string { return f.Server.URL + "/response/" + id }

// AddUser makes u a member of the workspace.
func (f *Fake) AddUser(u User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = u
}

// FailNext makes the next call of method answer r.
func (f *Fake) FailNext(method string, r Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[method] = append(f.replies[method], r)
}

// Expect registers a response URL id whose first answer the caller waits
// for.
func (f *Fake) Expect(id string) *Answer {
	a := &Answer{done: make(chan struct{})}
	f.mu.Lock()
	f.pending[id] = a
	f.mu.Unlock()
	return a
}

// Deliveries are the messages chat.postMessage delivered, by channel (as
// the caller named it) and the outbox key of their metadata ("" for none).
func (f *Fake) Deliveries() *Deliveries { return f.dels }

// Stats are the counts so far.
func (f *Fake) Stats() Stats {
	return Stats{Posts: f.posts.Load(), RateLimited: f.limited.Load(), Answers: f.answers.Load(), Connections: f.conns.Load()}
}

// Record keeps c as a call received (unless quiet), for a proxy in front
// of the fake that answers some calls itself.
func (f *Fake) Record(c Call) {
	if !f.opts.Quiet {
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
	}
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

// Changed receives after a call was recorded (at most one pending).
func (f *Fake) Changed() <-chan struct{} { return f.changed }

// Calls returns the calls of a method so far.
func (f *Fake) Calls(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Methods are the methods of every call so far, in order.
func (f *Fake) Methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Method)
	}
	return out
}

func (f *Fake) nextTS() string {
	f.seq++
	return fmt.Sprintf("1700000000.%06d", f.seq)
}

// readCall parses a Web API request; ok is false when it was answered
// already (a body that does not parse).
func readCall(w http.ResponseWriter, r *http.Request) (Call, bool) {
	c := Call{Method: r.PathValue("method")}
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if len(body) > 0 {
			if err := json.Unmarshal(body, &c.JSON); err != nil {
				Write(w, map[string]any{"ok": false, "error": "invalid_json"})
				return c, false
			}
		}
		if c.JSON == nil {
			c.JSON = map[string]any{}
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			Write(w, map[string]any{"ok": false, "error": "invalid_form_data"})
			return c, false
		}
		c.Form = form
	}
	c.Token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if c.Token == "" && c.Form != nil {
		c.Token = c.Form.Get("token")
	}
	return c, true
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	c, ok := readCall(w, r)
	if !ok {
		return
	}
	want := BotToken
	if c.Method == "apps.connections.open" {
		want = AppToken
	}
	if c.Token != want {
		f.Record(c)
		Write(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	// The canned reply is taken before the call is recorded: a test that
	// saw the call may queue the next reply.
	f.mu.Lock()
	var canned *Reply
	if q := f.replies[c.Method]; len(q) > 0 {
		canned = &q[0]
		f.replies[c.Method] = q[1:]
	}
	f.mu.Unlock()
	if canned == nil && c.Method == "chat.postMessage" && !f.admit(w, c) {
		return
	}
	f.Record(c)
	if rp := canned; rp != nil {
		if rp.RetryAfter != "" {
			w.Header().Set("Retry-After", rp.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.Status)
		_, _ = io.WriteString(w, rp.Body)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answerAPI(w, c)
}

// admit applies the latency and the hidden limit to a chat.postMessage;
// false when it was refused with a 429.
func (f *Fake) admit(w http.ResponseWriter, c Call) bool {
	f.posts.Add(1)
	time.Sleep(f.opts.Latency / 2)
	if l := f.opts.Limit; l != nil {
		if ok, after := l.Admit(c.Get("channel")); !ok {
			f.limited.Add(1)
			w.Header().Set("Retry-After", strconv.Itoa(int(after/time.Second)))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return false
		}
	}
	key := ""
	if md := c.Get("metadata"); md != "" {
		var m struct {
			Payload map[string]any `json:"event_payload"`
		}
		if json.Unmarshal([]byte(md), &m) == nil {
			key, _ = m.Payload["key"].(string)
		}
	}
	f.dels.Add(c.Get("channel"), key)
	time.Sleep(f.opts.Latency - f.opts.Latency/2)
	return true
}

// answerAPI answers a call of the Web API; f.mu is held.
func (f *Fake) answerAPI(w http.ResponseWriter, c Call) {
	switch c.Method {
	case "auth.test":
		Write(w, map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "okrbot",
			"team_id": Team, "user_id": BotUser, "bot_id": "BBOT"})
	case "chat.postMessage":
		f.postMessage(w, c)
	case "chat.postEphemeral":
		Write(w, map[string]any{"ok": true, "message_ts": f.nextTS()})
	case "chat.update":
		Write(w, map[string]any{"ok": true, "channel": c.Get("channel"), "ts": c.Get("ts"), "text": c.Get("text")})
	case "views.open", "views.publish":
		if !f.viewFilesOK(c.Get("view")) {
			Write(w, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
		Write(w, map[string]any{"ok": true, "view": map[string]any{"id": fmt.Sprintf("V%d", len(f.calls))}})
	case "users.info":
		u, ok := f.users[c.Get("user")]
		if !ok {
			Write(w, map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		Write(w, map[string]any{"ok": true, "user": u.wire()})
	case "users.list":
		f.usersList(w, c)
	case "users.lookupByEmail":
		for _, u := range f.users {
			if strings.EqualFold(u.Email, c.Get("email")) {
				Write(w, map[string]any{"ok": true, "user": u.wire()})
				return
			}
		}
		Write(w, map[string]any{"ok": false, "error": "users_not_found"})
	case "conversations.open":
		Write(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(c.Get("users"), "U")}})
	case "conversations.history":
		f.conversationsHistory(w, c)
	case "apps.connections.open":
		Write(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.Server.URL, "http") + "/ws"})
	default:
		if !f.answerFiles(w, c) {
			Write(w, map[string]any{"ok": false, "error": "unknown_method"})
		}
	}
}

// postMessage answers chat.postMessage: a message to a user id goes to
// their DM channel, D followed by the id; f.mu is held.
func (f *Fake) postMessage(w http.ResponseWriter, c Call) {
	ch := c.Get("channel")
	if u, ok := f.users[ch]; ok || strings.HasPrefix(ch, "U") {
		if ok {
			ch = "D" + strings.ToUpper(u.ID)
		} else {
			ch = "D" + ch[1:]
		}
	}
	ts := f.nextTS()
	msg := map[string]any{"type": "message", "text": c.Get("text"), "ts": ts, "bot_id": "BBOT"}
	if md := c.Get("metadata"); md != "" {
		var m map[string]any
		_ = json.Unmarshal([]byte(md), &m)
		msg["metadata"] = m
	}
	if !f.opts.Quiet {
		f.history[ch] = append([]map[string]any{msg}, f.history[ch]...)
	}
	Write(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "message": msg})
}

// conversationsHistory answers with every message posted to the channel,
// newest first, their metadata only when asked for; f.mu is held.
func (f *Fake) conversationsHistory(w http.ResponseWriter, c Call) {
	var msgs []map[string]any
	for _, m := range f.history[c.Get("channel")] {
		cp := map[string]any{}
		for k, v := range m {
			if k == "metadata" && c.Get("include_all_metadata") != "1" {
				continue
			}
			cp[k] = v
		}
		msgs = append(msgs, cp)
	}
	Write(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

func (f *Fake) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	c := Call{Method: "response_url", JSON: map[string]any{}}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &c.JSON); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	c.JSON["url_id"] = id
	f.answers.Add(1)
	f.mu.Lock()
	a := f.pending[id]
	delete(f.pending, id)
	f.mu.Unlock()
	if a != nil {
		a.at.Store(time.Now().UnixNano())
		a.body = string(body)
		close(a.done)
	}
	f.Record(c)
	Write(w, map[string]any{"ok": true})
}

// Write answers with v as Slack's JSON.
func Write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
