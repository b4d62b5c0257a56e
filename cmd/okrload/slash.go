package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

const (
	slackBotToken = slacktest.BotToken
	signingSecret = "okrload-signing-secret"
	// answerWait is how long after the last request an answer may still
	// come before it counts as lost.
	answerWait = 30 * time.Second
)

func slashFlags(fs *flag.FlagSet, c *config) {
	commonOrgFlags(fs, c)
	databaseFlag(fs, c)
	fs.IntVar(&c.rate, "rate", 1000, "requests a second, sent at fixed intervals whatever the answers")
	fs.Float64Var(&c.seconds, "seconds", 10, "how long each phase sends")
	fs.BoolVar(&c.firstContact, "first-contact", false, "the people are unknown to okrbot's Slack side: every person's first command is their first contact (users.info, then their verified address joins them to their person)")
	fs.IntVar(&c.replicas, "replicas", 1, "how many okrbot serve processes share the --database-url database, the requests sent to each in turn as a load balancer would")
	fs.StringVar(&c.okrbot, "okrbot", "", "the okrbot binary to run (default: built from this module with go build)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of okrbot serve (the first, with --replicas) while it is under load to this `file` (read it with go tool pprof)")
}

// maxReplicas bounds --replicas: each is a process with its own pool of
// connections to the one server.
const maxReplicas = 8

func checkSlash(c *config) error {
	if c.rate < 1 || c.rate > 20000 {
		return fmt.Errorf("--rate %d: give between 1 and 20000 requests a second", c.rate)
	}
	if !(c.seconds > 0 && c.seconds <= 3600) {
		return fmt.Errorf("--seconds %g: give a positive number of seconds, at most 3600", c.seconds)
	}
	if c.replicas < 1 || c.replicas > maxReplicas {
		return fmt.Errorf("--replicas %d: give between 1 and %d okrbot serve processes", c.replicas, maxReplicas)
	}
	if c.replicas > 1 && c.databaseURL == "" {
		return fmt.Errorf("--replicas %d: several okrbot serve processes share a PostgreSQL database; give it with --database-url (a bbolt file has one process)", c.replicas)
	}
	if dir := filepath.Dir(c.cpuProfile); c.cpuProfile != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("--cpuprofile %s: its directory %s does not exist", c.cpuProfile, dir)
		}
	}
	if err := checkDatabaseURL(c); err != nil {
		return err
	}
	return checkOrgFlags(c)
}

// runSlash: --replicas okrbot serve processes, started on a copy of the
// organisation (or on a schema of PostgreSQL loaded with it) with its
// schedule off (so that they send nothing on their own), get signed
// `/okr mine` and `/okr team NAME` in turn from people spread over
// everyone, --rate a second for --seconds, each request to the next
// process in turn; each answer is timed from its request's scheduled time
// to its arrival at the fake's response_url. Then the Slack adapter alone,
// in this process with a handler that answers at once, gets the same
// load: the baseline the engine's work is compared with.
func runSlash(ctx context.Context, c *config, log *progress) (figures, error) {
	bin, err := okrbotBinary(ctx, c, log)
	if err != nil {
		return figures{}, err
	}
	s, err := openOrg(ctx, c, log, "serve.db")
	if err != nil {
		return figures{}, err
	}
	defer s.drop()
	o := s.o
	fake := slacktest.New(slacktest.Options{Quiet: true})
	defer fake.Close()
	err = prepareServe(ctx, s.db, o, c.firstContact)
	if err == nil {
		_, err = slacktest.AddPeople(ctx, s.db, o.ws, fake)
	}
	if cerr := s.close(); err == nil { // okrbot serve holds a bbolt file's lock
		err = cerr
	}
	if err != nil {
		return figures{}, err
	}
	procs, err := startReplicas(ctx, c, log, bin, s.setting, fake.APIURL())
	if err != nil {
		return figures{}, err
	}
	bases := make([]string, len(procs))
	for i, p := range procs {
		defer p.kill()
		bases[i] = p.base
	}
	l := newLoad(fake, o)
	if !c.firstContact {
		// Connections, the store's pages and the adapter's users.info
		// cache warm, as in a workspace that has been running.
		l.run(ctx, bases, max(1, c.rate/5), 2*time.Second, log, "warming up")
	}
	profiled := procs[0].profile(ctx, c.cpuProfile, secondsOf(c.seconds))
	real := l.run(ctx, bases, c.rate, secondsOf(c.seconds), log, "okrbot serve")
	if err := <-profiled; err != nil {
		return figures{}, err
	}
	for _, s := range real.samples {
		log.note(fmt.Sprintf("a sample answer: %.400s", s))
	}
	mem, err := procs[0].memory(ctx)
	if err != nil {
		return figures{}, err
	}
	for _, p := range procs {
		if err := p.stop(30 * time.Second); err != nil {
			return figures{}, err
		}
	}
	base, err := baseline(ctx, fake, l, c, log)
	if err != nil {
		return figures{}, err
	}
	var f figures
	f.add("people", len(o.users))
	f.add("first_contact", c.firstContact)
	f.add("store", s.kind())
	f.add("replicas", len(procs))
	f.add("requests", real.n)
	f.add("sent_per_second", real.rate())
	f.add("ack_p99_ms", quantile(real.acks, 0.99))
	f.add("answer_p50_ms", quantile(real.answers, 0.5))
	f.add("answer_p99_ms", quantile(real.answers, 0.99))
	f.add("answer_max_ms", quantile(real.answers, 1))
	f.add("baseline_p99_ms", quantile(base.answers, 0.99))
	f.add("ratio", float64(quantile(real.answers, 0.99))/float64(max(1, quantile(base.answers, 0.99))))
	f.add("busy", real.busy)
	f.add("errors", real.errs)
	f.add("lost", real.lost())
	f.add("baseline_lost", base.lost())
	f.add("heap_inuse_mb", mem.heapInuse)
	f.add("rss_mb", mem.rss)
	f.add("rss_peak_mb", mem.rssPeak)
	if real.firstErr != nil {
		return f, fmt.Errorf("%d requests failed, the first: %w (%s)", real.errs, real.firstErr, f)
	}
	return f, nil
}

