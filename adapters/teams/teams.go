// Package teams connects the okrbot engine to Microsoft Teams through the
// Bot Framework: the POST /api/messages endpoint (every request's JWT
// checked before its body is read), Adaptive Cards, invoke responses,
// proactive messages through the Bot Connector, and the sender's e-mail
// from its roster.
//
// msbotbuilder-go v0.2.5 provides the schema; its token validator and
// connector client are replaced by Validator and Connector, which close its
// gaps (fixed metadata URL fetched per request, multi-tenant token
// endpoint only, no timeouts, racy token cache, no activity ids).
package teams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// DefaultServiceURL is the Bot Connector of Teams in the public cloud,
// used for proactive messages before any activity named the tenant's.
const DefaultServiceURL = "https://smba.trafficmanager.net/teams/"

// Config is how to reach Teams: the environment variables
// MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID,
// MICROSOFT_TOKEN_URL and BOTFRAMEWORK_OPENID_METADATA_URL.
type Config struct {
	// AppID is the bot's Microsoft app (client) id. Required.
	AppID string
	// AppPassword is its client secret. Required.
	AppPassword string
	// TenantID is the Entra ID tenant of the single-tenant bot. Required.
	TenantID string
	// TokenURL is the token endpoint; default TokenURL(TenantID).
	TokenURL string
	// OpenIDMetadataURL is where the signing keys of inbound tokens are
	// found; default DefaultOpenIDMetadataURL.
	OpenIDMetadataURL string
}

// Options tune an Adapter; the zero value is fine.
type Options struct {
	Logger *slog.Logger
	// HTTPClient calls the token endpoint, the Bot Connector and the
	// OpenID metadata; default a client with a 30s timeout.
	HTTPClient *http.Client
	// Now is the clock of caches; default time.Now.
	Now func() time.Time
	// Workers is how many activities are handled at once; default 16.
	Workers int
	// Queue is how many acknowledged activities may wait; default 1024.
	// When it is full, requests are refused with 503.
	Queue int
	// MaxBody is the largest request body accepted; default 1 MiB.
	MaxBody int64
	// InvokeTimeout is how long an Action.Execute invoke waits for the
	// engine's answer before answering "working on it" (Teams gives up
	// after about 5 seconds); default 4s.
	InvokeTimeout time.Duration
	// JobTimeout bounds the handling of one activity; default 1 minute.
	JobTimeout time.Duration
	// ServiceURL is used for proactive messages before an activity named
	// the Bot Connector; default DefaultServiceURL.
	ServiceURL string
	// PerSecond is the tenant-wide pace proactive messages start at;
	// default DefaultRate. See Pacing.
	PerSecond float64
	// Ceiling is the most the dispatcher raises that pace to while Teams
	// accepts; default DefaultRateCeiling.
	Ceiling float64
	// Retries, Backoff and MaxWait tune the connector client; see
	// ConnectorOptions.
	Retries int
	Backoff time.Duration
	MaxWait time.Duration
	// MinKeyRefresh is the least time between two fetches of the signing
	// keys; default 5 minutes.
	MinKeyRefresh time.Duration
	// UserTTL is how long a person's e-mail, read from the Bot
	// Connector's roster, is cached; default 6 hours. A failed lookup is
	// remembered for a minute.
	UserTTL time.Duration
	// Images serves the charts too large to go inline in a card at a
	// signed address (web.Images); nil leaves them out, their words shown.
	Images ImageHost
}

// Adapter is the Teams adapter. It implements chat.Adapter and chat.Pacer.
type Adapter struct {
	cfg       Config
	opts      Options
	log       *slog.Logger
	validator *Validator
	conn      *Connector
	emails    *emailCache
	run       *kit.RunOnce
	pool      *kit.Pool
	seen      *kit.TTLSet // activity ids handed over
	intake    *kit.Intake // seen, the pool and the inbox, before and after the 200
	rosters   rosterCache // directory.go

	mu         sync.Mutex
	serviceURL string            // the last one an activity named
	dms        map[string]string // user id → 1:1 conversation created by Send
}

var (
	_ chat.Adapter   = (*Adapter)(nil)
	_ chat.Pacer     = (*Adapter)(nil)
	_ chat.InboxUser = (*Adapter)(nil)
	_ chat.Directory = (*Adapter)(nil)
)

