package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// outboxEvent is the message metadata event type that tags scheduled
// messages with their outbox key.
const outboxEvent = "okrbot_outbox"

// APIError is a Slack Web API error, with a sentence for whoever can fix
// it when Slack's code has an obvious remedy.
type APIError struct {
	Method string
	Code   string // Slack's error code, such as not_in_channel
	Hint   string
}

// Advice is the sentence for whoever can fix the problem ("" when there is
// none); the engine can show it to an admin.
func (e *APIError) Advice() string { return e.Hint }

// Permanent reports whether sending again cannot help until someone acts
// (invites the bot, fixes the token or the channel).
func (e *APIError) Permanent() bool { return permanent[e.Code] }

var permanent = map[string]bool{
	"not_in_channel": true, "channel_not_found": true, "is_archived": true, "invalid_auth": true, "not_authed": true,
	"token_revoked": true, "account_inactive": true, "missing_scope": true, "user_not_found": true, "cannot_dm_bot": true,
	"msg_too_long": true, "invalid_blocks": true,
}

func (e *APIError) Error() string {
	s := "slack " + e.Method + ": " + e.Code
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

var hints = map[string]string{
	"not_in_channel":     "the bot is not a member of that channel; invite it there with /invite @okrbot",
	"channel_not_found":  "no such channel, or a private one the bot was not invited to (invite it with /invite @okrbot)",
	"is_archived":        "the channel is archived; choose another digest channel",
	"invalid_auth":       "SLACK_BOT_TOKEN is not valid; copy the Bot User OAuth Token again",
	"not_authed":         "no token was sent; set SLACK_BOT_TOKEN",
	"token_revoked":      "the app was uninstalled or its token revoked; reinstall it",
	"account_inactive":   "the app's token belongs to a deactivated account; reinstall the app",
	"missing_scope":      "the app lacks a permission; add the scopes of deploy/slack/manifest.yaml and reinstall",
	"expired_trigger_id": "the form could not be opened within Slack's 3 seconds",
	"user_not_found":     "no such Slack user",
	"cannot_dm_bot":      "bots cannot be messaged",
	"msg_too_long":       "the message is too long for Slack",
	"invalid_blocks":     "Slack refused the message layout",
}

// apiError maps slack-go's errors: a 429 (or Slack's "ratelimited") to
// *chat.RateLimitError, Slack's error codes to *APIError; others pass
// through wrapped with the method.
func (a *Adapter) apiError(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return &chat.RateLimitError{RetryAfter: rl.RetryAfter}
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests {
		return &chat.RateLimitError{RetryAfter: time.Second}
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		if se.Err == "ratelimited" {
			return &chat.RateLimitError{RetryAfter: time.Second}
		}
		e := &APIError{Method: method, Code: se.Err, Hint: hints[se.Err]}
		if se.Err == "missing_scope" && se.Needed != "" {
			e.Hint = "the app lacks the " + se.Needed + " scope; add it (see deploy/slack/manifest.yaml) and reinstall"
		}
		return e
	}
	return fmt.Errorf("slack %s: %w", method, err)
}

// Send posts a message proactively to to.ID: a channel, or a person's user
// id (Slack opens the DM, one call per message). A message with a Key is
// tagged with Slack message metadata so that FindSent can find it after a
// crash. A long message goes as several; the reference is to the first.
// A 429 is returned as *chat.RateLimitError.
func (a *Adapter) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	channel := channelID(to.ID)
	if channel == "" {
		channel = to.UserID
	}
	if channel == "" {
		return chat.SentRef{}, errors.New("slack: send: no conversation")
	}
	parts := Render(m)
	if len(parts) == 0 {
		return chat.SentRef{}, errors.New("slack: send: the message is empty")
	}
	var meta *slackapi.SlackMetadata
	if m.Key != "" {
		meta = &slackapi.SlackMetadata{EventType: outboxEvent, EventPayload: map[string]any{"key": m.Key}}
	}
	ch, ts, err := a.post(ctx, channel, to.Thread, parts[0], meta)
	if err != nil {
		return chat.SentRef{}, err
	}
	ref := chat.SentRef{Conversation: ch, ID: ts}
	// The first part is out: the rest must not make the dispatcher send
	// it again, so their rate limits are waited out here.
	for _, p := range parts[1:] {
		if _, _, err := a.postPatiently(ctx, ch, to.Thread, p); err != nil {
			return ref, fmt.Errorf("slack: send: the message went out in part only: %w", err)
		}
	}
	a.shareImages(ctx, ref, chat.Images(m.Blocks))
	return ref, nil
}

