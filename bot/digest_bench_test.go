package bot_test

// Benchmarks of the digests and the adoption report on the 10,000-person
// organisation with a full quarter of weekly check-ins: 13 per key result,
// 1.3 million in all, as of Friday 25 December 2026, late in Q4. Run them
// with
//
//	go test -run '^$' -bench 'Digest|Adoption' -benchtime 10x ./bot/
//
// The organisation is generated once per test binary, on first use (this
// takes a while: the load is logged), separately from bench_test.go's, which
// has two check-ins per key result at mid-quarter.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// quarterOrg is the organisation with a quarter of check-ins: by default
// quarterBench's 10,000 people (see sharedOrg in bench_test.go); with
// OKRBOT_DIGEST_PEOPLE set, that many people with a fifth as many teams,
// three objectives and ten key results a person and OKRBOT_DIGEST_CHECKINS
// check-ins each (13), generated once into a file under os.TempDir named by
// those numbers and kept there for the next run. Its check-in tally is
// built first, by the adoption report as after an upgrade (logged; "cold"
// below measures it).
func quarterOrg(b *testing.B) (*storagetest.Org, *bot.Engine) {
	b.Helper()
	d := &quarterDigest
	d.once.Do(func() { d.load(b) })
	if d.err != nil {
		b.Fatal(d.err)
	}
	return d.org, d.e
}

// digestBench is the organisation quarterOrg gives, with what the
// benchmarks look up in it.
type digestBench struct {
	once  sync.Once
	org   *storagetest.Org
	e     *bot.Engine
	db    *bolt.DB
	teams map[string]*okrcore.Team
	note  string
	err   error
}

var quarterDigest digestBench

func (d *digestBench) load(b *testing.B) {
	n, per := envInt("OKRBOT_DIGEST_PEOPLE", 10000), envInt("OKRBOT_DIGEST_CHECKINS", 13)
	if n == 10000 && per == 13 {
		d.org, d.e = quarterBench.load(b)
		d.db, d.teams, d.note = quarterBench.db, quarterBench.teams, quarterBench.note
		quarterBench.note = ""
	} else if d.err = d.open(n, per); d.err != nil {
		return
	}
	start := time.Now()
	m, ok := d.e.Process(context.Background(), chat.Event{Kind: chat.EventCommand, Platform: d.org.Platform, Workspace: d.org.Workspace, UserID: d.org.Admin, Text: "adoption"})
	if !ok || !strings.Contains(renderStatus(m), "of people have OKRs") {
		d.err = fmt.Errorf("adoption: %s", renderStatus(m))
	}
	d.note += fmt.Sprintf("; the first adoption report (building the check-in tally where missing) took %s", time.Since(start).Round(time.Millisecond))
}

// open opens, generating it first if it is not there, the organisation of
// n people with per check-ins a key result.
func (d *digestBench) open(n, per int) error {
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("okrbot-digest-%dp-%dc.db", n, per))
	meta := path + ".json"
	if data, err := os.ReadFile(meta); err == nil {
		d.org = &storagetest.Org{}
		if err := json.Unmarshal(data, d.org); err != nil {
			return err
		}
		d.note = "opened " + path
	} else {
		start := time.Now()
		db, err := bolt.Open(path+".tmp", bolt.Options{NoSync: true})
		if err != nil {
			return err
		}
		spec := storagetest.OrgSpec{Users: n, Teams: n / 5, Objectives: 3 * n, KeyResults: 10 * n, CheckInsPerKR: per, Now: quarterBench.spec.Now}
		d.org, err = storagetest.GenerateOrg(ctx, db, spec)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		data, err := json.Marshal(d.org)
		if err == nil {
			err = os.Rename(path+".tmp", path)
		}
		if err == nil {
			err = os.WriteFile(meta, data, 0o600)
		}
		if err != nil {
			return err
		}
		d.note = fmt.Sprintf("generated %d users, %d check-ins in %s into %s", d.org.Users, d.org.CheckIns, time.Since(start).Round(time.Second), path)
	}
	var err error
	if d.db, err = bolt.Open(path, bolt.Options{}); err != nil {
		return err
	}
	now := d.org.Now
	d.e = bot.NewEngine(d.db, bot.Options{Now: func() time.Time { return now }})
	d.teams = map[string]*okrcore.Team{}
	return d.db.View(ctx, func(tx okrcore.Tx) error {
		ts, err := tx.Teams(d.org.Workspace)
		for _, t := range ts {
			d.teams[t.Name] = t
		}
		return err
	})
}

func (d *digestBench) logNote(b *testing.B) {
	b.Helper()
	if d.note != "" {
		b.Log(d.note)
		d.note = ""
	}
}

