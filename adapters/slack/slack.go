// Package slack connects the okrbot engine to Slack with slack-go: Socket
// Mode (no public URL) or HTTP (Events API, slash commands and
// interactivity), Block Kit messages, modals and the App Home tab.
//
// Both transports share one translator from Slack payloads to chat.Event.
// Every delivery is acknowledged at once and the work handed to a bounded
// pool; answers go out through response_url or the Web API.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// Platform is the platform name of events from Slack.
const Platform = "slack"

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Config is how to reach Slack: the environment variables SLACK_BOT_TOKEN,
// SLACK_APP_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL.
type Config struct {
	// BotToken (xoxb-…) calls the Web API. Required.
	BotToken string
	// AppToken (xapp-…, scope connections:write) selects Socket Mode.
	AppToken string
	// SigningSecret verifies HTTP requests; required without AppToken.
	SigningSecret string
	// APIURL is the Web API base; default DefaultAPIURL. Tests point it
	// at a fake.
	APIURL string
}

// Options tune an Adapter; the zero value is fine.
type Options struct {
	Logger *slog.Logger
	// Workers is how many events are handled at once after the ack;
	// default 16.
	Workers int
	// Queue is how many acknowledged events may wait for a worker;
	// default 1024. When it is full, HTTP deliveries are refused (Slack
	// retries them) and Socket Mode stops reading until there is room.
	Queue int
	// HTTPClient calls the Web API; default a client with a 30s timeout.
	HTTPClient *http.Client
	// Now is the clock for caches; default time.Now. (Request timestamps
	// are checked against the real clock, as Slack signs them.)
	Now func() time.Time
	// PerSecond is the workspace-wide pace proactive messages start at;
	// default DefaultRate. See Pacing.
	PerSecond float64
	// Ceiling is the most the dispatcher raises that pace to while Slack
	// accepts; default DefaultRateCeiling.
	Ceiling float64
	// UserTTL is how long users.info answers are cached; default 1 hour.
	UserTTL time.Duration
	// DedupeTTL is how long delivered event ids are remembered in memory
	// (the engine remembers them in the store too); default 1 hour.
	DedupeTTL time.Duration
	// MaxBody is the largest HTTP request body accepted; default 1 MiB.
	MaxBody int64
	// JobTimeout bounds the handling of one event; default 1 minute.
	JobTimeout time.Duration
	// NoHomeRefresh turns off republishing a person's Home tab after a
	// form they submitted was accepted.
	NoHomeRefresh bool
	// ViewWait is how long the request of a submitted modal waits for the
	// engine's answer, so that refused answers are shown in the modal,
	// which stays open (Slack waits 3 seconds); default 2.5s. After it the
	// modal closes and the answer is posted.
	ViewWait time.Duration
	// DirectoryPage is how many people one users.list call asks for
	// (Slack advises at most 200); default 200.
	DirectoryPage int
	// DirectoryWait is the longest Retry-After a directory listing waits
	// out before it gives up (users.list allows about 20 calls a minute);
	// default 1 minute.
	DirectoryWait time.Duration
}

// Adapter is the Slack adapter. It implements chat.Adapter, chat.Pacer
// and chat.Reconciler. Forms and Home tab refreshes, which a chat.Message
// asks for, go through OpenForm and PublishHome from Respond; Update
// replaces a message sent before.
type Adapter struct {
	cfg  Config
	opts Options
	api  *slackapi.Client
	log  *slog.Logger
	now  func() time.Time

	run     *kit.RunOnce
	seen    *kit.TTLSet // event ids handed to the pool
	replays *kit.TTLSet // request signatures already accepted
	users   *userCache
	lookups chan struct{} // the users.info lookups started ahead (prefetchProfile)
	pool    *kit.Pool
	intake  *kit.Intake // seen, the pool and the inbox, before and after the ack

	mu      sync.Mutex
	botUser string            // the bot's own user id (auth.test or event authorizations)
	dms     map[string]string // team|user → the bot's IM channel with that person
	home    homeFiles
}

// Compile-time checks of the capabilities the engine looks for.
var (
	_ chat.Adapter    = (*Adapter)(nil)
	_ chat.Pacer      = (*Adapter)(nil)
	_ chat.Reconciler = (*Adapter)(nil)
	_ chat.InboxUser  = (*Adapter)(nil)
	_ chat.Directory  = (*Adapter)(nil)
)

