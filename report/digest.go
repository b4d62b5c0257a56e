package report

// Digests: a team's week in one message for its channel (or its lead's DM),
// a roll-up of a team's whole subtree for its lead, and `/okr digest` on
// demand.
//
// Change since the last digest. A digest is composed in a read
// transaction, so it cannot keep snapshots of its own; it reads the change
// from check-in history instead. Every check-in stores the value before it
// (Previous) and check-ins are append-only, so the value a key result had
// when the last digest went out is the Previous of its oldest check-in
// after that moment, and a key result with no check-in since (its
// LastCheckIn is older, so not even its history is read) has not moved.
// The last digest went out one digest cadence before this one (a week for
// the weekly rhythm, so Friday 16:00 to Friday 16:00 leaves no gap over
// the weekend); `/okr digest` looks back the same span from now.
//
// An objective's progress is a weighted mean of its key results and the
// objectives aligned beneath it, so its change is the same mean of their
// changes: the digest recomputes it with every key result at its earlier
// value and every aligned objective at its earlier progress, found the same
// way, recursively. An objective not updated since the last digest
// (UpdatedAt, which every roll-up moves) has not changed, which prunes the
// walk to what moved; a bounded number of objectives outside the team is
// visited (digestVisitBudget) and the change is marked approximate beyond
// it. Edits of a target or start are not check-ins and are not counted as
// change.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/okrbot/okrbot/chart"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/okrcore/forecast"
	"github.com/okrbot/okrbot/report/cycleview"
	"github.com/okrbot/okrbot/report/pace"
	"github.com/okrbot/okrbot/report/tally"
)

const (
	// maxDigestBlocks keeps every digest within the platforms' limits (Block
	// Kit allows 50 blocks a message), with room to spare.
	maxDigestBlocks = 45
	// maxDigestLines bounds the lines of one section (Block Kit allows 3,000
	// characters a section).
	maxDigestLines = 12
	// digestVisitBudget bounds how many objectives outside a digest's own
	// are read to compute how much its objectives changed.
	digestVisitBudget = 300
)

// teamLocation is a team's time zone, else its lead's, else UTC.
func teamLocation(tx okrcore.Tx, ws string, t *okrcore.Team) *time.Location {
	if t.TimeZone != "" {
		return chat.Location(t.TimeZone)
	}
	if t.Lead != 0 {
		if u, err := tx.User(ws, t.Lead); err == nil {
			return chat.Location(u.TimeZone)
		}
	}
	return time.UTC
}

// teamSchedule is the rhythm of a team: its own, else the workspace's.
func teamSchedule(w *okrcore.Workspace, t *okrcore.Team) okrcore.Schedule {
	if t != nil && t.Schedule != nil {
		return t.Schedule.OrDefault()
	}
	return w.Schedule.OrDefault()
}

// previousPeriod is when the digest before the one at now went out.
func previousPeriod(now time.Time, c okrcore.Cadence) time.Time {
	switch c {
	case okrcore.Biweekly:
		return now.AddDate(0, 0, -14)
	case okrcore.Monthly:
		return now.AddDate(0, -1, 0)
	}
	return now.AddDate(0, 0, -7)
}

// periodWord names a period key: "week 2026-W47" or "month 2026-11".
func periodWord(period string) string {
	if strings.Contains(period, "-W") {
		return "week " + period
	}
	return "month " + period
}

// thisPeriod says "this week" or "this month" for a period key.
func thisPeriod(period string) string {
	if strings.Contains(period, "-W") {
		return "this week"
	}
	return "this month"
}

// severity orders statuses worst first.
func severity(s okrcore.Status) int {
	switch s {
	case okrcore.StatusOffTrack:
		return 0
	case okrcore.StatusAtRisk:
		return 1
	}
	return 2
}

func needsAttention(s okrcore.Status) bool {
	return s == okrcore.StatusOffTrack || s == okrcore.StatusAtRisk
}

