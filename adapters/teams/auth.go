package teams

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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// DefaultOpenIDMetadataURL is Bot Framework's OpenID metadata document for
// tokens the channels send to bots.
const DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

// Issuer is the issuer of the tokens the Bot Connector sends.
const Issuer = "https://api.botframework.com"

const (
	// clockSkew is the leeway on exp and nbf, as in Bot Framework's SDKs.
	clockSkew = 5 * time.Minute
	// keysMaxAge is how long fetched signing keys are used before they are
	// fetched again (Microsoft rolls them every few weeks).
	keysMaxAge = 24 * time.Hour
	// defaultMinRefresh is the least time between two fetches of the keys,
	// however many tokens name an unknown key.
	defaultMinRefresh = 5 * time.Minute
)

// AuthError is why a request was refused. Status is always 401
// (Unauthorized): a missing or invalid token and a well-signed token whose
// claims do not fit (audience, issuer, serviceurl, channel endorsement) are
// refused alike, so that a caller learns nothing about which check failed.
type AuthError struct {
	Status int
	Reason string
}

func (e *AuthError) Error() string { return "teams: unauthorized: " + e.Reason }

func unauthorized(format string, args ...any) error {
	return &AuthError{Status: http.StatusUnauthorized, Reason: fmt.Sprintf(format, args...)}
}

// Claims are the checked claims of a Bot Connector token.
type Claims struct {
	claims jwt.MapClaims
	// ServiceURL is the token's serviceurl claim.
	ServiceURL string
	// Endorsements are the channels the signing key is endorsed for.
	Endorsements []string
}

// GetClaimValue implements auth.ClaimsIdentity; it returns "" for a claim
// that is absent or not a string (the library's own panics).
func (c *Claims) GetClaimValue(name string) string {
	s, _ := c.claims[name].(string)
	return s
}

// IsAuthenticated implements auth.ClaimsIdentity.
func (c *Claims) IsAuthenticated() bool { return c != nil }

// Validator checks the JWTs the Bot Connector sends with each activity. It
// implements msbotbuilder-go's auth.TokenValidator, replacing the library's
// (which fetches the metadata from a fixed URL on every request).
//
// Signing keys come from the jwks_uri of the OpenID metadata document and
// are cached; a token naming an unknown key causes a refetch at most once
// every MinRefresh, so forged tokens cannot make the bot hammer the
// endpoint.
type Validator struct {
	appID       string
	metadataURL string
	client      *http.Client
	now         func() time.Time
	minRefresh  time.Duration

	fetchMu sync.Mutex // one fetch at a time

	mu        sync.Mutex
	keys      map[string]signingKey
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt
}

type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

var _ auth.TokenValidator = (*Validator)(nil)

// ValidatorOptions tune a Validator; the zero value is fine.
type ValidatorOptions struct {
	// MetadataURL is the OpenID metadata document; default
	// DefaultOpenIDMetadataURL.
	MetadataURL string
	// HTTPClient fetches metadata and keys; default one with a 10s timeout.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// MinRefresh is the least time between two key fetches; default 5
	// minutes.
	MinRefresh time.Duration
}

