package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/storage/postgres"
)

// metrics are okrbot's Prometheus series, on a registry of their own.
type metrics struct {
	reg      *prometheus.Registry
	checkIns *prometheus.CounterVec
	events   *prometheus.HistogramVec
}

func newMetrics(store okrcore.Store, disp *outbox.Dispatcher, plats []platform) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		checkIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "okrbot_checkins_recorded_total", Help: "Check-ins recorded, by platform.",
		}, []string{"platform"}),
		events: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "okrbot_event_duration_seconds", Help: "Time to handle an inbound chat event, after its acknowledgement.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"platform", "kind"}),
	}
	dc := dispatchCollector{disp: disp}
	for _, p := range plats {
		dc.platforms = append(dc.platforms, p.name)
	}
	m.reg.MustRegister(m.checkIns, m.events, dc,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "okrbot_build_info", Help: "1, labelled with the running version (for dashboards across upgrades).",
			ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}}, func() float64 { return 1 }),
	)
	outbox := func() (int, time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var n int
		var oldest time.Time
		_ = store.View(ctx, func(tx okrcore.Tx) error {
			var err error
			n, oldest, err = tx.OpenOutbox()
			return err
		})
		return n, oldest
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "okrbot_outbox_open", Help: "Scheduled messages waiting to be sent."},
			func() float64 { n, _ := outbox(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "okrbot_outbox_oldest_age_seconds", Help: "Age of the oldest scheduled message still waiting (0 when none)."},
			func() float64 {
				n, oldest := outbox()
				if n == 0 || oldest.IsZero() {
					return 0
				}
				return time.Since(oldest).Seconds()
			}),
	)
	if ws, ok := store.(*writeWatch); ok {
		store = ws.Store
	}
	if p, ok := store.(pooled); ok {
		m.reg.MustRegister(poolCollector{p})
	}
	for _, p := range plats {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "okrbot_adapter_up", Help: "1 when the platform adapter is connected or serving.", ConstLabels: prometheus.Labels{"platform": p.name},
		}, func() float64 {
			if healthy(p) {
				return 1
			}
			return 0
		}))
	}
	return m
}

func (m *metrics) EventHandled(platform string, kind chat.EventKind, took time.Duration) {
	m.events.WithLabelValues(platform, string(kind)).Observe(took.Seconds())
}

