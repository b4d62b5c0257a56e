//go:build unix

package main

// TestSIGTERMDuringFanout runs the real okrbot binary as production does:
// `okrbot serve` on a temporary database against a fake Slack Web API on
// loopback. It checks the probes and the metric series, stops the process
// with SIGTERM in the middle of a check-in fan-out, checks that the outbox
// it left is consistent with what Slack received, and starts it again to
// finish the fan-out: everyone nudged once, nobody twice.
//
// It takes about 20 s (the Slack adapter paces 5 messages a second): -short
// skips it. Set OKRBOT_SIGTERM_SEED to repeat a run's latencies.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

const (
	sigtermUsers     = 60
	sigtermAfter     = 15 // nudges posted before the SIGTERM
	sigtermToken     = "xoxb-test"
	sigtermWorkspace = "T1"
	// sigtermOutboxEvent is the message metadata event type the Slack
	// adapter tags scheduled messages with (adapters/slack/send.go).
	sigtermOutboxEvent = "okrbot_outbox"
)

func TestSIGTERMDuringFanout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the okrbot binary for about 20 s")
	}
	seed := testSeed(t, "OKRBOT_SIGTERM_SEED", "the latencies")

	start := time.Now()
	bin := buildOkrbot(t)
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))

	dbPath := filepath.Join(t.TempDir(), "okrbot.db")
	want := seedFanout(t, dbPath, time.Now())

	fake := newSigtermSlack(seed, 20*time.Millisecond, 50*time.Millisecond)
	api := httptest.NewServer(fake)
	defer api.Close()

	// The first run: probes, metrics, and a SIGTERM during the fan-out.
	p := startOkrbot(t, bin, dbPath, api.URL+"/api/")
	p.waitReady(t)
	t.Logf("run 1: ready after %s", time.Since(p.started).Round(time.Millisecond))
	checkProbes(t, p.base)
	reached := fake.waitPosts(t, sigtermAfter, 30*time.Second)
	t.Logf("run 1: %d nudges posted after %s", sigtermAfter, reached.Sub(p.started).Round(time.Millisecond))
	// The last of them is still unanswered (the fake answers after its
	// latency): the SIGTERM comes while a send is in flight.
	termAt, inFlight := time.Now(), fake.unanswered()
	p.stop(t, 15*time.Second)
	t.Logf("run 1: exited 0 %s after SIGTERM, sent with %d chat.postMessage unanswered; Slack received %d nudges",
		time.Since(termAt).Round(time.Millisecond), inFlight, fake.postCount())

	states := checkOutbox(t, "after the SIGTERM", dbPath, want, fake, false)
	t.Logf("run 1: outbox %v", states)
	checkDatabaseFile(t, bin, dbPath)

	// The restart finishes the fan-out.
	p = startOkrbot(t, bin, dbPath, api.URL+"/api/")
	p.waitReady(t)
	done := fake.waitEveryone(t, want, 30*time.Second, p)
	t.Logf("run 2: every nudge posted %s after the restart", done.Sub(p.started).Round(time.Millisecond))
	termAt = time.Now()
	p.stop(t, 15*time.Second)
	t.Logf("run 2: exited 0 %s after SIGTERM", time.Since(termAt).Round(time.Millisecond))

	states = checkOutbox(t, "after the restart", dbPath, want, fake, true)
	t.Logf("run 2: outbox %v; Slack received %d nudges, %d conversations.history calls", states, fake.postCount(), fake.callCount("conversations.history"))
	if n := fake.postCount(); n != sigtermUsers {
		t.Errorf("Slack received %d nudges in all, want %d", n, sigtermUsers)
	}
	checkDatabaseFile(t, bin, dbPath)
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// buildOkrbot builds the okrbot binary into a temporary directory.
func buildOkrbot(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "okrbot")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "github.com/okrbot/okrbot/cmd/okrbot").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// fanoutWant is what the seeded outbox should send: one check-in nudge per
// person, by DM channel.
type fanoutWant struct {
	keyOf  map[string]string // DM channel → outbox key
	chanOf map[string]string // outbox key → DM channel
}

