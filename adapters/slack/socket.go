package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/okrbot/okrbot/adapters/internal/kit"
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

// onSocketEvent translates an envelope, records its event in the inbox,
// acknowledges it and hands the work to the pool (see takeEnvelope).
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
		in, err := a.translateEvent(evt.Request.Payload)
		a.takeEnvelope(ctx, smc, in, err, evt.Request)
	case socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok {
			a.ack(ctx, smc, evt.Request.EnvelopeID)
			return
		}
		in, err := a.translateCommand(cmd)
		a.takeEnvelope(ctx, smc, in, err, evt.Request)
	case socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		// An empty ack also closes a submitted modal.
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok {
			a.ack(ctx, smc, evt.Request.EnvelopeID)
			return
		}
		in, err := a.translateInteraction(cb)
		a.takeEnvelope(ctx, smc, in, err, evt.Request)
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

// takeEnvelope records the envelope's event in the inbox, then
// acknowledges the envelope, then hands the work to the pool: an envelope
// Slack saw acknowledged is never sent again, so its event must survive a
// crash from then on. One that could not be recorded is not acknowledged,
// and Slack sends it again. Envelopes that need no work are acknowledged
// at once.
func (a *Adapter) takeEnvelope(ctx context.Context, smc *socketmode.Client, in *inbound, err error, req *socketmode.Request) {
	switch {
	case errors.Is(err, errMalformed):
		a.ack(ctx, smc, req.EnvelopeID)
		a.log.Warn("malformed Socket Mode payload", "type", req.Type, "envelope", req.EnvelopeID)
		return
	case err != nil:
		a.ack(ctx, smc, req.EnvelopeID)
		return
	}
	if req.RetryAttempt > 0 {
		a.log.Debug("Slack redelivered an envelope", "event", in.ev.ID, "attempt", req.RetryAttempt, "reason", req.RetryReason)
	}
	switch a.intake.Admit(ctx, in.ev) {
	case kit.Refused:
		a.log.Warn("envelope not acknowledged: its event could not be taken; Slack sends it again", "event", in.ev.ID, "envelope", req.EnvelopeID)
		return
	case kit.Duplicate:
		a.ack(ctx, smc, req.EnvelopeID)
		return
	}
	if in.view != nil {
		a.takeSubmission(ctx, smc, in, req)
		return
	}
	a.ack(ctx, smc, req.EnvelopeID)
	if !a.intake.Queue(in.ev, func() { a.process(in) }, socketWait, true) {
		if a.intake.Keeps() {
			a.log.Error("the pool stayed full: the event waits in the inbox until okrbot starts again", "event", in.ev.ID, "kind", in.ev.Kind)
			return
		}
		a.log.Error("event dropped: the pool stayed full", "event", in.ev.ID, "kind", in.ev.Kind)
	}
}

// takeSubmission hands a submitted modal's work to the pool and then
// acknowledges its envelope with the answer, as an HTTP response carries
// it: refused answers keep the modal open with the reasons under their
// fields (response_action: errors), anything else closes it. The event
// is in the inbox already; the wait for the answer is off the reading
// loop.
func (a *Adapter) takeSubmission(ctx context.Context, smc *socketmode.Client, in *inbound, req *socketmode.Request) {
	if !a.intake.Queue(in.ev, func() { a.process(in) }, httpWait, true) {
		in.view.settle()
		if a.intake.Keeps() {
			a.log.Error("the pool stayed full: the submitted form waits in the inbox until okrbot starts again", "event", in.ev.ID)
		} else {
			a.log.Error("submitted form dropped: the pool stayed full", "event", in.ev.ID)
		}
	}
	go func() {
		var payload any
		if errs := in.view.wait(ctx, a.opts.ViewWait); len(errs) > 0 {
			payload = slackapi.NewErrorsViewSubmissionResponse(errs)
		}
		if err := smc.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
			a.log.Warn("Socket Mode ack failed", "envelope", req.EnvelopeID, "err", err)
		}
	}()
}

// slogOutput passes slack-go's log lines to slog at debug level.
type slogOutput struct{ l *slog.Logger }

func (s slogOutput) Output(_ int, msg string) error {
	s.l.Debug(msg, "from", "slack-go")
	return nil
}
