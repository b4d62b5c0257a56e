package slack

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/okrbot/okrbot/chat"
)

// source is what kind of Slack delivery an event came from; it decides how
// the answer goes back.
type source int

const (
	fromMessage source = iota // a DM (message.im)
	fromMention               // app_mention in a channel
	fromCommand               // a slash command
	fromAction                // a button on a message or the Home tab
	fromView                  // a submitted modal
	fromHome                  // app_home_opened
)

// inbound is a translated delivery: the engine's event and what the
// adapter needs to answer it.
type inbound struct {
	ev          chat.Event
	src         source
	triggerID   string // opens a modal within 3 seconds
	responseURL string // answers a command or a button
	// replyThread is where an answer in a channel goes: the thread of the
	// mention, so that channels stay tidy.
	replyThread string
	// messageTS is the message a button was on (or the one a submitted
	// form was opened from): a form opened from it, once submitted,
	// replaces it with the answer.
	messageTS string
	// reopen is a command that asks the engine for the same form again:
	// when a form cannot be opened, a button with it can.
	reopen string
	// unknownAction: a block_actions payload none of whose actions are ours.
	unknownAction bool
	// view is where the answer to a submitted modal goes while Slack's
	// request for it still waits (viewanswer.go): nil for anything else,
	// and for a submission replayed after a restart.
	view *viewAnswer
}

// Errors of translation.
var (
	// errMalformed: the body is not the JSON or form Slack sends.
	errMalformed = errors.New("malformed Slack payload")
	// errIgnored: a valid delivery that needs no work (a bot's message, an
	// edit, an event okrbot does not subscribe to).
	errIgnored = errors.New("ignored")
)

// challengeError carries a url_verification challenge.
type challengeError struct{ challenge string }

func (c *challengeError) Error() string { return "url_verification" }

