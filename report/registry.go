package report

import "github.com/okrbot/okrbot/okrcore"

// registry names the composer of every kind of scheduled message.
func (e *Reports) registry() map[okrcore.OutboxKind]composer {
	return map[okrcore.OutboxKind]composer{
		okrcore.OutboxCheckIn:       e.composeNudge,
		okrcore.OutboxReminder:      e.composeNudge,
		okrcore.OutboxDigest:        e.composeDigest,
		okrcore.OutboxManagerDigest: e.composeManagerDigest,
		okrcore.OutboxGrading:       e.composeGrading,
		okrcore.OutboxRetro:         e.composeRetro,
	}
}
