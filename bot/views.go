package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report"
)

// mine shows the actor's OKRs: objectives they own and objectives holding a
// key result they own, plus their KPIs.
func (e *Engine) mine(ctx context.Context, req *request, _ []token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if err != nil {
			return m, err
		}
		objs, krsByObj, err := report.OwnedOKRs(tx, req.ws, req.actor.ID, c.ID)
		if err != nil {
			return m, err
		}
		n := report.NewReading(tx, req.ws, req.now)
		m = chat.Message{Ephemeral: true}
		m.Blocks = append(m.Blocks, chat.Header{Text: "Your OKRs"}, chat.Context{Text: report.CycleLine(c, req.now)})
		if len(objs) == 0 {
			m.Text = fmt.Sprintf("You have no OKRs in %s yet.", c.Name)
			m.Blocks = append(m.Blocks, chat.Section{Text: m.Text + " Create one with `/okr new objective \"Your objective\"`, then add key results with `/okr new kr O1 \"Measure\" from 0 to 10`."})
			return m, nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Your OKRs in %s:", c.Name)
		for _, o := range objs {
			if o.Owner == okrcore.UserOwner(req.actor.ID) {
				n.Know(o.ID, krsByObj[o.ID]) // all of its key results
			}
			m.Blocks = append(m.Blocks, report.ObjBar(o, n, 0))
			fmt.Fprintf(&b, "\n%s %s %s", o.Ref(), o.Title, okrcore.Percent(o.Progress))
			for _, k := range krsByObj[o.ID] {
				m.Blocks = append(m.Blocks, report.KRBar(k, n, 1))
			}
			if len(krsByObj[o.ID]) == 0 {
				m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("No key results yet: `/okr new kr %s \"Measure\" from 0 to 10`", o.Ref())})
			}
		}
		kpis, err := tx.KPIs(req.ws)
		if err != nil {
			return m, err
		}
		for _, k := range kpis {
			if k.Owner == okrcore.UserOwner(req.actor.ID) {
				m.Blocks = append(m.Blocks, kpiSection(k))
			}
		}
		m.Text = b.String()
		m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
			{Label: "Check in", Value: "checkin", Style: chat.StylePrimary},
			{Label: "Check in with a form", Value: "form"},
			{Label: "Alignment tree", Value: "tree"},
		}})
		return m, nil
	})
}

func kpiSection(k *okrcore.KPI) chat.Section {
	health := "healthy"
	if !k.Healthy() {
		health = "*outside its healthy range*"
	}
	return chat.Section{Text: fmt.Sprintf("%s *%s*: %s (healthy %s–%s), %s", k.Ref(), k.Title,
		okrcore.FormatValue(k.Current, okrcore.MetricNumber, k.Unit),
		okrcore.FormatValue(k.HealthyMin, okrcore.MetricNumber, ""), okrcore.FormatValue(k.HealthyMax, okrcore.MetricNumber, k.Unit), health)}
}

// findUser resolves "@alice", "alice", a platform mention such as <@U123>
// or <@U123|alice>, or a platform user id.
func findUser(tx okrcore.Tx, ws, platform, s string) (*okrcore.User, error) {
	raw := strings.TrimSpace(s)
	id := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(raw, "<"), ">"), "@")
	if i := strings.IndexByte(id, '|'); i >= 0 {
		id = id[:i]
	}
	if u, err := tx.UserByPlatform(ws, platform, id); err == nil {
		return u, nil
	}
	// "#12" (as `okr users` lists people) tells apart two people of the
	// same name.
	if n, err := strconv.ParseUint(strings.TrimPrefix(raw, "#"), 10, 64); err == nil && strings.HasPrefix(raw, "#") && n > 0 {
		u, err := tx.User(ws, okrcore.ID(n))
		if okrcore.IsNotFound(err) {
			return nil, okrcore.Errorf(okrcore.KindNotFound, "Nobody is number %s. `/okr users` lists people with their numbers.", raw)
		}
		return u, err
	}
	u, err := tx.UserByName(ws, strings.TrimPrefix(raw, "@"))
	if okrcore.IsNotFound(err) {
		return nil, okrcore.Errorf(okrcore.KindNotFound, "I don't know anyone called %s. People appear once they have talked to me; `/okr users` lists them.", raw)
	}
	return u, err
}

func (e *Engine) team(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return e.teams(ctx, req, nil)
	}
	if sub := lower(args[0].text); teamSubcommands[sub] {
		return e.teamAdmin(ctx, req, sub, args[1:])
	}
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		t, err := report.FindTeam(tx, req.ws, joinTokens(args))
		if err != nil {
			return m, err
		}
		m, err = teamView(tx, req, t)
		return m, err
	})
}

