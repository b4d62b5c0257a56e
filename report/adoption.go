package report

// `/okr adoption [TEAM]`: how far OKRs have taken hold, for the OKR
// champion. Two numbers, as the rollout guides measure a rollout: the share
// of people who have OKRs this cycle (own an objective or a key result), and
// the weekly check-in rate per team (people who wrote at least one check-in
// that week, out of the members who have key results to check in on) for
// every week of the cycle so far, with its trend.
//
// A week is the person's own ISO week (Monday to Sunday in their time
// zone), the same week their check-in nudge belongs to. Who has key results
// is who has them now: history does not record when ownership changed.

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/okrcore/teams"
	"github.com/okrbot/okrbot/report/ladder"
	"github.com/okrbot/okrbot/report/tally"
)

const (
	// adoptionAllTeams is the most teams listed one by one; a larger
	// organisation shows its lowest and highest teams and totals.
	adoptionAllTeams = 30
	adoptionLowest   = 20
	adoptionHighest  = 8
	// adoptionMaxWeeks bounds the weeks tracked (a three-year custom cycle
	// has 157).
	adoptionMaxWeeks = 160
)

// adoptionWeeks is a set of week indexes of a cycle.
type adoptionWeeks [(adoptionMaxWeeks + 63) / 64]uint64

func (w *adoptionWeeks) set(i int)      { w[i/64] |= 1 << (i % 64) }
func (w *adoptionWeeks) has(i int) bool { return w[i/64]&(1<<(i%64)) != 0 }

// adoptionStats is one team's (or the organisation's) numbers.
type adoptionStats struct {
	name    string
	people  int   // distinct people
	withOKR int   // of them, owning an objective or key result
	withKRs int   // of them, having key results to check in on
	checked []int // by week, how many of those checked in
	away    []int // by week, how many of those were away, in neither count
}

func (s *adoptionStats) rate(week int) float64 {
	if week < 0 || week >= len(s.checked) || s.withKRs-s.away[week] <= 0 {
		return 0
	}
	return float64(s.checked[week]) / float64(s.withKRs-s.away[week])
}

// adoptionReport is what `/okr adoption` says.
type adoptionReport struct {
	cycle *okrcore.Cycle
	scope *okrcore.Team // nil: the whole organisation
	weeks []string      // ISO week keys, oldest first; the last is this week
	total adoptionStats
	teams []*adoptionStats // teams with somebody with key results
	idle  []string         // teams where nobody has key results
	roots []*adoptionStats // top-level teams with teams beneath them, whole subtree
	ended bool
}

// adoptionPerson is what the report knows of one person.
type adoptionPerson struct {
	u      *okrcore.User
	owns   bool // an objective or a key result this cycle
	hasKRs bool // key results to check in on
	weeks  adoptionWeeks
	away   adoptionWeeks // the weeks they were away (okrcore/away)
}

// buildAdoption reads the report, for the whole organisation or, when
// scopeName is set, for a team and the teams beneath it. Who checked in
// which week comes from the check-in tally (report/tally), built first where a
// store from before it has none.
func (e *Reports) buildAdoption(ctx context.Context, ws string, now time.Time, scopeName string) (*adoptionReport, error) {
	in, err := e.readAdoptionInputs(ctx, ws, scopeName)
	if err != nil {
		return nil, err
	}
	c := in.cycle
	if now.Before(c.Start) {
		return nil, usagef("%s starts on %s; there is no adoption to measure yet.", chat.User(c.Name), c.Start.Format("Jan 2"))
	}
	rep := &adoptionReport{cycle: c, scope: in.scope}
	end := now
	if !now.Before(c.End) {
		end, rep.ended = c.End.Add(-time.Nanosecond), true
	}
	utc := tally.NewClock(c, time.UTC)
	nWeeks := min(utc.Week(end)+1, adoptionMaxWeeks)
	rep.weeks = isoWeekKeys(utc.Start(), nWeeks)

	tree := newTeamTree(in.teams)
	inScope := in.teams
	if in.scope != nil {
		inScope = tree.subtree(in.scope)
	}
	byID, people := adoptionPeople(in.users, in.scope, inScope)

	// What each person owns, and the weeks they checked in: read in
	// parallel read transactions (the store allows any number), a share
	// of the people each.
	ids := make([]okrcore.ID, len(people))
	for i, p := range people {
		ids[i] = p.u.ID
	}
	if err := tally.Fill(ctx, e.store, ws, ids); err != nil {
		return nil, err
	}
	if err := e.readAdoptionPeople(ctx, ws, c, people, end, nWeeks); err != nil {
		return nil, err
	}

	counter := adoptionCounter{byID: byID, nWeeks: nWeeks}
	rep.total = *counter.count("", ids)
	rep.teams, rep.idle = counter.teams(inScope)
	if tops := topTeams(tree, in.teams, in.scope); tree.branching(tops) >= 2 && len(inScope) > adoptionAllTeams {
		rep.roots = counter.roots(tree, tops)
	}
	lowestRateFirst(rep.teams, nWeeks-1)
	lowestRateFirst(rep.roots, nWeeks-1)
	return rep, nil
}

