//go:build unix

package bot_test

// The crash test of the scheduled fan-out: a dispatcher process sending the
// Monday nudges of 10,000 people to a fake platform over HTTP is killed
// with SIGKILL at a random point, started again, and the platform's record
// shows everyone nudged, and nobody twice but for the sends that were in
// flight when it died (none when the sender can ask the platform what it
// already received).
//
// It takes about 10 s, and 30–50 s with -race on two cores: 10 s to build
// the organisation and run the tick, the rest the killed run and the two
// recoveries from it (run at once), 11,000 to 19,000 sends in all: the
// earlier the kill, the longer. -short skips it. Set OKRBOT_FANOUT_SEED to repeat a run's kill
// point, OKRBOT_FANOUT_FSYNC to run the dispatcher with fsync on.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// The child process reads its orders from the environment.
const (
	envChildDB        = "OKRBOT_FANOUT_CHILD_DB"
	envChildURL       = "OKRBOT_FANOUT_CHILD_URL"
	envChildReconcile = "OKRBOT_FANOUT_CHILD_RECONCILE"
	envChildWorkers   = "OKRBOT_FANOUT_CHILD_WORKERS"
)

const crashWorkers = 16

// wireMessage is what the HTTP sender posts: the conversation, the outbox
// key (carried as Slack carries message metadata) and the text.
type wireMessage struct {
	Channel string `json:"channel"`
	Key     string `json:"key,omitempty"`
	Text    string `json:"text"`
}

type wireAnswer struct {
	OK    bool   `json:"ok"`
	ID    string `json:"id,omitempty"`
	Found bool   `json:"found,omitempty"`
	Error string `json:"error,omitempty"`
}

// httpSender is a bot.Sender posting JSON to the fake platform.
type httpSender struct {
	base   string
	client *http.Client
}

