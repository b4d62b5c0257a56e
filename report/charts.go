package report

// Charts of the digests and views, drawn from the check-in history their
// composer has already read: a key result's value at any moment is the
// Previous of its oldest check-in after that moment, else its current
// value, so one read of the cycle's check-ins draws every week of it.

import (
	"time"

	"github.com/okrbot/okrbot/chart"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
	"github.com/okrbot/okrbot/report/pace"
)

// maxChartLines is how many objectives a burn-up draws, worst first: past
// seven lines and colours a chart is no longer read.
const maxChartLines = 7

// valueAt is a key result's value at t by its effective check-ins, newest
// first.
func valueAt(k *okrcore.KeyResult, cis []*okrcore.CheckIn, t time.Time) float64 {
	v := k.Current
	for _, ci := range cis {
		if !ci.At.After(t) {
			break
		}
		v = ci.Previous
	}
	return v
}

// progressAt is a key result's progress at t.
func progressAt(k *okrcore.KeyResult, cis []*okrcore.CheckIn, t time.Time) float64 {
	cp := *k
	cp.Current = valueAt(k, cis, t)
	return okrcore.KRProgress(&cp)
}

// chartWeeks are the moments a chart shows: each week's start in the cycle
// up to now, and now.
func chartWeeks(c *okrcore.Cycle, now time.Time) []time.Time {
	var out []time.Time
	for t := c.Start; t.Before(now) && t.Before(c.End); t = t.AddDate(0, 0, 7) {
		out = append(out, t)
	}
	return append(out, now)
}

// krSpark is the sparkline of a key result's weekly progress over the
// cycle, on a 0 to 100% scale so that lines beside each other compare.
func krSpark(k *okrcore.KeyResult, cis []*okrcore.CheckIn, weeks []time.Time) string {
	vals := make([]float64, len(weeks))
	for i, t := range weeks {
		vals[i] = progressAt(k, cis, t)
	}
	return chart.SparklineIn(vals, 0, 1)
}

// image is a chart's picture with its words; a chart that cannot be drawn
// is left out (its words are said by the message's text anyway).
func image(png func() ([]byte, error), alt, title string) (chat.Image, bool) {
	b, err := png()
	if err != nil || len(b) == 0 {
		return chat.Image{}, false
	}
	return chat.Image{PNG: b, Alt: alt, Title: title}, true
}

// burnup is the team digest's chart: each objective's progress over the
// quarter from its key results, against the expected line (the year's
// objectives would read against the wrong one, so they stay out), with the
// objectives the reading says need attention marked.
func (d *teamDigest) burnup(objs []*okrcore.Objective) (chat.Image, bool) {
	b, alt := d.burnupOf(objs)
	if len(b.Objectives) == 0 {
		return chat.Image{}, false
	}
	return image(b.PNG, alt.Alt(), d.team.Name+" burn-up")
}

// burnupOf is the burn-up's data: b in plain words, alt with titles as
// chat text (chat.User).
func (d *teamDigest) burnupOf(objs []*okrcore.Objective) (b, alt chart.Burnup) {
	weeks := chartWeeks(d.cycle, d.now)
	b = chart.Burnup{Team: d.team.Name, Start: d.cycle.Start, End: d.cycle.End, Now: d.now}
	alt = b
	for _, o := range objs {
		krs := d.calc.krsOf[o.ID]
		if len(krs) == 0 || len(b.Objectives) == maxChartLines || o.Cycle != d.cycle.ID {
			continue
		}
		co := chart.Objective{Title: o.Title, AtRisk: needsAttention(d.read.Objective(o).Status)}
		for _, t := range weeks {
			at := make([]*okrcore.KeyResult, len(krs))
			for i, k := range krs {
				cp := *k
				cp.Current = valueAt(k, d.calc.hist[k.ID], t)
				at[i] = &cp
			}
			co.History = append(co.History, chart.Point{At: t, Value: okrcore.ObjectiveProgress(at, nil)})
		}
		b.Objectives = append(b.Objectives, co)
		co.Title = chat.User(o.Title)
		alt.Objectives = append(alt.Objectives, co)
	}
	alt.Team = chat.User(d.team.Name)
	return b, alt
}