// New checks cfg and returns an adapter. It makes no network calls.
func New(cfg Config, opts Options) (*Adapter, error) {
	if cfg.AppID == "" || cfg.AppPassword == "" {
		return nil, errors.New("teams: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (teams.app_id and teams.app_password in the configuration file; Azure Bot → Configuration: Microsoft App ID, and a client secret of that app registration)")
	}
	if cfg.TenantID == "" {
		return nil, errors.New("teams: set MICROSOFT_APP_TENANT_ID (teams.tenant_id) to the tenant of the single-tenant bot (Azure Bot → Configuration → App Tenant ID)")
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = TokenURL(cfg.TenantID)
	}
	if cfg.OpenIDMetadataURL == "" {
		cfg.OpenIDMetadataURL = DefaultOpenIDMetadataURL
	}
	for name, u := range map[string]string{"MICROSOFT_TOKEN_URL": cfg.TokenURL, "BOTFRAMEWORK_OPENID_METADATA_URL": cfg.OpenIDMetadataURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return nil, fmt.Errorf("teams: %s %q must be an http(s) URL", name, u)
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.InvokeTimeout <= 0 {
		opts.InvokeTimeout = 4 * time.Second
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = time.Minute
	}
	if opts.ServiceURL == "" {
		opts.ServiceURL = DefaultServiceURL
	}
	if _, err := checkServiceURL(opts.ServiceURL); err != nil {
		return nil, err
	}
	if opts.PerSecond <= 0 {
		opts.PerSecond = DefaultRate
	}
	if opts.Ceiling <= 0 {
		opts.Ceiling = max(DefaultRateCeiling, opts.PerSecond)
	}
	if opts.UserTTL <= 0 {
		opts.UserTTL = 6 * time.Hour
	}
	// The engine dedupes in the store too; the set spares it the work and
	// covers answers the engine does not give.
	a := &Adapter{cfg: cfg, opts: opts, log: opts.Logger, dms: map[string]string{}, emails: newEmailCache(opts.Now),
		run: kit.NewRunOnce("teams"), pool: kit.NewPool(opts.Workers, opts.Queue), seen: kit.NewTTLSet(time.Hour, opts.Now)}
	a.intake = kit.NewIntake(a.run, a.seen, a.pool, a.log)
	a.validator = NewValidator(cfg.AppID, ValidatorOptions{MetadataURL: cfg.OpenIDMetadataURL, HTTPClient: opts.HTTPClient, Now: opts.Now, MinRefresh: opts.MinKeyRefresh})
	a.conn = NewConnector(cfg.AppID, cfg.AppPassword, cfg.TokenURL, ConnectorOptions{HTTPClient: opts.HTTPClient, Now: opts.Now,
		Retries: opts.Retries, Backoff: opts.Backoff, MaxWait: opts.MaxWait})
	return a, nil
}

// UseInbox makes the adapter record every activity for the engine in ib
// before Teams has its answer, and handle at Run's start what ib kept from
// before a restart. Call it before Run.
func (a *Adapter) UseInbox(ib chat.Inbox) { a.intake.UseInbox(ib) }

// Connector is the adapter's Bot Connector client.
func (a *Adapter) Connector() *Connector { return a.conn }

// Microsoft documents the Bot Connector's limits per bot per thread as 7
// operations a second, 8 in 2 seconds, 60 in 30 seconds and 1,800 an hour,
// and "the global limit per app per tenant is 50 Requests Per Second"
// (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). The
// dispatcher starts below the tenant's limit, leaving room for replies,
// and learns up to it from the 429s; both are configuration (teams.rate,
// teams.rate_ceiling).
const (
	DefaultRate        = 30.0
	DefaultRateCeiling = 50.0
)

// Pacing is how fast the engine may post to Teams: 500ms apart in a
// conversation (60 in 30 seconds, within 7 a second and 8 in 2), and across
// the tenant from Options.PerSecond up to Options.Ceiling.
func (a *Adapter) Pacing() chat.Pacing {
	return chat.Pacing{PerSecond: a.opts.PerSecond, Ceiling: a.opts.Ceiling, Burst: 10, PerConversation: 500 * time.Millisecond}
}

// Run handles activities posted to Handler until ctx ends, then stops
// taking new ones and waits for those already accepted. Serve Handler
// with an http.Server.
func (a *Adapter) Run(ctx context.Context, h chat.Handler) error {
	if err := a.run.Start(h); err != nil {
		return err
	}
	a.pool.Start()
	a.replay(ctx)
	a.run.SetRunning(true)
	a.log.Info("ready for Teams activities", "endpoint", "/api/messages")
	<-ctx.Done()
	a.run.SetRunning(false)
	a.pool.Stop()
	return nil
}

// take admits an activity for the engine before Teams has its answer: a
// repeat of one taken within the hour is dropped, a new one recorded in
// the inbox and handed to the workers. It reports false when the activity
// was not taken (it could not be recorded, the queue is full: Teams has
// its 503 at once, it waits for no room, or the adapter is not running);
// its id is then forgotten, so that Teams' redelivery is taken.
func (a *Adapter) take(ctx context.Context, in inbound) bool {
	switch a.intake.Admit(ctx, in.ev) {
	case kit.Duplicate:
		return true
	case kit.Refused:
		return false
	}
	return a.intake.Queue(in.ev, func() { a.work(in) }, 0, false)
}

func (a *Adapter) work(in inbound) {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.JobTimeout)
	defer cancel()
	r := &responder{a: a, act: in.act, ev: in.ev}
	if in.unknown != "" {
		if err := r.Respond(ctx, chat.Text(in.unknown)); err != nil {
			a.log.Error("answer unknown card action", "err", err)
		}
		return
	}
	// Teams has had its 200: the sender's e-mail, which may join their
	// account to the same person's on another platform, is looked up now.
	a.fillEmail(ctx, in.act, &r.ev, memberTimeout)
	a.run.Handler().Handle(ctx, r.ev, r)
}

