package teams

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/okrbot/okrbot/chat"
)

const (
	testAppID  = "00000000-0000-0000-0000-00000000a991"
	testTenant = "tenant-1"
	testKid    = "key-1"
)

var (
	keyOnce  sync.Once
	testKey  *rsa.PrivateKey
	otherKey *rsa.PrivateKey
)

func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testKey, otherKey
}

// fakeOpenID serves OpenID metadata and a key set with the test key,
// endorsed for msteams, and counts the key set fetches.
type fakeOpenID struct {
	srv          *httptest.Server
	jwksFetches  atomic.Int64
	endorsements []string
}

func newFakeOpenID(t testing.TB) *fakeOpenID {
	t.Helper()
	k, _ := keys(t)
	f := &fakeOpenID{endorsements: []string{"msteams", "skype"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                Issuer,
			"jwks_uri":                              f.srv.URL + "/v1/.well-known/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /v1/.well-known/keys", func(w http.ResponseWriter, r *http.Request) {
		f.jwksFetches.Add(1)
		e := big.NewInt(int64(k.E)).Bytes()
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
			"kty": "RSA", "use": "sig", "kid": testKid,
			"n":            base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
			"e":            base64.RawURLEncoding.EncodeToString(e),
			"endorsements": f.endorsements,
		}}})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOpenID) metadataURL() string { return f.srv.URL + "/v1/.well-known/openidconfiguration" }

// tokenOpts change a minted token.
type tokenOpts struct {
	key        *rsa.PrivateKey
	kid        string
	method     jwt.SigningMethod
	aud, iss   string
	serviceURL string
	exp, nbf   time.Time
}

