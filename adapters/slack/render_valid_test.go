package slack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkRendering fails when what Slack would receive breaks a Block Kit
// limit (https://docs.slack.dev/reference/block-kit/blocks, and the
// msg_blocks_too_long ceiling MaxMessageText stays under), or when text
// could mention, link or carry a control character.
func checkRendering(t *testing.T, r rendering) {
	t.Helper()
	for i, msg := range r.Messages {
		for _, p := range blockKitProblems(msg.r) {
			t.Errorf("message %d: %s", i+1, p)
		}
	}
	if r.Modal != nil {
		for _, p := range modalProblems(r.Modal) {
			t.Errorf("modal: %s", p)
		}
	}
}

// asJSON is v as the generic JSON Slack reads.
func asJSON(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{"error": err.Error()}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return map[string]any{"error": err.Error()}
	}
	return m
}

type limits struct{ problems []string }

func (l *limits) add(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// text checks a text object: its type, its length, and that mrkdwn holds
// no live entity; it returns the text's length.
func (l *limits) text(where string, v any, max int, plainOnly bool) int {
	o, ok := v.(map[string]any)
	if !ok {
		l.add("%s: no text object", where)
		return 0
	}
	s, _ := o["text"].(string)
	typ, _ := o["type"].(string)
	n := utf8.RuneCountInString(s)
	switch {
	case typ != "plain_text" && typ != "mrkdwn":
		l.add("%s: text type %q", where, typ)
	case plainOnly && typ != "plain_text":
		l.add("%s: must be plain_text", where)
	case s == "":
		l.add("%s: empty text", where)
	case n > max:
		l.add("%s: %d characters, at most %d", where, n, max)
	}
	if typ == "mrkdwn" {
		l.safe(where, s)
	} else {
		l.controls(where, s)
	}
	return n
}

// safe fails text that Slack would read as a mention, a link or a
// special command (<@U1>, <!channel>, <#C1>, <http://…>), or that holds a
// control character.
func (l *limits) safe(where, s string) {
	if strings.Contains(s, "<") {
		l.add("%s: an unescaped < in %q", where, s)
	}
	l.controls(where, s)
}

// controls fails text with a control character other than a line break
// (plain_text shows < as typed, so only these matter there).
func (l *limits) controls(where, s string) {
	for _, r := range s {
		if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e {
			l.add("%s: control character %U in %q", where, r, s)
		}
	}
}

func blockKitProblems(msg Rendered) []string {
	l := &limits{}
	if n := utf8.RuneCountInString(msg.Text); n > 40000 || n == 0 {
		l.add("fallback text of %d characters", n)
	}
	l.safe("fallback text", msg.Text)
	var wire struct {
		Blocks []map[string]any `json:"blocks"`
	}
	b, _ := json.Marshal(struct {
		Blocks any `json:"blocks"`
	}{msg.Blocks})
	if err := json.Unmarshal(b, &wire); err != nil {
		l.add("blocks: %v", err)
	}
	if len(wire.Blocks) == 0 || len(wire.Blocks) > MaxBlocks {
		l.add("%d blocks, between 1 and %d", len(wire.Blocks), MaxBlocks)
	}
	total := 0
	actionIDs := map[string]bool{}
	for i, blk := range wire.Blocks {
		where := fmt.Sprintf("block %d (%v)", i+1, blk["type"])
		switch blk["type"] {
		case "section":
			if blk["text"] == nil && blk["fields"] == nil {
				l.add("%s: neither text nor fields", where)
			}
			if blk["text"] != nil {
				total += l.text(where+" text", blk["text"], MaxSectionText, false)
			}
			fields, _ := blk["fields"].([]any)
			if len(fields) > maxFields {
				l.add("%s: %d fields, at most %d", where, len(fields), maxFields)
			}
			for j, f := range fields {
				total += l.text(fmt.Sprintf("%s field %d", where, j+1), f, maxFieldText, false)
			}
		case "header":
			total += l.text(where, blk["text"], maxHeaderText, true)
		case "context":
			els, _ := blk["elements"].([]any)
			if len(els) == 0 || len(els) > 10 {
				l.add("%s: %d elements, between 1 and 10", where, len(els))
			}
			for j, e := range els {
				total += l.text(fmt.Sprintf("%s element %d", where, j+1), e, MaxSectionText, false)
			}
		case "actions":
			els, _ := blk["elements"].([]any)
			if len(els) == 0 || len(els) > maxActionElements {
				l.add("%s: %d elements, between 1 and %d", where, len(els), maxActionElements)
			}
			for j, e := range els {
				e, _ := e.(map[string]any)
				w := fmt.Sprintf("%s button %d", where, j+1)
				total += l.text(w, e["text"], maxButtonText, true)
				id, _ := e["action_id"].(string)
				if id == "" || len(id) > maxBlockID || actionIDs[id] {
					l.add("%s: action_id %q missing, too long or not unique", w, id)
				}
				actionIDs[id] = true
				if v, _ := e["value"].(string); utf8.RuneCountInString(v) > maxButtonValue {
					l.add("%s: value of %d characters", w, len(v))
				}
				if raw, ok := e["url"].(string); ok {
					// A link button: an absolute address of at most 3,000 characters.
					if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(raw) > 3000 {
						l.add("%s: url %q", w, raw)
					}
				}
			}
		case "divider":
		default:
			l.add("%s: a block okrbot does not send", where)
		}
	}
	if total > MaxMessageText {
		l.add("%d characters of text in one message, at most %d", total, MaxMessageText)
	}
	return l.problems
}

func modalProblems(v any) []string {
	l := &limits{}
	m := asJSON(v)
	l.text("title", m["title"], maxTitle, true)
	l.text("submit", m["submit"], maxTitle, true)
	if md, _ := m["private_metadata"].(string); utf8.RuneCountInString(md) > maxMetadata {
		l.add("private_metadata of %d characters", len(md))
	}
	blocks, _ := m["blocks"].([]any)
	if len(blocks) == 0 || len(blocks) > maxViewBlocks {
		l.add("%d blocks, between 1 and %d", len(blocks), maxViewBlocks)
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		b, _ := b.(map[string]any)
		where := fmt.Sprintf("input %d", i+1)
		id, _ := b["block_id"].(string)
		if b["type"] != "input" || id == "" || len(id) > maxBlockID || ids[id] {
			l.add("%s: type %v, block_id %q (unique, at most %d)", where, b["type"], id, maxBlockID)
		}
		ids[id] = true
		l.text(where+" label", b["label"], maxLabel, true)
		if b["hint"] != nil {
			l.text(where+" hint", b["hint"], maxLabel, true)
		}
		el, _ := b["element"].(map[string]any)
		if el["placeholder"] != nil {
			l.text(where+" placeholder", el["placeholder"], maxPlaceholder, true)
		}
		if el["type"] == "static_select" {
			opts, _ := el["options"].([]any)
			if len(opts) == 0 || len(opts) > maxOptions {
				l.add("%s: %d options", where, len(opts))
			}
			for j, o := range opts {
				o, _ := o.(map[string]any)
				l.text(fmt.Sprintf("%s option %d", where, j+1), o["text"], maxOptionText, true)
				if v, _ := o["value"].(string); v == "" || len(v) > maxOptionValue {
					l.add("%s option %d: value %q (1 to %d characters)", where, j+1, v, maxOptionValue)
				}
			}
		}
	}
	return l.problems
}
