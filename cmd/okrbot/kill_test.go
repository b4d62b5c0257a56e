//go:build unix

package main

// TestKillNineKeepsAcknowledgedEvents runs the real okrbot binary in Slack
// HTTP mode and sends it signed Slack deliveries at a steady rate: DMs with
// a check-in ("KR3 7") and slash commands that create an objective, each
// with an effect of its own in the store. At a random point it kills the
// process with SIGKILL, starts it again on the same database, and does so
// several times; then it stops the last run with SIGTERM and reads the
// store. Every delivery Slack had a 200 for must have its effect, exactly
// once; none may have it twice.
//
// It takes about 15 s after the build: -short skips it. The kill points
// come from a seed, logged; OKRBOT_KILL_SEED repeats them.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

const (
	killUsers  = 20
	killTrials = 8
	// killRate is how many deliveries a second the test sends: a busy
	// Monday morning of a large workspace answering its nudges.
	killRate = 150
)

func TestKillNineKeepsAcknowledgedEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds okrbot and kills it with SIGKILL several times, about 15 s")
	}
	seed := testSeed(t, "OKRBOT_KILL_SEED", "the kill points")
	rng := rand.New(rand.NewPCG(seed, seed^0x4b111))
	start := time.Now()
	bin := buildOkrbot(t)
	dbPath := filepath.Join(t.TempDir(), "okrbot.db")
	krs := seedKill(t, dbPath, time.Now())
	fake := newKillSlack(seed)
	api := httptest.NewServer(fake)
	defer api.Close()
	load := newKillLoad(krs, api.URL)

	for trial := 1; trial <= killTrials; trial++ {
		p := startOkrbot(t, bin, dbPath, api.URL+"/api/")
		p.waitReady(t)
		after := 150*time.Millisecond + time.Duration(rng.Int64N(int64(1200*time.Millisecond)))
		from := load.count()
		stop := make(chan struct{})
		sent := load.send(p.base, killRate, stop)
		time.Sleep(after)
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatalf("SIGKILL: %v", err)
		}
		<-p.exited
		close(stop)
		<-sent
		t.Logf("trial %d: SIGKILL %s after the first delivery; %d sent", trial, after.Round(time.Millisecond), load.count()-from)
	}
	// The last run replays what the last kill left behind and stops cleanly.
	p := startOkrbot(t, bin, dbPath, api.URL+"/api/")
	p.waitReady(t)
	p.stop(t, 15*time.Second)

	got := readKillEffects(t, dbPath, krs)
	acked, lost, twice, late := load.check(t, got)
	p50, p99 := load.latency()
	t.Logf("outcomes: %v", load.outcomes())
	t.Logf("%d deliveries, %d acknowledged with 200 (ack p50 %s, p99 %s), %d of those never processed, %d processed twice, %d processed though not acknowledged; %s in all",
		load.count(), acked, p50, p99, lost, twice, late, time.Since(start).Round(time.Millisecond))
	if lost > 0 || twice > 0 {
		t.Errorf("%d acknowledged deliveries lost and %d processed twice in %d kills", lost, twice, killTrials)
	}
}

// killKR is the key result a seeded person checks in on.
type killKR struct {
	user string // Slack user id, U01…
	kr   okrcore.ID
}

// seedKill writes workspace T1 (schedule off: the binary sends nothing on
// its own) with killUsers people, each owning an objective with one key
// result.
func seedKill(t *testing.T, path string, now time.Time) []killKR {
	t.Helper()
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	var krs []killKR
	off := okrcore.Slot{Cadence: okrcore.Off}
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		krs = krs[:0]
		if err := bot.EnsureWorkspace(tx, sigtermWorkspace, "slack", now); err != nil {
			return err
		}
		w, err := tx.Workspace(sigtermWorkspace)
		if err != nil {
			return err
		}
		w.Schedule = okrcore.Schedule{CheckIn: off, Reminder: off, Digest: off, ManagerDigest: off, GradingDays: -1}
		if err := tx.PutWorkspace(w); err != nil {
			return err
		}
		created := now.AddDate(0, 0, -7)
		for i := 1; i <= killUsers; i++ {
			id := fmt.Sprintf("%02d", i)
			u := &okrcore.User{Workspace: w.ID, Platform: "slack", PlatformID: "U" + id, Name: "person" + id, TimeZone: "UTC",
				Role: okrcore.RoleMember, DM: "D" + id, CreatedAt: created}
			if err := tx.PutUser(u); err != nil {
				return err
			}
			o := &okrcore.Objective{Workspace: w.ID, Cycle: w.CurrentCycle, Title: "Survive the kill", Owner: okrcore.UserOwner(u.ID),
				CreatedBy: u.ID, CreatedAt: created, UpdatedAt: created}
			if err := tx.PutObjective(o); err != nil {
				return err
			}
			k := &okrcore.KeyResult{Workspace: w.ID, Objective: o.ID, Cycle: w.CurrentCycle, Title: "Checked in", Owner: okrcore.UserOwner(u.ID),
				Metric: okrcore.MetricNumber, Start: 0, Target: 1000, Direction: okrcore.Increase, Weight: 1, CreatedAt: created, UpdatedAt: created}
			if err := tx.PutKeyResult(k); err != nil {
				return err
			}
			krs = append(krs, killKR{user: "U" + id, kr: k.ID})
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("seed %s: %v", path, err)
	}
	return krs
}

