package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	// MaxBlocks is the most blocks a message may hold.
	MaxBlocks = 50
	// MaxSectionText is the longest text a section (or context) may hold.
	MaxSectionText = 3000
	// MaxMessageText is the most text, summed over every text object of
	// its blocks, that one message carries. Slack documents 40,000
	// characters for a message's text but refuses block messages far
	// below that with msg_blocks_too_long: reported at about 13,200
	// characters (slackapi/bolt-js#2509) and at 11,341 with container
	// overhead (#2867); 10,000 stays clear of both.
	MaxMessageText = 10000

	maxViewBlocks     = 100 // a modal or a Home tab
	maxFields         = 10
	maxFieldText      = 2000
	maxHeaderText     = 150
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxActionElements = 25
	maxFallbackText   = 3000
	maxTitle          = 24
	maxOptions        = 100
	maxOptionText     = 75
	maxOptionValue    = 150
	maxPlaceholder    = 150
	maxLabel          = 2000
	maxBlockID        = 255
	maxMetadata       = 3000
	maxAltText        = 2000 // an image block's alt_text
)

// actionPrefix starts the action_id of every button okrbot renders; a
// block_actions payload with any other action id is not ours.
const actionPrefix = "okr:btn:"

// linkAction is the action_id of the button that opens a message's Link.
const linkAction = "okr:link"

// formCallbackID marks the modals okrbot opens.
const formCallbackID = "okr:form"

// noneValue stands for an empty option value, which Slack refuses.
const noneValue = "okr:none"

// barWidth is the number of segments in a progress bar.
const barWidth = 10

// Rendered is one Slack message: Block Kit blocks and the plain text Slack
// shows in notifications.
type Rendered struct {
	Text   string
	Blocks []slackapi.Block
}

// piece is a rendered block and whether it belongs with the block after it
// (a header introduces what follows; it must not end a message).
type piece struct {
	block        slackapi.Block
	keepWithNext bool
	divider      bool
}

// TextChars is the text a block carries, in characters, as Slack counts a
// message's text against MaxMessageText.
func TextChars(b slackapi.Block) int {
	n := 0
	text := func(t *slackapi.TextBlockObject) {
		if t != nil {
			n += utf8.RuneCountInString(t.Text)
		}
	}
	switch x := b.(type) {
	case *slackapi.SectionBlock:
		text(x.Text)
		for _, f := range x.Fields {
			text(f)
		}
	case *slackapi.HeaderBlock:
		text(x.Text)
	case *slackapi.ContextBlock:
		for _, e := range x.ContextElements.Elements {
			if t, ok := e.(*slackapi.TextBlockObject); ok {
				text(t)
			}
		}
	case *slackapi.ActionBlock:
		for _, e := range x.Elements.ElementSet {
			if btn, ok := e.(*slackapi.ButtonBlockElement); ok {
				text(btn.Text)
			}
		}
	}
	return n
}

// Render turns a neutral message into one or more Slack messages within
// Block Kit's limits: a section's text is cut at paragraph, line or word
// boundaries into sections of at most MaxSectionText characters, and the
// blocks are packed into messages of at most MaxBlocks, never ending a
// message with a header or a divider. A message with neither text nor
// blocks (a form alone) renders as nothing.
func Render(m chat.Message) []Rendered {
	var pieces []piece
	buttons := 0
	blocks := m.Blocks
	if len(blocks) == 0 && strings.TrimSpace(m.Text) != "" {
		blocks = []chat.Block{chat.Section{Text: m.Text}}
	}
	for _, b := range blocks {
		pieces = append(pieces, renderBlock(b, &buttons)...)
	}
	if m.Link.URL != "" {
		// A button that opens okrbot's own address: its press reaches the
		// adapter as an action that is not a command (linkAction), and
		// nothing of a person's text can become a link.
		e := slackapi.NewButtonBlockElement(linkAction, "", plain(truncate(chat.PlainText(m.Link.Label), maxButtonText)))
		e.URL = m.Link.URL
		pieces = append(pieces, piece{block: slackapi.NewActionBlock("", e)})
	}
	chunks := pack(pieces, MaxBlocks, MaxMessageText)
	if len(chunks) == 0 {
		return nil
	}
	fallback := m.Text
	if strings.TrimSpace(fallback) == "" {
		fallback = firstText(blocks)
	}
	out := make([]Rendered, len(chunks))
	for i, c := range chunks {
		text := fallback
		if len(chunks) > 1 && i > 0 {
			text = fmt.Sprintf("%s (part %d of %d)", firstLine(fallback), i+1, len(chunks))
		}
		out[i] = Rendered{Text: truncate(escape(text), maxFallbackText), Blocks: c}
	}
	return out
}

