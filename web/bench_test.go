package web

// Benchmarks of the web view on a 10,000-person organisation (2,000 teams,
// 30,000 objectives, 100,000 key results, a full quarter of weekly
// check-ins: 1.3 million), each page fetched over HTTP with a session
// cookie as a browser would, through the handler, the session check and
// the store. Run them with
//
//	go test -run '^$' -bench . -benchtime 50x ./web/
//
// Each reports its p50 and p99 in milliseconds. The organisation is
// generated once per test binary, on first use, into a temporary directory
// that TestMain removes; plain `go test` never builds it. Its check-in
// tally is then built as okrbot serve builds it at start
// (tally.FillEveryone), timed in the log; BenchmarkTeamFirstView10k
// times the largest team's page on a store whose tally is not built (an
// upgrade, a restart), before, during and after that fill.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

var benchOrg struct {
	once sync.Once
	dir  string
	db   *bolt.DB
	org  *storagetest.Org
	note string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchOrg.db != nil {
		benchOrg.db.Close()
	}
	if benchOrg.dir != "" {
		os.RemoveAll(benchOrg.dir)
	}
	os.Exit(code)
}

func loadBenchOrg(b *testing.B) (*bolt.DB, *storagetest.Org) {
	b.Helper()
	o := &benchOrg
	o.once.Do(func() {
		if o.dir, o.err = os.MkdirTemp("", "okrbot-web-bench-"); o.err != nil {
			return
		}
		path := filepath.Join(o.dir, "org.db")
		start := time.Now()
		db, err := bolt.Open(path, bolt.Options{NoSync: true})
		if err != nil {
			o.err = err
			return
		}
		spec := storagetest.OrgSpec{CheckInsPerKR: 13, Now: time.Date(2026, 12, 25, 15, 0, 0, 0, time.UTC)}
		o.org, o.err = storagetest.GenerateOrg(context.Background(), db, spec)
		if err := db.Close(); o.err == nil {
			o.err = err
		}
		if o.err != nil {
			return
		}
		o.note = fmt.Sprintf("generated %d people, %d teams, %d objectives, %d key results, %d check-ins in %s",
			o.org.Users, o.org.Teams, o.org.Objectives, o.org.KeyResults, o.org.CheckIns, time.Since(start).Round(time.Second))
		if o.db, o.err = bolt.Open(path, bolt.Options{}); o.err != nil {
			return
		}
		start = time.Now()
		f, err := tally.FillEveryone(context.Background(), o.db)
		o.err = err
		o.note += fmt.Sprintf("; the check-in tally built as serve builds it at start: %d blocks in %s", f.Blocks, time.Since(start).Round(time.Millisecond))
	})
	if o.err != nil {
		b.Fatal(o.err)
	}
	return o.db, o.org
}

// benchSite is the web view over the benchmarks' organisation, and a
// browser signed in as its admin, who reads every page.
type benchSite struct {
	srv    *httptest.Server
	client *http.Client
	link   string
	user   func(platformID string) okrcore.ID
	team   func(name string) okrcore.ID
}

func newBenchSite(b *testing.B, db *bolt.DB, org *storagetest.Org) *benchSite {
	b.Helper()
	now := func() time.Time { return org.Now }
	srv := httptest.NewServer(http.NotFoundHandler())
	b.Cleanup(srv.Close)
	links, err := NewLinks(db, srv.URL, now)
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewHandler(db, links, Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	srv.Config.Handler = h
	user := func(platformID string) okrcore.ID {
		u, err := okrcore.View(context.Background(), db, func(tx okrcore.Tx) (*okrcore.User, error) {
			return tx.UserByPlatform(org.Workspace, org.Platform, platformID)
		})
		if err != nil {
			b.Fatal(err)
		}
		return u.ID
	}
	team := func(name string) okrcore.ID {
		t, err := okrcore.View(context.Background(), db, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(org.Workspace, name) })
		if err != nil {
			b.Fatal(err)
		}
		return t.ID
	}
	// The admin, who owns the company's objectives, reads every page.
	link, err := links.Link(context.Background(), org.Workspace, user(org.Admin))
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	fetch(b, client, link)
	return &benchSite{srv: srv, client: client, link: link, user: user, team: team}
}