// Handler serves POST /api/messages and GET /healthz.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/messages", a.serveMessages)
	mux.Handle("GET /healthz", kit.NewHealth(a.run.Running))
	return mux
}

func (a *Adapter) serveMessages(w http.ResponseWriter, r *http.Request) {
	// The token first: an unauthenticated body is not even read.
	claims, err := a.validator.ValidateToken(r.Context(), r.Header.Get("Authorization"))
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	body, ok := kit.ReadBody(w, r, a.opts.MaxBody)
	if !ok {
		return
	}
	act, err := ParseActivity(body)
	if err != nil {
		// The body names no Go type or field; the log has the detail.
		msg := "malformed activity"
		var ae *ActivityError
		if errors.As(err, &ae) {
			msg = ae.Body
		}
		a.log.Warn("refused an activity", "remote", r.RemoteAddr, "err", err)
		http.Error(w, msg, http.StatusBadRequest)
		return
	}
	if err := claims.CheckActivity(act.ServiceURL, act.ChannelID); err != nil {
		a.refuse(w, r, err)
		return
	}
	if tenant := foreignTenant(act, a.cfg.TenantID); tenant != "" {
		// Another organisation's activity (the bot is single-tenant, and
		// one okrbot may file every event under one workspace): dropped,
		// before it can name a Bot Connector, with a 200 so that Teams
		// does not send it again.
		a.log.Warn("dropped a Teams activity from another tenant", "tenant", clip(tenant), "type", clip(string(act.Type)))
		w.WriteHeader(http.StatusOK)
		return
	}
	if !a.run.Running() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	a.mu.Lock()
	a.serviceURL = act.ServiceURL
	a.mu.Unlock()
	in := translate(act, a.opts.Now())
	if in.invoke {
		a.serveInvoke(w, r, in)
		return
	}
	if (in.handle || in.unknown != "") && !a.take(r.Context(), in) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// foreignTenant is the tenant an activity names (conversation.tenantId or
// channelData.tenant.id) when it is not tenant, else "". An activity that
// names none is not foreign.
func foreignTenant(act *schema.Activity, tenant string) string {
	ids := []string{act.Conversation.TenantID}
	if t, ok := act.ChannelData["tenant"].(map[string]any); ok {
		id, _ := t["id"].(string)
		ids = append(ids, id)
	}
	tenant = strings.TrimSpace(tenant)
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !strings.EqualFold(id, tenant) {
			return id
		}
	}
	return ""
}

// clip shortens what a request said for the log.
func clip(s string) string {
	const limit = 64
	if len(s) > limit {
		return strings.ToValidUTF8(s[:limit], "") + "…"
	}
	return s
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnauthorized
	var ae *AuthError
	if errors.As(err, &ae) {
		status = ae.Status
	}
	a.log.Warn("refused a request to /api/messages", "status", status, "remote", r.RemoteAddr, "err", err)
	http.Error(w, http.StatusText(status), status)
}

