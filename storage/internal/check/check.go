// Package check is what every okrcore.Store backend refuses, and how it
// says so, in one place: the stores must answer alike (the conformance
// suite holds them to it), so the rules they apply to a record before
// storing it are written once.
package check

import (
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// NotFound, Conflict and Invalid are a store's refusals: okrcore errors of
// their kind, with the operation that refused.
func NotFound(op, format string, args ...any) error {
	return refusal(okrcore.KindNotFound, op, format, args...)
}

func Conflict(op, format string, args ...any) error {
	return refusal(okrcore.KindConflict, op, format, args...)
}

func Invalid(op, format string, args ...any) error {
	return refusal(okrcore.KindInvalid, op, format, args...)
}

func refusal(kind okrcore.ErrorKind, op, format string, args ...any) error {
	e := okrcore.Errorf(kind, format, args...)
	e.Op = op
	return e
}

// MaxOutboxKey bounds an outbox item's key, well below bbolt's key size
// limit and any index's.
const MaxOutboxKey = 1024

// Outbox validates what every stored outbox item must have; an empty State
// passes (it means pending, see DefaultState).
func Outbox(op string, it *okrcore.OutboxItem) error {
	switch {
	case it == nil:
		return Invalid(op, "There is no scheduled message to save.")
	case it.Workspace == "":
		return Invalid(op, "The scheduled message has no workspace.")
	case it.Key == "":
		return Invalid(op, "The scheduled message has no key.")
	case len(it.Key) > MaxOutboxKey:
		return Invalid(op, "The scheduled message's key is %d bytes long; at most %d fit.", len(it.Key), MaxOutboxKey)
	case !utf8.ValidString(it.Key):
		// JSON would store it changed, and then it would not be its key.
		return Invalid(op, "The scheduled message's key %q is not UTF-8 text.", it.Key)
	case !it.Kind.Valid():
		return Invalid(op, "%q is not a kind of scheduled message.", it.Kind)
	case it.State != "" && !it.State.Valid():
		return Invalid(op, "%q is not a state of a scheduled message.", it.State)
	}
	return nil
}

// DefaultState sets an empty State to pending.
func DefaultState(it *okrcore.OutboxItem) {
	if it.State == "" {
		it.State = okrcore.OutboxPending
	}
}

// Objective refuses an objective aligned to two parents at once.
func Objective(o *okrcore.Objective) error {
	if o != nil && o.ParentKR != 0 && o.ParentObjective != 0 {
		return Invalid("put objective", "An objective aligns to one parent, not both %s and %s.",
			okrcore.Ref{Kind: okrcore.RefKeyResult, ID: o.ParentKR}, okrcore.Ref{Kind: okrcore.RefObjective, ID: o.ParentObjective})
	}
	return nil
}