// adoptionInputs is what the adoption report reads in one transaction.
type adoptionInputs struct {
	cycle *okrcore.Cycle
	scope *okrcore.Team // nil: the whole organisation
	users []*okrcore.User
	teams []*okrcore.Team
}

func (e *Reports) readAdoptionInputs(ctx context.Context, ws, scopeName string) (adoptionInputs, error) {
	var in adoptionInputs
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		if in.cycle, err = okrcore.CurrentCycle(tx, ws); err != nil {
			return err
		}
		if scopeName != "" {
			if in.scope, err = FindTeam(tx, ws, scopeName); err != nil {
				return err
			}
		}
		if in.teams, err = tx.Teams(ws); err != nil {
			return err
		}
		if in.scope != nil {
			in.users, err = subtreeUsers(tx, ws, newTeamTree(in.teams).subtree(in.scope))
			return err
		}
		in.users, err = tx.Users(ws)
		return err
	})
	return in, err
}

// subtreeUsers reads the people of teams, each once: all that a scoped
// report counts, and fewer to decode than everyone.
func subtreeUsers(tx okrcore.Tx, ws string, teams []*okrcore.Team) ([]*okrcore.User, error) {
	seen := map[okrcore.ID]bool{}
	var users []*okrcore.User
	for _, t := range teams {
		for _, m := range t.People() {
			if seen[m] {
				continue
			}
			seen[m] = true
			u, err := tx.User(ws, m)
			if okrcore.IsNotFound(err) {
				continue // gone: a full read would not list them either
			}
			if err != nil {
				return nil, err
			}
			users = append(users, u)
		}
	}
	return users, nil
}

// isoWeekKeys names n weeks from the Monday start on ("2026-W40"), as the
// report's columns.
func isoWeekKeys(start time.Time, n int) []string {
	var keys []string
	for i := range n {
		y, w := start.AddDate(0, 0, 7*i).ISOWeek()
		keys = append(keys, fmt.Sprintf("%d-W%02d", y, w))
	}
	return keys
}

// teamTree is the teams beneath each team. A team that names itself as its
// parent is beneath nothing.
type teamTree map[okrcore.ID][]*okrcore.Team

func newTeamTree(all []*okrcore.Team) teamTree { return teams.Children(all) }

// subtree lists root and every team beneath it, root first, each once.
func (tr teamTree) subtree(root *okrcore.Team) []*okrcore.Team { return teams.Subtree(tr, root) }

// branching counts the teams of tops with teams beneath them.
func (tr teamTree) branching(tops []*okrcore.Team) int {
	n := 0
	for _, t := range tops {
		if len(tr[t.ID]) > 0 {
			n++
		}
	}
	return n
}

// topTeams are the top-level teams of the scope: those right beneath the
// scope team, or those with no parent for the whole organisation.
func topTeams(tree teamTree, teams []*okrcore.Team, scope *okrcore.Team) []*okrcore.Team {
	if scope != nil {
		return tree[scope.ID]
	}
	var tops []*okrcore.Team
	for _, t := range teams {
		if t.Parent == 0 {
			tops = append(tops, t)
		}
	}
	return tops
}

