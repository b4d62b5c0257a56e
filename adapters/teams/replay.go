package teams

import (
	"context"
	"encoding/json"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/chat"
)

// replayWait is how long a replayed activity may wait for room in the
// pool.
const replayWait = time.Minute

// replay handles the activities the inbox kept from before a restart
// (Teams had its 200 and will not send them again), before Run takes new
// ones.
func (a *Adapter) replay(ctx context.Context) {
	start := time.Now()
	n := a.intake.Replay(ctx, Platform, func(ev chat.Event) {
		in, ok := replayed(ev)
		if !in.handle {
			return // a card action the engine does not know: nothing to do
		}
		if !ok {
			a.log.Warn("a kept activity names no conversation to answer in; handled without an answer", "event", clip(ev.ID))
		}
		a.work(in)
	}, replayWait)
	if n > 0 {
		a.log.Info("handled the activities acknowledged before the restart", "activities", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// replayed is the activity of an event the inbox kept, rebuilt from its
// conversation reference. Only the event was kept: an invoke's HTTP
// response, where its answer would have gone, is long gone, so every
// answer is posted to the conversation (SendToConversation, as a new
// message rather than a reply or an update of the card acted on); the
// conversation id of a channel thread keeps the answer in the thread. ok
// is false when the reference names no Bot Connector.
func replayed(ev chat.Event) (inbound, bool) {
	var ref schema.ConversationReference
	ok := json.Unmarshal([]byte(ev.Conversation.Ref), &ref) == nil && ref.ServiceURL != "" && ref.Conversation.ID != ""
	act := &schema.Activity{Type: schema.Message, ServiceURL: ref.ServiceURL, ChannelID: ref.ChannelID, From: ref.User,
		Recipient: ref.Bot, Conversation: ref.Conversation}
	return inbound{act: act, ev: ev, handle: ev.Kind != ""}, ok
}
