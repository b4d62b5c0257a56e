package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// The store benchmarks run the same requests through the engine on bbolt
// and on PostgreSQL, side by side, on a generated organisation of
// OKRBOT_BENCH_PEOPLE people (10,000) with a quarter of weekly check-ins:
//
//	OKRBOT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench 'Store(Views|CheckInBurst)' -benchtime 1x ./cmd/okrbot/
//
// bbolt is opened with fsync and PostgreSQL as it is configured (fsync on
// by default); on a shared machine the numbers are noisy.

type storeBench struct {
	name string
	org  *storagetest.Org
	e    *bot.Engine
}

func benchStores(b *testing.B) []storeBench {
	b.Helper()
	return []storeBench{benchStore(b, "bolt"), benchStore(b, "postgres")}
}

// benchStore loads the organisation into a new store of the named kind.
func benchStore(b *testing.B, name string) storeBench {
	b.Helper()
	people := 10000
	if v, err := strconv.Atoi(os.Getenv("OKRBOT_BENCH_PEOPLE")); err == nil && v > 0 {
		people = v
	}
	spec := storagetest.OrgSpec{Users: people, Teams: people / 5, Objectives: people * 3, KeyResults: people * 10, CheckInsPerKR: 6}
	ctx := context.Background()
	{
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
		start := time.Now()
		org, err := storagetest.GenerateOrg(ctx, db, spec)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d people, %d key results, %d check-ins loaded in %s", name, org.Users, org.KeyResults, org.CheckIns, time.Since(start).Round(time.Millisecond))
		return storeBench{name, org, bot.NewEngine(db, bot.Options{Now: func() time.Time { return org.Now }})}
	}
}

func storeEvent(org *storagetest.Org, user string, kind chat.EventKind, text string) chat.Event {
	return chat.Event{Kind: kind, Platform: org.Platform, Workspace: org.Workspace, UserID: user, Text: text,
		Conversation: chat.Conversation{ID: "dm:" + user, Direct: true}}
}

// BenchmarkStoreViews is /okr mine, a team's view and the alignment tree
// of a team, on each store.
func BenchmarkStoreViews(b *testing.B) {
	for _, s := range benchStores(b) {
		user := s.org.SampleKRs[len(s.org.SampleKRs)-1].CheckInAs
		for _, v := range []struct{ name, text, want string }{
			{"mine", "mine", "Your OKRs in"},
			{"team", "team " + s.org.MidTeam, "Team " + s.org.MidTeam},
			{"tree", "tree " + s.org.MidTeam, "Alignment"},
		} {
			b.Run(s.name+"/"+v.name, func(b *testing.B) {
				ev := storeEvent(s.org, user, chat.EventCommand, v.text)
				m, ok := s.e.Process(context.Background(), ev)
				if !ok || !strings.Contains(m.Text, v.want) {
					b.Fatalf("%s: %q", v.text, m.Text)
				}
				for b.Loop() {
					s.e.Process(context.Background(), ev)
				}
			})
		}
	}
}

// BenchmarkStoreCheckInBurst is 64 people checking in at once, 10,000
// plain check-ins in all, each with a delivery id (the dedupe mark is
// written with it), on each store; it reports the burst's seconds and the
// p99 of one check-in, and fails on a check-in not confirmed.
func BenchmarkStoreCheckInBurst(b *testing.B) {
	const writers, checkins = 64, 10000
	for _, name := range []string{"bolt", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s := benchStore(b, name)
			krs := burstSample(b, s.org, writers)
			run := 0
			for b.Loop() {
				run++
				took := make([][]time.Duration, writers)
				var wg sync.WaitGroup
				start := time.Now()
				for w := range writers {
					wg.Go(func() {
						kr := krs[w]
						ref := okrcore.Ref{Kind: okrcore.RefKeyResult, ID: kr.ID}.String()
						for i := w; i < checkins; i += writers {
							v := kr.Current + float64(run*checkins+i+1)*(kr.Target-kr.Start)/(100*checkins)
							ev := storeEvent(s.org, kr.CheckInAs, chat.EventMessage, ref+" "+strconv.FormatFloat(v, 'f', 4, 64))
							ev.ID = fmt.Sprintf("burst-%s-%d-%d", s.name, run, i)
							t0 := time.Now()
							m, ok := s.e.Process(context.Background(), ev)
							took[w] = append(took[w], time.Since(t0))
							if !ok || !strings.HasPrefix(m.Text, "Checked in") {
								b.Errorf("%s %q: %q", kr.CheckInAs, ev.Text, m.Text)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				var all []time.Duration
				for _, t := range took {
					all = append(all, t...)
				}
				slices.Sort(all)
				b.ReportMetric(elapsed.Seconds(), "s/burst")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// burstSample picks n number key results with different people to check
// in on them.
func burstSample(b *testing.B, org *storagetest.Org, n int) []storagetest.KRSample {
	b.Helper()
	var out []storagetest.KRSample
	who := map[string]bool{}
	for _, s := range org.SampleKRs {
		if len(out) < n && s.Metric == okrcore.MetricNumber && !who[s.CheckInAs] {
			who[s.CheckInAs] = true
			out = append(out, s)
		}
	}
	if len(out) < n {
		b.Fatalf("only %d key results with people of their own, want %d", len(out), n)
	}
	return out
}
