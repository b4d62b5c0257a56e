package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
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
	words   wordpass.Pass // the workspace's words, which the page is in
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

// cycleRows is one current cycle's section of a page: its name, where it
// stands, and its rows.
type cycleRows struct {
	Name, Line string
	Rows       []item
}

// cycleSections are a page's sections, one per current cycle in the order
// of okrcore.CurrentCycles (the quarter first), each filled by rows.
func cycleSections(cs []*okrcore.Cycle, now time.Time, rows func(c *okrcore.Cycle) ([]item, error)) ([]cycleRows, error) {
	out := make([]cycleRows, 0, len(cs))
	for _, c := range cs {
		rs, err := rows(c)
		if err != nil {
			return nil, err
		}
		out = append(out, cycleRows{Name: c.Name, Line: chat.PlainText(report.CycleLine(c, now)), Rows: rs})
	}
	return out, nil
}

// cycleNames names the current cycles for a page's top line.
func cycleNames(cs []*okrcore.Cycle) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, " and ")
}

type treePage struct{ Cycles []cycleRows }

// readTree is the company tree: each current cycle's objectives aligned to
// nothing and what is aligned beneath them, treeDepth levels deep, through
// the indexes. A quarter's objective aligned under the year's is shown
// beneath it, once.
func readTree(tx okrcore.Tx, ws string, cs []*okrcore.Cycle, r *report.Reading) (treePage, error) {
	var tp treePage
	seen := map[okrcore.ID]bool{}
	var rows []item
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
		rows = append(rows, it)
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
	var err error
	tp.Cycles, err = cycleSections(cs, r.Now, func(c *okrcore.Cycle) ([]item, error) {
		objs, err := report.RootObjectives(tx, ws, c.ID)
		if err != nil {
			return nil, err
		}
		rows = nil
		for _, o := range objs {
			if err := walk(o, 0); err != nil {
				return nil, err
			}
		}
		return rows, nil
	})
	return tp, err
}

type person struct {
	Name, URL string
	Away      string // "away until the end of …", on a team's page
}

type teamPage struct {
	Name    string
	Lead    person
	Parent  *person
	Members []person
	Cycles  []cycleRows // the objectives and key results of each current cycle
	Rate    string
	Chart   *barChart
	Burnup  *burnChart // the digest's chart of the quarter's objectives
}

// checkinWeeks is how many of a cycle's weeks the rate chart shows at most.
const checkinWeeks = 26

// readTeam is a team's page: its objectives and their key results, its
// people, and the share of them who checked in each week of the cycle.
func readTeam(tx okrcore.Tx, ws string, cs []*okrcore.Cycle, r *report.Reading, id okrcore.ID) (teamPage, error) {
	var tp teamPage
	t, err := tx.Team(ws, id)
	if err != nil || t.Workspace != ws {
		return tp, found(err)
	}
	tp.Name = t.Name
	if t.Lead != 0 {
		tp.Lead = person{Name: chat.PlainText(r.User(t.Lead)), URL: idPath("person", t.Lead)}
	}
	if t.Parent != 0 {
		tp.Parent = &person{Name: chat.PlainText(r.Team(t.Parent)), URL: idPath("team", t.Parent)}
	}
	ids := t.People()
	people, err := teamUsers(tx, ws, ids)
	if err != nil {
		return tp, err
	}
	book, err := away.ReadPeople(tx, ws, ids)
	if err != nil {
		return tp, err
	}
	for _, u := range people {
		tp.Members = append(tp.Members, person{Name: chat.PlainText(r.User(u.ID)), URL: idPath("person", u.ID), Away: awayNote(book, u, r.Now)})
	}
	if tp.Cycles, err = cycleSections(cs, r.Now, func(c *okrcore.Cycle) ([]item, error) {
		objs, err := report.TeamObjectives(tx, ws, t, c.ID)
		if err != nil {
			return nil, err
		}
		var rows []item
		for _, o := range objs {
			krs, err := tx.KeyResultsByObjective(ws, o.ID)
			if err != nil {
				return nil, err
			}
			r.Know(o.ID, krs)
			rows = append(rows, objItem(o, r, 0))
			for _, k := range krs {
				rows = append(rows, krItem(k, r, 1))
			}
		}
		return rows, nil
	}); err != nil {
		return tp, err
	}
	// The check-in rate runs over the quarter, the rhythm people check in to.
	weeks, err := checkinRates(tx, ws, cs[0], people, book, r.Now)
	if err != nil {
		return tp, err
	}
	if len(weeks) > 0 {
		tp.Rate = rateLine(weeks[len(weeks)-1])
	}
	w, err := tx.Workspace(ws)
	if err != nil {
		return tp, err
	}
	tp.Chart = rateChart(t.Name, weeks, wordpass.ForWorkspace(w))
	b, err := report.TeamBurnup(tx, w, t, cs, r)
	if err != nil {
		return tp, err
	}
	tp.Burnup = burnupChart(b, wordpass.ForWorkspace(w))
	return tp, nil
}