// krHistory is a key result's chart over its cycle, from its effective
// check-ins newest first.
func krHistory(k *okrcore.KeyResult, c *okrcore.Cycle, now time.Time, cis []*okrcore.CheckIn) (chat.Image, bool) {
	h := chart.History{Title: k.Ref().String() + " " + k.Title, Start: c.Start, End: c.End, Now: now}
	for i := len(cis) - 1; i >= 0; i-- {
		if ci := cis[i]; !ci.At.Before(c.Start) {
			cp := *k
			cp.Current = ci.Value
			h.Points = append(h.Points, chart.Point{At: ci.At, Value: okrcore.KRProgress(&cp)})
		}
	}
	alt := h
	alt.Title = k.Ref().String() + " " + chat.User(k.Title)
	return image(h.PNG, alt.Alt(), h.Title)
}

// sparkBar puts a key result's sparkline in front of its bar's detail.
func sparkBar(b chat.ProgressBar, k *okrcore.KeyResult, cis []*okrcore.CheckIn, weeks []time.Time) chat.ProgressBar {
	b.Detail = krSpark(k, cis, weeks) + " · " + b.Detail
	return b
}

// chart is the adoption report's weekly check-in rate, everyone's and the
// lowest teams', from the counts the report already holds.
func (r *adoptionReport) chart(title string) (chat.Image, bool) {
	a := chart.Adoption{Title: chat.PlainText(title)}
	for i := range r.weeks {
		a.Weeks = append(a.Weeks, r.cycle.Start.AddDate(0, 0, 7*i))
	}
	alt := chart.Adoption{Title: title, Weeks: a.Weeks}
	for _, s := range r.teams {
		tw := chart.TeamWeeks{Name: s.name, Answered: s.checked, Asked: make([]int, len(s.checked))}
		for i := range tw.Asked {
			tw.Asked[i] = s.withKRs - s.away[i] // the week's away in neither count, as its rate says
		}
		a.Teams = append(a.Teams, tw)
		tw.Name = chat.User(s.name)
		alt.Teams = append(alt.Teams, tw)
	}
	return image(a.PNG, alt.Alt(), a.Title)
}

// krBars are key results' bars, each with its sparkline over c and its
// forecast's phrase, from one read of each one's check-ins since c began;
// hist, when not nil, keeps them for a chart or a forecast.
func krBars(tx okrcore.Tx, ws string, c *okrcore.Cycle, now time.Time, n *Reading, krs []*okrcore.KeyResult, indent int, hist map[okrcore.ID][]*okrcore.CheckIn) ([]chat.Block, error) {
	weeks := chartWeeks(c, now)
	out := make([]chat.Block, 0, len(krs))
	for _, k := range krs {
		cis, err := History(tx, ws, okrcore.TargetKR, k.ID, c.Start, 0)
		if err != nil {
			return nil, err
		}
		if hist != nil {
			hist[k.ID] = cis
		}
		out = append(out, pace.OnBar(sparkBar(KRBar(k, n, indent), k, cis, weeks), pace.Short(k, forecast.ForKR(k, c, cis, now))))
	}
	return out, nil
}

// mineChart is a person's own chart: each of their key results' weekly
// progress against the expected line, those needing attention first. It
// is drawn only where it is shown (App Home, a Teams card): the bars'
// sparklines say it in words already.
func mineChart(c *okrcore.Cycle, now time.Time, n *Reading, krs []*okrcore.KeyResult, hist map[okrcore.ID][]*okrcore.CheckIn) (chat.Image, bool) {
	weeks := chartWeeks(c, now)
	b := chart.Burnup{Team: "Your key results", Of: "key result", Start: c.Start, End: c.End, Now: now}
	alt := b
	for _, attention := range []bool{true, false} {
		for _, k := range krs {
			if needsAttention(n.KR(k).Status) != attention || len(b.Objectives) == maxChartLines {
				continue
			}
			co := chart.Objective{Title: k.Ref().String() + " " + k.Title, AtRisk: attention}
			for _, t := range weeks {
				co.History = append(co.History, chart.Point{At: t, Value: progressAt(k, hist[k.ID], t)})
			}
			b.Objectives = append(b.Objectives, co)
			co.Title = k.Ref().String() + " " + chat.User(k.Title)
			alt.Objectives = append(alt.Objectives, co)
		}
	}
	if len(b.Objectives) == 0 {
		return chat.Image{}, false
	}
	return chat.Image{Draw: b.PNG, Alt: alt.Alt(), Title: "Your key results", InWords: true}, true
}
