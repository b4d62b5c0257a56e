package report

import (
	"context"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/coach"
	"github.com/okrbot/okrbot/report/cycleview"
)

// composeFewKeyResults warns an owner whose objective (the item's period)
// has been short of key results for a day (report/coach).
func (e *Reports) composeFewKeyResults(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	m, skip, err := coach.FewKeyResults(tx, w, it.Period, e.now())
	return chat.Delivery{To: e.directTo(u), Message: m, Skip: skip}, err
}

// composePlanning is a team's planning digest at its cycle's start.
func (e *Reports) composePlanning(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	t, err := tx.Team(w.ID, it.Team)
	if err != nil {
		return chat.Delivery{}, err
	}
	to, ok, err := e.teamTo(tx, w.ID, t)
	if err != nil || !ok {
		return chat.Delivery{Skip: "no channel and no lead"}, err
	}
	c, err := cycleview.OfPeriod(tx, w.ID, it.Period)
	if err != nil {
		return chat.Delivery{}, err
	}
	m, skip, err := coach.Planning(tx, w, t, c)
	return chat.Delivery{To: to, Message: m, Skip: skip}, err
}
