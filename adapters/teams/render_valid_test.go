package teams

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// MaxTeamsBytes is the most a message may take as Teams accepts it
// (about 28 KB, the whole activity).
const maxTeamsBytes = 28 * 1024

// activityProblems checks an activity against Adaptive Cards 1.5 as Teams
// applies it: the required properties of each element and action, choice
// sets whose choices have a title and a non-empty value, ids unique across
// the card and the cards its buttons show, Markdown that Teams renders
// (no backticks, headings, tables or code fences; no single line break
// outside a list, which Teams would join into one paragraph), buttons that
// say a command and send no inputs, and the size limit.
func activityProblems(a *Activity) []string {
	c := &cardCheck{ids: map[string]bool{}}
	if n := jsonSize(a); n > maxTeamsBytes {
		c.add("activity of %d bytes, at most %d", n, maxTeamsBytes)
	}
	if a.Text != "" {
		c.markdown("text", a.Text)
	}
	for i, att := range a.Attachments {
		if att.ContentType != CardContentType {
			c.add("attachment %d: content type %q", i+1, att.ContentType)
			continue
		}
		b, err := json.Marshal(att.Content)
		if err != nil {
			c.add("attachment %d: %v", i+1, err)
			continue
		}
		var card map[string]any
		if err := json.Unmarshal(b, &card); err != nil {
			c.add("attachment %d: %v", i+1, err)
			continue
		}
		c.card(fmt.Sprintf("card %d", i+1), card, true)
	}
	if a.Text == "" && len(a.Attachments) == 0 {
		c.add("an empty activity")
	}
	return c.problems
}

type cardCheck struct {
	problems []string
	ids      map[string]bool
}

func (c *cardCheck) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *cardCheck) card(where string, card map[string]any, root bool) {
	if card["type"] != "AdaptiveCard" {
		c.add("%s: type %v", where, card["type"])
	}
	if root && card["version"] != CardVersion {
		c.add("%s: version %v, want %s", where, card["version"], CardVersion)
	}
	body, ok := card["body"].([]any)
	if !ok {
		c.add("%s: no body", where)
	}
	for i, el := range body {
		c.element(fmt.Sprintf("%s body %d", where, i+1), el)
	}
	acts, _ := card["actions"].([]any)
	for i, a := range acts {
		c.action(fmt.Sprintf("%s action %d", where, i+1), a)
	}
}

// str is a required string property.
func (c *cardCheck) str(where string, m map[string]any, key string) string {
	s, ok := m[key].(string)
	if !ok || strings.TrimSpace(s) == "" {
		c.add("%s: %s is required", where, key)
	}
	return s
}

func (c *cardCheck) element(where string, v any) {
	el, ok := v.(map[string]any)
	if !ok {
		c.add("%s: not an object", where)
		return
	}
	typ, _ := el["type"].(string)
	where += " (" + typ + ")"
	if strings.HasPrefix(typ, "Input.") {
		id := c.str(where, el, "id")
		if c.ids[id] {
			c.add("%s: id %q is not unique", where, id)
		}
		c.ids[id] = true
		if el["label"] != nil {
			c.str(where, el, "label")
		}
		if req, _ := el["isRequired"].(bool); req {
			c.str(where, el, "errorMessage")
		}
	}
	switch typ {
	case "TextBlock":
		c.markdown(where, c.str(where, el, "text"))
	case "FactSet":
		facts, _ := el["facts"].([]any)
		if len(facts) == 0 {
			c.add("%s: facts are required", where)
		}
		for j, f := range facts {
			f, _ := f.(map[string]any)
			w := fmt.Sprintf("%s fact %d", where, j+1)
			c.markdown(w, c.str(w, f, "title"))
			c.markdown(w, c.str(w, f, "value"))
		}
	case "ActionSet":
		acts, _ := el["actions"].([]any)
		if len(acts) == 0 {
			c.add("%s: actions are required", where)
		}
		for j, a := range acts {
			c.action(fmt.Sprintf("%s action %d", where, j+1), a)
		}
	case "Input.ChoiceSet":
		choices, _ := el["choices"].([]any)
		if len(choices) == 0 {
			c.add("%s: choices are required", where)
		}
		values := map[string]bool{}
		for j, ch := range choices {
			ch, _ := ch.(map[string]any)
			w := fmt.Sprintf("%s choice %d", where, j+1)
			c.str(w, ch, "title")
			values[c.str(w, ch, "value")] = true
		}
		if v, ok := el["value"].(string); ok && !values[v] {
			c.add("%s: value %q is none of its choices", where, v)
		}
	case "Image":
		// A chart, inline (a PNG data: URI) or at the signed https address
		// okrbot serves it at, with its words.
		if u := c.str(where, el, "url"); !strings.HasPrefix(u, "data:image/png;base64,") && !strings.HasPrefix(u, "https://") {
			c.add("%s: an image okrbot sends is a PNG data: URI or an https address", where)
		}
		c.str(where, el, "altText")
	case "Input.Text", "Input.Number":
	default:
		c.add("%s: an element okrbot does not send", where)
	}
}

func (c *cardCheck) action(where string, v any) {
	a, ok := v.(map[string]any)
	if !ok {
		c.add("%s: not an object", where)
		return
	}
	typ, _ := a["type"].(string)
	where += " (" + typ + ")"
	c.str(where, a, "title")
	if s, ok := a["style"].(string); ok && s != "positive" && s != "destructive" && s != "default" {
		c.add("%s: style %q", where, s)
	}
	switch typ {
	case "Action.Submit":
		data, _ := a["data"].(map[string]any)
		if data == nil {
			c.add("%s: data is required to tell its press apart", where)
		}
		if _, cmd := data["command"]; cmd && a["associatedInputs"] != "none" {
			c.add("%s: a button sends the card's inputs (associatedInputs %v)", where, a["associatedInputs"])
		}
	case "Action.ShowCard":
		card, ok := a["card"].(map[string]any)
		if !ok {
			c.add("%s: card is required", where)
			return
		}
		c.card(where+" card", card, false)
	case "Action.OpenUrl":
		// Adaptive Cards require url, an absolute address.
		if u, err := url.Parse(c.str(where, a, "url")); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			c.add("%s: url must be an absolute http(s) address", where)
		}
	default:
		c.add("%s: an action okrbot does not send", where)
	}
}

var (
	// headingRE, tableRE and fenceRE are Markdown Teams' cards do not
	// render: they show as typed.
	headingRE = regexp.MustCompile(`(?m)^#{1,6} `)
	tableRE   = regexp.MustCompile(`(?m)^\|.*\|$`)
	listRE    = regexp.MustCompile(`^(?:[-*+] |\d{1,9}[.)] )`)
)

// markdown checks text a TextBlock renders: no backtick (Teams has no
// inline code), heading, table or fence, and no single line break
// between lines that are not both items of a list.
func (c *cardCheck) markdown(where, s string) {
	switch {
	case strings.Contains(s, "`"):
		c.add("%s: a backtick in %q", where, s)
	case headingRE.MatchString(s), tableRE.MatchString(s):
		c.add("%s: a heading or a table in %q", where, s)
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" && lines[i-1] != "" && !(listRE.MatchString(lines[i]) && listRE.MatchString(lines[i-1])) {
			c.add("%s: lines %d and %d would run together in %q", where, i, i+1, s)
			break
		}
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e {
			c.add("%s: control character %U in %q", where, r, s)
			break
		}
	}
}