// maxMembersShown keeps a team view within what a chat message can hold.
const maxMembersShown = 40

func teamView(tx okrcore.Tx, req *request, t *okrcore.Team) (chat.Message, error) {
	c, err := okrcore.CurrentCycle(tx, req.ws)
	if err != nil {
		return chat.Message{}, err
	}
	n := report.NewReading(tx, req.ws, req.now)
	m := chat.Message{Text: fmt.Sprintf("Team %s in %s", t.Name, c.Name)}
	m.Blocks = append(m.Blocks, chat.Header{Text: fmt.Sprintf("Team %s (%s)", t.Name, t.Ref())}, chat.Context{Text: report.CycleLine(c, req.now)})
	fields := []chat.Field{{Label: "Lead", Value: "nobody yet"}, {Label: "Members", Value: fmt.Sprint(len(t.Members))}}
	if t.Lead != 0 {
		fields[0].Value = n.User(t.Lead)
	}
	if t.Parent != 0 {
		fields = append(fields, chat.Field{Label: "Part of", Value: n.Team(t.Parent)})
	}
	if t.DigestChannel != "" {
		fields = append(fields, chat.Field{Label: "Digest channel", Value: t.DigestChannel})
	}
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	objs, err := tx.ObjectivesByOwner(req.ws, okrcore.TeamOwner(t.ID), c.ID)
	if err != nil {
		return chat.Message{}, err
	}
	if len(objs) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Team objectives*"})
	}
	for _, o := range objs {
		krs, err := tx.KeyResultsByObjective(req.ws, o.ID)
		if err != nil {
			return chat.Message{}, err
		}
		n.Know(o.ID, krs)
		m.Blocks = append(m.Blocks, report.ObjBar(o, n, 0))
		for _, k := range krs {
			m.Blocks = append(m.Blocks, report.KRBar(k, n, 1))
		}
	}
	members := append([]okrcore.ID(nil), t.Members...)
	if t.Lead != 0 && !containsID(members, t.Lead) {
		members = append([]okrcore.ID{t.Lead}, members...)
	}
	var without []string
	shown := 0
	var memberBars []chat.Block
	for _, uid := range members {
		mo, err := tx.ObjectivesByOwner(req.ws, okrcore.UserOwner(uid), c.ID)
		if err != nil {
			return chat.Message{}, err
		}
		if len(mo) == 0 {
			// A key result under someone else's objective is an OKR too.
			if krs, err := tx.KeyResultsByOwner(req.ws, okrcore.UserOwner(uid), c.ID); err != nil {
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
			memberBars = append(memberBars, report.ObjBar(o, n, 0))
			shown++
		}
	}
	if len(memberBars) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Members' objectives*"})
		m.Blocks = append(m.Blocks, memberBars...)
	}
	if shown >= maxMembersShown {
		m.Blocks = append(m.Blocks, chat.Context{Text: "More objectives than fit here; `/okr tree " + t.Name + "` shows them all."})
	}
	if len(objs) == 0 && len(memberBars) == 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "No OKRs in this cycle yet."})
	}
	if len(without) > 0 {
		m.Blocks = append(m.Blocks, chat.Context{Text: "No OKRs yet: " + strings.Join(without, ", ")})
	}
	return m, nil
}

func containsID(ids []okrcore.ID, id okrcore.ID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (e *Engine) teams(ctx context.Context, req *request, _ []token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		ts, err := tx.Teams(req.ws)
		if err != nil {
			return m, err
		}
		if len(ts) == 0 {
			m = chat.Text("There are no teams yet. An admin can create one: `/okr team create Sales`.")
			return m, nil
		}
		n := report.NewNamer(tx, req.ws)
		var lines []string
		for _, t := range ts {
			line := fmt.Sprintf("%s *%s*: %s", t.Ref(), t.Name, report.Count(len(t.Members), "member"))
			if t.Lead != 0 {
				line += ", led by " + n.User(t.Lead)
			}
			if t.Parent != 0 {
				line += ", part of " + n.Team(t.Parent)
			}
			lines = append(lines, line)
		}
		m = chat.Text(strings.Join(lines, "\n"))
		m.Ephemeral = true
		return m, nil
	})
}

