package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/report/cycleview"
	"github.com/okrbot/okrbot/report/ladder"
	"github.com/okrbot/okrbot/report/tally"
)

// The manager digest: the teams under a lead, rolled up.

// personStats is what the roll-up needs to know about one person.
type personStats struct {
	objs      []*okrcore.Objective
	krs       []*okrcore.KeyResult
	hasKRs    bool // asked this period: has key results, has not left, is not away
	weekly    bool // has key results and has not left: the chart asks them each week they are not away
	checked   bool
	seenWorst bool   // its key results considered (consider)
	tz        string // their time zone, which their weeks are in
}

// rollup sums up one child team and every team beneath it.
type rollup struct {
	team     *okrcore.Team
	teams    int
	people   map[okrcore.ID]bool
	objs     map[okrcore.ID]*okrcore.Objective
	withKRs  int
	checked  int
	offTrack int
	atRisk   int
	progress float64
}

func (r *rollup) rate() float64 {
	if r.withKRs == 0 {
		return 1 // nobody to check in: nothing to chase
	}
	return float64(r.checked) / float64(r.withKRs)
}

// managerDigest reads the roll-up of a team's subtree.
type managerDigest struct {
	tx          okrcore.Tx
	ws          string
	cycle       *okrcore.Cycle   // the quarter: the chart's weeks
	cycles      []*okrcore.Cycle // every open current cycle, the quarter first
	now         time.Time
	read        *Reading // statuses as of the digest
	periodStart time.Time
	people      map[okrcore.ID]*personStats
	teams       map[okrcore.ID]*personStats // a team's own OKRs, read once for its row and the total
	worst       map[okrcore.ID]*okrcore.KeyResult
	worstTeam   map[okrcore.ID]string // key result → child team it was found under
	tally       *tally.Reader         // who checked in (report/tally)
	away        *away.Reader          // who is away (okrcore/away)
}

// Silent lists who has key results in team t or beneath it and has not
// checked in this period as of now, but those away and those who muted
// reminders: whom the manager digest names and "Nudge them" reminds.
func Silent(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, now time.Time) ([]okrcore.ID, error) {
	return ladder.Silent(tx, w, t, now, teamPeriodStart(tx, w))
}

func (e *Reports) composeEscalation(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	return ladder.ComposeThread(tx, w, it, e.now(), teamPeriodStart(tx, w), thisPeriod(it.Period), NewNamer(tx, w.ID).User)
}

// teamPeriodStart is when a team's check-in period holding a moment began,
// by its rhythm and in its time zone.
func teamPeriodStart(tx okrcore.Tx, w *okrcore.Workspace) func(*okrcore.Team, time.Time) time.Time {
	return func(t *okrcore.Team, now time.Time) time.Time {
		return okrcore.PeriodStart(teamSchedule(w, t).CheckIn.Cadence, now, teamLocation(tx, w.ID, t))
	}
}

func (md *managerDigest) person(id okrcore.ID) (*personStats, error) {
	if p, ok := md.people[id]; ok {
		return p, nil
	}
	p, err := md.owned(okrcore.UserOwner(id))
	if err != nil {
		return nil, err
	}
	p.hasKRs = len(p.krs) > 0
	for _, o := range p.objs {
		// The reading holds each one's key results since its status.
		p.hasKRs = p.hasKRs || len(md.read.krsOf[o.ID]) > 0
	}
	if u, err := md.tx.User(md.ws, id); err == nil {
		// One who left: their OKRs still count; they are no longer asked.
		p.hasKRs, p.tz = p.hasKRs && !u.Left, u.TimeZone
	}
	p.weekly = p.hasKRs
	if away, err := md.away.AwayFor(id, md.periodStart, md.now); err != nil {
		return nil, err
	} else if away {
		p.hasKRs = false // away this period: neither asked nor counted
	}
	if p.hasKRs {
		if p.checked, err = md.tally.CheckedInSince(id, md.periodStart); err != nil {
			return nil, err
		}
	}
	md.people[id] = p
	return p, nil
}

