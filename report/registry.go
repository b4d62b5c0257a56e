package report

import (
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
		okrcore.OutboxCarry:         cycleview.Composer(cycleview.Prompt, e.directTo),
		okrcore.OutboxCycleStarted:  cycleview.Composer(cycleview.Started, e.directTo),
		okrcore.OutboxFewKeyResults: e.composeFewKeyResults,
		okrcore.OutboxPlanning:      e.composePlanning,
		okrcore.OutboxEscalation:    e.composeEscalation, // the ladder's thread step (report/ladder)
	}
}
