package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// okrload runs the program with args and returns its exit code, its
// summary line parsed and what it wrote to stderr.
func okrload(t *testing.T, args ...string) (int, map[string]string, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(context.Background(), args, &out, &errs)
	figs := map[string]string{}
	for _, kv := range strings.Fields(out.String()) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("the summary is not key=value pairs: %q", out.String())
		}
		figs[k] = v
	}
	return code, figs, errs.String()
}

func number(t *testing.T, figs map[string]string, key string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(figs[key], 64)
	if err != nil {
		t.Fatalf("%s=%q is not a number (all: %v)", key, figs[key], figs)
	}
	return v
}

// TestScenarios runs every scenario on a small organisation, generated once
// into --db by the first and reused by the others, and checks that each
// said what it measured and lost nothing.
func TestScenarios(t *testing.T) {
	db := filepath.Join(t.TempDir(), "org.db")
	prof := filepath.Join(t.TempDir(), "serve.pprof")
	common := []string{"--people", "120", "--db", db, "--checkins-per-kr", "2", "--progress", "1s"}
	for _, tc := range []struct {
		name string
		args []string
		zero []string // figures that must be 0
		some []string // figures that must be positive
	}{
		{"burst", []string{"--writers", "8", "--checkins", "200"}, []string{"lost", "refused"}, []string{"seconds", "p99_ms"}},
		{"reports", nil, nil, []string{"manager_digest_ms", "adoption_ms", "tick_nobody_due_ms"}},
		{"fanout", []string{"--limit", "40"}, []string{"duplicates", "missed"}, []string{"messages", "seconds", "floor_seconds", "ratio"}},
		{"slash", []string{"--rate", "100", "--seconds", "1", "--first-contact", "--cpuprofile", prof}, []string{"lost", "errors", "baseline_lost"},
			[]string{"answer_p99_ms", "baseline_p99_ms", "ratio"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "slash" && testing.Short() {
				t.Skip("builds okrbot and runs it")
			}
			code, figs, stderr := okrload(t, append(append([]string{tc.name}, common...), tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, "okrload "+tc.name) {
				t.Errorf("no progress line on stderr: %q", stderr)
			}
			if got := number(t, figs, "people"); got != 120 {
				t.Errorf("people=%g, want 120", got)
			}
			for _, k := range tc.zero {
				if v := number(t, figs, k); v != 0 {
					t.Errorf("%s=%g, want 0 (%v)\n%s", k, v, figs, stderr)
				}
			}
			for _, k := range tc.some {
				if v := number(t, figs, k); v <= 0 {
					t.Errorf("%s=%g, want a positive figure (%v)", k, v, figs)
				}
			}
			if tc.name == "slash" {
				// A CPU profile of okrbot serve: gzipped, as Go's profiler writes it.
				if b, err := os.ReadFile(prof); err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
					t.Errorf("the CPU profile of okrbot serve: %d bytes, %v", len(b), err)
				}
			}
			t.Logf("%v", figs)
		})
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("--db was not kept: %v", err)
	}
}