// mint signs a Bot Connector token for serviceURL, changed by mod.
func mint(t testing.TB, serviceURL string, mod func(*tokenOpts)) string {
	t.Helper()
	k, _ := keys(t)
	o := tokenOpts{key: k, kid: testKid, method: jwt.SigningMethodRS256, aud: testAppID, iss: Issuer,
		serviceURL: serviceURL, exp: time.Now().Add(time.Hour), nbf: time.Now().Add(-time.Minute)}
	if mod != nil {
		mod(&o)
	}
	tok := jwt.NewWithClaims(o.method, jwt.MapClaims{
		"iss": o.iss, "aud": o.aud, "exp": o.exp.Unix(), "nbf": o.nbf.Unix(), "serviceurl": o.serviceURL,
	})
	tok.Header["kid"] = o.kid
	var key any = o.key
	switch o.method {
	case jwt.SigningMethodHS256:
		key = []byte("secret")
	case jwt.SigningMethodNone:
		key = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

// connCall is one request the fake Bot Connector received.
type connCall struct {
	Method, Path, Auth string
	Conversation       string // the decoded conversation id
	ActivityID         string
	Body               map[string]any
	Raw                string
}

// fakeConnector is a token endpoint and a Bot Connector conversations API
// recording calls.
type fakeConnector struct {
	t   testing.TB
	srv *httptest.Server

	tokenFetches atomic.Int64
	tokenLife    int // expires_in seconds

	mu    sync.Mutex
	calls []connCall
	fail  []failure // answered before success, in order
	seq   int
	cond  chan struct{}

	// The roster: GET /v3/conversations/{conv}/members/{user} answers
	// roster[user] as it is (a TeamsChannelAccount), or 404. Its calls
	// are kept apart from the others.
	roster      map[string]string
	memberCalls []connCall
	memberFail  []int // statuses answered before success, in order
	memberDelay time.Duration

	// The rosters of GET /v3/conversations/{conv}/pagedmembers, by
	// conversation, answered pageSize members at a time with a
	// continuation token; pagedBodies are answered as they are first.
	rosters     map[string][]string
	pagedBodies []string
}

// aliceMember is Alice's roster entry, in the home tenant, as the Bot
// Connector writes it: her mail is her user principal name (in another
// case), so the bot vouches for it.
const aliceMember = `{"id":"29:alice","name":"Alice Example","objectId":"aad-alice","givenName":"Alice","surname":"Example",` +
	`"email":"Alice@Example.com","userPrincipalName":"alice@example.com","tenantId":"` + testTenant + `","userRole":"user"}`

type failure struct {
	status     int
	retryAfter string
}

func newFakeConnector(t testing.TB) *fakeConnector {
	t.Helper()
	f := &fakeConnector{t: t, tokenLife: 3600, cond: make(chan struct{}, 1000), roster: map[string]string{"29:alice": aliceMember}, rosters: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenant/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("grant_type") != "client_credentials" || r.FormValue("client_id") != testAppID ||
			r.FormValue("client_secret") != "secret" || r.FormValue("scope") != Scope {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		n := f.tokenFetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": f.tokenLife, "access_token": "tok-" + strconv.FormatInt(n, 10)})
	})
	record := func(w http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		c := connCall{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization"),
			Conversation: r.PathValue("conv"), ActivityID: r.PathValue("act"), Raw: string(body)}
		_ = json.Unmarshal(body, &c.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if !strings.HasPrefix(c.Auth, "Bearer tok-") {
			http.Error(w, "no token", http.StatusUnauthorized)
			return false
		}
		if len(f.fail) > 0 {
			fl := f.fail[0]
			f.fail = f.fail[1:]
			if fl.retryAfter != "" {
				w.Header().Set("Retry-After", fl.retryAfter)
			}
			http.Error(w, `{"error":{"code":"x"}}`, fl.status)
			return false
		}
		f.calls = append(f.calls, c)
		f.seq++
		select {
		case f.cond <- struct{}{}:
		default: // nobody waiting for a while: the waiter polls too
		}
		return true
	}
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", func(w http.ResponseWriter, r *http.Request) {
		if record(w, r) {
			f.mu.Lock()
			id := "act-" + strconv.Itoa(f.seq)
			f.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
		}
	})
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{act}", func(w http.ResponseWriter, r *http.Request) {
		if record(w, r) {
			f.mu.Lock()
			id := "act-" + strconv.Itoa(f.seq)
			f.mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]string{"id": id})
		}
	})
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{act}", func(w http.ResponseWriter, r *http.Request) {
		if record(w, r) {
			_ = json.NewEncoder(w).Encode(map[string]string{"id": r.PathValue("act")})
		}
	})
	mux.HandleFunc("POST /v3/conversations", func(w http.ResponseWriter, r *http.Request) {
		if record(w, r) {
			var p struct {
				Members []struct{ ID string } `json:"members"`
			}
			f.mu.Lock()
			_ = json.Unmarshal([]byte(f.calls[len(f.calls)-1].Raw), &p)
			f.mu.Unlock()
			if len(p.Members) != 1 {
				http.Error(w, "one member", http.StatusBadRequest)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"id": "a:dm-" + p.Members[0].ID})
		}
	})
	mux.HandleFunc("GET /v3/conversations/{conv}/pagedmembers", func(w http.ResponseWriter, r *http.Request) {
		if record(w, r) {
			f.servePagedMembers(w, r)
		}
	})
	mux.HandleFunc("GET /v3/conversations/{conv}/members/{user}", func(w http.ResponseWriter, r *http.Request) {
		c := connCall{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization"), Conversation: r.PathValue("conv")}
		f.mu.Lock()
		f.memberCalls = append(f.memberCalls, c)
		delay := f.memberDelay
		status := 0
		if len(f.memberFail) > 0 {
			status, f.memberFail = f.memberFail[0], f.memberFail[1:]
		}
		body, ok := f.roster[r.PathValue("user")]
		f.mu.Unlock()
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch {
		case !strings.HasPrefix(c.Auth, "Bearer tok-"):
			http.Error(w, `{"error":{"code":"Unauthorized"}}`, http.StatusUnauthorized)
		case status != 0:
			http.Error(w, `{"error":{"code":"ServiceError","message":"x"}}`, status)
		case !ok:
			http.Error(w, `{"error":{"code":"MemberNotFoundInConversation","message":"The member is not part of the conversation."}}`, http.StatusNotFound)
		default:
			_, _ = io.WriteString(w, body)
		}
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// setMember puts a roster entry; failMembers makes the next roster calls
// answer these statuses.
func (f *fakeConnector) setMember(user, body string) {
	f.mu.Lock()
	f.roster[user] = body
	f.mu.Unlock()
}

func (f *fakeConnector) failMembers(status ...int) {
	f.mu.Lock()
	f.memberFail = append(f.memberFail, status...)
	f.mu.Unlock()
}

func (f *fakeConnector) memberCallList() []connCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connCall(nil), f.memberCalls...)
}

func (f *fakeConnector) tokenURL() string   { return f.srv.URL + "/tenant/oauth2/v2.0/token" }
func (f *fakeConnector) serviceURL() string { return f.srv.URL + "/" }

func (f *fakeConnector) failNext(fl ...failure) {
	f.mu.Lock()
	f.fail = append(f.fail, fl...)
	f.mu.Unlock()
}

func (f *fakeConnector) callList() []connCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connCall(nil), f.calls...)
}

// waitCalls waits until at least n calls were recorded.
func (f *fakeConnector) waitCalls(n int) []connCall {
	f.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if cs := f.callList(); len(cs) >= n {
			return cs
		}
		select {
		case <-f.cond:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			f.t.Fatalf("waited for %d Bot Connector calls, got %d: %+v", n, len(f.callList()), f.callList())
		}
	}
}