// changeText renders a change of progress in percentage points.
func changeText(d float64) string {
	pts := math.Round(d * 100)
	switch {
	case d == 0 || math.Abs(d) < 1e-9:
		return "no change"
	case pts == 0 && d > 0:
		return "▲ <1 pt"
	case pts == 0:
		return "▼ <1 pt"
	case pts > 0:
		return "▲ " + Count(int(pts), "pt")
	}
	return "▼ " + Count(int(-pts), "pt")
}

// rateText renders "3 of 4 (75%)".
func rateText(n, of int) string {
	if of == 0 {
		return "0 of 0"
	}
	return fmt.Sprintf("%d of %d (%s)", n, of, okrcore.Percent(float64(n)/float64(of)))
}

// nameList lists names, at most max of them.
func nameList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
}

// clip shortens a person's text for a digest line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// maxSectionRunes is Block Kit's limit on the text of a section.
const maxSectionRunes = 3000

// section is a section whose text is cut to the platforms' limit.
func section(text string) chat.Section {
	if utf8.RuneCountInString(text) > maxSectionRunes {
		r := []rune(text)
		text = string(r[:maxSectionRunes-1]) + "…"
	}
	return chat.Section{Text: text}
}

// sections splits lines into sections of at most maxDigestLines each,
// the first headed by title.
func sections(title string, lines []string) []chat.Block {
	var out []chat.Block
	for i := 0; i < len(lines); i += maxDigestLines {
		chunk := lines[i:min(len(lines), i+maxDigestLines)]
		text := strings.Join(chunk, "\n")
		if i == 0 && title != "" {
			text = title + "\n" + text
		}
		out = append(out, section(text))
	}
	return out
}

// changeCalc computes how far key results and objectives moved since a
// moment, from check-in history (see the top of this file).
type changeCalc struct {
	tx    okrcore.Tx
	ws    string
	since time.Time
	// blockersFrom, when set, collects the blockers of check-ins at or
	// after it on the key results of the digest's own objectives.
	blockersFrom time.Time
	// histFrom, when set, is how far back the history of the digest's own
	// key results is read and kept (hist) for its chart: the same read
	// as their change, reaching further.
	histFrom time.Time
	hist     map[okrcore.ID][]*okrcore.CheckIn
	own      map[okrcore.ID]bool // the digest's own objectives
	krsOf    map[okrcore.ID][]*okrcore.KeyResult
	base     map[okrcore.ID]float64 // key result value at since
	objDelta map[okrcore.ID]float64
	visiting map[okrcore.ID]bool
	budget   int
	partial  bool
	blockers []blocker
}

type blocker struct {
	ci *okrcore.CheckIn
	kr *okrcore.KeyResult
}

func newChangeCalc(tx okrcore.Tx, ws string, since time.Time) *changeCalc {
	return &changeCalc{tx: tx, ws: ws, since: since, own: map[okrcore.ID]bool{},
		krsOf: map[okrcore.ID][]*okrcore.KeyResult{}, base: map[okrcore.ID]float64{},
		objDelta: map[okrcore.ID]float64{}, visiting: map[okrcore.ID]bool{}, budget: digestVisitBudget,
		hist: map[okrcore.ID][]*okrcore.CheckIn{}}
}

func (c *changeCalc) keyResults(obj okrcore.ID) ([]*okrcore.KeyResult, error) {
	if krs, ok := c.krsOf[obj]; ok {
		return krs, nil
	}
	krs, err := c.tx.KeyResultsByObjective(c.ws, obj)
	if err != nil {
		return nil, err
	}
	c.krsOf[obj] = krs
	return krs, nil
}

