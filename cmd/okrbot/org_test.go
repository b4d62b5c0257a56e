package main

// TestServeOneOrganisation runs "one organisation on Slack and Teams"
// through the real `okrbot serve` wiring, in process: run() with a
// configuration file (workspace, timezone) and the platforms' settings in
// the environment, against fakes on loopback that speak the platforms' wire
// formats: Slack's Web API, and on the Microsoft side a tenant's token
// endpoint, Bot Framework's OpenID metadata and key set, and a Bot
// Connector. Inbound requests are signed as the platforms sign them (Slack's
// signing secret, RS256 Bot Framework JWTs).
//
// Alice creates an objective on Slack, writes to the bot on Teams and is
// recognised as the same person by her verified address, chooses Teams for
// her nudges; after a restart on Monday 10:05 in Berlin the scheduler's
// catch-up tick nudges her on Teams, through the conversation reference
// stored before the restart, and not on Slack.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

const (
	orgAppID   = "00000000-0000-0000-0000-0000000000a1"
	orgTenant  = "tn-1"
	orgAAD     = "6f1c6a2e-0000-4000-8000-00000000a11c"
	orgKid     = "org-key-1"
	orgSecret  = "s3cret"
	orgSlackTk = "xoxb-org-test"
	orgAppPw   = "app-pw"
	// orgBotToken is the Bot Connector access token the fake tenant hands
	// out.
	orgBotToken = "tok"
	// orgAlice is Alice's roster entry (a TeamsChannelAccount) as the Bot
	// Connector writes it: a member of the bot's tenant, not a guest.
	orgAlice = `{"id":"29:alice","name":"Alice Example","objectId":"` + orgAAD + `","givenName":"Alice","surname":"Example",` +
		`"email":"alice@acme.example","userPrincipalName":"alice@acme.example","tenantId":"` + orgTenant + `","userRole":"user"}`
)

var (
	orgKeyOnce sync.Once
	orgKey     *rsa.PrivateKey
)

// orgSigningKey is the RSA key of the fake Bot Framework key set, made
// once per test binary (2048-bit generation is slow under -race).
func orgSigningKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	orgKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		orgKey = k
	})
	return orgKey
}

// orgSlackPost is one chat.postMessage or chat.postEphemeral.
type orgSlackPost struct {
	Method, Channel, User, Text, Blocks string
}

func (p orgSlackPost) String() string {
	return p.Method + " " + p.Channel + ": " + p.Text + " " + p.Blocks
}

// orgSlack is Slack's Web API: the bot token is checked on every call,
// users.info knows Alice with a confirmed address, posts are recorded.
type orgSlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	methods map[string]int
	posts   []orgSlackPost
	bad     []string // calls refused: unknown method or wrong token
}

func newOrgSlack(t *testing.T) *orgSlack {
	t.Helper()
	f := &orgSlack{methods: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *orgSlack) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	tok := r.Form.Get("token")
	if h := r.Header.Get("Authorization"); h != "" {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.methods[method]++
	if tok != orgSlackTk {
		f.bad = append(f.bad, method+" with token "+strconv.Quote(tok))
		io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	switch method {
	case "auth.test":
		io.WriteString(w, `{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"okrbot","team_id":"T1","user_id":"UBOT","bot_id":"B1"}`)
	case "users.info":
		if r.Form.Get("user") != "U1" {
			io.WriteString(w, `{"ok":false,"error":"user_not_found"}`)
			return
		}
		io.WriteString(w, `{"ok":true,"user":{"id":"U1","team_id":"T1","name":"alice","real_name":"Alice Example",`+
			`"tz":"Europe/Berlin","tz_label":"Central European Time","tz_offset":3600,"is_bot":false,"is_email_confirmed":true,`+
			`"profile":{"real_name":"Alice Example","display_name":"","email":"alice@acme.example"}}}`)
	case "chat.postMessage", "chat.postEphemeral":
		f.posts = append(f.posts, orgSlackPost{Method: method, Channel: r.Form.Get("channel"), User: r.Form.Get("user"),
			Text: r.Form.Get("text"), Blocks: r.Form.Get("blocks")})
		ts := fmt.Sprintf("1790000000.%06d", len(f.posts))
		if method == "chat.postEphemeral" {
			fmt.Fprintf(w, `{"ok":true,"message_ts":%q}`, ts)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.Form.Get("channel"), ts)
	case "views.publish":
		io.WriteString(w, `{"ok":true,"view":{"id":"V1"}}`)
	case "conversations.history":
		io.WriteString(w, `{"ok":true,"messages":[],"has_more":false}`)
	default:
		f.bad = append(f.bad, method)
		io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func (f *orgSlack) postList() []orgSlackPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]orgSlackPost(nil), f.posts...)
}

func (f *orgSlack) calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.methods[method]
}

