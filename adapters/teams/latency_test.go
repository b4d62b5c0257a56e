package teams

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
)

// TestAckLatency measures how long the adapter takes to answer Teams
// (200) through its HTTP handler, with the token checked and each activity
// recorded in the inbox of a real engine on a store that fsyncs, at a
// steady rate, against the Bot Framework's 15 seconds. It runs only when
// OKRBOT_ACK_LATENCY names how long to send (OKRBOT_ACK_LATENCY=20s);
// OKRBOT_ACK_RATE sets the activities a second (default 50).
func TestAckLatency(t *testing.T) {
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
	db := bottest.Store(t, bottest.Fsync(true))
	bottest.SeedDemo(t, db, testTenant, Platform, time.Now())
	engine := bot.NewEngine(db, bot.Options{})
	ib := engine.NewInbox()
	hs := startKeptHarness(t, engine, ib, nil)
	waitServing(t, hs.a)
	token := mint(t, hs.conn.serviceURL(), nil)
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var took []time.Duration
	failed := 0
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.Now().Add(span)
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		act := hs.activity("message", fmt.Sprintf("lat%d", i), fmt.Sprintf("KR4 %d", i%40))
		act["from"] = map[string]any{"id": "alice", "name": "alice"}
		body, _ := json.Marshal(act)
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, hs.srv.URL+"/api/messages", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", token)
			began := time.Now()
			res, err := client.Do(req)
			d := time.Since(began)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				failed++
				return
			}
			took = append(took, d)
		})
	}
	wg.Wait()
	slices.Sort(took)
	if len(took) == 0 {
		t.Fatal("no activity was answered 200")
	}
	at := func(q float64) time.Duration {
		return took[min(len(took)-1, int(q*float64(len(took))))].Round(10 * time.Microsecond)
	}
	t.Logf("%d activities at %d a second for %s: %d answered 200, p50 %s, p99 %s (the Bot Framework allows 15s); %d failed",
		len(took)+failed, rate, span, len(took), at(0.5), at(0.99), failed)
	if failed > 0 {
		t.Errorf("%d activities not answered 200", failed)
	}
}
