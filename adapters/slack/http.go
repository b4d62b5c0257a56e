package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/adapters/internal/kit"
)

// httpWait is how long an HTTP delivery may wait for room in the pool;
// Slack wants an answer within 3 seconds.
const httpWait = 200 * time.Millisecond

// Handler serves Slack's HTTP mode:
//
//	POST /slack/events        Events API, including url_verification
//	POST /slack/commands      slash commands
//	POST /slack/interactions  buttons and modal submissions
//	GET  /healthz             200 while Run is running
//
// Every request is verified with the signing secret before it is parsed
// (HMAC-SHA256 v0, constant-time, at most 5 minutes old, never twice),
// acknowledged at once, and its work handed to the pool. A bad or replayed
// signature is answered 401, a body that is not what Slack sends 400.
// Until Run starts, deliveries are refused with 503 so that Slack retries.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", a.verified(a.serveEvents))
	mux.Handle("POST /slack/commands", a.verified(a.serveCommand))
	mux.Handle("POST /slack/interactions", a.verified(a.serveInteraction))
	mux.Handle("GET /healthz", kit.NewHealth(a.run.Running))
	return mux
}

// verified reads the body (within Options.MaxBody), checks the request's
// signature and hands the body to next.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := kit.ReadBody(w, r, a.opts.MaxBody)
		if !ok {
			return
		}
		if err := a.verify(r.Header, body); err != nil {
			a.log.Warn("refused an unauthenticated request", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

var errReplayed = errors.New("this signature was already used")

// verify checks Slack's v0 signature with slack-go's SecretsVerifier
// (which refuses timestamps more than 5 minutes off) and refuses a
// signature seen before.
func (a *Adapter) verify(h http.Header, body []byte) error {
	if a.cfg.SigningSecret == "" {
		return errors.New("HTTP mode is not configured: set SLACK_SIGNING_SECRET")
	}
	sv, err := slackapi.NewSecretsVerifier(h, a.cfg.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	if err := sv.Ensure(); err != nil {
		return err
	}
	if !a.replays.Add(h.Get("X-Slack-Signature")) {
		return errReplayed
	}
	return nil
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	in, err := a.translateEvent(body)
	var ch *challengeError
	switch {
	case errors.As(err, &ch):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, ch.challenge)
		return
	case errors.Is(err, errMalformed):
		a.log.Warn("malformed event body", "bytes", len(body))
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	case err != nil:
		w.WriteHeader(http.StatusOK)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Debug("Slack retried an event", "event", in.ev.ID, "attempt", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	if !a.dispatch(r.Context(), in, httpWait) {
		// Slack retries it later.
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, _ []byte) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("ssl_check") == "1" {
		// Slack checking the certificate of the command URL.
		w.WriteHeader(http.StatusOK)
		return
	}
	cmd, err := slackapi.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	in, err := a.translateCommand(cmd)
	if err != nil {
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	if !a.dispatch(r.Context(), in, httpWait) {
		writeJSON(w, slackapi.Msg{ResponseType: slackapi.ResponseTypeEphemeral,
			Text: "okrbot is busy right now; please try again in a minute."})
		return
	}
	// An empty 200 acknowledges; the answer follows through response_url.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, _ []byte) {
	cb, err := slackapi.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	in, err := a.translateInteraction(cb)
	switch {
	case errors.Is(err, errMalformed):
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	case err != nil:
		w.WriteHeader(http.StatusOK)
		return
	}
	if !a.dispatch(r.Context(), in, httpWait) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	// For a modal, an empty 200 closes it; refused answers keep it open
	// with the reasons under their fields.
	if errs := in.view.wait(r.Context(), a.opts.ViewWait); len(errs) > 0 {
		writeJSON(w, slackapi.NewErrorsViewSubmissionResponse(errs))
		return
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
