package teams

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
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
			"issuer":   Issuer,
			"jwks_uri": f.srv.URL + "/v1/.well-known/keys",
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
