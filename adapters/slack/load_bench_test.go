package slack

// Load benchmarks of the Slack adapter with the real engine on a bbolt file
// holding the 10,000-person organisation (storagetest.GenerateOrg), over
// loopback HTTP with signed requests, against the fake Slack. Run them with
//
//	go test -run '^$' -bench SlashCommandLoad -benchtime 1x -timeout 30m ./adapters/slack/
//
// BenchmarkSlashCommandLoad: `/okr mine` and `/okr team NAME` from an
// open-loop generator at a fixed rate (requests fire at fixed intervals
// whatever the responses; latency is measured from each request's
// scheduled time, so a stalled server cannot hide its queue) until the
// HTTP response (Slack's 3-second ack) and until the answer reaches the
// fake's response_url; then the saturation throughput of a closed loop of
// clients that each wait for the answer before sending the next command.
// Environment:
//
//	OKRBOT_LOAD_RPS      the open loop's rate (1000 requests a second)
//	OKRBOT_LOAD_SECONDS  how long each phase runs (10)
//	OKRBOT_LOAD_CLIENTS  closed-loop clients (64)
//	OKRBOT_LOAD_COLD     1: do not warm the adapter's users.info cache first
//	OKRBOT_LOAD_SYNC     0: open the store without fsync (default: fsync, as in production)
//	OKRBOT_LOAD_WORKERS  the adapter's Options.Workers (its default, 16)
//	OKRBOT_LOAD_KEEPALIVE 1: give the adapter an HTTP client that keeps 64 idle
//	                     connections to Slack (default: as `okrbot serve`, whose
//	                     client keeps 2, so most answers open a new connection)
//
// The scheduled fan-out through this adapter, against a fake Slack whose
// limit the dispatcher is not told, is cmd/okrload's fanout scenario.
//
// The organisation's people have platform "bench" as generated; they are
// turned into Slack users (platform "slack", user ids u1…u10000, workspace
// T1) so that the engine resolves slash commands from them as it would in
// production, instead of creating new people.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v >= 0 {
		return v
	}
	return def
}

// loadProxy is the fake Slack as the load sees it: it answers response
// URLs and counts the connections the adapter opened to it (slacktest).
type loadProxy struct {
	f *fakeSlack
}

func newLoadProxy(tb testing.TB, f *fakeSlack) *loadProxy {
	tb.Helper()
	return &loadProxy{f: f}
}

func (p *loadProxy) apiURL() string { return p.f.APIURL() }

// expect registers a response_url id and returns its URL and answer.
func (p *loadProxy) expect(id string) (string, *slacktest.Answer) {
	return p.f.ResponseURL(id), p.f.Expect(id)
}

// conns is how many connections the adapter opened to Slack.
func (p *loadProxy) conns() int64 { return p.f.Stats().Connections }

