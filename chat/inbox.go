package chat

import "context"

// Inbox keeps the events a platform was told were received until they are
// handled, so that a process that dies in between handles them when it
// starts again: platforms do not resend what they saw acknowledged.
//
// An adapter records an event before it acknowledges it (a failed Record
// is a delivery refused, which the platform retries), says Done once its
// handler returned, or when the delivery was refused after all, and when
// its Run starts, handles what Pending lists for its platform before it
// takes new events. Events without an ID are not kept: they could not be
// told apart from a second delivery.
type Inbox interface {
	// Record keeps ev durably; when it returns nil, ev survives a crash,
	// unless the inbox judged that it needs no keeping (an event that
	// changes nothing stored, which the person asks again).
	Record(ctx context.Context, ev Event) error
	// Done says ev needs no more work.
	Done(ctx context.Context, ev Event) error
	// Pending lists the events recorded before this process started and
	// not done since, oldest first.
	Pending(ctx context.Context) ([]Event, error)
}

// InboxUser is an adapter that records what it acknowledges in an Inbox.
// UseInbox is called before Run.
type InboxUser interface {
	UseInbox(Inbox)
}