// checkinRates counts, for each week from the cycle's first to now, how
// many of people wrote a check-in in it that counts (one an undo took
// back, and the undo, count for nobody), from the check-in tally
// (report/tally), of which only their spans are read. A week is each person's own Monday to Sunday
// (tally.Clock), as the adoption report and the manager digest count it,
// labelled by its Monday; someone away for it (okrcore/away) is in neither
// count but counted as away, as the digests leave them out.
func checkinRates(tx okrcore.Tx, ws string, c *okrcore.Cycle, people []*okrcore.User, book *away.Book, now time.Time) ([]weekRate, error) {
	if len(people) == 0 || now.Before(c.Start) {
		return nil, nil
	}
	end := now
	if !end.Before(c.End) {
		end = c.End.Add(-time.Nanosecond)
	}
	utc := tally.NewClock(c, time.UTC)
	n := utc.Week(end) + 1
	first := max(0, n-checkinWeeks)
	out := make([]weekRate, n-first)
	for i := range out {
		out[i].Start, _ = utc.Bounds(first + i)
	}
	// A day before the first week's Monday in UTC: the week of someone
	// east of UTC begins earlier.
	ids := make([]okrcore.ID, len(people))
	for i, u := range people {
		ids[i] = u.ID
	}
	tr := tally.NewTeamReader(tx, ws, out[0].Start.AddDate(0, 0, -1), end, ids)
	clocks := map[string]tally.Clock{}
	for _, u := range people {
		clk, ok := clocks[u.TimeZone]
		if !ok {
			clk = tally.NewClock(c, chat.Location(u.TimeZone))
			clocks[u.TimeZone] = clk
		}
		in, err := tr.Weeks(u.ID, clk, n, end, func(i int, from, to time.Time) bool {
			if i < first {
				return true // not shown: not read
			}
			if book.AwayFor(u.ID, from, to) {
				out[i-first].Away++
				return true
			}
			return false
		})
		if err != nil {
			return nil, err
		}
		for i := first; i < n; i++ {
			if in[i] {
				out[i-first].In++
			}
		}
	}
	for i := range out {
		w := &out[i]
		w.Of = len(people) - w.Away
		if w.Of == 0 {
			w.RateText = "everyone away"
			continue
		}
		w.Rate = float64(w.In) / float64(w.Of)
		w.RateText = okrcore.Percent(w.Rate)
	}
	return out, nil
}

// teamUsers are the people of a team as stored, for their time zones; one
// no longer stored counts in UTC.
func teamUsers(tx okrcore.Tx, ws string, ids []okrcore.ID) ([]*okrcore.User, error) {
	out := make([]*okrcore.User, 0, len(ids))
	for _, id := range ids {
		u, err := tx.User(ws, id)
		if okrcore.IsNotFound(err) {
			u, err = &okrcore.User{ID: id}, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// rateLine is what the team page says of this week's check-ins.
func rateLine(w weekRate) string {
	if w.Of == 0 {
		return "Everyone on the team is away this week, so nobody was asked to check in."
	}
	s := w.RateText + " checked in this week (" + strconv.Itoa(w.In) + " of " + strconv.Itoa(w.Of)
	if w.Away > 0 {
		s += "; " + strconv.Itoa(w.Away) + " away, not counted"
	}
	return s + ")"
}

// awayNote is "away until the end of Fri, Dec 4" for a person away now.
func awayNote(book *away.Book, u *okrcore.User, now time.Time) string {
	p, ok := book.AwayAt(u.ID, now)
	if !ok {
		return ""
	}
	return "away until the end of " + away.Span{Until: p.Until}.LastDay(chat.Location(u.TimeZone)).Format("Mon, Jan 2")
}

type personPage struct {
	Name   string
	Role   string
	Teams  []person
	Cycles []cycleRows
}

// readPerson is a person's page: their teams and their OKRs of the cycle,
// each key result with its history chart.
func readPerson(tx okrcore.Tx, ws string, cs []*okrcore.Cycle, r *report.Reading, id okrcore.ID) (personPage, error) {
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
		pp.Teams = append(pp.Teams, person{Name: t.Name, URL: idPath("team", t.ID)})
	}
	pp.Cycles, err = cycleSections(cs, r.Now, func(c *okrcore.Cycle) ([]item, error) { return personRows(tx, ws, c, r, id) })
	return pp, err
}

// personRows are a person's OKRs of cycle c, each key result with its
// history chart and its forecast over c.
func personRows(tx okrcore.Tx, ws string, c *okrcore.Cycle, r *report.Reading, id okrcore.ID) ([]item, error) {
	objs, krsOf, err := report.OwnedOKRs(tx, ws, id, c.ID)
	if err != nil {
		return nil, err
	}
	words := passOf(tx, ws)
	var rows []item
	for _, o := range objs {
		rows = append(rows, objItem(o, r, 0))
		at, fc := len(rows)-1, pace.Forecasts{}
		for _, k := range krsOf[o.ID] {
			it := krItem(k, r, 1)
			hist, err := report.History(tx, ws, okrcore.TargetKR, k.ID, time.Time{}, 0)
			if err != nil {
				return nil, err
			}
			it.Chart = krChart(it.Ref, k, c, hist, r.Now, words)
			fc[k.ID] = forecast.ForKR(k, c, hist, r.Now)
			it.Forecast = chat.PlainText(pace.Short(k, fc[k.ID]))
			rows = append(rows, it)
		}
		if o.Owner == okrcore.UserOwner(id) { // all of its key results are here
			rows[at].Forecast = chat.PlainText(pace.ObjectiveShort(forecast.ForObjective(o, krsOf[o.ID], fc)))
		}
	}
	return rows, nil
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
		// Page data is not the templates' text that parsePages rewords:
		// a forecast says "key results" and "check-ins" itself.
		op.Objective.Forecast = chat.PlainText(passOf(tx, ws).Text(pace.ObjectiveSentence(forecast.ForObjective(o, krs, fc))))
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
	words := passOf(tx, ws)
	kp.KR.Chart = krChart(kp.KR.Ref, k, c, hist, r.Now, words)
	kp.KR.Forecast = chat.PlainText(words.Text(pace.Sentence(k, forecast.ForKR(k, c, hist, r.Now))))
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
