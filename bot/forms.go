package bot

import (
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// A submitted form is checked whole before anything is stored. When an
// answer is refused, nothing is saved and the form goes back to the person
// with every answer as they typed it and the refused ones marked with the
// reason (chat.Input.Error), so that only those need fixing: Slack shows
// the reasons under the fields of the still-open modal, Teams re-renders
// the card, the terminal asks those questions again.

// fieldErrors collects the refused answers of a submitted form by input id,
// in the order found.
type fieldErrors struct {
	ids  []string
	msgs map[string]string
}

// add refuses the answer of input id; the first reason found is kept.
func (fe *fieldErrors) add(id, msg string) {
	if fe.msgs == nil {
		fe.msgs = map[string]string{}
	}
	if _, ok := fe.msgs[id]; ok {
		return
	}
	fe.ids = append(fe.ids, id)
	fe.msgs[id] = msg
}

func (fe *fieldErrors) empty() bool { return len(fe.ids) == 0 }

// formBack is the answer to a submission with refused answers: f (the form
// as it was sent, rebuilt) holding the submitted values, the refused inputs
// marked. A refused input that f does not show is named in the text only.
func formBack(f *chat.Form, values map[string]string, fe fieldErrors) chat.Message {
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

// formRefs reads the key results a form was built for from its state, in
// the form's order.
func formRefs(state string) []okrcore.Ref {
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

// formBackErr carries formBack's answer out of a store transaction, whose
// writes it undoes: a refusal found while recording (a rule of okrcore)
// saves none of the form.
type formBackErr struct{ m chat.Message }

func (f *formBackErr) Error() string { return f.m.Text }
