package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// The scheduler's tick and a Monday fan-out, on bbolt and on PostgreSQL
// side by side (the fan-out on PostgreSQL through three replicas' dispatchers):
//
//	OKRBOT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench 'Store(SchedulerTick|Fanout)' -benchtime 1x ./cmd/okrbot/
//
// OKRBOT_BENCH_PEOPLE sets the organisation's size (10,000).

// benchMonday is 18:00 UTC on the Monday after the generated
// organisation's moment: with a day's grace, every person's check-in
// window is due.
var benchMonday = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

// benchPeople is OKRBOT_BENCH_PEOPLE, or 10,000.
func benchPeople() int {
	if v, err := strconv.Atoi(os.Getenv("OKRBOT_BENCH_PEOPLE")); err == nil && v > 0 {
		return v
	}
	return 10000
}

// openBenchStore is a new, empty store of the named kind.
func openBenchStore(b *testing.B, name string) backend {
	b.Helper()
	var db backend
	var err error
	if name == "bolt" {
		db, err = bolt.Open(filepath.Join(b.TempDir(), "okrbot.db"), bolt.Options{})
	} else {
		db, err = openBackend(postgrestest.URL(b), openOptions{})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// slackOrg generates the organisation into db as the fake Slack's people,
// each with a direct message channel.
func slackOrg(b *testing.B, db okrcore.Store, people int) *storagetest.Org {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	org, err := storagetest.GenerateOrg(ctx, db, storagetest.OrgSpec{Workspace: slacktest.Team, Users: people, Teams: max(1, people/5),
		Objectives: 3 * people, KeyResults: 10 * people})
	if err != nil {
		b.Fatal(err)
	}
	if err := slacktest.MoveToSlack(ctx, db, slacktest.Team); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d people, %d key results loaded in %s", org.Users, org.KeyResults, time.Since(start).Round(time.Millisecond))
	return org
}

// BenchmarkStoreSchedulerTick is the Monday tick that plans everyone's
// check-in nudge, then a tick a minute later that finds it all planned.
func BenchmarkStoreSchedulerTick(b *testing.B) {
	for _, name := range []string{"bolt", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := openBenchStore(b, name)
			slackOrg(b, db, benchPeople())
			at := benchMonday
			s := schedule.NewScheduler(db, schedule.Options{Now: func() time.Time { return at }, Grace: 24 * time.Hour})
			ctx := context.Background()
			start := time.Now()
			st, err := s.Tick(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("the first tick: %+v in %s", st, time.Since(start).Round(time.Millisecond))
			for b.Loop() {
				at = at.Add(time.Minute)
				if _, err := s.Tick(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStoreFanout sends the Monday's nudges through the Slack adapter
// over HTTP to the fake Slack, whose limit of 100 messages a second (and
// one a second per conversation) the dispatchers are not told: one
// dispatcher on bbolt, three replicas' dispatchers draining together on
// PostgreSQL. It reports the run against the limit's floor (sent / 100 s)
// and the fake's 429s, and fails on a nudge sent twice or not at all.
func BenchmarkStoreFanout(b *testing.B) {
	const limitPerSecond = 100
	for _, c := range []struct {
		name     string
		replicas int
	}{{"bolt", 1}, {"postgres", 3}} {
		b.Run(fmt.Sprintf("%s/%d-replicas", c.name, c.replicas), func(b *testing.B) {
			db := openBenchStore(b, c.name)
			slackOrg(b, db, benchPeople())
			ctx := context.Background()
			clock := func() time.Time { return benchMonday }
			for b.Loop() {
				b.StopTimer()
				if _, err := schedule.NewScheduler(db, schedule.Options{Now: clock, Grace: 24 * time.Hour}).Tick(ctx); err != nil {
					b.Fatal(err)
				}
				limit := slacktest.NewLimit(limitPerSecond, limitPerSecond/10, time.Second)
				fake := slacktest.New(slacktest.Options{Limit: limit, Quiet: true})
				ds := make([]*outbox.Dispatcher, c.replicas)
				sws := make([]*stopwatch, c.replicas)
				for i := range ds {
					a, err := slack.New(slack.Config{BotToken: slacktest.BotToken, SigningSecret: "bench", APIURL: fake.APIURL()},
						slack.Options{Ceiling: 1000})
					if err != nil {
						b.Fatal(err)
					}
					sws[i] = &stopwatch{}
					store, composer, claimer := timed(db, bot.NewEngine(db, bot.Options{Now: clock}), sws[i])
					ds[i] = outbox.NewDispatcher(store, composer, outbox.ByPlatform(map[string]chat.Sender{slack.Platform: a}),
						outbox.Options{Now: clock, LeaseNow: time.Now, Claimer: claimer, Pacings: map[string]chat.Pacing{slack.Platform: a.Pacing()}})
				}
				b.StartTimer()
				start := time.Now()
				paces := paceLog(ds, limit)
				var wg sync.WaitGroup
				for _, d := range ds {
					wg.Go(func() {
						if err := d.Drain(ctx); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				took := time.Since(start)
				b.StopTimer()
				b.Logf("each second, the pace asked and the messages the platform took:%s", paces())
				sent, dups := fanoutTally(b, db, fake.Deliveries())
				if sent == 0 {
					b.Fatal("nothing was due: run it once (-benchtime 1x)")
				}
				calls, limited, _ := limit.Stats()
				floor := float64(sent) / limitPerSecond
				b.ReportMetric(took.Seconds()/floor, "floor_ratio")
				b.ReportMetric(float64(sent), "sent")
				b.ReportMetric(100*float64(limited)/float64(max(calls, 1)), "429_pct")
				b.Logf("%d sent in %s (floor %.1f s), %d of %d calls answered 429, %d sent twice", sent, took.Round(time.Millisecond), floor, limited, calls, dups)
				for i, sw := range sws {
					b.Logf("replica %d: %s", i+1, sw)
				}
				fake.Close()
				if dups > 0 {
					b.Fatalf("%d nudges delivered twice", dups)
				}
				b.StartTimer()
			}
		})
	}
}

// fanoutTally checks the outbox against the fake's deliveries: every item
// closed, each sent one delivered once. It returns how many were sent and
// how many were delivered more than once.
func fanoutTally(b *testing.B, db okrcore.Store, dels *slacktest.Deliveries) (sent, dups int) {
	b.Helper()
	got := map[string]int{}
	dels.Each(func(_, key string, n int) { got[key] += n })
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		n, _, err := tx.OpenOutbox()
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d items still open", n)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for key, n := range got {
		if !strings.HasPrefix(key, "checkin:") {
			continue
		}
		sent++
		if n > 1 {
			dups++
		}
	}
	return sent, dups
}