func (e *Engine) show(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Which one? Try `/okr show KR3` or `/okr show O1`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	if !ok {
		if id, shaped := report.IDShaped(args[0].text); shaped && len(args) == 1 {
			// An id no record can have (O0), unless a team is called so.
			if m, err := e.team(ctx, req, args); err == nil {
				return m, nil
			}
			return chat.Message{}, usage("There is no %s. Check the id with `/okr mine` or `/okr tree`.", id)
		}
		// A team by name is the one thing people look up without an id.
		return e.team(ctx, req, args)
	}
	var m chat.Message
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		n := report.NewReading(tx, req.ws, req.now)
		switch ref.Kind {
		case okrcore.RefObjective:
			m, err = objectiveView(tx, req, n, ref.ID)
		case okrcore.RefKeyResult:
			m, err = krView(tx, req, n, ref.ID)
		case okrcore.RefKPI:
			var k *okrcore.KPI
			if k, err = tx.KPI(req.ws, ref.ID); err == nil {
				m = chat.Message{Text: k.Title, Blocks: []chat.Block{chat.Header{Text: k.Ref().String() + " " + k.Title}, kpiSection(k), chat.Context{Text: "Owner: " + n.Owner(k.Owner)}}}
			}
		case okrcore.RefInitiative:
			var i *okrcore.Initiative
			if i, err = tx.Initiative(req.ws, ref.ID); err == nil {
				state := "not done"
				if i.Done {
					state = "done"
				}
				m = chat.Text(fmt.Sprintf("%s *%s*: %s, for KR%d", i.Ref(), i.Title, state, i.KeyResult))
			}
		case okrcore.RefTeam:
			var t *okrcore.Team
			if t, err = tx.Team(req.ws, ref.ID); err == nil {
				m, err = teamView(tx, req, t)
			}
		case okrcore.RefCycle:
			var c *okrcore.Cycle
			if c, err = tx.Cycle(req.ws, ref.ID); err == nil {
				m = chat.Text(report.CycleLine(c, req.now))
			}
		}
		return err
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s. Check the id with `/okr mine` or `/okr tree`.", ref)
	}
	return m, err
}

func objectiveView(tx okrcore.Tx, req *request, n *report.Reading, id okrcore.ID) (chat.Message, error) {
	o, err := tx.Objective(req.ws, id)
	if err != nil {
		return chat.Message{}, err
	}
	m := chat.Message{Text: fmt.Sprintf("%s %s: %s", o.Ref(), o.Title, okrcore.Percent(o.Progress))}
	m.Blocks = append(m.Blocks, chat.Header{Text: o.Ref().String() + " " + o.Title})
	fields := []chat.Field{{Label: "Owner", Value: n.Owner(o.Owner)}, {Label: "Progress", Value: okrcore.Percent(o.Progress)}, {Label: "Status", Value: n.Label(n.Objective(o))}}
	if c, err := tx.Cycle(req.ws, o.Cycle); err == nil {
		fields = append(fields, chat.Field{Label: "Cycle", Value: c.Name})
	}
	if p, err := okrcore.ParentOf(tx, o); err == nil && p != nil {
		under := p.Ref().String() + " " + p.Title
		if o.ParentKR != 0 {
			under = fmt.Sprintf("KR%d, in %s", o.ParentKR, under)
		}
		fields = append(fields, chat.Field{Label: "Aligned under", Value: under})
	}
	if o.Score != nil {
		fields = append(fields, chat.Field{Label: "Score", Value: fmt.Sprintf("%.2f", *o.Score)})
	}
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	krs, err := tx.KeyResultsByObjective(req.ws, o.ID)
	if err != nil {
		return chat.Message{}, err
	}
	for _, k := range krs {
		m.Blocks = append(m.Blocks, report.KRBar(k, n, 0))
	}
	if len(krs) == 0 {
		m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("No key results yet: `/okr new kr %s \"Measure\" from 0 to 10`", o.Ref())})
	}
	kids, err := okrcore.AlignedUnder(tx, req.ws, o.ID, krs)
	if err != nil {
		return chat.Message{}, err
	}
	if len(kids) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Aligned beneath*"})
		for _, k := range kids {
			m.Blocks = append(m.Blocks, report.ObjBar(k, n, 0))
		}
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "Alignment tree", Value: "tree " + o.Ref().String()}}})
	return m, nil
}