// generateSlackOrg writes an organisation into a bolt file under dir and
// makes its people Slack users of workspace T1. It returns the file's path
// (closed) and the organisation.
func generateSlackOrg(tb testing.TB, dir string, spec storagetest.OrgSpec, prepare func(context.Context, *bolt.DB, *storagetest.Org) error) (string, *storagetest.Org) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "org.db")
	start := time.Now()
	db := bottest.Store(tb, bottest.File(path))
	spec.Workspace = testTeam
	org, err := storagetest.GenerateOrg(ctx, db, spec)
	if err == nil {
		err = asSlackUsers(ctx, db, org.Workspace)
	}
	if err == nil && prepare != nil {
		err = prepare(ctx, db, org)
	}
	if cerr := db.Close(); err == nil { // before it is synced and reopened
		err = cerr
	}
	if err == nil {
		// Written without fsync: flush it now, or the first synced commit
		// of the benchmark pays for writing the whole file back.
		err = syncFile(path)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("generated %d people, %d teams, %d objectives, %d key results in %s", org.Users, org.Teams, org.Objectives, org.KeyResults,
		time.Since(start).Round(time.Millisecond))
	return path, org
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// asSlackUsers moves every person of a workspace to platform "slack",
// keeping their platform ids.
func asSlackUsers(ctx context.Context, db *bolt.DB, ws string) error {
	return slacktest.MoveToSlack(ctx, db, ws)
}

// addFakeUsers tells the fake Slack about the workspace's people, with
// the profile the store has (so users.info changes nothing).
func addFakeUsers(tb testing.TB, db *bolt.DB, ws string, f *fakeSlack) []*okrcore.User {
	tb.Helper()
	users, err := slacktest.AddPeople(context.Background(), db, ws, f.Fake)
	if err != nil {
		tb.Fatal(err)
	}
	return users
}

// loadEnv is the adapter in HTTP mode with the engine on the organisation.
type loadEnv struct {
	org    *storagetest.Org
	users  []*okrcore.User
	proxy  *loadProxy
	a      *Adapter
	srv    *httptest.Server
	client *http.Client
	seq    *atomic.Int64
}

func newLoadEnv(b *testing.B) *loadEnv {
	b.Helper()
	path, org := generateSlackOrg(b, b.TempDir(), storagetest.OrgSpec{}, nil)
	db := bottest.Store(b, bottest.File(path), bottest.Fsync(os.Getenv("OKRBOT_LOAD_SYNC") != "0"))
	now := org.Now
	engine := bot.NewEngine(db, bot.Options{Now: func() time.Time { return now }})
	f := newFakeSlack(b)
	le := &loadEnv{org: org, users: addFakeUsers(b, db, org.Workspace, f), proxy: newLoadProxy(b, f), seq: new(atomic.Int64)}
	le.a, le.srv = startHTTPAdapter(b, le.proxy, engine)
	le.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}}
	b.Cleanup(le.client.CloseIdleConnections)
	if os.Getenv("OKRBOT_LOAD_COLD") != "1" {
		// Steady state: everyone's users.info answer is cached (it is kept
		// an hour), as the adapter fills it on a person's first event.
		start := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for _, u := range le.users {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				ev := chat.Event{Workspace: org.Workspace, UserID: u.PlatformID}
				le.a.fillProfile(context.Background(), &ev)
			})
		}
		wg.Wait()
		b.Logf("users.info cache warmed for %d people in %s", len(le.users), time.Since(start).Round(time.Millisecond))
	}
	return le
}

