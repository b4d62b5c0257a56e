package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// directorySlack is Slack's Web API for a sync: auth.test, and users.list
// a page of two people at a time (the last page a bot's), answering 500
// while failing is set.
type directorySlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	failing bool
	pages   int
}

var directoryMembers = []string{
	`{"id":"U1","name":"ann","real_name":"Ann","tz":"Europe/Berlin","is_email_confirmed":true,"profile":{"email":"ann@acme.example"}}`,
	`{"id":"U2","name":"ben","real_name":"Ben","tz":"America/New_York","profile":{}}`,
	`{"id":"U3","name":"cem","real_name":"Cem","deleted":true,"profile":{}}`,
	`{"id":"U4","name":"dee","real_name":"Dee","tz":"Asia/Tokyo","profile":{}}`,
	`{"id":"B1","name":"somebot","is_bot":true,"profile":{}}`,
}

func newDirectorySlack(t *testing.T) *directorySlack {
	t.Helper()
	f := &directorySlack{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		f.mu.Lock()
		defer f.mu.Unlock()
		if strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") != orgSlackTk && r.Form.Get("token") != orgSlackTk {
			io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/api/") {
		case "auth.test":
			io.WriteString(w, `{"ok":true,"team":"Acme","user":"okrbot","team_id":"T1","user_id":"UBOT"}`)
		case "users.list":
			if f.failing {
				http.Error(w, "upstream trouble", http.StatusInternalServerError)
				return
			}
			f.pages++
			from, _ := strconv.Atoi(r.Form.Get("cursor"))
			to := min(from+2, len(directoryMembers))
			next := ""
			if to < len(directoryMembers) {
				next = strconv.Itoa(to)
			}
			fmt.Fprintf(w, `{"ok":true,"members":[%s],"response_metadata":{"next_cursor":%q}}`, strings.Join(directoryMembers[from:to], ","), next)
		default:
			io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *directorySlack) fail(on bool) {
	f.mu.Lock()
	f.failing = on
	f.mu.Unlock()
}

// slackWorkspaceDB makes a database with the Slack workspace T1 and its
// admin.
func slackWorkspaceDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "okrbot.db")
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := bot.EnsureWorkspace(tx, "T1", "slack", now); err != nil {
			return err
		}
		return tx.PutUser(&okrcore.User{Workspace: "T1", Platform: "slack", PlatformID: "U1", Name: "Ann", Role: okrcore.RoleAdmin, CreatedAt: now})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPeopleSyncThroughServe runs `okrbot people sync` against a running
// okrbot serve on Slack: the server reads the directory page after page
// and answers in one line; a directory that fails, a workspace that isn't
// there and a bad command change nothing and say why.
func TestPeopleSyncThroughServe(t *testing.T) {
	db := slackWorkspaceDB(t)
	slack := newDirectorySlack(t)
	env := map[string]string{"SLACK_BOT_TOKEN": orgSlackTk, "SLACK_SIGNING_SECRET": orgSecret, "SLACK_API_URL": slack.srv.URL + "/api/"}
	s := startOrgServe(t, []string{"serve", "--db", db, "--log-level", "info"}, env)

	refusals := []struct {
		name string
		args []string
		fail bool
		code int
		want string
	}{
		{"a failing directory", []string{"people", "sync"}, true, 1, "I couldn't read the people of Slack just now (it answered with an error), so nothing changed."},
		{"no such workspace", []string{"people", "sync", "--workspace", "T9"}, false, 1, `the database has no workspace "T9"; it holds T1 (slack)`},
		{"a platform not served", []string{"people", "sync", "--platform", "teams"}, false, 1, "this okrbot does not serve Teams"},
		{"not a sync", []string{"people", "list"}, false, 2, "usage: okrbot people sync"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			slack.fail(c.fail)
			defer slack.fail(false)
			code, out, stderr := okrbotRun(t, env, append(c.args, "--db", db)...)
			if code != c.code || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out, stderr, c.code, c.want)
			}
			oneLineRefusal(t, stderr)
		})
	}
	code, out, stderr := okrbotRun(t, env, "people", "sync", "--db", db)
	if code != 0 || out != "Synced 3 people from Slack: 2 new, 1 updated, 0 left.\n" {
		t.Fatalf("sync: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if slack.pages != 3 {
		t.Errorf("%d users.list pages, want 3", slack.pages)
	}
	if code, out, _ := okrbotRun(t, env, "people", "sync", "--db", db); code != 0 || out != "Synced 3 people from Slack: 0 new, 0 updated, 0 left.\n" {
		t.Errorf("second sync: exit %d, %q", code, out)
	}
	if !strings.Contains(s.log.String(), "people synced from the directory") {
		t.Errorf("the sync did not go through the running okrbot:\n%s", s.log.String())
	}
	s.stop(t)
	if code, _, stderr := okrbotRun(t, env, "people", "sync", "--db", db); code != 1 || !strings.Contains(stderr, "asks the running okrbot (okrbot serve)") {
		t.Errorf("without a running okrbot: exit %d, %q", code, stderr)
	}
}