// baseline is the value a key result had at since; blockers says whether
// to collect the blockers of its check-ins.
func (c *changeCalc) baseline(k *okrcore.KeyResult, blockers bool) (float64, error) {
	if v, ok := c.base[k.ID]; ok {
		return v, nil
	}
	from := c.since
	if blockers && !c.blockersFrom.IsZero() && c.blockersFrom.Before(from) {
		from = c.blockersFrom
	}
	if blockers && !c.histFrom.IsZero() && c.histFrom.Before(from) {
		from = c.histFrom
	}
	v := k.Current
	if !k.LastCheckIn.Before(from) {
		cis, err := c.tx.CheckIns(c.ws, okrcore.TargetKR, k.ID, from, 0)
		if err != nil {
			return 0, err
		}
		eff := okrcore.Effective(cis)
		if blockers {
			c.hist[k.ID] = eff
		}
		for _, ci := range eff { // newest first: the last one seen is the oldest
			if !ci.At.Before(c.since) {
				v = ci.Previous
			}
			if blockers && ci.Blockers != "" && !c.blockersFrom.IsZero() && !ci.At.Before(c.blockersFrom) {
				c.blockers = append(c.blockers, blocker{ci: ci, kr: k})
			}
		}
	}
	c.base[k.ID] = v
	return v, nil
}

// krDelta is how much a key result's progress moved since.
func (c *changeCalc) krDelta(k *okrcore.KeyResult) (float64, error) {
	b, err := c.baseline(k, false)
	if err != nil {
		return 0, err
	}
	if b == k.Current {
		return 0, nil
	}
	before := *k
	before.Current = b
	return okrcore.KRProgress(k) - okrcore.KRProgress(&before), nil
}

// objectiveDelta is how much an objective's progress moved since.
func (c *changeCalc) objectiveDelta(o *okrcore.Objective) (float64, error) {
	if d, ok := c.objDelta[o.ID]; ok {
		return d, nil
	}
	if c.visiting[o.ID] {
		return 0, nil // an alignment loop: old data; ignore the back edge
	}
	if o.UpdatedAt.Before(c.since) {
		c.objDelta[o.ID] = 0
		return 0, nil
	}
	if !c.own[o.ID] {
		if c.budget <= 0 {
			c.partial = true
			return 0, nil
		}
		c.budget--
	}
	c.visiting[o.ID] = true
	defer delete(c.visiting, o.ID)
	krs, err := c.keyResults(o.ID)
	if err != nil {
		return 0, err
	}
	kids, err := okrcore.AlignedUnder(c.tx, c.ws, o.ID, krs)
	if err != nil {
		return 0, err
	}
	krsBefore := make([]*okrcore.KeyResult, len(krs))
	for i, k := range krs {
		b, err := c.baseline(k, false)
		if err != nil {
			return 0, err
		}
		cp := *k
		cp.Current = b
		krsBefore[i] = &cp
	}
	kidsBefore := make([]*okrcore.Objective, len(kids))
	for i, kid := range kids {
		d, err := c.objectiveDelta(kid)
		if err != nil {
			return 0, err
		}
		cp := *kid
		cp.Progress = min(1, max(0, kid.Progress-d))
		kidsBefore[i] = &cp
	}
	d := okrcore.ObjectiveProgress(krs, kids) - okrcore.ObjectiveProgress(krsBefore, kidsBefore)
	if math.Abs(d) < 1e-12 {
		d = 0
	}
	c.objDelta[o.ID] = d
	return d, nil
}

// teamDigest is what a team digest says.
type teamDigest struct {
	team        *okrcore.Team
	cycle       *okrcore.Cycle   // the quarter: the chart's and the period's
	cycles      []*okrcore.Cycle // every open current cycle, the quarter first
	now         time.Time
	since       time.Time
	periodStart time.Time
	period      string
	loc         *time.Location
	objs        []*okrcore.Objective // the team's and its members' objectives
	calc        *changeCalc
	read        *Reading       // statuses as of now
	fc          pace.Forecasts // of the key results, from calc's history
	withKRs     []okrcore.ID   // members who have key results to check in on
	notChecked  []okrcore.ID   // of those, who has not checked in this period
	away        []okrcore.ID   // members with key results away this period, in neither
}

