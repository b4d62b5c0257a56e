package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/cycleview"
)

// AlignmentView is the alignment tree a person asks for with `okr tree`:
// under one objective (arg "O12"), a team's ("Sales"), or, with no arg,
// the whole of the current cycles from the objectives aligned to nothing.
// Beneath an objective it shows what the current cycles (and its own)
// hold: under the year's objective, this quarter's.
func AlignmentView(tx okrcore.Tx, ws string, now time.Time, arg string) (chat.Message, error) {
	var m chat.Message
	cs, err := okrcore.CurrentCycles(tx, ws)
	if err != nil {
		return m, err
	}
	only := map[okrcore.ID]bool{}
	for _, c := range cs {
		only[c.ID] = true
	}
	var roots []*okrcore.Objective
	title := "Alignment tree · " + cycleview.Names(cs)
	if arg != "" {
		if ref, ok := okrcore.ParseRef(arg); ok && ref.Kind == okrcore.RefObjective {
			o, err := tx.Objective(ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return m, usagef("There is no %s.", ref)
			}
			if err != nil {
				return m, err
			}
			roots, title, only[o.Cycle] = []*okrcore.Objective{o}, "Alignment under "+ref.String(), true
		} else {
			t, err := FindTeam(tx, ws, arg)
			if err != nil {
				return m, err
			}
			title = "Alignment · team " + chat.User(t.Name)
			if roots, err = cycleview.InCycles(cs, func(c okrcore.ID) ([]*okrcore.Objective, error) { return TeamObjectives(tx, ws, t, c) }); err != nil {
				return m, err
			}
		}
	} else {
		// The company-wide tree starts from objectives aligned to
		// nothing; everything below is found through the indexes.
		if roots, err = cycleview.InCycles(cs, func(c okrcore.ID) ([]*okrcore.Objective, error) { return RootObjectives(tx, ws, c) }); err != nil {
			return m, err
		}
	}
	return TreeMessage(tx, ws, now, title, roots, only)
}

// HistoryView is the check-ins of a key result or KPI, newest first, as
// `okr history KR3` shows them.
func HistoryView(tx okrcore.Tx, ws string, ref okrcore.Ref) (chat.Message, error) {
	n := NewNamer(tx, ws)
	var k *okrcore.KeyResult
	target, title := okrcore.TargetKR, ""
	if ref.Kind == okrcore.RefKPI {
		target = okrcore.TargetKPI
		kpi, err := tx.KPI(ws, ref.ID)
		if err != nil {
			return chat.Message{}, err
		}
		title = chat.User(kpi.Title)
	} else {
		var err error
		if k, err = tx.KeyResult(ws, ref.ID); err != nil {
			return chat.Message{}, err
		}
		title = chat.User(k.Title)
	}
	cis, err := History(tx, ws, target, ref.ID, time.Time{}, 15)
	if err != nil {
		return chat.Message{}, err
	}
	body := "No check-ins yet."
	if len(cis) > 0 {
		body = CheckinLines(cis, k, n)
	}
	// A key result carried over reads on into the cycles before.
	for depth := 0; k != nil && k.CarriedFrom != 0 && depth < 8; depth++ {
		if k, err = tx.KeyResult(ws, k.CarriedFrom); err != nil {
			break
		}
		if older, err := History(tx, ws, target, k.ID, time.Time{}, 15); err == nil && len(older) > 0 {
			body += fmt.Sprintf("\n*Before, as %s*\n%s", cycleview.KRIn(tx, ws, k.ID), CheckinLines(older, k, n))
		}
	}
	return chat.Message{Text: ref.String() + " " + title + "\n" + body, Ephemeral: true, Blocks: []chat.Block{chat.Header{Text: ref.String() + " " + title}, chat.Section{Text: body}}}, nil
}

// rootLister reads a cycle's objectives aligned to nothing from a store's
// index (storage/bolt's and storage/postgres's).
type rootLister interface {
	RootObjectives(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error)
}

// RootObjectives are a cycle's objectives aligned to nothing, where the
// company tree starts: from the store's index, else from all of them.
func RootObjectives(tx okrcore.Tx, ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	if rl, ok := tx.(rootLister); ok {
		return rl.RootObjectives(ws, cycle)
	}
	objs, err := tx.ObjectivesByCycle(ws, cycle)
	return slices.DeleteFunc(objs, func(o *okrcore.Objective) bool { return o.ParentKR != 0 || o.ParentObjective != 0 }), err
}