// renderBlock renders one neutral block as zero or more Slack blocks.
func renderBlock(b chat.Block, buttons *int) []piece {
	switch x := b.(type) {
	case chat.Header:
		t := strings.TrimSpace(chat.PlainText(x.Text))
		if t == "" {
			return nil
		}
		return []piece{{block: slackapi.NewHeaderBlock(plain(truncate(t, maxHeaderText))), keepWithNext: true}}
	case chat.Section:
		return sectionPieces(x)
	case chat.ProgressBar:
		return []piece{{block: slackapi.NewSectionBlock(mrkdwn(truncate(progressText(x), MaxSectionText)), nil, nil)}}
	case chat.Actions:
		var out []piece
		var elems []slackapi.BlockElement
		flush := func() {
			if len(elems) > 0 {
				out = append(out, piece{block: slackapi.NewActionBlock("", elems...)})
				elems = nil
			}
		}
		for _, btn := range x.Buttons {
			if strings.TrimSpace(btn.Label) == "" {
				continue
			}
			*buttons++
			e := slackapi.NewButtonBlockElement(fmt.Sprintf("%s%d", actionPrefix, *buttons), truncate(btn.Value, maxButtonValue),
				plain(truncate(chat.PlainText(btn.Label), maxButtonText)))
			switch btn.Style {
			case chat.StylePrimary:
				e = e.WithStyle(slackapi.StylePrimary)
			case chat.StyleDanger:
				e = e.WithStyle(slackapi.StyleDanger)
			}
			elems = append(elems, e)
			if len(elems) == maxActionElements {
				flush()
			}
		}
		flush()
		return out
	case chat.Context:
		var out []piece
		for _, part := range splitText(escape(x.Text), MaxSectionText) {
			out = append(out, piece{block: slackapi.NewContextBlock("", mrkdwn(part))})
		}
		return out
	case chat.Divider:
		return []piece{{block: slackapi.NewDividerBlock(), divider: true}}
	case chat.Image:
		// The picture follows in the message's thread (upload.go); its
		// words stand in its place, unless the message says them already
		// (App Home shows it: home.go).
		if x.InWords {
			return nil
		}
		return renderBlock(chat.Context{Text: x.Alt}, buttons)
	}
	return nil
}

// sectionPieces renders a section: its text in parts of at most
// MaxSectionText characters, and its fields ten to a section.
func sectionPieces(s chat.Section) []piece {
	var out []piece
	for _, part := range splitText(escape(s.Text), MaxSectionText) {
		out = append(out, piece{block: slackapi.NewSectionBlock(mrkdwn(part), nil, nil)})
	}
	var fields []*slackapi.TextBlockObject
	for _, f := range s.Fields {
		t := escape(f.Value)
		if f.Label != "" {
			t = "*" + escape(f.Label) + "*\n" + t
		}
		if strings.TrimSpace(t) == "" {
			continue
		}
		fields = append(fields, mrkdwn(truncate(t, maxFieldText)))
	}
	for len(fields) > 0 {
		n := min(len(fields), maxFields)
		// The first group of fields joins the section's last text part.
		if len(out) > 0 && out[len(out)-1].block.(*slackapi.SectionBlock).Fields == nil {
			out[len(out)-1].block.(*slackapi.SectionBlock).Fields = fields[:n]
		} else {
			out = append(out, piece{block: slackapi.NewSectionBlock(nil, fields[:n], nil)})
		}
		fields = fields[n:]
	}
	return out
}

