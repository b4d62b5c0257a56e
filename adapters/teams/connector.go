package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// Scope is the OAuth scope of tokens for the Bot Connector.
const Scope = "https://api.botframework.com/.default"

// TokenURL is the token endpoint of a single-tenant bot's tenant.
func TokenURL(tenantID string) string {
	return "https://login.microsoftonline.com/" + url.PathEscape(tenantID) + "/oauth2/v2.0/token"
}

// Activity is an activity the bot sends. (schema.Activity would send zero
// timestamps and empty objects for every field it does not use.)
type Activity struct {
	Type         string                      `json:"type"`
	ID           string                      `json:"id,omitempty"`
	Text         string                      `json:"text,omitempty"`
	TextFormat   string                      `json:"textFormat,omitempty"`
	Summary      string                      `json:"summary,omitempty"`
	Attachments  []schema.Attachment         `json:"attachments,omitempty"`
	ReplyToID    string                      `json:"replyToId,omitempty"`
	From         *schema.ChannelAccount      `json:"from,omitempty"`
	Recipient    *schema.ChannelAccount      `json:"recipient,omitempty"`
	Conversation *schema.ConversationAccount `json:"conversation,omitempty"`
	ChannelData  map[string]any              `json:"channelData,omitempty"`
}

// APIError is a failed Bot Connector call that is not a rate limit.
type APIError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("teams: %s %s: status %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// ConnectorOptions tune a Connector; the zero value is fine.
type ConnectorOptions struct {
	// HTTPClient calls the token endpoint and the Bot Connector; default a
	// client with a 30s timeout.
	HTTPClient *http.Client
	// Now is the clock of the token cache; default time.Now.
	Now func() time.Time
	// Retries is how often a call is repeated after 429, 412, 500, 502,
	// 503 or 504; default 3.
	Retries int
	// Backoff is the first wait between retries without Retry-After,
	// doubled each time and jittered; default 500ms.
	Backoff time.Duration
	// MaxWait is the longest Retry-After the client waits for itself; a
	// longer one ends the call with *chat.RateLimitError; default 10s.
	MaxWait time.Duration
}

// Connector is a Bot Connector REST client for a single-tenant bot: its
// token comes from the tenant's token endpoint (client credentials), is
// cached under a mutex and renewed before it expires; calls time out,
// and 429 and transient 5xx answers are retried, honouring Retry-After.
type Connector struct {
	appID, password, tokenURL string
	opts                      ConnectorOptions

	mu      sync.Mutex // held while fetching, so one fetch at a time
	token   string
	expires time.Time
}

// NewConnector returns a client that authenticates as appID with password
// at tokenURL (see TokenURL).
func NewConnector(appID, password, tokenURL string, opts ConnectorOptions) *Connector {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 500 * time.Millisecond
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = 10 * time.Second
	}
	return &Connector{appID: appID, password: password, tokenURL: tokenURL, opts: opts}
}

// Token returns a valid access token, fetching one when the cached token
// expires within five minutes (or within half its lifetime, if shorter).
func (c *Connector) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.opts.Now().Before(c.expires) {
		return c.token, nil
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.appID},
		"client_secret": {c.password},
		"scope":         {Scope},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("teams: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("teams: token request: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		// The body names the problem (AADSTS7000215: invalid secret …)
		// and holds no secret.
		return "", fmt.Errorf("teams: token request: status %d: %s", resp.StatusCode, trim(body))
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("teams: token response without access_token")
	}
	secs, _ := strconv.Atoi(strings.Trim(string(tok.ExpiresIn), `"`))
	life := time.Duration(secs) * time.Second
	margin := min(5*time.Minute, life/2)
	c.token, c.expires = tok.AccessToken, c.opts.Now().Add(life-margin)
	return c.token, nil
}

func (c *Connector) dropToken(tok string) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// SendToConversation posts a to the conversation and returns the new
// activity's id.
func (c *Connector) SendToConversation(ctx context.Context, serviceURL, conversationID string, a *Activity) (string, error) {
	var r schema.ResourceResponse
	err := c.call(ctx, http.MethodPost, serviceURL, "/v3/conversations/"+url.PathEscape(conversationID)+"/activities", a, &r)
	return r.ID, err
}

// ReplyToActivity posts a as a reply to activity replyToID (in a channel,
// into its thread) and returns the new activity's id.
func (c *Connector) ReplyToActivity(ctx context.Context, serviceURL, conversationID, replyToID string, a *Activity) (string, error) {
	a.ReplyToID = replyToID
	var r schema.ResourceResponse
	err := c.call(ctx, http.MethodPost, serviceURL, "/v3/conversations/"+url.PathEscape(conversationID)+"/activities/"+url.PathEscape(replyToID), a, &r)
	return r.ID, err
}

