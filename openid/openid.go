// Package openid checks JWTs signed by an OpenID provider: it fetches the
// signing keys that the provider's metadata document names (jwks_uri),
// caches them, and verifies RS256 tokens, their validity period, issuer and
// audience. Claims of a provider's own (a tenant, a service URL) are the
// caller's.
package openid

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

const (
	// DefaultSkew is the leeway on exp and nbf, as Microsoft's libraries
	// allow.
	DefaultSkew = 5 * time.Minute
	// DefaultMaxAge is how long fetched keys are used before they are
	// fetched again (Microsoft rolls them every few weeks).
	DefaultMaxAge = 24 * time.Hour
	// DefaultMinRefresh is the least time between two fetches of the keys,
	// however many tokens name an unknown key.
	DefaultMinRefresh = 5 * time.Minute
	// maxDocument bounds what is read of a metadata document or key set.
	maxDocument = 1 << 20
)

// The refusals of a well-signed token's claims.
var (
	ErrNoExpiry    = errors.New("token has no expiry")
	ErrExpired     = errors.New("token expired")
	ErrNotYetValid = errors.New("token not valid yet")
	ErrIssuer      = errors.New("token is of another issuer")
	ErrAudience    = errors.New("token is for another audience")
)

// Want is what a token must claim besides its period: both rules are
// required, so that no caller forgets one.
type Want struct {
	// Issuer accepts the iss claim.
	Issuer func(iss string) bool
	// Audience accepts one value of the aud claim (a string or a list).
	Audience func(aud string) bool
}

// Key is one signing key of the set.
type Key struct {
	Public *rsa.PublicKey
	// Endorsements are the channels Bot Framework endorses the key for
	// (absent from other providers' sets).
	Endorsements []string
}

// Options tune a KeySet; the zero value is fine.
type Options struct {
	// HTTPClient fetches the metadata and the keys; default one with a 10s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock of the cache and of exp and nbf; default time.Now.
	Now func() time.Time
	// MinRefresh is the least time between two fetches; default
	// DefaultMinRefresh.
	MinRefresh time.Duration
	// MaxAge is how long fetched keys are trusted; default DefaultMaxAge.
	MaxAge time.Duration
	// Skew is the leeway on exp and nbf; default DefaultSkew.
	Skew time.Duration
}

// KeySet is a provider's signing keys, fetched when a token names one it
// does not know or when they are older than MaxAge. A token naming an
// unknown key fetches them at most once every MinRefresh, so that forged
// tokens cannot make the caller hammer the provider; when a fetch fails,
// the keys held are still used.
type KeySet struct {
	metadataURL string
	opts        Options

	fetchMu sync.Mutex // one fetch at a time

	mu        sync.Mutex
	keys      map[string]Key
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt
}

// NewKeySet returns the key set of the OpenID metadata document at
// metadataURL; nothing is fetched until a key is asked for.
func NewKeySet(metadataURL string, opts Options) *KeySet {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MinRefresh <= 0 {
		opts.MinRefresh = DefaultMinRefresh
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Skew <= 0 {
		opts.Skew = DefaultSkew
	}
	return &KeySet{metadataURL: metadataURL, opts: opts}
}

// Token is a verified token: its claims and the key that signed it.
type Token struct {
	Claims jwt.MapClaims
	Key    Key
}

// Verify checks raw (the token without "Bearer "): signed with RS256 by a
// key of the set, with an expiry not past and a nbf, if any, reached, both
// within the skew, of an issuer and for an audience want accepts. A
// refusal of the signature or the form is "invalid token: ..."; of the
// claims, one of the Err values (wrapped, with the claim, for the issuer).
func (s *KeySet) Verify(ctx context.Context, raw string, want Want) (Token, error) {
	if want.Issuer == nil || want.Audience == nil {
		return Token{}, errors.New("openid: verify needs an issuer and an audience rule")
	}
	var tok Token
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token names no key")
		}
		k, err := s.Key(ctx, kid)
		if err != nil {
			return nil, err
		}
		tok.Key = k
		return k.Public, nil
	})
	if err != nil {
		return Token{}, fmt.Errorf("invalid token: %w", err)
	}
	now := s.opts.Now()
	exp, ok := NumericClaim(claims, "exp")
	if !ok {
		return Token{}, ErrNoExpiry
	}
	if now.After(time.Unix(exp, 0).Add(s.opts.Skew)) {
		return Token{}, ErrExpired
	}
	if nbf, ok := NumericClaim(claims, "nbf"); ok && now.Add(s.opts.Skew).Before(time.Unix(nbf, 0)) {
		return Token{}, ErrNotYetValid
	}
	if iss, _ := claims["iss"].(string); !want.Issuer(iss) {
		return Token{}, fmt.Errorf("%w: %q", ErrIssuer, iss)
	}
	if !HasAudience(claims, want.Audience) {
		return Token{}, ErrAudience
	}
	tok.Claims = claims
	return tok, nil
}

