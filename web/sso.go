package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/okrbot/okrbot/openid"
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
// tenant, for okrbot's app, unexpired. The keys are cached by
// openid.KeySet, and a token naming an unknown key fetches them again at
// most every five minutes, so forged tokens cannot make okrbot hammer
// Microsoft.
type SSO struct {
	cfg  SSOConfig
	keys *openid.KeySet
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
	keys := openid.NewKeySet(cfg.MetadataURL, openid.Options{HTTPClient: cfg.HTTPClient, Now: cfg.Now,
		MinRefresh: ssoMinRefresh, MaxAge: ssoKeysMaxAge, Skew: ssoSkew})
	return &SSO{cfg: cfg, keys: keys}, nil
}

// Identity is who a valid token names: the tenant and the person's Entra
// object id (what Teams activities call aadObjectId).
type Identity struct {
	Tenant   string
	ObjectID string
}

// Validate checks raw, the token without "Bearer ".
func (s *SSO) Validate(ctx context.Context, raw string) (Identity, error) {
	tok, err := s.keys.Verify(ctx, raw, openid.Want{Issuer: s.issuer, Audience: s.audience})
	if err != nil {
		return Identity{}, err
	}
	tid, _ := tok.Claims["tid"].(string)
	if tid == "" || !strings.EqualFold(tid, s.cfg.Tenant) {
		return Identity{}, errors.New("token is of another tenant")
	}
	oid, _ := tok.Claims["oid"].(string)
	if oid == "" {
		return Identity{}, errors.New("token names nobody")
	}
	return Identity{Tenant: tid, ObjectID: oid}, nil
}

// issuer accepts the tenant's v2.0 and v1 issuers; a tenant id is a GUID,
// the same in either case.
func (s *SSO) issuer(iss string) bool {
	for _, form := range [][2]string{{"https://login.microsoftonline.com/", "/v2.0"}, {"https://sts.windows.net/", "/"}} {
		if t, ok := strings.CutPrefix(iss, form[0]); ok {
			if t, ok := strings.CutSuffix(t, form[1]); ok && strings.EqualFold(t, s.cfg.Tenant) {
				return true
			}
		}
	}
	return false
}

func (s *SSO) audience(a string) bool {
	return a == s.cfg.AppID || (s.cfg.Host != "" && a == "api://"+s.cfg.Host+"/"+s.cfg.AppID)
}
