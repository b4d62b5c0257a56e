package teams

import (
	"encoding/json"
	"errors"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
)

// Platform is the platform name of events from Teams.
const Platform = "teams"

// inbound is an activity translated for the engine.
type inbound struct {
	act *schema.Activity
	ev  chat.Event
	// handle is false when the activity asks nothing of the engine.
	handle bool
	// invoke marks an adaptiveCard/action invoke, answered in the HTTP
	// response.
	invoke bool
	// unknown is set for a card action the bot does not know: it is
	// answered with this sentence and not processed.
	unknown string
}

const unknownAction = "Sorry, I don't know that card action. Type `okr help` to see what I can do."

// ActivityError is why ParseActivity refused a body: Body is the sentence
// for whoever posted it, which names no Go type; Error adds the decoder's
// detail, for the log.
type ActivityError struct {
	Body  string
	cause error
}

func (e *ActivityError) Error() string {
	if e.cause == nil {
		return "teams: " + e.Body
	}
	return "teams: " + e.Body + ": " + e.cause.Error()
}

func (e *ActivityError) Unwrap() error { return e.cause }

// ParseActivity decodes an activity posted to /api/messages and checks the
// fields every activity must have. Values the schema types would refuse
// that Teams is seen to send loosely typed (a bool as "True", a number as
// a string) are read as what they mean (see lenient.go).
func ParseActivity(body []byte) (*schema.Activity, error) {
	var a schema.Activity
	if err := json.Unmarshal(body, &a); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, &ActivityError{Body: "malformed activity: not JSON", cause: err}
		}
		if err := decodeLenient(body, &a); err != nil {
			return nil, &ActivityError{Body: "malformed activity", cause: err}
		}
	}
	if a.Type == "" {
		return nil, &ActivityError{Body: "activity without type"}
	}
	if a.ServiceURL == "" || a.Conversation.ID == "" {
		return nil, &ActivityError{Body: "activity without serviceUrl or conversation"}
	}
	if a.LocalTimezone == "" {
		// The library's Entity keeps only the type: read the clientInfo
		// entity's timezone from the body.
		a.LocalTimezone = clientInfoTimezone(body)
	}
	return &a, nil
}

