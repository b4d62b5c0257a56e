package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// socketWait is how long a Socket Mode delivery, already acknowledged, may
// wait for room in the pool; meanwhile no more envelopes are read.
const socketWait = time.Minute

// runSocket connects through Socket Mode and handles envelopes until ctx
// ends. slack-go reconnects when Slack asks (disconnect) or the connection
// dies; Run ends only when the app token is refused.
func (a *Adapter) runSocket(ctx context.Context) error {
	smc := socketmode.New(a.api, socketmode.OptionLog(slogOutput{a.log}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- smc.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			var se slackapi.SlackErrorResponse
			if errors.As(err, &se) && authFailure(se.Err) || err != nil && authFailure(err.Error()) {
				return errors.New("slack: SLACK_APP_TOKEN was refused (" + err.Error() + "): create an app-level token with the connections:write scope and enable Socket Mode")
			}
			return errors.New("slack: socket mode: " + err.Error())
		case evt := <-smc.Events:
			a.onSocketEvent(ctx, smc, evt)
		}
	}
}

// onSocketEvent acknowledges an envelope first, then translates it and
// hands the work to the pool.
func (a *Adapter) onSocketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("connecting to Slack (Socket Mode)")
	case socketmode.EventTypeConnected:
		a.log.Info("connected to Slack (Socket Mode)")
	case socketmode.EventTypeConnectionError:
		a.log.Warn("Socket Mode connection failed; retrying", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("Slack refused SLACK_APP_TOKEN")
	case socketmode.EventTypeDisconnect:
		a.log.Info("Slack asked to reconnect")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("Socket Mode error", "type", evt.Type, "err", evt.Data)
	case socketmode.EventTypeErrorBadMessage:
		// An envelope slack-go could not parse (an event type it does not
		// know, say) is still acknowledged, or Slack sends it again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				a.ack(ctx, smc, env.EnvelopeID)
			}
			a.log.Warn("unreadable Socket Mode envelope", "err", bad.Cause)
		}
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		a.ack(ctx, smc, evt.Request.EnvelopeID)
		in, err := a.translateEvent(evt.Request.Payload)
		a.handOver(in, err, evt.Request)
	case socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		a.ack(ctx, smc, evt.Request.EnvelopeID)
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok {
			return
		}
		in, err := a.translateCommand(cmd)
		a.handOver(in, err, evt.Request)
	case socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		// An empty ack also closes a submitted modal.
		a.ack(ctx, smc, evt.Request.EnvelopeID)
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok {
			return
		}
		in, err := a.translateInteraction(cb)
		a.handOver(in, err, evt.Request)
	}
}

func (a *Adapter) ack(ctx context.Context, smc *socketmode.Client, envelope string) {
	if envelope == "" {
		return
	}
	if err := smc.AckCtx(ctx, envelope, nil); err != nil {
		a.log.Warn("Socket Mode ack failed", "envelope", envelope, "err", err)
	}
}

func (a *Adapter) handOver(in *inbound, err error, req *socketmode.Request) {
	switch {
	case errors.Is(err, errMalformed):
		a.log.Warn("malformed Socket Mode payload", "type", req.Type, "envelope", req.EnvelopeID)
		return
	case err != nil:
		return
	}
	if req.RetryAttempt > 0 {
		a.log.Debug("Slack redelivered an envelope", "event", in.ev.ID, "attempt", req.RetryAttempt, "reason", req.RetryReason)
	}
	if !a.dispatch(in, socketWait) {
		a.log.Error("event dropped: the pool stayed full", "event", in.ev.ID, "kind", in.ev.Kind)
	}
}

// slogOutput passes slack-go's log lines to slog at debug level.
type slogOutput struct{ l *slog.Logger }

func (s slogOutput) Output(_ int, msg string) error {
	s.l.Debug(msg, "from", "slack-go")
	return nil
}
