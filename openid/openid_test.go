package openid

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

const (
	testIssuer   = "https://issuer.example"
	testAudience = "app-1"
)

var want = Want{
	Issuer:   func(iss string) bool { return iss == testIssuer },
	Audience: func(aud string) bool { return aud == testAudience },
}

// provider is an OpenID provider on loopback whose metadata and key set a
// test can change.
type provider struct {
	srv     *httptest.Server
	fetches atomic.Int32 // of the key set

	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
	meta string // the metadata document; "" serves one naming /keys
	set  string // the key set; "" serves keys
}

func newProvider(t testing.TB) *provider {
	t.Helper()
	p := &provider{keys: map[string]*rsa.PrivateKey{"k1": newKey(t)}}
	mux := http.NewServeMux()
	mux.HandleFunc("/meta", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		meta := p.meta
		p.mu.Unlock()
		if meta == "" {
			meta = `{"jwks_uri":"` + p.srv.URL + `/keys"}`
		}
		if meta == "500" {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(meta))
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.set != "" {
			_, _ = w.Write([]byte(p.set))
			return
		}
		var set []map[string]any
		for kid, k := range p.keys {
			set = append(set, map[string]any{"kty": "RSA", "kid": kid, "endorsements": []string{"msteams"},
				"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": set})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) metadataURL() string { return p.srv.URL + "/meta" }

// serve replaces the provider's keys, its metadata and its key set.
func (p *provider) serve(keys map[string]*rsa.PrivateKey, meta, set string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if keys != nil {
		p.keys = keys
	}
	p.meta, p.set = meta, set
}

func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func goodClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix()}
}

func sign(t testing.TB, method jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// clock is a movable clock safe for concurrent reads.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestVerify(t *testing.T) {
	p := newProvider(t)
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	ks := NewKeySet(p.metadataURL(), Options{Now: func() time.Time { return now }})
	k1 := p.keys["k1"]
	with := func(change func(jwt.MapClaims)) string {
		c := goodClaims(now)
		change(c)
		return sign(t, jwt.SigningMethodRS256, "k1", k1, c)
	}
	cases := []struct {
		name  string
		token string
		err   error  // the refusal, when it is one of the Err values
		text  string // else a part of its message; "" with err nil: accepted
	}{
		{"good", with(func(jwt.MapClaims) {}), nil, ""},
		{"audience in a list", with(func(c jwt.MapClaims) { c["aud"] = []any{"other", testAudience} }), nil, ""},
		{"no nbf", with(func(c jwt.MapClaims) { delete(c, "nbf") }), nil, ""},
		{"expired within the skew", with(func(c jwt.MapClaims) { c["exp"] = now.Add(-4 * time.Minute).Unix() }), nil, ""},
		{"expired", with(func(c jwt.MapClaims) { c["exp"] = now.Add(-6 * time.Minute).Unix() }), ErrExpired, ""},
		{"no expiry", with(func(c jwt.MapClaims) { delete(c, "exp") }), ErrNoExpiry, ""},
		{"expiry not a number", with(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), ErrNoExpiry, ""},
		{"not yet valid", with(func(c jwt.MapClaims) { c["nbf"] = now.Add(6 * time.Minute).Unix() }), ErrNotYetValid, ""},
		{"valid soon, within the skew", with(func(c jwt.MapClaims) { c["nbf"] = now.Add(4 * time.Minute).Unix() }), nil, ""},
		{"wrong issuer", with(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), ErrIssuer, ""},
		{"no issuer", with(func(c jwt.MapClaims) { delete(c, "iss") }), ErrIssuer, ""},
		{"wrong audience", with(func(c jwt.MapClaims) { c["aud"] = "app-2" }), ErrAudience, ""},
		{"audience list without ours", with(func(c jwt.MapClaims) { c["aud"] = []any{"app-2", 7} }), ErrAudience, ""},
		{"no audience", with(func(c jwt.MapClaims) { delete(c, "aud") }), ErrAudience, ""},
		{"alg none", sign(t, jwt.SigningMethodNone, "k1", jwt.UnsafeAllowNoneSignatureType, goodClaims(now)), nil, "invalid token"},
		{"HS256 keyed with the public modulus", sign(t, jwt.SigningMethodHS256, "k1", k1.N.Bytes(), goodClaims(now)), nil, "invalid token"},
		{"RS512", sign(t, jwt.SigningMethodRS512, "k1", k1, goodClaims(now)), nil, "invalid token"},
		{"unknown kid", sign(t, jwt.SigningMethodRS256, "k9", k1, goodClaims(now)), nil, `unknown signing key "k9"`},
		{"no kid", sign(t, jwt.SigningMethodRS256, "", k1, goodClaims(now)), nil, "names no key"},
		{"signed by another key", sign(t, jwt.SigningMethodRS256, "k1", newKey(t), goodClaims(now)), nil, "invalid token"},
		{"garbage", "abc.def.ghi", nil, "invalid token"},
		{"empty", "", nil, "invalid token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := ks.Verify(t.Context(), tc.token, want)
			switch {
			case tc.err == nil && tc.text == "":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tok.Key.Public == nil || len(tok.Key.Endorsements) != 1 || tok.Claims["iss"] != testIssuer {
					t.Fatalf("token %+v", tok)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tc.text) {
					t.Fatalf("got %v, want one saying %q", err, tc.text)
				}
			}
		})
	}
	// Unknown kids within MinRefresh of the first fetch fetched nothing more.
	if n := p.fetches.Load(); n != 1 {
		t.Errorf("key set fetched %d times, want 1", n)
	}
}

