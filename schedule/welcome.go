package schedule

import (
	"fmt"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// planWelcomes plans one "welcome back" nudge for each person whose time
// away ended within the grace period and whose check-in nudge of the
// period was held while they were away: at their check-in time on the day
// they are back (at once when that has passed). Someone whose nudge is
// still to come this period gets it, worded as a welcome back, and
// nothing more; whether a check-in is still due is the composer's to say.
// One State read per tick; the roster is searched only when someone is
// back.
func (s *Scheduler) planWelcomes(tx okrcore.Tx, ws string, r *roster, now time.Time, p *plan) error {
	back := p.awayBook(tx, ws).Returned(now.Add(-s.grace), now)
	if len(back) == 0 {
		return nil
	}
	groups := map[okrcore.ID]*group{}
	for _, g := range r.people {
		for _, u := range g.users {
			if _, ok := back[u.ID]; ok {
				groups[u.ID] = g
			}
		}
	}
	for _, id := range sortedIDs(keysOf(back)) {
		until := back[id]
		marker := "slot:welcome:u" + strconv.FormatUint(uint64(id), 10) + ":" + strconv.FormatInt(until.Unix(), 10)
		g := groups[id]
		if g == nil || handled(tx, ws, marker) {
			continue // an observer, someone who left, or done
		}
		p.markers = append(p.markers, marker)
		period := okrcore.PeriodKey(g.sched.CheckIn.Cadence, now, g.loc)
		regular, err := tx.OutboxByKey(ws, fmt.Sprintf("%s:u%d:%s", okrcore.OutboxCheckIn, id, period))
		if okrcore.IsNotFound(err) || (err == nil && regular.State != okrcore.OutboxSkipped) {
			continue // nudged before the time away, or still to be
		}
		if err != nil {
			return err
		}
		due := localAt(until.In(g.loc), g.sched.CheckIn.Hour, g.sched.CheckIn.Minute, g.loc)
		if due.Before(now) {
			due = now
		}
		p.items = append(p.items, &okrcore.OutboxItem{Workspace: ws, Kind: okrcore.OutboxCheckIn, User: id, Period: period,
			DueAt: due, CreatedAt: now, Key: away.WelcomeKey(id, until)})
	}
	return nil
}

func keysOf[V any](m map[okrcore.ID]V) map[okrcore.ID]bool {
	out := make(map[okrcore.ID]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
