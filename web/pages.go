package web

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
	"github.com/okrbot/okrbot/report"
	"github.com/okrbot/okrbot/report/pace"
	"github.com/okrbot/okrbot/report/tally"
)

// treeDepth is how deep the company tree goes before it links to the
// objective pages: the company's and the departments' objectives fit on
// one page of a 10,000-person organisation, every team's do not.
const treeDepth = 2

// item is an objective or a key result as a row of a page shows it.
type item struct {
	Ref, Title, URL string
	Owner, OwnerURL string
	Pct             int // progress in whole percent, for the bar
	Progress        string
	Status, Class   string // the status in words and its CSS class
	Detail          string
	Depth           int
	More            int // objectives aligned beneath that the page does not show
	Forecast        string
	Chart           *lineChart
}

type page struct {
	Title   string
	Cycle   string
	Viewer  string
	Admin   bool
	Teams   bool // framed in Teams: links stay in the frame
	Content any
}

func statusClass(s okrcore.Status) string {
	switch s {
	case okrcore.StatusOnTrack:
		return "on"
	case okrcore.StatusAtRisk:
		return "risk"
	case okrcore.StatusOffTrack:
		return "off"
	case okrcore.StatusDone:
		return "done"
	}
	return "none"
}

func idPath(kind string, id okrcore.ID) string {
	return "/okr/" + kind + "/" + strconv.FormatUint(uint64(id), 10)
}

func ownerURL(o okrcore.Owner) string {
	if o.Kind == okrcore.OwnerTeam {
		return idPath("team", o.ID)
	}
	return idPath("person", o.ID)
}

func pct(p float64) int { return int(min(1, max(0, p))*100 + 0.5) }

func objItem(o *okrcore.Objective, r *report.Reading, depth int) item {
	s := r.Objective(o)
	return item{Ref: o.Ref().String(), Title: o.Title, URL: idPath("objective", o.ID), Owner: chat.PlainText(r.Owner(o.Owner)), OwnerURL: ownerURL(o.Owner),
		Pct: pct(o.Progress), Progress: okrcore.Percent(o.Progress), Status: chat.PlainText(r.Label(s)), Class: statusClass(s.Status), Depth: depth}
}

func krItem(k *okrcore.KeyResult, r *report.Reading, depth int) item {
	s := r.KR(k)
	return item{Ref: k.Ref().String(), Title: k.Title, URL: idPath("kr", k.ID), Owner: chat.PlainText(r.Owner(k.Owner)), OwnerURL: ownerURL(k.Owner),
		Pct: pct(k.Progress), Progress: okrcore.Percent(k.Progress), Status: chat.PlainText(r.Label(s)), Class: statusClass(s.Status), Detail: chat.PlainText(report.KRDetail(k)), Depth: depth}
}

// errGone is a record that is not there, or not of the session's workspace.
var errGone = errors.New("web: no such record")

func found(err error) error {
	if okrcore.IsNotFound(err) {
		return errGone
	}
	return err
}

// aligned lists the objectives aligned under o or under one of krs.
func aligned(tx okrcore.Tx, ws string, o *okrcore.Objective, krs []*okrcore.KeyResult) ([]*okrcore.Objective, error) {
	out, err := tx.ObjectivesAlignedTo(ws, o.Ref())
	if err != nil {
		return nil, err
	}
	for _, k := range krs {
		kids, err := tx.ObjectivesAlignedTo(ws, k.Ref())
		if err != nil {
			return nil, err
		}
		out = append(out, kids...)
	}
	return out, nil
}

type treePage struct{ Rows []item }