// NumericClaim is the claim name as whole seconds, if it is a number.
func NumericClaim(c jwt.MapClaims, name string) (int64, bool) {
	switch n := c[name].(type) {
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// HasAudience reports whether the aud claim, a string or a list, holds a
// value that ok accepts.
func HasAudience(c jwt.MapClaims, ok func(aud string) bool) bool {
	switch a := c["aud"].(type) {
	case string:
		return ok(a)
	case []any:
		for _, x := range a {
			if s, isString := x.(string); isString && ok(s) {
				return true
			}
		}
	}
	return false
}

// Key returns the signing key kid, fetching the set when the key is
// unknown or the set old, at most once every MinRefresh.
func (s *KeySet) Key(ctx context.Context, kid string) (Key, error) {
	s.mu.Lock()
	k, ok := s.keys[kid]
	stale := s.opts.Now().Sub(s.fetchedAt) > s.opts.MaxAge
	s.mu.Unlock()
	if ok && !stale {
		return k, nil
	}
	if err := s.refresh(ctx, kid); err != nil && !ok {
		return Key{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[kid]; ok {
		return k, nil
	}
	return Key{}, fmt.Errorf("unknown signing key %q", kid)
}

func (s *KeySet) refresh(ctx context.Context, kid string) error {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.Lock()
	_, known := s.keys[kid]
	fresh := s.opts.Now().Sub(s.fetchedAt) <= s.opts.MaxAge
	recent := !s.triedAt.IsZero() && s.opts.Now().Sub(s.triedAt) < s.opts.MinRefresh
	if (known && fresh) || recent {
		s.mu.Unlock()
		return nil // fetched meanwhile, or too soon to fetch again
	}
	s.triedAt = s.opts.Now()
	s.mu.Unlock()

	keys, err := s.fetch(ctx)
	if err != nil {
		return fmt.Errorf("fetch signing keys: %w", err)
	}
	s.mu.Lock()
	s.keys, s.fetchedAt = keys, s.opts.Now()
	s.mu.Unlock()
	return nil
}

func (s *KeySet) fetch(ctx context.Context) (map[string]Key, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, s.metadataURL, &meta); err != nil {
		return nil, err
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty          string   `json:"kty"`
			Kid          string   `json:"kid"`
			N            string   `json:"n"`
			E            string   `json:"e"`
			Endorsements []string `json:"endorsements"`
		} `json:"keys"`
	}
	if err := s.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]Key{}
	for _, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		// An exponent of more than four bytes is not one crypto/rsa takes.
		if k.Kty != "RSA" || k.Kid == "" || err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		keys[k.Kid] = Key{Public: pub, Endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RSA key")
	}
	return keys, nil
}

func (s *KeySet) getJSON(ctx context.Context, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("request %s: %w", url, err)
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocument)).Decode(into); err != nil {
		return fmt.Errorf("read %s: %w", url, err)
	}
	return nil
}