// pack groups pieces into messages of at most limit blocks and at most
// maxText characters of text. A message never starts or ends with a
// divider, and a header (keepWithNext) moves to the next message rather
// than end one.
func pack(pieces []piece, limit, maxText int) [][]slackapi.Block {
	var chunks [][]slackapi.Block
	var cur []piece
	chars := 0
	emit := func(ps []piece) {
		for len(ps) > 0 && ps[0].divider {
			ps = ps[1:]
		}
		for len(ps) > 0 && ps[len(ps)-1].divider {
			ps = ps[:len(ps)-1]
		}
		if len(ps) == 0 {
			return
		}
		blocks := make([]slackapi.Block, len(ps))
		for i, p := range ps {
			blocks[i] = p.block
		}
		chunks = append(chunks, blocks)
	}
	for _, p := range pieces {
		n := TextChars(p.block)
		if len(cur) == limit || len(cur) > 0 && chars+n > maxText {
			// Carry trailing headers (and dividers) over, as long as
			// something stays behind.
			cut := len(cur)
			for cut > 1 && (cur[cut-1].keepWithNext || cur[cut-1].divider) {
				cut--
			}
			carry := append([]piece(nil), cur[cut:]...)
			emit(cur[:cut])
			cur, chars = carry, 0
			for _, c := range carry {
				chars += TextChars(c.block)
			}
		}
		cur = append(cur, p)
		chars += n
	}
	emit(cur)
	return chunks
}

// progressText draws a progress bar as one line of mrkdwn:
// 🟡 `▰▰▰▰▱▱▱▱▱▱` 45%  *KR4* New customers, then the detail and status.
func progressText(p chat.ProgressBar) string {
	var b strings.Builder
	b.WriteString(strings.Repeat("\u2003", max(p.Indent, 0)*2))
	fmt.Fprintf(&b, "%s `%s` %s", statusEmoji(p.Status), Bar(p.Progress), chat.Percent(p.Progress))
	if p.Ref != "" {
		fmt.Fprintf(&b, "  *%s*", escape(p.Ref))
	}
	if p.Label != "" {
		b.WriteString(" " + escape(p.Label))
	}
	var detail []string
	if p.Detail != "" {
		detail = append(detail, escape(p.Detail))
	}
	if p.Status != chat.StatusNone {
		detail = append(detail, "_"+p.Status.Label()+"_")
	}
	if p.StatusNote != "" {
		detail = append(detail, escape(p.StatusNote))
	}
	if len(detail) > 0 {
		b.WriteString("\n" + strings.Repeat("\u2003", max(p.Indent, 0)*2) + strings.Join(detail, " · "))
	}
	return b.String()
}

// Bar draws a progress bar of ten segments: ▰▰▰▰▱▱▱▱▱▱.
func Bar(p float64) string { return chat.Bar(p, barWidth, "▰", "▱") }

func statusEmoji(s chat.Status) string {
	switch s {
	case chat.StatusOnTrack:
		return "🟢"
	case chat.StatusAtRisk:
		return "🟡"
	case chat.StatusOffTrack:
		return "🔴"
	case chat.StatusDone:
		return "✅"
	}
	return "⚪"
}

// formMeta is what a modal carries in private_metadata, so that its
// submission becomes a complete form event.
type formMeta struct {
	Form    string `json:"f"`
	State   string `json:"s,omitempty"`
	Channel string `json:"c,omitempty"`
	Thread  string `json:"t,omitempty"`
	// Message is the message whose button opened the form; a successful
	// submission replaces it with the answer.
	Message string `json:"m,omitempty"`
}

