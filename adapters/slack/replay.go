package slack

import (
	"context"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
)

// replayWait is how long a replayed event may wait for room in the pool.
const replayWait = time.Minute

// replay handles the events the inbox kept from before a restart (Slack
// had its acknowledgement and will not send them again), before Run takes
// new ones.
func (a *Adapter) replay(ctx context.Context) {
	start := time.Now()
	n := a.intake.Replay(ctx, Platform, func(ev chat.Event) { a.process(a.replayed(ev)) }, replayWait)
	if n > 0 {
		a.log.Info("handled the events acknowledged before the restart", "events", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// replayed is the delivery of an event the inbox kept. Only the event was
// kept, not the ways back that came with it: a trigger_id lasts 3 seconds
// and a response_url 30 minutes, so neither is trusted after a restart.
// The answer goes through the Web API instead (chat.postMessage, or
// chat.postEphemeral where only the person should see it), and to the
// person's DM where the bot cannot post in the channel (see
// responder.post); a form that cannot open without a trigger_id is offered
// as a button that opens it (responder.formFallback); a submitted form's
// answer is posted rather than replacing the message it came from.
func (a *Adapter) replayed(ev chat.Event) *inbound {
	in := &inbound{ev: ev, replyThread: ev.Conversation.Thread}
	switch ev.Kind {
	case chat.EventHomeOpened:
		in.src = fromHome
	case chat.EventCommand:
		in.src, in.reopen = fromCommand, "/okr "+ev.Text
	case chat.EventButton:
		in.src, in.reopen = fromAction, ev.Value
	case chat.EventFormSubmit:
		in.src = fromView
	default:
		in.src, in.reopen = fromMessage, ev.Text
		if !ev.Conversation.Direct && in.replyThread == "" {
			// A mention in a channel is answered in its thread; the
			// message's timestamp is the end of its id.
			in.src = fromMention
			prefix := "msg:" + ev.Workspace + ":" + ev.Conversation.ID + ":"
			if ts, ok := strings.CutPrefix(ev.ID, prefix); ok {
				in.replyThread = ts
			}
		}
	}
	return in
}
