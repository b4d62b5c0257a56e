package teams

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
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
func RenderActivity(m chat.Message) *Activity {
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

// RenderCard renders the blocks of m, and its form if any, as one Adaptive
// Card 1.5, however large. RenderActivities splits what is too large for
// one message.
func RenderCard(m chat.Message) Card {
	return assembleCard(flatten(cardParts(m)), cardActions(m))
}

// cardActions are the actions at the foot of m's card: its form's Submit,
// unless the form waits behind a button.
func cardActions(m chat.Message) []any {
	if formBehindButton(m) {
		return nil
	}
	return formActions(m.Form)
}

// part is the card elements of one block of a message (or one piece of a
// long one): the unit a large message is split at.
type part struct {
	els []map[string]any
	// header marks a message's heading, repeated on the cards that
	// continue it.
	header bool
	// size is the JSON size of els, with separating commas.
	size int
}

// cardParts renders m's blocks and form inputs, one part per block; long
// text and long fact lists are cut into parts of at most pieceBytes.
func cardParts(m chat.Message) []part {
	var parts []part
	separate := false
	add := func(header bool, els ...map[string]any) {
		if len(els) == 0 {
			return
		}
		if separate {
			els[0]["separator"] = true
			els[0]["spacing"] = "Medium"
			separate = false
		}
		parts = append(parts, part{els: els, header: header})
	}
	addText := func(text string, style func(map[string]any)) {
		for i, piece := range cutText(markdown(text), pieceBytes) {
			tb := map[string]any{"type": "TextBlock", "text": piece, "wrap": true}
			if i > 0 {
				tb["spacing"] = "None"
			}
			if style != nil {
				style(tb)
			}
			add(false, tb)
		}
	}
	if len(m.Blocks) == 0 && m.Text != "" && m.Form == nil {
		addText(m.Text, nil)
	}
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			tb := textBlock(x.Text)
			tb["size"], tb["weight"] = "Medium", "Bolder"
			add(len(parts) == 0, tb)
		case chat.Section:
			if x.Text != "" {
				addText(x.Text, nil)
			}
			var facts []any
			size := 0
			flush := func() {
				if len(facts) > 0 {
					add(false, map[string]any{"type": "FactSet", "facts": facts})
				}
				facts, size = nil, 0
			}
			for _, f := range x.Fields {
				fact := map[string]any{"title": literal(plainText(f.Label)), "value": markdown(f.Value)}
				n := jsonSize(fact) + 1
				if size+n > pieceBytes {
					flush()
				}
				facts = append(facts, fact)
				size += n
			}
			flush()
		case chat.ProgressBar:
			add(false, progressBlock(x))
		case chat.Actions:
			var acts []any
			for _, b := range x.Buttons {
				if b.ShowsForm && m.Form != nil {
					acts = append(acts, showFormAction(b, m.Form))
					continue
				}
				acts = append(acts, submitAction(b))
			}
			if len(acts) > 0 {
				add(false, map[string]any{"type": "ActionSet", "actions": acts})
			}
		case chat.Divider:
			separate = true
		case chat.Context:
			addText(x.Text, func(tb map[string]any) { tb["size"], tb["isSubtle"] = "Small", true })
		case chat.Image:
			if el := inlineImage(x); el != nil {
				add(false, el)
			} else if !x.InWords {
				addText(x.Alt, func(tb map[string]any) { tb["size"], tb["isSubtle"] = "Small", true })
			}
		}
	}
	if f := m.Form; f != nil && !formBehindButton(m) {
		if f.Title != "" {
			tb := textBlock(f.Title)
			tb["size"], tb["weight"] = "Medium", "Bolder"
			add(false, tb)
		}
		for _, in := range f.Inputs {
			add(false, formInput(in)...)
		}
	}
	if m.Link.URL != "" {
		add(false, map[string]any{"type": "ActionSet", "actions": []any{
			map[string]any{"type": "Action.OpenUrl", "title": plainText(m.Link.Label), "url": m.Link.URL}}})
	}
	for i := range parts {
		for _, el := range parts[i].els {
			parts[i].size += jsonSize(el) + 1
		}
	}
	return parts
}

