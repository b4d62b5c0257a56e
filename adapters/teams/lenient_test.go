package teams

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLooselyTypedActivities: activities with values the schema types
// would refuse, as Teams is seen to send them, are taken and handled.
// ("isGroup": "True" was answered 400 and lost.)
func TestLooselyTypedActivities(t *testing.T) {
	conv := func(isGroup any) func(map[string]any) {
		return func(a map[string]any) {
			a["conversation"] = map[string]any{"id": "a:dm-alice", "conversationType": "personal", "tenantId": testTenant, "isGroup": isGroup}
		}
	}
	cases := []struct {
		name string
		mod  func(map[string]any)
	}{
		{"isGroup True", conv("True")},
		{"isGroup true", conv("true")},
		{"isGroup 1", conv("1")},
		{"isGroup number", conv(1)},
		{"isGroup False", conv("False")},
		{"isGroup unreadable", conv("maybe")},
		{"historyDisclosed as a string", func(a map[string]any) { a["historyDisclosed"] = "True" }},
		{"occurrence as a string", func(a map[string]any) { a["textHighlights"] = []any{map[string]any{"text": "KR4", "occurrence": "2"}} }},
		{"occurrence as a float", func(a map[string]any) { a["textHighlights"] = []any{map[string]any{"text": "KR4", "occurrence": 2.0}} }},
		{"a number as the id", func(a map[string]any) { a["id"] = 1700 }},
		{"an empty expiration", func(a map[string]any) { a["expiration"] = "" }},
		{"an offset without colon", func(a map[string]any) { a["localTimestamp"] = "2024-05-06T12:00:00.000+0200" }},
		{"value as a string", func(a map[string]any) { a["value"] = "submitted" }},
		{"relatesTo's isGroup", func(a map[string]any) {
			a["relatesTo"] = map[string]any{"conversation": map[string]any{"id": "a:dm-alice", "isGroup": "False"}}
		}},
		{"a member's role as a number", func(a map[string]any) { a["membersAdded"] = []any{map[string]any{"id": "29:bob", "role": 3}} }},
	}
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, nil)
	for i, c := range cases {
		act := hs.activity("message", "loose"+string(rune('a'+i)), "okr mine")
		c.mod(act)
		if status, body := hs.post(act); status != 200 {
			t.Errorf("%s: %d %q, want 200", c.name, status, body)
			continue
		}
		if evs := h.waitEvents(t, 1); len(evs) == 0 {
			t.Errorf("%s: not handled", c.name)
		}
		h.mu.Lock()
		h.evs = nil
		h.mu.Unlock()
	}
}