// seedFanout writes workspace T1 with sigtermUsers people, each owning one
// objective with one key result in the current cycle, and one due check-in
// nudge each in the outbox. The workspace's schedule is off, so the
// scheduler of the binary enqueues nothing more: the outbox holds exactly
// these items.
func seedFanout(t *testing.T, path string, now time.Time) fanoutWant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	want := fanoutWant{keyOf: map[string]string{}, chanOf: map[string]string{}}
	period := okrcore.PeriodKey(okrcore.Weekly, now, time.UTC)
	off := okrcore.Slot{Cadence: okrcore.Off}
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		clear(want.keyOf)
		clear(want.chanOf)
		if err := bot.EnsureWorkspace(tx, sigtermWorkspace, "slack", now); err != nil {
			return err
		}
		w, err := tx.Workspace(sigtermWorkspace)
		if err != nil {
			return err
		}
		w.Name = "Acme"
		w.Schedule = okrcore.Schedule{CheckIn: off, Reminder: off, Digest: off, ManagerDigest: off, GradingDays: -1}
		if err := tx.PutWorkspace(w); err != nil {
			return err
		}
		created := now.AddDate(0, 0, -7)
		for i := 1; i <= sigtermUsers; i++ {
			u := &okrcore.User{Workspace: w.ID, Platform: "slack", PlatformID: fmt.Sprintf("U%03d", i), Name: fmt.Sprintf("person%03d", i),
				TimeZone: "UTC", Role: okrcore.RoleMember, DM: fmt.Sprintf("D%03d", i), CreatedAt: created}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			o := &okrcore.Objective{Workspace: w.ID, Cycle: w.CurrentCycle, Title: "Make this quarter count",
				Owner: okrcore.UserOwner(u.ID), CreatedBy: u.ID, CreatedAt: created, UpdatedAt: created}
			if err := tx.PutObjective(o); err != nil {
				return err
			}
			k := &okrcore.KeyResult{Workspace: w.ID, Objective: o.ID, Cycle: w.CurrentCycle, Title: "Ship weekly improvements",
				Owner: okrcore.UserOwner(u.ID), Metric: okrcore.MetricNumber, Start: 0, Target: 100, Unit: "points",
				Direction: okrcore.Increase, Weight: 1, CreatedAt: created, UpdatedAt: created}
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
			key := fmt.Sprintf("checkin:u%d:%s", u.ID, period)
			ok, err := tx.AddOutbox(&okrcore.OutboxItem{Workspace: w.ID, Key: key, Kind: okrcore.OutboxCheckIn, User: u.ID,
				Period: period, DueAt: now, State: okrcore.OutboxPending, CreatedAt: now})
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("outbox key %s exists already", key)
			}
			want.keyOf[u.DM], want.chanOf[key] = key, u.DM
		}
		return nil
	})
	if cerr := db.Close(); err == nil { // before the binary opens it
		err = cerr
	}
	if err != nil {
		t.Fatalf("seed %s: %v", path, err)
	}
	return want
}

// okrbotProcess is a running `okrbot serve`.
type okrbotProcess struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	stderr  *syncBuffer
	started time.Time
	exited  chan struct{} // closed when Wait returned
	waitErr error
}

func startOkrbot(t *testing.T, bin, dbPath, apiURL string) *okrbotProcess {
	t.Helper()
	return startOkrbotWith(t, bin, fmt.Sprintf("db: %q\n", dbPath), sigtermToken, apiURL)
}

// startOkrbotWith starts okrbot serve in Slack HTTP mode on a free port
// with the bot token given, the settings of conf (a configuration file's
// top-level keys) and the flags of args.
func startOkrbotWith(t *testing.T, bin, conf, token, apiURL string, args ...string) *okrbotProcess {
	t.Helper()
	addr := freeAddr(t)
	// Everything through a temporary configuration file, the secrets in
	// files beside it, as a container would have them.
	dir := t.TempDir()
	for name, v := range map[string]string{"bot_token": token + "\n", "signing_secret": "s3cret\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	conf += fmt.Sprintf("addr: %q\nlog_level: info\nlog_format: json\nslack:\n  bot_token_file: bot_token\n  signing_secret_file: signing_secret\n  api_url: %q\n",
		addr, apiURL)
	confPath := filepath.Join(dir, "okrbot.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--config", confPath}, args...)...)
	// The environment of the test, without any chat platform's settings it
	// may carry, and with the fake Slack's.
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "SLACK_") || strings.HasPrefix(name, "MICROSOFT_") ||
			strings.HasPrefix(name, "BOTFRAMEWORK_") || strings.HasPrefix(name, "OKRBOT_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	p := &okrbotProcess{cmd: cmd, base: "http://" + addr, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout = p.stderr
	cmd.Stderr = p.stderr
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitReady waits for /readyz to answer 200.
func (p *okrbotProcess) waitReady(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("okrbot exited before it was ready (%v): %s", p.waitErr, p.stderr)
		case <-ctx.Done():
			t.Fatalf("%s/readyz never answered 200 (%v): %s", p.base, err, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for exit code 0.
func (p *okrbotProcess) stop(t *testing.T, within time.Duration) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("okrbot did not exit within %s of SIGTERM: %s", within, p.stderr)
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("okrbot exited with %d (%v) after SIGTERM: %s", code, p.waitErr, p.stderr)
	}
	// Logs at info, as JSON: every line parses, and no secret is in them.
	logs := p.stderr.String()
	jsonLines := 0
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		// Stdout's lines for the person starting okrbot are read too.
		if strings.HasPrefix(line, "okrbot serves ") || strings.HasPrefix(line, "okrbot's profiler is on ") || line == "" {
			continue
		}
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %q", line)
		}
		jsonLines++
	}
	t.Logf("%d JSON log lines at info, none with a secret", jsonLines)
	if strings.Contains(logs, sigtermToken) || strings.Contains(logs, "s3cret") {
		t.Errorf("a secret is in the logs:\n%s", logs)
	}
}