// readTree is the company tree: the objectives aligned to nothing and what
// is aligned beneath them, treeDepth levels deep, through the indexes.
func readTree(tx okrcore.Tx, ws string, c *okrcore.Cycle, r *report.Reading) (treePage, error) {
	var tp treePage
	objs, err := report.RootObjectives(tx, ws, c.ID)
	if err != nil {
		return tp, err
	}
	seen := map[okrcore.ID]bool{}
	var walk func(o *okrcore.Objective, depth int) error
	walk = func(o *okrcore.Objective, depth int) error {
		if seen[o.ID] {
			return nil
		}
		seen[o.ID] = true
		krs, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil {
			return err
		}
		r.Know(o.ID, krs)
		kids, err := aligned(tx, ws, o, krs)
		if err != nil {
			return err
		}
		it := objItem(o, r, depth)
		if depth+1 >= treeDepth {
			it.More = len(kids)
		}
		tp.Rows = append(tp.Rows, it)
		if depth+1 >= treeDepth {
			return nil
		}
		for _, k := range kids {
			if err := walk(k, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, o := range objs {
		if err := walk(o, 0); err != nil {
			return tp, err
		}
	}
	return tp, nil
}

type person struct{ Name, URL string }

type teamPage struct {
	Name       string
	Lead       person
	Parent     *person
	Members    []person
	Objectives []item
	Rate       string
	Chart      *barChart
}

// checkinWeeks is how many of a cycle's weeks the rate chart shows at most.
const checkinWeeks = 26

// readTeam is a team's page: its objectives and their key results, its
// people, and the share of them who checked in each week of the cycle.
func readTeam(tx okrcore.Tx, ws string, c *okrcore.Cycle, r *report.Reading, id okrcore.ID) (teamPage, error) {
	var tp teamPage
	t, err := tx.Team(ws, id)
	if err != nil || t.Workspace != ws {
		return tp, found(err)
	}
	tp.Name = t.Name
	if t.Lead != 0 {
		tp.Lead = person{chat.PlainText(r.User(t.Lead)), idPath("person", t.Lead)}
	}
	if t.Parent != 0 {
		tp.Parent = &person{chat.PlainText(r.Team(t.Parent)), idPath("team", t.Parent)}
	}
	people := teamPeople(t)
	for _, m := range people {
		tp.Members = append(tp.Members, person{chat.PlainText(r.User(m)), idPath("person", m)})
	}
	objs, err := report.TeamObjectives(tx, ws, t, c.ID)
	if err != nil {
		return tp, err
	}
	for _, o := range objs {
		krs, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil {
			return tp, err
		}
		r.Know(o.ID, krs)
		tp.Objectives = append(tp.Objectives, objItem(o, r, 0))
		for _, k := range krs {
			tp.Objectives = append(tp.Objectives, krItem(k, r, 1))
		}
	}
	weeks, err := checkinRates(tx, ws, c, people, r.Now)
	if err != nil {
		return tp, err
	}
	if len(weeks) > 0 {
		last := weeks[len(weeks)-1]
		tp.Rate = last.RateText + " checked in this week (" + strconv.Itoa(last.In) + " of " + strconv.Itoa(last.Of) + ")"
	}
	tp.Chart = rateChart(t.Name, weeks)
	return tp, nil
}

// teamPeople is the lead and the members, each once.
func teamPeople(t *okrcore.Team) []okrcore.ID {
	var out []okrcore.ID
	if t.Lead != 0 {
		out = append(out, t.Lead)
	}
	for _, m := range t.Members {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// checkinRates counts, for each week from the cycle's start (Monday-based
// weeks in UTC) to now, how many of people wrote a check-in in it that
// counts: one an undo took back, and the undo, count for nobody, as in
// the adoption report, so both read the check-in tally (report/tally).
func checkinRates(tx okrcore.Tx, ws string, c *okrcore.Cycle, people []okrcore.ID, now time.Time) ([]weekRate, error) {
	if len(people) == 0 || now.Before(c.Start) {
		return nil, nil
	}
	start := c.Start.UTC().Truncate(24 * time.Hour)
	start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7))
	end := now
	if c.End.Before(end) {
		end = c.End
	}
	n := int(end.Sub(start)/(7*24*time.Hour)) + 1
	first := max(0, n-checkinWeeks)
	tr := tally.NewPersonReader(tx, ws, start.AddDate(0, 0, 7*first), end)
	out := make([]weekRate, 0, n-first)
	for w := first; w < n; w++ {
		from, to := start.AddDate(0, 0, 7*w), start.AddDate(0, 0, 7*(w+1))
		if w == n-1 {
			to = end.Add(time.Nanosecond)
		}
		in := 0
		for _, p := range people {
			ok, err := tr.CheckedInBetween(p, from, to)
			if err != nil {
				return nil, err
			}
			if ok {
				in++
			}
		}
		rate := float64(in) / float64(len(people))
		out = append(out, weekRate{Start: from, In: in, Of: len(people), Rate: rate, RateText: okrcore.Percent(rate)})
	}
	return out, nil
}

type personPage struct {
	Name  string
	Role  string
	Teams []person
	OKRs  []item
}

// readPerson is a person's page: their teams and their OKRs of the cycle,
// each key result with its history chart.
func readPerson(tx okrcore.Tx, ws string, c *okrcore.Cycle, r *report.Reading, id okrcore.ID) (personPage, error) {
	var pp personPage
	u, err := tx.User(ws, id)
	if err != nil || u.Workspace != ws {
		return pp, found(err)
	}
	pp.Name, pp.Role = u.Name, string(u.Role)
	teams, err := tx.TeamsOfUser(ws, id)
	if err != nil {
		return pp, err
	}
	for _, t := range teams {
		pp.Teams = append(pp.Teams, person{t.Name, idPath("team", t.ID)})
	}
	objs, krsOf, err := report.OwnedOKRs(tx, ws, id, c.ID)
	if err != nil {
		return pp, err
	}
	for _, o := range objs {
		pp.OKRs = append(pp.OKRs, objItem(o, r, 0))
		at, fc := len(pp.OKRs)-1, pace.Forecasts{}
		for _, k := range krsOf[o.ID] {
			it := krItem(k, r, 1)
			hist, err := report.History(tx, ws, okrcore.TargetKR, k.ID, time.Time{}, 0)
			if err != nil {
				return pp, err
			}
			it.Chart = krChart(it.Ref, k, c, hist, r.Now)
			fc[k.ID] = forecast.ForKR(k, c, hist, r.Now)
			it.Forecast = chat.PlainText(pace.Short(k, fc[k.ID]))
			pp.OKRs = append(pp.OKRs, it)
		}
		if o.Owner == okrcore.UserOwner(id) { // all of its key results are here
			pp.OKRs[at].Forecast = chat.PlainText(pace.ObjectiveShort(forecast.ForObjective(o, krsOf[o.ID], fc)))
		}
	}
	return pp, nil
}

type objectivePage struct {
	Objective item
	Parent    *item
	KRs       []item
	Aligned   []item
}

func readObjective(tx okrcore.Tx, ws string, r *report.Reading, id okrcore.ID) (objectivePage, error) {
	var op objectivePage
	o, err := tx.Objective(ws, id)
	if err != nil || o.Workspace != ws {
		return op, found(err)
	}
	krs, err := tx.KeyResultsByObjective(ws, o.ID)
	if err != nil {
		return op, err
	}
	r.Know(o.ID, krs)
	op.Objective = objItem(o, r, 0)
	switch {
	case o.ParentObjective != 0:
		if p, err := tx.Objective(ws, o.ParentObjective); err == nil {
			it := objItem(p, r, 0)
			op.Parent = &it
		}
	case o.ParentKR != 0:
		if p, err := tx.KeyResult(ws, o.ParentKR); err == nil {
			it := krItem(p, r, 0)
			op.Parent = &it
		}
	}
	c, _ := tx.Cycle(ws, o.Cycle) // gone: no forecast
	fc, err := pace.Read(tx, ws, c, krs, r.Now)
	if err != nil {
		return op, err
	}
	for _, k := range krs {
		it := krItem(k, r, 0)
		it.Forecast = chat.PlainText(pace.Short(k, fc[k.ID]))
		op.KRs = append(op.KRs, it)
	}
	if c != nil {
		op.Objective.Forecast = chat.PlainText(pace.ObjectiveSentence(forecast.ForObjective(o, krs, fc)))
	}
	kids, err := aligned(tx, ws, o, krs)
	if err != nil {
		return op, err
	}
	for _, k := range kids {
		op.Aligned = append(op.Aligned, objItem(k, r, 0))
	}
	return op, nil
}

type checkinRow struct {
	At, Value, Author, AuthorURL, Status, Note, Blockers string
}

type krPage struct {
	KR        item
	Objective item
	CheckIns  []checkinRow
}

func readKR(tx okrcore.Tx, ws string, r *report.Reading, id okrcore.ID) (krPage, error) {
	var kp krPage
	k, err := tx.KeyResult(ws, id)
	if err != nil || k.Workspace != ws {
		return kp, found(err)
	}
	kp.KR = krItem(k, r, 0)
	if o, err := tx.Objective(ws, k.Objective); err == nil {
		kp.Objective = objItem(o, r, 0)
	}
	hist, err := report.History(tx, ws, okrcore.TargetKR, k.ID, time.Time{}, 0)
	if err != nil {
		return kp, err
	}
	c, _ := tx.Cycle(ws, k.Cycle)
	kp.KR.Chart = krChart(kp.KR.Ref, k, c, hist, r.Now)
	kp.KR.Forecast = chat.PlainText(pace.Sentence(k, forecast.ForKR(k, c, hist, r.Now)))
	for _, ci := range hist {
		at := *k
		at.Current = ci.Value
		row := checkinRow{At: ci.At.UTC().Format("Mon 2 Jan 2006 15:04 UTC"), Value: chat.PlainText(report.KRDetail(&at)), Author: chat.PlainText(r.User(ci.Author)),
			AuthorURL: idPath("person", ci.Author), Note: ci.Note, Blockers: ci.Blockers}
		if ci.Status != okrcore.StatusNone {
			row.Status = ci.Status.Label()
		}
		kp.CheckIns = append(kp.CheckIns, row)
	}
	return kp, nil
}
