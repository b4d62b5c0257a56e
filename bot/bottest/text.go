package bottest

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Text flattens a message into lines (a button as "[Label=value]"), to check what a person reads on any platform.
func Text(m chat.Message) string { return flatten(m, false) }

// StatusText is Text with each bar's status ("KR9 Launch 0% [off_track]"), for tests of what is flagged at risk.
func StatusText(m chat.Message) string { return flatten(m, true) }

func flatten(m chat.Message, status bool) string {
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			b.WriteString(x.Text + "\n")
		case chat.Section:
			b.WriteString(x.Text + "\n")
			for _, f := range x.Fields {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case chat.ProgressBar:
			if status {
				fmt.Fprintf(&b, "%s %s %s [%s] %s\n", x.Ref, x.Label, okrcore.Percent(x.Progress), x.Status, x.Detail)
			} else {
				fmt.Fprintf(&b, "%s %s %s %s\n", x.Ref, x.Label, okrcore.Percent(x.Progress), x.Detail)
			}
		case chat.Actions:
			for _, btn := range x.Buttons {
				b.WriteString("[" + btn.Label + "=" + btn.Value + "] ")
			}
			b.WriteString("\n")
		case chat.Context:
			b.WriteString(x.Text + "\n")
		}
	}
	// A person's text reads as typed, without the marks of its voice.
	return chat.Unmarked(b.String())
}
