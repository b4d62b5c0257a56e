package teams

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
)

// Member is a person in a conversation as the Bot Connector's roster
// describes them (a TeamsChannelAccount). msbotbuilder-go has no type for
// it.
type Member struct {
	// ID is the Teams user id, "29:…".
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// ObjectID is the Entra ID object id; the Bot Connector calls it
	// "objectId", the SDKs' TeamsChannelAccount "aadObjectId".
	ObjectID          string `json:"objectId,omitempty"`
	AadObjectID       string `json:"aadObjectId,omitempty"`
	Email             string `json:"email,omitempty"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	GivenName         string `json:"givenName,omitempty"`
	Surname           string `json:"surname,omitempty"`
	// TenantID is the tenant of the account.
	TenantID string `json:"tenantId,omitempty"`
	// UserRole is "user", "guest" or "anonymous".
	UserRole string `json:"userRole,omitempty"`
}

// objectID is the member's Entra ID object id under either name.
func (m *Member) objectID() string {
	if m.ObjectID != "" {
		return m.ObjectID
	}
	return m.AadObjectID
}

// ConversationMember returns the roster entry of userID (a "29:…" id or an
// Entra ID object id) in conversationID, a conversation or a team. It is
// tried twice at most: a caller waits for it.
func (c *Connector) ConversationMember(ctx context.Context, serviceURL, conversationID, userID string) (*Member, error) {
	var m Member
	path := "/v3/conversations/" + url.PathEscape(conversationID) + "/members/" + url.PathEscape(userID)
	if err := c.callRetries(ctx, http.MethodGet, serviceURL, path, nil, &m, min(c.opts.Retries, 1)); err != nil {
		return nil, err
	}
	if m.ID == "" && m.objectID() == "" && m.Email == "" && m.UserPrincipalName == "" {
		return nil, errors.New("teams: GET " + path + ": no member in the answer")
	}
	return &m, nil
}

// memberEmail is the e-mail address of m, and whether the bot vouches for
// it. Without an e-mail the user principal name serves when it is an
// address (not a guest's "…#EXT#@…" one).
//
// The address is vouched for only when it is the account's user principal
// name, of an account of the bot's own tenant that is not a guest: the
// domain of a UPN must be one the tenant verified, while the mail
// attribute is whatever a directory admin wrote there, which could be the
// address of someone who is on Slack only (the "nOAuth" problem).
func memberEmail(m *Member, tenant string) (string, bool) {
	email := strings.TrimSpace(m.Email)
	upn := strings.TrimSpace(m.UserPrincipalName)
	if email == "" && strings.Contains(upn, "@") && !strings.Contains(strings.ToUpper(upn), "#EXT#") {
		email = upn
	}
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>") {
		return "", false
	}
	verified := m.TenantID != "" && strings.EqualFold(strings.TrimSpace(m.TenantID), strings.TrimSpace(tenant)) &&
		strings.EqualFold(email, upn) && !strings.Contains(strings.ToUpper(upn), "#EXT#")
	switch strings.ToLower(strings.TrimSpace(m.UserRole)) {
	case "guest", "anonymous":
		verified = false
	}
	return email, verified
}

// memberTimeout bounds one roster lookup, memberFailTTL is how long a
// failed one is remembered.
const (
	memberTimeout = 5 * time.Second
	memberFailTTL = time.Minute
)

// emailInfo is what the roster said about a person's address.
type emailInfo struct {
	email    string
	verified bool
	expires  time.Time
}

// emailCache keeps roster answers for a while; failures are remembered
// for a minute so that a struggling Bot Connector is not asked on every
// event, and concurrent events of one person make one call.
type emailCache struct {
	mu       sync.Mutex
	now      func() time.Time
	m        map[string]emailInfo
	inflight map[string]chan struct{}
}

func newEmailCache(now func() time.Time) *emailCache {
	return &emailCache{now: now, m: map[string]emailInfo{}, inflight: map[string]chan struct{}{}}
}

// lookup returns the cached answer for key, or calls fetch, once however
// many callers ask at the same time. A caller whose ctx ends while
// another one fetches gets nothing.
func (c *emailCache) lookup(ctx context.Context, key string, fetch func() (emailInfo, time.Duration)) emailInfo {
	for {
		c.mu.Lock()
		if e, ok := c.m[key]; ok && c.now().Before(e.expires) {
			c.mu.Unlock()
			return e
		}
		wait, busy := c.inflight[key]
		if !busy {
			done := make(chan struct{})
			c.inflight[key] = done
			c.mu.Unlock()
			e, ttl := fetch()
			c.mu.Lock()
			c.put(key, e, ttl)
			delete(c.inflight, key)
			c.mu.Unlock()
			close(done)
			return e
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return emailInfo{}
		}
	}
}

// put stores e for ttl; c.mu is held.
func (c *emailCache) put(key string, e emailInfo, ttl time.Duration) {
	now := c.now()
	if len(c.m) >= 100_000 {
		for k, v := range c.m {
			if !now.Before(v.expires) {
				delete(c.m, k)
			}
		}
	}
	e.expires = now.Add(ttl)
	c.m[key] = e
}

// wantsEmail reports whether the activity is a person's message or invoke
// the engine will handle, so that their e-mail is worth looking up.
func wantsEmail(act *schema.Activity, ev *chat.Event) bool {
	if act.Type != schema.Message && act.Type != schema.Invoke {
		return false
	}
	if act.From.ID == "" || ev.Workspace == "" || ev.UserID == "" {
		return false
	}
	return act.From.ID != act.Recipient.ID && !strings.EqualFold(string(act.From.Role), "bot")
}

// rosterID is the conversation whose roster names the sender: the team of
// a channel message, else the conversation.
func rosterID(act *schema.Activity) string {
	if t, ok := act.ChannelData["team"].(map[string]any); ok {
		if id, _ := t["id"].(string); id != "" {
			return id
		}
	}
	return act.Conversation.ID
}

// fillEmail sets the sender's e-mail on ev from the Bot Connector's roster
// (cached), waiting at most timeout. A failed lookup is logged and leaves
// ev without one: the engine then keeps what it knows.
func (a *Adapter) fillEmail(ctx context.Context, act *schema.Activity, ev *chat.Event, timeout time.Duration) {
	if !wantsEmail(act, ev) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key := ev.Workspace + "|" + ev.UserID
	e := a.emails.lookup(ctx, key, func() (emailInfo, time.Duration) {
		m, err := a.conn.ConversationMember(ctx, act.ServiceURL, rosterID(act), act.From.ID)
		if err != nil {
			a.log.Warn("Teams roster lookup failed; going on without the e-mail", "user", ev.UserID, "err", err)
			return emailInfo{}, memberFailTTL
		}
		if oid := m.objectID(); oid != "" && act.From.AadObjectID != "" && !strings.EqualFold(oid, act.From.AadObjectID) {
			a.log.Warn("Teams roster answered for another person; going on without the e-mail", "user", ev.UserID, "member", oid)
			return emailInfo{}, memberFailTTL
		}
		email, verified := memberEmail(m, a.cfg.TenantID)
		return emailInfo{email: email, verified: verified}, a.opts.UserTTL
	})
	if e.email != "" {
		ev.Email, ev.EmailVerified = e.email, e.verified
	}
}