func id(i okrcore.ID) string { return strconv.FormatUint(uint64(i), 10) }

func BenchmarkPages10k(b *testing.B) {
	db, org := loadBenchOrg(b)
	b.Log(benchOrg.note)
	site := newBenchSite(b, db, org)
	srv, client, link, user, team := site.srv, site.client, site.link, site.user, site.team
	pages := []struct{ name, path string }{
		{"login", ""},
		{"person-busiest", "/okr/person/" + id(user(org.Busiest[0]))},
		{"person-several", "/okr/person/" + id(user(org.Several[0]))},
		{"person-idle", "/okr/person/" + id(user(org.Idle[0]))},
		{"team-mid", "/okr/team/" + id(team(org.MidTeam))},
		{"team-largest", "/okr/team/" + id(team(org.LargestTeam))},
		{"team-department", "/okr/team/" + id(team(org.Departments[0]))},
		{"objective-company", "/okr/objective/" + id(org.LevelObjectives[0][0])},
		{"kr", "/okr/kr/" + id(org.SampleKRs[0].ID)},
		{"tree", "/okr/"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			c, url := client, srv.URL+p.path
			if p.path == "" { // a fresh browser opening its link
				c, url = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, link
			}
			took := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				start := time.Now()
				size = fetch(b, c, url)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(ms(took[len(took)/2]), "p50-ms")
			b.ReportMetric(ms(took[min(len(took)-1, len(took)*99/100)]), "p99-ms")
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fetch reads url and returns the size of its body; anything but 200 (or
// the login's 303) fails the benchmark.
func fetch(b *testing.B, c *http.Client, url string) int {
	b.Helper()
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("%s: %d", url, resp.StatusCode)
	}
	return int(n)
}

// BenchmarkTeamFirstView10k times the largest team's page on a store whose
// check-in tally is not built (after an upgrade; each round forgets it
// again, untimed): opened before serve's fill reaches its people (the
// page reads their own check-ins), opened as the fill starts (beside its
// transactions), and opened once the fill is done; fill-ms is the fill's
// own time, how long after start pages read histories.
func BenchmarkTeamFirstView10k(b *testing.B) {
	db, org := loadBenchOrg(b)
	b.Log(benchOrg.note)
	site := newBenchSite(b, db, org)
	url := site.srv.URL + "/okr/team/" + id(site.team(org.LargestTeam))
	ctx := context.Background()
	forget := func() {
		b.Helper()
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			us, err := tx.Users(org.Workspace)
			if err != nil {
				return err
			}
			last := okrcore.ID(0)
			for _, u := range us {
				last = max(last, u.ID)
			}
			for bl := range last/okrcore.TallyBlock + 1 {
				if err := tx.DeleteState(org.Workspace, okrcore.TallyKey(bl, -1)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	fill := func() (time.Duration, error) {
		start := time.Now()
		_, err := tally.FillEveryone(ctx, db)
		return time.Since(start), err
	}
	type filled struct {
		took time.Duration
		err  error
	}
	for _, mode := range []string{"before-fill", "during-fill", "after-fill"} {
		b.Run(mode, func(b *testing.B) {
			var views, fills []time.Duration
			for b.Loop() {
				b.StopTimer()
				forget()
				var during chan filled
				switch mode {
				case "after-fill":
					took, err := fill()
					if err != nil {
						b.Fatal(err)
					}
					fills = append(fills, took)
				case "during-fill":
					during = make(chan filled, 1)
					go func() {
						took, err := fill()
						during <- filled{took, err}
					}()
				}
				b.StartTimer()
				start := time.Now()
				fetch(b, site.client, url)
				views = append(views, time.Since(start))
				b.StopTimer()
				var err error
				switch mode {
				case "during-fill":
					f := <-during
					fills, err = append(fills, f.took), f.err
				case "before-fill":
					_, err = fill() // leave the store as the other benchmarks read it
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			slices.Sort(views)
			b.ReportMetric(ms(views[len(views)/2]), "p50-ms")
			b.ReportMetric(ms(views[len(views)-1]), "max-ms")
			if len(fills) > 0 {
				slices.Sort(fills)
				b.ReportMetric(ms(fills[len(fills)/2]), "fill-ms")
			}
		})
	}
}
