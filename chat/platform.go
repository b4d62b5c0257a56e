package chat

import (
	"context"
	"fmt"
	"time"
)

// RateLimitError is what an adapter returns when the platform answered 429:
// the message was not delivered and may be sent again after RetryAfter (0
// when the platform named no time). Conversation is true when the platform
// said the limit was the conversation's; otherwise the dispatcher takes it
// for the workspace's, pauses all its sends and cuts its pace.
type RateLimitError struct {
	RetryAfter   time.Duration
	Conversation bool
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// Pacing is how fast a platform lets the bot post: a rate per workspace (or
// tenant) and a minimum spacing per conversation. The adapter sets it from
// the platform's documentation and its configuration; the dispatcher
// starts at PerSecond and learns the rest from the platform's 429s.
type Pacing struct {
	// PerSecond is the workspace-wide rate to start at; 0 means unlimited.
	PerSecond float64
	// Ceiling is the most the dispatcher raises the rate to while sends
	// succeed; at or below PerSecond, the rate is only ever cut (on a
	// 429) and recovers to PerSecond.
	Ceiling float64
	// Burst is how many messages may go at once before the rate applies.
	Burst int
	// PerConversation is the least time between two messages to one
	// conversation; 0 means none.
	PerConversation time.Duration
}

// Pacer is an adapter that says how fast its platform lets the bot post,
// so that the dispatcher paces what it sends there.
type Pacer interface {
	Pacing() Pacing
}

// Sender posts messages proactively; adapters implement it.
type Sender interface {
	Send(ctx context.Context, to Conversation, m Message) (SentRef, error)
}

// Reconciler is an optional capability of a Sender: finding a message it
// already posted for an outbox key (Slack message metadata, for instance),
// so that a send interrupted by a crash is not repeated.
type Reconciler interface {
	FindSent(ctx context.Context, to Conversation, key string) (SentRef, bool, error)
}

// Delivery is what an outbox item sends and where; Skip, when set, says why
// the item is no longer needed (the person already checked in, owns
// nothing, skipped the week).
type Delivery struct {
	To      Conversation
	Message Message
	Skip    string
}

// Presence is a person's status on their chat platform as it shows it (an
// emoji such as ":palm_tree:", a text such as "On vacation"), with when it
// expires (zero: never).
type Presence struct {
	Emoji   string
	Text    string
	Expires time.Time
}

// StatusReader reads a person's chat status by their platform id, for an
// adapter whose platform has one (Slack's users.info).
type StatusReader interface {
	Presence(ctx context.Context, userID string) (Presence, error)
}
