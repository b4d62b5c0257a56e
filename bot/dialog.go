package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A dialog is a conversation of several steps with one person: a guided
// check-in asks for one key result after another, a retrospective asks its
// statements and questions. Between two messages a dialog lives in the
// store's State space (keys in state.go), so that it survives a restart,
// and it expires when nobody answers for the dialog TTL. Forms and the
// grading form are one-step dialogs: their state travels in the form
// itself (Form.State) and comes back with the submission.
//
// Every dialog understands the same words for leaving it and for moving
// past a question, so that what works in one works in the other.

// dialogStopWords end a dialog.
var dialogStopWords = map[string]bool{"stop": true, "cancel": true, "quit": true, "exit": true, "end": true}

// dialogSkipWords move past the question being asked.
var dialogSkipWords = map[string]bool{"skip": true, "next": true, "pass": true, "-": true, "none": true, "n/a": true, "nothing": true}

// dialogWord is an answer reduced to the word it may be: lower case,
// without surrounding space or a closing full stop or exclamation mark.
func dialogWord(text string) string { return lower(strings.TrimRight(strings.TrimSpace(text), ".!")) }

// isStop reports whether an answer ends the dialog.
func isStop(text string) bool { return dialogStopWords[dialogWord(text)] }

// isSkip reports whether an answer moves past the question.
func isSkip(text string) bool { return dialogSkipWords[dialogWord(text)] }

// dialogState stores one kind of dialog of a person under its state key.
type dialogState[T any] struct {
	// key names the state of a person's dialog.
	key func(user okrcore.ID) string
	// what names the dialog in error messages.
	what string
	// usable reports whether a loaded dialog can go on; a damaged or
	// outdated one is forgotten rather than failing the conversation.
	usable func(*T) bool
}

// load reads a person's dialog; nil when there is none, it expired, or it
// is not usable.
func (s dialogState[T]) load(tx okrcore.Tx, ws string, user okrcore.ID) (*T, error) {
	b, err := tx.State(ws, s.key(user))
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := new(T)
	if err := json.Unmarshal(b, d); err != nil || (s.usable != nil && !s.usable(d)) {
		return nil, nil
	}
	return d, nil
}

// save keeps a person's dialog for the dialog TTL from the request's time.
func (s dialogState[T]) save(tx okrcore.Tx, req *request, d *T, ttl time.Duration) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode %s: %w", s.what, err)
	}
	return tx.PutState(req.ws, s.key(req.actor.ID), b, req.now.Add(ttl))
}

// end forgets a person's dialog; ending one that is gone is no error.
func (s dialogState[T]) end(tx okrcore.Tx, req *request) error {
	err := tx.DeleteState(req.ws, s.key(req.actor.ID))
	if okrcore.IsNotFound(err) {
		return nil
	}
	return err
}
