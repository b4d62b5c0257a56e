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
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// quarterOrg is the organisation with a quarter of check-ins (see
// sharedOrg in bench_test.go).
func quarterOrg(b *testing.B) (*storagetest.Org, *bot.Engine) {
	b.Helper()
	return quarterBench.load(b)
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
	quarterBench.logNote(b)
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
// the largest team.
func BenchmarkTeamDigest(b *testing.B) {
	org, e := quarterOrg(b)
	for _, tc := range []struct{ name, team string }{{"mid", org.MidTeam}, {"largest", org.LargestTeam}} {
		b.Run(tc.name, func(b *testing.B) {
			t := quarterBench.teams[tc.team]
			benchCompose(b, e, digestItem(org, okrcore.OutboxDigest, t), "Team "+tc.team, "checked in this week")
		})
	}
}

// BenchmarkManagerDigest composes the roll-up for a department's lead: its
// whole subtree (a fifth of the teams under a department are its direct
// children, the rest their sub-teams), and for a team of the level below.
func BenchmarkManagerDigest(b *testing.B) {
	org, e := quarterOrg(b)
	dept := quarterBench.teams[org.Departments[0]]
	b.Run("department", func(b *testing.B) {
		benchCompose(b, e, digestItem(org, okrcore.OutboxManagerDigest, dept), dept.Name+" and the teams under it", "Worst key results")
	})
	var sub *okrcore.Team
	for _, t := range quarterBench.teams {
		if t.Parent == dept.ID && (sub == nil || t.ID < sub.ID) {
			sub = t
		}
	}
	b.Run("team", func(b *testing.B) {
		benchCompose(b, e, digestItem(org, okrcore.OutboxManagerDigest, sub), sub.Name+" and the teams under it")
	})
}

// BenchmarkAdoption is `/okr adoption` for the whole organisation and for
// one department. The report keeps the weeks in which each person checked
// in (a ledger in the bot's state) and reads only check-ins newer than it:
// "warm" is a report soon after another, "week" one a week after the last
// (a week of check-ins to read), "cold" the first of the cycle (every
// check-in of the quarter to read).
func BenchmarkAdoption(b *testing.B) {
	org, e := quarterOrg(b)
	db := quarterBench.db
	ctx := context.Background()
	const ledgerKey = "adoption:c1" // the generated cycle is C1
	ledger := func() []byte {
		var v []byte
		err := db.View(ctx, func(tx okrcore.Tx) error {
			var err error
			v, err = tx.State(org.Workspace, ledgerKey)
			return err
		})
		if err != nil {
			b.Fatalf("read the adoption ledger: %v", err)
		}
		return v
	}
	setLedger := func(v []byte) {
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			if v == nil {
				return tx.DeleteState(org.Workspace, ledgerKey)
			}
			return tx.PutState(org.Workspace, ledgerKey, v, org.Now.AddDate(1, 0, 0))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	ev := func(args string) chat.Event {
		return chat.Event{Kind: chat.EventCommand, Platform: org.Platform, Workspace: org.Workspace, UserID: org.Admin, Text: "adoption" + args}
	}
	check := func(b *testing.B, e *bot.Engine, args, want string) {
		m, ok := e.Process(ctx, ev(args))
		if !ok || !strings.Contains(renderStatus(m), want) || len(m.Blocks) > 45 {
			b.Fatalf("adoption%s: %d blocks:\n%s", args, len(m.Blocks), renderStatus(m))
		}
	}
	// The ledger as a report a week earlier left it.
	setLedger(nil)
	weekAgo := org.Now.AddDate(0, 0, -7)
	check(b, bot.NewEngine(db, bot.Options{Now: func() time.Time { return weekAgo }}), "", "of people have OKRs")
	lastWeek := ledger()
	dept := " " + org.Departments[0]

	b.Run("org/warm", func(b *testing.B) {
		check(b, e, "", "The 20 teams with the lowest")
		quarterBench.logNote(b)
		b.ReportAllocs()
		for b.Loop() {
			e.Process(ctx, ev(""))
		}
	})
	b.Run("department/warm", func(b *testing.B) {
		check(b, e, dept, org.Departments[0]+" and the teams under it")
		b.ReportAllocs()
		for b.Loop() {
			e.Process(ctx, ev(dept))
		}
	})
	b.Run("org/week", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			setLedger(lastWeek)
			b.StartTimer()
			e.Process(ctx, ev(""))
		}
	})
	b.Run("org/cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			setLedger(nil)
			b.StartTimer()
			e.Process(ctx, ev(""))
		}
	})
}
