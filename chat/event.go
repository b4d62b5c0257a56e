package chat

import (
	"context"
	"time"
)

// EventKind says what happened on a platform.
type EventKind string

const (
	EventMessage    EventKind = "message"     // a message in a DM or a mention in a channel
	EventCommand    EventKind = "command"     // a slash command; Text holds its arguments
	EventButton     EventKind = "button"      // a button press; Value holds a command string
	EventFormSubmit EventKind = "form_submit" // a submitted form; FormID and Values
	EventHomeOpened EventKind = "home_opened"
	EventInstalled  EventKind = "installed"
	EventRemoved    EventKind = "removed"
)

// Event is a platform event translated by an adapter.
type Event struct {
	// ID identifies the delivery so that duplicates can be dropped; an
	// adapter sets it from the platform's event id.
	ID   string
	Kind EventKind
	At   time.Time

	// Who.
	Platform  string
	Workspace string
	UserID    string // the platform's user id
	UserName  string // a display name hint, used when the user is new
	Email     string
	// EmailVerified says the platform vouches for Email; only verified
	// addresses join accounts on two platforms into one person.
	EmailVerified bool
	TimeZone      string
	// Locale is the person's language and region as their client reports
	// it ("de-DE"), when the platform says (Teams does); the engine reads
	// numbers as it writes them ("1.000,5").
	Locale string

	// Where.
	Conversation Conversation

	Text   string
	Value  string
	FormID string
	// FormState echoes Form.State.
	FormState string
	Values    map[string]string
}

// Conversation is where an event happened or a message goes.
type Conversation struct {
	ID     string
	Thread string
	Direct bool
	// Ref is an opaque platform reference (a Teams conversation reference)
	// that the adapter needs to message this conversation later.
	Ref string
	// UserID is the platform user a direct conversation is with, for
	// platforms that must create the conversation before the first message.
	UserID string
	// Platform is the platform the conversation is on, for a workspace
	// served on several ("" for the workspace's own).
	Platform string
}

// Responder answers in the conversation an event came from.
type Responder interface {
	Respond(ctx context.Context, m Message) error
}

// Handler processes events.
type Handler interface {
	Handle(ctx context.Context, ev Event, r Responder)
}

// SentRef identifies a message an adapter sent, for later updates.
type SentRef struct {
	Conversation string
	ID           string
}

// Adapter connects the engine to a chat platform. What a platform does
// beyond posting travels in Message and the adapter handles it in Respond:
// a Form opens as a modal, a card or prompts, HomeChanged refreshes a home
// view where there is one. The few capabilities the rest of the program
// asks an adapter about are interfaces of their own: Pacer (how fast it
// may post) and Reconciler (finding a message sent before a crash).
type Adapter interface {
	// Run receives events until ctx ends, acknowledging the platform at
	// once and handing the work to h.
	Run(ctx context.Context, h Handler) error
	// Send posts a message proactively.
	Send(ctx context.Context, to Conversation, m Message) (SentRef, error)
}

// ResponderFunc adapts a function to Responder.
type ResponderFunc func(ctx context.Context, m Message) error

// Respond calls f.
func (f ResponderFunc) Respond(ctx context.Context, m Message) error { return f(ctx, m) }