// formBehindButton reports whether m's form waits behind one of its
// buttons (Button.ShowsForm) instead of filling the card.
func formBehindButton(m chat.Message) bool {
	if m.Form == nil {
		return false
	}
	for _, blk := range m.Blocks {
		if a, ok := blk.(chat.Actions); ok {
			for _, b := range a.Buttons {
				if b.ShowsForm {
					return true
				}
			}
		}
	}
	return false
}

// showFormAction is the button that unfolds m's form. An Action.ShowCard
// rather than a new card: the nudge stays the summary and its three
// buttons until someone presses Update, the form opens in place with no
// round trip to the bot (a new card would be a second message to scroll
// past, and would leave the nudge's buttons live above it), and its
// Submit answers the nudge itself, which the adapter replaces with the
// confirmation. The other buttons send no inputs (associatedInputs
// "none", see submitAction).
func showFormAction(b chat.Button, f *chat.Form) map[string]any {
	var body []any
	for _, in := range f.Inputs {
		for _, el := range formInput(in) {
			body = append(body, el)
		}
	}
	card := map[string]any{"type": "AdaptiveCard", "version": CardVersion, "body": body, "actions": formActions(f)}
	if body == nil {
		card["body"] = []any{}
	}
	a := map[string]any{"type": "Action.ShowCard", "title": plainText(b.Label), "card": card}
	if b.Style == chat.StylePrimary {
		a["style"] = "positive"
	}
	return a
}

func formActions(f *chat.Form) []any {
	if f == nil {
		return nil
	}
	label := f.Submit
	if label == "" {
		label = "Submit"
	}
	return []any{map[string]any{"type": "Action.Submit", "title": label, "style": "positive",
		"data": map[string]any{"form_id": f.ID, "form_state": f.State}}}
}

func flatten(parts []part) []any {
	var body []any
	for _, p := range parts {
		for _, el := range p.els {
			body = append(body, el)
		}
	}
	return body
}