// New checks cfg and returns an adapter. It makes no network calls.
func New(cfg Config, opts Options) (*Adapter, error) {
	if !strings.HasPrefix(cfg.BotToken, "xoxb-") {
		return nil, errors.New("slack: SLACK_BOT_TOKEN (slack.bot_token in the configuration file) must be a bot token starting with xoxb- (Slack app settings → OAuth & Permissions → Bot User OAuth Token)")
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		return nil, errors.New("slack: SLACK_APP_TOKEN (slack.app_token) must be an app-level token starting with xapp- (Slack app settings → Basic Information → App-Level Tokens, scope connections:write)")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		return nil, errors.New("slack: set SLACK_APP_TOKEN / slack.app_token (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET / slack.signing_secret for HTTP mode (Slack app settings → Basic Information → Signing Secret)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if u, err := url.Parse(cfg.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("slack: SLACK_API_URL (slack.api_url) %q must be an http(s) URL such as %s", cfg.APIURL, DefaultAPIURL)
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.HTTPClient == nil {
		// Go's default keeps two idle connections per host; the adapter's
		// workers and the dispatcher's share many more, and each new one is
		// a TLS handshake with Slack.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PerSecond <= 0 {
		opts.PerSecond = DefaultRate
	}
	if opts.Ceiling <= 0 {
		opts.Ceiling = max(DefaultRateCeiling, opts.PerSecond)
	}
	if opts.UserTTL <= 0 {
		opts.UserTTL = time.Hour
	}
	if opts.DedupeTTL <= 0 {
		opts.DedupeTTL = time.Hour
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = time.Minute
	}
	if opts.ViewWait <= 0 {
		opts.ViewWait = 2500 * time.Millisecond
	}
	if opts.DirectoryPage <= 0 {
		opts.DirectoryPage = 200
	}
	if opts.DirectoryWait <= 0 {
		opts.DirectoryWait = time.Minute
	}
	a := &Adapter{
		cfg:  cfg,
		opts: opts,
		log:  opts.Logger.With("adapter", Platform),
		now:  opts.Now,
		dms:  map[string]string{},
	}
	apiOpts := []slackapi.Option{slackapi.OptionAPIURL(cfg.APIURL), slackapi.OptionHTTPClient(opts.HTTPClient)}
	if cfg.AppToken != "" {
		apiOpts = append(apiOpts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slackapi.New(cfg.BotToken, apiOpts...)
	a.run = kit.NewRunOnce(Platform)
	a.seen = kit.NewTTLSet(opts.DedupeTTL, opts.Now)
	// Slack refuses timestamps older than five minutes, so a signature
	// needs remembering a little longer than that.
	a.replays = kit.NewTTLSet(11*time.Minute, time.Now)
	a.users = newUserCache(opts.UserTTL, opts.Now)
	a.lookups = make(chan struct{}, 4*opts.Workers)
	a.pool = kit.NewPool(opts.Workers, opts.Queue)
	a.intake = kit.NewIntake(a.run, a.seen, a.pool, a.log)
	return a, nil
}

// UseInbox makes the adapter record every event in ib before Slack has
// its acknowledgement, and handle at Run's start what ib kept from before
// a restart. Call it before Run.
func (a *Adapter) UseInbox(ib chat.Inbox) { a.intake.UseInbox(ib) }

// SocketMode reports whether Run connects through Socket Mode (an app
// token is set) rather than waiting for HTTP requests.
func (a *Adapter) SocketMode() bool { return a.cfg.AppToken != "" }

// Slack documents chat.postMessage as a special tier: "1 message per
// second to a specific channel", and "limits governing your app's
// relationship with the entire workspace above that, limiting posting to
// several hundred messages per minute. Generous burst behavior is also
// granted." (docs.slack.dev/reference/methods/chat.postMessage, and
// docs.slack.dev/apis/web-api/rate-limits). The workspace figure is not
// published exactly, so the dispatcher starts at the low end of "several
// hundred a minute" and learns the rest from Slack's 429s, up to a ceiling
// at the high end; both are configuration (slack.rate, slack.rate_ceiling).
const (
	DefaultRate        = 5.0  // 300 a minute
	DefaultRateCeiling = 15.0 // 900 a minute
)

// Pacing is how fast the engine's dispatcher may post to Slack: one
// message a second per conversation, and across the workspace from
// Options.PerSecond up to Options.Ceiling, with bursts of 10.
func (a *Adapter) Pacing() chat.Pacing {
	return chat.Pacing{PerSecond: a.opts.PerSecond, Ceiling: a.opts.Ceiling, Burst: 10, PerConversation: time.Second}
}

// Run handles events until ctx ends. With an app token it connects through
// Socket Mode; otherwise it serves the requests that reach Handler (run
// an http.Server with it, or use Serve). When ctx ends, Run stops taking
// events and waits for those already acknowledged.
func (a *Adapter) Run(ctx context.Context, h chat.Handler) error {
	if err := a.run.Start(h); err != nil {
		return err
	}
	if err := a.whoAmI(ctx); err != nil {
		return err
	}
	a.pool.Start()
	a.replay(ctx)
	a.run.SetRunning(true)
	var err error
	if a.SocketMode() {
		err = a.runSocket(ctx)
	} else {
		a.log.Info("ready for Slack requests", "events", "/slack/events", "commands", "/slack/commands", "interactions", "/slack/interactions")
		<-ctx.Done()
	}
	a.run.SetRunning(false)
	a.pool.Stop()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// MaxHeaderBytes caps the headers of a request Serve reads: Slack's fit
// in a few KiB, and Go's default (1 MiB) lets a client hold that much per
// connection.
const MaxHeaderBytes = 64 << 10

// Serve runs HTTP mode on addr: Handler behind an http.Server, and Run.
// It returns when ctx ends (after a graceful shutdown) or the server fails.
func (a *Adapter) Serve(ctx context.Context, addr string, h chat.Handler) error {
	srv := &http.Server{Addr: addr, Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: MaxHeaderBytes}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- a.Run(ctx, h) }()
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.ListenAndServe() }()
	var err error
	select {
	case err = <-srvErr:
		err = fmt.Errorf("slack: serve %s: %w", addr, err)
		cancel()
	case <-ctx.Done():
		sctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		_ = srv.Shutdown(sctx)
		stop()
	}
	if rerr := <-runErr; err == nil {
		err = rerr
	}
	return err
}

// whoAmI learns the bot's user id (to ignore its own messages and strip
// its mentions) and checks the bot token. A refused token stops Run;
// anything else is logged, and the id is then learned from events.
func (a *Adapter) whoAmI(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		var se slackapi.SlackErrorResponse
		if errors.As(err, &se) && authFailure(se.Err) {
			return fmt.Errorf("slack: SLACK_BOT_TOKEN was refused (%s): copy the Bot User OAuth Token (xoxb-…) again, or reinstall the app", se.Err)
		}
		a.log.Warn("auth.test failed; the bot's user id will be learned from events", "err", err)
		return nil
	}
	a.setBotUser(res.UserID)
	a.log.Info("connected to Slack", "team", res.Team, "team_id", res.TeamID, "bot_user", res.UserID)
	return nil
}

func authFailure(code string) bool {
	switch code {
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
		return true
	}
	return false
}

func (a *Adapter) setBotUser(id string) {
	if id == "" {
		return
	}
	a.mu.Lock()
	a.botUser = id
	a.mu.Unlock()
}

func (a *Adapter) botUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUser
}

// learnDM remembers the bot's direct-message channel with a person.
func (a *Adapter) learnDM(team, user, channel string) {
	if team == "" || user == "" || channel == "" {
		return
	}
	a.mu.Lock()
	a.dms[team+"|"+user] = channel
	a.mu.Unlock()
}

// dmOf returns the bot's DM channel with a person, when known.
func (a *Adapter) dmOf(team, user string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dms[team+"|"+user]
}

// dispatch takes an HTTP delivery before its acknowledgement: it drops a
// delivery of an event already taken, records a new one in the inbox and
// hands it to the pool. It reports false when the event could not be
// recorded, or the pool had no room within wait: it is then forgotten,
// and the caller tells Slack to try again.
func (a *Adapter) dispatch(ctx context.Context, in *inbound, wait time.Duration) bool {
	a.prefetchProfile(in.ev)
	switch a.intake.Admit(ctx, in.ev) {
	case kit.Duplicate:
		in.view.settle()
		return true
	case kit.Refused:
		return false
	}
	ok := a.intake.Queue(in.ev, func() { a.process(in) }, wait, false)
	if !ok {
		a.log.Warn("too busy: event refused", "event", in.ev.ID, "kind", in.ev.Kind)
	}
	return ok
}

// process handles one event in a worker.
func (a *Adapter) process(in *inbound) {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.JobTimeout)
	defer cancel()
	// A modal whose submission got no answer closes.
	defer in.view.settle()
	h := a.run.Handler()
	if in.unknownAction {
		r := &responder{a: a, in: in}
		if err := r.Respond(ctx, chat.Text("That button no longer does anything. Try `/okr help`.")); err != nil {
			a.log.Warn("answer an unknown action", "err", err)
		}
		return
	}
	a.fillProfile(ctx, &in.ev)
	h.Handle(ctx, in.ev, &responder{a: a, in: in})
}
