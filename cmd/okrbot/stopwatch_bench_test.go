package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// The fan-out benchmark's stopwatch: where the dispatchers' workers spend
// their time per message (store reads, store writes, claims and the
// sender's term, composing), so that a run says what bounds it besides
// the platform. The store and the composer are wrapped, not the sender:
// the adapter's optional interfaces (reconciling, reading statuses) stay
// as a person's okrbot sees them.

// lap is one kind of call's count and total time.
type lap struct{ n, ns atomic.Int64 }

func (l *lap) since(start time.Time) {
	l.n.Add(1)
	l.ns.Add(int64(time.Since(start)))
}

func (l *lap) String() string {
	n := l.n.Load()
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d × %s = %s", n, (time.Duration(l.ns.Load()) / time.Duration(n)).Round(time.Microsecond),
		time.Duration(l.ns.Load()).Round(time.Millisecond))
}

// stopwatch times a dispatcher's calls of its store, its claimer and its
// composer.
type stopwatch struct {
	view, update, claim, lead, compose lap
}

func (s *stopwatch) String() string {
	return fmt.Sprintf("views %s; updates %s; claims %s; terms %s; composing %s", &s.view, &s.update, &s.claim, &s.lead, &s.compose)
}

// timedStore is a store whose View and Update are timed.
type timedStore struct {
	okrcore.Store
	sw *stopwatch
}

func (t timedStore) View(ctx context.Context, fn func(okrcore.Tx) error) error {
	defer t.sw.view.since(time.Now())
	return t.Store.View(ctx, fn)
}

func (t timedStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	defer t.sw.update.since(time.Now())
	return t.Store.Update(ctx, fn)
}

// timedClaimer times a Claimer's claims and a Leader's terms.
type timedClaimer struct {
	c  outbox.Claimer
	l  outbox.Leader
	sw *stopwatch
}

func (t timedClaimer) ClaimOutbox(ctx context.Context, owner string, due, now time.Time, lease time.Duration, limit int) ([]*okrcore.OutboxItem, error) {
	defer t.sw.claim.since(time.Now())
	return t.c.ClaimOutbox(ctx, owner, due, now, lease, limit)
}

func (t timedClaimer) RenewOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (int, error) {
	return t.c.RenewOutbox(ctx, owner, now, lease)
}

func (t timedClaimer) ReleaseOutbox(ctx context.Context, owner string) (int, error) {
	return t.c.ReleaseOutbox(ctx, owner)
}

func (t timedClaimer) LeadOutbox(ctx context.Context, owner string, now time.Time, lease time.Duration) (bool, error) {
	defer t.sw.lead.since(time.Now())
	return t.l.LeadOutbox(ctx, owner, now, lease)
}

func (t timedClaimer) ResignOutbox(ctx context.Context, owner string) error {
	return t.l.ResignOutbox(ctx, owner)
}

// timedComposer times a composer.
type timedComposer struct {
	c  outbox.Composer
	sw *stopwatch
}

func (t timedComposer) Compose(ctx context.Context, it *okrcore.OutboxItem) (chat.Delivery, error) {
	defer t.sw.compose.since(time.Now())
	return t.c.Compose(ctx, it)
}

// timed wraps a dispatcher's store, claimer and composer in sw; the
// claimer is the store's own when it is one (a nil Claimer otherwise, so
// that bbolt drains as it does in a person's okrbot).
func timed(db okrcore.Store, c outbox.Composer, sw *stopwatch) (okrcore.Store, outbox.Composer, outbox.Claimer) {
	var claimer outbox.Claimer
	if cl, ok := db.(outbox.Claimer); ok {
		l, _ := db.(outbox.Leader)
		if l == nil {
			panic("a claimer without a leader: time it as well")
		}
		claimer = timedClaimer{c: cl, l: l, sw: sw}
	}
	return timedStore{Store: db, sw: sw}, timedComposer{c: c, sw: sw}, claimer
}

// paceLog samples, every second until stop, the pace the dispatchers send
// at on Slack and the calls the fake admitted in that second, and says
// them as "rate/admitted" pairs: where a run fell below the platform's
// limit, and whether its pace or its workers held it there.
func paceLog(ds []*outbox.Dispatcher, limit *slacktest.Limit) (stop func() string) {
	done := make(chan struct{})
	var out strings.Builder
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var was int64
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			var rate float64
			for _, d := range ds {
				rate += d.Rate(slack.Platform)
			}
			calls, limited, _ := limit.Stats()
			fmt.Fprintf(&out, " %.0f/%d", rate, calls-limited-was)
			was = calls - limited
		}
	})
	return func() string {
		close(done)
		wg.Wait()
		return out.String()
	}
}
