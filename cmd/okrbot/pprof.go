package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"
)

// pprofFlags defines --pprof-addr: Go's profiler for a running okrbot
// serve, on a listener of its own so that it is never reachable through
// the address Slack and Teams are given.
func pprofFlags(fs *flag.FlagSet, cfg *config, getenv func(string) string) {
	fs.StringVar(&cfg.pprofAddr, "pprof-addr", strings.TrimSpace(getenv("OKRBOT_PPROF_ADDR")),
		"okrbot serve: serve Go's profiler (/debug/pprof/) on this loopback `host:port`, e.g. 127.0.0.1:6060; off when empty (env OKRBOT_PPROF_ADDR)")
}

// checkPprofAddr refuses a profiler address anyone but this machine could
// reach: a profile shows what the process holds in memory, and a CPU
// profile costs the process while it runs.
func (cfg *config) checkPprofAddr(src sources) error {
	if cfg.pprofAddr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(cfg.pprofAddr)
	if err != nil {
		return fmt.Errorf("%s %q: give a host:port such as 127.0.0.1:6060", src.of("pprof-addr", "OKRBOT_PPROF_ADDR"), cfg.pprofAddr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s %q: the profiler listens on loopback only: give 127.0.0.1:6060, [::1]:6060 or localhost:6060, and reach it from elsewhere through an SSH tunnel or kubectl port-forward", src.of("pprof-addr", "OKRBOT_PPROF_ADDR"), cfg.pprofAddr)
	}
	return nil
}

// pprofHandler is net/http/pprof's pages, mounted on a mux of their own
// rather than on http.DefaultServeMux, which anything imported may add to.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// servePprof serves the profiler on ln until ctx ends.
func servePprof(ctx context.Context, ln net.Listener, log *slog.Logger) {
	// Profiles and traces are asked for by duration (?seconds=30): the
	// write timeout leaves room for a long one.
	srv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, stop := context.WithTimeout(context.Background(), time.Second)
		defer stop()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("the profiler stopped", "err", err)
	}
}
