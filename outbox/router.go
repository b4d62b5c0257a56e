package outbox

import "github.com/okrbot/okrbot/chat"

// Router picks the sender a delivery leaves through. A process may serve
// several platforms at once, and one organisation's people may be on Slack
// and Teams: a conversation that names its platform leaves only through that
// platform's sender (a Teams conversation id means nothing to Slack); one
// that doesn't leaves through its workspace's platform, or through the only
// sender there is.
type Router struct {
	byPlatform map[string]chat.Sender
	// any, when set, sends for every platform: one adapter that serves
	// whatever it is handed (the terminal chat, a test's recorder).
	any chat.Sender
}

// Only routes every delivery to s, whatever its platform.
func Only(s chat.Sender) *Router { return &Router{any: s} }

// ByPlatform routes each delivery to the sender of its platform.
func ByPlatform(senders map[string]chat.Sender) *Router {
	m := make(map[string]chat.Sender, len(senders))
	for p, s := range senders {
		m[p] = s
	}
	return &Router{byPlatform: m}
}

// senderFor is the sender for platform p and conversation to.
func (r *Router) senderFor(p string, to chat.Conversation) (chat.Sender, bool) {
	if r.any != nil {
		return r.any, true
	}
	if s, ok := r.byPlatform[p]; ok {
		return s, true
	}
	if len(r.byPlatform) == 1 && to.Platform == "" {
		for _, s := range r.byPlatform {
			return s, true
		}
	}
	return nil, false
}

// serves reports whether a direct message on platform p can be sent.
func (r *Router) serves(p string) bool {
	if r.any != nil {
		return true
	}
	_, ok := r.byPlatform[p]
	return ok
}
