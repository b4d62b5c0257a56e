package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
	"github.com/okrbot/okrbot/report/cycleview"
	"github.com/okrbot/okrbot/report/pace"
)

// maxTreeLines keeps a tree within one readable message.
const maxTreeLines = 120

// maxMembersShown keeps a team view within what a chat message can hold.
const maxMembersShown = 40

func KPISection(k *okrcore.KPI) chat.Section {
	health := "healthy"
	if !k.Healthy() {
		health = "*outside its healthy range*"
	}
	return chat.Section{Text: fmt.Sprintf("%s *%s*: %s (healthy %s–%s), %s", k.Ref(), chat.User(k.Title),
		chat.User(okrcore.FormatValue(k.Current, okrcore.MetricNumber, k.Unit)),
		okrcore.FormatValue(k.HealthyMin, okrcore.MetricNumber, ""), chat.User(okrcore.FormatValue(k.HealthyMax, okrcore.MetricNumber, k.Unit)), health)}
}

func TeamView(tx okrcore.Tx, ws string, now time.Time, t *okrcore.Team) (chat.Message, error) {
	cs, err := okrcore.CurrentCycles(tx, ws)
	if err != nil {
		return chat.Message{}, err
	}
	n := NewReading(tx, ws, now)
	m := chat.Message{Text: fmt.Sprintf("Team %s in %s", chat.User(t.Name), cycleview.Names(cs))}
	m.Blocks = append(append(m.Blocks, chat.Header{Text: fmt.Sprintf("Team %s (%s)", chat.User(t.Name), t.Ref())}), cycleview.Contexts(cs, now)...)
	fields := []chat.Field{{Label: "Lead", Value: "nobody yet"}, {Label: "Members", Value: fmt.Sprint(len(t.Members))}}
	if t.Lead != 0 {
		fields[0].Value = n.User(t.Lead)
	}
	if t.Parent != 0 {
		fields = append(fields, chat.Field{Label: "Part of", Value: n.Team(t.Parent)})
	}
	if t.DigestChannel != "" {
		fields = append(fields, chat.Field{Label: "Digest channel", Value: chat.User(t.DigestChannel)})
	}
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	objs, err := cycleview.Objectives(tx, ws, okrcore.TeamOwner(t.ID), cs)
	if err != nil {
		return chat.Message{}, err
	}
	if len(objs) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Team objectives*"})
	}
	for _, o := range objs {
		krs, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil {
			return chat.Message{}, err
		}
		n.Know(o.ID, krs)
		bars, err := krBars(tx, ws, n.cycle(o.Cycle), now, n, krs, 1, nil)
		if err != nil {
			return chat.Message{}, err
		}
		m.Blocks = append(append(m.Blocks, ObjBar(o, n, 0)), bars...)
	}
	members := append([]okrcore.ID(nil), t.Members...)
	if t.Lead != 0 && !slices.Contains(members, t.Lead) {
		members = append([]okrcore.ID{t.Lead}, members...)
	}
	var without []string
	shown := 0
	var memberBars []chat.Block
	for _, uid := range members {
		mo, err := cycleview.Objectives(tx, ws, okrcore.UserOwner(uid), cs)
		if err != nil {
			return chat.Message{}, err
		}
		if u, err := tx.User(ws, uid); len(mo) == 0 && err == nil && u.Left {
			continue // who left and owns nothing is no longer of the team
		}
		if len(mo) == 0 {
			// A key result under someone else's objective is an OKR too.
			if krs, err := cycleview.KeyResults(tx, ws, okrcore.UserOwner(uid), cs); err != nil {
				return chat.Message{}, err
			} else if len(krs) == 0 {
				without = append(without, n.User(uid))
			}
			continue
		}
		for _, o := range mo {
			if shown >= maxMembersShown {
				break
			}
			memberBars = append(memberBars, ObjBar(o, n, 0))
			shown++
		}
	}
	if len(memberBars) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Members' objectives*"})
		m.Blocks = append(m.Blocks, memberBars...)
	}
	if shown >= maxMembersShown {
		m.Blocks = append(m.Blocks, chat.Context{Text: "More objectives than fit here; `/okr tree " + chat.User(t.Name) + "` shows them all."})
	}
	if len(objs) == 0 && len(memberBars) == 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "No OKRs in this cycle yet."})
	}
	if len(without) > 0 {
		m.Blocks = append(m.Blocks, chat.Context{Text: "No OKRs yet: " + strings.Join(without, ", ")})
	}
	return m, nil
}