// keyResultCounter counts an objective's key results from a store's index
// (storage/bolt's and storage/postgres's), without reading them.
type keyResultCounter interface {
	KeyResultCount(ws string, objective okrcore.ID) (int, error)
}

// knowOwnKRs tells the reading the key results of each of an owner's
// objectives whose key results are all the owner's own (most are), read
// already, so that its status does not decode them a second time.
func (md *managerDigest) knowOwnKRs(objs []*okrcore.Objective, krs []*okrcore.KeyResult) error {
	kc, ok := md.tx.(keyResultCounter)
	if !ok {
		return nil
	}
	byObj := map[okrcore.ID][]*okrcore.KeyResult{}
	for _, k := range krs {
		byObj[k.Objective] = append(byObj[k.Objective], k)
	}
	for _, o := range objs {
		if len(byObj[o.ID]) == 0 {
			continue
		}
		n, err := kc.KeyResultCount(md.ws, o.ID)
		if err != nil {
			return err
		}
		if n == len(byObj[o.ID]) {
			md.read.Know(o.ID, byObj[o.ID])
		}
	}
	return nil
}

// add counts one team (not its children) into r.
func (md *managerDigest) add(r *rollup, t *okrcore.Team) error {
	r.teams++
	own, err := md.team(t)
	if err != nil {
		return err
	}
	for _, o := range own.objs {
		r.objs[o.ID] = o
	}
	md.consider(r, own)
	for _, m := range t.People() {
		if r.people[m] {
			continue
		}
		r.people[m] = true
		p, err := md.person(m)
		if err != nil {
			return err
		}
		for _, o := range p.objs {
			r.objs[o.ID] = o
		}
		md.consider(r, p)
		if p.hasKRs {
			r.withKRs++
			if p.checked {
				r.checked++
			}
		}
	}
	return nil
}

// team reads t's own objectives and key results, their statuses set.
func (md *managerDigest) team(t *okrcore.Team) (*personStats, error) {
	own, ok := md.teams[t.ID]
	if !ok {
		var err error
		if own, err = md.owned(okrcore.TeamOwner(t.ID)); err != nil {
			return nil, err
		}
		md.teams[t.ID] = own
	}
	return own, nil
}

// owned reads an owner's objectives and key results of the digest's
// cycles, the objectives' statuses set.
func (md *managerDigest) owned(owner okrcore.Owner) (*personStats, error) {
	p := &personStats{}
	var err error
	if p.objs, err = cycleview.Objectives(md.tx, md.ws, owner, md.cycles); err != nil {
		return nil, err
	}
	if p.krs, err = cycleview.KeyResults(md.tx, md.ws, owner, md.cycles); err != nil {
		return nil, err
	}
	if err := md.knowOwnKRs(p.objs, p.krs); err != nil {
		return nil, err
	}
	for _, o := range p.objs {
		o.Status = md.read.Objective(o).Status // on this transaction's copy
	}
	return p, nil
}

// consider sets p's key results' statuses and keeps the worst of them,
// under the first team that met p (the most specific: children first).
func (md *managerDigest) consider(r *rollup, p *personStats) {
	if p.seenWorst {
		return
	}
	p.seenWorst = true
	for _, k := range p.krs {
		if k.Status = md.read.KR(k).Status; needsAttention(k.Status) {
			md.worst[k.ID], md.worstTeam[k.ID] = k, chat.User(r.team.Name)
		}
	}
}

func (r *rollup) finish() {
	for _, o := range r.objs {
		r.progress += o.Progress
		switch o.Status {
		case okrcore.StatusOffTrack:
			r.offTrack++
		case okrcore.StatusAtRisk:
			r.atRisk++
		}
	}
	if len(r.objs) > 0 {
		r.progress /= float64(len(r.objs))
	}
}