// checkProbes checks /healthz, /readyz and the metric series operators
// alert on.
func checkProbes(t *testing.T, base string) {
	t.Helper()
	get := func(path string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s answered %d: %s", path, res.StatusCode, body)
		}
		return string(body)
	}
	get("/healthz")
	get("/readyz")
	metrics := get("/metrics")
	// Series are matched by name, whatever their labels.
	value := func(name string) (string, bool) {
		for line := range strings.SplitSeq(metrics, "\n") {
			rest, ok := strings.CutPrefix(line, name)
			if ok && (strings.HasPrefix(rest, "{") || strings.HasPrefix(rest, " ")) {
				return line, true
			}
		}
		return "", false
	}
	for _, name := range []string{"okrbot_outbox_open", "okrbot_outbox_oldest_age_seconds", "okrbot_adapter_up", "okrbot_scheduled_sent_total"} {
		line, ok := value(name)
		if !ok {
			t.Errorf("/metrics has no series %s", name)
			continue
		}
		t.Logf("metric %s", line)
	}
	if line, ok := value("okrbot_adapter_up"); ok && (!strings.Contains(line, `platform="slack"`) || !strings.HasSuffix(line, " 1")) {
		t.Errorf("/metrics: %s, want the slack adapter up (1)", line)
	}
}

