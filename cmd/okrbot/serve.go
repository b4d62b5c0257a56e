package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/storage/bolt"
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

// serve runs okrbot for a chat platform: the adapter, the engine, the
// scheduler and the dispatcher, until ctx ends.
func serve(ctx context.Context, cfg *config, stdout io.Writer, log *slog.Logger) error {
	sc, ok, err := slackConfig(cfg.getenv)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("no chat platform is configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode); without them `okrbot` runs the terminal chat")
	}
	adapter, err := slack.New(sc, slack.Options{Logger: log})
	if err != nil {
		return err
	}
	db, err := bolt.Open(cfg.db, bolt.Options{Logger: log})
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	if ctl, err := serveControl(ctx, controlPath(cfg.db), db, log); err != nil {
		log.Warn("backups while running are unavailable", "err", err)
	} else {
		defer ctl.Close()
	}
	now := time.Now
	if cfg.now != nil {
		now = cfg.now
	}
	engine := bot.NewEngine(db, bot.Options{Now: now, Logger: log, DialogTTL: cfg.dialogTTL})
	disp := bot.NewDispatcher(db, engine, adapter, bot.DispatcherOptions{Now: now, Logger: log, Pacing: adapter.Pacing()})
	sched := bot.NewScheduler(db, bot.SchedulerOptions{Now: now, Logger: log, Grace: cfg.grace})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 2)
	go func() {
		errs <- sched.Run(ctx, time.Minute, func(ctx context.Context) {
			if err := disp.Drain(ctx); err != nil && ctx.Err() == nil {
				log.Error("send scheduled messages", "err", err)
			}
		})
	}()
	if adapter.SocketMode() {
		fmt.Fprintf(stdout, "okrbot is connecting to Slack over Socket Mode; health on http://%s/healthz\n", cfg.addr)
		go func() { errs <- adapter.Run(ctx, engine) }()
		srv := &http.Server{Addr: cfg.addr, Handler: healthOnly(adapter.Handler()), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("health endpoint", "addr", cfg.addr, "err", err)
			}
		}()
		defer srv.Close()
	} else {
		fmt.Fprintf(stdout, "okrbot serves Slack on http://%s (/slack/events, /slack/commands, /slack/interactions, /healthz)\n", cfg.addr)
		go func() { errs <- adapter.Serve(ctx, cfg.addr, engine) }()
	}
	// The first part to stop (an error, or ctx) stops the others.
	err = <-errs
	cancel()
	if err2 := <-errs; err == nil {
		err = err2
	}
	return err
}

// healthOnly exposes only /healthz of a handler (Socket Mode needs no
// inbound endpoints).
func healthOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
