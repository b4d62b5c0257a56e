package bot_test

// Benchmarks of the engine on a 10,000-person organisation (2,000 teams,
// 30,000 objectives, 100,000 key results in five alignment levels), driven
// with events through Engine.Process as an adapter would. Run them with
//
//	go test -run '^$' -bench . -benchtime 20x ./bot/
//
// The organisation is generated once per test binary, on first use, into a
// temporary directory that TestMain removes (sharedOrg); plain `go test`
// never builds it.

import (
	"context"
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

// benchCheckInsPerKR is how many check-ins each key result has had. None
// of the views measured here reads history, so two (200,000 in all) are
// enough to give the store a realistic shape without a long load.
const benchCheckInsPerKR = 2

// sharedOrg is an organisation generated on first use, once per test
// binary, without fsync, then open again with production options and an
// engine on it whose clock is stopped at the organisation's "now". It
// outlives every benchmark that uses it (a test's store would be closed at
// the end of the first), so TestMain closes it and removes its directory.
type sharedOrg struct {
	name string // of the temporary directory
	spec storagetest.OrgSpec

	once  sync.Once
	dir   string
	db    *bolt.DB
	org   *storagetest.Org
	e     *bot.Engine
	teams map[string]*okrcore.Team
	err   error
	note  string // how long generation took, logged by the first leaf benchmark
}

var (
	// bench is the organisation of this file's benchmarks.
	bench = struct {
		sharedOrg
		seq int // makes every check-in value and event id fresh
	}{sharedOrg: sharedOrg{name: "okrbot-bot-bench-", spec: storagetest.OrgSpec{CheckInsPerKR: benchCheckInsPerKR}}}
	// quarterBench is digest_bench_test.go's: a full quarter of check-ins.
	quarterBench = sharedOrg{name: "okrbot-digest-bench-",
		spec: storagetest.OrgSpec{CheckInsPerKR: 13, Now: time.Date(2026, 12, 25, 15, 0, 0, 0, time.UTC)}}
)

func TestMain(m *testing.M) {
	code := m.Run()
	bench.close()
	quarterBench.close()
	os.Exit(code)
}

// load generates the organisation on first use and returns it with the
// engine on it.
func (s *sharedOrg) load(b *testing.B) (*storagetest.Org, *bot.Engine) {
	b.Helper()
	s.once.Do(s.generate)
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.org, s.e
}

func (s *sharedOrg) generate() {
	if s.dir, s.err = os.MkdirTemp("", s.name); s.err != nil {
		return
	}
	path := filepath.Join(s.dir, "org.db")
	start := time.Now()
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		s.err = err
		return
	}
	s.org, s.err = storagetest.GenerateOrg(context.Background(), db, s.spec)
	if err := db.Close(); s.err == nil {
		s.err = err
	}
	if s.err != nil {
		return
	}
	took := time.Since(start)
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	o := s.org
	s.note = fmt.Sprintf("generated %d users, %d teams, %d objectives, %d key results, %d check-ins in %s (%d MB)",
		o.Users, o.Teams, o.Objectives, o.KeyResults, o.CheckIns, took.Round(time.Millisecond), size>>20)
	if s.db, s.err = bolt.Open(path, bolt.Options{}); s.err != nil {
		return
	}
	now := o.Now
	s.e = bot.NewEngine(s.db, bot.Options{Now: func() time.Time { return now }})
	s.teams = map[string]*okrcore.Team{}
	s.err = s.db.View(context.Background(), func(tx okrcore.Tx) error {
		ts, err := tx.Teams(o.Workspace)
		for _, t := range ts {
			s.teams[t.Name] = t
		}
		return err
	})
}

// logNote logs, once, how long generating the organisation took. It is
// called from leaf benchmarks: the log of a benchmark with sub-benchmarks
// is not shown.
func (s *sharedOrg) logNote(b *testing.B) {
	if s.note != "" {
		b.Log(s.note)
		s.note = ""
	}
}

func (s *sharedOrg) close() {
	if s.db != nil {
		s.db.Close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// benchOrg is this file's organisation, with two check-ins per key result
// at mid-quarter.
func benchOrg(b *testing.B) (*storagetest.Org, *bot.Engine) {
	b.Helper()
	return bench.load(b)
}

func benchEvent(org *storagetest.Org, user string, kind chat.EventKind, text string) chat.Event {
	ev := chat.Event{Kind: kind, Platform: org.Platform, Workspace: org.Workspace, UserID: user,
		Conversation: chat.Conversation{ID: "dm:" + user, Direct: true}}
	if kind == chat.EventButton {
		ev.Value = text
	} else {
		ev.Text = text
	}
	return ev
}

// benchProcess checks the answer to ev once, then measures processing it.
// The events carry no delivery id, so no dedupe write is measured.
func benchProcess(b *testing.B, e *bot.Engine, ev chat.Event, want ...string) {
	b.Helper()
	ctx := context.Background()
	m, ok := e.Process(ctx, ev)
	checkAnswer(b, ev, m, ok, want...)
	bench.logNote(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := e.Process(ctx, ev); !ok {
			b.Fatal("no answer")
		}
	}
}

func checkAnswer(b *testing.B, ev chat.Event, m chat.Message, ok bool, want ...string) {
	b.Helper()
	if !ok {
		b.Fatalf("%s %q: no answer", ev.UserID, ev.Text+ev.Value)
	}
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			b.Fatalf("%s %q: answer %q lacks %q", ev.UserID, ev.Text+ev.Value, m.Text, w)
		}
	}
}

