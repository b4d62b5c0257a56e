package outbox

import (
	"context"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// presenceRead bounds the read of a chat status: a slow platform delays a
// nudge by this much at most, then the nudge goes as if it said nothing.
const presenceRead = 5 * time.Second

// held says why a person's nudge, reminder or grading prompt waits out
// their time away, a mute or the day's one reminder (okrcore/away.Hold),
// or "" when it goes. Where the workspace counts chat statuses, the
// person's is read first, outside any transaction, through the sender of
// their platform when it can tell one (chat.StatusReader: Slack's).
func (d *Dispatcher) held(ctx context.Context, it *okrcore.OutboxItem) (string, error) {
	switch it.Kind {
	case okrcore.OutboxCheckIn, okrcore.OutboxReminder, okrcore.OutboxGrading:
	default:
		return "", nil
	}
	var (
		u      *okrcore.User
		status *away.Status
		held   away.Held
		counts bool
	)
	hold := func(tx okrcore.Tx) error {
		var err error
		if u, err = tx.User(it.Workspace, it.User); err != nil {
			return err
		}
		s, err := away.SettingsOf(tx, it.Workspace)
		if err != nil {
			return err
		}
		if counts = s.SlackStatus; counts && status == nil {
			return nil // read the status, then decide
		}
		held, err = away.Hold(tx, it, status, d.now(), d.locs.Get(u.TimeZone))
		return err
	}
	err := d.store.View(ctx, hold)
	if okrcore.IsNotFound(err) {
		return "", nil // the composer says what became of the person
	}
	if err != nil || !counts || status != nil {
		return held.Reason, err
	}
	s := d.presence(ctx, u)
	status = &s
	err = d.store.View(ctx, hold)
	return held.Reason, err
}

// presence is the person's chat status on the platform their nudges go to;
// an empty one when it cannot be read (the nudge goes).
func (d *Dispatcher) presence(ctx context.Context, u *okrcore.User) away.Status {
	a := u.NudgeAccount()
	s, ok := d.router.senderFor(a.Platform, chat.Conversation{Direct: true, UserID: a.PlatformID})
	reader, can := s.(chat.StatusReader)
	if !ok || !can {
		return away.Status{}
	}
	ctx, cancel := context.WithTimeout(ctx, presenceRead)
	defer cancel()
	p, err := reader.Presence(ctx, a.PlatformID)
	if err != nil {
		d.log.DebugContext(ctx, "chat status not read; the nudge goes", "workspace", u.Workspace, "platform", a.Platform, "err", err)
		return away.Status{}
	}
	return away.Status{Emoji: p.Emoji, Text: p.Text, Expires: p.Expires}
}