// adoptionPeople are the people the report covers, each once: everyone but
// observers and those who left, or for a scope the members of its teams
// but those. byID holds every person the report may count.
func adoptionPeople(users []*okrcore.User, scope *okrcore.Team, inScope []*okrcore.Team) (map[okrcore.ID]*adoptionPerson, []*adoptionPerson) {
	byID := make(map[okrcore.ID]*adoptionPerson, len(users))
	var people []*adoptionPerson
	for _, u := range users {
		if u.Role != okrcore.RoleObserver && !u.Left {
			byID[u.ID] = &adoptionPerson{u: u}
		}
	}
	if scope == nil {
		for _, u := range users {
			if p := byID[u.ID]; p != nil {
				people = append(people, p)
			}
		}
		return byID, people
	}
	seen := map[okrcore.ID]bool{}
	for _, t := range inScope {
		for _, m := range t.People() {
			if p := byID[m]; p != nil && !seen[m] {
				seen[m] = true
				people = append(people, p)
			}
		}
	}
	return byID, people
}

// adoptionCounter adds up the numbers of groups of people once what each
// person did is known.
type adoptionCounter struct {
	byID   map[okrcore.ID]*adoptionPerson
	nWeeks int
}

// count adds up the people of ids, each once however many of the group's
// teams they are in.
func (ac adoptionCounter) count(name string, ids []okrcore.ID) *adoptionStats {
	s := &adoptionStats{name: name, checked: make([]int, ac.nWeeks), away: make([]int, ac.nWeeks)}
	seen := make(map[okrcore.ID]bool, len(ids))
	for _, id := range ids {
		p := ac.byID[id]
		if p == nil || seen[id] {
			continue
		}
		seen[id] = true
		s.people++
		if p.owns {
			s.withOKR++
		}
		if !p.hasKRs {
			continue
		}
		s.withKRs++
		for i := range ac.nWeeks {
			if p.away.has(i) {
				s.away[i]++
			} else if p.weeks.has(i) {
				s.checked[i]++
			}
		}
	}
	return s
}

// teams counts each team; those where nobody has key results have no rate
// and are only named.
func (ac adoptionCounter) teams(inScope []*okrcore.Team) (counted []*adoptionStats, idle []string) {
	for _, t := range inScope {
		s := ac.count(t.Name, t.People())
		if s.withKRs == 0 {
			idle = append(idle, chat.User(t.Name))
			continue
		}
		counted = append(counted, s)
	}
	return counted, idle
}

// roots counts each top-level team with its whole subtree, for an
// organisation with too many teams to list.
func (ac adoptionCounter) roots(tree teamTree, tops []*okrcore.Team) []*adoptionStats {
	var roots []*adoptionStats
	for _, t := range tops {
		var ids []okrcore.ID
		for _, x := range tree.subtree(t) {
			ids = append(ids, x.People()...)
		}
		if s := ac.count(t.Name, ids); s.withKRs > 0 {
			roots = append(roots, s)
		}
	}
	return roots
}

// lowestRateFirst puts the teams most in need of a nudge first: by the rate
// of the week last, ties by the rate of the week before, then by name.
func lowestRateFirst(list []*adoptionStats, last int) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := a.rate(last), b.rate(last); ra != rb {
			return ra < rb
		}
		if ra, rb := a.rate(last-1), b.rate(last-1); ra != rb {
			return ra < rb
		}
		return a.name < b.name
	})
}