// renderForm turns a form into a modal. Each input is an input block whose
// block id is the input's id (ids must be unique, at most 255 characters;
// others are left out), holding a plain_text_input, number_input or
// static_select.
func renderForm(f *chat.Form, meta formMeta) (slackapi.ModalViewRequest, error) {
	meta.Form, meta.State = f.ID, f.State
	md, err := json.Marshal(meta)
	if err != nil {
		return slackapi.ModalViewRequest{}, fmt.Errorf("form %s: %w", f.ID, err)
	}
	if utf8.RuneCount(md) > maxMetadata {
		return slackapi.ModalViewRequest{}, fmt.Errorf("form %s: its state is %d characters; a Slack modal carries at most %d", f.ID, len(md), maxMetadata)
	}
	title := f.Title
	if strings.TrimSpace(title) == "" {
		title = "okrbot"
	}
	submit := f.Submit
	if strings.TrimSpace(submit) == "" {
		submit = "Submit"
	}
	v := slackapi.ModalViewRequest{
		Type:            slackapi.VTModal,
		Title:           plain(truncate(chat.PlainText(title), maxTitle)),
		Submit:          plain(truncate(chat.PlainText(submit), maxTitle)),
		Close:           plain("Cancel"),
		CallbackID:      formCallbackID,
		PrivateMetadata: string(md),
	}
	for _, in := range modalInputs(f) {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, inputBlock(in))
	}
	if len(v.Blocks.BlockSet) == 0 {
		return slackapi.ModalViewRequest{}, fmt.Errorf("form %s has no inputs Slack can show", f.ID)
	}
	return v, nil
}

// modalInputs are the inputs of f a modal shows, one input block each:
// those with a unique id of at most 255 characters, at most 100.
func modalInputs(f *chat.Form) []chat.Input {
	var out []chat.Input
	seen := map[string]bool{}
	for _, in := range f.Inputs {
		if in.ID == "" || len(in.ID) > maxBlockID || seen[in.ID] {
			continue
		}
		if len(out) == maxViewBlocks {
			break
		}
		seen[in.ID] = true
		out = append(out, in)
	}
	return out
}

// modalErrors is the response_action "errors" of a form sent back with
// refused answers: each reason under its input's block. Slack shows errors
// only under the modal's input blocks, so reasons for inputs it does not
// show go under the first one.
func modalErrors(f *chat.Form) map[string]string {
	shown := modalInputs(f)
	errs := map[string]string{}
	var rest []string
	for _, in := range f.Inputs {
		if in.Error == "" {
			continue
		}
		found := false
		for _, s := range shown {
			if s.ID == in.ID {
				found = true
				break
			}
		}
		if found {
			errs[in.ID] = truncate(chat.PlainText(in.Error), maxLabel)
		} else {
			rest = append(rest, chat.PlainText(in.Error))
		}
	}
	if len(rest) > 0 && len(shown) > 0 {
		first := shown[0].ID
		errs[first] = truncate(strings.TrimSpace(errs[first]+" "+strings.Join(rest, " ")), maxLabel)
	}
	return errs
}

// inputValue is the action id of every input element (block ids tell the
// inputs apart).
const inputValue = "value"

func inputBlock(in chat.Input) *slackapi.InputBlock {
	var placeholder *slackapi.TextBlockObject
	if in.Placeholder != "" {
		placeholder = plain(truncate(chat.PlainText(in.Placeholder), maxPlaceholder))
	}
	var el slackapi.BlockElement
	switch in.Kind {
	case chat.InputNumber:
		e := slackapi.NewNumberInputBlockElement(placeholder, inputValue, true)
		e.InitialValue = in.Initial
		el = e
	case chat.InputSelect:
		var opts []*slackapi.OptionBlockObject
		var initial *slackapi.OptionBlockObject
		for _, o := range in.Options {
			if len(opts) == maxOptions {
				break
			}
			val := o.Value
			if val == "" {
				val = noneValue
			}
			label := o.Label
			if strings.TrimSpace(label) == "" {
				label = o.Value
			}
			opt := slackapi.NewOptionBlockObject(truncate(val, maxOptionValue), plain(truncate(chat.PlainText(label), maxOptionText)), nil)
			opts = append(opts, opt)
			if initial == nil && o.Value == in.Initial {
				initial = opt
			}
		}
		e := slackapi.NewOptionsSelectBlockElement(slackapi.OptTypeStatic, placeholder, inputValue, opts...)
		e.InitialOption = initial
		el = e
	default:
		e := slackapi.NewPlainTextInputBlockElement(placeholder, inputValue)
		e.Multiline = in.Kind == chat.InputMultiline
		e.InitialValue = in.Initial
		el = e
	}
	label := in.Label
	if strings.TrimSpace(label) == "" {
		label = in.ID
	}
	var hint *slackapi.TextBlockObject
	if in.Hint != "" {
		hint = plain(truncate(chat.PlainText(in.Hint), maxLabel))
	}
	b := slackapi.NewInputBlock(in.ID, plain(truncate(chat.PlainText(label), maxLabel)), hint, el)
	b.Optional = in.Optional
	return b
}