// killSlack is sigtermSlack with response_url and a users.info that takes
// as long as Slack's does.
type killSlack struct {
	*sigtermSlack
	mu  sync.Mutex
	rng *rand.Rand
}

func newKillSlack(seed uint64) *killSlack {
	return &killSlack{sigtermSlack: newSigtermSlack(seed, 5*time.Millisecond, 30*time.Millisecond), rng: rand.New(rand.NewPCG(seed, 0x5ec))}
}

func (f *killSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/respond/"):
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
		return
	case r.URL.Path == "/api/users.info":
		f.mu.Lock()
		d := 30*time.Millisecond + time.Duration(f.rng.Int64N(int64(50*time.Millisecond)))
		f.mu.Unlock()
		time.Sleep(d)
	}
	f.sigtermSlack.ServeHTTP(w, r)
}

// killDelivery is one delivery sent and what came back.
type killDelivery struct {
	seq     int
	command bool       // a slash command creating objective "Kill e<seq>"; else a DM check-in
	kr      okrcore.ID // the check-in's key result
	value   int        // and its value
	acked   bool       // answered 200 (a command: with an empty body)
	took    time.Duration
	outcome string // "200", another status, or "no answer"
}

// killLoad makes deliveries and keeps their outcomes across runs.
type killLoad struct {
	krs    []killKR
	api    string
	client *http.Client

	mu     sync.Mutex
	seq    int
	values map[okrcore.ID]int // the last value sent per key result
	sent   []*killDelivery
}

func newKillLoad(krs []killKR, api string) *killLoad {
	return &killLoad{krs: krs, api: api, values: map[okrcore.ID]int{},
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (l *killLoad) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sent)
}

// send posts deliveries to base at rate a second until stop is closed or
// the process stops answering; the channel closes when every request it
// started has its outcome.
func (l *killLoad) send(base string, rate int, stop <-chan struct{}) <-chan struct{} {
	return openLoop(rate, stop, func() func() {
		d, req := l.next(base)
		return func() { l.post(d, req) }
	})
}

// openLoop starts one request rate times a second, whether the earlier
// ones have answered or not (an open-loop load), until stop is closed:
// next makes each in turn, in order, and what it returns runs on its own;
// the channel closes when every request started has its outcome.
func openLoop(rate int, stop <-chan struct{}, next func() func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				wg.Wait()
				return
			case <-tick.C:
			}
			wg.Go(next())
		}
	}()
	return done
}

// next makes the next delivery: every other one a check-in, the others a
// command, from the seeded people in turn.
func (l *killLoad) next(base string) (*killDelivery, *http.Request) {
	l.mu.Lock()
	l.seq++
	seq := l.seq
	k := l.krs[seq%len(l.krs)]
	d := &killDelivery{seq: seq, command: seq%2 == 1}
	if !d.command {
		l.values[k.kr]++
		d.kr, d.value = k.kr, l.values[k.kr]
	}
	l.sent = append(l.sent, d)
	l.mu.Unlock()
	dm := "D" + strings.TrimPrefix(k.user, "U")
	ts := fmt.Sprint(time.Now().Unix())
	var body []byte
	path, ctype := "/slack/events", "application/json"
	if d.command {
		path, ctype = "/slack/commands", "application/x-www-form-urlencoded"
		body = []byte(url.Values{"command": {"/okr"}, "text": {fmt.Sprintf("new objective Kill e%d", seq)}, "team_id": {sigtermWorkspace},
			"user_id": {k.user}, "user_name": {strings.ToLower(k.user)}, "channel_id": {dm}, "trigger_id": {fmt.Sprintf("%d.1.kill", seq)},
			"response_url": {fmt.Sprintf("%s/respond/%d", l.api, seq)}}.Encode())
	} else {
		body = fmt.Appendf(nil, `{"token":"x","team_id":%q,"api_app_id":"A1","type":"event_callback","event_id":"EvK%d","event_time":%s,`+
			`"event":{"type":"message","channel_type":"im","channel":%q,"user":%q,"text":"KR%d %d","ts":"1700000000.%06d","client_msg_id":"k%d"}}`,
			sigtermWorkspace, seq, ts, dm, k.user, d.kr, d.value, seq, seq)
	}
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign("s3cret", ts, body))
	return d, req
}

func (l *killLoad) post(d *killDelivery, req *http.Request) {
	began := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		l.mu.Lock()
		d.outcome = "no answer"
		l.mu.Unlock()
		return
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(began)
	l.mu.Lock()
	defer l.mu.Unlock()
	d.acked = err == nil && res.StatusCode == http.StatusOK && len(body) == 0
	d.took = took
	d.outcome = strconv.Itoa(res.StatusCode)
	if res.StatusCode == http.StatusOK && len(body) > 0 {
		d.outcome = "200 busy"
	}
}

