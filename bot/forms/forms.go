// Package forms is the machinery of the forms the conversation sends: the
// refused answers of a submission, the form sent back with them marked,
// the key results a form was built for, and the reading of a submitted
// check-in form into check-ins.
//
// A submitted form is checked whole before anything is stored. When an
// answer is refused, nothing is saved and the form goes back to the person
// with every answer as they typed it and the refused ones marked with the
// reason (chat.Input.Error), so that only those need fixing: Slack shows
// the reasons under the fields of the still-open modal, Teams re-renders
// the card, the terminal asks those questions again.
package forms

import (
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Errors collects the refused answers of a submitted form by input id, in
// the order found.
type Errors struct {
	ids  []string
	msgs map[string]string
}

// Add refuses the answer of input id; the first reason found is kept.
func (fe *Errors) Add(id, msg string) {
	if fe.msgs == nil {
		fe.msgs = map[string]string{}
	}
	if _, ok := fe.msgs[id]; ok {
		return
	}
	fe.ids = append(fe.ids, id)
	fe.msgs[id] = msg
}

// Empty reports whether every answer was taken.
func (fe *Errors) Empty() bool { return len(fe.ids) == 0 }

// Back is the answer to a submission with refused answers: f (the form as
// it was sent, rebuilt) holding the submitted values, the refused inputs
// marked. A refused input that f does not show is named in the text only.
func Back(f *chat.Form, values map[string]string, fe Errors) chat.Message {
	f.Refill(values)
	shown := map[string]bool{}
	for i, in := range f.Inputs {
		if msg, ok := fe.msgs[in.ID]; ok {
			f.Inputs[i].Error = msg
			shown[in.ID] = true
		}
	}
	var problems []string
	for _, id := range fe.ids {
		problems = append(problems, fe.msgs[id])
	}
	if len(shown) == 0 && len(f.Inputs) > 0 {
		// Nothing to mark (the input is no longer in the form): the first
		// input carries the reasons, so that every platform shows them.
		f.Inputs[0].Error = strings.Join(problems, " ")
	}
	answers := "Fix the marked answer and submit again; your other answers are kept."
	if len(fe.ids) > 1 {
		answers = "Fix the marked answers and submit again; your other answers are kept."
	}
	text := "Nothing was saved yet: " + strings.Join(problems, " ") + " " + answers
	return chat.Message{Text: text, Blocks: []chat.Block{chat.Section{Text: text}}, Form: f}
}

// Refs reads the key results a form was built for from its state, in the
// form's order.
func Refs(state string) []okrcore.Ref {
	var refs []okrcore.Ref
	seen := map[okrcore.ID]bool{}
	for _, s := range strings.Split(state, ",") {
		if r, ok := okrcore.ParseRef(strings.TrimSpace(s)); ok && r.Kind == okrcore.RefKeyResult && !seen[r.ID] {
			seen[r.ID] = true
			refs = append(refs, r)
		}
	}
	return refs
}

// BackErr carries Back's answer out of a store transaction, whose writes
// it undoes: a refusal found while recording (a rule of okrcore) saves
// none of the form.
type BackErr struct{ M chat.Message }

func (f *BackErr) Error() string { return f.M.Text }

// refusal is a sentence for the person about a form that cannot be read
// at all; it is a usage error to the conversation (it has Usage).
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

// Usage is the sentence to show.
func (r *refusal) Usage() string { return r.msg }
