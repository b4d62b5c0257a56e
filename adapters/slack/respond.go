package slack

import (
	"context"
	"errors"
	"strings"
	"sync"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// maxResponseURLUses is how often Slack accepts a response_url.
const maxResponseURLUses = 5

// responder answers one event where it came from: a Home tab view for
// app_home_opened, a modal for a form, response_url for commands and
// buttons, and the Web API otherwise.
type responder struct {
	a  *Adapter
	in *inbound

	mu      sync.Mutex
	urlUses int
}

// Respond implements chat.Responder.
func (r *responder) Respond(ctx context.Context, m chat.Message) error {
	in := r.in
	if in.src == fromHome {
		return r.a.PublishHome(ctx, in.ev.UserID, m)
	}
	if in.src == fromView {
		m = r.answerView(m)
	}
	if m.Form != nil {
		err := r.openForm(ctx, m.Form)
		if err == nil {
			if len(m.Blocks) == 0 {
				return nil
			}
			m.Text = ""
		} else {
			if !errors.Is(err, errNoTrigger) {
				r.a.log.Warn("form not opened; offering a button instead", "form", m.Form.ID, "err", err)
			}
			m = r.formFallback(m, err)
		}
		m.Form = nil
	}
	parts := Render(m)
	if len(parts) == 0 {
		return nil
	}
	err := r.deliver(ctx, parts, m.Ephemeral)
	// A check-in from anywhere (a form, a button, words in a DM) changes
	// what the Home tab shows.
	if err == nil && (in.src == fromView || m.HomeChanged) && !m.Ephemeral && !r.a.opts.NoHomeRefresh {
		r.a.refreshHome(ctx, in)
	}
	return err
}

// answerView answers a submitted modal while Slack still waits: a form sent
// back with refused answers shows the reasons under their fields in the
// modal, which stays open with everything typed in it (nothing else is
// sent); any other answer closes the modal and is delivered as usual.
// When the modal has closed already (the answer came too late, or after a
// restart), the refusal is posted, to the person only, leaving the message
// the form came from as it was.
func (r *responder) answerView(m chat.Message) chat.Message {
	if !m.Form.Invalid() {
		r.in.view.settle()
		return m
	}
	if r.in.view.offer(modalErrors(m.Form)) {
		return chat.Message{}
	}
	var reasons []string
	for _, in := range m.Form.Inputs {
		if in.Error != "" {
			reasons = append(reasons, in.Error)
		}
	}
	text := "Nothing was saved: " + strings.Join(reasons, " ") + " The form had closed before this answer came; open it again to try once more."
	return chat.Message{Text: text, Blocks: []chat.Block{chat.Section{Text: text}}, Ephemeral: true}
}

// openForm opens the form as a modal, remembering where its answer goes.
func (r *responder) openForm(ctx context.Context, f *chat.Form) error {
	in := r.in
	if in.triggerID == "" {
		return errNoTrigger
	}
	meta := formMeta{Channel: in.ev.Conversation.ID, Thread: in.replyThread}
	if in.ev.Conversation.Direct {
		// A check-in nudge's "Update": the submission replaces the nudge.
		meta.Message = in.messageTS
	}
	return r.a.openForm(ctx, in.triggerID, f, meta)
}

var errNoTrigger = errors.New("no trigger id: a form opens only from a slash command or a button")

// formFallback is the answer when a form cannot be opened: its text and a
// button that asks for the form again (a button press brings a fresh
// trigger id).
func (r *responder) formFallback(m chat.Message, err error) chat.Message {
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = m.Form.Title
	}
	out := chat.Message{Text: text, Ephemeral: m.Ephemeral, Blocks: append([]chat.Block{}, m.Blocks...)}
	if len(out.Blocks) == 0 && text != "" {
		out.Blocks = append(out.Blocks, chat.Section{Text: text})
	}
	note := "Press the button to open the form."
	if !errors.Is(err, errNoTrigger) {
		note = "The form could not be opened just now (Slack allows 3 seconds); press the button to try again."
	}
	if r.in.reopen == "" {
		out.Blocks = append(out.Blocks, chat.Context{Text: "The form could not be opened. Try `/okr form`."})
		return out
	}
	label := m.Form.Submit
	if label == "" || len(label) > 30 {
		label = "Open the form"
	}
	out.Blocks = append(out.Blocks, chat.Context{Text: note},
		chat.Actions{Buttons: []chat.Button{{Label: label, Value: r.in.reopen, Style: chat.StylePrimary}}})
	return out
}

