package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

func burstFlags(fs *flag.FlagSet, c *config) {
	commonOrgFlags(fs, c)
	profileFlag(fs, c)
	databaseFlag(fs, c)
	fs.IntVar(&c.writers, "writers", 64, "how many people check in at once")
	fs.IntVar(&c.checkins, "checkins", 10000, "how many check-ins they send in all")
}

func checkBurst(c *config) error {
	if c.writers < 1 || c.writers > c.people {
		return fmt.Errorf("--writers %d: give between 1 and --people (%d) writers", c.writers, c.people)
	}
	if c.checkins < c.writers {
		return fmt.Errorf("--checkins %d: give at least one check-in per writer (%d)", c.checkins, c.writers)
	}
	if err := checkDatabaseURL(c); err != nil {
		return err
	}
	return checkOrgFlags(c)
}

// writer is a person who checks in, and the key result they own.
type writer struct {
	user *okrcore.User
	kr   *okrcore.KeyResult
}

// writers are n owners of a numeric key result each, spread over the
// organisation.
func pickWriters(ctx context.Context, db okrcore.Store, o *org, n int) ([]writer, error) {
	krs, err := okrcore.View(ctx, db, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByCycle(o.ws, o.cycle) })
	if err != nil {
		return nil, fmt.Errorf("read key results: %w", err)
	}
	byID := map[okrcore.ID]*okrcore.User{}
	for _, u := range o.users {
		byID[u.ID] = u
	}
	own := map[okrcore.ID]*okrcore.KeyResult{}
	var owners []okrcore.ID
	for _, k := range krs {
		if k.Owner.Kind != okrcore.OwnerUser || k.Metric != okrcore.MetricNumber || k.Direction != okrcore.Increase || k.Target-k.Start < 10 {
			continue
		}
		if _, ok := own[k.Owner.ID]; !ok && byID[k.Owner.ID] != nil {
			own[k.Owner.ID] = k
			owners = append(owners, k.Owner.ID)
		}
	}
	if len(owners) < n {
		return nil, fmt.Errorf("only %d people own a numeric key result to check in on; give fewer --writers", len(owners))
	}
	slices.Sort(owners)
	ws := make([]writer, n)
	for i := range ws {
		id := owners[i*len(owners)/n]
		ws[i] = writer{user: byID[id], kr: own[id]}
	}
	return ws, nil
}

// runBurst: --writers people each send their share of --checkins as plain
// chat messages ("KR12 40") through bot.Engine.Process, each waiting for
// the answer before the next, on a copy of the organisation opened with
// fsync (or on PostgreSQL, as okrbot serve opens it); every check-in answered "Checked in" and then found in the store
// counts, the others are lost.
func runBurst(ctx context.Context, c *config, log *progress) (figures, error) {
	s, err := openOrg(ctx, c, log, "burst.db")
	if err != nil {
		return figures{}, err
	}
	defer s.drop()
	defer s.close()
	db, o := s.db, s.o
	ws, err := pickWriters(ctx, db, o, c.writers)
	if err != nil {
		return figures{}, err
	}
	start := time.Now()
	// The engine's clock runs from the organisation's moment, so that each
	// check-in has a time of its own.
	now := func() time.Time { return orgNow.Add(time.Since(start)) }
	e := bot.NewEngine(db, bot.Options{Now: now, Logger: c.log})
	lat := make([][]time.Duration, len(ws))
	var done, refused atomic.Int64
	var firstRefusal atomic.Value
	log.phase("checking in", func() string {
		return fmt.Sprintf("%d of %d answered, %d refused", done.Load(), c.checkins, refused.Load())
	})
	began := time.Now()
	var wg sync.WaitGroup
	for i, w := range ws {
		share := c.checkins / len(ws)
		if i < c.checkins%len(ws) {
			share++
		}
		wg.Go(func() {
			k := w.kr
			span := int(k.Target - k.Start - 1)
			for j := range share {
				if ctx.Err() != nil {
					return
				}
				ev := chat.Event{ID: fmt.Sprintf("burst-%d-%d", i, j), Kind: chat.EventMessage, Platform: w.user.Platform, Workspace: o.ws,
					UserID: w.user.PlatformID, UserName: w.user.Name, Conversation: chat.Conversation{ID: "D" + w.user.PlatformID, Direct: true},
					Text: fmt.Sprintf("%s %d", okrcore.Ref{Kind: okrcore.RefKeyResult, ID: k.ID}, int(k.Start)+1+(j%span))}
				t0 := time.Now()
				m, ok := e.Process(ctx, ev)
				lat[i] = append(lat[i], time.Since(t0))
				done.Add(1)
				if !ok || !strings.Contains(m.Text, "Checked in") {
					refused.Add(1)
					firstRefusal.CompareAndSwap(nil, fmt.Sprintf("%s %q: %.200q", w.user.PlatformID, ev.Text, m.Text))
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	if err := ctx.Err(); err != nil {
		return figures{}, err
	}
	stored, err := countCheckIns(ctx, db, o, ws)
	if err != nil {
		return figures{}, err
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	var f figures
	f.add("people", len(o.users))
	f.add("store", s.kind())
	f.add("writers", len(ws))
	f.add("checkins", c.checkins)
	f.add("seconds", took.Seconds())
	f.add("per_second", float64(c.checkins)/took.Seconds())
	f.add("p50_ms", quantile(all, 0.5))
	f.add("p99_ms", quantile(all, 0.99))
	f.add("max_ms", quantile(all, 1))
	f.add("refused", refused.Load())
	f.add("lost", c.checkins-stored)
	if s, ok := firstRefusal.Load().(string); ok {
		return f, fmt.Errorf("%d check-ins were not recorded, the first: %s (%s)", refused.Load(), s, f)
	}
	if stored != c.checkins {
		return f, errors.New("check-ins answered were not all stored: " + f.String())
	}
	return f, nil
}

// countCheckIns counts the check-ins on the writers' key results made
// after the organisation's moment, where the engine's clock began.
func countCheckIns(ctx context.Context, db okrcore.Store, o *org, ws []writer) (int, error) {
	from := orgNow.Add(time.Nanosecond)
	n := 0
	err := db.View(ctx, func(tx okrcore.Tx) error {
		seen := map[okrcore.ID]bool{}
		for _, w := range ws {
			if seen[w.kr.ID] {
				continue
			}
			seen[w.kr.ID] = true
			cs, err := tx.CheckIns(o.ws, okrcore.TargetKR, w.kr.ID, from, 0)
			if err != nil {
				return err
			}
			n += len(cs)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count check-ins: %w", err)
	}
	return n, nil
}