// outcomes counts the deliveries by what came back.
func (l *killLoad) outcomes() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := map[string]int{}
	for _, d := range l.sent {
		n[d.outcome]++
	}
	return n
}

// latency is the median and 99th percentile of the acknowledgements.
func (l *killLoad) latency() (p50, p99 time.Duration) {
	l.mu.Lock()
	var took []time.Duration
	for _, d := range l.sent {
		if d.acked {
			took = append(took, d.took)
		}
	}
	l.mu.Unlock()
	if len(took) == 0 {
		return 0, 0
	}
	slices.Sort(took)
	at := func(q float64) time.Duration {
		return took[min(len(took)-1, int(q*float64(len(took))))].Round(10 * time.Microsecond)
	}
	return at(0.50), at(0.99)
}

// killEffects is what the store holds of the deliveries.
type killEffects struct {
	checkIns   map[okrcore.ID]map[int]int // key result → value → check-ins
	objectives map[string]int             // title → objectives
}

func readKillEffects(t *testing.T, path string, krs []killKR) killEffects {
	t.Helper()
	db := bottest.Store(t, bottest.File(path), bottest.Fsync(true))
	defer db.Close() // now, not when the test ends: the binary runs on it again
	got := killEffects{checkIns: map[okrcore.ID]map[int]int{}, objectives: map[string]int{}}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		for _, k := range krs {
			cs, err := tx.CheckIns(sigtermWorkspace, okrcore.TargetKR, k.kr, time.Time{}, 0)
			if err != nil {
				return err
			}
			got.checkIns[k.kr] = map[int]int{}
			for _, c := range cs {
				got.checkIns[k.kr][int(c.Value)]++
			}
		}
		w, err := tx.Workspace(sigtermWorkspace)
		if err != nil {
			return err
		}
		objs, err := tx.ObjectivesByCycle(sigtermWorkspace, w.CurrentCycle)
		for _, o := range objs {
			got.objectives[o.Title]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// check compares the deliveries with the store: lost are acknowledged and
// without effect, twice have it more than once, late were not acknowledged
// and have it (a delivery cut off by the kill may have been taken).
func (l *killLoad) check(t *testing.T, got killEffects) (acked, lost, twice, late int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.sent {
		n := got.objectives[fmt.Sprintf("Kill e%d", d.seq)]
		what := fmt.Sprintf("/okr new objective Kill e%d", d.seq)
		if !d.command {
			n = got.checkIns[d.kr][d.value]
			what = fmt.Sprintf("check-in KR%d %d", d.kr, d.value)
		}
		if d.acked {
			acked++
		}
		switch {
		case d.acked && n == 0:
			lost++
			t.Logf("lost: delivery %d (%s), acknowledged in %s", d.seq, what, d.took.Round(time.Microsecond))
		case n > 1:
			twice++
			t.Logf("processed %d times: delivery %d (%s)", n, d.seq, what)
		case !d.acked && n == 1:
			late++
		}
	}
	return acked, lost, twice, late
}

// TestSlackAckLatency measures how long okrbot takes to acknowledge Slack
// deliveries through the real HTTP path of the built binary, at a steady
// rate, against Slack's 3 seconds. It runs only when OKRBOT_ACK_LATENCY
// names how long to send (OKRBOT_ACK_LATENCY=20s); OKRBOT_ACK_RATE sets
// the deliveries a second (default 50).
func TestSlackAckLatency(t *testing.T) {
	span, err := time.ParseDuration(os.Getenv("OKRBOT_ACK_LATENCY"))
	if err != nil || span <= 0 {
		t.Skip("set OKRBOT_ACK_LATENCY=20s (and OKRBOT_ACK_RATE=50) to measure the acknowledgement latency")
	}
	rate := 50
	if s := os.Getenv("OKRBOT_ACK_RATE"); s != "" {
		if rate, err = strconv.Atoi(s); err != nil || rate <= 0 {
			t.Fatalf("OKRBOT_ACK_RATE=%q", s)
		}
	}
	bin := buildOkrbot(t)
	dbPath := filepath.Join(t.TempDir(), "okrbot.db")
	krs := seedKill(t, dbPath, time.Now())
	api := httptest.NewServer(newKillSlack(1))
	defer api.Close()
	load := newKillLoad(krs, api.URL)
	p := startOkrbot(t, bin, dbPath, api.URL+"/api/")
	p.waitReady(t)
	stop := make(chan struct{})
	sent := load.send(p.base, rate, stop)
	time.Sleep(span)
	close(stop)
	<-sent
	p.stop(t, 15*time.Second)
	p50, p99 := load.latency()
	acked, lost, twice, _ := load.check(t, readKillEffects(t, dbPath, krs))
	t.Logf("%d deliveries at %d a second for %s: %d acknowledged, p50 %s, p99 %s (Slack allows 3s); %d lost, %d twice",
		load.count(), rate, span, acked, p50, p99, lost, twice)
	if acked != load.count() || lost > 0 || twice > 0 {
		t.Errorf("%d of %d acknowledged, %d lost, %d twice", acked, load.count(), lost, twice)
	}
}
