package report

import (
	"context"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/ladder"
)

// composeEscalation is the ladder's thread step (report/ladder): on the
// digest day, a reply in the team digest's thread naming who has not
// checked in.
func (e *Reports) composeEscalation(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	t, err := tx.Team(w.ID, it.Team)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team no longer exists"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	c, now, skip, err := e.digestCycle(tx, w.ID, it)
	if err != nil || skip != "" {
		return chat.Delivery{To: ChannelTo(t), Skip: skip}, err
	}
	start := okrcore.PeriodStart(teamSchedule(w, t).CheckIn.Cadence, now, teamLocation(tx, w.ID, t))
	return ladder.Thread(tx, t, c, it, start, now, thisPeriod(it.Period), NewNamer(tx, w.ID).User)
}
