package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/teams"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// slackConfig reads Slack's settings from the environment; ok is false
// when none is set.
func slackConfig(getenv func(string) string) (c slack.Config, ok bool, err error) {
	var errs []error
	read := func(name string) string {
		v, err := secret(getenv, name)
		errs = append(errs, err)
		return v
	}
	c = slack.Config{
		BotToken:      read("SLACK_BOT_TOKEN"),
		AppToken:      read("SLACK_APP_TOKEN"),
		SigningSecret: read("SLACK_SIGNING_SECRET"),
		APIURL:        getenv("SLACK_API_URL"),
	}
	ok = c.BotToken != "" || c.AppToken != "" || c.SigningSecret != ""
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"} {
		ok = ok || getenv(name+"_FILE") != ""
	}
	return c, ok, errors.Join(errs...)
}

// secret reads a secret from the environment variable NAME or, for
// container secrets, from the file named by NAME_FILE (trailing newline
// trimmed).
func secret(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s", name, path)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// teamsConfig reads Microsoft Teams' settings from the environment; ok is
// false when none is set.
func teamsConfig(getenv func(string) string) (teams.Config, bool, error) {
	pw, err := secret(getenv, "MICROSOFT_APP_PASSWORD")
	c := teams.Config{
		AppID:             getenv("MICROSOFT_APP_ID"),
		AppPassword:       pw,
		TenantID:          getenv("MICROSOFT_APP_TENANT_ID"),
		TokenURL:          getenv("MICROSOFT_TOKEN_URL"),
		OpenIDMetadataURL: getenv("BOTFRAMEWORK_OPENID_METADATA_URL"),
	}
	ok := c.AppID != "" || c.AppPassword != "" || c.TenantID != "" || getenv("MICROSOFT_APP_PASSWORD_FILE") != ""
	return c, ok, err
}

// platform is one configured chat adapter as serve runs it.
type platform struct {
	name    string
	adapter interface {
		chat.Adapter
		Pacing() chat.Pacing
	}
	// routes are mounted on the one HTTP server ("" for Socket Mode).
	routes map[string]http.Handler
	health http.Handler
}

// serve runs okrbot for every configured chat platform at once: the
// adapters, the engine, the scheduler and the dispatcher, and one HTTP
// server for the platforms' endpoints and /healthz, until ctx ends.
func serve(ctx context.Context, cfg *config, stdout io.Writer, log *slog.Logger) error {
	var plats []platform
	if sc, ok, err := slackConfig(cfg.getenv); err != nil {
		return err
	} else if ok {
		a, err := slack.New(sc, slack.Options{Logger: log, Workers: cfg.workers})
		if err != nil {
			return err
		}
		p := platform{name: slack.Platform, adapter: a, health: a.Handler(), routes: map[string]http.Handler{}}
		if !a.SocketMode() {
			for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
				p.routes[path] = a.Handler()
			}
		}
		plats = append(plats, p)
	}
	if tc, ok, err := teamsConfig(cfg.getenv); err != nil {
		return err
	} else if ok {
		a, err := teams.New(tc, teams.Options{Logger: log, Workers: cfg.workers})
		if err != nil {
			return err
		}
		plats = append(plats, platform{name: "teams", adapter: a, health: a.Handler(), routes: map[string]http.Handler{"/api/messages": a.Handler()}})
	}
	if len(plats) == 0 {
		return errors.New("no chat platform is configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode), or MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID; without them `okrbot` runs the terminal chat")
	}
	db, closeStore, err := openStore(ctx, cfg.db, log)
	if err != nil {
		return err
	}
	defer closeStore()
	now := time.Now
	if cfg.now != nil {
		now = cfg.now
	}
	if cfg.workspace != "" {
		warnUnserved(ctx, db, cfg.workspace, log)
	}
	obs := &observer{}
	served := make([]string, 0, len(plats))
	for _, p := range plats {
		served = append(served, p.name)
	}
	engine := bot.NewEngine(db, bot.Options{Now: now, Logger: log, DialogTTL: cfg.dialogTTL, Observer: obs,
		Workspace: cfg.workspace, DefaultTimeZone: cfg.timeZone, Platforms: served})
	senders := map[string]chat.Sender{}
	pacings := map[string]chat.Pacing{}
	mux := http.NewServeMux()
	var names []string
	for _, p := range plats {
		senders[p.name] = p.adapter
		pacings[p.name] = p.adapter.Pacing()
		for path, h := range p.routes {
			mux.Handle(path, h)
		}
		names = append(names, p.name)
	}
	mux.Handle("GET /healthz", alive())
	disp := outbox.NewDispatcher(db, engine, outbox.ByPlatform(senders), outbox.Options{Now: now, Logger: log, Pacings: pacings})
	met := newMetrics(db, disp, plats)
	obs.set(met)
	mux.Handle("GET /readyz", ready(db, plats))
	mux.Handle("GET /metrics", met.handler())
	sched := schedule.NewScheduler(db, schedule.Options{Now: now, Logger: log, Grace: cfg.grace, Workspace: cfg.workspace})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.backupDir != "" {
		fb, ok := db.(fileBackup)
		if !ok {
			return fmt.Errorf("backup-dir %s: %w", cfg.backupDir, errNoHotBackup)
		}
		backupsDone := make(chan struct{})
		go func() {
			defer close(backupsDone)
			scheduledBackups(ctx, fb, cfg.backupDir, cfg.backupEvery, cfg.backupKeep, time.Now, log)
		}()
		// Deferred calls run last-first: the backups stop before the
		// database closes.
		defer func() { cancel(); <-backupsDone }()
	}
	errs := make(chan error, len(plats)+1)
	go func() {
		errs <- sched.Run(ctx, time.Minute, func(ctx context.Context) {
			if err := disp.Drain(ctx); err != nil && ctx.Err() == nil {
				log.Error("send scheduled messages", "err", err)
			}
		})
	}()
	for _, p := range plats {
		go func() { errs <- p.adapter.Run(ctx, engine) }()
	}
	srv := &http.Server{Addr: cfg.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		cancel()
		for range len(plats) + 1 {
			<-errs
		}
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srvErr := make(chan error, 1)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srvErr <- fmt.Errorf("serve %s: %w", cfg.addr, err)
		}
	}()
	fmt.Fprintf(stdout, "okrbot serves %s on http://%s (health: /healthz)\n", strings.Join(names, " and "), ln.Addr())
	// The first part to stop (an error, or ctx) stops the others.
	var first error
	pending := len(plats) + 1 // the scheduler and the adapters, waited for before the database closes
	select {
	case first = <-errs:
		pending--
	case first = <-srvErr:
	case <-ctx.Done():
	}
	cancel()
	sctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	_ = srv.Shutdown(sctx)
	stop()
	for range pending {
		if err := <-errs; first == nil {
			first = err
		}
	}
	return first
}