func ObjectiveView(tx okrcore.Tx, ws string, now time.Time, n *Reading, id okrcore.ID) (chat.Message, error) {
	o, err := tx.Objective(ws, id)
	if err != nil {
		return chat.Message{}, err
	}
	m := chat.Message{Text: fmt.Sprintf("%s %s: %s", o.Ref(), chat.User(o.Title), okrcore.Percent(o.Progress))}
	m.Blocks = append(m.Blocks, chat.Header{Text: o.Ref().String() + " " + chat.User(o.Title)})
	fields := []chat.Field{{Label: "Owner", Value: n.Owner(o.Owner)}, {Label: "Progress", Value: okrcore.Percent(o.Progress)}, {Label: "Status", Value: n.Label(n.Objective(o))}}
	c, _ := tx.Cycle(ws, o.Cycle) // gone: no cycle, and no forecast
	if c != nil {
		fields = append(fields, chat.Field{Label: "Cycle", Value: chat.User(c.Name)})
	}
	if p, err := okrcore.ParentOf(tx, o); err == nil && p != nil {
		under := p.Ref().String() + " " + chat.User(p.Title)
		if o.ParentKR != 0 {
			under = fmt.Sprintf("KR%d, in %s", o.ParentKR, under)
		}
		fields = append(fields, chat.Field{Label: "Aligned under", Value: under})
	}
	if o.Score != nil {
		fields = append(fields, chat.Field{Label: "Score", Value: fmt.Sprintf("%.2f", *o.Score)})
	}
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	krs, err := tx.KeyResultsByObjective(ws, o.ID)
	if err != nil {
		return chat.Message{}, err
	}
	hist := map[okrcore.ID][]*okrcore.CheckIn{}
	if c != nil {
		bars, err := krBars(tx, ws, c, now, n, krs, 0, hist)
		if err != nil {
			return chat.Message{}, err
		}
		m.Blocks = append(m.Blocks, bars...)
	} else {
		for _, k := range krs {
			m.Blocks = append(m.Blocks, KRBar(k, n, 0))
		}
	}
	if len(krs) == 0 {
		m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("No key results yet: `/okr new kr %s \"Measure\" from 0 to 10`", o.Ref())})
	} else if c != nil {
		m.Blocks = append(m.Blocks, chat.Section{Text: pace.ObjectiveSentence(forecast.ForObjective(o, krs, pace.From(c, krs, hist, now)))})
	}
	kids, err := okrcore.AlignedUnder(tx, ws, o.ID, krs)
	if err != nil {
		return chat.Message{}, err
	}
	if len(kids) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Aligned beneath*"})
		for _, k := range kids {
			m.Blocks = append(m.Blocks, ObjBar(k, n, 0))
		}
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "Alignment tree", Value: "tree " + o.Ref().String()}}})
	return m, nil
}