// newTeamDigest is team t's digest at now before it reads anything but
// its time zone. period may be empty (it is then the check-in period
// containing now).
func newTeamDigest(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, cs []*okrcore.Cycle, now time.Time, period string) *teamDigest {
	sched := teamSchedule(w, t)
	loc := teamLocation(tx, w.ID, t)
	d := &teamDigest{team: t, cycle: cs[0], cycles: cs, now: now, loc: loc, period: period,
		periodStart: okrcore.PeriodStart(sched.CheckIn.Cadence, now, loc),
		since:       previousPeriod(now, sched.Digest.Cadence)}
	if d.period == "" {
		d.period = okrcore.PeriodKey(sched.CheckIn.Cadence, now, loc)
	}
	d.calc = newChangeCalc(tx, w.ID, d.since)
	d.calc.histFrom = slices.MinFunc(cs, func(a, b *okrcore.Cycle) int { return a.Start.Compare(b.Start) }).Start
	return d
}

// readObjectives reads the digest's objectives of the cycles it covers:
// the team's, its people's and those its people own key results under.
// member, when not nil, is told each of its people and whether they own
// key results.
func (d *teamDigest) readObjectives(tx okrcore.Tx, ws string, member func(m okrcore.ID, has bool) error) error {
	seen := map[okrcore.ID]bool{}
	add := func(os ...*okrcore.Objective) {
		for _, o := range os {
			if !seen[o.ID] && d.cycleOf(o.Cycle) != nil {
				seen[o.ID] = true
				d.objs = append(d.objs, o)
			}
		}
	}
	teamObjs, err := cycleview.Objectives(tx, ws, okrcore.TeamOwner(d.team.ID), d.cycles)
	if err != nil {
		return err
	}
	add(teamObjs...)
	for _, m := range d.team.People() {
		owned, err := cycleview.Objectives(tx, ws, okrcore.UserOwner(m), d.cycles)
		if err != nil {
			return err
		}
		add(owned...)
		krs, err := cycleview.KeyResults(tx, ws, okrcore.UserOwner(m), d.cycles)
		if err != nil {
			return err
		}
		for _, k := range krs {
			if seen[k.Objective] {
				continue
			}
			o, err := tx.Objective(ws, k.Objective)
			if okrcore.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			add(o)
		}
		if member == nil {
			continue
		}
		has := len(krs) > 0
		for i := 0; !has && i < len(owned); i++ {
			ks, err := d.calc.keyResults(owned[i].ID)
			if err != nil {
				return err
			}
			has = len(ks) > 0
		}
		if err := member(m, has); err != nil {
			return err
		}
	}
	for _, o := range d.objs {
		d.calc.own[o.ID] = true
	}
	return nil
}