func krView(tx okrcore.Tx, req *request, n *report.Reading, id okrcore.ID) (chat.Message, error) {
	k, err := tx.KeyResult(req.ws, id)
	if err != nil {
		return chat.Message{}, err
	}
	o, err := tx.Objective(req.ws, k.Objective)
	if err != nil {
		return chat.Message{}, err
	}
	m := chat.Message{Text: fmt.Sprintf("%s %s: %s (%s)", k.Ref(), k.Title, report.KRDetail(k), okrcore.Percent(k.Progress))}
	m.Blocks = append(m.Blocks, chat.Header{Text: k.Ref().String() + " " + k.Title}, report.KRBar(k, n, 0))
	fields := []chat.Field{
		{Label: "Objective", Value: o.Ref().String() + " " + o.Title},
		{Label: "Owner", Value: n.Owner(k.Owner)},
		{Label: "Start → target", Value: okrcore.FormatValue(k.Start, k.Metric, k.Unit) + " → " + okrcore.FormatValue(k.Target, k.Metric, k.Unit)},
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
	m.Blocks = append(m.Blocks, chat.Section{Fields: fields})
	cis, err := report.History(tx, req.ws, okrcore.TargetKR, k.ID, time.Time{}, 3)
	if err != nil {
		return chat.Message{}, err
	}
	if len(cis) > 0 {
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Recent check-ins*\n" + checkinLines(cis, k, n.Namer)})
	}
	inits, err := tx.InitiativesByKeyResult(req.ws, k.ID)
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
			lines = append(lines, fmt.Sprintf("%s %s %s", box, i.Ref(), i.Title))
		}
		m.Blocks = append(m.Blocks, chat.Section{Text: "*Initiatives*\n" + strings.Join(lines, "\n")})
	}
	kids, err := tx.ObjectivesAlignedTo(req.ws, k.Ref())
	if err != nil {
		return chat.Message{}, err
	}
	for _, c := range kids {
		m.Blocks = append(m.Blocks, report.ObjBar(c, n, 1))
	}
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
		{Label: "Update", Value: "checkin " + k.Ref().String(), Style: chat.StylePrimary},
		{Label: "History", Value: "history " + k.Ref().String()},
	}})
	return m, nil
}