// formValues reads a submitted modal's inputs by block id.
func formValues(st *slackapi.ViewState) map[string]string {
	vals := map[string]string{}
	if st == nil {
		return vals
	}
	for blockID, actions := range st.Values {
		for _, a := range actions {
			v := a.Value
			if a.Type == slackapi.ActionType(slackapi.OptTypeStatic) || a.SelectedOption.Value != "" {
				v = a.SelectedOption.Value
			}
			if v == noneValue {
				v = ""
			}
			vals[blockID] = v
		}
	}
	return vals
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, chat.Clean(s), true, false)
}

func mrkdwn(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, s, false, false)
}

// mrkdwnEscaper is read-only once built.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// literalEscaper is read-only once built. Slack's mrkdwn has no escape
// character: a *, _, ~ or ` formats only where it touches a word on one
// side and a boundary (a space, punctuation, the start or end) on the
// other, so a zero-width space on both sides of one from a person leaves
// it touching neither and it shows as typed. A backtick makes code even
// inside a word, so a person's becomes its look-alike ˋ (U+02CB).
// chat.MapText hands each escaped character over alone.
var literalEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", zwsp+"*"+zwsp, "_", zwsp+"_"+zwsp, "~", zwsp+"~"+zwsp, "`", "\u02cb",
	":", ":"+zwsp, ".", "."+zwsp,
)

const zwsp = "\u200b"

// escape renders the neutral markup for mrkdwn: the bot's *bold*, _italic_
// and `code` pass through (Slack writes them the same way); a person's
// text (chat.User) never formats. In all text &, < and > are escaped, so
// nothing becomes <@U123>, <!channel>, <#C1> or <http://x|y>; in a
// person's text a zero-width space after the colon of "://" and a
// domain's dot (which chat.User escapes) keeps Slack from linking a URL
// or a domain.
func escape(s string) string {
	return chat.MapText(s, mrkdwnEscaper.Replace, literalEscaper.Replace)
}

// truncate cuts s to at most n characters, ending with an ellipsis when it
// cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), isSpace) + "…"
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }

// splitText cuts text into parts of at most n characters, preferring
// paragraph breaks, then line breaks, then spaces; a part never ends inside
// an &amp;-style entity. Empty text yields no parts.
func splitText(s string, n int) []string {
	s = strings.TrimSpace(s)
	var parts []string
	for s != "" {
		if utf8.RuneCountInString(s) <= n {
			parts = append(parts, s)
			break
		}
		limit := byteOffset(s, n)
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(s[:limit], sep); i > limit/2 {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = limit
			if amp := strings.LastIndexByte(s[:cut], '&'); amp > 0 && amp > cut-6 && !strings.Contains(s[amp:cut], ";") {
				cut = amp
			}
		}
		parts = append(parts, strings.TrimRightFunc(s[:cut], isSpace))
		s = strings.TrimLeftFunc(s[cut:], isSpace)
	}
	return parts
}

// byteOffset is the byte offset of the n-th rune of s.
func byteOffset(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncate(s, 150)
}

// firstText finds a summary for notifications when the message has no Text.
func firstText(blocks []chat.Block) string {
	for _, b := range blocks {
		switch x := b.(type) {
		case chat.Header:
			return x.Text
		case chat.Section:
			if x.Text != "" {
				return x.Text
			}
		case chat.ProgressBar:
			return x.Ref + " " + x.Label
		}
	}
	return "okrbot"
}
