package teams

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

const testServiceURL = "https://smba.example/emea/"

func TestValidator(t *testing.T) {
	f := newFakeOpenID(t)
	v := NewValidator(testAppID, ValidatorOptions{MetadataURL: f.metadataURL()})
	act := schema.Activity{ServiceURL: testServiceURL, ChannelID: "msteams"}
	_, other := keys(t)
	cases := []struct {
		name   string
		header string
		act    schema.Activity
		status int // 0: accepted
	}{
		{"valid", mint(t, testServiceURL, nil), act, 0},
		{"expiry within skew", mint(t, testServiceURL, func(o *tokenOpts) { o.exp = time.Now().Add(-2 * time.Minute) }), act, 0},
		{"no header", "", act, 401},
		{"not bearer", strings.TrimPrefix(mint(t, testServiceURL, nil), "Bearer "), act, 401},
		{"garbage", "Bearer abc.def.ghi", act, 401},
		{"wrong signature", mint(t, testServiceURL, func(o *tokenOpts) { o.key = other }), act, 401},
		{"tampered payload", tamper(mint(t, testServiceURL, nil)), act, 401},
		{"expired", mint(t, testServiceURL, func(o *tokenOpts) { o.exp = time.Now().Add(-10 * time.Minute) }), act, 401},
		{"not yet valid", mint(t, testServiceURL, func(o *tokenOpts) { o.nbf = time.Now().Add(10 * time.Minute) }), act, 401},
		{"alg none", mint(t, testServiceURL, func(o *tokenOpts) { o.method = jwt.SigningMethodNone }), act, 401},
		{"HS256", mint(t, testServiceURL, func(o *tokenOpts) { o.method = jwt.SigningMethodHS256 }), act, 401},
		{"RS512", mint(t, testServiceURL, func(o *tokenOpts) { o.method = jwt.SigningMethodRS512 }), act, 401},
		{"unknown key", mint(t, testServiceURL, func(o *tokenOpts) { o.kid = "nope" }), act, 401},
		{"wrong audience", mint(t, testServiceURL, func(o *tokenOpts) { o.aud = "someone-else" }), act, 401},
		{"wrong issuer", mint(t, testServiceURL, func(o *tokenOpts) { o.iss = "https://evil.example" }), act, 401},
		{"wrong serviceurl", mint(t, "https://evil.example/", nil), act, 401},
		{"channel not endorsed", mint(t, testServiceURL, nil), schema.Activity{ServiceURL: testServiceURL, ChannelID: "slack"}, 401},
		{"no channel", mint(t, testServiceURL, nil), schema.Activity{ServiceURL: testServiceURL}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, err := v.AuthenticateRequest(t.Context(), c.act, c.header, auth.SimpleCredentialProvider{AppID: testAppID}, "")
			if c.status == 0 {
				if err != nil || !id.IsAuthenticated() || id.GetClaimValue("serviceurl") != testServiceURL {
					t.Fatalf("refused a valid token: %v", err)
				}
				return
			}
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Status != c.status {
				t.Fatalf("got %v, want status %d", err, c.status)
			}
		})
	}
}

func tamper(header string) string {
	parts := strings.Split(header, ".")
	parts[1] = strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return r
	}, parts[1]) + "A"
	return strings.Join(parts, ".")
}

// A stream of tokens naming unknown keys fetches the key set at most once
// per MinRefresh; keys are cached between requests.
func TestValidatorRefreshIsRateLimited(t *testing.T) {
	f := newFakeOpenID(t)
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	v := NewValidator(testAppID, ValidatorOptions{MetadataURL: f.metadataURL(), Now: clock, MinRefresh: 5 * time.Minute})
	valid := mint(t, testServiceURL, nil)
	for range 10 {
		if _, err := v.ValidateToken(t.Context(), valid); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.jwksFetches.Load(); n != 1 {
		t.Fatalf("%d fetches for cached keys", n)
	}
	forged := mint(t, testServiceURL, func(o *tokenOpts) { o.kid = "forged" })
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := v.ValidateToken(t.Context(), forged); err == nil {
				t.Error("forged kid accepted")
			}
		}()
	}
	wg.Wait()
	if n := f.jwksFetches.Load(); n != 1 {
		t.Fatalf("unknown kids within MinRefresh of a fetch: %d fetches", n)
	}
	mu.Lock()
	now = now.Add(6 * time.Minute)
	mu.Unlock()
	for range 20 {
		_, _ = v.ValidateToken(t.Context(), forged)
	}
	if n := f.jwksFetches.Load(); n != 2 {
		t.Fatalf("after MinRefresh: %d fetches, want 2", n)
	}
	// A valid token still passes with the cached keys.
	if _, err := v.ValidateToken(t.Context(), valid); err != nil {
		t.Fatal(err)
	}
}

// The metadata endpoint down: refused, no panic; the key set is fetched
// again once it is back (after MinRefresh).
func TestValidatorMetadataDown(t *testing.T) {
	v := NewValidator(testAppID, ValidatorOptions{MetadataURL: "http://127.0.0.1:1/meta", HTTPClient: &http.Client{Timeout: time.Second}})
	_, err := v.ValidateToken(t.Context(), mint(t, testServiceURL, nil))
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("got %v", err)
	}
}