// startHTTPAdapter runs an adapter in HTTP mode with handler h, as `okrbot
// serve` makes it (default options), behind a loopback server.
func startHTTPAdapter(b *testing.B, p *loadProxy, h chat.Handler) (*Adapter, *httptest.Server) {
	b.Helper()
	opts := Options{Workers: envInt("OKRBOT_LOAD_WORKERS", 0)}
	if os.Getenv("OKRBOT_LOAD_KEEPALIVE") == "1" {
		// Keep a connection per worker to Slack (the default transport
		// keeps two, so most answers open a new connection).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: p.apiURL()}, opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, h) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	for !a.run.Running() {
		time.Sleep(5 * time.Millisecond)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Config.ReadHeaderTimeout, srv.Config.ReadTimeout, srv.Config.WriteTimeout = 5*time.Second, 10*time.Second, 10*time.Second
	srv.Start()
	b.Cleanup(srv.Close)
	return a, srv
}

// fixedAnswer is a handler that answers every event with the same short
// message, without a store: what the adapter alone costs.
type fixedAnswer struct{}

func (fixedAnswer) Handle(ctx context.Context, _ chat.Event, r chat.Responder) {
	_ = r.Respond(ctx, chat.Message{Text: "ok", Ephemeral: true, Blocks: []chat.Block{chat.Section{Text: "ok"}}})
}

// request builds a signed /okr command from user with a response_url of
// its own.
func (le *loadEnv) request(text, user string) (*http.Request, *slacktest.Answer) {
	id := "r" + strconv.FormatInt(le.seq.Add(1), 10)
	respURL, answer := le.proxy.expect(id)
	body := commandForm(user, "C0LOAD", text, "trig-"+id, respURL).Encode()
	req, err := http.NewRequest(http.MethodPost, le.srv.URL+"/slack/commands", strings.NewReader(body))
	if err != nil {
		panic(err) // a URL of our own
	}
	req.Header = sign(testSecret, time.Now(), []byte(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, answer
}

// do sends a request and reports whether Slack got a plain ack (an empty
// 200) rather than a refusal or the busy message.
func (le *loadEnv) do(req *http.Request) (ack bool, err error) {
	res, err := le.client.Do(req)
	if err != nil {
		return false, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode == http.StatusOK && len(body) == 0, nil
}

// latencies summarises durations.
type latencies []time.Duration

func (l latencies) stats() (p50, p99, maxi time.Duration) {
	if len(l) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)], s[len(s)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// commandMix says what the n-th request of a phase is.
type commandMix func(i int) (text, user string)

func (le *loadEnv) mine(i int) (string, string) {
	// Spread over everyone: user N is u N.
	return "mine", le.users[(i*7919)%len(le.users)].PlatformID
}

func (le *loadEnv) team(i int) (string, string) {
	names := le.org.TeamNames
	return "team " + names[(i*104729)%len(names)], le.users[(i*7919)%len(le.users)].PlatformID
}

// openResult is what an open-loop run measured.
type openResult struct {
	n             int
	sent          time.Duration // from the first scheduled send to the last send
	late          time.Duration // how late the generator fired, at worst
	acks, answers latencies
	errs, refused int
	lost          int
	firstErr      error
	sample        string
	conns         int64 // connections the adapter opened to (fake) Slack meanwhile
}

// openLoop fires rps requests a second for dur, each at its scheduled time
// whatever happened to the others, and measures each until its ack and
// until its answer, from its scheduled time.
func (le *loadEnv) openLoop(rps int, dur time.Duration, mix commandMix) openResult {
	n := int(float64(rps) * dur.Seconds())
	interval := time.Second / time.Duration(rps)
	reqs := make([]*http.Request, n)
	answers := make([]*slacktest.Answer, n)
	for i := range n {
		text, user := mix(i)
		reqs[i], answers[i] = le.request(text, user)
	}
	acks := make(latencies, n)
	acked := make([]bool, n)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	var late time.Duration
	conns := le.proxy.conns()
	start := time.Now().Add(20 * time.Millisecond)
	targets := make([]time.Time, n)
	for i := range n {
		targets[i] = start.Add(time.Duration(i) * interval)
		if d := time.Until(targets[i]); d > 0 {
			time.Sleep(d)
		}
		late = max(late, time.Since(targets[i]))
		wg.Go(func() {
			ok, err := le.do(reqs[i])
			acks[i] = time.Since(targets[i])
			acked[i] = ok
			if err != nil {
				errs.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		})
	}
	sent := time.Since(start)
	wg.Wait()
	res := openResult{n: n, sent: sent, late: late, acks: acks, errs: int(errs.Load())}
	if e, ok := firstErr.Load().(error); ok {
		res.firstErr = e
	}
	deadline := time.After(30 * time.Second)
wait:
	for i, a := range answers {
		if !acked[i] {
			res.refused++
			continue
		}
		select {
		case <-a.Done():
			res.answers = append(res.answers, a.At().Sub(targets[i]))
		case <-deadline:
			res.lost = len(answers) - i
			break wait
		}
	}
	res.conns = le.proxy.conns() - conns
	if n > 0 {
		select {
		case <-answers[0].Done():
			res.sample = answers[0].Body()
		default:
		}
	}
	return res
}

func (res openResult) report(b *testing.B) {
	if res.errs > 0 {
		b.Errorf("%d requests failed: %v", res.errs, res.firstErr)
	}
	if res.lost > 0 {
		b.Errorf("%d acknowledged requests were never answered", res.lost)
	}
	if res.refused > 0 {
		// Overload: the pool's queue stayed full for a second and Slack was
		// told "busy". A measurement, not a failure.
		b.Logf("%d requests were answered busy instead of acknowledged", res.refused)
	}
	b.Logf("a sample answer: %.300s", res.sample)
	ap50, ap99, amax := res.acks.stats()
	rp50, rp99, rmax := res.answers.stats()
	rate := float64(res.n) / res.sent.Seconds()
	b.ReportMetric(ms(ap50), "ack-p50-ms")
	b.ReportMetric(ms(ap99), "ack-p99-ms")
	b.ReportMetric(ms(amax), "ack-max-ms")
	b.ReportMetric(ms(rp50), "answer-p50-ms")
	b.ReportMetric(ms(rp99), "answer-p99-ms")
	b.ReportMetric(ms(rmax), "answer-max-ms")
	b.ReportMetric(rate, "sent-req/s")
	b.ReportMetric(float64(res.refused), "busy")
	b.ReportMetric(float64(res.conns), "slack-conns")
	b.Logf("%d requests in %s (%.0f/s; the generator was at most %s late): ack p50 %s p99 %s max %s; answer p50 %s p99 %s max %s; %d not acked, %d lost; %d new connections to Slack",
		res.n, res.sent.Round(time.Millisecond), rate, res.late.Round(time.Microsecond), ap50.Round(time.Microsecond), ap99.Round(time.Microsecond),
		amax.Round(time.Microsecond), rp50.Round(time.Microsecond), rp99.Round(time.Microsecond), rmax.Round(time.Microsecond), res.refused, res.lost, res.conns)
}

// closedLoop runs clients that each send a command, wait for its answer
// and send the next, for dur: the throughput the whole path sustains.
func (le *loadEnv) closedLoop(b *testing.B, clients int, dur time.Duration, mix commandMix) {
	var next atomic.Int64
	var mu sync.Mutex
	var acks, e2e latencies
	var busy, failed atomic.Int64
	conns := le.proxy.conns()
	stop := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var myAcks, myE2E latencies
			for time.Now().Before(stop) {
				text, user := mix(int(next.Add(1)))
				req, a := le.request(text, user)
				t0 := time.Now()
				ok, err := le.do(req)
				myAcks = append(myAcks, time.Since(t0))
				if err != nil {
					failed.Add(1)
					continue
				}
				if !ok {
					busy.Add(1)
					continue
				}
				select {
				case <-a.Done():
					myE2E = append(myE2E, a.At().Sub(t0))
				case <-time.After(30 * time.Second):
					failed.Add(1)
				}
			}
			mu.Lock()
			acks = append(acks, myAcks...)
			e2e = append(e2e, myE2E...)
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(start)
	ap50, ap99, amax := acks.stats()
	rp50, rp99, rmax := e2e.stats()
	rate := float64(len(e2e)) / took.Seconds()
	b.ReportMetric(rate, "answered-req/s")
	b.ReportMetric(ms(ap99), "ack-p99-ms")
	b.ReportMetric(ms(rp50), "answer-p50-ms")
	b.ReportMetric(ms(rp99), "answer-p99-ms")
	newConns := le.proxy.conns() - conns
	b.ReportMetric(float64(newConns), "slack-conns")
	b.Logf("%d clients for %s: %d answered (%.0f/s), %d busy, %d failed; ack p50 %s p99 %s max %s; answer p50 %s p99 %s max %s; %d new connections to Slack",
		clients, took.Round(time.Millisecond), len(e2e), rate, busy.Load(), failed.Load(), ap50.Round(time.Microsecond), ap99.Round(time.Microsecond),
		amax.Round(time.Microsecond), rp50.Round(time.Microsecond), rp99.Round(time.Microsecond), rmax.Round(time.Microsecond), newConns)
	if failed.Load() > 0 {
		b.Errorf("%d commands failed", failed.Load())
	}
}

// BenchmarkSlashCommandLoad: see the top of the file.
func BenchmarkSlashCommandLoad(b *testing.B) {
	le := newLoadEnv(b)
	rps := envInt("OKRBOT_LOAD_RPS", 1000)
	dur := time.Duration(envInt("OKRBOT_LOAD_SECONDS", 10)) * time.Second
	clients := envInt("OKRBOT_LOAD_CLIENTS", 64)
	// Warm-up: connections, the store's pages in memory.
	le.openLoop(200, 2*time.Second, le.mine)
	le.openLoop(200, 2*time.Second, le.team)
	// The adapter alone, with a handler that answers at once: the ack and
	// answer paths without the engine's work competing for the CPUs.
	alone := *le
	alone.a, alone.srv = startHTTPAdapter(b, le.proxy, fixedAnswer{})
	b.Run(fmt.Sprintf("adapter-only/open-%drps", rps), func(b *testing.B) {
		alone.openLoop(rps, dur, le.mine).report(b)
	})
	for _, c := range []struct {
		name string
		mix  commandMix
	}{{"mine", le.mine}, {"team", le.team}} {
		b.Run(fmt.Sprintf("%s/open-%drps", c.name, rps), func(b *testing.B) {
			le.openLoop(rps, dur, c.mix).report(b)
		})
		b.Run(fmt.Sprintf("%s/closed-%dclients", c.name, clients), func(b *testing.B) {
			le.closedLoop(b, clients, dur, c.mix)
		})
	}
}
