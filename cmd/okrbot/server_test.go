package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func parseServe(t *testing.T, args []string, env map[string]string) *config {
	t.Helper()
	cfg, err := parseArgs(append([]string{"serve"}, args...), envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestPlanServe: the configuration decides the platforms and the routes
// each mounts on the HTTP server, and nothing is opened or started.
func TestPlanServe(t *testing.T) {
	slackHTTP := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	teamsEnv := map[string]string{"MICROSOFT_APP_ID": "app", "MICROSOFT_APP_PASSWORD": "pw", "MICROSOFT_APP_TENANT_ID": "tenant"}
	both := map[string]string{}
	for _, m := range []map[string]string{slackHTTP, teamsEnv} {
		for k, v := range m {
			both[k] = v
		}
	}
	slackEvents := []string{"/slack/commands", "/slack/events", "/slack/interactions"}
	tests := []struct {
		name    string
		env     map[string]string
		want    map[string][]string // platform → its routes
		wantErr string
	}{
		{"slack over HTTP", slackHTTP, map[string][]string{"slack": slackEvents}, ""},
		{"slack in Socket Mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, map[string][]string{"slack": nil}, ""},
		{"teams", teamsEnv, map[string][]string{"teams": {"/api/messages"}}, ""},
		{"slack and teams", both, map[string][]string{"slack": slackEvents, "teams": {"/api/messages"}}, ""},
		{"a bad slack token", map[string]string{"SLACK_BOT_TOKEN": "abc", "SLACK_SIGNING_SECRET": "s"}, nil, "xoxb-"},
		{"nothing", nil, nil, "no chat platform is configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseServe(t, []string{"--db", filepath.Join(t.TempDir(), "okrbot.db")}, tt.env)
			plats, err := planServe(cfg, slog.New(slog.DiscardHandler))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, p := range plats {
				var routes []string
				for path := range p.routes {
					routes = append(routes, path)
				}
				sort.Strings(routes)
				got[p.name] = routes
			}
			if len(got) != len(tt.want) {
				t.Fatalf("platforms %v, want %v", got, tt.want)
			}
			for name, routes := range tt.want {
				if g, ok := got[name]; !ok || !slices.Equal(g, routes) {
					t.Errorf("%s routes %v, want %v", name, g, routes)
				}
			}
		})
	}
}

// TestBuildAndCloseWithoutRunning builds okrbot serve on a temporary
// database and a Slack in HTTP mode that is never called, looks at what was
// built, and closes it: nothing ran (no backup was written), and the
// database and its control socket are released for the next process.
func TestBuildAndCloseWithoutRunning(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "okrbot.db")
	backups := filepath.Join(dir, "backups")
	cfg := parseServe(t, []string{"--db", db, "--addr", "127.0.0.1:0", "--backup-dir", backups},
		map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:1/api/"})
	log := slog.New(slog.DiscardHandler)
	plats, err := planServe(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	s, err := buildServer(context.Background(), cfg, plats, log)
	if err != nil {
		t.Fatal(err)
	}
	if s.engine == nil || s.disp == nil || s.sched == nil || s.backups == nil || len(s.plats) != 1 || s.plats[0].name != "slack" {
		t.Errorf("built engine %v, dispatcher %v, scheduler %v, backups %v, platforms %v", s.engine != nil, s.disp != nil, s.sched != nil, s.backups != nil, s.plats)
	}
	if s.http.Addr != "127.0.0.1:0" {
		t.Errorf("listens on %q", s.http.Addr)
	}
	if err := s.store.View(context.Background(), func(tx okrcore.Tx) error { _, err := tx.Workspaces(); return err }); err != nil {
		t.Errorf("store: %v", err)
	}
	if _, err := os.Stat(controlPath(db)); err != nil {
		t.Errorf("no control socket while built: %v", err)
	}
	for _, tt := range []struct {
		method, path string
		code         int
		says         string
	}{
		{"GET", "/healthz", 200, "ok"},
		{"GET", "/readyz", 503, "slack is not connected"}, // its Run never started
		{"GET", "/metrics", 200, "okrbot_build_info"},
		{"POST", "/slack/events", 401, ""}, // mounted, and checks signatures
	} {
		rec := httptest.NewRecorder()
		s.http.Handler.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}")))
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.says) {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Body.String(), tt.code, tt.says)
		}
	}

	if err := s.close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := os.Stat(controlPath(db)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left behind: %v", err)
	}
	if _, err := os.Stat(backups); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backups ran without run: %v", err)
	}
	again, err := openBackend(db, openOptions{wait: 300 * time.Millisecond})
	if err != nil {
		t.Fatalf("database not released: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}
