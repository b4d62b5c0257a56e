package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

type nopHandler struct{}

func (nopHandler) Handle(context.Context, chat.Event, chat.Responder) {}

// BenchmarkCommandAck measures what Slack waits for: a signed /okr
// command over loopback HTTP, verified, parsed, queued and acknowledged.
func BenchmarkCommandAck(b *testing.B) {
	f := newFakeSlack(b)
	a := start(b, f, Config{}, Options{Queue: 1 << 16}, nopHandler{})
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		body := commandForm("U1", "C1", "mine", fmt.Sprintf("trig-%d", i), f.responseURL("r")).Encode()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/commands", strings.NewReader(body))
		req.Header = sign(testSecret, time.Now().Add(-time.Duration(i%250)*time.Second), []byte(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(t0))
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		b.ReportMetric(float64(lat[n/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[n*99/100].Microseconds()), "p99-µs")
	}
}