// Verify refuses to run without both rules, rather than accept any issuer
// or audience.
func TestVerifyNeedsBothRules(t *testing.T) {
	p := newProvider(t)
	ks := NewKeySet(p.metadataURL(), Options{})
	tok := sign(t, jwt.SigningMethodRS256, "k1", p.keys["k1"], goodClaims(time.Now()))
	for _, w := range []Want{{}, {Issuer: want.Issuer}, {Audience: want.Audience}} {
		if _, err := ks.Verify(t.Context(), tok, w); err == nil {
			t.Errorf("accepted with rules %+v", w)
		}
	}
}

// The provider rolls its keys: a token signed by the new key fetches the
// set again once MinRefresh has passed since the last fetch, and the old
// key, gone from the set, is refused from then on. Keys older than MaxAge
// are fetched again even when known.
func TestKeyRotation(t *testing.T) {
	p := newProvider(t)
	c := &clock{now: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)}
	ks := NewKeySet(p.metadataURL(), Options{Now: c.Now, MinRefresh: 5 * time.Minute, MaxAge: 24 * time.Hour})
	old := p.keys["k1"]
	if _, err := ks.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, "k1", old, goodClaims(c.Now())), want); err != nil {
		t.Fatal(err)
	}
	k2 := newKey(t)
	p.serve(map[string]*rsa.PrivateKey{"k2": k2}, "", "")
	c.Add(time.Minute)
	rolled := func() string { return sign(t, jwt.SigningMethodRS256, "k2", k2, goodClaims(c.Now())) }
	if _, err := ks.Verify(t.Context(), rolled(), want); err == nil {
		t.Fatal("a new key accepted before it was fetched")
	}
	c.Add(5 * time.Minute)
	if _, err := ks.Verify(t.Context(), rolled(), want); err != nil {
		t.Fatalf("the rolled key after MinRefresh: %v", err)
	}
	if _, err := ks.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, "k1", old, goodClaims(c.Now())), want); err == nil {
		t.Error("the retired key still accepted")
	}
	if n := p.fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
	c.Add(25 * time.Hour)
	if _, err := ks.Verify(t.Context(), rolled(), want); err != nil {
		t.Fatal(err)
	}
	if n := p.fetches.Load(); n != 3 {
		t.Errorf("keys older than MaxAge: %d fetches, want 3", n)
	}
}