func (m *metrics) CheckInsRecorded(platform string, n int) {
	m.checkIns.WithLabelValues(platform).Add(float64(n))
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func healthy(p platform) bool {
	rec := httptest.NewRecorder()
	p.health.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code == http.StatusOK
}

// ready answers /readyz: the store answers, its writes succeed (when it is
// a writeWatch, see ready.go) and every adapter is connected or serving.
func ready(store okrcore.Store, plats []platform) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.View(ctx, func(tx okrcore.Tx) error { _, err := tx.Workspaces(); return err }); err != nil {
			http.Error(w, "the database is not answering"+serverSays(ctx, store), http.StatusServiceUnavailable)
			return
		}
		if ww, ok := store.(*writeWatch); ok {
			if err := ww.problem(ctx); err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		for _, p := range plats {
			if !healthy(p) {
				http.Error(w, p.name+" is not connected", http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
}

// dispatchCollector exposes the dispatcher's counters by platform: an
// organisation on Slack and Teams wants to see which one is failing.
// Every configured platform has its series from the start, at zero.
type dispatchCollector struct {
	disp      *outbox.Dispatcher
	platforms []string
}

var dispatchSeries = []struct {
	desc *prometheus.Desc
	get  func(outbox.Stats) int64
}{
	{prometheus.NewDesc("okrbot_scheduled_sent_total", "Scheduled messages (nudges, reminders, digests, prompts) sent, by platform.", []string{"platform"}, nil),
		func(s outbox.Stats) int64 { return s.Sent }},
	{prometheus.NewDesc("okrbot_scheduled_skipped_total", "Scheduled messages not needed when due (already checked in, nothing owned), by platform.", []string{"platform"}, nil),
		func(s outbox.Stats) int64 { return s.Skipped }},
	{prometheus.NewDesc("okrbot_scheduled_retried_total", "Scheduled messages that failed and will be tried again, by platform.", []string{"platform"}, nil),
		func(s outbox.Stats) int64 { return s.Retried }},
	{prometheus.NewDesc("okrbot_scheduled_failed_total", "Scheduled messages given up on, by platform.", []string{"platform"}, nil),
		func(s outbox.Stats) int64 { return s.Failed }},
	{prometheus.NewDesc("okrbot_rate_limited_total", "Platform answers of 429 (the message was retried after Retry-After), by platform.", []string{"platform"}, nil),
		func(s outbox.Stats) int64 { return s.RateLimited }},
}

// sendRate is the pace the dispatcher sends at now: it starts at the
// configured rate and learns the platform's limit from its 429s.
var sendRate = prometheus.NewDesc("okrbot_send_rate_per_second",
	"Scheduled messages a second the dispatcher lets go now, learned from the platform's answers (summed over its workspaces), by platform.", []string{"platform"}, nil)

func (c dispatchCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range dispatchSeries {
		ch <- s.desc
	}
	ch <- sendRate
}

func (c dispatchCollector) Collect(ch chan<- prometheus.Metric) {
	stats := c.disp.StatsByPlatform()
	for _, p := range c.platforms {
		if _, ok := stats[p]; !ok {
			stats[p] = outbox.Stats{}
		}
	}
	for platform, st := range stats {
		if platform == "" {
			platform = "unknown"
		}
		for _, s := range dispatchSeries {
			ch <- prometheus.MustNewConstMetric(s.desc, prometheus.CounterValue, float64(s.get(st)), platform)
		}
	}
	for _, p := range c.platforms {
		ch <- prometheus.MustNewConstMetric(sendRate, prometheus.GaugeValue, c.disp.Rate(p), p)
	}
}

// pooled is a backend on a database server, reached through a pool of
// connections (PostgreSQL).
type pooled interface {
	Stats() postgres.PoolStats
}

// poolCollector exposes the pool's figures: whether the replicas have the
// connections they need, and how often updates collide and run again.
type poolCollector struct{ db pooled }

var poolSeries = []struct {
	desc  *prometheus.Desc
	gauge bool
	get   func(postgres.PoolStats) float64
}{
	{prometheus.NewDesc("okrbot_db_connections", "Connections to the database open now.", nil, nil), true,
		func(s postgres.PoolStats) float64 { return float64(s.Total) }},
	{prometheus.NewDesc("okrbot_db_connections_in_use", "Connections to the database busy with a transaction now.", nil, nil), true,
		func(s postgres.PoolStats) float64 { return float64(s.Acquired) }},
	{prometheus.NewDesc("okrbot_db_connections_max", "The most connections this okrbot opens to the database.", nil, nil), true,
		func(s postgres.PoolStats) float64 { return float64(s.Max) }},
	{prometheus.NewDesc("okrbot_db_connection_waits_total", "Transactions that waited for a free connection.", nil, nil), false,
		func(s postgres.PoolStats) float64 { return float64(s.Waits) }},
	{prometheus.NewDesc("okrbot_db_connection_wait_seconds_total", "Time transactions spent waiting for a connection.", nil, nil), false,
		func(s postgres.PoolStats) float64 { return s.WaitTime.Seconds() }},
	{prometheus.NewDesc("okrbot_db_update_retries_total", "Updates run again after a serialization failure (another writer changed what they read).", nil, nil), false,
		func(s postgres.PoolStats) float64 { return float64(s.Retries) }},
	{prometheus.NewDesc("okrbot_db_updates_total", "Updates committed.", nil, nil), false,
		func(s postgres.PoolStats) float64 { return float64(s.Commits) }},
}

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range poolSeries {
		ch <- s.desc
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	stats := c.db.Stats()
	for _, s := range poolSeries {
		kind := prometheus.CounterValue
		if s.gauge {
			kind = prometheus.GaugeValue
		}
		ch <- prometheus.MustNewConstMetric(s.desc, kind, s.get(stats))
	}
}

// pinger is a backend on a database server, which can say why it does not
// answer (which server, refused or timed out).
type pinger interface {
	Ping(ctx context.Context) error
}

// serverSays is ": " and the server's own reason for not answering, when
// the store is on a server; "" otherwise.
func serverSays(ctx context.Context, store okrcore.Store) string {
	if ws, ok := store.(*writeWatch); ok {
		store = ws.Store
	}
	p, ok := store.(pinger)
	if !ok {
		return ""
	}
	if err := p.Ping(ctx); err != nil {
		return ": " + err.Error()
	}
	return ""
}