// InvokeResponse is the body of the answer to an adaptiveCard/action
// invoke: a card that replaces the one acted on, or a message.
type InvokeResponse struct {
	StatusCode int    `json:"statusCode"`
	Type       string `json:"type"`
	Value      any    `json:"value"`
}

const messageContentType = "application/vnd.microsoft.activity.message"

// invokeAnswer is the invoke response for m, and the activities of m that
// do not fit in it (a message too large for one card), to be posted.
func invokeAnswer(m chat.Message) (InvokeResponse, []*Activity) {
	if textOnly(m) {
		return InvokeResponse{StatusCode: 200, Type: messageContentType, Value: chat.PlainText(m.Text)}, nil
	}
	outs := RenderActivities(m)
	return InvokeResponse{StatusCode: 200, Type: CardContentType, Value: outs[0].Attachments[0].Content}, outs[1:]
}

// serveInvoke answers an Action.Execute in the HTTP response: the engine's
// answer when it comes within InvokeTimeout, "working on it" otherwise (the
// answer is then posted to the conversation).
func (a *Adapter) serveInvoke(w http.ResponseWriter, r *http.Request, in inbound) {
	write := func(m chat.Message) {
		resp, rest := invokeAnswer(m)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(resp)
		if len(rest) > 0 {
			// The rest of a message too large for one card follows in
			// the conversation.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), a.opts.JobTimeout)
				defer cancel()
				act := *in.act
				act.ID = ""
				r := &responder{a: a, act: &act, ev: in.ev}
				if err := r.post(ctx, rest); err != nil {
					a.log.Error("post the rest of an invoke answer", "err", err)
				}
			}()
		}
	}
	if in.unknown != "" || !in.handle {
		write(chat.Text(unknownAction))
		return
	}
	switch a.intake.Admit(r.Context(), in.ev) {
	case kit.Duplicate:
		write(chat.Text("Already done."))
		return
	case kit.Refused:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	ir := &invokeResponder{responder: responder{a: a, act: in.act, ev: in.ev}, answer: make(chan chat.Message, 1)}
	done := make(chan struct{})
	h := a.run.Handler()
	go func() {
		defer close(done)
		defer a.intake.Done(in.ev)
		ctx, cancel := context.WithTimeout(context.Background(), a.opts.JobTimeout)
		defer cancel()
		// The answer is due within InvokeTimeout whatever happens here: a
		// slow roster lookup makes it "working on it", never late. Half
		// of that time at most goes to the lookup.
		ev := in.ev
		a.fillEmail(ctx, in.act, &ev, min(memberTimeout, a.opts.InvokeTimeout/2))
		ir.ev = ev
		h.Handle(ctx, ev, ir)
	}()
	timer := time.NewTimer(a.opts.InvokeTimeout)
	defer timer.Stop()
	finished := false
	select {
	case m := <-ir.answer:
		write(m)
		return
	case <-done:
		finished = true
	case <-timer.C:
	case <-r.Context().Done():
	}
	ir.mu.Lock()
	answered := ir.used
	ir.late = true
	ir.mu.Unlock()
	switch {
	case answered:
		write(<-ir.answer)
	case finished:
		write(chat.Text("Done."))
	default:
		write(chat.Text("Working on it… I'll post the answer here."))
	}
}

// responder answers in the conversation of an activity: a reply to it, or,
// for a submitted form, an update of the card it came from.
type responder struct {
	a   *Adapter
	act *schema.Activity
	ev  chat.Event
}

// Respond implements chat.Responder. A message too large for one activity
// goes as several (see RenderActivities).
func (r *responder) Respond(ctx context.Context, m chat.Message) error {
	m = r.a.placeImages(ctx, m)
	outs := RenderActivities(m)
	act := r.act
	conv := act.Conversation.ID
	if r.ev.Kind == chat.EventFormSubmit && act.ReplyToID != "" && !m.Ephemeral && (m.Form == nil || m.Form.Invalid()) {
		// The card the form was submitted from is replaced by what was
		// recorded, or by the form again with the answers as submitted and
		// the reasons under the refused ones; a refusal (ephemeral) leaves
		// it for another try.
		err := r.a.conn.UpdateActivity(ctx, act.ServiceURL, conv, act.ReplyToID, outs[0])
		if err == nil {
			outs = outs[1:]
		} else {
			r.a.log.Warn("update the submitted card; replying instead", "err", err)
			outs = RenderActivities(m)
		}
	}
	return r.post(ctx, outs)
}

