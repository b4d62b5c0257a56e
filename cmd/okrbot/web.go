package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/teams"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/web"
)

// webFlags defines --public-url, the address people's browsers reach
// okrbot at, which the web view's links and the Teams tab are built from.
func webFlags(fs *flag.FlagSet, cfg *config, getenv func(string) string) {
	fs.StringVar(&cfg.publicURL, "public-url", strings.TrimSpace(getenv("OKRBOT_PUBLIC_URL")),
		"the address people's browsers reach okrbot at (`https://okrbot.example.com`): /okr web answers with links under it, and the Teams tab loads from it (env OKRBOT_PUBLIC_URL)")
}

// checkPublicURL refuses a public URL that is not an http(s) address.
func (cfg *config) checkPublicURL(src sources) error {
	if cfg.publicURL == "" {
		return nil
	}
	if _, err := web.ParsePublicURL(cfg.publicURL); err != nil {
		return fmt.Errorf("%s: %w", src.of("public-url", "OKRBOT_PUBLIC_URL"), err)
	}
	return nil
}

// mountWeb serves the web view under /okr/ and gives the engine its links,
// when a public URL is set; the Teams tab signs in when Teams is set up
// with a tenant. Without a public URL, /okr web says how to set one.
func mountWeb(cfg *config, store okrcore.Store, engine *bot.Engine, plats []platform, mux *http.ServeMux, now func() time.Time, log *slog.Logger) error {
	if cfg.publicURL == "" {
		return nil
	}
	links, err := web.NewLinks(store, cfg.publicURL, now)
	if err != nil {
		return err
	}
	opts := web.Options{Now: now, Logger: log, Workspace: cfg.workspace}
	tc, hasTeams, _ := teamsConfig(cfg.getenv)
	for _, p := range plats {
		// A Teams card too large for its chart inline shows it from a
		// signed address here, of the one workspace the tenant is.
		if a, ok := p.adapter.(*teams.Adapter); ok && hasTeams {
			ws := cfg.workspace
			if ws == "" {
				ws = tc.TenantID
			}
			a.UseImages(links.Images(ws))
		}
	}
	if hasTeams && tc.AppID != "" && tc.TenantID != "" {
		host := strings.TrimPrefix(strings.TrimPrefix(cfg.publicURL, "https://"), "http://")
		opts.SSO, err = web.NewSSO(web.SSOConfig{AppID: tc.AppID, Tenant: tc.TenantID, Host: strings.TrimRight(host, "/"),
			MetadataURL: cfg.getenv("OKRBOT_TEAMS_SSO_METADATA_URL")})
		if err != nil {
			return err
		}
	}
	h, err := web.NewHandler(store, links, opts)
	if err != nil {
		return err
	}
	engine.UseWebLinks(links)
	mux.Handle("/okr/", h)
	return nil
}