// observer forwards the engine's observations to the metrics, which are
// built after the engine (they read the dispatcher the engine feeds).
type observer struct {
	mu sync.Mutex
	m  *metrics
}

func (o *observer) set(m *metrics) {
	o.mu.Lock()
	o.m = m
	o.mu.Unlock()
}

func (o *observer) get() *metrics {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.m
}

func (o *observer) EventHandled(platform string, kind chat.EventKind, took time.Duration) {
	if m := o.get(); m != nil {
		m.EventHandled(platform, kind, took)
	}
}

func (o *observer) CheckInsRecorded(platform string, n int) {
	if m := o.get(); m != nil {
		m.CheckInsRecorded(platform, n)
	}
}

// alive answers /healthz, the liveness probe: the process serves requests.
// It does not look at the platforms: when Slack or Microsoft is down, a
// restart would not bring them back, and restarting would stop the other
// platform's nudges too. /readyz says whether every platform is connected.
func alive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
}

// warnUnserved tells the operator about workspaces the database holds but
// --workspace leaves out: their people get no nudges and, when they write,
// start afresh in the served workspace. Setting workspace to a platform
// workspace's id (a Slack team id) is how an existing programme is kept
// when a second platform joins.
func warnUnserved(ctx context.Context, store okrcore.Store, served string, log *slog.Logger) {
	_ = store.View(ctx, func(tx okrcore.Tx) error {
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		for _, w := range wss {
			if w.ID == served {
				continue
			}
			us, err := tx.Users(w.ID)
			if err != nil || len(us) == 0 {
				continue
			}
			log.Warn("a workspace in the database is not served: its people are not nudged and start afresh when they write; set workspace to its id to keep its OKRs",
				"workspace", w.ID, "platform", w.Platform, "people", len(us), "served", served)
		}
		return nil
	})
}