// startReplicas starts --replicas okrbot serve processes on the store db
// names, each with its own directory of configuration, all started before
// any is waited for, as a deployment's pods start together (their
// migrations then meet under the advisory lock).
func startReplicas(ctx context.Context, c *config, log *progress, bin, db, apiURL string) ([]*process, error) {
	log.phase(fmt.Sprintf("starting %d okrbot serve", c.replicas), nil)
	procs := make([]*process, c.replicas)
	errs := make([]error, c.replicas)
	var wg sync.WaitGroup
	for i := range procs {
		dir := filepath.Join(c.tempDir, fmt.Sprintf("replica%d", i+1))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("make a directory for okrbot serve: %w", err)
		}
		wg.Go(func() {
			// The first with its profiler, for its heap and --cpuprofile.
			procs[i], errs[i] = startServe(ctx, bin, dir, db, apiURL, signingSecret, i == 0)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			for _, p := range procs {
				if p != nil {
					p.kill()
				}
			}
			return nil, err
		}
	}
	return procs, nil
}

// prepareServe turns the schedule off. With firstContact it makes every
// person unknown to Slack (their account on the generator's platform,
// their address verified, as a directory import leaves them), so that
// each one's first command finds them by the address Slack confirms.
// Without it, every person is stored as Slack describes them (the fake's
// users.info confirms their address), as in a workspace okrbot has served
// for a while: no command rewrites its person.
func prepareServe(ctx context.Context, db okrcore.Store, o *org, firstContact bool) error {
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(o.ws)
		if err != nil {
			return err
		}
		off := okrcore.Slot{Cadence: okrcore.Off}
		w.Schedule = okrcore.Schedule{CheckIn: off, Reminder: off, Digest: off, ManagerDigest: off, GradingDays: -1}
		return tx.PutWorkspace(w)
	})
	if err != nil {
		return err
	}
	for i := 0; i < len(o.users); i += 2000 {
		batch := o.users[i:min(i+2000, len(o.users))]
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			for _, u := range batch {
				c := *u
				c.EmailVerified = true
				if firstContact {
					c.Platform = storagetest.BenchPlatform
				}
				if err := tx.PutUser(&c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store people as Slack knows them: %w", err)
		}
	}
	return nil
}

