package teams

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/okrcore"
)

// CardContentType is the attachment content type of an Adaptive Card.
const CardContentType = "application/vnd.microsoft.card.adaptive"

// CardVersion is the Adaptive Card schema version used: the newest Teams
// renders on every client.
const CardVersion = "1.5"

// Card is an Adaptive Card as JSON-ready maps.
type Card = map[string]any

// RenderActivity turns a neutral message into an activity: plain text for a
// text-only message, an Adaptive Card otherwise (its Text as the summary
// shown in notifications).
func RenderActivity(m bot.Message) *Activity {
	a := &Activity{Type: "message"}
	if textOnly(m) {
		a.Text = markdown(m.Text)
		a.TextFormat = "markdown"
		return a
	}
	a.Summary = plainText(m.Text)
	a.Attachments = []schema.Attachment{{ContentType: CardContentType, Content: RenderCard(m)}}
	return a
}

// RenderCard renders the blocks of m, and its form if any, as an Adaptive
// Card 1.5.
func RenderCard(m bot.Message) Card {
	var body []any
	var actions []any
	separate := false
	add := func(el map[string]any) {
		if separate {
			el["separator"] = true
			el["spacing"] = "Medium"
			separate = false
		}
		body = append(body, el)
	}
	if len(m.Blocks) == 0 && m.Text != "" && m.Form == nil {
		add(textBlock(m.Text))
	}
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case bot.Header:
			tb := textBlock(x.Text)
			tb["size"], tb["weight"] = "Medium", "Bolder"
			add(tb)
		case bot.Section:
			if x.Text != "" {
				add(textBlock(x.Text))
			}
			if len(x.Fields) > 0 {
				facts := make([]any, 0, len(x.Fields))
				for _, f := range x.Fields {
					facts = append(facts, map[string]any{"title": plainText(f.Label), "value": markdown(f.Value)})
				}
				add(map[string]any{"type": "FactSet", "facts": facts})
			}
		case bot.ProgressBar:
			add(progressBlock(x))
		case bot.Actions:
			var acts []any
			for _, b := range x.Buttons {
				acts = append(acts, submitAction(b))
			}
			if len(acts) > 0 {
				add(map[string]any{"type": "ActionSet", "actions": acts})
			}
		case bot.Divider:
			separate = true
		case bot.Context:
			tb := textBlock(x.Text)
			tb["size"], tb["isSubtle"] = "Small", true
			add(tb)
		}
	}
	if f := m.Form; f != nil {
		if f.Title != "" {
			tb := textBlock(f.Title)
			tb["size"], tb["weight"] = "Medium", "Bolder"
			add(tb)
		}
		for _, in := range f.Inputs {
			for _, el := range formInput(in) {
				add(el)
			}
		}
		label := f.Submit
		if label == "" {
			label = "Submit"
		}
		actions = append(actions, map[string]any{"type": "Action.Submit", "title": label, "style": "positive",
			"data": map[string]any{"form_id": f.ID, "form_state": f.State}})
	}
	card := Card{
		"type":    "AdaptiveCard",
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": CardVersion,
		"body":    body,
		"msteams": map[string]any{"width": "Full"},
	}
	if body == nil {
		card["body"] = []any{}
	}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	return card
}

// textOnly reports whether m says nothing beyond its Text (as bot.Text
// builds it).
func textOnly(m bot.Message) bool {
	if m.Form != nil || m.Text == "" && len(m.Blocks) > 0 {
		return false
	}
	switch len(m.Blocks) {
	case 0:
		return true
	case 1:
		s, ok := m.Blocks[0].(bot.Section)
		return ok && len(s.Fields) == 0 && s.Text == m.Text
	}
	return false
}

func textBlock(s string) map[string]any {
	return map[string]any{"type": "TextBlock", "text": markdown(s), "wrap": true}
}

func submitAction(b bot.Button) map[string]any {
	a := map[string]any{"type": "Action.Submit", "title": plainText(b.Label), "data": map[string]any{"command": b.Value}}
	switch b.Style {
	case bot.StylePrimary:
		a["style"] = "positive"
	case bot.StyleDanger:
		a["style"] = "destructive"
	}
	return a
}

// barWidth is the width of a text progress bar in characters.
const barWidth = 10

// Bar draws a text progress bar: ▰▰▰▰▱▱▱▱▱▱.
func Bar(p float64) string {
	n := int(clamp01(p)*barWidth + 0.5)
	return strings.Repeat("▰", n) + strings.Repeat("▱", barWidth-n)
}

func progressBlock(x bot.ProgressBar) map[string]any {
	var b strings.Builder
	b.WriteString(strings.Repeat("\u2003", x.Indent))
	p := clamp01(x.Progress)
	b.WriteString(Bar(p) + " " + okrcore.Percent(p))
	if x.Ref != "" {
		b.WriteString(" **" + x.Ref + "**")
	}
	if x.Label != "" {
		b.WriteString(" " + markdown(x.Label))
	}
	if x.Status != okrcore.StatusNone {
		b.WriteString(" · " + x.Status.Label())
	}
	if x.Detail != "" {
		b.WriteString(" · " + markdown(x.Detail))
	}
	tb := map[string]any{"type": "TextBlock", "text": b.String(), "wrap": true, "spacing": "Small"}
	switch x.Status {
	case okrcore.StatusOnTrack:
		tb["color"] = "Good"
	case okrcore.StatusAtRisk:
		tb["color"] = "Warning"
	case okrcore.StatusOffTrack:
		tb["color"] = "Attention"
	}
	return tb
}

func formInput(in bot.Input) []map[string]any {
	el := map[string]any{"id": in.ID, "label": plainText(in.Label), "isRequired": !in.Optional}
	if !in.Optional {
		el["errorMessage"] = plainText(in.Label) + " is required"
	}
	if in.Placeholder != "" {
		el["placeholder"] = in.Placeholder
	}
	switch in.Kind {
	case bot.InputNumber:
		el["type"] = "Input.Number"
		if f, err := strconv.ParseFloat(in.Initial, 64); err == nil {
			el["value"] = f
		}
	case bot.InputSelect:
		el["type"] = "Input.ChoiceSet"
		el["style"] = "compact"
		choices := make([]any, 0, len(in.Options))
		for _, o := range in.Options {
			choices = append(choices, map[string]any{"title": plainText(o.Label), "value": o.Value})
		}
		el["choices"] = choices
		if in.Initial != "" {
			el["value"] = in.Initial
		}
	default:
		el["type"] = "Input.Text"
		if in.Kind == bot.InputMultiline {
			el["isMultiline"] = true
		}
		if in.Initial != "" {
			el["value"] = in.Initial
		}
	}
	out := []map[string]any{el}
	if in.Hint != "" {
		out = append(out, map[string]any{"type": "TextBlock", "text": markdown(in.Hint), "wrap": true, "size": "Small", "isSubtle": true, "spacing": "None"})
	}
	return out
}

var boldRe = regexp.MustCompile(`(^|[^*\w])\*([^*\n]+)\*($|[^*\w])`)

// markdown turns the engine's light markup (*bold*, _italic_, `code`)
// into the Markdown Teams renders (**bold**, _italic_, `code`).
func markdown(s string) string {
	// Twice, for adjacent matches sharing a boundary character.
	for range 2 {
		s = boldRe.ReplaceAllString(s, "$1**$2**$3")
	}
	return s
}

// plainText strips the markup, for places that render no Markdown.
func plainText(s string) string {
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