func KRView(tx okrcore.Tx, ws string, now time.Time, n *Reading, id okrcore.ID) (chat.Message, error) {
	k, err := tx.KeyResult(ws, id)
	if err != nil {
		return chat.Message{}, err
	}
	o, err := tx.Objective(ws, k.Objective)
	if err != nil {
		return chat.Message{}, err
	}
	m := chat.Message{Text: fmt.Sprintf("%s %s: %s (%s)", k.Ref(), chat.User(k.Title), KRDetail(k), okrcore.Percent(k.Progress))}
	// Its bar names it (a header above would say the title twice).
	m.Blocks = append(m.Blocks, KRBar(k, n, 0))
	fields := []chat.Field{
		{Label: "Objective", Value: o.Ref().String() + " " + chat.User(o.Title)},
		{Label: "Owner", Value: n.Owner(k.Owner)},
		{Label: "Start → target", Value: chat.User(okrcore.FormatValue(k.Start, k.Metric, k.Unit)) + " → " + chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit))},
		{Label: "Status", Value: n.Label(n.KR(k))},
	}
	if k.Weight != 1 {
		fields = append(fields, chat.Field{Label: "Weight", Value: fmt.Sprint(k.Weight)})
	}
	if !k.LastCheckIn.IsZero() {
		fields = append(fields, chat.Field{Label: "Last check-in", Value: k.LastCheckIn.Format("Mon Jan 2")})
	}
	if k.Score != nil {
		fields = append(fields, chat.Field{Label: "Grade", Value: fmt.Sprintf("%.1f", *k.Score)})
	}
	if l := cycleview.Lineage(tx, ws, k); l != "" {
		fields = append(fields, chat.Field{Label: "Cycles", Value: l})
	}
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	// One read of the cycle's check-ins draws its history and lists the
	// latest three.
	cyc, err := tx.Cycle(ws, o.Cycle)
	if err != nil && !okrcore.IsNotFound(err) {
		return chat.Message{}, err
	}
	since := time.Time{}
	if cyc != nil {
		since = cyc.Start
	}
	cis, err := History(tx, ws, okrcore.TargetKR, k.ID, since, 0)
	if err != nil {
		return chat.Message{}, err
	}
	if cyc != nil {
		m.Blocks[0] = sparkBar(m.Blocks[0].(chat.ProgressBar), k, cis, chartWeeks(cyc, now))
	}
	if s := pace.Sentence(k, forecast.ForKR(k, cyc, cis, now)); s != "" {
		m.Blocks = append(m.Blocks, chat.Section{Text: s})
	}
	if len(cis) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Recent check-ins*\n" + CheckinLines(cis[:min(3, len(cis))], k, n.Namer)})
		if cyc != nil {
			if img, ok := krHistory(k, cyc, now, cis); ok {
				m.Blocks = append(m.Blocks, img)
			}
		}
	}
	inits, err := tx.InitiativesByKeyResult(ws, k.ID)
	if err != nil {
		return chat.Message{}, err
	}
	if len(inits) > 0 {
		var lines []string
		for _, i := range inits {
			box := "☐"
			if i.Done {
				box = "☑"
			}
			lines = append(lines, fmt.Sprintf("%s %s %s", box, i.Ref(), chat.User(i.Title)))
		}
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Initiatives*\n" + strings.Join(lines, "\n")})
	}
	kids, err := tx.ObjectivesAlignedTo(ws, k.Ref())
	if err != nil {
		return chat.Message{}, err
	}
	for _, c := range kids {
		m.Blocks = append(m.Blocks, ObjBar(c, n, 1))
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
		{Label: "Update", Value: "checkin " + k.Ref().String(), Style: chat.StylePrimary},
		{Label: "History", Value: "history " + k.Ref().String()},
	}})
	return m, nil
}