// buildTeamDigest reads what a team digest says at now (period as
// newTeamDigest's).
func buildTeamDigest(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, cs []*okrcore.Cycle, now time.Time, period string) (*teamDigest, error) {
	d := newTeamDigest(tx, w, t, cs, now, period)
	d.calc.blockersFrom = d.periodStart
	ws := w.ID
	book, err := away.Read(tx, ws)
	if err != nil {
		return nil, err
	}
	if err := d.readObjectives(tx, ws, func(m okrcore.ID, has bool) error {
		if !has {
			return nil
		}
		if u, err := tx.User(ws, m); err == nil && u.Left {
			return nil // who left is no longer asked to check in
		}
		if book.AwayFor(m, d.periodStart, now) {
			d.away = append(d.away, m)
			return nil
		}
		d.withKRs = append(d.withKRs, m)
		checked, err := tally.Since(tx, ws, m, d.periodStart)
		if !checked && err == nil {
			d.notChecked = append(d.notChecked, m)
		}
		return err
	}); err != nil {
		return nil, err
	}
	// Baselines (and blockers) of the team's own key results first, then
	// the objectives' changes, which may read further down.
	for _, o := range d.objs {
		krs, err := d.calc.keyResults(o.ID)
		if err != nil {
			return nil, err
		}
		for _, k := range krs {
			if _, err := d.calc.baseline(k, true); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range d.objs {
		if _, err := d.calc.objectiveDelta(o); err != nil {
			return nil, err
		}
	}
	// Statuses as of now, kept on this transaction's copies for sorting and
	// counting; the reading keeps what it read first.
	d.read, d.fc = NewReading(tx, ws, now), pace.Forecasts{}
	for _, o := range d.objs {
		d.read.Know(o.ID, d.calc.krsOf[o.ID])
		st := d.read.Objective(o).Status
		for _, k := range d.calc.krsOf[o.ID] {
			k.Status = d.read.KR(k).Status
			d.fc[k.ID] = forecast.ForKR(k, d.cycleOf(o.Cycle), d.calc.hist[k.ID], now)
		}
		o.Status = st
	}
	return d, nil
}

// cycleOf is the digest's cycle of that id, nil for one it does not cover.
func (d *teamDigest) cycleOf(id okrcore.ID) *okrcore.Cycle {
	for _, c := range d.cycles {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// keyResults lists the key results of the digest's objectives.
func (d *teamDigest) keyResults() []*okrcore.KeyResult {
	var out []*okrcore.KeyResult
	for _, o := range d.objs {
		out = append(out, d.calc.krsOf[o.ID]...)
	}
	return out
}

func (d *teamDigest) krLine(k *okrcore.KeyResult, n *Namer) chat.ProgressBar {
	b := sparkBar(KRBar(k, d.read, 0), k, d.calc.hist[k.ID], chartWeeks(d.cycleOf(k.Cycle), d.now))
	delta, _ := d.calc.krDelta(k) // baselines are cached: no error
	switch {
	case delta != 0:
		b.Detail += " · " + changeText(delta)
	case k.LastCheckIn.IsZero():
		b.Detail += " · never checked in"
	default:
		b.Detail += " · last check-in " + k.LastCheckIn.In(d.loc).Format("Jan 2")
	}
	return pace.OnBar(b, pace.OfOne(k, d.fc[k.ID]))
}

func (d *teamDigest) objLine(o *okrcore.Objective, n *Namer) chat.ProgressBar {
	b := ObjBar(o, d.read, 0)
	b.Detail += " · " + changeText(d.calc.objDelta[o.ID])
	return pace.OnBar(b, pace.ObjectiveShort(forecast.ForObjective(o, d.calc.krsOf[o.ID], d.fc)))
}

// message renders the digest within maxDigestBlocks.
func (d *teamDigest) message(n *Namer) chat.Message {
	t := d.team
	sinceText := d.since.In(d.loc).Format("Mon Jan 2")
	this := thisPeriod(d.period)
	title := fmt.Sprintf("Team %s · %s", chat.User(t.Name), periodWord(d.period))
	objs := d.bySeverity()
	attention, movers := d.attentionAndMovers()
	summary := d.summary(objs, sinceText, this)

	contexts := cycleview.Contexts(d.cycles, d.now)
	w := &digestWriter{blocks: append([]chat.Block{chat.Header{Text: title}, section(summary)}, contexts...)}
	fmt.Fprintf(&w.text, "%s: %s", title, strings.ReplaceAll(summary, "*", ""))

	// Blocks other than progress bars: header, summary, a context per
	// cycle (above), two section titles, the chart, blockers, highlights,
	// check-ins, who is away (if anyone), a note on what was left out,
	// actions; and the doubts, when there are.
	doubts := pace.Doubts(d.keyResults(), d.fc, d.read.KR, d.read.rulesOf(), n.User)
	room := maxDigestBlocks - 10 - len(contexts) - min(1, len(doubts)) - min(len(d.away), 1)
	showAtt := min(len(attention), 10, room)
	showObj := min(len(objs), room-showAtt)
	d.writeAttention(w, n, attention, showAtt)
	if len(doubts) > 0 {
		w.add(section("*Worth a second look*\n" + strings.Join(doubts, "\n")))
	}
	if len(objs) > 0 {
		w.add(chat.Section{Text: fmt.Sprintf("*Objectives* (change since %s)", sinceText)})
		for _, o := range objs[:showObj] {
			w.add(d.objLine(o, n))
		}
		if img, ok := d.burnup(objs); ok {
			w.add(img)
		}
	}
	d.writeBlockers(w, n, this)
	d.writeHighlights(w, n, movers, sinceText)
	d.writeCheckIns(w, n, this)
	if left := len(objs) - showObj + len(attention) - showAtt; left > 0 {
		more := fmt.Sprintf("%d more objectives and key results than fit", left)
		if left == 1 {
			more = "1 more objective or key result than fits"
		}
		w.add(chat.Context{Text: fmt.Sprintf("%s here: `/okr team %s` shows them all.", more, chat.User(t.Name))})
	}
	w.add(chat.Actions{Buttons: []chat.Button{
		{Label: "Team OKRs", Value: "team " + t.Name},
		{Label: "Alignment tree", Value: "tree " + t.Name},
	}})
	return chat.Message{Blocks: w.blocks, Text: w.text.String()}
}

// digestWriter gathers a digest's blocks and, alongside, its plain text
// for notifications and platforms that show no blocks.
type digestWriter struct {
	blocks []chat.Block
	text   strings.Builder
}

func (w *digestWriter) add(bs ...chat.Block) { w.blocks = append(w.blocks, bs...) }

// summary is the digest's opening line: how the objectives stand on
// average and moved since sinceText, and how many people checked in. The
// average is over objs in the order given, as the digest lists them.
func (d *teamDigest) summary(objs []*okrcore.Objective, sinceText, this string) string {
	var avg, avgDelta float64
	offObj, riskObj := 0, 0
	for _, o := range objs {
		avg += o.Progress
		avgDelta += d.calc.objDelta[o.ID]
		switch o.Status {
		case okrcore.StatusOffTrack:
			offObj++
		case okrcore.StatusAtRisk:
			riskObj++
		}
	}
	if len(objs) > 0 {
		avg /= float64(len(objs))
		avgDelta /= float64(len(objs))
	}
	// Past the visit budget the change is only approximate.
	approx := ""
	if d.calc.partial {
		approx = "≈"
	}
	var summary string
	if len(objs) == 0 {
		summary = fmt.Sprintf("No OKRs in %s yet.", cycleview.Names(d.cycles))
	} else {
		summary = fmt.Sprintf("*%s*, average progress *%s* (%s%s since %s) · *%d off track, %d at risk*",
			Count(len(objs), "objective"), okrcore.Percent(avg), approx, changeText(avgDelta), sinceText, offObj, riskObj)
	}
	if len(d.withKRs) > 0 {
		summary += " · " + fmt.Sprintf("*%d of %d* people with key results checked in %s", len(d.withKRs)-len(d.notChecked), len(d.withKRs), this)
	}
	return summary
}

// attentionAndMovers picks the key results that need attention, the worst
// and then the least advanced first, and those that moved up, the most
// first.
func (d *teamDigest) attentionAndMovers() (attention, movers []*okrcore.KeyResult) {
	for _, k := range d.keyResults() {
		if needsAttention(k.Status) {
			attention = append(attention, k)
		}
		if delta, _ := d.calc.krDelta(k); delta > 0 {
			movers = append(movers, k)
		}
	}
	sort.SliceStable(attention, func(i, j int) bool {
		a, b := attention[i], attention[j]
		if severity(a.Status) != severity(b.Status) {
			return severity(a.Status) < severity(b.Status)
		}
		return a.Progress < b.Progress
	})
	sort.SliceStable(movers, func(i, j int) bool {
		a, _ := d.calc.krDelta(movers[i])
		b, _ := d.calc.krDelta(movers[j])
		return a > b
	})
	return attention, movers
}

// writeAttention lists the first shown key results that need attention,
// under a title that counts them all.
func (d *teamDigest) writeAttention(w *digestWriter, n *Namer, attention []*okrcore.KeyResult, shown int) {
	if len(attention) == 0 {
		return
	}
	offKR := 0
	for _, k := range attention {
		if k.Status == okrcore.StatusOffTrack {
			offKR++
		}
	}
	w.add(chat.Section{Text: fmt.Sprintf("*Needs attention*: %s off track, %d at risk", Count(offKR, "key result"), len(attention)-offKR)})
	for _, k := range attention[:shown] {
		w.add(d.krLine(k, n))
	}
	w.text.WriteString("\nNeeds attention:")
	for _, k := range attention[:shown] {
		fmt.Fprintf(&w.text, " %s %s (%s);", k.Ref(), chat.User(k.Title), k.Status.Label())
	}
}

// writeBlockers lists the blockers raised this period, newest first; past
// eight it points to where the rest are.
func (d *teamDigest) writeBlockers(w *digestWriter, n *Namer, this string) {
	if len(d.calc.blockers) == 0 {
		return
	}
	bs := slices.Clone(d.calc.blockers)
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].ci.At.After(bs[j].ci.At) })
	var lines []string
	for i, b := range bs {
		if i == 8 {
			lines = append(lines, fmt.Sprintf("…and %d more: `/okr history KR…` shows each key result's check-ins.", len(bs)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("• %s on %s %s (%s): %s", n.User(b.ci.Author), b.kr.Ref(), chat.User(clip(b.kr.Title, 60)),
			b.ci.At.In(d.loc).Format("Mon Jan 2"), chat.User(clip(b.ci.Blockers, 150))))
	}
	w.add(section(fmt.Sprintf("*Blockers raised %s*\n", this) + strings.Join(lines, "\n")))
	fmt.Fprintf(&w.text, "\n%s raised %s.", Count(len(bs), "blocker"), this)
}

// writeHighlights names the three key results that moved up the most.
func (d *teamDigest) writeHighlights(w *digestWriter, n *Namer, movers []*okrcore.KeyResult, sinceText string) {
	if len(movers) == 0 {
		return
	}
	var lines []string
	for _, k := range movers[:min(3, len(movers))] {
		delta, _ := d.calc.krDelta(k)
		lines = append(lines, fmt.Sprintf("• %s %s %s (%s → %s) · %s", k.Ref(), chat.User(clip(k.Title, 60)), changeText(delta),
			chat.User(okrcore.FormatValue(d.calc.base[k.ID], k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit)), n.Owner(k.Owner)))
	}
	w.add(section(fmt.Sprintf("*Highlights*: the biggest movers since %s\n", sinceText) + strings.Join(lines, "\n")))
}

// writeCheckIns says who has not checked in this period, or that everyone
// has; a team where nobody has key results gets neither.
func (d *teamDigest) writeCheckIns(w *digestWriter, n *Namer, this string) {
	if len(d.away) > 0 {
		defer func() {
			w.add(chat.Context{Text: fmt.Sprintf("Away %s, so not counted: %s", this, nameList(userNames(n, d.away), 40))})
			fmt.Fprintf(&w.text, "\nAway: %s.", nameList(userNames(n, d.away), 40))
		}()
	}
	if len(d.withKRs) == 0 {
		return
	}
	if len(d.notChecked) == 0 {
		w.add(chat.Section{Text: fmt.Sprintf("Everyone with key results has checked in %s (%d of %d).", this, len(d.withKRs), len(d.withKRs))})
		return
	}
	names := userNames(n, d.notChecked)
	w.add(section(fmt.Sprintf("*Not checked in %s* (%d of %d): %s", this, len(d.notChecked), len(d.withKRs), nameList(names, 40))))
	fmt.Fprintf(&w.text, "\nNot checked in %s: %s.", this, nameList(names, 40))
}

func userNames(n *Namer, ids []okrcore.ID) []string {
	names := make([]string, len(ids))
	for i, u := range ids {
		names[i] = n.User(u)
	}
	return names
}

// composeDigest builds a team's digest for its channel, or for its lead's
// DM when it has no channel.
func (e *Reports) composeDigest(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	t, err := tx.Team(w.ID, it.Team)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team no longer exists"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	to, ok, err := e.teamTo(tx, w.ID, t)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team has no digest channel and its lead is gone"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if !ok {
		return chat.Delivery{Skip: "the team has no digest channel and no lead"}, nil
	}
	cs, now, skip, err := e.digestCycles(tx, w.ID, it)
	if err != nil || skip != "" {
		return chat.Delivery{To: to, Skip: skip}, err
	}
	d, err := buildTeamDigest(tx, w, t, cs, now, it.Period)
	if err != nil {
		return chat.Delivery{}, err
	}
	if len(d.objs) == 0 && len(d.withKRs) == 0 && len(d.away) == 0 {
		return chat.Delivery{To: to, Skip: "the team has no OKRs this cycle"}, nil
	}
	return chat.Delivery{To: to, Message: d.message(NewNamer(tx, w.ID))}, nil
}

// digestCycles are the cycles a digest reports on, the open current ones
// with the quarter first, and the time it reports at, its due time; skip
// says why there is nothing to report.
func (e *Reports) digestCycles(tx okrcore.Tx, ws string, it *okrcore.OutboxItem) (cs []*okrcore.Cycle, now time.Time, skip string, err error) {
	cs, err = okrcore.CurrentCycles(tx, ws)
	if cs = slices.DeleteFunc(cs, func(c *okrcore.Cycle) bool { return c.Closed }); okrcore.IsNotFound(err) {
		return nil, now, "no current cycle", nil
	} else if err != nil || len(cs) == 0 {
		return nil, now, "the cycle is closed", err
	}
	if now = it.DueAt; now.IsZero() {
		now = e.now()
	}
	return cs, now, "", nil
}

// bySeverity are the digest's objectives in its order: the quarter's
// first, as every list of OKRs reads, the worst first within each cycle.
func (d *teamDigest) bySeverity() []*okrcore.Objective {
	objs := slices.Clone(d.objs)
	rank := func(o *okrcore.Objective) int {
		return slices.IndexFunc(d.cycles, func(c *okrcore.Cycle) bool { return c.ID == o.Cycle })
	}
	sort.SliceStable(objs, func(i, j int) bool { return severity(objs[i].Status) < severity(objs[j].Status) })
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i]) < rank(objs[j]) })
	return objs
}

