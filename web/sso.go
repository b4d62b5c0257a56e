package web

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// DefaultTeamsMetadataURL is Microsoft Entra ID's OpenID metadata of a
// tenant; {tenant} is replaced by the tenant's id.
const DefaultTeamsMetadataURL = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"

const (
	ssoSkew       = 5 * time.Minute // leeway on exp and nbf, as Microsoft's libraries allow
	ssoKeysMaxAge = 24 * time.Hour
	ssoMinRefresh = 5 * time.Minute // least time between two fetches of the keys
)

// SSOConfig is what a Teams single sign-on token must say.
type SSOConfig struct {
	AppID  string // the Microsoft App ID of okrbot's Teams app
	Tenant string // the Microsoft Entra tenant okrbot serves
	// Host is the public host of okrbot, for the api://HOST/APPID audience
	// the manifest's webApplicationInfo names.
	Host        string
	MetadataURL string // default DefaultTeamsMetadataURL
	HTTPClient  *http.Client
	Now         func() time.Time
}

// SSO checks the tokens TeamsJS gets for okrbot's app (getAuthToken):
// RS256 signed by a key of the tenant's OpenID key set, issued by the
// tenant, for okrbot's app, unexpired. The keys are cached, and a token
// naming an unknown key fetches them again at most every five minutes, so
// forged tokens cannot make okrbot hammer Microsoft.
type SSO struct {
	cfg SSOConfig

	fetchMu   sync.Mutex
	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time
	triedAt   time.Time
}

// NewSSO returns a checker of Teams single sign-on tokens.
func NewSSO(cfg SSOConfig) (*SSO, error) {
	if cfg.AppID == "" || cfg.Tenant == "" {
		return nil, errors.New("web: Teams single sign-on needs the app id and the tenant id")
	}
	if cfg.MetadataURL == "" {
		cfg.MetadataURL = DefaultTeamsMetadataURL
	}
	cfg.MetadataURL = strings.ReplaceAll(cfg.MetadataURL, "{tenant}", cfg.Tenant)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &SSO{cfg: cfg}, nil
}

// Identity is who a valid token names: the tenant and the person's Entra
// object id (what Teams activities call aadObjectId).
type Identity struct {
	Tenant   string
	ObjectID string
}

// Validate checks raw, the token without "Bearer ".
func (s *SSO) Validate(ctx context.Context, raw string) (Identity, error) {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	cl := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, cl, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token names no key")
		}
		return s.key(ctx, kid)
	})
	if err != nil {
		return Identity{}, fmt.Errorf("invalid token: %w", err)
	}
	now := s.cfg.Now()
	exp, ok := number(cl, "exp")
	if !ok || now.After(time.Unix(exp, 0).Add(ssoSkew)) {
		return Identity{}, errors.New("token expired")
	}
	if nbf, ok := number(cl, "nbf"); ok && now.Add(ssoSkew).Before(time.Unix(nbf, 0)) {
		return Identity{}, errors.New("token not valid yet")
	}
	tid, _ := cl["tid"].(string)
	if tid == "" || !strings.EqualFold(tid, s.cfg.Tenant) {
		return Identity{}, errors.New("token is of another tenant")
	}
	iss, _ := cl["iss"].(string)
	if iss != "https://login.microsoftonline.com/"+tid+"/v2.0" && iss != "https://sts.windows.net/"+tid+"/" {
		return Identity{}, fmt.Errorf("issuer %q is not the tenant", iss)
	}
	if !s.audience(cl) {
		return Identity{}, errors.New("token is not for okrbot")
	}
	oid, _ := cl["oid"].(string)
	if oid == "" {
		return Identity{}, errors.New("token names nobody")
	}
	return Identity{Tenant: tid, ObjectID: oid}, nil
}

func (s *SSO) audience(cl jwt.MapClaims) bool {
	ok := func(a string) bool {
		return a == s.cfg.AppID || (s.cfg.Host != "" && a == "api://"+s.cfg.Host+"/"+s.cfg.AppID)
	}
	switch a := cl["aud"].(type) {
	case string:
		return ok(a)
	case []any:
		for _, x := range a {
			if v, _ := x.(string); ok(v) {
				return true
			}
		}
	}
	return false
}

func number(c jwt.MapClaims, name string) (int64, bool) {
	switch n := c[name].(type) {
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// key is the tenant's signing key kid, fetched when unknown or old.
func (s *SSO) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	k, ok := s.keys[kid]
	stale := s.cfg.Now().Sub(s.fetchedAt) > ssoKeysMaxAge
	s.mu.Unlock()
	if ok && !stale {
		return k, nil
	}
	if err := s.refresh(ctx, kid); err != nil && !ok {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown signing key %q", kid)
}

func (s *SSO) refresh(ctx context.Context, kid string) error {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.Lock()
	_, known := s.keys[kid]
	fresh := s.cfg.Now().Sub(s.fetchedAt) <= ssoKeysMaxAge
	recent := !s.triedAt.IsZero() && s.cfg.Now().Sub(s.triedAt) < ssoMinRefresh
	if (known && fresh) || recent {
		s.mu.Unlock()
		return nil
	}
	s.triedAt = s.cfg.Now()
	s.mu.Unlock()
	keys, err := s.fetchKeys(ctx)
	if err != nil {
		return fmt.Errorf("fetch the tenant's signing keys: %w", err)
	}
	s.mu.Lock()
	s.keys, s.fetchedAt = keys, s.cfg.Now()
	s.mu.Unlock()
	return nil
}

func (s *SSO) fetchKeys(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, s.cfg.MetadataURL, &meta); err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	var set struct {
		Keys []struct{ Kty, Kid, N, E string } `json:"keys"`
	}
	if err := s.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if k.Kty != "RSA" || k.Kid == "" || err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RSA key")
	}
	return keys, nil
}

func (s *SSO) getJSON(ctx context.Context, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}