func CheckinLines(cis []*okrcore.CheckIn, k *okrcore.KeyResult, n *Namer) string {
	var lines []string
	for _, c := range cis {
		metric, unit := okrcore.MetricNumber, ""
		if k != nil {
			metric, unit = k.Metric, k.Unit
		}
		value := func(v float64) string { return chat.User(okrcore.FormatValue(v, metric, unit)) }
		line := fmt.Sprintf("%s · %s · %s", c.At.Format("Jan 2"), n.User(c.Author), value(c.Value))
		if c.Value != c.Previous {
			line = fmt.Sprintf("%s · %s · %s → %s", c.At.Format("Jan 2"), n.User(c.Author), value(c.Previous), value(c.Value))
		}
		if c.Confidence != nil {
			line += fmt.Sprintf(" · confidence %d", *c.Confidence)
		}
		if c.Status != okrcore.StatusNone {
			line += " · " + c.Status.Label()
		}
		if c.Note != "" {
			line += " · " + chat.User(c.Note)
		}
		if c.Blockers != "" {
			line += " · blocked: " + chat.User(c.Blockers)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// teamObjectives lists the objectives a team or its members own in a cycle.
func TeamObjectives(tx okrcore.Tx, ws string, t *okrcore.Team, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	out, err := tx.ObjectivesByOwner(ws, okrcore.TeamOwner(t.ID), cycle)
	if err != nil {
		return nil, err
	}
	members := append([]okrcore.ID(nil), t.Members...)
	if t.Lead != 0 && !slices.Contains(members, t.Lead) {
		members = append(members, t.Lead)
	}
	for _, uid := range members {
		mo, err := tx.ObjectivesByOwner(ws, okrcore.UserOwner(uid), cycle)
		if err != nil {
			return nil, err
		}
		out = append(out, mo...)
	}
	return out, nil
}

// treeWalker renders an alignment tree top-down through the store's
// indexes, stopping when the message is full: a tree of one team in a
// large organisation reads only what it shows.
type treeWalker struct {
	tx        okrcore.Tx
	ws        string
	n         *Reading
	seen      map[okrcore.ID]bool
	only      map[okrcore.ID]bool // the cycles shown beneath an objective; nil: all
	blocks    []chat.Block
	lines     []string
	truncated bool
}

func (w *treeWalker) full() bool {
	if len(w.blocks) >= maxTreeLines {
		w.truncated = true
		return true
	}
	return false
}

func (w *treeWalker) walk(o *okrcore.Objective, depth int) error {
	if w.seen[o.ID] || depth > 32 || w.full() || (depth > 0 && w.only != nil && !w.only[o.Cycle]) {
		return nil
	}
	w.seen[o.ID] = true
	krs, err := w.tx.KeyResultsByObjective(w.ws, o.ID)
	if err != nil {
		return err
	}
	w.n.Know(o.ID, krs)
	w.blocks = append(w.blocks, ObjBar(o, w.n, depth))
	w.lines = append(w.lines, strings.Repeat("  ", depth)+o.Ref().String()+" "+chat.User(o.Title)+" "+okrcore.Percent(o.Progress))
	for _, k := range krs {
		if w.full() {
			return nil
		}
		w.blocks = append(w.blocks, KRBar(k, w.n, depth+1))
		kids, err := w.tx.ObjectivesAlignedTo(w.ws, k.Ref())
		if err != nil {
			return err
		}
		for _, c := range kids {
			if err := w.walk(c, depth+2); err != nil {
				return err
			}
		}
	}
	kids, err := w.tx.ObjectivesAlignedTo(w.ws, o.Ref())
	if err != nil {
		return err
	}
	for _, c := range kids {
		if err := w.walk(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// treeMessage renders the alignment tree under roots: objectives, their key
// results and what is aligned beneath them in the cycles only holds (nil:
// any), as far as one message holds.
func TreeMessage(tx okrcore.Tx, ws string, now time.Time, title string, roots []*okrcore.Objective, only map[okrcore.ID]bool) (chat.Message, error) {
	w := &treeWalker{tx: tx, ws: ws, n: NewReading(tx, ws, now), seen: map[okrcore.ID]bool{}, only: only}
	for _, r := range roots {
		if err := w.walk(r, 0); err != nil {
			return chat.Message{}, err
		}
	}
	m := chat.Message{Text: title + "\n" + strings.Join(w.lines, "\n"), Blocks: append([]chat.Block{chat.Header{Text: title}}, w.blocks...)}
	if len(roots) == 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "No objectives yet."})
	}
	if w.truncated {
		m.Blocks = append(m.Blocks, chat.Context{Text: "…and more. Narrow it down: `/okr tree O12` or `/okr tree TEAM`."})
	}
	return m, nil
}
