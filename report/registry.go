package report

import (
	"context"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/cycleview"
)

// registry names the composer of every kind of scheduled message.
func (e *Reports) registry() map[okrcore.OutboxKind]composer {
	return map[okrcore.OutboxKind]composer{
		okrcore.OutboxCheckIn:       e.composeNudge,
		okrcore.OutboxReminder:      e.composeNudge,
		okrcore.OutboxDigest:        e.composeDigest,
		okrcore.OutboxManagerDigest: e.composeManagerDigest,
		okrcore.OutboxGrading:       e.composeGrading,
		okrcore.OutboxRetro:         e.composeRetro,
		okrcore.OutboxCarry: func(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
			return cycleview.Prompt(tx, w, it, e.directTo)
		},
		okrcore.OutboxFewKeyResults: e.composeFewKeyResults,
		okrcore.OutboxPlanning:      e.composePlanning,
		okrcore.OutboxEscalation:    e.composeEscalation, // the ladder's thread step (report/ladder)
	}
}
