package teams

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
)

// rosterTTL is how long the rosters read are used to look people up by
// address: long enough that one command naming many addresses (or a sync
// followed by lookups) reads them once, short enough that someone just
// added to a team is found a minute later.
const rosterTTL = time.Minute

// rosterCache is the rosters last read, indexed by address. Its zero
// value is empty.
type rosterCache struct {
	mu      sync.Mutex
	key     string // the conversations they are the rosters of
	expires time.Time
	byEmail map[string]chat.DirectoryPerson
}

// rostersKey names the set of conversations read, in order.
func rostersKey(in []chat.Conversation) string {
	var b strings.Builder
	for _, c := range in {
		b.WriteString(c.ID)
		b.WriteByte(0)
		b.WriteString(c.Ref)
		b.WriteByte(0)
	}
	return b.String()
}

// keep indexes the roster r of in, read at now.
func (c *rosterCache) keep(in []chat.Conversation, r chat.Roster, now time.Time) {
	idx := make(map[string]chat.DirectoryPerson, len(r.People))
	for _, p := range r.People {
		if k := strings.ToLower(strings.TrimSpace(p.Email)); k != "" {
			if _, dup := idx[k]; !dup {
				idx[k] = p // the first, as a search of the list finds
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.expires, c.byEmail = rostersKey(in), now.Add(rosterTTL), idx
}

// index is the rosters of in by address, if read within rosterTTL.
func (c *rosterCache) index(in []chat.Conversation, now time.Time) (map[string]chat.DirectoryPerson, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byEmail == nil || !now.Before(c.expires) || c.key != rostersKey(in) {
		return nil, false
	}
	return c.byEmail, true
}

// rosterPage is how many members one pagedmembers call asks for (Teams
// answers at most 500).
const rosterPage = 200

// PagedMembers returns one page of a conversation's (or a team's) roster
// and the continuation token of the next page, "" after the last.
func (c *Connector) PagedMembers(ctx context.Context, serviceURL, conversationID string, pageSize int, token string) ([]Member, string, error) {
	q := url.Values{"pageSize": {strconv.Itoa(pageSize)}}
	if token != "" {
		q.Set("continuationToken", token)
	}
	var page struct {
		ContinuationToken string   `json:"continuationToken"`
		Members           []Member `json:"members"`
	}
	path := "/v3/conversations/" + url.PathEscape(conversationID) + "/pagedmembers?" + q.Encode()
	if err := c.call(ctx, http.MethodGet, serviceURL, path, nil, &page); err != nil {
		return nil, "", err
	}
	return page.Members, page.ContinuationToken, nil
}

// People reads the rosters of the conversations in, the teams, channels
// and group chats the bot was added to, page after page, each person once.
// Teams has no directory a bot may read, so the listing is never
// complete: someone in none of these conversations is still there. A
// conversation the bot is no longer in (404, 403: it was removed while
// okrbot did not hear) is passed over; any other failed page fails the
// listing.
func (a *Adapter) People(ctx context.Context, in []chat.Conversation) (chat.Roster, error) {
	seen := map[string]bool{}
	var out []chat.DirectoryPerson
	rosters := 0
	for _, c := range in {
		serviceURL, conv, ok := a.rosterOf(c)
		if !ok {
			continue
		}
		rosters++
		for token := ""; ; {
			ms, next, err := a.conn.PagedMembers(ctx, serviceURL, conv, rosterPage, token)
			var ae *APIError
			if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden) {
				a.log.Warn("a conversation's roster is gone; passed over", "conversation", clip(conv), "status", ae.Status)
				break
			}
			if err != nil {
				return chat.Roster{}, err
			}
			for i := range ms {
				if p, ok := a.directoryPerson(&ms[i]); ok && !seen[p.ID] {
					seen[p.ID] = true
					out = append(out, p)
				}
			}
			if next == "" || next == token {
				break
			}
			token = next
		}
	}
	if rosters == 0 {
		return chat.Roster{}, chat.ErrNoRoster
	}
	a.log.Info("read the Teams rosters", "conversations", rosters, "people", len(out))
	r := chat.Roster{People: out}
	a.rosters.keep(in, r, a.opts.Now())
	return r, nil
}

// PersonByEmail finds the person with that address in the rosters of the
// conversations in: the Bot Connector looks nobody up by address. The
// rosters are read once for a minute of lookups (rosterTTL), not again for
// each address a command names.
func (a *Adapter) PersonByEmail(ctx context.Context, email string, in []chat.Conversation) (chat.DirectoryPerson, bool, error) {
	idx, ok := a.rosters.index(in, a.opts.Now())
	if !ok {
		if _, err := a.People(ctx, in); err != nil {
			return chat.DirectoryPerson{}, false, err
		}
		if idx, ok = a.rosters.index(in, a.opts.Now()); !ok {
			return chat.DirectoryPerson{}, false, nil
		}
	}
	key := strings.ToLower(strings.TrimSpace(email))
	if key == "" {
		return chat.DirectoryPerson{}, false, nil
	}
	p, found := idx[key]
	return p, found, nil
}

// rosterOf is where c's roster is read: its Bot Connector and
// conversation, from its stored reference. A 1:1 chat has no roster
// worth reading.
func (a *Adapter) rosterOf(c chat.Conversation) (serviceURL, conv string, ok bool) {
	if c.Direct || c.Ref == "" {
		return "", "", false
	}
	var ref schema.ConversationReference
	if err := json.Unmarshal([]byte(c.Ref), &ref); err != nil || ref.ServiceURL == "" {
		a.log.Warn("a stored conversation reference is unreadable; its roster is skipped", "conversation", clip(c.ID))
		return "", "", false
	}
	if ref.Conversation.ConversationType == "personal" {
		return "", "", false
	}
	conv = ref.Conversation.ID
	if conv == "" {
		conv = c.ID
	}
	return ref.ServiceURL, conv, conv != ""
}

// directoryPerson is a roster member as a directory person, by the id
// events carry (the Entra ID object id); bots and anonymous guests are
// nobody to place.
func (a *Adapter) directoryPerson(m *Member) (chat.DirectoryPerson, bool) {
	id := m.objectID()
	if id == "" {
		id = m.ID
	}
	if id == "" || strings.HasPrefix(m.ID, "28:") || strings.EqualFold(m.UserRole, "anonymous") {
		return chat.DirectoryPerson{}, false
	}
	name := strings.TrimSpace(m.Name)
	if name == "" {
		name = strings.TrimSpace(m.GivenName + " " + m.Surname)
	}
	email, verified := memberEmail(m, a.cfg.TenantID)
	return chat.DirectoryPerson{ID: id, Name: name, Email: email, EmailVerified: verified}, true
}
