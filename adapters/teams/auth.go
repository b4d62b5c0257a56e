package teams

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/openid"
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
// are cached by openid.KeySet; a token naming an unknown key causes a
// refetch at most once every MinRefresh, so forged tokens cannot make the
// bot hammer the endpoint.
type Validator struct {
	appID string
	keys  *openid.KeySet
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
	url := opts.MetadataURL
	if url == "" {
		url = DefaultOpenIDMetadataURL
	}
	keys := openid.NewKeySet(url, openid.Options{HTTPClient: opts.HTTPClient, Now: opts.Now, MinRefresh: opts.MinRefresh,
		MaxAge: keysMaxAge, Skew: clockSkew})
	return &Validator{appID: appID, keys: keys}
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
	tok, err := v.keys.Verify(ctx, raw, openid.Want{
		Issuer:   func(iss string) bool { return iss == Issuer },
		Audience: func(aud string) bool { return v.appID != "" && aud == v.appID },
	})
	if err != nil {
		return nil, unauthorized("%v", err)
	}
	c := &Claims{claims: tok.Claims, Endorsements: tok.Key.Endorsements}
	c.ServiceURL, _ = tok.Claims["serviceurl"].(string)
	return c, nil
}