// Many concurrent tokens naming unknown keys fetch the set once.
func TestRefreshIsRateLimited(t *testing.T) {
	p := newProvider(t)
	c := &clock{now: time.Now()}
	ks := NewKeySet(p.metadataURL(), Options{Now: c.Now})
	forged := sign(t, jwt.SigningMethodRS256, "forged", newKey(t), goodClaims(c.Now()))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := ks.Verify(t.Context(), forged, want); err == nil {
				t.Error("forged kid accepted")
			}
		})
	}
	wg.Wait()
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 50 forged tokens", n)
	}
}

// A provider that serves bad metadata or a bad key set: the token is
// refused with why, and nothing panics; keys fetched before keep working
// when a later fetch fails.
func TestBadMetadata(t *testing.T) {
	cases := []struct {
		name, meta, set, text string
	}{
		{"metadata down", "500", "", "status 500"},
		{"metadata not JSON", "<html>", "", "read"},
		{"no jwks_uri", `{"issuer":"x"}`, "", "no jwks_uri"},
		{"jwks_uri unreachable", `{"jwks_uri":"http://127.0.0.1:1/keys"}`, "", "get http://127.0.0.1:1/keys"},
		{"key set not JSON", "", "{", "read"},
		{"empty key set", "", `{"keys":[]}`, "no usable RSA key"},
		{"only unusable keys", "", `{"keys":[{"kty":"EC","kid":"k1","n":"AQAB","e":"AQAB"},{"kty":"RSA","kid":"","n":"AQAB","e":"AQAB"},{"kty":"RSA","kid":"k1","n":"!!","e":"AQAB"},{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQABAQAB"}]}`, "no usable RSA key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t)
			p.serve(nil, tc.meta, tc.set)
			ks := NewKeySet(p.metadataURL(), Options{HTTPClient: &http.Client{Timeout: time.Second}})
			_, err := ks.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, "k1", p.keys["k1"], goodClaims(time.Now())), want)
			if err == nil || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v, want one saying %q", err, tc.text)
			}
		})
	}
	t.Run("stale keys serve while the provider is down", func(t *testing.T) {
		p := newProvider(t)
		c := &clock{now: time.Now()}
		ks := NewKeySet(p.metadataURL(), Options{Now: c.Now})
		tok := func() string { return sign(t, jwt.SigningMethodRS256, "k1", p.keys["k1"], goodClaims(c.Now())) }
		if _, err := ks.Verify(t.Context(), tok(), want); err != nil {
			t.Fatal(err)
		}
		p.serve(nil, "500", "")
		c.Add(25 * time.Hour)
		if _, err := ks.Verify(t.Context(), tok(), want); err != nil {
			t.Fatalf("a known key refused while the provider is down: %v", err)
		}
	})
}

func TestNumericClaim(t *testing.T) {
	cases := []struct {
		v    any
		want int64
		ok   bool
	}{
		{float64(1700000000), 1700000000, true},
		{json.Number("1700000000"), 1700000000, true},
		{json.Number("1.5e9x"), 0, false},
		{"1700000000", 0, false},
		{nil, 0, false},
	}
	for _, tc := range cases {
		got, ok := NumericClaim(jwt.MapClaims{"exp": tc.v}, "exp")
		if got != tc.want || ok != tc.ok {
			t.Errorf("NumericClaim(%#v) = %d, %v; want %d, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzVerify: whatever bytes come as a token, Verify does not panic, and
// what it accepts is one signed by the provider's key with claims the
// rules accept.
func FuzzVerify(f *testing.F) {
	p := newProvider(f)
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	ks := NewKeySet(p.metadataURL(), Options{Now: func() time.Time { return now }})
	good := sign(f, jwt.SigningMethodRS256, "k1", p.keys["k1"], goodClaims(now))
	for _, s := range []string{good, good[:len(good)-3], "abc.def.ghi", "", "..", "eyJhbGciOiJub25lIn0.e30.", strings.ToUpper(good)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := ks.Verify(t.Context(), raw, want)
		if err != nil {
			return
		}
		if tok.Claims["iss"] != testIssuer || !HasAudience(tok.Claims, want.Audience) || tok.Key.Public == nil {
			t.Fatalf("accepted %q with claims %v", raw, tok.Claims)
		}
	})
}
