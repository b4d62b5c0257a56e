package report

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
)

// What `okrbot serve` runs at start (tally.FillEveryone) leaves nothing
// for a report to build, stops between blocks without damage when its
// context ends and finishes on the next call, and, with check-ins
// arriving between its transactions, leaves the tally the history counts.

// countsWrites is a store that counts its write transactions.
type countsWrites struct {
	okrcore.Store
	writes *atomic.Int64
}

func (s countsWrites) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	s.writes.Add(1)
	return s.Store.Update(ctx, fn)
}

// betweenWrites is a store that runs before each write transaction,
// after the first, what a person does meanwhile (before), or ends the
// fill's context (cancel).
type betweenWrites struct {
	okrcore.Store
	n      *int
	before func()
}

func (s betweenWrites) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	if *s.n++; *s.n > 1 {
		s.before()
	}
	return s.Store.Update(ctx, fn)
}

// tallyAsHistory fails t unless every block of o's people holds, in its
// slots from..to, what the history counts (okrcore.TallyFromHistory).
func tallyAsHistory(t *testing.T, o *tallyOrg, from, to time.Time) {
	t.Helper()
	err := o.db.View(context.Background(), func(tx okrcore.Tx) error {
		for b := range okrcore.ID(len(o.users)/okrcore.TallyBlock + 1) {
			want, err := okrcore.TallyFromHistory(tx, o.ws, b)
			if err != nil {
				return err
			}
			weeks := []int64{-1}
			for w := okrcore.TallyWeekOf(from) - 1; w <= okrcore.TallyWeekOf(to)+1; w++ {
				weeks = append(weeks, w)
			}
			for _, w := range weeks {
				raw, err := tx.State(o.ws, okrcore.TallyKey(b, w))
				got := map[okrcore.ID]okrcore.Span{}
				switch {
				case okrcore.IsNotFound(err) && w < 0:
					t.Errorf("block %d not built", b)
					continue
				case okrcore.IsNotFound(err):
				case err != nil:
					return err
				default:
					var ok bool
					if got, ok = okrcore.DecodeTally(raw); !ok {
						t.Errorf("block %d week %d: the slot cannot be read", b, w)
					}
				}
				if len(want[w]) == 0 && len(got) == 0 {
					continue
				}
				if !reflect.DeepEqual(got, want[w]) {
					t.Errorf("block %d week %d: the tally holds %d people, the history %d:\n%v\n%v", b, w, len(got), len(want[w]), got, want[w])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFillEveryoneLeavesReportsNothingToBuild(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 600, start)
	now := start.AddDate(0, 0, 28)
	o.history(t, 1500, start, now) // a store from before the tally
	ctx := context.Background()
	fromHistory := tallyReports(t, o, o.db, now)
	o.forget(t) // the adoption report above built what it counted
	blocks := len(o.users)/okrcore.TallyBlock + 1
	f, err := tally.FillEveryone(ctx, o.db)
	if err != nil || f.Blocks != blocks || f.Missing != blocks || f.People != len(o.users) || f.Workspaces != 1 {
		t.Fatalf("the fill: %+v, %v; want %d blocks of %d people", f, err, blocks, len(o.users))
	}
	tallyAsHistory(t, o, start, now)
	// A report, and a web team page (tally.Fill of its people), write
	// nothing: what they count is built.
	var writes atomic.Int64
	store := countsWrites{o.db, &writes}
	if got := tallyReports(t, o, store, now); !reflect.DeepEqual(got, fromHistory) {
		t.Errorf("the reports differ between the history and the tally filled:\n%v\n%v", fromHistory, got)
	}
	e := New(store, Options{Now: func() time.Time { return now }})
	it := &okrcore.OutboxItem{ID: 1, Workspace: o.ws, Kind: okrcore.OutboxManagerDigest, Team: o.teams[0].ID, DueAt: now,
		Key: fmt.Sprintf("manager_digest:t%d:x", o.teams[0].ID), State: okrcore.OutboxPending}
	if d, err := e.Compose(ctx, it); err != nil || d.Skip != "" {
		t.Fatalf("compose the manager digest: %v (skip %q)", err, d.Skip)
	}
	if err := tally.Fill(ctx, store, o.ws, o.teams[3].People()); err != nil {
		t.Fatal(err)
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("after the fill, the reports and a team's page wrote %d times, want none", n)
	}
	// A second fill (serve's next look) finds nothing to do.
	if f, err := tally.FillEveryone(ctx, store); err != nil || f.Blocks != 0 || writes.Load() != 0 {
		t.Errorf("a second fill: %+v, %v, %d writes; want nothing built", f, err, writes.Load())
	}
	// Someone new beyond every block: the next fill builds their block.
	o.update(t, func(tx okrcore.Tx) error {
		for i := 0; ; i++ {
			u := &okrcore.User{Workspace: o.ws, Platform: "shell", PlatformID: fmt.Sprintf("new%d", i), Name: "new", Role: okrcore.RoleMember}
			if err := tx.PutUser(u); err != nil || u.ID/okrcore.TallyBlock > okrcore.ID(len(o.users))/okrcore.TallyBlock {
				return err
			}
		}
	})
	if f, err := tally.FillEveryone(ctx, o.db); err != nil || f.Blocks != 1 {
		t.Errorf("a fill after a new block's first person: %+v, %v; want its block built", f, err)
	}
}

func TestFillEveryoneStopsAndResumes(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 900, start)
	now := start.AddDate(0, 0, 28)
	o.history(t, 2000, start, now)
	want := tallyReports(t, o, o.db, now)
	o.forget(t)
	blocks := len(o.users)/okrcore.TallyBlock + 1
	// The context ends after the first block's write: serve stopping.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	f, err := tally.FillEveryone(ctx, betweenWrites{o.db, &n, cancel})
	if !errors.Is(err, context.Canceled) || f.Blocks != 1 || f.Missing != blocks {
		t.Fatalf("a fill stopped after a block: %+v, %v; want 1 of %d built and context.Canceled", f, err, blocks)
	}
	built := 0
	err = o.db.View(context.Background(), func(tx okrcore.Tx) error {
		for b := range okrcore.ID(blocks) {
			if _, err := tx.State(o.ws, okrcore.TallyKey(b, -1)); err == nil {
				built++
			}
		}
		return nil
	})
	if err != nil || built != 1 {
		t.Fatalf("after the stop %d blocks are built (%v), want 1", built, err)
	}
	// The next start builds the rest, and the reports say what the
	// history says.
	if f, err := tally.FillEveryone(context.Background(), o.db); err != nil || f.Blocks != blocks-1 {
		t.Fatalf("the fill resumed: %+v, %v; want the %d blocks left", f, err, blocks-1)
	}
	tallyAsHistory(t, o, start, now)
	if got := tallyReports(t, o, o.db, now); !reflect.DeepEqual(got, want) {
		t.Errorf("the reports differ between the history and a fill stopped and resumed:\n%v\n%v", want, got)
	}
}

func TestFillEveryoneWhileCheckInsArrive(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	o := newTallyOrg(t, 1100, start)
	now := start.AddDate(0, 0, 28)
	o.history(t, 2500, start, now)
	o.forget(t)
	// Between each block's transaction, people check in, undo, import and
	// move, into blocks built and not yet.
	n := 0
	store := betweenWrites{o.db, &n, func() { now = o.live(t, 60, now, start) }}
	f, err := tally.FillEveryone(context.Background(), store)
	if blocks := len(o.users)/okrcore.TallyBlock + 1; err != nil || f.Blocks != blocks {
		t.Fatalf("the fill: %+v, %v; want %d blocks", f, err, blocks)
	}
	now = o.live(t, 200, now, start)
	tallyAsHistory(t, o, start, now)
	kept := tallyReports(t, o, o.db, now)
	o.forget(t)
	if again := tallyReports(t, o, o.db, now); !reflect.DeepEqual(kept, again) {
		t.Errorf("the reports differ between the tally filled while check-ins arrived and the history:\n%v\n%v", kept, again)
	}
}