func (f *orgSlack) refused() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bad...)
}

// orgCall is one request the fake Bot Connector received.
type orgCall struct {
	Method, Path string
	Conversation string // decoded
	ReplyTo      string // the activity answered, for a reply
	User         string // for a roster lookup
	Raw          string
	ID           string // the id the fake answered
}

// orgMicrosoft is the Microsoft side on one loopback server: the tenant's
// token endpoint (/tn-1/oauth2/v2.0/token), Bot Framework's OpenID metadata
// and key set (/v1/.well-known/…), and a Bot Connector under /emea/ (a
// serviceUrl has a path, as Teams' do).
type orgMicrosoft struct {
	srv *httptest.Server

	mu          sync.Mutex
	tokens      int
	keyFetches  int
	calls       []orgCall // activities posted and conversations created
	memberCalls []orgCall
	bad         []string // requests refused
	seq         int
}

func newOrgMicrosoft(t *testing.T) *orgMicrosoft {
	t.Helper()
	key := orgSigningKey(t)
	f := &orgMicrosoft{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+orgTenant+"/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("grant_type") != "client_credentials" || r.FormValue("client_id") != orgAppID ||
			r.FormValue("client_secret") != orgAppPw || r.FormValue("scope") != "https://api.botframework.com/.default" {
			f.refuse(fmt.Sprintf("token request grant_type=%q client_id=%q scope=%q (secret right: %v)",
				r.FormValue("grant_type"), r.FormValue("client_id"), r.FormValue("scope"), r.FormValue("client_secret") == orgAppPw))
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.tokens++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"token_type":"Bearer","expires_in":3600,"ext_expires_in":3600,"access_token":"`+orgBotToken+`"}`)
	})
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                "https://api.botframework.com",
			"authorization_endpoint":                "https://invalid.botframework.com",
			"jwks_uri":                              f.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		})
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.keyFetches++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "use": "sig", "kid": orgKid,
			"n":            base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
			"endorsements": []string{"msteams"},
		}}})
	})
	activity := func(w http.ResponseWriter, r *http.Request) {
		c, ok := f.record(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"id":%q}`, c.ID)
	}
	mux.HandleFunc("POST /emea/v3/conversations/{conv}/activities", activity)
	mux.HandleFunc("POST /emea/v3/conversations/{conv}/activities/{act}", activity)
	mux.HandleFunc("PUT /emea/v3/conversations/{conv}/activities/{act}", activity)
	mux.HandleFunc("POST /emea/v3/conversations", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := f.record(w, r); ok {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"id":"a:new","serviceUrl":"`+f.serviceURL()+`"}`)
		}
	})
	mux.HandleFunc("GET /emea/v3/conversations/{conv}/members/{user}", func(w http.ResponseWriter, r *http.Request) {
		c := orgCall{Method: r.Method, Path: r.URL.EscapedPath(), Conversation: r.PathValue("conv"), User: r.PathValue("user")}
		if r.Header.Get("Authorization") != "Bearer "+orgBotToken {
			f.refuse("roster lookup without the bot's token")
			http.Error(w, `{"error":{"code":"Unauthorized"}}`, http.StatusUnauthorized)
			return
		}
		f.mu.Lock()
		f.memberCalls = append(f.memberCalls, c)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if c.Conversation != "a:alice" || c.User != "29:alice" {
			http.Error(w, `{"error":{"code":"MemberNotFoundInConversation","message":"The member is not part of the conversation."}}`, http.StatusNotFound)
			return
		}
		io.WriteString(w, orgAlice)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.refuse(r.Method + " " + r.URL.Path)
		http.Error(w, `{"error":{"code":"BadSyntax"}}`, http.StatusNotFound)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *orgMicrosoft) refuse(what string) {
	f.mu.Lock()
	f.bad = append(f.bad, what)
	f.mu.Unlock()
}

// record keeps a Bot Connector call made with the bot's token.
func (f *orgMicrosoft) record(w http.ResponseWriter, r *http.Request) (orgCall, bool) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Authorization") != "Bearer "+orgBotToken {
		f.refuse(r.Method + " " + r.URL.Path + " without the bot's token")
		http.Error(w, `{"error":{"code":"Unauthorized"}}`, http.StatusUnauthorized)
		return orgCall{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	c := orgCall{Method: r.Method, Path: r.URL.EscapedPath(), Conversation: r.PathValue("conv"), ReplyTo: r.PathValue("act"),
		Raw: string(body), ID: "1:" + strconv.Itoa(f.seq)}
	f.calls = append(f.calls, c)
	return c, true
}

func (f *orgMicrosoft) serviceURL() string  { return f.srv.URL + "/emea/" }
func (f *orgMicrosoft) tokenURL() string    { return f.srv.URL + "/" + orgTenant + "/oauth2/v2.0/token" }
func (f *orgMicrosoft) metadataURL() string { return f.srv.URL + "/v1/.well-known/openidconfiguration" }

func (f *orgMicrosoft) callList() []orgCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]orgCall(nil), f.calls...)
}

func (f *orgMicrosoft) members() []orgCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]orgCall(nil), f.memberCalls...)
}

func (f *orgMicrosoft) refused() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bad...)
}

// orgMint signs a Bot Connector token for serviceURL, as Bot Framework
// does: RS256 with the key set's key, issuer api.botframework.com,
// audience the app id, a serviceurl claim.
func orgMint(t *testing.T, serviceURL string) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": "https://api.botframework.com", "aud": orgAppID, "serviceurl": serviceURL,
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = orgKid
	s, err := tok.SignedString(orgSigningKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

// orgServe is one run of `okrbot serve` in this process.
type orgServe struct {
	addr   string
	log    *syncBuffer // what okrbot logs from its goroutines while the test reads it
	cancel context.CancelFunc
	done   chan int
	code   int
	exited bool
}

// startOrgServe runs okrbot with args (plus --addr) and env, and waits
// until /readyz answers 200: the database answers and both adapters serve.
func startOrgServe(t *testing.T, args []string, env map[string]string) *orgServe {
	t.Helper()
	began := time.Now()
	s := &orgServe{addr: freeAddr(t), log: &syncBuffer{}, done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args = append(append([]string(nil), args...), "--addr", s.addr)
	go func() {
		s.done <- run(ctx, args, nil, io.Discard, s.log, func(k string) string { return env[k] })
	}()
	t.Cleanup(func() {
		if !s.exited {
			cancel()
			select {
			case <-s.done:
			case <-time.After(15 * time.Second):
				t.Errorf("okrbot serve did not stop")
			}
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case code := <-s.done:
			s.exited = true
			t.Fatalf("okrbot serve exited %d before it was ready: %s", code, s.log.String())
		default:
		}
		res, err := http.Get(s.url("/readyz"))
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 200 (last: %v): %s", err, s.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("serve %s ready in %v", strings.Join(args, " "), time.Since(began).Round(time.Millisecond))
	return s
}

func (s *orgServe) url(path string) string { return "http://" + s.addr + path }

// stop cancels the run's context, as SIGTERM does, and wants exit code 0.
func (s *orgServe) stop(t *testing.T) {
	t.Helper()
	began := time.Now()
	s.cancel()
	select {
	case s.code = <-s.done:
		s.exited = true
	case <-time.After(15 * time.Second):
		t.Fatalf("okrbot serve did not stop within 15s: %s", s.log.String())
	}
	if s.code != 0 {
		t.Errorf("okrbot serve exited %d: %s", s.code, s.log.String())
	}
	t.Logf("serve stopped in %v", time.Since(began).Round(time.Millisecond))
}

// slackDM posts a signed Events API event_callback: a direct message from
// U1 in D1, with the extra headers given (name, value, …).
func (s *orgServe) slackDM(t *testing.T, n int, text string, headers ...string) {
	t.Helper()
	if code := s.slackDMStatus(t, n, text, headers...); code != http.StatusOK {
		t.Fatalf("Slack event %q answered %d", text, code)
	}
}

// slackDMStatus is slackDM returning the status instead of wanting 200.
func (s *orgServe) slackDMStatus(t *testing.T, n int, text string, headers ...string) int {
	t.Helper()
	ts := fmt.Sprintf("1790000000.%06d", n)
	body, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": fmt.Sprintf("EvORG%d", n), "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "team": "T1",
			"text": text, "ts": ts, "event_ts": ts, "client_msg_id": fmt.Sprintf("c-%d", n)},
	})
	if err != nil {
		t.Fatal(err)
	}
	now := strconv.FormatInt(time.Now().Unix(), 10)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "X-Slack-Request-Timestamp" {
			now = headers[i+1] // a retry's own moment, which its signature covers
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.url("/slack/events"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", now)
	req.Header.Set("X-Slack-Signature", sign(orgSecret, now, body))
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] != "X-Slack-Request-Timestamp" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// orgActivity is a message from Alice in her personal chat with the bot,
// as Teams posts it.
func orgActivity(serviceURL, id, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "message", "id": id, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"serviceUrl": serviceURL, "channelId": "msteams", "text": text, "textFormat": "plain", "locale": "en-US",
		"from":         map[string]any{"id": "29:alice", "name": "Alice Example", "aadObjectId": orgAAD},
		"conversation": map[string]any{"id": "a:alice", "conversationType": "personal", "tenantId": orgTenant},
		"recipient":    map[string]any{"id": "28:" + orgAppID, "name": "okrbot"},
		"channelData":  map[string]any{"tenant": map[string]any{"id": orgTenant}},
	})
	return b
}

// teams posts an activity to /api/messages with the Authorization header
// auth and returns the status.
func (s *orgServe) teams(t *testing.T, body []byte, auth string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url("/api/messages"), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// metrics returns /metrics.
func (s *orgServe) metrics(t *testing.T) string {
	t.Helper()
	res, err := http.Get(s.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics answered %d", res.StatusCode)
	}
	return string(b)
}

// waitMetrics waits until /metrics has every line of wants.
func (s *orgServe) waitMetrics(t *testing.T, within time.Duration, wants ...string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		m := s.metrics(t)
		var missing []string
		for _, w := range wants {
			if !orgHasLine(m, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q:\n%s", missing, orgGrep(m, "okrbot_"))
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// orgHasLine reports whether the exposition text has the line "series value".
func orgHasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

func orgGrep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// orgWaitFor polls cond until it holds or within has passed; what names it in
// the failure, with dump's output.
func orgWaitFor(t *testing.T, within time.Duration, what string, cond func() bool, dump func() string) time.Duration {
	t.Helper()
	began := time.Now()
	deadline := began.Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s\n%s", within, what, dump())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(began)
}

func TestServeOneOrganisation(t *testing.T) {
	began := time.Now()
	slack := newOrgSlack(t)
	ms := newOrgMicrosoft(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "okrbot.db")
	conf := filepath.Join(dir, "okrbot.yaml")
	if err := os.WriteFile(conf, []byte("# one organisation on Slack and Teams\nworkspace: acme\ntimezone: Europe/Berlin\nlog_level: info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"SLACK_BOT_TOKEN":                  orgSlackTk,
		"SLACK_SIGNING_SECRET":             orgSecret,
		"SLACK_API_URL":                    slack.srv.URL + "/api/",
		"MICROSOFT_APP_ID":                 orgAppID,
		"MICROSOFT_APP_PASSWORD":           orgAppPw,
		"MICROSOFT_APP_TENANT_ID":          orgTenant,
		"MICROSOFT_TOKEN_URL":              ms.tokenURL(),
		"BOTFRAMEWORK_OPENID_METADATA_URL": ms.metadataURL(),
	}
	orgSigningKey(t)
	t.Logf("fakes and signing key ready in %v", time.Since(began).Round(time.Millisecond))

	// Run 1 is pinned to Sunday 2026-11-22 (a clock only /clock moves), so
	// that the quarter, the week and the check-in window do not depend on
	// the day the test runs; the platforms' signatures use the real time.
	s := startOrgServe(t, []string{"serve", "--config", conf, "--db", db, "--clock", "2026-11-22T12:00:00Z"}, env)
	sc := &orgScene{slack: slack, ms: ms, s: s}
	dump := sc.dump

	// Alice on Slack plans an objective with a key result.
	phase := time.Now()
	s.slackDM(t, 1, `new objective "Delight customers"`)
	sc.slackAnswer(t, 0, "O1")
	n := len(slack.postList())
	s.slackDM(t, 2, `new kr O1 "NPS" from 20 to 50`)
	sc.slackAnswer(t, n, "KR1")
	if slack.calls("users.info") == 0 {
		t.Errorf("users.info was never called: the Slack profile (and its confirmed address) never reached the engine")
	}
	t.Logf("Slack: objective and key result answered in %v", time.Since(phase).Round(time.Millisecond))

	// Alice on Teams: one person, joined by her verified address.
	phase = time.Now()
	svc := ms.serviceURL()
	teamsReply := func(activityID string) orgCall {
		t.Helper()
		var got orgCall
		orgWaitFor(t, 10*time.Second, "the Teams reply to activity "+activityID, func() bool {
			for _, c := range ms.callList() {
				if c.Method == http.MethodPost && c.Conversation == "a:alice" && c.ReplyTo == activityID {
					got = c
					return true
				}
			}
			return false
		}, dump)
		return got
	}
	say := func(id, text string) orgCall {
		t.Helper()
		if code := s.teams(t, orgActivity(svc, id, text), orgMint(t, svc)); code != http.StatusOK {
			t.Fatalf("Teams activity %q answered %d: %s", text, code, s.log.String())
		}
		return teamsReply(id)
	}
	if r := say("f:mine-1", "mine"); !strings.Contains(r.Raw, "Delight customers") || !strings.Contains(r.Raw, "NPS") {
		t.Errorf("Teams `mine` does not show Alice's Slack OKRs (not joined by e-mail?):\n%s", r.Raw)
	}
	t.Logf("Teams: first answer (token, keys, roster, join) in %v", time.Since(phase).Round(time.Millisecond))

	r := say("f:whoami-2", "whoami")
	for _, want := range []string{"workspace acme", "Slack", "Microsoft Teams"} {
		if !strings.Contains(r.Raw, want) {
			t.Errorf("Teams `whoami` lacks %q:\n%s", want, r.Raw)
		}
	}
	if r := say("f:settings-3", "settings nudges teams"); !strings.Contains(r.Raw, "now come on Microsoft Teams") {
		t.Errorf("Teams `settings nudges teams` answered:\n%s", r.Raw)
	}
	t.Logf("Teams: three answers in %v", time.Since(phase).Round(time.Millisecond))

	// Refused before anything is read: a forged signature, and a real
	// signature whose serviceurl claim is not the activity's serviceUrl
	// (a token replayed to make the bot post elsewhere). Both would move
	// Alice's nudges back to Slack, which run 2 would show.
	// Nothing of the refused activities was processed or answered; the
	// roster was asked once (then cached); nothing went to Slack from Teams.
	refuseForgedTeams(t, s, ms, svc)
	if got := len(slack.postList()); got != n+1 {
		t.Errorf("Slack got %d posts, want %d (two answers): %q", got, n+1, slack.postList())
	}
	s.waitMetrics(t, 5*time.Second,
		`okrbot_event_duration_seconds_count{kind="message",platform="slack"} 2`,
		`okrbot_event_duration_seconds_count{kind="message",platform="teams"} 3`,
		`okrbot_adapter_up{platform="slack"} 1`, `okrbot_adapter_up{platform="teams"} 1`,
		`okrbot_scheduled_sent_total{platform="teams"} 0`, `okrbot_scheduled_sent_total{platform="slack"} 0`,
	)
	s.stop(t)
	if strings.Contains(s.log.String(), "level=ERROR") {
		t.Errorf("run 1 logged errors:\n%s", s.log.String())
	}

	// Run 2: Monday 2026-11-23 09:05 UTC, 10:05 in Berlin, five minutes
	// after the default check-in (Monday 10:00, each person's local time).
	// The catch-up tick at start enqueues Alice's nudge; it must reach her
	// on Teams through the reference stored in run 1.
	nudge := orgRun2(t, sc, []string{"serve", "--config", conf, "--db", db, "--clock", "2026-11-23T09:05:00Z"}, env)

	// The database: one person in workspace acme with both accounts,
	// nudged on Teams, and the nudge recorded as sent.
	checkOrgStore(t, db, svc, nudge)
	t.Logf("whole scenario in %v", time.Since(began).Round(time.Millisecond))
}

// orgScene is what the phases of TestServeOneOrganisation share: the fakes
// and the okrbot serving now.
type orgScene struct {
	slack *orgSlack
	ms    *orgMicrosoft
	s     *orgServe
}

func (o *orgScene) dump() string {
	return fmt.Sprintf("Slack posts: %q\nSlack refused: %q\nBot Connector calls: %+v\nroster: %+v\nMicrosoft refused: %q\nlog:\n%s",
		o.slack.postList(), o.slack.refused(), o.ms.callList(), o.ms.members(), o.ms.refused(), o.s.log.String())
}

// slackAnswer waits for the bot's answer in Alice's Slack DM containing
// want, among the posts from the from-th on.
func (o *orgScene) slackAnswer(t *testing.T, from int, want string) orgSlackPost {
	t.Helper()
	var got orgSlackPost
	orgWaitFor(t, 10*time.Second, fmt.Sprintf("a Slack answer containing %q", want), func() bool {
		for _, p := range o.slack.postList()[from:] {
			if p.Channel == "D1" && strings.Contains(p.Text+p.Blocks, want) {
				got = p
				return true
			}
		}
		return false
	}, o.dump)
	return got
}

// refuseForgedTeams sends the two activities that must be refused (401)
// and checks that neither was answered nor looked up in the roster.
func refuseForgedTeams(t *testing.T, s *orgServe, ms *orgMicrosoft, svc string) {
	t.Helper()
	good := orgMint(t, svc)
	parts := strings.Split(strings.TrimPrefix(good, "Bearer "), ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)/2] ^= 0x01
	forged := "Bearer " + parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	if code := s.teams(t, orgActivity(svc, "f:forged", "settings nudges slack"), forged); code != http.StatusUnauthorized {
		t.Errorf("an activity with a bad signature answered %d, want 401", code)
	}
	elsewhere := ms.srv.URL + "/elsewhere/"
	if code := s.teams(t, orgActivity(elsewhere, "f:elsewhere", "settings nudges slack"), orgMint(t, svc)); code != http.StatusUnauthorized {
		t.Errorf("an activity whose serviceUrl is not the token's answered %d, want 401", code)
	}
	for _, c := range ms.callList() {
		if c.ReplyTo == "f:forged" || c.ReplyTo == "f:elsewhere" || strings.Contains(c.Path, "elsewhere") {
			t.Errorf("a refused activity was answered: %+v", c)
		}
	}
	if m := ms.members(); len(m) != 1 || m[0].Conversation != "a:alice" || m[0].User != "29:alice" {
		t.Errorf("roster lookups: %+v, want one for 29:alice in a:alice", m)
	}
}

// orgRun2 runs okrbot serve again with args and returns Alice's nudge as
// the Bot Connector received it.
func orgRun2(t *testing.T, sc *orgScene, args []string, env map[string]string) orgCall {
	t.Helper()
	slack, ms, dump := sc.slack, sc.ms, sc.dump
	phase := time.Now()
	slackBefore := len(slack.postList())
	callsBefore := len(ms.callList())
	sc.s = startOrgServe(t, args, env)
	s := sc.s
	var nudge orgCall
	took := orgWaitFor(t, 20*time.Second, "Alice's check-in nudge on Teams", func() bool {
		if posts := slack.postList(); len(posts) > slackBefore {
			t.Fatalf("run 2 posted to Slack, not Teams: %s\n%s", posts[slackBefore], dump())
		}
		for _, c := range ms.callList()[callsBefore:] {
			if c.Method == http.MethodPost && c.Conversation == "a:alice" && c.ReplyTo == "" {
				nudge = c
				return true
			}
		}
		return false
	}, dump)
	t.Logf("run 2: nudge on Teams %v after ready, %v after start", took.Round(time.Millisecond), time.Since(phase).Round(time.Millisecond))
	if nudge.Path != "/emea/v3/conversations/a:alice/activities" {
		t.Errorf("nudge posted to %s", nudge.Path)
	}
	for _, want := range []string{"weekly check-in", "NPS"} {
		if !strings.Contains(nudge.Raw, want) {
			t.Errorf("the nudge lacks %q:\n%s", want, nudge.Raw)
		}
	}
	met := s.waitMetrics(t, 5*time.Second,
		`okrbot_scheduled_sent_total{platform="teams"} 1`, `okrbot_scheduled_sent_total{platform="slack"} 0`,
		`okrbot_scheduled_failed_total{platform="teams"} 0`, `okrbot_scheduled_retried_total{platform="teams"} 0`,
		"okrbot_outbox_open 0",
	)
	t.Logf("metrics after the nudge:\n%s", orgGrep(met, "okrbot_scheduled_sent_total"))
	s.stop(t)
	for _, p := range slack.postList()[slackBefore:] {
		t.Errorf("run 2 posted to Slack: %s", p)
	}
	proactive := ms.callList()[callsBefore:]
	if len(proactive) != 1 {
		t.Errorf("run 2 made %d Bot Connector calls, want the one nudge (no conversation created): %+v", len(proactive), proactive)
	}
	if bad := append(slack.refused(), ms.refused()...); len(bad) > 0 {
		t.Errorf("the fakes refused requests the bot should not make: %q", bad)
	}
	if strings.Contains(s.log.String(), "level=ERROR") {
		t.Errorf("run 2 logged errors:\n%s", s.log.String())
	}
	return nudge
}

// checkOrgStore reads the database after both runs.
func checkOrgStore(t *testing.T, db, svc string, nudge orgCall) {
	t.Helper()
	store := bottest.Store(t, bottest.File(db), bottest.Fsync(true))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	period := okrcore.PeriodKey(okrcore.Weekly, time.Date(2026, 11, 23, 10, 0, 0, 0, berlin), berlin)
	err = store.View(context.Background(), func(tx okrcore.Tx) error {
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		var ids []string
		for _, w := range wss {
			ids = append(ids, w.ID)
		}
		if len(ids) != 1 || ids[0] != "acme" {
			t.Errorf("workspaces %q, want only acme (the file's workspace)", ids)
		}
		us, err := tx.Users("acme")
		if err != nil {
			return err
		}
		if len(us) != 1 {
			for _, u := range us {
				t.Logf("user %+v", *u)
			}
			t.Fatalf("%d users in acme, want 1 (Alice on both platforms)", len(us))
		}
		u := us[0]
		if u.Platform != "slack" || u.PlatformID != "U1" || u.DM != "D1" {
			t.Errorf("first account %s/%s (DM %q), want slack/U1 (D1)", u.Platform, u.PlatformID, u.DM)
		}
		// A Teams person is known by their Entra object id (the activity's
		// from.aadObjectId, adapters/teams/translate.go), which is the
		// same for every bot; their 29: id is in the stored reference.
		a, ok := u.Account("teams")
		if !ok || a.PlatformID != orgAAD || a.DM != "a:alice" || !strings.Contains(a.DMRef, `"id":"29:alice"`) || !strings.Contains(a.DMRef, svc) {
			t.Errorf("Teams account %+v (ok %v), want Alice (29:alice, %s) in a:alice with a reference to %s", a, ok, orgAAD, svc)
		}
		if u.NudgeOn != "teams" || u.Name != "Alice Example" || u.Email != "alice@acme.example" || !u.EmailVerified ||
			u.TimeZone != "Europe/Berlin" || u.Role != okrcore.RoleAdmin {
			t.Errorf("user %+v", *u)
		}
		if o, err := tx.UserByPlatform("acme", "teams", orgAAD); err != nil || o.ID != u.ID {
			t.Errorf("Alice's Teams account finds %+v, %v; want user %d", o, err, u.ID)
		}
		it, err := tx.OutboxByKey("acme", fmt.Sprintf("checkin:u%d:%s", u.ID, period))
		if err != nil {
			return fmt.Errorf("the check-in of %s: %w", period, err)
		}
		if it.State != okrcore.OutboxSent || it.SentRef != nudge.ID || it.Attempts != 0 {
			t.Errorf("check-in item %+v, want sent as %s", *it, nudge.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