func assembleCard(body, actions []any) Card {
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

// MaxActivityBytes is the most JSON one rendered activity may take. Teams
// refuses messages over about 28 KB (the whole activity, as posted); this
// leaves room for what the Bot Connector adds.
const MaxActivityBytes = 26 * 1024

// pieceBytes is the most a piece of one long text or fact list takes, so
// that a few of them share a card.
const pieceBytes = 8 * 1024

// RenderActivities renders m as one activity, or, when that would exceed
// MaxActivityBytes (a digest of many objectives), as several that split it
// between blocks: each continuation card repeats the message's header
// marked "(continued)", and a form's inputs and Submit end the last one.
func RenderActivities(m chat.Message) []*Activity {
	one := RenderActivity(m)
	if jsonSize(one) <= MaxActivityBytes {
		return []*Activity{one}
	}
	if textOnly(m) {
		var out []*Activity
		for _, piece := range cutText(markdown(m.Text), MaxActivityBytes-512) {
			out = append(out, &Activity{Type: "message", Text: piece, TextFormat: "markdown"})
		}
		return out
	}
	summary := plainText(m.Text)
	actions := cardActions(m)
	// What a card costs besides its body: the envelope, the summary, the
	// form's Submit.
	overhead := jsonSize(&Activity{Type: "message", Summary: summary, Attachments: []schema.Attachment{{ContentType: CardContentType, Content: assembleCard([]any{}, actions)}}}) + 64
	budget := MaxActivityBytes - overhead
	parts := cardParts(m)
	var cont *part // the header repeated on continuation cards
	if len(parts) > 0 && parts[0].header {
		tb := map[string]any{}
		for k, v := range parts[0].els[0] {
			tb[k] = v
		}
		tb["text"] = tb["text"].(string) + " (continued)"
		cont = &part{els: []map[string]any{tb}, size: jsonSize(tb) + 1}
	}
	var cards [][]part
	var cur []part
	size := 0
	for _, p := range parts {
		if len(cur) > 0 && size+p.size > budget {
			cards = append(cards, cur)
			cur, size = nil, 0
			if cont != nil {
				cur, size = []part{*cont}, cont.size
			}
		}
		cur = append(cur, p)
		size += p.size
	}
	cards = append(cards, cur)
	out := make([]*Activity, 0, len(cards))
	for i, c := range cards {
		var acts []any
		if i == len(cards)-1 {
			acts = actions
		}
		out = append(out, &Activity{Type: "message", Summary: summary,
			Attachments: []schema.Attachment{{ContentType: CardContentType, Content: assembleCard(flatten(c), acts)}}})
	}
	return out
}

// cutText cuts s into pieces of at most max bytes, at line breaks where it
// can, else at spaces, else between runes.
func cutText(s string, max int) []string {
	var out []string
	for len(s) > max {
		cut := strings.LastIndexByte(s[:max], '\n')
		if cut <= 0 {
			cut = strings.LastIndexByte(s[:max], ' ')
		}
		if cut <= 0 {
			cut = max
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimRight(s[:cut], "\n "))
		s = strings.TrimLeft(s[cut:], "\n ")
	}
	return append(out, s)
}

// jsonSize is the length of v as the Bot Connector client encodes it.
func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// textOnly reports whether m says nothing beyond its Text (as chat.Text
// builds it).
func textOnly(m chat.Message) bool {
	if m.Form != nil || m.Text == "" && len(m.Blocks) > 0 {
		return false
	}
	switch len(m.Blocks) {
	case 0:
		return true
	case 1:
		s, ok := m.Blocks[0].(chat.Section)
		return ok && len(s.Fields) == 0 && s.Text == m.Text
	}
	return false
}

func textBlock(s string) map[string]any {
	return map[string]any{"type": "TextBlock", "text": markdown(s), "wrap": true}
}

func submitAction(b chat.Button) map[string]any {
	// A button says a command: it sends none of the card's inputs, so
	// "No change" never carries what was typed into a form beside it.
	a := map[string]any{"type": "Action.Submit", "title": plainText(b.Label), "data": map[string]any{"command": b.Value},
		"associatedInputs": "none"}
	switch b.Style {
	case chat.StylePrimary:
		a["style"] = "positive"
	case chat.StyleDanger:
		a["style"] = "destructive"
	}
	return a
}

// noneValue stands for an empty choice value ("Keep as is"), which Adaptive
// Cards refuse; translate reads it back as empty.
const noneValue = "okr:none"

func choiceValue(v string) string {
	if v == "" {
		return noneValue
	}
	return v
}

// barWidth is the width of a text progress bar in characters.
const barWidth = 10

// Bar draws a text progress bar: ▰▰▰▰▱▱▱▱▱▱.
func Bar(p float64) string { return chat.Bar(p, barWidth, "▰", "▱") }

func progressBlock(x chat.ProgressBar) map[string]any {
	var b strings.Builder
	b.WriteString(strings.Repeat("\u2003", x.Indent))
	b.WriteString(Bar(x.Progress) + " " + chat.Percent(x.Progress))
	if x.Ref != "" {
		b.WriteString(" **" + markdown(x.Ref) + "**")
	}
	if x.Label != "" {
		b.WriteString(" " + markdown(x.Label))
	}
	if x.Status != chat.StatusNone {
		b.WriteString(" · " + x.Status.Label())
	}
	if x.StatusNote != "" {
		b.WriteString(" · " + markdown(x.StatusNote))
	}
	if x.Detail != "" {
		b.WriteString(" · " + markdown(x.Detail))
	}
	tb := map[string]any{"type": "TextBlock", "text": b.String(), "wrap": true, "spacing": "Small"}
	switch x.Status {
	case chat.StatusOnTrack:
		tb["color"] = "Good"
	case chat.StatusAtRisk:
		tb["color"] = "Warning"
	case chat.StatusOffTrack:
		tb["color"] = "Attention"
	}
	return tb
}

func formInput(in chat.Input) []map[string]any {
	el := map[string]any{"id": in.ID, "label": plainText(in.Label), "isRequired": !in.Optional}
	if !in.Optional {
		el["errorMessage"] = plainText(in.Label) + " is required"
	}
	if in.Placeholder != "" {
		el["placeholder"] = plainText(in.Placeholder)
	}
	switch in.Kind {
	case chat.InputNumber:
		el["type"] = "Input.Number"
		if f, err := strconv.ParseFloat(in.Initial, 64); err == nil {
			el["value"] = f
		}
	case chat.InputSelect:
		el["type"] = "Input.ChoiceSet"
		el["style"] = "compact"
		choices := make([]any, 0, len(in.Options))
		for _, o := range in.Options {
			title := plainText(o.Label)
			if strings.TrimSpace(title) == "" {
				title = o.Value
			}
			choices = append(choices, map[string]any{"title": title, "value": choiceValue(o.Value)})
		}
		el["choices"] = choices
		for _, o := range in.Options {
			if o.Value == in.Initial {
				el["value"] = choiceValue(o.Value)
				break
			}
		}
	default:
		el["type"] = "Input.Text"
		if in.Kind == chat.InputMultiline {
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
	if in.Error != "" {
		// Why the answer (kept in the input) was refused, under it.
		out = append(out, map[string]any{"type": "TextBlock", "text": markdown(in.Error), "wrap": true, "size": "Small", "color": "Attention", "spacing": "None"})
	}
	return out
}

var (
	boldRe = regexp.MustCompile(`(^|[^*\w])\*([^*\n]+)\*($|[^*\w])`)
	codeRe = regexp.MustCompile("`([^`\n]+)`")
	// listItem is a line Teams' card markdown reads as an item of a list.
	listItem = regexp.MustCompile(`^(?:[-*+] |\d{1,9}[.)] )`)
)

// markdown renders the neutral markup as Teams' card Markdown, the subset a
// TextBlock supports (**bold**, _italic_, lists, links): the bot's *bold*
// becomes **bold**; its `code`, which Teams does not render (backticks
// show as typed), becomes bold; a "• " line becomes a list item; a person's
// text is escaped (literal). Teams joins lines that a single line break
// separates, outside lists, so each line break that does not separate two
// items of a list becomes a blank line.
func markdown(s string) string {
	s = chat.MapText(s, func(m string) string {
		// Twice, for adjacent matches sharing a boundary character.
		for range 2 {
			m = boldRe.ReplaceAllString(m, "$1**$2**$3")
		}
		m = codeRe.ReplaceAllString(m, "**$1**")
		return strings.ReplaceAll(m, "`", "")
	}, literal)
	s = lineStartRE.ReplaceAllString(s, zwsp+"$1")
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s) + len(lines))
	for i, line := range lines {
		if rest, ok := strings.CutPrefix(line, "• "); ok {
			line = "- " + rest
		}
		if i > 0 {
			b.WriteByte('\n')
			prev := lines[i-1]
			if line != "" && prev != "" && !(listItem.MatchString(line) && (listItem.MatchString(prev) || strings.HasPrefix(prev, "• "))) {
				b.WriteByte('\n')
			}
		}
		b.WriteString(line)
	}
	return b.String()
}

const zwsp = "\u200b"

// literalEscaper is read-only once built. Teams' card Markdown follows
// CommonMark, where a zero-width space does not stop emphasis (it is
// neither space nor punctuation), and not every Teams client reads a
// backslash escape; so each markup character from a person becomes its
// look-alike, which shows the same and formats on no client: * as ∗
// (U+2217), _ as ˍ (U+02CD), ~ as ∼ (U+223C), ` as ˋ (U+02CB). A zero-width
// space after [ and ] is enough for links, which need "](" unbroken, and
// after the colon of "://" and a domain's dot (which chat.User escapes)
// it keeps Teams from linking a URL or a domain.
// chat.MapText hands each escaped character over alone.
var literalEscaper = strings.NewReplacer(
	"*", "\u2217", "_", "\u02cd", "~", "\u223c", "`", "\u02cb",
	"[", "["+zwsp, "]", "]"+zwsp, ":", ":"+zwsp, ".", "."+zwsp,
)

// literal shows a person's text as typed.
func literal(s string) string { return literalEscaper.Replace(s) }

// lineStartRE finds a line that Teams would make a heading or a quote;
// okrbot writes neither.
var lineStartRE = regexp.MustCompile(`(?m)^(#{1,6} |>)`)

// plainText is the neutral markup as Teams shows text that is not
// Markdown (a button's title, a label, a choice): the bot's markup
// stripped, a person's text as typed, nothing that never reaches a
// platform.
func plainText(s string) string { return chat.Clean(chat.PlainText(s)) }
