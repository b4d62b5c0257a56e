package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/slack"
	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// monday is Monday 23 November 2026, 18:00 UTC: 10:00 in Los Angeles, the
// last of the generated time zones to reach its Monday check-in window.
// With a day's grace every window is due, and no reminder (Tuesday) or
// digest (Friday) is.
var monday = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

func fanoutFlags(fs *flag.FlagSet, c *config) {
	commonOrgFlags(fs, c)
	profileFlag(fs, c)
	fs.Float64Var(&c.limit, "limit", 100, "the fake Slack's limit, messages a second across the workspace (besides one a second per conversation); the dispatcher is not told it")
	fs.Float64Var(&c.ceiling, "ceiling", 1000, "the dispatcher's ceiling, as slack.rate_ceiling sets it (1000, the most okrbot accepts)")
}

func checkFanout(c *config) error {
	if !(c.limit >= 1 && c.limit <= 10000) {
		return fmt.Errorf("--limit %g: give the fake's messages a second, between 1 and 10000", c.limit)
	}
	if !(c.ceiling >= slack.DefaultRate && c.ceiling <= 1000) {
		return fmt.Errorf("--ceiling %g: give between %g (Slack's starting rate) and 1000 messages a second", c.ceiling, slack.DefaultRate)
	}
	return checkOrgFlags(c)
}

// runFanout: the scheduler's Monday tick enqueues everyone's check-in
// nudge; every fifth person nudged also gets a reminder and every tenth a
// late nudge of the week before, due at once, so that some conversations
// get two or three messages. The dispatcher sends them as okrbot serve
// does, through the Slack adapter over HTTP to the fake Slack, paced from
// Slack's documented start (slack.DefaultRate) up to --ceiling; the fake
// enforces --limit a second and one a second per conversation, which the
// dispatcher learns only from its 429s.
func runFanout(ctx context.Context, c *config, log *progress) (figures, error) {
	db, o, err := openCopy(ctx, c, log, "fanout.db")
	if err != nil {
		return figures{}, err
	}
	defer db.Close()
	clock := func() time.Time { return monday }
	quiet := c.log
	log.phase("the Monday tick", nil)
	if _, err := schedule.NewScheduler(db, schedule.Options{Now: clock, Grace: 24 * time.Hour, Logger: quiet}).Tick(ctx); err != nil {
		return figures{}, fmt.Errorf("the Monday tick: %w", err)
	}
	keys, nudged, err := addSeveral(ctx, db)
	if err != nil {
		return figures{}, err
	}
	limit := slacktest.NewLimit(c.limit, max(1, int(c.limit/10)), time.Second)
	fake := slacktest.New(slacktest.Options{Limit: limit, Quiet: true})
	defer fake.Close()
	a, err := slack.New(slack.Config{BotToken: slacktest.BotToken, SigningSecret: "okrload", APIURL: fake.APIURL()},
		slack.Options{Logger: quiet, Ceiling: c.ceiling})
	if err != nil {
		return figures{}, err
	}
	e := bot.NewEngine(db, bot.Options{Now: clock, Logger: quiet})
	d := outbox.NewDispatcher(db, e, outbox.ByPlatform(map[string]chat.Sender{slack.Platform: a}),
		outbox.Options{Now: clock, Logger: quiet, Pacings: map[string]chat.Pacing{slack.Platform: a.Pacing()}})
	log.phase(fmt.Sprintf("sending %d messages to %d people", len(keys), nudged), func() string {
		st := fake.Stats()
		return fmt.Sprintf("%d delivered, %d answered 429, pace %.1f/s", fake.Deliveries().Total(), st.RateLimited, d.Rate(slack.Platform))
	})
	start := time.Now()
	if err := d.Drain(ctx); err != nil {
		return figures{}, fmt.Errorf("drain: %w", err)
	}
	took := time.Since(start)
	sent, dups, missed, err := tallyFanout(ctx, db, keys, fake.Deliveries())
	if err != nil {
		return figures{}, err
	}
	calls, limited, perConv := limit.Stats()
	floor := float64(sent) / c.limit
	var f figures
	f.add("people", len(o.users))
	f.add("nudged", nudged)
	f.add("messages", sent)
	f.add("seconds", took.Seconds())
	f.add("floor_seconds", floor)
	f.add("ratio", took.Seconds()/floor)
	f.add("rate_limited", limited)
	f.add("rate_limited_pct", 100*float64(limited)/float64(max(calls, 1)))
	f.add("per_conversation_429", perConv)
	f.add("duplicates", dups)
	f.add("missed", missed)
	f.add("end_rate", d.Rate(slack.Platform))
	return f, nil
}

// addSeveral gives every fifth person nudged a reminder of the week and
// every tenth a late nudge of the week before, due with the nudge, and
// returns the keys of every item due and how many people were nudged.
func addSeveral(ctx context.Context, db okrcore.Store) (keys []string, nudged int, err error) {
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		keys, nudged = keys[:0], 0
		items, err := tx.DueOutbox(monday, 0)
		if err != nil {
			return err
		}
		for _, it := range items {
			keys = append(keys, it.Key)
			if it.Kind != okrcore.OutboxCheckIn {
				continue
			}
			nudged++
			var more []*okrcore.OutboxItem
			if nudged%5 == 0 {
				more = append(more, &okrcore.OutboxItem{Workspace: it.Workspace, Kind: okrcore.OutboxReminder, User: it.User, Period: it.Period,
					Key: strings.Replace(it.Key, "checkin:", "reminder:", 1)})
			}
			if nudged%10 == 0 {
				more = append(more, &okrcore.OutboxItem{Workspace: it.Workspace, Kind: okrcore.OutboxCheckIn, User: it.User, Period: "2026-W47",
					Key: strings.Replace(it.Key, it.Period, "2026-W47", 1)})
			}
			for _, m := range more {
				m.DueAt, m.CreatedAt = it.DueAt, it.CreatedAt
				if _, err := tx.AddOutbox(m); err != nil {
					return err
				}
				keys = append(keys, m.Key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("add reminders and late nudges: %w", err)
	}
	if nudged == 0 {
		return nil, 0, fmt.Errorf("the Monday tick nudged nobody")
	}
	return keys, nudged, nil
}

// tallyFanout compares what the fake delivered with the items' states: an
// item sent must have been delivered once, one the composer skipped (a
// nudge for a week already checked in) never; one still open or failed
// was missed. It returns the items sent, the deliveries beyond the first
// of a key (or of a skipped one) and the items missed.
func tallyFanout(ctx context.Context, db okrcore.Store, keys []string, dels *slacktest.Deliveries) (sent, dups, missed int, err error) {
	byKey := map[string]int{}
	dels.Each(func(_, key string, n int) { byKey[key] += n })
	err = db.View(ctx, func(tx okrcore.Tx) error {
		for _, k := range keys {
			it, err := tx.OutboxByKey(slacktest.Team, k)
			if err != nil {
				return err
			}
			n := byKey[k]
			delete(byKey, k)
			switch it.State {
			case okrcore.OutboxSent:
				sent++
				if n == 0 {
					missed++
				}
				dups += max(0, n-1)
			case okrcore.OutboxSkipped:
				dups += n
			default:
				missed++
				dups += max(0, n-1)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read the outbox: %w", err)
	}
	for _, n := range byKey {
		dups += n // delivered, and nobody enqueued it
	}
	return sent, dups, missed, nil
}
