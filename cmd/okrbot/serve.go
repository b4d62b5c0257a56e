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
	"sync"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/teams"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
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
		chat.Pacer
	}
	// routes are mounted on the one HTTP server ("" for Socket Mode).
	routes map[string]http.Handler
	health http.Handler
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