// TeamBurnup is the burn-up team t's digest over the current cycles cs
// draws as of r.Now (the same objectives of the quarter, weeks and values),
// for the web view to draw as SVG; it has no objectives when none of them
// has key results. It reads only what the chart draws: the check-ins of
// the objectives drawn (from the first current cycle's start, as the
// digest reads them: an imported check-in may be newer than its key
// result's LastCheckIn), nobody's check-ins or time away, no forecast. The
// page's reading r lends it the key results and statuses it read already
// (the same transaction, the same moment).
func TeamBurnup(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, cs []*okrcore.Cycle, r *Reading) (chart.Burnup, error) {
	d := newTeamDigest(tx, w, t, cs, r.Now, "")
	d.read, d.calc.krsOf = r, r.krsOf
	if err := d.readObjectives(tx, w.ID, nil); err != nil {
		return chart.Burnup{}, err
	}
	for _, o := range d.objs {
		krs, err := d.calc.keyResults(o.ID)
		if err != nil {
			return chart.Burnup{}, err
		}
		if len(krs) > 0 && o.Cycle == d.cycle.ID {
			o.Status = r.Objective(o).Status
		}
	}
	var objs []*okrcore.Objective // those burnupOf draws, their check-ins read
	for _, o := range d.bySeverity() {
		if len(d.calc.krsOf[o.ID]) == 0 || o.Cycle != d.cycle.ID || len(objs) == maxChartLines {
			continue
		}
		objs = append(objs, o)
		for _, k := range d.calc.krsOf[o.ID] {
			if _, err := d.calc.baseline(k, true); err != nil {
				return chart.Burnup{}, err
			}
		}
	}
	b, _ := d.burnupOf(objs)
	return b, nil
}

// TeamDigestMessage is team t's digest as of now over the current cycles
// cs (okrcore.CurrentCycles), as /okr digest shows it, with the link to
// the team's page a scheduled one has.
func (e *Reports) TeamDigestMessage(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, cs []*okrcore.Cycle, now time.Time) (chat.Message, error) {
	d, err := buildTeamDigest(tx, w, t, cs, now, "")
	if err != nil {
		return chat.Message{}, err
	}
	m := d.message(NewNamer(tx, w.ID))
	e.linkTeam(&m, t.ID)
	return m, nil
}