// readAdoptionPeople fills in what people own and the weeks they checked
// in.
func (e *Reports) readAdoptionPeople(ctx context.Context, ws string, c *okrcore.Cycle, people []*adoptionPerson, end time.Time, nWeeks int) error {
	clocks := map[string]tally.Clock{}
	for _, p := range people {
		if _, ok := clocks[p.u.TimeZone]; !ok {
			clocks[p.u.TimeZone] = tally.NewClock(c, chat.Location(p.u.TimeZone))
		}
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, len(people)/256))
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = e.store.View(ctx, func(tx okrcore.Tx) error {
				tr := tally.NewReader(tx, ws, c.Start.AddDate(0, 0, -7), end)
				book, err := away.Read(tx, ws)
				if err != nil {
					return err
				}
				// Blocks of people in turn, so that each worker reads
				// its own blocks of the tally.
				for i := range people {
					if int(people[i].u.ID/okrcore.TallyBlock)%workers != w {
						continue
					}
					if err := readAdoptionPerson(tx, ws, c, people[i], tr, book, clocks[people[i].u.TimeZone], end, nWeeks); err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// readAdoptionPerson reads what one person owns and, if they have key
// results, the weeks they checked in: the weeks of clk, the last one to
// end.
func readAdoptionPerson(tx okrcore.Tx, ws string, c *okrcore.Cycle, p *adoptionPerson, tr *tally.Reader, book *away.Book, clk tally.Clock, end time.Time, nWeeks int) error {
	var err error
	if ix, ok := tx.(ownershipIndex); ok {
		p.owns, p.hasKRs, err = ix.OwnsInCycle(ws, okrcore.UserOwner(p.u.ID), c.ID)
	} else {
		p.owns, p.hasKRs, err = ownsFromRecords(tx, ws, okrcore.UserOwner(p.u.ID), c.ID)
	}
	if err != nil {
		return err
	}
	if !p.hasKRs {
		return nil
	}
	in, err := tr.Weeks(p.u.ID, clk, nWeeks, end, func(i int, from, to time.Time) bool {
		if book.AwayFor(p.u.ID, from, to) {
			p.away.set(i)
			return true
		}
		return false
	})
	for i, ok := range in {
		if ok {
			p.weeks.set(i)
		}
	}
	return err
}

// ownershipIndex tells who owns what in a cycle from a store's indexes,
// without decoding each record, which is most of the report's work in a
// large organisation otherwise: storage/bolt's and storage/postgres's
// (storagetest.RunOwnsInCycle).
type ownershipIndex interface {
	OwnsInCycle(ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error)
}

// ownsFromRecords is OwnsInCycle from the records, for a store without the
// index: key results to check in on are those of an objective the owner
// owns (one objective's are usually enough to tell), else their own.
func ownsFromRecords(tx okrcore.Tx, ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error) {
	objs, err := tx.ObjectivesByOwner(ws, owner, cycle)
	if err != nil {
		return false, false, err
	}
	for _, o := range objs {
		ks, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil || len(ks) > 0 {
			return true, len(ks) > 0, err
		}
	}
	krs, err := tx.KeyResultsByOwner(ws, owner, cycle)
	return len(objs) > 0 || len(krs) > 0, len(krs) > 0, err
}

// trendWeeks is how far back a trend looks.
const trendWeeks = 4

// trend says "↑ from 48% four weeks ago" for the last week against an
// earlier one.
func (r *adoptionReport) trend(s *adoptionStats) string {
	last := len(r.weeks) - 1
	if last == 0 {
		return "the first week of the cycle"
	}
	back := max(0, last-trendWeeks)
	ago := "four weeks ago"
	if last-back < trendWeeks {
		ago = "in the first week"
	}
	now, then := s.rate(last), s.rate(back)
	pn, pt := okrcore.Percent(now), okrcore.Percent(then)
	switch {
	case pn == pt:
		return "as " + ago
	case now > then:
		return fmt.Sprintf("↑ from %s %s", pt, ago)
	}
	return fmt.Sprintf("↓ from %s %s", pt, ago)
}

// series renders the weekly rates as whole percentages from week from on:
// "50 75 100".
func (r *adoptionReport) series(s *adoptionStats, from int) string {
	parts := make([]string, 0, len(r.weeks)-from)
	for i := from; i < len(r.weeks); i++ {
		parts = append(parts, fmt.Sprintf("%d", int(s.rate(i)*100+0.5)))
	}
	return strings.Join(parts, " ")
}

func (r *adoptionReport) thisWeek() string {
	if r.ended {
		return "in the last week"
	}
	return "this week"
}

func (r *adoptionReport) teamLine(s *adoptionStats) string {
	last := len(r.weeks) - 1
	from := max(0, len(r.weeks)-13)
	return fmt.Sprintf("*%s*: *%s* %s (%d of %d%s), %s · weekly %% %s", chat.User(s.name), okrcore.Percent(s.rate(last)), r.thisWeek(),
		s.checked[last], s.withKRs-s.away[last], ladder.AwayNote(s.away[last]), r.trend(s), r.series(s, from))
}

func (r *adoptionReport) message() chat.Message {
	cycle := chat.User(r.cycle.Name)
	title := "OKR adoption · " + cycle
	if r.scope != nil {
		title = fmt.Sprintf("OKR adoption · %s and the teams under it · %s", chat.User(r.scope.Name), cycle)
	}
	t := &r.total
	last := len(r.weeks) - 1
	// Each sentence leads with its figure, bold in the blocks and plain in
	// the notification; kept apart, so that no person's text loses a star.
	shareOf, share := "", "Nobody is here yet."
	if t.people > 0 {
		shareOf = okrcore.Percent(float64(t.withOKR) / float64(t.people))
		share = fmt.Sprintf(" of people have OKRs in %s: %d of %d own an objective or a key result.", cycle, t.withOKR, t.people)
	}
	rateOf, rate := "", "Nobody has key results to check in on yet."
	if t.withKRs > 0 {
		rateOf = okrcore.Percent(t.rate(last))
		rate = fmt.Sprintf(" checked in %s (%d of the %s with key results%s), %s.", r.thisWeek(), t.checked[last], Count(t.withKRs-t.away[last], "person"), ladder.AwayNote(t.away[last]), r.trend(t))
	}
	m := chat.Message{Ephemeral: true}
	m.Blocks = append(m.Blocks, chat.Header{Text: title}, section(bolded(shareOf, share)+"\n"+bolded(rateOf, rate)))
	var weekly []string
	for i, w := range r.weeks {
		weekly = append(weekly, fmt.Sprintf("%s %s", w[strings.Index(w, "-")+1:], okrcore.Percent(t.rate(i))))
	}
	if t.withKRs > 0 {
		from := max(0, len(weekly)-26)
		m.Blocks = append(m.Blocks, section("*Week by week*: "+strings.Join(weekly[from:], " · ")))
		if img, ok := r.chart(title); ok {
			m.Blocks = append(m.Blocks, img)
		}
	}
	m.Text = title + ": " + shareOf + share + " " + rateOf + rate

	if len(r.roots) > 0 {
		var lines []string
		for _, s := range r.roots[:min(len(r.roots), adoptionLowest)] {
			lines = append(lines, r.teamLine(s))
		}
		if len(r.roots) > adoptionLowest {
			lines = append(lines, fmt.Sprintf("…and %d more, with higher rates.", len(r.roots)-adoptionLowest))
		}
		m.Blocks = append(m.Blocks, sections("*Top-level teams* (each with every team beneath it), lowest check-in rate first", lines)...)
	}
	if len(r.teams) > 0 {
		if len(r.teams) <= adoptionAllTeams {
			var lines []string
			for _, s := range r.teams {
				lines = append(lines, r.teamLine(s))
			}
			m.Blocks = append(m.Blocks, sections("*Teams*, lowest check-in rate first", lines)...)
		} else {
			var low, high []string
			for _, s := range r.teams[:adoptionLowest] {
				low = append(low, r.teamLine(s))
			}
			for i := len(r.teams) - 1; i >= len(r.teams)-adoptionHighest; i-- {
				high = append(high, r.teamLine(r.teams[i]))
			}
			m.Blocks = append(m.Blocks, sections(fmt.Sprintf("*The %d teams with the lowest check-in rate*", adoptionLowest), low)...)
			m.Blocks = append(m.Blocks, sections(fmt.Sprintf("*The %d with the highest*", adoptionHighest), high)...)
			between := len(r.teams) - adoptionLowest - adoptionHighest
			verb := "are"
			if between == 1 {
				verb = "is"
			}
			m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("%s with key results in all; the %d in between %s left out. `/okr adoption TEAM` shows a team and the teams under it.",
				Count(len(r.teams), "team"), between, verb)})
		}
	}
	if len(r.idle) > 0 {
		m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("Nobody has key results yet in %s: %s.", Count(len(r.idle), "team"), nameList(r.idle, 10))})
	}
	m.Blocks = append(m.Blocks, chat.Context{Text: "A week is each person's own Monday to Sunday. The rate counts people who wrote at least one check-in that week, out of those who have key results now; weekly % lists the last weeks, oldest first."})
	return m
}

// Adoption is the adoption report of a workspace, or of the team named by
// scope and the teams under it, as of now.
func (e *Reports) Adoption(ctx context.Context, ws string, now time.Time, scope string) (chat.Message, error) {
	rep, err := e.buildAdoption(ctx, ws, now, scope)
	if err != nil {
		return chat.Message{}, err
	}
	return rep.message(), nil
}

// bolded is lead in bold followed by rest, or rest alone when there is no
// lead.
func bolded(lead, rest string) string {
	if lead == "" {
		return rest
	}
	return "*" + lead + "*" + rest
}