// TestScenariosOnPostgres runs burst and slash over three replicas on
// PostgreSQL, each in a schema of its own that is gone afterwards.
func TestScenariosOnPostgres(t *testing.T) {
	base := os.Getenv(postgrestest.Env)
	if base == "" {
		t.Skipf("no PostgreSQL to run on: set %s", postgrestest.Env)
	}
	common := []string{"--people", "120", "--checkins-per-kr", "2", "--progress", "1s", "--database-url", base}
	for _, tc := range []struct {
		name string
		args []string
		want map[string]float64
	}{
		{"burst", []string{"--writers", "8", "--checkins", "200"}, map[string]float64{"lost": 0, "refused": 0}},
		{"slash", []string{"--rate", "100", "--seconds", "1", "--replicas", "3"}, map[string]float64{"replicas": 3, "lost": 0, "errors": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "slash" && testing.Short() {
				t.Skip("builds okrbot and runs it")
			}
			before := schemas(t, base)
			code, figs, stderr := okrload(t, append(append([]string{tc.name}, common...), tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			if figs["store"] != "postgres" {
				t.Errorf("store=%q, want postgres (%v)", figs["store"], figs)
			}
			for k, want := range tc.want {
				if got := number(t, figs, k); got != want {
					t.Errorf("%s=%g, want %g (%v)\n%s", k, got, want, figs, stderr)
				}
			}
			for s := range schemas(t, base) {
				if !before[s] && strings.Contains(stderr, s) {
					t.Errorf("the run's schema %s is left behind", s)
				}
			}
		})
	}
}

// schemas are the test schemas on the server now.
func schemas(t *testing.T, base string) map[string]bool {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'okrbot_test_%'")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// TestBadCommandLines: a mistake is said in one sentence on stderr, with
// exit code 2, before anything is generated.
func TestBadCommandLines(t *testing.T) {
	notOrg := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(notOrg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no scenario", nil, 2, "name a scenario first"},
		{"a flag first", []string{"--people", "10"}, 2, "name a scenario first"},
		{"unknown scenario", []string{"soak"}, 2, `there is no scenario "soak"`},
		{"unknown flag", []string{"burst", "--speed", "9"}, 2, "flag provided but not defined: -speed"},
		{"not a number", []string{"slash", "--rate", "fast"}, 2, `invalid value "fast" for flag -rate`},
		{"too few people", []string{"burst", "--people", "3"}, 2, "--people 3: give between 10 and 1000000 people"},
		{"more writers than people", []string{"burst", "--people", "10", "--writers", "11"}, 2, "--writers 11: give between 1 and --people (10)"},
		{"fewer check-ins than writers", []string{"burst", "--writers", "8", "--checkins", "7"}, 2, "at least one check-in per writer"},
		{"rate zero", []string{"slash", "--rate", "0"}, 2, "--rate 0: give between 1 and 20000"},
		{"negative seconds", []string{"slash", "--seconds", "-1"}, 2, "--seconds -1: give a positive number"},
		{"a profile nowhere", []string{"slash", "--cpuprofile", "/no/such/dir/serve.pprof"}, 2, "--cpuprofile /no/such/dir/serve.pprof: its directory /no/such/dir does not exist"},
		{"replicas zero", []string{"slash", "--replicas", "0"}, 2, "--replicas 0: give between 1 and 8"},
		{"replicas on a file", []string{"slash", "--replicas", "3"}, 2, "--replicas 3: several okrbot serve processes share a PostgreSQL database; give it with --database-url"},
		{"a database that is not PostgreSQL", []string{"burst", "--database-url", "mysql://root:pw@db/x"}, 2, "--database-url mysql://root:xxxxx@db/x: give a postgres:// URL"},
		{"a database URL without a host", []string{"slash", "--database-url", "postgres:///test"}, 2, "give a postgres:// URL"},
		{"limit zero", []string{"fanout", "--limit", "0"}, 2, "--limit 0: give the fake's messages a second"},
		{"ceiling under Slack's start", []string{"fanout", "--ceiling", "1"}, 2, "--ceiling 1: give between 5"},
		{"negative check-ins per key result", []string{"reports", "--checkins-per-kr", "-1"}, 2, "--checkins-per-kr -1"},
		{"zero progress", []string{"reports", "--progress", "0s"}, 2, "--progress 0s: give a positive interval"},
		{"an argument left over", []string{"reports", "now"}, 2, `"now" is one too many`},
		{"a file that holds no organisation", []string{"reports", "--db", notOrg}, 1, "no organisation okrload generated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, figs, stderr := okrload(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if len(figs) > 0 {
				t.Errorf("a summary after a mistake: %v", figs)
			}
			if strings.Contains(stderr, "goroutine ") {
				t.Errorf("a panic: %s", stderr)
			}
		})
	}
}

// TestOpenLoopCountsTheUnanswered: requests acknowledged but never
// answered at their response URL, and those refused as busy, are lost,
// and the phase ends a wait after the last ack instead of waiting for
// them.
func TestOpenLoopCountsTheUnanswered(t *testing.T) {
	fake := slacktest.New(slacktest.Options{Quiet: true})
	defer fake.Close()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		switch n.Add(1) % 4 {
		case 0: // busy
			w.WriteHeader(http.StatusServiceUnavailable)
		case 1: // acknowledged, never answered
		default:
			res, err := http.Post(r.PostForm.Get("response_url"), "application/json", strings.NewReader(`{"text":"ok"}`))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
		}
	}))
	defer srv.Close()
	o := &org{ws: slacktest.Team, users: []*okrcore.User{{PlatformID: "u1", Name: "one"}, {PlatformID: "u2", Name: "two"}},
		teams: []*okrcore.Team{{Name: "Sales"}}}
	l := newLoad(fake, o)
	l.wait = 300 * time.Millisecond
	log := newProgress(io.Discard, "test", time.Hour)
	defer log.stop()
	start := time.Now()
	res := l.run(context.Background(), []string{srv.URL}, 200, 200*time.Millisecond, log, "test")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the phase took %s: it waited for answers that never come", took)
	}
	if res.n != 40 || res.busy != 10 || res.lost() != 20 || res.answered != 20 || len(res.answers) != 20 {
		t.Errorf("%d requests, %d busy, %d answered (%d timed), %d lost; want 40, 10, 20, 20 lost", res.n, res.busy, res.answered, len(res.answers), res.lost())
	}
}