// MineView is a person's OKRs of the current cycles, `okr mine`, the
// shortest cycle first: objectives they own and those holding a key
// result they own, and their KPIs.
func MineView(tx okrcore.Tx, ws string, now time.Time, user okrcore.ID) (chat.Message, error) {
	var m chat.Message
	cs, err := okrcore.CurrentCycles(tx, ws)
	if err != nil {
		return m, err
	}
	n := NewReading(tx, ws, now)
	m = chat.Message{Ephemeral: true}
	m.Blocks = append(m.Blocks, chat.Header{Text: "Your OKRs"})
	var b strings.Builder
	hist := map[okrcore.ID][]*okrcore.CheckIn{}
	var mine []*okrcore.KeyResult
	var charted *okrcore.Cycle // the chart draws the first cycle with OKRs
	for _, c := range cs {
		objs, krsByObj, err := OwnedOKRs(tx, ws, user, c.ID)
		if err != nil {
			return m, err
		}
		if len(objs) == 0 && len(cs) > 1 {
			continue
		}
		m.Blocks = append(m.Blocks, chat.Context{Text: CycleLine(c, now)})
		if len(objs) == 0 {
			m.Text = fmt.Sprintf("You have no OKRs in %s yet.", chat.User(c.Name))
			break
		}
		if charted == nil {
			charted = c
		}
		fmt.Fprintf(&b, "%sYour OKRs in %s:", map[bool]string{true: "\n"}[b.Len() > 0], chat.User(c.Name))
		for _, o := range objs {
			if o.Owner == okrcore.UserOwner(user) {
				n.Know(o.ID, krsByObj[o.ID]) // all of its key results
			}
			m.Blocks = append(m.Blocks, ObjBar(o, n, 0))
			fmt.Fprintf(&b, "\n%s %s %s", o.Ref(), chat.User(o.Title), okrcore.Percent(o.Progress))
			bars, err := krBars(tx, ws, c, now, n, krsByObj[o.ID], 1, hist)
			if err != nil {
				return m, err
			}
			m.Blocks = append(m.Blocks, bars...)
			if c == charted {
				mine = append(mine, krsByObj[o.ID]...)
			}
			if len(krsByObj[o.ID]) == 0 && !c.Closed { // a closed cycle takes no key results
				m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("No key results yet: `/okr new kr %s \"Measure\" from 0 to 10`", o.Ref())})
			}
		}
	}
	if b.Len() == 0 {
		return cycleview.EmptyMine(tx, ws, now, user, cs, m)
	}
	// By the owners' index: the workspace's KPIs are not one person's view.
	kpis, err := tx.KPIsByOwner(ws, okrcore.UserOwner(user))
	if err != nil {
		return m, err
	}
	for _, k := range kpis {
		m.Blocks = append(m.Blocks, KPISection(k))
	}
	m.Text = b.String()
	if img, ok := mineChart(charted, now, n, mine, hist); ok {
		m.Blocks = append(m.Blocks, img)
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
		{Label: "Check in", Value: "checkin", Style: chat.StylePrimary},
		{Label: "Check in with a form", Value: "form"},
		{Label: "Alignment tree", Value: "tree"},
	}})
	return m, nil
}

// TeamsList is every team with its size, lead and parent, `okr teams`.
func TeamsList(tx okrcore.Tx, ws string) (chat.Message, error) {
	ts, err := tx.Teams(ws)
	if err != nil {
		return chat.Message{}, err
	}
	if len(ts) == 0 {
		return chat.Text("There are no teams yet. An admin can create one: `/okr team create Sales`."), nil
	}
	n := NewNamer(tx, ws)
	var lines []string
	for _, t := range ts {
		line := fmt.Sprintf("%s *%s*: %s", t.Ref(), chat.User(t.Name), Count(len(t.Members), "member"))
		if t.Lead != 0 {
			line += ", led by " + n.User(t.Lead)
		}
		if t.Parent != 0 {
			line += ", part of " + n.Team(t.Parent)
		}
		lines = append(lines, line)
	}
	m := chat.Text(strings.Join(lines, "\n"))
	m.Ephemeral = true
	return m, nil
}

// RecordView is one record by its id, `okr show O12` (KR34, KPI3, I5, T2,
// C1); a record that isn't there is okrcore's not-found error.
func RecordView(tx okrcore.Tx, ws string, now time.Time, ref okrcore.Ref) (chat.Message, error) {
	var m chat.Message
	var err error
	n := NewReading(tx, ws, now)
	switch ref.Kind {
	case okrcore.RefObjective:
		m, err = ObjectiveView(tx, ws, now, n, ref.ID)
	case okrcore.RefKeyResult:
		m, err = KRView(tx, ws, now, n, ref.ID)
	case okrcore.RefKPI:
		var k *okrcore.KPI
		if k, err = tx.KPI(ws, ref.ID); err == nil {
			m = chat.Message{Text: chat.User(k.Title), Blocks: []chat.Block{chat.Header{Text: k.Ref().String() + " " + chat.User(k.Title)}, KPISection(k), chat.Context{Text: "Owner: " + n.Owner(k.Owner)}}}
		}
	case okrcore.RefInitiative:
		var i *okrcore.Initiative
		if i, err = tx.Initiative(ws, ref.ID); err == nil {
			state := "not done"
			if i.Done {
				state = "done"
			}
			m = chat.Text(fmt.Sprintf("%s *%s*: %s, for KR%d", i.Ref(), chat.User(i.Title), state, i.KeyResult))
		}
	case okrcore.RefTeam:
		var t *okrcore.Team
		if t, err = tx.Team(ws, ref.ID); err == nil {
			m, err = TeamView(tx, ws, now, t)
		}
	case okrcore.RefCycle:
		var c *okrcore.Cycle
		if c, err = tx.Cycle(ws, ref.ID); err == nil {
			m = chat.Text(CycleLine(c, now))
		}
	}
	return m, err
}
