package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
	"github.com/okrbot/okrbot/schedule"
)

// reportRounds is how often each report is timed after its first.
const reportRounds = 5

func reportsFlags(fs *flag.FlagSet, c *config) {
	commonOrgFlags(fs, c)
	profileFlag(fs, c)
}

func checkReports(c *config) error { return checkOrgFlags(c) }

// runReports times, at the organisation's moment: the manager digest of
// the largest department (its whole subtree) composed as the dispatcher
// composes it; `/okr adoption` for the whole organisation asked by the
// admin, the first of the cycle (every check-in to read) and again (its
// ledger kept); and scheduler ticks with nobody due, after a first tick
// enqueued what was, a minute apart. Each is timed once cold and then reportRounds times;
// the figure without a suffix is the median of those, _cpu_ms the median
// CPU time. The generated organisation's tally is not built, as after an
// upgrade: it is built first as okrbot serve builds it at start
// (tally.FillEveryone, timed as tally_fill_ms), so that the first manager
// digest is the one a person meets once serve's fill is done.
func runReports(ctx context.Context, c *config, log *progress) (figures, error) {
	db, o, err := openCopy(ctx, c, log, "reports.db")
	if err != nil {
		return figures{}, err
	}
	defer db.Close()
	clock := func() time.Time { return orgNow }
	quiet := c.log
	e := bot.NewEngine(db, bot.Options{Now: clock, Logger: quiet})
	var f figures
	f.add("people", len(o.users))

	log.phase("the check-in tally, as serve builds it at start", nil)
	start := time.Now()
	filled, err := tally.FillEveryone(ctx, db)
	if err != nil {
		return f, err
	}
	f.add("tally_fill_ms", time.Since(start))
	f.add("tally_fill_blocks", filled.Blocks)

	dept := largestDepartment(o)
	it := &okrcore.OutboxItem{ID: 1, Workspace: o.ws, Kind: okrcore.OutboxManagerDigest, Team: dept.ID, Period: "2026-W47", DueAt: orgNow,
		Key: fmt.Sprintf("manager_digest:t%d:2026-W47", dept.ID), State: okrcore.OutboxPending}
	log.phase("the manager digest of "+dept.Name, nil)
	r, err := timeRounds(func() error {
		d, err := e.Compose(ctx, it)
		if err == nil && (d.Skip != "" || !strings.Contains(text(d.Message), "teams under it")) {
			err = fmt.Errorf("the manager digest of %s was not composed (skip %q): %.300s", dept.Name, d.Skip, text(d.Message))
		}
		return err
	})
	if err != nil {
		return f, err
	}
	f.add("manager_digest_first_ms", r.first)
	f.add("manager_digest_ms", r.median)
	f.add("manager_digest_cpu_ms", r.cpu)

	log.phase("the adoption report", nil)
	ev := chat.Event{Kind: chat.EventCommand, Platform: o.users[0].Platform, Workspace: o.ws, UserID: o.users[0].PlatformID, Text: "adoption"}
	r, err = timeRounds(func() error {
		m, ok := e.Process(ctx, ev)
		if !ok || !strings.Contains(text(m), "of people have OKRs") {
			return fmt.Errorf("the adoption report was not made: %.300s", text(m))
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	f.add("adoption_cold_ms", r.first)
	f.add("adoption_ms", r.median)
	f.add("adoption_cpu_ms", r.cpu)

	log.phase("scheduler ticks", nil)
	// A minute between ticks, as okrbot serve ticks: a tick at the moment
	// of the one before could be answered from what that one planned.
	tickAt := orgNow
	s := schedule.NewScheduler(db, schedule.Options{Now: func() time.Time { return tickAt }, Logger: quiet})
	enqueued, round := 0, 0
	r, err = timeRounds(func() error {
		tickAt = orgNow.Add(time.Duration(round) * time.Minute)
		st, err := s.Tick(ctx)
		if round == 0 {
			enqueued = st.Enqueued
		} else if err == nil && st.Enqueued != 0 {
			err = fmt.Errorf("a tick after the first enqueued %d items", st.Enqueued)
		}
		round++
		return err
	})
	if err != nil {
		return f, err
	}
	f.add("tick_first_ms", r.first)
	f.add("tick_first_enqueued", enqueued)
	f.add("tick_nobody_due_ms", r.median)
	f.add("tick_nobody_due_cpu_ms", r.cpu)
	return f, nil
}

// largestDepartment is the top-level team with the most teams under it.
func largestDepartment(o *org) *okrcore.Team {
	under := map[okrcore.ID]int{}
	parent := map[okrcore.ID]okrcore.ID{}
	for _, t := range o.teams {
		parent[t.ID] = t.Parent
	}
	for _, t := range o.teams {
		top := t.ID
		for i := 0; parent[top] != 0 && i < 64; i++ {
			top = parent[top]
		}
		under[top]++
	}
	best := o.departments[0]
	for _, d := range o.departments {
		if under[d.ID] > under[best.ID] {
			best = d
		}
	}
	return best
}

// rounds is what timeRounds measured: how long the first run took, the
// median of the others, and the median CPU time the process spent in
// them (its goroutines' and the runtime's, all cores): on a shared
// machine the wall time grows with the load, the CPU time much less.
type rounds struct{ first, median, cpu time.Duration }

// timeRounds runs fn once and then reportRounds times.
func timeRounds(fn func() error) (rounds, error) {
	var r rounds
	var ds, cpus []time.Duration
	for i := range reportRounds + 1 {
		t0, c0 := time.Now(), cpuTime()
		if err := fn(); err != nil {
			return r, err
		}
		if d := time.Since(t0); i == 0 {
			r.first = d
		} else {
			ds, cpus = append(ds, d), append(cpus, cpuTime()-c0)
		}
	}
	r.median, r.cpu = quantile(ds, 0.5), quantile(cpus, 0.5)
	return r, nil
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