// post sends one rendered message with chat.postMessage and returns the
// channel (a DM's D… id when posted to a user id) and timestamp.
func (a *Adapter) post(ctx context.Context, channel, thread string, r Rendered, meta *slackapi.SlackMetadata) (string, string, error) {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(r.Text, false), slackapi.MsgOptionBlocks(r.Blocks...)}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	if meta != nil {
		opts = append(opts, slackapi.MsgOptionMetadata(*meta))
	}
	ch, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", "", a.apiError("chat.postMessage", err)
	}
	if ch == "" {
		ch = channel
	}
	return ch, ts, nil
}

// postPatiently posts, waiting out up to three rate limits.
func (a *Adapter) postPatiently(ctx context.Context, channel, thread string, r Rendered) (string, string, error) {
	for attempt := 0; ; attempt++ {
		ch, ts, err := a.post(ctx, channel, thread, r, nil)
		var rl *chat.RateLimitError
		if !errors.As(err, &rl) || attempt == 3 {
			return ch, ts, err
		}
		if err := kit.Sleep(ctx, max(rl.RetryAfter, time.Second)); err != nil {
			return "", "", err
		}
	}
}

// FindSent looks for a message the bot posted with an outbox key, in the
// recent history of a direct conversation (conversations.history with
// metadata; a user id is first turned into the DM's channel with
// conversations.open, which only this rare path needs). Channels are not
// searched: that would need the channels:history scope.
func (a *Adapter) FindSent(ctx context.Context, to chat.Conversation, key string) (chat.SentRef, bool, error) {
	channel := channelID(to.ID)
	if channel == "" {
		channel = to.UserID
	}
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		c, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
		if err != nil {
			return chat.SentRef{}, false, a.apiError("conversations.open", err)
		}
		channel = c.ID
	}
	if !strings.HasPrefix(channel, "D") {
		return chat.SentRef{}, false, nil
	}
	cursor := ""
	for page := 0; page < 3; page++ {
		res, err := a.api.GetConversationHistoryContext(ctx, &slackapi.GetConversationHistoryParameters{
			ChannelID: channel, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
		if err != nil {
			return chat.SentRef{}, false, a.apiError("conversations.history", err)
		}
		for _, msg := range res.Messages {
			if msg.Metadata.EventType == outboxEvent && fmt.Sprint(msg.Metadata.EventPayload["key"]) == key {
				return chat.SentRef{Conversation: channel, ID: msg.Timestamp}, true, nil
			}
		}
		cursor = res.ResponseMetaData.NextCursor
		if !res.HasMore || cursor == "" {
			break
		}
	}
	return chat.SentRef{}, false, nil
}

// Update replaces a message the bot sent (chat.update). A message too long
// for one Slack message is shortened.
func (a *Adapter) Update(ctx context.Context, ref chat.SentRef, m chat.Message) error {
	parts := Render(m)
	if len(parts) == 0 {
		return errors.New("slack: update: the message is empty")
	}
	r := parts[0]
	if len(parts) > 1 {
		r.Blocks = append(r.Blocks[:MaxBlocks-1:MaxBlocks-1], slackapi.NewContextBlock("", mrkdwn("…shortened to fit one message.")))
	}
	_, _, _, err := a.api.UpdateMessageContext(ctx, ref.Conversation, ref.ID,
		slackapi.MsgOptionText(r.Text, false), slackapi.MsgOptionBlocks(r.Blocks...))
	return a.apiError("chat.update", err)
}

// OpenForm opens a form as a modal (views.open). The trigger id comes with
// a slash command or a button press and lasts 3 seconds. channel is where
// the answer to the submission goes.
func (a *Adapter) OpenForm(ctx context.Context, triggerID string, f *chat.Form, channel string) error {
	return a.openForm(ctx, triggerID, f, formMeta{Channel: channel})
}

func (a *Adapter) openForm(ctx context.Context, triggerID string, f *chat.Form, meta formMeta) error {
	if triggerID == "" {
		return errors.New("slack: a form needs a trigger id (from a slash command or a button)")
	}
	v, err := renderForm(f, meta)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	_, err = a.api.OpenViewContext(ctx, triggerID, v)
	return a.apiError("views.open", err)
}

// channelID turns a channel as people typed it in Slack — a mention such as
// <#C0SALES|sales>, which is how /okr team channel receives it — into the
// id the Web API takes. Anything else passes through.
func channelID(s string) string {
	if strings.HasPrefix(s, "<#") && strings.HasSuffix(s, ">") {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<#"), ">")
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	return s
}