// TestParseActivityLenient: what the lenient path reads loosely typed
// values as.
func TestParseActivityLenient(t *testing.T) {
	base := `"type":"message","serviceUrl":"https://smba.example/","conversation":{"id":"a:1","isGroup":%s}`
	for in, want := range map[string]bool{`"True"`: true, `"true"`: true, `"1"`: true, `1`: true, `"TRUE"`: true, `true`: true,
		`"False"`: false, `"0"`: false, `0`: false, `"maybe"`: false, `null`: false, `{}`: false} {
		a, err := ParseActivity([]byte("{" + strings.Replace(base, "%s", in, 1) + "}"))
		if err != nil {
			t.Errorf("isGroup %s: %v", in, err)
			continue
		}
		if a.Conversation.IsGroup != want || a.Conversation.ID != "a:1" {
			t.Errorf("isGroup %s: %v (%+v), want %v", in, a.Conversation.IsGroup, a.Conversation, want)
		}
	}
	body := `{"type":"message","id":1700,"serviceUrl":"https://smba.example/","conversation":{"id":"a:1","isGroup":"True"},` +
		`"textHighlights":[{"text":"x","occurrence":"2"},{"text":"y","occurrence":"many"}],"value":"x","channelData":[1],` +
		`"localTimestamp":"2024-05-06T12:00:00.000+0200","expiration":"","text":"<at>bot</at> hi"}`
	a, err := ParseActivity([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	wantTS := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	switch {
	case a.ID != "1700" || !a.Conversation.IsGroup || a.Text != "<at>bot</at> hi":
		t.Errorf("activity %+v", a)
	case len(a.TextHighlights) != 2 || a.TextHighlights[0].Occurrence != 2 || a.TextHighlights[1].Occurrence != 0:
		t.Errorf("text highlights %+v", a.TextHighlights)
	case a.Value != nil || a.ChannelData != nil:
		t.Errorf("value %v, channel data %v: want them left out", a.Value, a.ChannelData)
	case !a.LocalTimestamp.Equal(wantTS) || !a.Expiration.IsZero():
		t.Errorf("local timestamp %v, expiration %v", a.LocalTimestamp, a.Expiration)
	}
}

// goWords are what an error body must not say: Go's types, packages and
// decoder messages are for the log, not for whoever sent the request.
var goWords = regexp.MustCompile(`(?i)json:|cannot unmarshal|go struct|go value|\bstruct\b|\bfield\b|of type|schema\.|\*[a-z]+\.|panic|runtime|\.go\b`)

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

// TestErrorBodies: every refusal of /api/messages, with its body. None
// names a Go type or field (a type error used to be answered with the
// decoder's message).
func TestErrorBodies(t *testing.T) {
	h := &recHandler{answer: echo}
	hs := startHarness(t, h, func(o *Options) { o.MaxBody = 2000 })
	cases := []struct {
		name, body, auth string
		status           int
		want             string
	}{
		{"no token", `{}`, "-", 401, "Unauthorized\n"},
		{"a token of another key", `{}`, "other", 401, "Unauthorized\n"},
		{"too large", `{"text":"` + strings.Repeat("x", 3000) + `"}`, "", 413, "request body too large\n"},
		{"not JSON", `{"type":"message",`, "", 400, "malformed activity: not JSON\n"},
		{"data after the activity", `{"type":"message"} x`, "", 400, "malformed activity: not JSON\n"},
		{"not an object", `["type","message"]`, "", 400, "malformed activity\n"},
		{"a type that is an object", `{"type":{"x":1},"serviceUrl":"https://smba.example/","conversation":{"id":"a:1"}}`, "", 400, "activity without type\n"},
		{"no type", `{"serviceUrl":"https://smba.example/","conversation":{"id":"a:1"}}`, "", 400, "activity without type\n"},
		{"no conversation", `{"type":"message"}`, "", 400, "activity without serviceUrl or conversation\n"},
	}
	_, other := keys(t)
	for _, c := range cases {
		var auth []string
		switch c.auth {
		case "-":
			auth = []string{""}
		case "other":
			auth = []string{mint(t, hs.conn.serviceURL(), func(o *tokenOpts) { o.key = other })}
		}
		status, body := hs.post(c.body, auth...)
		checkBody(t, c.name, status, body, c.status, c.want)
	}

	r := httptest.NewRequest(http.MethodPost, "/api/messages", nil)
	r.Header.Set("Authorization", mint(t, hs.conn.serviceURL(), nil))
	r.Body = failingBody{}
	rec := httptest.NewRecorder()
	hs.a.Handler().ServeHTTP(rec, r)
	checkBody(t, "a body that cannot be read", rec.Code, rec.Body.String(), 400, "cannot read the request\n")

	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{http.MethodGet, "/api/messages", 405, "Method Not Allowed\n"},
		{http.MethodPost, "/api/nothing", 404, "404 page not found\n"},
	} {
		rec := httptest.NewRecorder()
		hs.a.Handler().ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader("{}")))
		checkBody(t, c.method+" "+c.path, rec.Code, rec.Body.String(), c.status, c.want)
	}

	// Before Run: a valid activity and /healthz are refused with 503.
	idle, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: hs.conn.tokenURL(),
		OpenIDMetadataURL: hs.openid.metadataURL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(hs.activity("message", "e2", "okr mine"))
	r = httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(string(b)))
	r.Header.Set("Authorization", mint(t, hs.conn.serviceURL(), nil))
	rec = httptest.NewRecorder()
	idle.Handler().ServeHTTP(rec, r)
	checkBody(t, "an activity before Run", rec.Code, rec.Body.String(), 503, "starting\n")
	rec = httptest.NewRecorder()
	idle.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	checkBody(t, "/healthz before Run", rec.Code, rec.Body.String(), 503, "starting\n")
}