func (r *rollup) line() string {
	teams := ""
	if r.teams > 1 {
		teams = fmt.Sprintf(" (%d teams)", r.teams)
	}
	progress := "no objectives"
	if len(r.objs) > 0 {
		progress = fmt.Sprintf("%s at %s on average", Count(len(r.objs), "objective"), okrcore.Percent(r.progress))
	}
	checked := "nobody has key results"
	if r.withKRs > 0 {
		checked = "checked in " + rateText(r.checked, r.withKRs)
	}
	return fmt.Sprintf("*%s*%s: %s · %s · %d off track, %d at risk", chat.User(r.team.Name), teams, progress, checked, r.offTrack, r.atRisk)
}

// composeManagerDigest rolls a parent team's whole subtree up for its lead:
// one line per child team (with everything beneath it), and the worst key
// results across the subtree.
func (e *Reports) composeManagerDigest(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	t, err := tx.Team(w.ID, it.Team)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team no longer exists"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if t.Lead == 0 {
		return chat.Delivery{Skip: "the team has no lead"}, nil
	}
	lead, err := tx.User(w.ID, t.Lead)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team's lead is gone"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	to := e.directTo(lead)
	teams, err := tx.Teams(w.ID)
	if err != nil {
		return chat.Delivery{}, err
	}
	children := newTeamTree(teams)
	if len(children[t.ID]) == 0 {
		return chat.Delivery{To: to, Skip: "the team has no child teams"}, nil
	}
	cs, now, skip, err := e.digestCycles(tx, w.ID, it)
	if err != nil || skip != "" {
		return chat.Delivery{To: to, Skip: skip}, err
	}
	m, err := buildManagerDigest(tx, w, t, cs, children, now, it.Period)
	if err != nil {
		return chat.Delivery{}, err
	}
	return chat.Delivery{To: to, Message: m}, nil
}

// mostOffTrackFirst orders a manager digest's rows: most off track, then
// most at risk, then lowest check-in rate first.
func mostOffTrackFirst(rows []*rollup) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.offTrack != b.offTrack:
			return a.offTrack > b.offTrack
		case a.atRisk != b.atRisk:
			return a.atRisk > b.atRisk
		case a.rate() != b.rate():
			return a.rate() < b.rate()
		}
		return a.team.Name < b.team.Name
	})
}