// translateEvent reads an Events API body (an HTTP request body or a Socket
// Mode envelope's payload).
func (a *Adapter) translateEvent(body []byte) (*inbound, error) {
	var outer struct {
		Type           string                        `json:"type"`
		Challenge      string                        `json:"challenge"`
		TeamID         string                        `json:"team_id"`
		EventID        string                        `json:"event_id"`
		EventTime      int64                         `json:"event_time"`
		Authorizations []slackapi.EventAuthorization `json:"authorizations"`
		Event          json.RawMessage               `json:"event"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return nil, errMalformed
	}
	switch outer.Type {
	case slackevents.URLVerification:
		return nil, &challengeError{challenge: outer.Challenge}
	case slackevents.CallbackEvent:
	case slackevents.AppRateLimited:
		a.log.Warn("Slack is dropping events: the app exceeded 30,000 events an hour", "team", outer.TeamID)
		return nil, errIgnored
	case "":
		return nil, errMalformed
	default:
		return nil, errIgnored
	}
	var inner struct {
		Type string `json:"type"`
	}
	if len(outer.Event) == 0 || json.Unmarshal(outer.Event, &inner) != nil || inner.Type == "" {
		return nil, errMalformed
	}
	for _, au := range outer.Authorizations {
		if au.IsBot && au.UserID != "" && a.botUserID() == "" {
			a.setBotUser(au.UserID)
		}
	}
	switch inner.Type {
	case string(slackevents.Message), string(slackevents.AppMention), string(slackevents.AppHomeOpened):
	default:
		return nil, errIgnored
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return nil, errMalformed
	}
	team := outer.TeamID
	if team == "" && len(outer.Authorizations) > 0 {
		team = outer.Authorizations[0].TeamID
	}
	if team == "" {
		return nil, errMalformed
	}
	at := time.Unix(outer.EventTime, 0)
	if outer.EventTime == 0 {
		at = a.now()
	}
	switch x := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		return a.translateMessage(team, outer.EventID, at, x)
	case *slackevents.AppMentionEvent:
		return a.translateMention(team, outer.EventID, at, x)
	case *slackevents.AppHomeOpenedEvent:
		a.learnDM(team, x.User, x.Channel)
		if x.Tab != "home" || x.User == "" {
			return nil, errIgnored
		}
		in := &inbound{src: fromHome}
		in.ev = a.base(team, x.User, at)
		in.ev.ID = outer.EventID
		in.ev.Kind = chat.EventHomeOpened
		in.ev.Conversation = chat.Conversation{ID: x.Channel, Direct: x.Channel != ""}
		return in, nil
	}
	return nil, errIgnored
}

// messageSubtypes are the subtypes of a message a person wrote; the others
// are edits, deletions, joins and bots.
var messageSubtypes = map[string]bool{"": true, "file_share": true, "thread_broadcast": true}

func (a *Adapter) translateMessage(team, eventID string, at time.Time, m *slackevents.MessageEvent) (*inbound, error) {
	if !messageSubtypes[m.SubType] || m.BotID != "" || m.User == "" || m.Channel == "" || m.User == a.botUserID() {
		return nil, errIgnored
	}
	if m.ChannelType != slackevents.ChannelTypeIM {
		// Channel messages reach okrbot as app_mention; the rest are
		// not addressed to it.
		return nil, errIgnored
	}
	a.learnDM(team, m.User, m.Channel)
	in := &inbound{src: fromMessage}
	in.ev = a.base(team, m.User, at)
	in.ev.ID = messageID(team, m.Channel, m.TimeStamp, m.ClientMsgID, eventID)
	in.ev.Kind = chat.EventMessage
	in.ev.Text = a.stripMention(m.Text)
	in.ev.Conversation = chat.Conversation{ID: m.Channel, Thread: m.ThreadTimeStamp, Direct: true}
	in.replyThread = m.ThreadTimeStamp
	in.reopen = in.ev.Text
	return in, nil
}

func (a *Adapter) translateMention(team, eventID string, at time.Time, m *slackevents.AppMentionEvent) (*inbound, error) {
	if m.BotID != "" || m.User == "" || m.Channel == "" || m.User == a.botUserID() || m.Edited != nil {
		return nil, errIgnored
	}
	in := &inbound{src: fromMention}
	in.ev = a.base(team, m.User, at)
	// The same message may also arrive as message.im: one identity for
	// both, so that it is answered once.
	in.ev.ID = messageID(team, m.Channel, m.TimeStamp, "", eventID)
	in.ev.Kind = chat.EventMessage
	in.ev.Text = a.stripMention(m.Text)
	// The bot can only be mentioned where it is a member: in a D channel
	// that is its DM with the person.
	direct := strings.HasPrefix(m.Channel, "D") || a.dmOf(team, m.User) == m.Channel
	if direct {
		a.learnDM(team, m.User, m.Channel)
	}
	in.ev.Conversation = chat.Conversation{ID: m.Channel, Thread: m.ThreadTimeStamp, Direct: direct}
	in.replyThread = m.ThreadTimeStamp
	if in.replyThread == "" && !direct {
		in.replyThread = m.TimeStamp
	}
	in.reopen = in.ev.Text
	return in, nil
}

// messageID identifies a message however many events deliver it: its
// channel and timestamp, else the client's message id, else the event id.
func messageID(team, channel, ts, clientMsgID, eventID string) string {
	switch {
	case channel != "" && ts != "":
		return "msg:" + team + ":" + channel + ":" + ts
	case clientMsgID != "":
		return "msg:" + team + ":" + clientMsgID
	}
	return eventID
}

var mentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// stripMention removes the bot's mentions from text (or, while the bot's
// id is unknown, a mention that starts the text); other mentions stay for
// the engine to resolve.
func (a *Adapter) stripMention(text string) string {
	text = strings.TrimSpace(text)
	if me := a.botUserID(); me != "" {
		text = mentionRE.ReplaceAllStringFunc(text, func(s string) string {
			if mentionRE.FindStringSubmatch(s)[1] == me {
				return ""
			}
			return s
		})
	} else if loc := mentionRE.FindStringIndex(text); loc != nil && loc[0] == 0 {
		text = text[loc[1]:]
	}
	text = strings.TrimLeft(strings.TrimSpace(text), ",: ")
	return strings.Join(strings.Fields(text), " ")
}

// translateCommand reads a slash command; Text is what follows the command.
func (a *Adapter) translateCommand(c slackapi.SlashCommand) (*inbound, error) {
	if c.TeamID == "" || c.UserID == "" {
		return nil, errMalformed
	}
	in := &inbound{src: fromCommand, triggerID: c.TriggerID, responseURL: c.ResponseURL}
	in.ev = a.base(c.TeamID, c.UserID, a.now())
	if c.TriggerID != "" {
		in.ev.ID = "cmd:" + c.TeamID + ":" + c.TriggerID
	}
	in.ev.Kind = chat.EventCommand
	in.ev.Text = strings.TrimSpace(c.Text)
	in.ev.UserName = c.UserName
	in.ev.Conversation = chat.Conversation{ID: c.ChannelID, Direct: c.ChannelID != "" && a.dmOf(c.TeamID, c.UserID) == c.ChannelID}
	in.reopen = "/okr " + in.ev.Text
	return in, nil
}

// translateInteraction reads a button press or a modal submission.
func (a *Adapter) translateInteraction(cb slackapi.InteractionCallback) (*inbound, error) {
	team := cb.Team.ID
	if team == "" {
		team = cb.User.TeamID
	}
	if team == "" || cb.User.ID == "" {
		return nil, errMalformed
	}
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		return a.translateAction(team, cb)
	case slackapi.InteractionTypeViewSubmission:
		return a.translateSubmission(team, cb)
	}
	return nil, errIgnored
}

func (a *Adapter) translateAction(team string, cb slackapi.InteractionCallback) (*inbound, error) {
	in := &inbound{src: fromAction, triggerID: cb.TriggerID, responseURL: cb.ResponseURL}
	in.ev = a.base(team, cb.User.ID, a.now())
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if cb.Container.Type == "message" {
		in.messageTS = cb.Container.MessageTs
	}
	dm := a.dmOf(team, cb.User.ID)
	switch {
	case channel == "" && dm != "":
		in.ev.Conversation = chat.Conversation{ID: dm, Direct: true}
	case channel == "":
		// A button on the Home tab: answers go to the person's DM, which
		// a user id as channel opens.
		in.ev.Conversation = chat.Conversation{ID: cb.User.ID}
	default:
		// The bot's own (non-ephemeral) message in a D channel is in its
		// DM with the person.
		direct := channel == dm || (strings.HasPrefix(channel, "D") && !cb.Container.IsEphemeral)
		if direct {
			a.learnDM(team, cb.User.ID, channel)
		}
		in.ev.Conversation = chat.Conversation{ID: channel, Thread: cb.Container.ThreadTs, Direct: direct}
	}
	in.replyThread = cb.Container.ThreadTs
	var act *slackapi.BlockAction
	for _, b := range cb.ActionCallback.BlockActions {
		if b != nil && strings.HasPrefix(b.ActionID, actionPrefix) {
			act = b
			break
		}
	}
	if act == nil {
		in.unknownAction = true
		return in, nil
	}
	switch {
	case cb.TriggerID != "":
		in.ev.ID = "act:" + team + ":" + cb.TriggerID
	case act.ActionTs != "":
		in.ev.ID = "act:" + team + ":" + cb.User.ID + ":" + act.ActionTs
	}
	in.ev.Kind = chat.EventButton
	in.ev.Value = act.Value
	in.reopen = act.Value
	return in, nil
}

func (a *Adapter) translateSubmission(team string, cb slackapi.InteractionCallback) (*inbound, error) {
	if cb.View.CallbackID != formCallbackID {
		return nil, errIgnored
	}
	var meta formMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Form == "" {
		return nil, errMalformed
	}
	in := &inbound{src: fromView, messageTS: meta.Message, replyThread: meta.Thread, view: newViewAnswer()}
	in.ev = a.base(team, cb.User.ID, a.now())
	switch {
	case cb.View.ID != "" && cb.TriggerID != "":
		// A modal whose answers were refused stays open and is submitted
		// again: each submission has a trigger of its own (a retry of
		// the same request has the same one).
		in.ev.ID = "view:" + team + ":" + cb.View.ID + ":" + cb.TriggerID
	case cb.View.ID != "":
		in.ev.ID = "view:" + team + ":" + cb.View.ID
	case cb.TriggerID != "":
		in.ev.ID = "view:" + team + ":" + cb.TriggerID
	}
	in.ev.Kind = chat.EventFormSubmit
	in.ev.FormID = meta.Form
	in.ev.FormState = meta.State
	in.ev.Values = formValues(cb.View.State)
	dm := a.dmOf(team, cb.User.ID)
	switch {
	case meta.Channel == "" && dm != "":
		in.ev.Conversation = chat.Conversation{ID: dm, Direct: true}
	case meta.Channel == "":
		in.ev.Conversation = chat.Conversation{ID: cb.User.ID}
	default:
		in.ev.Conversation = chat.Conversation{ID: meta.Channel, Thread: meta.Thread, Direct: meta.Channel == dm}
	}
	return in, nil
}

func (a *Adapter) base(team, user string, at time.Time) chat.Event {
	return chat.Event{Platform: Platform, Workspace: team, UserID: user, At: at}
}