// checkOutbox opens the database after the process exited and checks that
// the outbox agrees with what Slack received: every item pending, sent or
// skipped, as many sent as people nudged, nobody nudged twice, and after
// the restart (finished) everyone nudged. It returns the count of items
// by state.
func checkOutbox(t *testing.T, when, path string, want fanoutWant, fake *sigtermSlack, finished bool) map[okrcore.OutboxState]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// bolt has no read-only Open; this only reads.
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	defer db.Close() // now, not when the test ends: the binary runs on it again
	var items []*okrcore.OutboxItem
	err := db.View(ctx, func(tx okrcore.Tx) error {
		for key := range want.chanOf {
			it, err := tx.OutboxByKey(sigtermWorkspace, key)
			if err != nil {
				return fmt.Errorf("outbox item %s: %w", key, err)
			}
			items = append(items, it)
		}
		n, _, err := tx.OpenOutbox()
		if err != nil {
			return err
		}
		open := 0
		for _, it := range items {
			if it.State.Open() {
				open++
			}
		}
		if n != open {
			t.Errorf("%s: OpenOutbox counts %d open items, the items say %d (or the scheduler enqueued more)", when, n, open)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	posts := fake.nudges()
	states := map[okrcore.OutboxState]int{}
	sent := 0
	for _, it := range items {
		states[it.State]++
		ch := want.chanOf[it.Key]
		got := posts[ch]
		switch it.State {
		case okrcore.OutboxSent:
			sent++
			if len(got) == 0 {
				t.Errorf("%s: %s is sent, but Slack has no nudge in %s", when, it.Key, ch)
			} else if it.SentRef != got[0].TS {
				t.Errorf("%s: %s is sent as %q, Slack's nudge in %s is %s", when, it.Key, it.SentRef, ch, got[0].TS)
			}
		case okrcore.OutboxPending:
			if len(got) > 0 {
				t.Errorf("%s: %s is pending, but Slack has its nudge in %s (ts %s)", when, it.Key, ch, got[0].TS)
			}
		case okrcore.OutboxSending:
			t.Errorf("%s: %s was left %q (attempts %d, %q); Slack has %d nudges in %s", when, it.Key, it.State, it.Attempts, it.LastError, len(got), ch)
		case okrcore.OutboxSkipped:
			t.Errorf("%s: %s was skipped (%q): everyone owns a key result and has not checked in", when, it.Key, it.LastError)
		default:
			t.Errorf("%s: %s is %q (attempts %d, %q)", when, it.Key, it.State, it.Attempts, it.LastError)
		}
		if finished && it.State != okrcore.OutboxSent {
			t.Errorf("%s: %s is %q, want sent", when, it.Key, it.State)
		}
	}
	for ch, got := range posts {
		if len(got) > 1 {
			var ts []string
			for _, m := range got {
				ts = append(ts, m.TS)
			}
			t.Errorf("%s: %s was nudged %d times (ts %v)", when, ch, len(got), ts)
		}
		for _, m := range got {
			if k, ok := want.keyOf[ch]; !ok || m.Key != k {
				t.Errorf("%s: nudge %s in %s carries outbox key %q, want %q", when, m.TS, ch, m.Key, k)
			}
		}
	}
	if sent != len(posts) {
		t.Errorf("%s: %d items are sent, Slack has nudges for %d people", when, sent, len(posts))
	}
	if finished && len(posts) != len(want.keyOf) {
		t.Errorf("%s: Slack has nudges for %d people, want %d", when, len(posts), len(want.keyOf))
	}
	return states
}

// checkDatabaseFile runs `okrbot check FILE`.
func checkDatabaseFile(t *testing.T, bin, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "check", path).CombinedOutput()
	if err != nil {
		t.Errorf("okrbot check %s: %v\n%s", path, err, out)
	}
}

// sigtermSlack is a fake Slack Web API for what `okrbot serve` calls
// during a fan-out, in Slack's wire format: auth.test, users.info,
// chat.postMessage (form-encoded, with message metadata),
// conversations.open, conversations.history (with include_all_metadata,
// which the Slack adapter's FindSent reads) and views.publish. A posted
// message is recorded when the request arrives and answered after a
// latency, as Slack holds a message it has not yet confirmed.
type sigtermSlack struct {
	minLatency, maxLatency time.Duration

	mu      sync.Mutex
	rng     *rand.Rand
	seq     int
	history map[string][]sigtermMessage // channel → messages, oldest first
	calls   map[string]int
	posted  chan struct{} // signalled on each chat.postMessage
	// inFlight counts messages posted but not yet answered.
	inFlight int
}

type sigtermMessage struct {
	TS, Text, Key string
	Metadata      map[string]any
}

func newSigtermSlack(seed uint64, minLatency, maxLatency time.Duration) *sigtermSlack {
	return &sigtermSlack{minLatency: minLatency, maxLatency: maxLatency, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		history: map[string][]sigtermMessage{}, calls: map[string]int{}, posted: make(chan struct{}, 1)}
}

func (f *sigtermSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.calls[method]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	var form url.Values
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		form = url.Values{}
	} else {
		if err := r.ParseForm(); err != nil {
			f.write(w, map[string]any{"ok": false, "error": "invalid_form_data"})
			return
		}
		form = r.Form
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = form.Get("token")
	}
	if token != sigtermToken {
		f.write(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	switch method {
	case "auth.test":
		f.write(w, map[string]any{"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "okrbot",
			"team_id": sigtermWorkspace, "user_id": "UBOT", "bot_id": "BBOT"})
	case "users.info":
		id := form.Get("user")
		f.write(w, map[string]any{"ok": true, "user": map[string]any{"id": id, "team_id": sigtermWorkspace, "name": strings.ToLower(id), "tz": "UTC",
			"profile": map[string]any{"real_name": strings.ToLower(id), "display_name": strings.ToLower(id)}}})
	case "chat.postMessage":
		ch := form.Get("channel")
		if id, ok := strings.CutPrefix(ch, "U"); ok {
			ch = "D" + id // a user id posts to the DM with that person
		}
		if ch == "" {
			f.write(w, map[string]any{"ok": false, "error": "channel_not_found"})
			return
		}
		msg := sigtermMessage{Text: form.Get("text")}
		if md := form.Get("metadata"); md != "" {
			if err := json.Unmarshal([]byte(md), &msg.Metadata); err != nil {
				f.write(w, map[string]any{"ok": false, "error": "invalid_metadata_format"})
				return
			}
			if msg.Metadata["event_type"] == sigtermOutboxEvent {
				if p, ok := msg.Metadata["event_payload"].(map[string]any); ok {
					msg.Key = fmt.Sprint(p["key"])
				}
			}
		}
		f.mu.Lock()
		f.seq++
		msg.TS = fmt.Sprintf("1700000000.%06d", f.seq)
		f.history[ch] = append(f.history[ch], msg)
		latency := f.minLatency + time.Duration(f.rng.Int64N(int64(f.maxLatency-f.minLatency)+1))
		f.inFlight++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inFlight--
			f.mu.Unlock()
		}()
		select {
		case f.posted <- struct{}{}:
		default:
		}
		// Slack has the message; the answer takes a while.
		time.Sleep(latency)
		f.write(w, map[string]any{"ok": true, "channel": ch, "ts": msg.TS, "message": f.wire(msg)})
	case "conversations.open":
		users := form.Get("users")
		if users == "" || strings.Contains(users, ",") {
			f.write(w, map[string]any{"ok": false, "error": "users_list_not_supplied"})
			return
		}
		f.write(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(users, "U"), "is_im": true}})
	case "conversations.history":
		ch := form.Get("channel")
		withMeta := form.Get("include_all_metadata") == "1" || form.Get("include_all_metadata") == "true"
		f.mu.Lock()
		var msgs []map[string]any
		h := f.history[ch]
		for i := len(h) - 1; i >= 0; i-- { // newest first, as Slack answers
			m := f.wire(h[i])
			if !withMeta {
				delete(m, "metadata")
			}
			msgs = append(msgs, m)
		}
		f.mu.Unlock()
		if msgs == nil {
			msgs = []map[string]any{}
		}
		f.write(w, map[string]any{"ok": true, "messages": msgs, "has_more": false, "pin_count": 0,
			"response_metadata": map[string]any{"next_cursor": ""}})
	case "views.publish":
		f.write(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1", "type": "home"}})
	default:
		f.write(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (f *sigtermSlack) wire(m sigtermMessage) map[string]any {
	out := map[string]any{"type": "message", "subtype": "bot_message", "text": m.Text, "ts": m.TS, "bot_id": "BBOT", "user": "UBOT"}
	if m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	return out
}

func (f *sigtermSlack) write(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

// nudges returns the scheduled messages (those with an outbox key)
// received per channel.
func (f *sigtermSlack) nudges() map[string][]sigtermMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]sigtermMessage{}
	for ch, h := range f.history {
		for _, m := range h {
			if m.Key != "" {
				out[ch] = append(out[ch], m)
			}
		}
	}
	return out
}

func (f *sigtermSlack) postCount() int {
	n := 0
	for _, ms := range f.nudges() {
		n += len(ms)
	}
	return n
}

// unanswered is how many posted messages wait for their answer.
func (f *sigtermSlack) unanswered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight
}

func (f *sigtermSlack) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// waitPosts waits until n nudges have arrived and returns when.
func (f *sigtermSlack) waitPosts(t *testing.T, n int, within time.Duration) time.Time {
	t.Helper()
	deadline := time.After(within)
	for {
		if f.postCount() >= n {
			return time.Now()
		}
		select {
		case <-f.posted:
		case <-deadline:
			t.Fatalf("only %d of %d nudges arrived within %s", f.postCount(), n, within)
		}
	}
}

// waitEveryone waits until every person has at least one nudge and returns
// when.
func (f *sigtermSlack) waitEveryone(t *testing.T, want fanoutWant, within time.Duration, p *okrbotProcess) time.Time {
	t.Helper()
	deadline := time.After(within)
	for {
		posts := f.nudges()
		if len(posts) == len(want.keyOf) {
			return time.Now()
		}
		select {
		case <-f.posted:
		case <-time.After(100 * time.Millisecond):
		case <-p.exited:
			t.Fatalf("okrbot exited during the fan-out (%v): %s", p.waitErr, p.stderr)
		case <-deadline:
			var missing []string
			for ch := range want.keyOf {
				if _, ok := posts[ch]; !ok {
					missing = append(missing, ch)
				}
			}
			slices.Sort(missing)
			t.Fatalf("after %s, %d people have no nudge: %v; log: %s", within, len(missing), missing, p.stderr)
		}
	}
}

// testSeed is a random seed for a test's choices, or the one env names,
// logged so that a failing run can be repeated exactly.
func testSeed(t *testing.T, env, what string) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(env); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", env, s, err)
		}
	}
	t.Logf("seed %d (%s=%d repeats %s)", seed, env, seed, what)
	return seed
}