func buildManagerDigest(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, cs []*okrcore.Cycle, children map[okrcore.ID][]*okrcore.Team, now time.Time, period string) (chat.Message, error) {
	sched := teamSchedule(w, t)
	loc := teamLocation(tx, w.ID, t)
	if period == "" {
		period = okrcore.PeriodKey(sched.CheckIn.Cadence, now, loc)
	}
	md := &managerDigest{tx: tx, ws: w.ID, cycle: cs[0], cycles: cs, now: now, read: NewReading(tx, w.ID, now), periodStart: okrcore.PeriodStart(sched.CheckIn.Cadence, now, loc),
		people: map[okrcore.ID]*personStats{}, teams: map[okrcore.ID]*personStats{}, worst: map[okrcore.ID]*okrcore.KeyResult{}, worstTeam: map[okrcore.ID]string{}, away: away.NewReader(tx, w.ID)}
	// One read of each person's check-ins of the cycle answers whether
	// they checked in this period and the chart's weeks alike.
	md.tally = tally.NewPersonReader(tx, w.ID, chartFrom(cs[0], md.periodStart), now)
	newRollup := func(t *okrcore.Team) *rollup {
		return &rollup{team: t, people: map[okrcore.ID]bool{}, objs: map[okrcore.ID]*okrcore.Objective{}}
	}
	// walk adds a team and everything beneath it to each of rs.
	visited := map[okrcore.ID]bool{}
	var walk func(x *okrcore.Team, rs ...*rollup) error
	walk = func(x *okrcore.Team, rs ...*rollup) error {
		if visited[x.ID] {
			return nil // a loop in the org chart: old data
		}
		visited[x.ID] = true
		for _, r := range rs {
			if err := md.add(r, x); err != nil {
				return err
			}
		}
		for _, k := range children[x.ID] {
			if err := walk(k, rs...); err != nil {
				return err
			}
		}
		return nil
	}
	// The children first, so that a key result is shown under the most
	// specific team of its owner (a lead of a child team is often also a
	// member of the parent).
	total := newRollup(t)
	visited[t.ID] = true
	var rows []*rollup
	for _, k := range children[t.ID] {
		r := newRollup(k)
		if err := walk(k, r, total); err != nil {
			return chat.Message{}, err
		}
		r.finish()
		rows = append(rows, r)
	}
	if err := md.add(total, t); err != nil {
		return chat.Message{}, err
	}
	total.finish()
	mostOffTrackFirst(rows)

	this := thisPeriod(period)
	title := fmt.Sprintf("%s and the teams under it · %s", chat.User(t.Name), periodWord(period))
	people := Count(len(total.people), "person")
	summary := fmt.Sprintf("*%s*, %s · *%s* of those with key results checked in %s · %s at *%s* on average · *%d off track, %d at risk*",
		Count(total.teams, "team"), people, rateText(total.checked, total.withKRs), this, Count(len(total.objs), "objective"), okrcore.Percent(total.progress), total.offTrack, total.atRisk)
	m := chat.Message{Text: title + ": " + strings.ReplaceAll(summary, "*", "")}
	m.Blocks = append(m.Blocks, chat.Header{Text: title}, section(summary))
	m.Blocks = append(m.Blocks, cycleview.Contexts(cs, now)...)

	const maxRows = 60
	lines := make([]string, 0, min(len(rows), maxRows))
	for _, r := range rows[:min(len(rows), maxRows)] {
		lines = append(lines, r.line())
	}
	m.Blocks = append(m.Blocks, sections(fmt.Sprintf("*By team* (each with every team beneath it), most off track first"), lines)...)
	if len(rows) > maxRows {
		m.Blocks = append(m.Blocks, chat.Context{Text: "…and " + Count(len(rows)-maxRows, "more team") + ": `/okr digest TEAM` shows one of them."})
	}
	if img, ok, err := md.chart(title, rows); err != nil {
		return chat.Message{}, err
	} else if ok {
		m.Blocks = append(m.Blocks, img)
	}
	var err error
	if m.Blocks, err = ladder.Names(m.Blocks, tx, t, cs, md.periodStart, now, this, NewNamer(tx, w.ID).User); err != nil {
		return chat.Message{}, err
	}

	worst := make([]*okrcore.KeyResult, 0, len(md.worst))
	for _, k := range md.worst {
		worst = append(worst, k)
	}
	sort.Slice(worst, func(i, j int) bool {
		a, b := worst[i], worst[j]
		if severity(a.Status) != severity(b.Status) {
			return severity(a.Status) < severity(b.Status)
		}
		if a.Progress != b.Progress {
			return a.Progress < b.Progress
		}
		return a.ID < b.ID
	})
	if len(worst) == 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "Nothing in these teams is at risk or off track."})
	} else {
		room := maxDigestBlocks - len(m.Blocks) - 3 // title, note, actions
		show := min(len(worst), 10, room)
		m.Blocks = append(m.Blocks, chat.Section{Text: fmt.Sprintf("*Worst key results* across %s (%d off track or at risk)", chat.User(t.Name), len(worst))})
		for _, k := range worst[:show] {
			b := KRBar(k, md.read, 0)
			b.Detail += " · " + md.worstTeam[k.ID]
			m.Blocks = append(m.Blocks, b)
		}
		if show < len(worst) {
			m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("…and %d more: `/okr digest TEAM` lists a team's.", len(worst)-show)})
		}
	}
	var buttons []chat.Button
	for _, r := range rows[:min(len(rows), 5)] {
		buttons = append(buttons, chat.Button{Label: chat.User(r.team.Name) + " digest", Value: "digest " + r.team.Name})
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: buttons})
	return m, nil
}