// recHandler records events and answers each with answer(ev), if set.
type recHandler struct {
	mu     sync.Mutex
	evs    []chat.Event
	answer func(chat.Event) *chat.Message
	delay  time.Duration
}

func (h *recHandler) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	h.mu.Lock()
	h.evs = append(h.evs, ev)
	answer := h.answer
	h.mu.Unlock()
	time.Sleep(h.delay)
	if answer != nil {
		if m := answer(ev); m != nil {
			_ = r.Respond(ctx, *m)
		}
	}
}

func (h *recHandler) events() []chat.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]chat.Event(nil), h.evs...)
}

func (h *recHandler) waitEvents(t testing.TB, n int) []chat.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.events()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d events, got %+v", n, h.events())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return h.events()
}

// harness runs an adapter behind an httptest server, against a fake
// OpenID server and a fake Bot Connector.
type harness struct {
	t      testing.TB
	a      *Adapter
	openid *fakeOpenID
	conn   *fakeConnector
	srv    *httptest.Server
}

func startHarness(t testing.TB, h chat.Handler, mod func(*Options)) *harness {
	t.Helper()
	hs := &harness{t: t, openid: newFakeOpenID(t), conn: newFakeConnector(t)}
	opts := Options{Backoff: time.Millisecond, MaxWait: 2 * time.Second}
	if mod != nil {
		mod(&opts)
	}
	a, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: hs.conn.tokenURL(), OpenIDMetadataURL: hs.openid.metadataURL()}, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs.a = a
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = a.Run(ctx, h) }()
	t.Cleanup(func() { cancel(); <-stopped })
	for !a.run.Running() {
		time.Sleep(time.Millisecond)
	}
	hs.srv = httptest.NewServer(a.Handler())
	t.Cleanup(hs.srv.Close)
	return hs
}

// activity is a message from Alice in her personal chat with the bot.
func (hs *harness) activity(typ, id, text string) map[string]any {
	return map[string]any{
		"type": typ, "id": id, "text": text, "timestamp": "2024-05-06T10:00:00.000Z",
		"serviceUrl": hs.conn.serviceURL(), "channelId": "msteams", "localTimezone": "Europe/Berlin",
		"from":         map[string]any{"id": "29:alice", "aadObjectId": "aad-alice", "name": "Alice Example"},
		"recipient":    map[string]any{"id": "28:" + testAppID, "name": "okrbot"},
		"conversation": map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": testTenant},
		"channelData":  map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

// post sends an activity with a valid token, or with auth when given.
func (hs *harness) post(act any, auth ...string) (int, string) {
	hs.t.Helper()
	var body []byte
	switch b := act.(type) {
	case string:
		body = []byte(b)
	default:
		body, _ = json.Marshal(act)
	}
	req, _ := http.NewRequest(http.MethodPost, hs.srv.URL+"/api/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if len(auth) > 0 {
		if auth[0] != "" {
			req.Header.Set("Authorization", auth[0])
		}
	} else {
		req.Header.Set("Authorization", mint(hs.t, hs.conn.serviceURL(), nil))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		hs.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// servePagedMembers answers a page of a roster as the Bot Connector does:
// {"continuationToken": …, "members": […]}, the token absent after the
// last page.
func (f *fakeConnector) servePagedMembers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if len(f.pagedBodies) > 0 {
		body := f.pagedBodies[0]
		f.pagedBodies = f.pagedBodies[1:]
		_, _ = io.WriteString(w, body)
		return
	}
	members, ok := f.rosters[r.PathValue("conv")]
	if !ok {
		http.Error(w, `{"error":{"code":"ConversationNotFound"}}`, http.StatusNotFound)
		return
	}
	size, err := strconv.Atoi(r.URL.Query().Get("pageSize"))
	if err != nil || size <= 0 {
		http.Error(w, `{"error":{"code":"BadArgument"}}`, http.StatusBadRequest)
		return
	}
	from := 0
	if tok := r.URL.Query().Get("continuationToken"); tok != "" {
		if from, err = strconv.Atoi(strings.TrimPrefix(tok, "page-")); err != nil || from > len(members) {
			http.Error(w, `{"error":{"code":"BadArgument"}}`, http.StatusBadRequest)
			return
		}
	}
	to := min(from+size, len(members))
	out := `{"members":[` + strings.Join(members[from:to], ",") + `]`
	if to < len(members) {
		out += `,"continuationToken":"page-` + strconv.Itoa(to) + `"`
	}
	_, _ = io.WriteString(w, out+"}")
}

// setRoster puts a conversation's roster.
func (f *fakeConnector) setRoster(conv string, members ...string) {
	f.mu.Lock()
	f.rosters[conv] = members
	f.mu.Unlock()
}
