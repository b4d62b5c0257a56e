package shell

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// barWidth is the width of a progress bar in characters.
const barWidth = 10

// Render turns a neutral message into terminal text and the buttons it
// offers, numbered in order.
func Render(m chat.Message) (string, []chat.Button) {
	var b strings.Builder
	var buttons []chat.Button
	if len(m.Blocks) == 0 && m.Text != "" {
		b.WriteString(plain(m.Text) + "\n")
	}
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			fmt.Fprintf(&b, "== %s ==\n", plain(x.Text))
		case chat.Section:
			if x.Text != "" {
				b.WriteString(plain(x.Text) + "\n")
			}
			for _, f := range x.Fields {
				fmt.Fprintf(&b, "  %s: %s\n", plain(f.Label), plain(f.Value))
			}
		case chat.ProgressBar:
			p := clamp01(x.Progress)
			fmt.Fprintf(&b, "%s%s %s %s %s", strings.Repeat("  ", x.Indent), Bar(p), okrcore.Percent(p), x.Ref, plain(x.Label))
			if x.Status != okrcore.StatusNone {
				fmt.Fprintf(&b, " · %s", x.Status.Label())
			}
			if x.Detail != "" {
				fmt.Fprintf(&b, " · %s", plain(x.Detail))
			}
			b.WriteString("\n")
		case chat.Actions:
			var parts []string
			for _, btn := range x.Buttons {
				buttons = append(buttons, btn)
				parts = append(parts, fmt.Sprintf("[%d] %s", len(buttons), btn.Label))
			}
			b.WriteString("  " + strings.Join(parts, "  ") + "\n")
		case chat.Context:
			b.WriteString("  " + plain(x.Text) + "\n")
		case chat.Divider:
			b.WriteString("--\n")
		}
	}
	return b.String(), buttons
}

// Bar draws a progress bar: [######----].
func Bar(p float64) string {
	n := int(clamp01(p)*barWidth + 0.5)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", barWidth-n) + "]"
}

// plain strips the light markup (*bold*, `code`) that chat platforms render.
func plain(s string) string {
	return strings.NewReplacer("*", "", "`", "").Replace(s)
}

func clamp01(p float64) float64 {
	switch {
	case p > 1:
		return 1
	case p >= 0:
		return p
	}
	return 0 // negative or NaN
}