// NewValidator returns a validator of tokens for the bot appID.
func NewValidator(appID string, opts ValidatorOptions) *Validator {
	v := &Validator{appID: appID, metadataURL: opts.MetadataURL, client: opts.HTTPClient, now: opts.Now, minRefresh: opts.MinRefresh}
	if v.metadataURL == "" {
		v.metadataURL = DefaultOpenIDMetadataURL
	}
	if v.client == nil {
		v.client = &http.Client{Timeout: 10 * time.Second}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.minRefresh <= 0 {
		v.minRefresh = defaultMinRefresh
	}
	return v
}

// AuthenticateRequest implements auth.TokenValidator: it validates the
// Authorization header and checks the token against the activity.
// credentials, when given, must accept the token's audience; the
// channelService argument is ignored (public cloud only).
func (v *Validator) AuthenticateRequest(ctx context.Context, activity schema.Activity, authHeader string, credentials auth.CredentialProvider, _ string) (auth.ClaimsIdentity, error) {
	c, err := v.ValidateToken(ctx, authHeader)
	if err != nil {
		return nil, err
	}
	if credentials != nil && !credentials.IsValidAppID(c.GetClaimValue("aud")) {
		return nil, unauthorized("audience is not this bot")
	}
	if err := c.CheckActivity(activity.ServiceURL, activity.ChannelID); err != nil {
		return nil, err
	}
	return c, nil
}

// CheckActivity checks the claims that depend on the activity: the
// serviceurl claim and the channel endorsement of the signing key.
func (c *Claims) CheckActivity(serviceURL, channelID string) error {
	if c.ServiceURL == "" || c.ServiceURL != serviceURL {
		return unauthorized("serviceurl claim %q does not match the activity's serviceUrl", c.ServiceURL)
	}
	if channelID == "" || !slices.Contains(c.Endorsements, channelID) {
		return unauthorized("signing key is not endorsed for channel %q", channelID)
	}
	return nil
}

// ValidateToken checks the signature (RS256 with a key of the metadata's
// key set), the issuer, the audience (the app id) and the validity period
// of the bearer token in authHeader. It does not look at the request body.
func (v *Validator) ValidateToken(ctx context.Context, authHeader string) (*Claims, error) {
	raw, ok := strings.CutPrefix(strings.TrimSpace(authHeader), "Bearer ")
	raw = strings.TrimSpace(raw)
	if !ok || raw == "" {
		return nil, unauthorized("missing bearer token")
	}
	var key signingKey
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	claims := jwt.MapClaims{}
	_, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token names no key")
		}
		k, err := v.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		key = k
		return k.pub, nil
	})
	if err != nil {
		return nil, unauthorized("invalid token: %v", err)
	}
	now := v.now()
	exp, ok := numericClaim(claims, "exp")
	if !ok {
		return nil, unauthorized("token has no expiry")
	}
	if now.After(time.Unix(exp, 0).Add(clockSkew)) {
		return nil, unauthorized("token expired")
	}
	if nbf, ok := numericClaim(claims, "nbf"); ok && now.Add(clockSkew).Before(time.Unix(nbf, 0)) {
		return nil, unauthorized("token not valid yet")
	}
	if iss, _ := claims["iss"].(string); iss != Issuer {
		return nil, unauthorized("issuer %q is not %s", iss, Issuer)
	}
	if !audience(claims, v.appID) {
		return nil, unauthorized("audience is not this bot")
	}
	c := &Claims{claims: claims, Endorsements: key.endorsements}
	c.ServiceURL, _ = claims["serviceurl"].(string)
	return c, nil
}

func numericClaim(c jwt.MapClaims, name string) (int64, bool) {
	switch n := c[name].(type) {
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

func audience(c jwt.MapClaims, appID string) bool {
	if appID == "" {
		return false
	}
	switch a := c["aud"].(type) {
	case string:
		return a == appID
	case []any:
		for _, x := range a {
			if s, _ := x.(string); s == appID {
				return true
			}
		}
	}
	return false
}

// key returns the signing key kid, fetching the key set when it is unknown
// or old, at most once every minRefresh.
func (v *Validator) key(ctx context.Context, kid string) (signingKey, error) {
	v.mu.Lock()
	k, ok := v.keys[kid]
	stale := v.now().Sub(v.fetchedAt) > keysMaxAge
	v.mu.Unlock()
	if ok && !stale {
		return k, nil
	}
	if err := v.refresh(ctx, kid); err != nil && !ok {
		return signingKey{}, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, fmt.Errorf("unknown signing key %q", kid)
}

func (v *Validator) refresh(ctx context.Context, kid string) error {
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	v.mu.Lock()
	_, known := v.keys[kid]
	fresh := v.now().Sub(v.fetchedAt) <= keysMaxAge
	recent := !v.triedAt.IsZero() && v.now().Sub(v.triedAt) < v.minRefresh
	if (known && fresh) || recent {
		v.mu.Unlock()
		return nil // fetched meanwhile, or too soon to fetch again
	}
	v.triedAt = v.now()
	v.mu.Unlock()

	keys, err := v.fetchKeys(ctx)
	if err != nil {
		return fmt.Errorf("fetch signing keys: %w", err)
	}
	v.mu.Lock()
	v.keys = keys
	v.fetchedAt = v.now()
	v.mu.Unlock()
	return nil
}

func (v *Validator) fetchKeys(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, v.metadataURL, &meta); err != nil {
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
	if err := v.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]signingKey{}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		keys[k.Kid] = signingKey{pub: pub, endorsements: k.Endorsements}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable RSA key")
	}
	return keys, nil
}

func (v *Validator) getJSON(ctx context.Context, url string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(into)
}