func newHTTPSender(base string, workers int) httpSender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers
	return httpSender{base: base, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (s httpSender) call(req *http.Request) (wireAnswer, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return wireAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return wireAnswer{}, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return wireAnswer{}, &chat.RateLimitError{RetryAfter: time.Duration(max(secs, 1)) * time.Second}
	}
	var a wireAnswer
	if err := json.Unmarshal(body, &a); err != nil || resp.StatusCode != http.StatusOK || !a.OK {
		return wireAnswer{}, fmt.Errorf("platform answered %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return a, nil
}

func (s httpSender) Send(ctx context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	body, err := json.Marshal(wireMessage{Channel: to.ID, Key: m.Key, Text: m.Text})
	if err != nil {
		return chat.SentRef{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/send", bytes.NewReader(body))
	if err != nil {
		return chat.SentRef{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	a, err := s.call(req)
	if err != nil {
		return chat.SentRef{}, err
	}
	return chat.SentRef{Conversation: to.ID, ID: a.ID}, nil
}

// reconcilingSender can also ask the platform whether a message with an
// outbox key already reached a conversation (as Slack's message metadata
// allows), so that a send in flight at a crash is not repeated.
type reconcilingSender struct{ httpSender }

func (s reconcilingSender) FindSent(ctx context.Context, to chat.Conversation, key string) (chat.SentRef, bool, error) {
	q := url.Values{"channel": {to.ID}, "key": {key}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/find?"+q.Encode(), nil)
	if err != nil {
		return chat.SentRef{}, false, err
	}
	a, err := s.call(req)
	if err != nil {
		return chat.SentRef{}, false, err
	}
	return chat.SentRef{Conversation: to.ID, ID: a.ID}, a.Found, nil
}

// crashPlatform is the fake platform: it records each delivered message by
// conversation and outbox key, answers 200 with an id, and calls
// onDelivery (before answering) with the number of deliveries so far.
type crashPlatform struct {
	*deliveries
	finds      atomic.Int64
	onDelivery atomic.Pointer[func(n int)]
}

func (p *crashPlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/send":
		var m wireMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Channel == "" {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(wireAnswer{Error: "invalid_arguments"})
			return
		}
		n := p.add(m.Channel, m.Key)
		if f := p.onDelivery.Load(); f != nil {
			(*f)(n)
		}
		_ = json.NewEncoder(w).Encode(wireAnswer{OK: true, ID: "m" + strconv.Itoa(n)})
	case r.Method == http.MethodGet && r.URL.Path == "/find":
		p.finds.Add(1)
		found := p.has(r.URL.Query().Get("channel"), r.URL.Query().Get("key"))
		_ = json.NewEncoder(w).Encode(wireAnswer{OK: true, Found: found})
	default:
		http.NotFound(w, r)
	}
}

// TestFanoutCrashChild is the dispatcher process of TestFanoutCrash; it
// does nothing when run on its own.
func TestFanoutCrashChild(t *testing.T) {
	path := os.Getenv(envChildDB)
	if path == "" {
		t.Skip("the dispatcher process of TestFanoutCrash; runs only when started by it")
	}
	workers, _ := strconv.Atoi(os.Getenv(envChildWorkers))
	// Without fsync unless OKRBOT_FANOUT_FSYNC is set: a process killed
	// with SIGKILL leaves its writes in the page cache, where the next
	// process reads them, so fsync changes nothing this test can see (it
	// guards against power loss) but costs a fifth of its time under -race.
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(os.Getenv("OKRBOT_FANOUT_FSYNC") != ""))
	var sender chat.Sender = newHTTPSender(os.Getenv(envChildURL), workers)
	if os.Getenv(envChildReconcile) != "" {
		sender = reconcilingSender{sender.(httpSender)}
	}
	e := bot.NewEngine(db, bot.Options{Now: fanoutClock})
	d := outbox.NewDispatcher(db, e, outbox.Only(sender), outbox.Options{Now: fanoutClock, Workers: workers,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("dispatcher stats: %+v\n", d.Stats())
}

// outboxStates counts the outbox items by state.
func outboxStates(t *testing.T, path string) map[okrcore.OutboxState]int {
	t.Helper()
	db := bottest.Store(t, bottest.File(path))
	defer db.Close() // now, not when the test ends: the recoveries copy this file
	out := map[okrcore.OutboxState]int{}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		n, _, err := tx.OpenOutbox()
		if err != nil {
			return err
		}
		items, err := tx.DueOutbox(fanoutNow, 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			out[it.State]++
		}
		if n != len(items) {
			return fmt.Errorf("%d open outbox items counted, %d listed", n, len(items))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFanoutCrash kills the dispatcher process once, at a random point of
// the fan-out, and recovers from that one crash twice: with a sender that
// can only send, and with one that can also ask the platform what it
// already received (bot.Reconciler).
func TestFanoutCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10,000-person fan-out in three processes: about 10 s, 30–50 s with -race on two cores")
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("OKRBOT_FANOUT_SEED"), 10, 64); err == nil {
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	total := fanoutPeople
	killAt := total/10 + rng.IntN(total*8/10+1) // between 10% and 90% of the deliveries
	t.Logf("kill at delivery %d of %d, from seed %d (OKRBOT_FANOUT_SEED=%d repeats it)", killAt, total, seed, seed)
	began := time.Now()
	f := newFanoutFixture(t, total)
	t.Logf("organisation and tick ready in %s", time.Since(began).Round(time.Millisecond))

	// The first run: killed with SIGKILL inside the killAt-th delivery,
	// after the platform recorded it and before it answered.
	crashed := filepath.Join(t.TempDir(), "crashed.db")
	copyFile(t, f.post, crashed)
	plat := &crashPlatform{deliveries: newDeliveries()}
	srv := httptest.NewServer(plat)
	var out bytes.Buffer
	cmd := fanoutChild(crashed, srv.URL, false)
	cmd.Stdout, cmd.Stderr = &out, &out
	var proc atomic.Pointer[os.Process]
	kill := func(n int) {
		if n == killAt {
			if p := proc.Load(); p != nil {
				_ = p.Kill() // SIGKILL
			}
		}
	}
	plat.onDelivery.Store(&kill)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc.Store(cmd.Process)
	err := cmd.Wait()
	// Requests the child had sent before it died may still be in the
	// server's hands: they are sends in flight at the kill. Close waits
	// for them.
	srv.Close()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Exited() || !strings.Contains(exit.String(), "killed") {
		t.Fatalf("the dispatcher process was to be killed at delivery %d; it ended with %v after %d deliveries:\n%s",
			killAt, err, plat.delivered(), out.String())
	}
	states := outboxStates(t, crashed)
	t.Logf("killed (%s) at delivery %d, %s after the test began; %d delivered in all; the outbox holds %d items sending (in doubt) and %d pending",
		exit, killAt, time.Since(began).Round(time.Millisecond), plat.delivered(), states[okrcore.OutboxSending], states[okrcore.OutboxPending])
	if n := states[okrcore.OutboxSending]; n > crashWorkers {
		t.Errorf("%d items left in doubt (sending); at most Workers = %d may be", n, crashWorkers)
	}
	if open, delivered := states[okrcore.OutboxSending]+states[okrcore.OutboxPending], plat.delivered(); open+delivered < total {
		t.Errorf("%d open items after %d deliveries of %d: some were marked sent without being delivered", open, delivered, total)
	}

	// The two recoveries, each from a copy of the crashed store and of the
	// platform's record, run at once.
	t.Run("restart", func(t *testing.T) {
		for _, reconcile := range []bool{false, true} {
			t.Run(fmt.Sprintf("reconcile=%v", reconcile), func(t *testing.T) {
				t.Parallel()
				restart(t, f, crashed, plat.deliveries, reconcile)
			})
		}
	})
	t.Logf("%s in all", time.Since(began).Round(time.Millisecond))
}

func fanoutChild(db, url string, reconcile bool) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFanoutCrashChild$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), envChildDB+"="+db, envChildURL+"="+url, envChildWorkers+"="+strconv.Itoa(crashWorkers))
	if reconcile {
		cmd.Env = append(cmd.Env, envChildReconcile+"=1")
	}
	return cmd
}

// restart runs a dispatcher process to completion on a copy of the crashed
// store, against a platform that has received what the killed one sent.
func restart(t *testing.T, f *fanoutFixture, crashed string, before *deliveries, reconcile bool) {
	began := time.Now()
	path := filepath.Join(t.TempDir(), "okrbot.db")
	copyFile(t, crashed, path)
	plat := &crashPlatform{deliveries: before.clone()}
	srv := httptest.NewServer(plat)
	defer srv.Close()
	out, err := fanoutChild(path, srv.URL, reconcile).CombinedOutput()
	if err != nil {
		t.Fatalf("the restarted dispatcher failed: %v\n%s", err, out)
	}
	if open := outboxStates(t, path); len(open) > 0 {
		t.Errorf("items still open after the restarted dispatcher finished: %v", open)
	}
	tl := plat.tally(f.expected)
	t.Logf("%d people nudged of %d; %d nudged more than once (%d extra messages; bound %d), %d never, %d unexpected messages; %d deliveries, %d reconcile lookups; restarted %s in %s",
		len(f.expected)-tl.missed, len(f.expected), tl.repeated, tl.extra, crashWorkers, tl.missed, tl.unexpected, plat.delivered(), plat.finds.Load(),
		strings.TrimSpace(lastLine(string(out), "dispatcher stats:")), time.Since(began).Round(time.Millisecond))
	if tl.missed > 0 || tl.unexpected > 0 {
		t.Errorf("%d people never nudged, %d unexpected messages, e.g. %v", tl.missed, tl.unexpected, tl.examples)
	}
	if tl.repeated > crashWorkers {
		t.Errorf("%d people nudged more than once; only the %d sends in flight at the kill may repeat", tl.repeated, crashWorkers)
	}
	if reconcile && tl.repeated > 0 {
		t.Errorf("%d people nudged more than once although the sender reconciles", tl.repeated)
	}
}

func lastLine(s, prefix string) string {
	out := ""
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = l
		}
	}
	return out
}