// post sends activities into the conversation in order: as replies to the
// activity when it has an id (in a channel, into its thread).
func (r *responder) post(ctx context.Context, outs []*Activity) error {
	act := r.act
	for _, out := range outs {
		var err error
		if act.ID != "" {
			_, err = r.a.conn.ReplyToActivity(ctx, act.ServiceURL, act.Conversation.ID, act.ID, out)
		} else {
			_, err = r.a.conn.SendToConversation(ctx, act.ServiceURL, act.Conversation.ID, out)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// invokeResponder hands the first answer to the invoke's HTTP response,
// and posts any later one, or one past the deadline, to the conversation.
type invokeResponder struct {
	responder
	answer chan chat.Message

	mu   sync.Mutex
	used bool
	late bool
}

func (r *invokeResponder) Respond(ctx context.Context, m chat.Message) error {
	m = r.a.placeImages(ctx, m)
	r.mu.Lock()
	if !r.used && !r.late {
		r.used = true
		r.answer <- m
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	for _, out := range RenderActivities(m) {
		if _, err := r.a.conn.SendToConversation(ctx, r.act.ServiceURL, r.act.Conversation.ID, out); err != nil {
			return err
		}
	}
	return nil
}

// Send posts m proactively. to.Ref, a conversation reference stored from
// an earlier activity, names the Bot Connector and conversation; without
// one, to.ID is used as a conversation id (a channel's "19:…" id), or, for
// a person (to.UserID) never talked to, the 1:1 conversation is created
// first in the configured tenant. It returns the posted activity's id.
func (a *Adapter) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	m = a.placeImages(ctx, m)
	serviceURL, conv := "", to.ID
	if to.Ref != "" {
		var ref schema.ConversationReference
		if err := json.Unmarshal([]byte(to.Ref), &ref); err != nil {
			return chat.SentRef{}, fmt.Errorf("teams: bad conversation reference: %w", err)
		}
		serviceURL = ref.ServiceURL
		if ref.Conversation.ID != "" {
			conv = ref.Conversation.ID
		}
	}
	if serviceURL == "" {
		a.mu.Lock()
		serviceURL = a.serviceURL
		a.mu.Unlock()
		if serviceURL == "" {
			serviceURL = a.opts.ServiceURL
		}
	}
	if to.Ref == "" && to.UserID != "" && !isConversationID(conv, to.UserID) {
		var err error
		if conv, err = a.directConversation(ctx, serviceURL, to.UserID); err != nil {
			return chat.SentRef{}, err
		}
	}
	if conv == "" {
		return chat.SentRef{}, errors.New("teams: send: no conversation")
	}
	// A message too large for one activity goes as several; the first
	// one's id names what was sent.
	var first string
	for i, out := range RenderActivities(m) {
		if i > 0 {
			// Within Teams' limit of 8 messages in 2 seconds to one
			// conversation, which the dispatcher counted as one.
			if err := kit.Sleep(ctx, partSpacing); err != nil {
				return chat.SentRef{Conversation: conv, ID: first}, nil
			}
		}
		// The first part's 429 tells the dispatcher to slow down; once it
		// is out, the rest wait their limits out here.
		sctx := ctx
		if i == 0 {
			sctx = reportLimits(ctx)
		}
		id, err := a.conn.SendToConversation(sctx, serviceURL, conv, out)
		if err != nil {
			if i > 0 {
				// Part of it is posted: sending all of it again would
				// repeat that part, so report what went.
				a.log.Error("post the rest of a large message", "conversation", conv, "sent", i, "err", err)
				break
			}
			return chat.SentRef{}, err
		}
		if i == 0 {
			first = id
		}
	}
	return chat.SentRef{Conversation: conv, ID: first}, nil
}

// partSpacing is the pause between the activities of one split message.
const partSpacing = 250 * time.Millisecond

// isConversationID reports whether id is a Teams conversation id rather
// than the id of the person userID.
func isConversationID(id, userID string) bool {
	return id != "" && id != userID && (strings.HasPrefix(id, "a:") || strings.HasPrefix(id, "19:"))
}

func (a *Adapter) directConversation(ctx context.Context, serviceURL, userID string) (string, error) {
	a.mu.Lock()
	conv, ok := a.dms[userID]
	a.mu.Unlock()
	if ok {
		return conv, nil
	}
	conv, err := a.conn.CreateConversation(ctx, serviceURL, a.cfg.TenantID, userID)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	a.dms[userID] = conv
	a.mu.Unlock()
	return conv, nil
}
