package report

import (
	"context"
	"fmt"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
)

// composer builds the delivery of one kind of outbox item inside a read
// transaction.
type composer func(ctx context.Context, tx okrcore.Tx, ws *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error)

// Compose builds the message an outbox item sends. It reads the store as it
// is at send time, so a digest shows today's numbers and a nudge is skipped
// for someone who checked in since it was scheduled.
func (e *Reports) Compose(ctx context.Context, it *okrcore.OutboxItem) (chat.Delivery, error) {
	c, ok := e.composers[it.Kind]
	if !ok {
		return chat.Delivery{}, fmt.Errorf("compose outbox item %d: unknown kind %q", it.ID, it.Kind)
	}
	if it.Kind == okrcore.OutboxManagerDigest {
		if err := tally.FillUnder(ctx, e.store, it.Workspace, it.Team); err != nil { // it counts from the history instead
			e.log.Warn("the manager digest's check-in tally was not built", "item", it.ID, "err", err)
		}
	}
	var d chat.Delivery
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(it.Workspace)
		if err != nil {
			return err
		}
		if it.User != 0 { // scheduled before the person left the organisation?
			if u, err := tx.User(it.Workspace, it.User); err == nil && u.Left {
				d.Skip = "the person left"
				return nil
			}
		}
		d, err = c(ctx, tx, w, it)
		d.Message = wording.ForWorkspace(w).Message(d.Message) // in the workspace's own words
		if err == nil && !d.To.Direct && d.To.Ref == "" && d.To.ID != "" {
			// A channel's stored reference: some platforms post into a channel only through it.
			if b, err := tx.State(it.Workspace, ChannelRefKey(d.To.ID)); err == nil {
				d.To.Ref = string(b)
			}
		}
		return err
	})
	if okrcore.IsNotFound(err) && e.recipientGone(ctx, it) {
		// Its person or team is gone (an account folded into another by
		// `okr link`): no retry brings them back.
		return chat.Delivery{Skip: "its person or team is no longer in okrbot"}, nil
	}
	if err != nil {
		return chat.Delivery{}, fmt.Errorf("compose %s item %d: %w", it.Kind, it.ID, err)
	}
	d.Message.Key = it.Key
	if d.Skip == "" && (it.Kind == okrcore.OutboxDigest || it.Kind == okrcore.OutboxManagerDigest) {
		e.linkTeam(&d.Message, it.Team)
	}
	return d, nil
}

// recipientGone reports whether the person or team an item is for no
// longer exists; any other missing record is a problem to retry and report.
func (e *Reports) recipientGone(ctx context.Context, it *okrcore.OutboxItem) bool {
	gone := false
	_ = e.store.View(ctx, func(tx okrcore.Tx) error {
		switch {
		case it.User != 0:
			_, err := tx.User(it.Workspace, it.User)
			gone = okrcore.IsNotFound(err)
		case it.Team != 0:
			_, err := tx.Team(it.Workspace, it.Team)
			gone = okrcore.IsNotFound(err)
		}
		return nil
	})
	return gone
}

// teamTo is where a team's messages go: its digest channel, else its
// lead's direct messages; ok is false when it has neither. A lead who is
// gone is a NotFound error.
func (e *Reports) teamTo(tx okrcore.Tx, ws string, t *okrcore.Team) (to chat.Conversation, ok bool, err error) {
	switch {
	case t.DigestChannel != "":
		return ChannelTo(t), true, nil
	case t.Lead != 0:
		lead, err := tx.User(ws, t.Lead)
		if err != nil {
			return chat.Conversation{}, false, err
		}
		return e.directTo(lead), true, nil
	}
	return chat.Conversation{}, false, nil
}

// ChannelTo is the conversation of a team's digest channel, on the platform
// it was set from.
func ChannelTo(t *okrcore.Team) chat.Conversation {
	return chat.Conversation{ID: t.DigestChannel, Platform: t.DigestPlatform}
}
