package okrcore

import (
	"slices"
	"time"
)

// OutboxKind is what a scheduled message is.
type OutboxKind string

const (
	OutboxCheckIn       OutboxKind = "checkin"
	OutboxReminder      OutboxKind = "reminder"
	OutboxDigest        OutboxKind = "digest"
	OutboxManagerDigest OutboxKind = "manager_digest"
	OutboxGrading       OutboxKind = "grading"
	OutboxRetro         OutboxKind = "retro"
	OutboxCarry         OutboxKind = "carry_over"      // what becomes of unfinished key results at a cycle's close
	OutboxFewKeyResults OutboxKind = "few_key_results" // an objective short of key results for a day
	OutboxPlanning      OutboxKind = "planning"        // a team's planning digest at a cycle's start
	// OutboxEscalation is the escalation ladder's reply in a team digest's
	// thread naming who has not checked in.
	OutboxEscalation   OutboxKind = "escalation"
	OutboxCycleStarted OutboxKind = "cycle_started" // an admin told that the schedule made a cycle current
)

// OutboxKinds lists every kind of scheduled message.
func OutboxKinds() []OutboxKind {
	return []OutboxKind{OutboxCheckIn, OutboxReminder, OutboxDigest, OutboxManagerDigest, OutboxGrading, OutboxRetro, OutboxCarry, OutboxFewKeyResults, OutboxPlanning, OutboxEscalation, OutboxCycleStarted}
}

// Valid reports whether k is a kind of scheduled message okrbot sends; a
// store refuses to keep any other.
func (k OutboxKind) Valid() bool { return slices.Contains(OutboxKinds(), k) }

// OutboxState is where a scheduled message is in its life.
type OutboxState string

const (
	// OutboxPending waits to be sent at or after DueAt.
	OutboxPending OutboxState = "pending"
	// OutboxSending was handed to a platform; after a crash it is
	// reconciled (or resent) when the bot starts again.
	OutboxSending OutboxState = "sending"
	OutboxSent    OutboxState = "sent"
	// OutboxSkipped was not needed when its time came (the person had
	// already checked in, or owns nothing to check in on).
	OutboxSkipped OutboxState = "skipped"
	OutboxFailed  OutboxState = "failed"
)

// Valid reports whether s is a state a scheduled message can be in.
func (s OutboxState) Valid() bool {
	switch s {
	case OutboxPending, OutboxSending, OutboxSent, OutboxSkipped, OutboxFailed:
		return true
	}
	return false
}

// Open reports whether the item still has to be sent.
func (s OutboxState) Open() bool { return s == OutboxPending || s == OutboxSending }

// OutboxItem is a nudge, reminder, digest or prompt, recorded before it is
// sent so that a crash loses nothing and sends nothing twice.
type OutboxItem struct {
	ID        ID     `json:"id"`
	Workspace string `json:"ws"`
	// Key is unique in the workspace and deterministic, such as
	// "checkin:u12:2026-W47" or "digest:t3:2026-W47": scheduling the
	// same occurrence twice finds the existing item.
	Key       string      `json:"key"`
	Kind      OutboxKind  `json:"kind"`
	User      ID          `json:"user,omitempty"`
	Team      ID          `json:"team,omitempty"`
	Period    string      `json:"period"`
	DueAt     time.Time   `json:"due_at"`
	State     OutboxState `json:"state"`
	Attempts  int         `json:"attempts,omitempty"`
	SentRef   string      `json:"sent_ref,omitempty"`
	SentAt    time.Time   `json:"sent_at,omitempty"`
	LastError string      `json:"last_error,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
}