// BenchmarkTeamView is `/okr team NAME`: the team's objectives with their
// key results, and each member's objectives.
func BenchmarkTeamView(b *testing.B) {
	org, e := benchOrg(b)
	for _, tc := range []struct{ name, team string }{{"mid", org.MidTeam}, {"largest", org.LargestTeam}} {
		b.Run(tc.name, func(b *testing.B) {
			benchProcess(b, e, benchEvent(org, org.Single[0], chat.EventCommand, "team "+tc.team), "Team "+tc.team)
		})
	}
}

// BenchmarkMine is `/okr mine`.
func BenchmarkMine(b *testing.B) {
	org, e := benchOrg(b)
	for _, tc := range []struct{ name, user string }{{"several", org.Several[0]}, {"busiest", org.Busiest[0]}} {
		b.Run(tc.name, func(b *testing.B) {
			benchProcess(b, e, benchEvent(org, tc.user, chat.EventCommand, "mine"), "Your OKRs in")
		})
	}
}

// BenchmarkShowObjective is `/okr show O12` at each alignment level, on the
// objective of that level with the most objectives aligned beneath it.
func BenchmarkShowObjective(b *testing.B) {
	org, e := benchOrg(b)
	for l, ids := range org.LevelObjectives {
		if len(ids) == 0 {
			continue
		}
		ref := okrcore.Ref{Kind: okrcore.RefObjective, ID: ids[0]}.String()
		b.Run(fmt.Sprintf("level%d", l+1), func(b *testing.B) {
			benchProcess(b, e, benchEvent(org, org.Single[0], chat.EventCommand, "show "+ref), ref+" ")
		})
	}
}

// BenchmarkTree is `/okr tree TEAM` (and, for comparison, `/okr tree O12`
// under the widest department objective).
func BenchmarkTree(b *testing.B) {
	org, e := benchOrg(b)
	b.Run("team", func(b *testing.B) {
		benchProcess(b, e, benchEvent(org, org.Single[0], chat.EventCommand, "tree "+org.MidTeam), "Alignment · team "+org.MidTeam)
	})
	ref := okrcore.Ref{Kind: okrcore.RefObjective, ID: org.LevelObjectives[1][0]}.String()
	b.Run("objective", func(b *testing.B) {
		benchProcess(b, e, benchEvent(org, org.Single[0], chat.EventCommand, "tree "+ref), "Alignment under "+ref)
	})
}

// BenchmarkPlainCheckIn is a check-in in plain words in a DM ("KR123 456")
// on an individual key result five levels below the company, with a new
// value each time: dedupe of the delivery id, parsing, the check-in and its
// roll-up through five objectives in one transaction (fsync included), and
// the confirmation.
func BenchmarkPlainCheckIn(b *testing.B) {
	org, e := benchOrg(b)
	var kr *storagetest.KRSample
	for i := range org.SampleKRs {
		s := &org.SampleKRs[i]
		if s.Level == 5 && s.Metric == okrcore.MetricNumber && s.Direction == okrcore.Increase && s.Owner.Kind == okrcore.OwnerUser {
			kr = s
			break
		}
	}
	if kr == nil {
		b.Fatal("no individual number key result in the sample")
	}
	ref := okrcore.Ref{Kind: okrcore.RefKeyResult, ID: kr.ID}.String()
	ctx := context.Background()
	next := func() chat.Event {
		bench.seq++
		ev := benchEvent(org, kr.CheckInAs, chat.EventMessage, fmt.Sprintf("%s %d", ref, int64(kr.Current)+int64(bench.seq)))
		ev.ID = fmt.Sprintf("bench-checkin-%d", bench.seq)
		return ev
	}
	ev := next()
	m, ok := e.Process(ctx, ev)
	checkAnswer(b, ev, m, ok, "Checked in", ref, "Rolled up")
	if n := strings.Count(m.Text[strings.Index(m.Text, "Rolled up"):], "→"); n != 5 {
		b.Fatalf("rolled up %d objectives, want 5: %s", n, m.Text)
	}
	bench.logNote(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := e.Process(ctx, next()); !ok {
			b.Fatal("no answer")
		}
	}
}