func checkinLines(cis []*okrcore.CheckIn, k *okrcore.KeyResult, n *report.Namer) string {
	var lines []string
	for _, c := range cis {
		metric, unit := okrcore.MetricNumber, ""
		if k != nil {
			metric, unit = k.Metric, k.Unit
		}
		line := fmt.Sprintf("%s · %s · %s", c.At.Format("Jan 2"), n.User(c.Author), okrcore.FormatValue(c.Value, metric, unit))
		if c.Value != c.Previous {
			line = fmt.Sprintf("%s · %s · %s → %s", c.At.Format("Jan 2"), n.User(c.Author), okrcore.FormatValue(c.Previous, metric, unit), okrcore.FormatValue(c.Value, metric, unit))
		}
		if c.Confidence != nil {
			line += fmt.Sprintf(" · confidence %d", *c.Confidence)
		}
		if c.Status != okrcore.StatusNone {
			line += " · " + c.Status.Label()
		}
		if c.Note != "" {
			line += " · " + c.Note
		}
		if c.Blockers != "" {
			line += " · blocked: " + c.Blockers
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (e *Engine) history(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Whose history? Try `/okr history KR3`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	if !ok || (ref.Kind != okrcore.RefKeyResult && ref.Kind != okrcore.RefKPI) {
		return chat.Message{}, usage("History is kept for key results and KPIs: try `/okr history KR3`.")
	}
	var m chat.Message
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		n := report.NewNamer(tx, req.ws)
		var k *okrcore.KeyResult
		target, title := okrcore.TargetKR, ""
		if ref.Kind == okrcore.RefKPI {
			target = okrcore.TargetKPI
			kpi, err := tx.KPI(req.ws, ref.ID)
			if err != nil {
				return err
			}
			title = kpi.Title
		} else {
			var err error
			if k, err = tx.KeyResult(req.ws, ref.ID); err != nil {
				return err
			}
			title = k.Title
		}
		cis, err := report.History(tx, req.ws, target, ref.ID, time.Time{}, 15)
		if err != nil {
			return err
		}
		body := "No check-ins yet."
		if len(cis) > 0 {
			body = checkinLines(cis, k, n)
		}
		m = chat.Message{Text: ref.String() + " " + title + "\n" + body, Ephemeral: true, Blocks: []chat.Block{chat.Header{Text: ref.String() + " " + title}, chat.Section{Text: body}}}
		return nil
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	return m, err
}

// maxTreeLines keeps a tree within one readable message.
const maxTreeLines = 120

func (e *Engine) tree(ctx context.Context, req *request, args []token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if err != nil {
			return m, err
		}
		var roots []*okrcore.Objective
		title := "Alignment tree · " + c.Name
		if len(args) > 0 {
			arg := joinTokens(args)
			if ref, ok := okrcore.ParseRef(arg); ok && ref.Kind == okrcore.RefObjective {
				o, err := tx.Objective(req.ws, ref.ID)
				if okrcore.IsNotFound(err) {
					return m, usage("There is no %s.", ref)
				}
				if err != nil {
					return m, err
				}
				roots, title = []*okrcore.Objective{o}, "Alignment under "+ref.String()
			} else {
				t, err := report.FindTeam(tx, req.ws, arg)
				if err != nil {
					return m, err
				}
				title = "Alignment · team " + t.Name
				if roots, err = teamObjectives(tx, req.ws, t, c.ID); err != nil {
					return m, err
				}
			}
		} else {
			// The company-wide tree starts from objectives aligned to
			// nothing; everything below is found through the indexes.
			objs, err := tx.ObjectivesByCycle(req.ws, c.ID)
			if err != nil {
				return m, err
			}
			for _, o := range objs {
				if o.ParentKR == 0 && o.ParentObjective == 0 {
					roots = append(roots, o)
				}
			}
		}
		w := &treeWalker{tx: tx, ws: req.ws, n: report.NewReading(tx, req.ws, req.now), seen: map[okrcore.ID]bool{}}
		for _, r := range roots {
			if err := w.walk(r, 0); err != nil {
				return m, err
			}
		}
		m = chat.Message{Text: title + "\n" + strings.Join(w.lines, "\n"), Blocks: append([]chat.Block{chat.Header{Text: title}}, w.blocks...)}
		if len(roots) == 0 {
			m.Blocks = append(m.Blocks, chat.Section{Text: "No objectives yet."})
		}
		if w.truncated {
			m.Blocks = append(m.Blocks, chat.Context{Text: "…and more. Narrow it down: `/okr tree O12` or `/okr tree TEAM`."})
		}
		return m, nil
	})
}

// teamObjectives lists the objectives a team or its members own in a cycle.
func teamObjectives(tx okrcore.Tx, ws string, t *okrcore.Team, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	out, err := tx.ObjectivesByOwner(ws, okrcore.TeamOwner(t.ID), cycle)
	if err != nil {
		return nil, err
	}
	members := append([]okrcore.ID(nil), t.Members...)
	if t.Lead != 0 && !containsID(members, t.Lead) {
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
	n         *report.Reading
	seen      map[okrcore.ID]bool
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
	if w.seen[o.ID] || depth > 32 || w.full() {
		return nil
	}
	w.seen[o.ID] = true
	krs, err := w.tx.KeyResultsByObjective(w.ws, o.ID)
	if err != nil {
		return err
	}
	w.n.Know(o.ID, krs)
	w.blocks = append(w.blocks, report.ObjBar(o, w.n, depth))
	w.lines = append(w.lines, strings.Repeat("  ", depth)+o.Ref().String()+" "+o.Title+" "+okrcore.Percent(o.Progress))
	for _, k := range krs {
		if w.full() {
			return nil
		}
		w.blocks = append(w.blocks, report.KRBar(k, w.n, depth+1))
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

func (e *Engine) whoami(_ context.Context, req *request, _ []token) (chat.Message, error) {
	tz := req.actor.TimeZone
	if tz == "" {
		tz = "not set (`/okr timezone Europe/Berlin`)"
	}
	text := fmt.Sprintf("You are *%s* (%s, %s) in workspace %s, writing from %s. Time zone: %s.", req.actor.Name, req.actor.Role, userHandle(req.actor), req.ws, chat.PlatformName(req.ev.Platform), tz)
	if names := platformNames(req.actor); len(names) > 1 {
		text += fmt.Sprintf(" You use okrbot on %s; nudges come on %s.", strings.Join(names, " and "), names[0])
	}
	return chat.Text(text), nil
}

func (e *Engine) users(ctx context.Context, req *request, _ []token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		us, err := tx.Users(req.ws)
		if err != nil {
			return m, err
		}
		var lines []string
		for _, u := range us {
			line := fmt.Sprintf("%s %s (%s) · %s", userHandle(u), u.Name, u.Role, strings.Join(platformNames(u), " + "))
			if u.TimeZone != "" {
				line += " · " + u.TimeZone
			}
			lines = append(lines, line)
			if len(lines) == 200 {
				lines = append(lines, fmt.Sprintf("…and %d more", len(us)-200))
				break
			}
		}
		m = chat.Text(fmt.Sprintf("%s:\n%s", report.Count(len(us), "person"), strings.Join(lines, "\n")))
		m.Ephemeral = true
		return m, nil
	})
}
