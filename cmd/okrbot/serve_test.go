package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// fakeSlack answers the Web API calls okrbot makes, in Slack's wire format,
// and records chat.postMessage texts and blocks.
type fakeSlack struct {
	mu    sync.Mutex
	posts []string
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/api/") {
	case "auth.test":
		io.WriteString(w, `{"ok":true,"user_id":"UBOT","team_id":"T1","bot_id":"B1"}`)
	case "users.info":
		io.WriteString(w, `{"ok":true,"user":{"id":"`+r.Form.Get("user")+`","name":"alice","tz":"Europe/Berlin","profile":{"real_name":"alice","email":"alice@acme.example"}}}`)
	case "chat.postMessage", "chat.postEphemeral":
		f.mu.Lock()
		f.posts = append(f.posts, r.Form.Get("text")+" "+r.Form.Get("blocks"))
		f.mu.Unlock()
		io.WriteString(w, `{"ok":true,"channel":"D1","ts":"1700000000.000100"}`)
	case "views.publish":
		io.WriteString(w, `{"ok":true}`)
	default:
		io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func (f *fakeSlack) posted() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.posts, "\n")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func sign(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:%s", ts, body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// TestServeSlackHTTP starts `okrbot serve` in HTTP mode against a fake
// Slack: a signed DM is answered through chat.postMessage, a wrong
// signature is refused, and the process stops cleanly.
func TestServeSlackHTTP(t *testing.T) {
	fake := &fakeSlack{}
	api := httptest.NewServer(fake)
	defer api.Close()
	addr := freeAddr(t)
	env := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": "s3cret",
		"SLACK_API_URL":        api.URL + "/api/",
		"OKRBOT_SLACK_RATE":    "7.5",
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"--db", filepath.Join(t.TempDir(), "okrbot.db"), "--addr", addr}, nil, io.Discard, &errOut, getenv)
	}()
	waitHealthy(t, "http://"+addr+"/readyz")

	post := func(body []byte, sig string) int {
		t.Helper()
		ts := fmt.Sprint(time.Now().Unix())
		if sig == "" {
			sig = sign("s3cret", ts, body)
		}
		req, _ := http.NewRequest("POST", "http://"+addr+"/slack/events", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	event := []byte(`{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":"Ev1","event_time":1700000000,` +
		`"event":{"type":"message","channel_type":"im","channel":"D1","user":"U1","text":"whoami","ts":"1700000000.000001","client_msg_id":"c1"}}`)
	if code := post(event, "v0=deadbeef"); code != http.StatusUnauthorized {
		t.Errorf("wrong signature answered %d, want 401", code)
	}
	if code := post(event, ""); code != http.StatusOK {
		t.Fatalf("signed event answered %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(fake.posted(), "You are") {
		if time.Now().After(deadline) {
			t.Fatalf("no answer posted; posts: %q; log: %s", fake.posted(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for path, wants := range map[string][]string{
		"/readyz": {"ready"},
		"/metrics": {
			`okrbot_event_duration_seconds_count{kind="message",platform="slack"} 1`,
			`okrbot_adapter_up{platform="slack"} 1`, `okrbot_build_info{goversion="go`,
			"okrbot_outbox_open 0", "okrbot_outbox_oldest_age_seconds 0",
			`okrbot_scheduled_sent_total{platform="slack"} 0`, `okrbot_scheduled_failed_total{platform="slack"} 0`,
			`okrbot_scheduled_retried_total{platform="slack"} 0`, `okrbot_rate_limited_total{platform="slack"} 0`,
			`okrbot_send_rate_per_second{platform="slack"} 7.5`,
		},
	} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s answered %d", path, res.StatusCode)
		}
		for _, w := range wants {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func waitHealthy(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(u)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never healthy: %v", u, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeBadSlackConfig(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SLACK_BOT_TOKEN": "abc", "SLACK_SIGNING_SECRET": "x"}, "xoxb-"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "abc"}, "xapp-"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"},
		{map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": "::nope"}, "URL"},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		getenv := func(k string) string { return tt.env[k] }
		code := run(context.Background(), []string{"--db", filepath.Join(t.TempDir(), "x.db")}, nil, io.Discard, &errOut, getenv)
		if code != 1 || !strings.Contains(errOut.String(), tt.want) || strings.Count(strings.TrimSpace(errOut.String()), "\n") > 0 {
			t.Errorf("env %v: exit %d, stderr %q; want one line with %q", tt.env, code, errOut.String(), tt.want)
		}
	}
	var errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve"}, nil, io.Discard, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), "no chat platform") {
		t.Errorf("serve without credentials: %d %q", code, errOut.String())
	}
}

// TestServeSlackAndTeams runs both adapters in one process: one server,
// /healthz for both, Teams refusing an unauthenticated activity.
func TestServeSlackAndTeams(t *testing.T) {
	fake := &fakeSlack{}
	api := httptest.NewServer(fake)
	defer api.Close()
	addr := freeAddr(t)
	env := map[string]string{
		"SLACK_BOT_TOKEN":                  "xoxb-test",
		"SLACK_SIGNING_SECRET":             "s3cret",
		"SLACK_API_URL":                    api.URL + "/api/",
		"MICROSOFT_APP_ID":                 "00000000-0000-0000-0000-000000000001",
		"MICROSOFT_APP_PASSWORD":           "pw",
		"MICROSOFT_APP_TENANT_ID":          "tenant",
		"MICROSOFT_TOKEN_URL":              api.URL + "/token",
		"BOTFRAMEWORK_OPENID_METADATA_URL": api.URL + "/openid",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"--db", filepath.Join(t.TempDir(), "okrbot.db"), "--addr", addr}, nil, &out, &errOut, func(k string) string { return env[k] })
	}()
	waitHealthy(t, "http://"+addr+"/readyz")
	res, err := http.Post("http://"+addr+"/api/messages", "application/json", strings.NewReader(`{"type":"message","text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated activity answered %d, want 401", res.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

func TestTeamsPackage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "okrbot-teams.zip")
	var stdout, errOut bytes.Buffer
	env := map[string]string{"MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001"}
	if code := run(context.Background(), []string{"teams-package", out}, nil, &stdout, &errOut, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["manifest.json"] || !names["color.png"] || !names["outline.png"] {
		t.Errorf("package holds %v", names)
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"teams-package", out}, nil, io.Discard, &errOut, noEnv); code != 1 || !strings.Contains(errOut.String(), "MICROSOFT_APP_ID") {
		t.Errorf("without an app id: %d %q", code, errOut.String())
	}
}

// TestWarnUnserved: a workspace left out by --workspace is named in the
// log with what to do, an empty one or the served one is not.
func TestWarnUnserved(t *testing.T) {
	db := bottest.Store(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		for _, w := range []string{"T0LD", "acme", "Tempty"} {
			if err := bot.EnsureWorkspace(tx, w, "slack", now); err != nil {
				return err
			}
		}
		for _, w := range []string{"T0LD", "acme"} {
			if err := tx.PutUser(&okrcore.User{Workspace: w, Platform: "slack", PlatformID: "U1", Name: "Ann", Role: okrcore.RoleAdmin}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	warnUnserved(context.Background(), db, "acme", slog.New(slog.NewTextHandler(&buf, nil)))
	out := buf.String()
	if !strings.Contains(out, "workspace=T0LD") || !strings.Contains(out, "people=1") || !strings.Contains(out, "set workspace to its id") {
		t.Errorf("no warning for the unserved workspace:\n%s", out)
	}
	if strings.Contains(out, "workspace=acme") || strings.Contains(out, "Tempty") || strings.Count(out, "\n") != 1 {
		t.Errorf("warned about the served or an empty workspace:\n%s", out)
	}
}

// TestProbes: /healthz says the process is alive even when a platform is
// down (a restart would not bring Slack back, and would stop Teams' nudges
// too); /readyz says which platform is not connected.
func TestProbes(t *testing.T) {
	db := bottest.Store(t)
	down := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	for _, tt := range []struct {
		name          string
		slack         http.Handler
		live, readyOK int
		says          string
	}{
		{"every platform up", up, 200, 200, "ready"},
		{"slack down", down, 200, 503, "slack is not connected"},
	} {
		plats := []platform{{name: "slack", health: tt.slack}, {name: "teams", health: up}}
		rec := httptest.NewRecorder()
		alive().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if rec.Code != tt.live {
			t.Errorf("%s: /healthz %d, want %d", tt.name, rec.Code, tt.live)
		}
		rec = httptest.NewRecorder()
		ready(db, plats).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		if rec.Code != tt.readyOK || !strings.Contains(rec.Body.String(), tt.says) {
			t.Errorf("%s: /readyz %d %q, want %d %q", tt.name, rec.Code, rec.Body.String(), tt.readyOK, tt.says)
		}
	}
}