// UpdateActivity replaces activity activityID with a.
func (c *Connector) UpdateActivity(ctx context.Context, serviceURL, conversationID, activityID string, a *Activity) error {
	a.ID = activityID
	return c.call(ctx, http.MethodPut, serviceURL, "/v3/conversations/"+url.PathEscape(conversationID)+"/activities/"+url.PathEscape(activityID), a, nil)
}

// CreateConversation opens (or finds) the bot's 1:1 conversation with
// userID in tenantID and returns its id.
func (c *Connector) CreateConversation(ctx context.Context, serviceURL, tenantID, userID string) (string, error) {
	p := map[string]any{
		"isGroup":     false,
		"bot":         map[string]string{"id": "28:" + c.appID},
		"members":     []map[string]string{{"id": userID}},
		"tenantId":    tenantID,
		"channelData": map[string]any{"tenant": map[string]string{"id": tenantID}},
	}
	var r schema.ConversationResourceResponse
	if err := c.call(ctx, http.MethodPost, serviceURL, "/v3/conversations", p, &r); err != nil {
		return "", err
	}
	if r.ID == "" {
		return "", errors.New("teams: create conversation: no id in the answer")
	}
	return r.ID, nil
}

// call sends one request with retries and decodes the answer into out.
func (c *Connector) call(ctx context.Context, method, serviceURL, path string, in, out any) error {
	return c.callRetries(ctx, method, serviceURL, path, in, out, c.opts.Retries)
}

// callRetries is call repeating a failed request at most retries times.
// A nil in sends no body.
func (c *Connector) callRetries(ctx context.Context, method, serviceURL, path string, in, out any, retries int) error {
	base, err := checkServiceURL(serviceURL)
	if err != nil {
		return err
	}
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("teams: encode %s: %w", path, err)
		}
	}
	reauth := true
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
		if err != nil {
			return fmt.Errorf("teams: %s %s: %w", method, path, err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := c.opts.HTTPClient.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if attempt < retries {
				if err := kit.Sleep(ctx, c.backoff(attempt)); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("teams: %s %s: %w", method, path, err)
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch s := resp.StatusCode; {
		case s >= 200 && s < 300:
			if out != nil && len(bytes.TrimSpace(data)) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return fmt.Errorf("teams: %s %s: decode answer: %w", method, path, err)
				}
			}
			return nil
		case s == http.StatusUnauthorized && reauth:
			// The token was revoked or the key rolled: fetch a new one once.
			reauth = false
			c.dropToken(tok)
			attempt--
			continue
		case s == http.StatusTooManyRequests || s == http.StatusPreconditionFailed || s == http.StatusInternalServerError ||
			s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout:
			wait, hinted := retryAfter(resp.Header, c.opts.Now())
			if !hinted {
				wait = c.backoff(attempt)
			}
			if s == http.StatusTooManyRequests && reportsLimits(ctx) {
				// The dispatcher paces proactive messages by what the
				// Bot Connector refuses: it hears of every 429, and waits.
				if !hinted {
					wait = 0
				}
				return &chat.RateLimitError{RetryAfter: wait}
			}
			if attempt >= retries || wait > c.opts.MaxWait {
				if s == http.StatusTooManyRequests {
					return &chat.RateLimitError{RetryAfter: max(wait, time.Second), Conversation: true}
				}
				return &APIError{Method: method, Path: path, Status: s, Body: trim(data)}
			}
			if err := kit.Sleep(ctx, wait); err != nil {
				return err
			}
		default:
			return &APIError{Method: method, Path: path, Status: s, Body: trim(data)}
		}
	}
}

// reportLimits marks calls whose 429s go straight back to the caller as
// *chat.RateLimitError instead of being waited out: those of the
// dispatcher, which learns its pace from them.
func reportLimits(ctx context.Context) context.Context {
	return context.WithValue(ctx, reportLimitsKey{}, true)
}

func reportsLimits(ctx context.Context) bool {
	v, _ := ctx.Value(reportLimitsKey{}).(bool)
	return v
}

type reportLimitsKey struct{}

// backoff is the jittered exponential wait before retry attempt+1.
func (c *Connector) backoff(attempt int) time.Duration {
	d := c.opts.Backoff << min(attempt, 6)
	return d/2 + rand.N(d/2+1)
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// checkServiceURL returns serviceURL without its trailing slash, or an
// error when it is not an http(s) URL.
func checkServiceURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("teams: bad service URL %q", s)
	}
	return strings.TrimRight(s, "/"), nil
}

func trim(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
