package report

// The manager digest's chart: the weekly check-in rate of each child team
// (with every team beneath it) over the cycle so far, bars for all of them
// and lines for the lowest, in UTC weeks (Monday to Sunday), from the
// check-in tally (report/tally) of the people the digest counted.

import (
	"time"

	"github.com/okrbot/okrbot/chart"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// utcWeeks are the Mondays (00:00 UTC) of the weeks from the one holding
// c's start to the one holding now, at most adoptionMaxWeeks.
func utcWeeks(c *okrcore.Cycle, now time.Time) []time.Time {
	end := now
	if c.End.Before(end) {
		end = c.End.Add(-time.Nanosecond)
	}
	var out []time.Time
	for w := okrcore.TallyWeekOf(c.Start); w <= okrcore.TallyWeekOf(end) && len(out) < adoptionMaxWeeks; w++ {
		out = append(out, okrcore.TallyWeekStart(w))
	}
	return out
}

// chartFrom is when the chart's first week begins, or the period the
// digest asks about when that is earlier.
func chartFrom(c *okrcore.Cycle, period time.Time) time.Time {
	if at := okrcore.TallyWeekStart(okrcore.TallyWeekOf(c.Start)); at.Before(period) {
		return at
	}
	return period
}

// chart draws rows' weekly rates; it reads, once per person, the weeks
// of the cycle each of the people with key results checked in.
func (md *managerDigest) chart(title string, rows []*rollup) (chat.Image, bool, error) {
	weeks := utcWeeks(md.cycle, md.now)
	if len(weeks) == 0 || len(rows) == 0 {
		return chat.Image{}, false, nil
	}
	checked := map[okrcore.ID][]bool{}
	weeksOf := func(id okrcore.ID) ([]bool, error) {
		if w, ok := checked[id]; ok {
			return w, nil
		}
		w := make([]bool, len(weeks))
		for i, from := range weeks {
			to := from.AddDate(0, 0, 7)
			if i == len(weeks)-1 {
				to = md.now.Add(time.Nanosecond)
			}
			ok, err := md.tally.CheckedInBetween(id, from, to)
			if err != nil {
				return nil, err
			}
			w[i] = ok
		}
		checked[id] = w
		return w, nil
	}
	a := chart.Adoption{Title: chat.PlainText(title), Weeks: weeks}
	alt := chart.Adoption{Title: title, Weeks: weeks}
	for _, r := range rows {
		tw := chart.TeamWeeks{Name: r.team.Name, Asked: make([]int, len(weeks)), Answered: make([]int, len(weeks))}
		for id := range r.people {
			if p := md.people[id]; p == nil || !p.hasKRs {
				continue
			}
			w, err := weeksOf(id)
			if err != nil {
				return chat.Image{}, false, err
			}
			for i, in := range w {
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