// benchCompose checks one delivery, then measures composing it.
func benchCompose(b *testing.B, e *bot.Engine, it *okrcore.OutboxItem, want ...string) {
	b.Helper()
	ctx := context.Background()
	d, err := e.Compose(ctx, it)
	if err != nil || d.Skip != "" {
		b.Fatalf("compose %s T%d: skip %q, err %v", it.Kind, it.Team, d.Skip, err)
	}
	got := renderStatus(d.Message)
	for _, w := range want {
		if !strings.Contains(got, w) {
			b.Fatalf("compose %s T%d lacks %q:\n%s", it.Kind, it.Team, w, got)
		}
	}
	if len(d.Message.Blocks) > 45 {
		b.Fatalf("compose %s T%d: %d blocks", it.Kind, it.Team, len(d.Message.Blocks))
	}
	quarterDigest.logNote(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Compose(ctx, it); err != nil {
			b.Fatal(err)
		}
	}
}

func digestItem(org *storagetest.Org, kind okrcore.OutboxKind, t *okrcore.Team) *okrcore.OutboxItem {
	return &okrcore.OutboxItem{ID: 1, Workspace: org.Workspace, Kind: kind, Team: t.ID, Period: "2026-W52", DueAt: org.Now,
		Key: fmt.Sprintf("%s:t%d:2026-W52", kind, t.ID), State: okrcore.OutboxPending}
}

// BenchmarkTeamDigest composes a team's digest: a team of median size and
// the largest team, and both again with the year current beside the
// quarter ("year/…", digest_year_bench_test.go).
func BenchmarkTeamDigest(b *testing.B) {
	org, e := quarterOrg(b)
	teams := []struct{ name, team string }{{"mid", org.MidTeam}, {"largest", org.LargestTeam}}
	run := func(b *testing.B, want ...string) {
		for _, tc := range teams {
			b.Run(tc.name, func(b *testing.B) {
				t := quarterDigest.teams[tc.team]
				benchCompose(b, e, digestItem(org, okrcore.OutboxDigest, t), append([]string{"Team " + tc.team, "checked in this week"}, want...)...)
			})
		}
	}
	run(b)
	b.Run("year", func(b *testing.B) { withYear(b, func() { run(b, "\n2026 · day") }) })
}

// BenchmarkManagerDigest composes the roll-up for a department's lead: its
// whole subtree (a fifth of the teams under a department are its direct
// children, the rest their sub-teams), and for a team of the level below;
// both again with the year current beside the quarter ("year/…").
func BenchmarkManagerDigest(b *testing.B) {
	org, e := quarterOrg(b)
	dept := quarterDigest.teams[org.Departments[0]]
	var sub *okrcore.Team
	for _, t := range quarterDigest.teams {
		if t.Parent == dept.ID && (sub == nil || t.ID < sub.ID) {
			sub = t
		}
	}
	run := func(b *testing.B, want ...string) {
		b.Run("department", func(b *testing.B) {
			benchCompose(b, e, digestItem(org, okrcore.OutboxManagerDigest, dept), append([]string{dept.Name + " and the teams under it", "Worst key results"}, want...)...)
		})
		b.Run("team", func(b *testing.B) {
			benchCompose(b, e, digestItem(org, okrcore.OutboxManagerDigest, sub), append([]string{sub.Name + " and the teams under it"}, want...)...)
		})
	}
	run(b)
	b.Run("year", func(b *testing.B) { withYear(b, func() { run(b, "\n2026 · day") }) })
}

// BenchmarkAdoption is `/okr adoption` for the whole organisation and for
// one department, through the engine. Who checked in comes from the
// check-in tally that check-ins keep (report/tally.go); "org/cold" is the
// first report on a store from before the tally, which builds it from the
// history of everyone's check-ins (once, after an upgrade).
func BenchmarkAdoption(b *testing.B) {
	org, e := quarterOrg(b)
	db := quarterDigest.db
	ctx := context.Background()
	ev := func(args string) chat.Event {
		return chat.Event{Kind: chat.EventCommand, Platform: org.Platform, Workspace: org.Workspace, UserID: org.Admin, Text: "adoption" + args}
	}
	check := func(b *testing.B, args, want string) {
		m, ok := e.Process(ctx, ev(args))
		if !ok || !strings.Contains(renderStatus(m), want) || len(m.Blocks) > 45 {
			b.Fatalf("adoption%s: %d blocks:\n%s", args, len(m.Blocks), renderStatus(m))
		}
	}
	dept := " " + org.Departments[0]
	b.Run("org", func(b *testing.B) {
		check(b, "", "The 20 teams with the lowest")
		quarterDigest.logNote(b)
		b.ReportAllocs()
		for b.Loop() {
			e.Process(ctx, ev(""))
		}
	})
	b.Run("department", func(b *testing.B) {
		check(b, dept, org.Departments[0]+" and the teams under it")
		b.ReportAllocs()
		for b.Loop() {
			e.Process(ctx, ev(dept))
		}
	})
	b.Run("org/cold", func(b *testing.B) {
		blocks := okrcore.ID(org.Users/okrcore.TallyBlock + 1)
		for b.Loop() {
			b.StopTimer()
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				for blk := range blocks {
					if err := tx.DeleteState(org.Workspace, okrcore.TallyKey(blk, -1)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			e.Process(ctx, ev(""))
		}
	})
}