// clientInfoTimezone is the timezone of the activity's clientInfo entity
// (Teams sends {"type":"clientInfo","locale":"de-DE","timezone":
// "Europe/Berlin",…}), or "".
func clientInfoTimezone(body []byte) string {
	var p struct {
		Entities []struct {
			Type     string `json:"type"`
			Timezone string `json:"timezone"`
		} `json:"entities"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	for _, e := range p.Entities {
		if strings.EqualFold(e.Type, "clientInfo") && e.Timezone != "" {
			return e.Timezone
		}
	}
	return ""
}

// timeZone is the IANA zone name tz when it is one Go knows, or "".
func timeZone(tz string) string {
	tz = strings.TrimSpace(tz)
	if tz == "" || len(tz) >= 64 || strings.EqualFold(tz, "local") {
		return ""
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return ""
	}
	return tz
}

// translate turns an activity into an engine event; now stamps events
// without a timestamp.
func translate(a *schema.Activity, now time.Time) inbound {
	in := inbound{act: a}
	ev := chat.Event{
		ID:        a.ID,
		At:        a.Timestamp,
		Platform:  Platform,
		Workspace: tenantOf(a),
		UserID:    a.From.AadObjectID,
		UserName:  a.From.Name,
		Conversation: chat.Conversation{
			ID:     a.Conversation.ID,
			Direct: a.Conversation.ConversationType == "personal",
			Ref:    Reference(a),
		},
	}
	if ev.UserID == "" {
		ev.UserID = a.From.ID
	}
	if ev.At.IsZero() {
		ev.At = now
	}
	if ev.Conversation.Direct {
		ev.Conversation.UserID = ev.UserID
	}
	// The person's zone, as their Teams client reports it; the engine
	// keeps it on the user, for nudges at their local time.
	ev.TimeZone = timeZone(a.LocalTimezone)
	// And how they write numbers: the client's locale ("de-DE").
	if len(a.Locale) <= 35 {
		ev.Locale = strings.TrimSpace(a.Locale)
	}
	botID := a.Recipient.ID
	switch a.Type {
	case schema.Message:
		if len(a.Value) > 0 && strings.TrimSpace(StripMentions(a.Text)) == "" {
			in.handle = cardAction(&ev, a.Value, "", &in)
		} else {
			ev.Kind = chat.EventMessage
			ev.Text = StripMentions(a.Text)
			in.handle = ev.Text != ""
		}
	case schema.Invoke:
		if a.Name != "adaptiveCard/action" {
			break
		}
		in.invoke = true
		action, _ := a.Value["action"].(map[string]any)
		data, _ := action["data"].(map[string]any)
		verb, _ := action["verb"].(string)
		in.handle = cardAction(&ev, data, verb, &in)
	case schema.InstallationUpdate:
		switch {
		case strings.HasPrefix(a.Action, "add"):
			ev.Kind, in.handle = chat.EventInstalled, true
		case strings.HasPrefix(a.Action, "remove"):
			ev.Kind, in.handle = chat.EventRemoved, true
		}
	case schema.ConversationUpdate:
		switch {
		case botID != "" && hasMember(a.MembersAdded, botID):
			ev.Kind, in.handle = chat.EventInstalled, true
		case botID != "" && hasMember(a.MembersRemoved, botID):
			ev.Kind, in.handle = chat.EventRemoved, true
		}
	}
	if ev.Workspace == "" || ev.UserID == "" {
		in.handle = false
	}
	in.ev = ev
	return in
}

// cardAction fills ev from the data of a submitted card: a "command" makes
// a button press, a "form_id" a form submission (the inputs' values
// beside it), and an Action.Execute verb a command.
func cardAction(ev *chat.Event, data map[string]any, verb string, in *inbound) bool {
	if cmd, ok := data["command"].(string); ok && strings.TrimSpace(cmd) != "" {
		ev.Kind, ev.Value = chat.EventButton, cmd
		return true
	}
	if id, ok := data["form_id"].(string); ok && id != "" {
		ev.Kind, ev.FormID = chat.EventFormSubmit, id
		ev.FormState, _ = data["form_state"].(string)
		ev.Values = map[string]string{}
		for k, v := range data {
			switch k {
			case "form_id", "form_state", "command", "msteams":
				continue
			}
			if s, ok := scalar(v); ok {
				if s == noneValue {
					s = "" // "Keep as is", as the bot reads it
				}
				ev.Values[k] = s
			}
		}
		return true
	}
	if strings.TrimSpace(verb) != "" {
		ev.Kind, ev.Value = chat.EventButton, verb
		return true
	}
	in.unknown = unknownAction
	return false
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func hasMember(ms []schema.ChannelAccount, id string) bool {
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	return false
}

func tenantOf(a *schema.Activity) string {
	if a.Conversation.TenantID != "" {
		return a.Conversation.TenantID
	}
	if t, ok := a.ChannelData["tenant"].(map[string]any); ok {
		id, _ := t["id"].(string)
		return id
	}
	return ""
}

// Reference is the JSON conversation reference of the activity's
// conversation, what Send needs to message it later. It leaves out the
// activity id, so it is the same for every message of a conversation.
func Reference(a *schema.Activity) string {
	ref := schema.ConversationReference{
		User:         a.From,
		Bot:          a.Recipient,
		Conversation: a.Conversation,
		ChannelID:    a.ChannelID,
		ServiceURL:   a.ServiceURL,
	}
	b, err := json.Marshal(ref)
	if err != nil {
		return ""
	}
	return string(b)
}

var mentionRe = regexp.MustCompile(`(?s)<at\b[^>]*>.*?</at>`)

// StripMentions removes <at>…</at> mentions (of the bot, or anyone) and
// the HTML Teams wraps around text, and trims the rest.
func StripMentions(s string) string {
	s = mentionRe.ReplaceAllString(s, " ")
	s = strings.NewReplacer("<p>", "", "</p>", "\n", "<br>", "\n", "<br/>", "\n").Replace(s)
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
