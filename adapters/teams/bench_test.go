package teams

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// benchOrg is the 10,000-person organisation (storagetest.GenerateOrg,
// default spec) moved to Teams: its workspace and users get platform
// "teams", and each person a stored personal conversation reference on
// serviceURL and a key result, as after a rollout in which everyone
// installed the app.
func benchOrg(b *testing.B, spec storagetest.OrgSpec, serviceURL string) (*bolt.DB, *storagetest.Org) {
	b.Helper()
	ctx := context.Background()
	db := bottest.Store(b)
	start := time.Now()
	org, err := storagetest.GenerateOrg(ctx, db, spec)
	if err != nil {
		b.Fatal(err)
	}
	var users []*okrcore.User
	own := map[okrcore.ID]bool{}
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(org.Workspace)
		if err != nil {
			return err
		}
		w.Platform = Platform
		if err := tx.PutWorkspace(w); err != nil {
			return err
		}
		krs, err := tx.KeyResultsByCycle(org.Workspace, org.Cycle)
		if err != nil {
			return err
		}
		for _, k := range krs {
			if k.Owner.Kind == okrcore.OwnerUser {
				own[k.Owner.ID] = true
			}
		}
		users, err = tx.Users(org.Workspace)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	created := org.Now.AddDate(0, 0, -30)
	for batch := range slices.Chunk(users, 2000) {
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			for _, u := range batch {
				conv := "a:dm-" + u.PlatformID
				ref, _ := json.Marshal(map[string]any{"conversation": map[string]any{"id": conv, "conversationType": "personal", "tenantId": org.Workspace},
					"serviceUrl": serviceURL, "channelId": "msteams", "user": map[string]any{"id": "29:" + u.PlatformID, "aadObjectId": u.PlatformID},
					"bot": map[string]any{"id": "28:" + testAppID}})
				u.Platform, u.DM, u.DMRef = Platform, conv, string(ref)
				if err := tx.PutUser(u); err != nil {
					return err
				}
				if own[u.ID] {
					continue
				}
				o := &okrcore.Objective{Workspace: org.Workspace, Cycle: org.Cycle, Title: "Make this quarter count",
					Owner: okrcore.UserOwner(u.ID), CreatedBy: u.ID, CreatedAt: created, UpdatedAt: created}
				if err := tx.PutObjective(o); err != nil {
					return err
				}
				k := &okrcore.KeyResult{Workspace: org.Workspace, Objective: o.ID, Cycle: org.Cycle, Title: "Ship weekly improvements",
					Owner: okrcore.UserOwner(u.ID), Metric: okrcore.MetricNumber, Target: 100, Unit: "points",
					Direction: okrcore.Increase, Weight: 1, CreatedAt: created, UpdatedAt: created}
				if err := tx.PutKeyResult(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("organisation: %d people, %d teams, %d objectives, %d key results, generated and moved to Teams in %s",
		org.Users, org.Teams, org.Objectives, org.KeyResults, time.Since(start).Round(time.Millisecond))
	return db, org
}

// BenchmarkMessagesEndpoint posts `okr mine` from the organisation's people
// to /api/messages with JWT validation on (a signed RS256 token per
// request, keys cached: no network per request) and reports activities a
// second through the engine (until the answer reaches the fake Bot
// Connector) and the server time of the POST (its acknowledgement), p50
// and p99.
func BenchmarkMessagesEndpoint(b *testing.B) {
	hs := &harness{t: b, openid: newFakeOpenID(b), conn: newFakeConnector(b)}
	db, org := benchOrg(b, storagetest.OrgSpec{Workspace: testTenant}, hs.conn.serviceURL())
	engine := bot.NewEngine(db, bot.Options{Now: func() time.Time { return org.Now }})
	a, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: hs.conn.tokenURL(), OpenIDMetadataURL: hs.openid.metadataURL()},
		Options{Queue: 1 << 20, Workers: 16})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = a.Run(ctx, engine) }()
	defer func() { cancel(); <-stopped }()
	for !a.run.Running() {
		time.Sleep(time.Millisecond)
	}
	hs.a = a
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	hs.srv = srv
	tok := mint(b, hs.conn.serviceURL(), nil)
	// Warm up: the key set is fetched once, the store's pages cached.
	for i := range 20 {
		act := benchActivity(hs, org, i, "warm"+strconv.Itoa(i))
		if status, _ := hs.post(act, tok); status != 200 {
			b.Fatalf("warm-up: %d", status)
		}
	}
	hs.conn.waitCalls(20)
	base := len(hs.conn.callList())
	fetches := hs.openid.jwksFetches.Load()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := int(seq.Add(1))
			body, _ := json.Marshal(benchActivity(hs, org, i, "b"+strconv.Itoa(i)))
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/messages", bytesReader(body))
			req.Header.Set("Authorization", tok)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mine = append(mine, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	acked := time.Since(start)
	// Every activity answered by the engine through the Bot Connector.
	deadline := time.Now().Add(5 * time.Minute)
	for len(hs.conn.callList())-base < b.N && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	done := time.Since(start)
	b.StopTimer()
	if n := len(hs.conn.callList()) - base; n < b.N {
		b.Fatalf("%d of %d answered", n, b.N)
	}
	if f := hs.openid.jwksFetches.Load(); f != fetches {
		b.Errorf("%d key fetches during the run", f-fetches)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.ReportMetric(float64(b.N)/done.Seconds(), "activities/s")
	b.ReportMetric(float64(b.N)/acked.Seconds(), "acks/s")
	b.ReportMetric(float64(pct(0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(pct(0.99).Microseconds()), "p99-µs")
	b.Logf("%d activities: acknowledged in %s, answered in %s; server time p50 %s p99 %s", b.N, acked.Round(time.Millisecond), done.Round(time.Millisecond),
		pct(0.5), pct(0.99))
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// benchActivity is `okr mine` from person i of the organisation.
func benchActivity(hs *harness, org *storagetest.Org, i int, id string) map[string]any {
	who := "u" + strconv.Itoa(i%org.Users+1)
	act := hs.activity("message", id, "okr mine")
	act["from"] = map[string]any{"id": "29:" + who, "aadObjectId": who, "name": "user" + who[1:]}
	act["conversation"] = map[string]any{"id": "a:dm-" + who, "conversationType": "personal", "tenantId": testTenant}
	delete(act, "timestamp")
	return act
}

// limitedConnector is a Bot Connector that enforces Teams' limits: per
// conversation 7 messages a second and 60 in 30 seconds, and perSecond
// across the tenant; above them it answers 429 with Retry-After.
type limitedConnector struct {
	srv       *httptest.Server
	perSecond int

	mu        sync.Mutex
	global    []time.Time
	convs     map[string][]time.Time
	delivered map[string]int
	limited   int
	first     time.Time
	last      time.Time
}

func newLimitedConnector(b *testing.B, perSecond int) *limitedConnector {
	f := &limitedConnector{perSecond: perSecond, convs: map[string][]time.Time{}, delivered: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenant/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": "tok-1"})
	})
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conv := r.PathValue("conv")
		now := time.Now()
		f.mu.Lock()
		f.global = prune(f.global, now.Add(-time.Second))
		hist := prune(f.convs[conv], now.Add(-30*time.Second))
		inSecond := 0
		for _, t := range hist {
			if t.After(now.Add(-time.Second)) {
				inSecond++
			}
		}
		if len(f.global) >= f.perSecond || inSecond >= 7 || len(hist) >= 60 {
			f.limited++
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"TooManyRequests"}}`, http.StatusTooManyRequests)
			return
		}
		f.global = append(f.global, now)
		f.convs[conv] = append(hist, now)
		f.delivered[conv]++
		if f.first.IsZero() {
			f.first = now
		}
		f.last = now
		n := len(f.delivered)
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]string{"id": "act-" + strconv.Itoa(n)})
	})
	f.srv = httptest.NewServer(mux)
	b.Cleanup(f.srv.Close)
	return f
}

func prune(ts []time.Time, after time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(after) {
		i++
	}
	return ts[i:]
}

// BenchmarkFanout sends the Monday check-in nudge to the 10,000 people
// through the adapter (stored conversation references) with the real
// scheduler and dispatcher, against a Bot Connector enforcing Teams'
// limits. The tenant-wide limit is OKRBOT_TEAMS_BENCH_RATE a second
// (default 300, time-compressed from Teams' 30), and the adapter's pacing
// is set to it; the floor is 10,000 / rate.
func BenchmarkFanout(b *testing.B) {
	rate := 300
	if s := os.Getenv("OKRBOT_TEAMS_BENCH_RATE"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			rate = n
		}
	}
	for range b.N {
		b.StopTimer()
		conn := newLimitedConnector(b, rate)
		db, org := benchOrg(b, storagetest.OrgSpec{Workspace: testTenant, Objectives: 200, KeyResults: 600}, conn.srv.URL+"/")
		a, err := New(Config{AppID: testAppID, AppPassword: "secret", TenantID: testTenant, TokenURL: conn.srv.URL + "/tenant/oauth2/v2.0/token"},
			Options{PerSecond: float64(rate), Backoff: 100 * time.Millisecond, MaxWait: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC) // Monday: 10:00 has passed in every zone of the org
		clock := func() time.Time { return now }
		engine := bot.NewEngine(db, bot.Options{Now: clock})
		st, err := schedule.NewScheduler(db, schedule.Options{Now: clock, Grace: 24 * time.Hour}).Tick(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		d := outbox.NewDispatcher(db, engine, outbox.ByPlatform(map[string]chat.Sender{Platform: a}), outbox.Options{Now: clock, Workers: 64,
			Pacings: map[string]chat.Pacing{Platform: a.Pacing()}})
		b.StartTimer()
		start := time.Now()
		if err := d.Drain(context.Background()); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.StopTimer()
		ds := d.Stats()
		conn.mu.Lock()
		delivered, limited := len(conn.delivered), conn.limited
		conn.mu.Unlock()
		floor := time.Duration(float64(ds.Sent) / float64(rate) * float64(time.Second))
		if ds.Sent != int64(org.Users) || delivered != org.Users {
			b.Errorf("sent %d, delivered to %d conversations, want %d (stats %+v)", ds.Sent, delivered, org.Users, ds)
		}
		b.ReportMetric(took.Seconds(), "s-total")
		b.ReportMetric(floor.Seconds(), "s-floor")
		b.ReportMetric(took.Seconds()/floor.Seconds(), "x-floor")
		b.ReportMetric(float64(limited), "429s")
		b.Logf("%d enqueued; %d sent to %d conversations in %s at %d/s (floor %s, %.2f× the floor); %d answered 429; stats %+v; %s",
			st.Enqueued, ds.Sent, delivered, took.Round(time.Millisecond), rate, floor.Round(time.Millisecond), took.Seconds()/floor.Seconds(), limited, ds, fmt.Sprint(org.Users, " people"))
	}
}
