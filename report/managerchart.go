package report

// The manager digest's chart: the weekly check-in rate of each child team
// (with every team beneath it) over the cycle so far, bars for all of them
// and lines for the lowest, each person's weeks their own (Monday to Sunday
// in their time zone, tally.Clock, as /okr adoption counts them, and the
// weeks they were away left out), from the check-in tally (report/tally)
// of the people with key results.

import (
	"cmp"
	"time"

	"github.com/okrbot/okrbot/chart"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/tally"
)

// chartFrom is when the chart's first week begins for anyone (a day
// before its Monday in UTC, for people east of it), or the period the
// digest asks about when that is earlier.
func chartFrom(c *okrcore.Cycle, period time.Time) time.Time {
	if at := tally.NewClock(c, time.UTC).Start().AddDate(0, 0, -1); at.Before(period) {
		return at
	}
	return period
}

// chart draws rows' weekly rates; it reads, once per person, the weeks
// of the cycle each of the people with key results checked in.
func (md *managerDigest) chart(title string, rows []*rollup) (chat.Image, bool, error) {
	utc := tally.NewClock(md.cycle, time.UTC)
	end := md.now
	if !end.Before(md.cycle.End) {
		end = md.cycle.End.Add(-time.Nanosecond)
	}
	n := min(utc.Week(end)+1, adoptionMaxWeeks)
	if n <= 0 || len(rows) == 0 {
		return chat.Image{}, false, nil
	}
	weeks := make([]time.Time, n)
	for i := range weeks {
		weeks[i], _ = utc.Bounds(i)
	}
	checked, away := map[okrcore.ID][]bool{}, map[okrcore.ID][]bool{}
	clocks := map[string]tally.Clock{}
	weeksOf := func(id okrcore.ID, tz string) ([]bool, error) {
		if w, ok := checked[id]; ok {
			return w, nil
		}
		clk, ok := clocks[tz]
		if !ok {
			clk = tally.NewClock(md.cycle, chat.Location(tz))
			clocks[tz] = clk
		}
		// A week away is neither asked nor read, as /okr adoption counts it.
		var awayErr error
		away[id] = make([]bool, n)
		w, err := md.tally.Weeks(id, clk, n, end, func(i int, from, to time.Time) bool {
			a, err := md.away.AwayFor(id, from, to)
			away[id][i], awayErr = a, cmp.Or(awayErr, err)
			return a
		})
		checked[id] = w
		return w, cmp.Or(err, awayErr)
	}
	a := chart.Adoption{Title: chat.PlainText(title), Weeks: weeks}
	alt := chart.Adoption{Title: title, Weeks: weeks}
	for _, r := range rows {
		tw := chart.TeamWeeks{Name: r.team.Name, Asked: make([]int, len(weeks)), Answered: make([]int, len(weeks))}
		for id := range r.people {
			p := md.people[id]
			if p == nil || !p.weekly {
				continue
			}
			w, err := weeksOf(id, p.tz)
			if err != nil {
				return chat.Image{}, false, err
			}
			for i, in := range w {
				if away[id][i] {
					continue
				}
				tw.Asked[i]++
				if in {
					tw.Answered[i]++
				}
			}
		}
		a.Teams = append(a.Teams, tw)
		tw.Name = chat.User(r.team.Name)
		alt.Teams = append(alt.Teams, tw)
	}
	img, ok := image(a.PNG, alt.Alt(), a.Title)
	return img, ok, nil
}
