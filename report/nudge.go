package report

import (
	"context"
	"fmt"
	"strconv"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/ladder"
)

func SkipKey(user okrcore.ID, period string) string {
	return "skip:" + strconv.FormatUint(uint64(user), 10) + ":" + period
}

// composeNudge builds a check-in nudge or reminder: the person's key results
// with current value, progress and last status, and the three answers of a
// check-in, worded by the person's rhythm (weekly, fortnightly, monthly).
// It is skipped for someone who owns nothing, already checked in this
// period, or said "skip".
func (e *Reports) composeNudge(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	to := e.directTo(u)
	c, krs, err := CheckinTargets(tx, w.ID, u.ID)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{To: to, Skip: "no current cycle"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if c.Closed {
		return chat.Delivery{To: to, Skip: "the cycle is closed"}, nil
	}
	if len(krs) == 0 {
		return chat.Delivery{To: to, Skip: "owns no key results"}, nil
	}
	cadence := EffectiveSchedule(tx, w, u.ID).CheckIn.Cadence
	period := PeriodWord(cadence)
	if _, err := tx.State(w.ID, SkipKey(u.ID, it.Period)); err == nil {
		return chat.Delivery{To: to, Skip: "skipped this " + period}, nil
	}
	loc := e.locs.Get(u.TimeZone) // once per person in a fan-out: cached
	start, ok := okrcore.PeriodKeyStart(it.Period, loc)
	if !ok {
		start = okrcore.PeriodStart(cadence, it.DueAt, loc)
	}
	var due []*okrcore.KeyResult
	for _, k := range krs {
		if k.LastCheckIn.Before(start) {
			due = append(due, k)
		}
	}
	if len(due) == 0 {
		return chat.Delivery{To: to, Skip: "already checked in"}, nil
	}
	n := NewReading(tx, w.ID, e.now())
	head := ladder.NudgeHead(it, chat.User(u.Name), chat.User(c.Name), period, CadenceWord(cadence), plural(len(due), "key result"))
	m := chat.Message{Text: head}
	m.Blocks = append(m.Blocks, chat.Section{Text: head})
	for i, k := range due {
		if i == MaxFormKRs {
			m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("…and %d more: `/okr mine` shows them all.", len(due)-i)})
			break
		}
		m.Blocks = append(m.Blocks, KRBar(k, n, 0))
	}
	m.Blocks = append(m.Blocks,
		chat.Context{Text: "Reply here in your own words, e.g. `KR2 45%, KR3 done, confidence 7, blocked: waiting on legal`."},
		chat.Actions{Buttons: []chat.Button{
			{Label: "Update", Value: "form", Style: chat.StylePrimary, ShowsForm: true},
			{Label: "No change", Value: "same as last week"},
			{Label: "Skip this " + period, Value: "skip"},
		}})
	// Platforms whose proactive messages can hold inputs (a Teams card)
	// keep the check-in form behind "Update" in the nudge itself; the
	// others send "form" and the bot answers with the form.
	m.Form = CheckinForm(n, c, due)
	return chat.Delivery{To: to, Message: m}, nil
}

// effectiveSchedule is the rhythm that applies to a person: the override of
// their first team that has one, else the workspace's.
func EffectiveSchedule(tx okrcore.Tx, w *okrcore.Workspace, user okrcore.ID) okrcore.Schedule {
	if teams, err := tx.TeamsOfUser(w.ID, user); err == nil {
		for _, t := range teams {
			if t.Schedule != nil {
				return t.Schedule.OrDefault()
			}
		}
	}
	return w.Schedule.OrDefault()
}

func plural(n int, noun string) string { return Count(n, noun) }
