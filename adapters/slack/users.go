package slack

import (
	"context"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// profile is what users.info tells about a person.
type profile struct {
	name, email, tz string
	emailVerified   bool
	expires         time.Time
}

// userCache keeps users.info answers for a while; failures are remembered
// for a minute so that a struggling API is not asked on every event.
type userCache struct {
	mu       sync.Mutex
	ttl      time.Duration
	now      func() time.Time
	m        map[string]profile
	inflight map[string]chan struct{}
}

func newUserCache(ttl time.Duration, now func() time.Time) *userCache {
	return &userCache{ttl: ttl, now: now, m: map[string]profile{}, inflight: map[string]chan struct{}{}}
}

// lookup returns the cached profile, or asks fetch once however many
// events of one person arrive together.
func (c *userCache) lookup(ctx context.Context, key string, fetch func() (profile, time.Duration)) profile {
	for {
		if p, ok := c.get(key); ok {
			return p
		}
		c.mu.Lock()
		wait, busy := c.inflight[key]
		if !busy {
			done := make(chan struct{})
			c.inflight[key] = done
			c.mu.Unlock()
			p, ttl := fetch()
			c.put(key, p, ttl)
			c.mu.Lock()
			delete(c.inflight, key)
			c.mu.Unlock()
			close(done)
			return p
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return profile{}
		}
	}
}

func (c *userCache) get(key string) (profile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[key]
	if !ok || !c.now().Before(p.expires) {
		return profile{}, false
	}
	return p, true
}

func (c *userCache) put(key string, p profile, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) > 100_000 {
		for k, v := range c.m {
			if !now.Before(v.expires) {
				delete(c.m, k)
			}
		}
	}
	p.expires = now.Add(ttl)
	c.m[key] = p
}

// prefetchProfile starts the users.info lookup of a person the cache does
// not know as their delivery arrives, so that the call overlaps the
// delivery's record and its wait in the pool instead of starting when a
// worker takes it (first contacts: every one of them asks). At most
// cap(a.lookups) run at once; beyond that the worker asks, as before, and
// lookups of one person still share one call (userCache.lookup).
func (a *Adapter) prefetchProfile(ev chat.Event) {
	if ev.UserID == "" {
		return
	}
	if _, ok := a.users.get(ev.Workspace + "|" + ev.UserID); ok {
		return
	}
	select {
	case a.lookups <- struct{}{}:
	default:
		return
	}
	go func() {
		defer func() { <-a.lookups }()
		ctx, cancel := context.WithTimeout(context.Background(), a.opts.JobTimeout)
		defer cancel()
		a.fillProfile(ctx, &ev)
	}()
}

// fillProfile sets the person's name, e-mail and time zone on an event
// from users.info (cached). A failed lookup leaves them empty: the engine
// then keeps what it knows.
func (a *Adapter) fillProfile(ctx context.Context, ev *chat.Event) {
	if ev.UserID == "" {
		return
	}
	key := ev.Workspace + "|" + ev.UserID
	p := a.users.lookup(ctx, key, func() (profile, time.Duration) {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		u, err := a.api.GetUserInfoContext(lctx, ev.UserID)
		if err != nil {
			a.log.Warn("users.info failed; going on without the profile", "user", ev.UserID, "err", a.apiError("users.info", err))
			return profile{}, time.Minute
		}
		return profileOf(u), a.opts.UserTTL
	})
	if p.name != "" {
		ev.UserName = p.name
	}
	if p.email != "" {
		ev.Email, ev.EmailVerified = p.email, p.emailVerified
	}
	if p.tz != "" {
		ev.TimeZone = p.tz
	}
}

// profileOf is what Slack says of a person. Only an address Slack has
// confirmed may join their account to the same person's account on
// another platform.
func profileOf(u *slackapi.User) profile {
	p := profile{name: u.Profile.DisplayName, email: u.Profile.Email, emailVerified: u.IsEmailConfirmed, tz: u.TZ}
	for _, n := range []string{u.RealName, u.Profile.RealName, u.Name} {
		if p.name == "" {
			p.name = n
		}
	}
	return p
}