// deliver sends the rendered parts of an answer.
func (r *responder) deliver(ctx context.Context, parts []Rendered, ephemeral bool) error {
	in := r.in
	conv := in.ev.Conversation
	if in.src == fromCommand && strings.HasPrefix(conv.ID, "D") && !conv.Direct {
		// A command typed in someone else's DM: only the asker sees it.
		ephemeral = true
	}
	if in.src == fromView && !ephemeral && in.messageTS != "" {
		// The submitted form replaces the message it was opened from.
		err := r.update(ctx, conv.ID, in.messageTS, parts[0])
		if err == nil {
			return r.each(ctx, parts[1:], func(p Rendered) error { return r.post(ctx, p, false) })
		}
		r.a.log.Warn("could not replace the message a form came from; posting instead", "err", err)
	}
	useURL := in.responseURL != "" && (ephemeral || !conv.Direct)
	return r.each(ctx, parts, func(p Rendered) error {
		if useURL && r.takeURL() {
			return r.viaResponseURL(ctx, p, ephemeral)
		}
		return r.post(ctx, p, ephemeral)
	})
}

func (r *responder) each(ctx context.Context, parts []Rendered, f func(Rendered) error) error {
	for _, p := range parts {
		if err := f(p); err != nil {
			return err
		}
	}
	return nil
}

func (r *responder) takeURL() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.urlUses == maxResponseURLUses {
		return false
	}
	r.urlUses++
	return true
}

func (r *responder) viaResponseURL(ctx context.Context, p Rendered, ephemeral bool) error {
	kind := slackapi.ResponseTypeInChannel
	if ephemeral {
		kind = slackapi.ResponseTypeEphemeral
	}
	_, _, err := r.a.api.PostMessageContext(ctx, "", slackapi.MsgOptionResponseURL(r.in.responseURL, kind),
		slackapi.MsgOptionText(p.Text, false), slackapi.MsgOptionBlocks(p.Blocks...))
	return r.a.apiError("response_url", err)
}

// post answers with the Web API: chat.postEphemeral in a channel when only
// the asker should see it, else chat.postMessage. When the bot cannot post
// in the channel (it was never invited), the answer goes to the person's
// DM instead.
func (r *responder) post(ctx context.Context, p Rendered, ephemeral bool) error {
	in := r.in
	conv := in.ev.Conversation
	channel := conv.ID
	if channel == "" {
		channel = in.ev.UserID
	}
	private := conv.Direct || channel == in.ev.UserID
	var err error
	if ephemeral && !private {
		opts := []slackapi.MsgOption{slackapi.MsgOptionText(p.Text, false), slackapi.MsgOptionBlocks(p.Blocks...)}
		if in.replyThread != "" {
			opts = append(opts, slackapi.MsgOptionTS(in.replyThread))
		}
		_, err = r.a.api.PostEphemeralContext(ctx, channel, in.ev.UserID, opts...)
		err = r.a.apiError("chat.postEphemeral", err)
	} else {
		_, _, err = r.a.postPatiently(ctx, channel, in.replyThread, p)
	}
	var ae *APIError
	if errors.As(err, &ae) && cannotPostHere[ae.Code] && channel != in.ev.UserID {
		r.a.log.Info("answering in the DM: the bot cannot post in the channel", "channel", channel, "code", ae.Code)
		_, _, err = r.a.postPatiently(ctx, in.ev.UserID, "", p)
	}
	return err
}

var cannotPostHere = map[string]bool{"not_in_channel": true, "channel_not_found": true, "is_archived": true}

func (r *responder) update(ctx context.Context, channel, ts string, p Rendered) error {
	_, _, _, err := r.a.api.UpdateMessageContext(ctx, channel, ts, slackapi.MsgOptionText(p.Text, false), slackapi.MsgOptionBlocks(p.Blocks...))
	return r.a.apiError("chat.update", err)
}

// refreshHome republishes a person's Home tab after they changed
// something, by asking the engine for the Home view.
func (a *Adapter) refreshHome(ctx context.Context, from *inbound) {
	h := a.run.Handler()
	if h == nil {
		return
	}
	in := &inbound{src: fromHome}
	in.ev = a.base(from.ev.Workspace, from.ev.UserID, a.now())
	in.ev.Kind = chat.EventHomeOpened
	in.ev.UserName, in.ev.Email, in.ev.EmailVerified, in.ev.TimeZone = from.ev.UserName, from.ev.Email, from.ev.EmailVerified, from.ev.TimeZone
	in.ev.Conversation = from.ev.Conversation
	h.Handle(ctx, in.ev, &responder{a: a, in: in})
}
