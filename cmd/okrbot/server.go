package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/teams"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/inbox"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// serve runs okrbot for every configured chat platform at once: the
// adapters, the engine, the scheduler and the dispatcher, and one HTTP
// server for the platforms' endpoints and /healthz, until ctx ends.
func serve(ctx context.Context, cfg *config, stdout io.Writer, log *slog.Logger) error {
	plats, err := planServe(cfg, log)
	if err != nil {
		return err
	}
	s, err := buildServer(ctx, cfg, plats, log)
	if err != nil {
		return err
	}
	err = s.run(ctx, stdout)
	if cerr := s.close(); err == nil {
		err = cerr
	}
	return err
}

// planServe reads which chat platforms the configuration sets up. Their
// adapters are made here because making one is what checks its settings
// (it connects to nothing and starts nothing), so a bad token is one line
// before the database is touched.
func planServe(cfg *config, log *slog.Logger) ([]platform, error) {
	var plats []platform
	if sc, ok, err := slackConfig(cfg.getenv); err != nil {
		return nil, err
	} else if ok {
		a, err := slack.New(sc, slack.Options{Logger: log, Workers: cfg.workers, PerSecond: cfg.pacing.slackRate, Ceiling: cfg.pacing.slackCeiling})
		if err != nil {
			return nil, err
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
		return nil, err
	} else if ok {
		a, err := teams.New(tc, teams.Options{Logger: log, Workers: cfg.workers, PerSecond: cfg.pacing.teamsRate, Ceiling: cfg.pacing.teamsCeiling})
		if err != nil {
			return nil, err
		}
		plats = append(plats, platform{name: "teams", adapter: a, health: a.Handler(), routes: map[string]http.Handler{"/api/messages": a.Handler()}})
	}
	if len(plats) == 0 {
		return nil, errors.New("no chat platform is configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode), or MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID; without them `okrbot` runs the terminal chat")
	}
	return plats, nil
}

// server is okrbot serve built: every part made and wired to the others,
// nothing running yet.
type server struct {
	log        *slog.Logger
	plats      []platform
	store      backend
	tallyStore okrcore.Store // store behind the write watch, for keepTally
	closeStore func()
	engine     *bot.Engine
	disp       *outbox.Dispatcher
	sched      *schedule.Scheduler
	http       *http.Server
	pprofAddr  string                // the profiler's listener; "" for none (pprof.go)
	backups    func(context.Context) // nil without --backup-dir
	inbox      *inbox.Inbox          // what the adapters acknowledged and have not handled yet
	// built is the engine once it is, for the control socket's requests,
	// which may come while the server is still being built.
	built atomic.Pointer[bot.Engine]

	// What run started, for close to stop.
	cancel      context.CancelFunc
	errs        chan error // the scheduler's and the adapters' Run
	pending     int        // how many of errs are still to come
	backupsDone chan struct{}
	tallyDone   chan struct{}
	closed      bool
}

// buildServer opens the store and makes the engine, the dispatcher, the
// scheduler and the HTTP server around the platforms. The store is open
// (control socket, housekeeping) when it returns; close releases it.
func buildServer(ctx context.Context, cfg *config, plats []platform, log *slog.Logger) (*server, error) {
	s := &server{log: log, plats: plats}
	db, closeStore, err := openStore(ctx, cfg.db, cfg.init, log, map[string]controlHandler{"people": s.controlPeople(cfg.workspace)})
	if err != nil {
		return nil, err
	}
	s.store, s.closeStore = db, closeStore
	if s.backups, err = backupsFor(db, cfg, log); err != nil {
		closeStore()
		return nil, err
	}
	now := time.Now
	if cfg.now != nil {
		now = cfg.now
	}
	// Everything that writes goes through watch, so /readyz knows when the
	// store's writes fail (ready.go). The clock is the real one: --clock
	// stops okrbot's time, not the probe's.
	watch := newWriteWatch(db, time.Now)
	s.tallyStore = watch
	if cfg.workspace != "" {
		warnUnserved(ctx, watch, cfg.workspace, log)
	}
	obs := &observer{}
	served := make([]string, 0, len(plats))
	senders := map[string]chat.Sender{}
	pacings := map[string]chat.Pacing{}
	dirs := map[string]chat.Directory{}
	mux := http.NewServeMux()
	for _, p := range plats {
		served = append(served, p.name)
		senders[p.name] = p.adapter
		pacings[p.name] = p.adapter.Pacing()
		if d, ok := p.adapter.(chat.Directory); ok {
			dirs[p.name] = d
		}
		for path, h := range p.routes {
			mux.Handle(path, h)
		}
	}
	s.engine = bot.NewEngine(watch, bot.Options{Now: now, Logger: log, DialogTTL: cfg.dialogTTL, Observer: obs,
		Workspace: cfg.workspace, DefaultTimeZone: cfg.timeZone, Platforms: served, Directories: dirs})
	if err := mountWeb(cfg, watch, s.engine, plats, mux, now, log); err != nil {
		closeStore()
		return nil, err
	}
	s.built.Store(s.engine)
	// Every adapter records what it acknowledges, and handles what a
	// process killed before left unhandled when its Run starts.
	s.inbox = s.engine.NewInbox()
	for _, p := range plats {
		if u, ok := p.adapter.(chat.InboxUser); ok {
			u.UseInbox(s.inbox)
		}
	}
	// Leases are measured on the real clock: --clock stops the bot's time,
	// not the replicas' lives.
	dopts := outbox.Options{Now: now, LeaseNow: time.Now, Lease: cfg.outboxLease, Logger: log, Pacings: pacings, Owner: outbox.NewOwner()}
	// watch hides the store's lease (PostgreSQL): it is taken from the
	// store itself, so that replicas on one database share the outbox.
	if c, ok := db.(outbox.Claimer); ok {
		dopts.Claimer = c
	}
	s.disp = outbox.NewDispatcher(watch, s.engine, outbox.ByPlatform(senders), dopts)
	met := newMetrics(watch, s.disp, plats)
	obs.set(met)
	mux.Handle("GET /healthz", alive())
	mux.Handle("GET /readyz", ready(watch, plats))
	mux.Handle("GET /metrics", met.handler())
	s.sched = schedule.NewScheduler(watch, schedule.Options{Now: now, Logger: log, Grace: cfg.grace, Workspace: cfg.workspace})
	s.pprofAddr = cfg.pprofAddr
	s.http = &http.Server{Addr: cfg.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
	return s, nil
}

// maxHeaderBytes caps a request's headers: Slack's and Microsoft's fit in
// a few KiB; Go's default (1 MiB) lets a client hold that much per
// connection.
const maxHeaderBytes = 64 << 10

// run starts the backups, the scheduler, the adapters and the HTTP server,
// and returns when ctx ends (nil) or when the first of them stops (its
// error). It leaves the rest running: close stops them.
func (s *server) run(ctx context.Context, stdout io.Writer) error {
	ctx, s.cancel = context.WithCancel(ctx)
	if s.backups != nil {
		s.backupsDone = make(chan struct{})
		go func() {
			defer close(s.backupsDone)
			s.backups(ctx)
		}()
	}
	// The check-in tally is built beside the rest, its writes one block
	// at a time between chat's.
	s.tallyDone = make(chan struct{})
	go func() {
		defer close(s.tallyDone)
		keepTally(ctx, s.tallyStore, tallyEvery, s.log)
	}()
	s.errs = make(chan error, len(s.plats)+1)
	s.pending = len(s.plats) + 1
	go func() {
		s.errs <- s.sched.Run(ctx, time.Minute, func(ctx context.Context) {
			if err := s.disp.Drain(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("send scheduled messages", "err", err)
			}
		})
	}()
	for _, p := range s.plats {
		go func() { s.errs <- p.adapter.Run(ctx, s.engine) }()
	}
	addr := s.http.Addr
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	var prof net.Listener
	if s.pprofAddr != "" {
		if prof, err = net.Listen("tcp", s.pprofAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen for the profiler on %s: %w", s.pprofAddr, err)
		}
		go servePprof(ctx, prof, s.log)
	}
	srvErr := make(chan error, 1)
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			srvErr <- fmt.Errorf("serve %s: %w", addr, err)
		}
	}()
	names := make([]string, 0, len(s.plats))
	for _, p := range s.plats {
		names = append(names, p.name)
	}
	fmt.Fprintf(stdout, "okrbot serves %s on http://%s (health: /healthz)\n", strings.Join(names, " and "), ln.Addr())
	if prof != nil {
		fmt.Fprintf(stdout, "okrbot's profiler is on http://%s/debug/pprof/\n", prof.Addr())
	}
	// The first part to stop (an error, or ctx) stops the others.
	select {
	case err := <-s.errs:
		s.pending--
		return err
	case err := <-srvErr:
		return err
	case <-ctx.Done():
		return nil
	}
}

// close stops what run started, in order: the adapters and the HTTP
// server stop taking events (the adapters finish those they acknowledged),
// the scheduler's sends in flight finish (the dispatcher gives them 10 s
// once shutdown begins), the backups stop; then the store closes. It
// returns the first error of those parts. Without run it only releases
// the store.
func (s *server) close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	var first error
	if s.cancel != nil {
		s.cancel()
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		_ = s.http.Shutdown(sctx)
		stop()
		for range s.pending {
			if err := <-s.errs; first == nil {
				first = err
			}
		}
		if s.backupsDone != nil {
			<-s.backupsDone
		}
		<-s.tallyDone
		// Views answer before their dedupe marks are durable; the marks
		// land before the records of the events they answered go.
		if e := s.built.Load(); e != nil {
			e.Wait()
		}
		// The adapters finished what they acknowledged: their records go.
		fctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.inbox.Flush(fctx); err != nil {
			s.log.Warn("clear the records of handled events", "err", err)
		}
		stop()
	}
	s.closeStore()
	return first
}
