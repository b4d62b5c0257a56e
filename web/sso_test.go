package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/okrbot/okrbot/bot/bottest"
)

const (
	testAppID   = "11111111-2222-3333-4444-555555555555"
	testTenant  = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	otherTenant = "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee"
	testHost    = "okr.example.test"
)

// fakeEntra is a tenant's OpenID metadata and key set on loopback, as
// login.microsoftonline.com serves them.
type fakeEntra struct {
	srv     *httptest.Server
	key     *rsa.PrivateKey
	fetches atomic.Int32
}

func newFakeEntra(t *testing.T) *fakeEntra {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeEntra{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"jwks_uri": f.srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		f.fetches.Add(1)
		n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
		e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "n": n, "e": e}}})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEntra) metadataURL() string {
	return f.srv.URL + "/{tenant}/v2.0/.well-known/openid-configuration"
}

// claimsFor are the claims of a good token for oid at now.
func claimsFor(oid string, now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://login.microsoftonline.com/" + testTenant + "/v2.0", "aud": testAppID, "tid": testTenant,
		"oid": oid, "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix()}
}

func (f *fakeEntra) sign(t *testing.T, c jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(f.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSSOTokens(t *testing.T) {
	f := newFakeEntra(t)
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	sso, err := NewSSO(SSOConfig{AppID: testAppID, Tenant: testTenant, Host: testHost, MetadataURL: f.metadataURL(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	with := func(change func(jwt.MapClaims)) string {
		c := claimsFor("oid-alice", now)
		change(c)
		return f.sign(t, c, "k1")
	}
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	foreign := jwt.NewWithClaims(jwt.SigningMethodRS256, claimsFor("oid-alice", now))
	foreign.Header["kid"] = "k1"
	forged, _ := foreign.SignedString(otherKey)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claimsFor("oid-alice", now))
	none.Header["kid"] = "k1"
	algNone, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsFor("oid-alice", now))
	hs.Header["kid"] = "k1"
	hsToken, _ := hs.SignedString(f.key.PublicKey.N.Bytes())
	cases := []struct {
		name, token string
		ok          bool
	}{
		{"good", with(func(jwt.MapClaims) {}), true},
		{"api audience", with(func(c jwt.MapClaims) { c["aud"] = "api://" + testHost + "/" + testAppID }), true},
		{"v1 issuer", with(func(c jwt.MapClaims) { c["iss"] = "https://sts.windows.net/" + testTenant + "/" }), true},
		{"expired", with(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Minute).Unix() }), false},
		{"no expiry", with(func(c jwt.MapClaims) { delete(c, "exp") }), false},
		{"not yet", with(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }), false},
		{"wrong audience", with(func(c jwt.MapClaims) { c["aud"] = "00000000-0000-0000-0000-000000000000" }), false},
		{"audience of another host", with(func(c jwt.MapClaims) { c["aud"] = "api://evil.example/" + testAppID }), false},
		{"wrong tenant", with(func(c jwt.MapClaims) {
			c["tid"] = otherTenant
			c["iss"] = "https://login.microsoftonline.com/" + otherTenant + "/v2.0"
		}), false},
		{"issuer of another tenant", with(func(c jwt.MapClaims) { c["iss"] = "https://login.microsoftonline.com/" + otherTenant + "/v2.0" }), false},
		{"no oid", with(func(c jwt.MapClaims) { delete(c, "oid") }), false},
		{"alg none", algNone, false},
		{"HS256 with the public key", hsToken, false},
		{"unknown key", f.sign(t, claimsFor("oid-alice", now), "k2"), false},
		{"signed by another key", forged, false},
		{"garbage", "abc.def.ghi", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := sso.Validate(context.Background(), tc.token)
			if (err == nil) != tc.ok {
				t.Fatalf("ok %v, err %v", tc.ok, err)
			}
			if tc.ok && (id.ObjectID != "oid-alice" || id.Tenant != testTenant) {
				t.Fatalf("identity %+v", id)
			}
		})
	}
	// Tokens naming unknown keys fetched the key set once, not per token.
	if n := f.fetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times", n)
	}
}

// TestTeamsTab: the tab exchanges a single sign-on token for a session of
// the person with that Teams account, whose pages only Teams may frame.
func TestTeamsTab(t *testing.T) {
	f := newFakeEntra(t)
	k := bottest.New(t, bottest.Workspace(testTenant, "teams"), bottest.Demo())
	sso, err := NewSSO(SSOConfig{AppID: testAppID, Tenant: testTenant, Host: testHost, MetadataURL: f.metadataURL(), Now: k.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := siteOn(t, k, Options{SSO: sso})
	resp, body := get(t, s.browser(), s.srv.URL+"/okr/tab?team=2")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-next="/okr/team/2"`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors "+teamsAncestors) {
		t.Fatalf("tab: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), body)
	}
	exchange := func(token string) (*http.Response, map[string]string) {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/okr/tab/session?next=/okr/team/2", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]string
		json.NewDecoder(resp.Body).Decode(&v)
		return resp, v
	}
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"a stranger", f.sign(t, claimsFor("oid-nobody", k.Clock.Now()), "k1"), http.StatusForbidden},
		{"no token", "", http.StatusUnauthorized},
		{"another tenant", f.sign(t, func() map[string]any {
			c := claimsFor("alice", k.Clock.Now())
			c["tid"], c["iss"] = otherTenant, "https://login.microsoftonline.com/"+otherTenant+"/v2.0"
			return c
		}(), "k1"), http.StatusUnauthorized},
	} {
		if resp, v := exchange(tc.token); resp.StatusCode != tc.status || v["error"] == "" {
			t.Errorf("%s: %d %v", tc.name, resp.StatusCode, v)
		}
	}
	// The demo's people on Teams have their names as account ids.
	resp, v := exchange(f.sign(t, claimsFor("alice", k.Clock.Now()), "k1"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(v["url"], "/okr/login?t=") {
		t.Fatalf("alice: %d %v", resp.StatusCode, v)
	}
	c := s.browser()
	resp, body = get(t, c, s.srv.URL+v["url"])
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/okr/team/2" || !strings.Contains(body, "Check-ins") {
		t.Fatalf("session page: %d %s", resp.StatusCode, resp.Request.URL)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+teamsAncestors) || strings.Contains(csp, "*;") {
		t.Errorf("a Teams session's page: CSP %q", csp)
	}
	// The channel tab's configuration signs in the same way, then lists the teams.
	if _, body := get(t, s.browser(), s.srv.URL+"/okr/tab?view=config"); !strings.Contains(body, `data-next="/okr/tab/pick"`) {
		t.Errorf("config tab: %q", body)
	}
	resp, body = get(t, c, s.srv.URL+"/okr/tab/pick")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="team" value="2"`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors "+teamsAncestors) {
		t.Errorf("pick: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, s.browser(), s.srv.URL+"/okr/tab/pick"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("pick without a session: %d", resp.StatusCode)
	}
}