func secondsOf(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// baseline is the same load against the Slack adapter alone, in this
// process, with a handler that answers every command at once.
func baseline(ctx context.Context, fake *slacktest.Fake, l *load, c *config, log *progress) (result, error) {
	a, err := slack.New(slack.Config{BotToken: slackBotToken, SigningSecret: signingSecret, APIURL: fake.APIURL()},
		slack.Options{Logger: c.log})
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, fixedAnswer{}) }()
	defer func() {
		cancel()
		<-done
	}()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if res, err := http.Get(srv.URL + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return result{}, fmt.Errorf("the baseline adapter did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.run(ctx, []string{srv.URL}, max(1, c.rate/5), 2*time.Second, log, "warming the baseline up")
	return l.run(ctx, []string{srv.URL}, c.rate, secondsOf(c.seconds), log, "the adapter alone"), nil
}

// fixedAnswer answers every event with the same short message, without a
// store: what the adapter alone costs.
type fixedAnswer struct{}

func (fixedAnswer) Handle(ctx context.Context, _ chat.Event, r chat.Responder) {
	_ = r.Respond(ctx, chat.Message{Text: "ok", Ephemeral: true, Blocks: []chat.Block{chat.Section{Text: "ok"}}})
}

// load makes the requests: a person spread over everyone (a stride prime
// to any organisation's size below 7919², so that --people requests reach
// each person once), `/okr mine` and `/okr team NAME` in turn.
type load struct {
	fake   *slacktest.Fake
	o      *org
	client *http.Client
	wait   time.Duration // how long answers may come after the last ack
	seq    atomic.Int64
}

func newLoad(fake *slacktest.Fake, o *org) *load {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 4096, 4096
	return &load{fake: fake, o: o, client: &http.Client{Timeout: answerWait, Transport: tr}, wait: answerWait}
}

// request is one signed slash command and the answer it waits for.
func (l *load) request(base string, i int) (*http.Request, *slacktest.Answer) {
	id := "r" + strconv.FormatInt(l.seq.Add(1), 10)
	u := l.o.users[(i*7919)%len(l.o.users)]
	text := "mine"
	if i%2 == 1 {
		text = "team " + l.o.teams[(i*104729)%len(l.o.teams)].Name
	}
	form := url.Values{"token": {"legacy"}, "team_id": {l.o.ws}, "team_domain": {"load"}, "channel_id": {"C0LOAD"},
		"channel_name": {"directmessage"}, "user_id": {u.PlatformID}, "user_name": {u.Name}, "command": {"/okr"}, "text": {text},
		"api_app_id": {"A1"}, "response_url": {l.fake.ResponseURL(id)}, "trigger_id": {"trig-" + id}}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
	if err != nil {
		panic(err) // a URL of our own
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, l.fake.Expect(id)
}

// result is what one open-loop phase measured.
type result struct {
	n             int
	sent          time.Duration
	acks, answers []time.Duration
	busy, errs    int
	answered      int
	firstErr      error
	samples       []string // the first answers of `/okr mine` and of `/okr team`
}

func (r result) rate() float64 { return float64(r.n) / max(r.sent.Seconds(), 1e-9) }

// lost are the requests never answered at their response URL.
func (r result) lost() int { return r.n - r.answered }

// run fires rate requests a second for dur, each at its scheduled time
// whatever happened to the others (so that a stalled server cannot hide
// its queue), to each of bases in turn (a load balancer's round robin),
// and times each from that moment until its ack and its answer.
func (l *load) run(ctx context.Context, bases []string, rate int, dur time.Duration, log *progress, what string) result {
	n := max(1, int(float64(rate)*dur.Seconds()))
	interval := time.Second / time.Duration(rate)
	reqs := make([]*http.Request, n)
	answers := make([]*slacktest.Answer, n)
	for i := range n {
		reqs[i], answers[i] = l.request(bases[i%len(bases)], i)
	}
	res := result{n: n, acks: make([]time.Duration, n)}
	var sent, acked atomic.Int64
	var mu sync.Mutex
	log.phase(what, func() string {
		return fmt.Sprintf("%d of %d sent at %d/s, %d acknowledged, %d answered", sent.Load(), n, rate, acked.Load(), l.fake.Stats().Answers)
	})
	var wg sync.WaitGroup
	start := time.Now().Add(20 * time.Millisecond)
	targets := make([]time.Time, n)
	for i := range n {
		targets[i] = start.Add(time.Duration(i) * interval)
		if d := time.Until(targets[i]); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			break
		}
		sent.Add(1)
		wg.Go(func() {
			r, err := l.client.Do(reqs[i])
			res.acks[i] = time.Since(targets[i])
			var body []byte
			if err == nil {
				body, _ = io.ReadAll(r.Body)
				r.Body.Close()
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				res.errs++
				if res.firstErr == nil {
					res.firstErr = err
				}
			case r.StatusCode != http.StatusOK || len(body) > 0:
				// Refused, or the busy message instead of a plain ack.
				res.busy++
			default:
				acked.Add(1)
			}
		})
	}
	res.sent = time.Since(start)
	wg.Wait()
	// Answers still on their way get l.wait after the last ack.
	wctx, cancel := context.WithTimeout(ctx, l.wait)
	defer cancel()
	for i, a := range answers {
		select {
		case <-a.Done():
		default:
			select { // not yet: wait, while there is time left
			case <-a.Done():
			case <-wctx.Done():
				continue
			}
		}
		res.answered++
		res.answers = append(res.answers, a.At().Sub(targets[i]))
	}
	for _, a := range answers[:min(2, n)] {
		select {
		case <-a.Done():
			res.samples = append(res.samples, a.Body())
		default:
		}
	}
	return res
}
