package chat

import "github.com/okrbot/okrbot/okrcore"

// Message is the neutral rendering model. Each adapter renders it in its own
// way (Block Kit, Adaptive Card, terminal text); Text is the plain summary
// used for notifications and by adapters that render nothing richer.
//
// Text fields use a small markup every platform understands or can strip:
// *bold*, _italic_, `code` and line breaks; a line that starts with "• "
// is an item of a list. A person's text goes in through User, so that it
// never formats, links or mentions (see markup.go).
type Message struct {
	Text   string
	Blocks []Block
	// Ephemeral asks the adapter to show the answer to the asker only,
	// where the platform can.
	Ephemeral bool
	// Form, when set, asks the adapter to collect these inputs from the
	// person (a modal, a card, or prompts one after another) and to send
	// the answers back as an EventFormSubmit.
	Form *Form
	// HomeChanged says the person's own OKRs changed (a check-in was
	// recorded), so that an adapter with a home view refreshes it.
	HomeChanged bool
	// Key identifies a scheduled message (its outbox key), so that an
	// adapter can tag what it posts and find it again after a crash.
	Key string
	// Link, when its URL is set, is where the message's subject opens in
	// okrbot's web view (a digest's team page); renderers show it after
	// the blocks, as a link, never as a person's text.
	Link Link
}

// Link is an address okrbot made (never a person's text) and its label.
type Link struct{ Label, URL string }

// Block is one part of a message.
type Block interface{ isBlock() }

// Header is a title line.
type Header struct{ Text string }

// Section is a paragraph with optional label/value fields.
type Section struct {
	Text   string
	Fields []Field
}

// Field is a label and its value.
type Field struct{ Label, Value string }

// ProgressBar shows the progress of one item. Its texts are markup like
// every text of a message: a title, a name or a unit in them goes through
// User.
type ProgressBar struct {
	Ref      string // "KR12", for links and buttons
	Label    string
	Progress float64 // 0..1
	Status   okrcore.Status
	// StatusNote, shown right after Status, is what a person said when
	// progress says otherwise: "alice said on track on Nov 16".
	StatusNote string
	Detail     string // e.g. "$1.2M of $2M"
	Indent     int    // alignment depth in trees
}

// Actions is a row of buttons.
type Actions struct{ Buttons []Button }

// Button's Value is a command string: a click and a typed command take the
// same path through the engine.
type Button struct {
	Label string
	Value string
	Style ButtonStyle
	// ShowsForm, on a message that carries a Form, says this button asks
	// for it: a platform that can hold inputs in a message (a Teams card)
	// keeps the form behind this button, shown when it is pressed, and
	// sends no inputs with the other buttons; the others send Value as
	// for any button, and the bot answers with the form.
	ShowsForm bool
}

// ButtonStyle hints at a button's emphasis.
type ButtonStyle string

const (
	StyleDefault ButtonStyle = ""
	StylePrimary ButtonStyle = "primary"
	StyleDanger  ButtonStyle = "danger"
)

// Divider separates blocks.
type Divider struct{}

// Context is small print under a block.
type Context struct{ Text string }

func (Header) isBlock()      {}
func (Section) isBlock()     {}
func (ProgressBar) isBlock() {}
func (Actions) isBlock()     {}
func (Divider) isBlock()     {}
func (Context) isBlock()     {}

// Form is a set of inputs submitted together.
type Form struct {
	ID     string // names the form in the EventFormSubmit
	Title  string
	Submit string // the submit button's label
	Inputs []Input
	// State is opaque data echoed back on submit (for example the key
	// results the form was built for).
	State string
}

// InputKind is the type of a form input.
type InputKind string

const (
	InputText      InputKind = "text"
	InputMultiline InputKind = "multiline"
	InputNumber    InputKind = "number"
	InputSelect    InputKind = "select"
)

// Input is one question of a form.
type Input struct {
	ID          string
	Label       string
	Kind        InputKind
	Placeholder string
	Initial     string
	Hint        string
	Optional    bool
	Options     []Option
	// Error, when set, says why the answer submitted for this input (now
	// in Initial) was refused: the form comes back with every answer as
	// it was typed and this message next to the input, and nothing was
	// saved. An adapter shows it where the person fixes the answer (an
	// error under the field, or by asking this question again).
	Error string
}

// Invalid reports whether the form came back with refused answers (an
// input with an Error): an answer to a submission that saved nothing.
func (f *Form) Invalid() bool {
	if f == nil {
		return false
	}
	for _, in := range f.Inputs {
		if in.Error != "" {
			return true
		}
	}
	return false
}

// Errors returns the refused inputs' messages by input id.
func (f *Form) Errors() map[string]string {
	errs := map[string]string{}
	if f == nil {
		return errs
	}
	for _, in := range f.Inputs {
		if in.Error != "" {
			errs[in.ID] = in.Error
		}
	}
	return errs
}

// Refill sets each input's Initial to the answer submitted for it, so
// that a form sent back shows what the person typed. Inputs without an
// answer keep their Initial.
func (f *Form) Refill(values map[string]string) {
	for i, in := range f.Inputs {
		if v, ok := values[in.ID]; ok {
			f.Inputs[i].Initial = v
		}
	}
}

// Option is a choice of a select input.
type Option struct{ Label, Value string }

// Text builds a message of one paragraph.
func Text(s string) Message { return Message{Text: s, Blocks: []Block{Section{Text: s}}} }
