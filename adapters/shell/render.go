package shell

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
)

// barWidth is the width of a progress bar in characters.
const barWidth = 10

// Render turns a neutral message into terminal text and the buttons it
// offers, numbered in order.
func Render(m chat.Message) (string, []chat.Button) {
	var b strings.Builder
	var buttons []chat.Button
	if len(m.Blocks) == 0 && m.Text != "" {
		b.WriteString(chat.PlainText(m.Text) + "\n")
	}
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			fmt.Fprintf(&b, "== %s ==\n", chat.PlainText(x.Text))
		case chat.Section:
			if x.Text != "" {
				b.WriteString(chat.PlainText(x.Text) + "\n")
			}
			for _, f := range x.Fields {
				fmt.Fprintf(&b, "  %s: %s\n", chat.PlainText(f.Label), chat.PlainText(f.Value))
			}
		case chat.ProgressBar:
			fmt.Fprintf(&b, "%s%s %s %s %s", strings.Repeat("  ", x.Indent), Bar(x.Progress), chat.Percent(x.Progress), x.Ref, chat.PlainText(x.Label))
			if x.Status != chat.StatusNone {
				fmt.Fprintf(&b, " · %s", x.Status.Label())
			}
			if x.StatusNote != "" {
				fmt.Fprintf(&b, " · %s", chat.PlainText(x.StatusNote))
			}
			if x.Detail != "" {
				fmt.Fprintf(&b, " · %s", chat.PlainText(x.Detail))
			}
			b.WriteString("\n")
		case chat.Actions:
			var parts []string
			for _, btn := range x.Buttons {
				buttons = append(buttons, btn)
				parts = append(parts, fmt.Sprintf("[%d] %s", len(buttons), chat.PlainText(btn.Label)))
			}
			b.WriteString("  " + strings.Join(parts, "  ") + "\n")
		case chat.Context:
			b.WriteString("  " + chat.PlainText(x.Text) + "\n")
		case chat.Divider:
			b.WriteString("--\n")
		case chat.Image:
			// A terminal shows no picture: its words stand in for it,
			// unless the message says them already.
			if !x.InWords {
				b.WriteString("  " + chat.PlainText(x.Alt) + "\n")
			}
		}
	}
	if m.Link.URL != "" {
		fmt.Fprintf(&b, "  %s: %s\n", chat.PlainText(m.Link.Label), m.Link.URL)
	}
	return Escape(b.String()), buttons
}

// Bar draws a progress bar: [######----].
func Bar(p float64) string { return "[" + chat.Bar(p, barWidth, "#", "-") + "]" }
