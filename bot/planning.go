package bot

import (
	"context"
	"fmt"
	"github.com/okrbot/okrbot/bot/helptext"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/bot/cyclecmd"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/okrcore/teams"
	"github.com/okrbot/okrbot/okrcore/tracking"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// ownerOption reads "for @alice", "for team Sales", "owner @bob".
func ownerOption(tx okrcore.Tx, req *request, vals []reply.Token) (okrcore.Owner, error) {
	if len(vals) >= 2 && lower(vals[0].Text) == "team" {
		t, err := report.FindTeam(tx, req.ws, vals[1].Text)
		if err != nil {
			return okrcore.Owner{}, err
		}
		return okrcore.TeamOwner(t.ID), nil
	}
	u, err := findUser(tx, req.ws, req.ev.Platform, vals[0].Text)
	if err != nil {
		return okrcore.Owner{}, err
	}
	return okrcore.UserOwner(u.ID), nil
}

// named is the person a word names ("@alice", "#12", a mention), looked
// up only when the operation asks, after its permission check.
func named(tx okrcore.Tx, req *request, tok reply.Token) okrcore.Later[okrcore.ID] {
	return func() (okrcore.ID, error) {
		u, err := findUser(tx, req.ws, req.ev.Platform, tok.Text)
		if p, ok := req.found[tok.Text]; ok && okrcore.IsNotFound(err) {
			u, err = people.PlaceFromDirectory(tx, req.now, req.actor, p, p.TimeZone)
		}
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
}

func (e *Engine) newCmd(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Text(helptext.New()), nil
	}
	what := lower(args[0].Text)
	switch what {
	case "objective", "obj", "o":
		return e.newObjective(ctx, req, args[1:])
	case "kr", "keyresult", "key":
		rest := args[1:]
		if what == "key" && len(rest) > 0 && lower(rest[0].Text) == "result" {
			rest = rest[1:]
		}
		return e.newKeyResult(ctx, req, rest)
	case "kpi", "metric":
		return e.newKPI(ctx, req, args[1:])
	case "initiative":
		return e.newInitiative(ctx, req, args[1:])
	}
	return chat.Message{}, usage("I can create an objective, kr, kpi or initiative. `/okr help new` shows how.")
}

// forOption accepts "for @x" and "for team NAME".
var forOption = reply.OptionSpec{Arity: 1, Valid: reply.IsMention, Hint: "the owner, a person such as `for @alice` or a team such as `for team Sales`"}

func (e *Engine) newObjective(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	specs := map[string]reply.OptionSpec{
		"for":    forOption,
		"owner":  forOption,
		"under":  {Arity: 1, Valid: reply.IsRef(okrcore.RefKeyResult, okrcore.RefObjective), Hint: "where it aligns, a key result or an objective such as `under KR3`"},
		"weight": {Arity: 1, Valid: reply.IsNumber, Hint: "the weight, a number such as `weight 2`"},
		"in":     {Arity: 1, Valid: cyclecmd.IsCycle, Hint: "the cycle it belongs to, such as `in 2027`, `in 2027-Q2` or `in C3`"},
	}
	// "for team Sales" takes two tokens.
	args, teamName := extractTeamOwner(args)
	title, opts, err := reply.SplitOptions(args, specs)
	if err != nil {
		return chat.Message{}, err
	}
	if title == "" {
		return chat.Message{}, usage("What is the objective? Try `/okr new objective \"Win the mid-market\"`.")
	}
	var o okrcore.Objective
	var warnings []string
	var name string
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if v := opts["in"]; v != nil {
			c, err = cyclecmd.Named(tx, req.ws, v[0].Text)
		}
		if err != nil {
			return err
		}
		o = okrcore.Objective{Title: title, Cycle: c.ID, Owner: okrcore.UserOwner(req.actor.ID)}
		switch {
		case teamName != "":
			t, err := report.FindTeam(tx, req.ws, teamName)
			if err != nil {
				return err
			}
			o.Owner = okrcore.TeamOwner(t.ID)
		case opts["for"] != nil || opts["owner"] != nil:
			v := opts["for"]
			if v == nil {
				v = opts["owner"]
			}
			if o.Owner, err = ownerOption(tx, req, v); err != nil {
				return err
			}
		}
		if v := opts["under"]; v != nil {
			r, _ := okrcore.ParseRef(v[0].Text)
			if r.Kind == okrcore.RefKeyResult {
				o.ParentKR = r.ID
			} else {
				o.ParentObjective = r.ID
			}
		}
		if v := opts["weight"]; v != nil {
			n, _ := reply.ParseNumber(v[0].Text)
			if err := okrcore.CheckWeight(n.Value); err != nil {
				return err
			}
			o.Weight = n.Value
		}
		warnings, err = okrcore.CreateObjective(tx, req.now, req.actor, &o)
		if err != nil {
			return err
		}
		name = report.NewNamer(tx, req.ws).Owner(o.Owner)
		return nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	text := fmt.Sprintf("Created %s *%s* for %s. Add key results: `/okr new kr %s \"Measure\" from 0 to 10`.", o.Ref(), chat.User(o.Title), name, o.Ref())
	return withWarnings(text, warnings), nil
}

// extractTeamOwner pulls "for team NAME" / "owner team NAME" out of args.
func extractTeamOwner(args []reply.Token) ([]reply.Token, string) {
	for i := 0; i+2 < len(args); i++ {
		k := lower(args[i].Text)
		if !args[i].Quoted && (k == "for" || k == "owner") && lower(args[i+1].Text) == "team" && !args[i+1].Quoted {
			out := append(append([]reply.Token(nil), args[:i]...), args[i+3:]...)
			return out, args[i+2].Text
		}
	}
	return args, ""
}

func withWarnings(text string, warnings []string) chat.Message {
	m := chat.Text(text)
	for _, w := range warnings {
		m.Blocks = append(m.Blocks, chat.Context{Text: "⚠ " + w})
		m.Text += "\n⚠ " + w
	}
	return m
}

func (e *Engine) newKeyResult(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Which objective? Try `/okr new kr O1 \"Grow ARR\" from 1M to 2M`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	if !ok || ref.Kind != okrcore.RefObjective {
		return chat.Message{}, usage("Start with the objective's id: `/okr new kr O1 \"Grow ARR\" from 1M to 2M`.")
	}
	args, teamName := extractTeamOwner(args[1:])
	title, opts, err := reply.SplitOptions(args, krOptions)
	if err != nil {
		return chat.Message{}, err
	}
	// Flags after a quoted title, or bare at the end of the line.
	quotedTitle := slices.ContainsFunc(args, func(t reply.Token) bool { return t.Quoted })
	metric := okrcore.MetricKind("")
	for _, flag := range []string{"milestone", "percent", "decrease", "increase"} {
		set := opts[flag] != nil
		if !set && !quotedTitle && strings.HasSuffix(lower(title), " "+flag) {
			title, set = strings.TrimSpace(title[:len(title)-len(flag)]), true
		}
		if set {
			switch flag {
			case "milestone":
				metric = okrcore.MetricMilestone
			case "percent":
				metric = okrcore.MetricPercent
			}
		}
	}
	if title == "" {
		return chat.Message{}, usage("What does the key result measure? Try `/okr new kr %s \"Grow ARR\" from 1M to 2M`.", ref)
	}
	k := okrcore.KeyResult{Objective: ref.ID, Title: title, Metric: metric}
	if metric != okrcore.MetricMilestone {
		to := opts["to"]
		if to == nil {
			to = opts["target"]
		}
		if to == nil {
			return chat.Message{}, usage("Give the key result a target: `... from 0 to 10`, or end with `milestone` for something that is done or not.")
		}
		target, _ := reply.ParseNumber(to[0].Text)
		var start reply.Number
		if from := reply.FirstOf(opts["from"], opts["start"]); from != nil {
			start, _ = reply.ParseNumber(from[0].Text)
		}
		k.Start, k.Target = start.Value, target.Value
		switch {
		case start.Percent || target.Percent:
			k.Metric = okrcore.MetricPercent
		case start.Currency != "" || target.Currency != "":
			k.Metric, k.Unit = okrcore.MetricCurrency, start.Currency+target.Currency
			if len(k.Unit) > 0 && start.Currency != "" && target.Currency != "" {
				k.Unit = target.Currency
			}
		}
	}
	if v := opts["currency"]; v != nil {
		k.Metric, k.Unit = okrcore.MetricCurrency, v[0].Text
	}
	if v := opts["unit"]; v != nil && k.Metric != okrcore.MetricCurrency {
		k.Unit = v[0].Text
	}
	if v := opts["weight"]; v != nil {
		n, _ := reply.ParseNumber(v[0].Text)
		if err := okrcore.CheckWeight(n.Value); err != nil {
			return chat.Message{}, err
		}
		k.Weight = n.Value
	}
	var warnings []string
	var objTitle string
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if teamName != "" {
			t, err := report.FindTeam(tx, req.ws, teamName)
			if err != nil {
				return err
			}
			k.Owner = okrcore.TeamOwner(t.ID)
		} else if v := reply.FirstOf(opts["owner"], opts["for"]); v != nil {
			if k.Owner, err = ownerOption(tx, req, v); err != nil {
				return err
			}
		}
		kk := k
		warnings, err = okrcore.CreateKeyResult(tx, req.now, req.actor, &kk)
		if err != nil {
			return err
		}
		k = kk
		o, err := tx.Objective(req.ws, k.Objective)
		if err != nil {
			return err
		}
		objTitle = chat.User(o.Title)
		return nil
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s. `/okr mine` shows your objectives.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	text := fmt.Sprintf("Added %s *%s* (%s → %s) to %s %s.", k.Ref(), chat.User(k.Title),
		chat.User(okrcore.FormatValue(k.Start, k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit)), ref, objTitle)
	if k.Metric == okrcore.MetricMilestone {
		text = fmt.Sprintf("Added milestone %s *%s* to %s %s. Say `%s done` when it is.", k.Ref(), chat.User(k.Title), ref, objTitle, k.Ref())
	}
	return withWarnings(text, warnings), nil
}

// krOptions are the options of `/okr new kr`; the flags count after a
// quoted title.
var krOptions = map[string]reply.OptionSpec{
	"from": reply.NumOption("the start", "from 0"), "start": reply.NumOption("the start", "start 0"), "to": reply.NumOption("the target", "to 10"),
	"target": reply.NumOption("the target", "target 10"), "weight": reply.NumOption("the weight", "weight 2"),
	"unit":      {Arity: 1, Hint: "the unit, such as `unit reps`"},
	"currency":  {Arity: 1, Hint: "the currency, such as `currency €`"},
	"owner":     forOption,
	"for":       forOption,
	"milestone": {}, "percent": {}, "decrease": {}, "increase": {},
}

func (e *Engine) newKPI(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	args, teamName := extractTeamOwner(args)
	specs := map[string]reply.OptionSpec{
		"range": {Arity: 1, Valid: func(v []reply.Token) bool { _, _, ok := reply.ParseRange(v[0].Text); return ok }, Hint: "the healthy range, such as `range 99.5-100`"},
		"unit":  {Arity: 1, Hint: "the unit, such as `unit %`"},
		"now":   {Arity: 1, Valid: reply.IsNumber, Hint: "the current value, a number such as `now 99.9`"},
		"for":   forOption,
		"owner": forOption,
	}
	title, opts, err := reply.SplitOptions(args, specs)
	if err != nil {
		return chat.Message{}, err
	}
	if title == "" || opts["range"] == nil {
		return chat.Message{}, usage("Name the KPI and its healthy range: `/okr new kpi \"Uptime\" range 99.5-100 unit %%`.")
	}
	lo, hi, _ := reply.ParseRange(opts["range"][0].Text)
	k := okrcore.KPI{Title: title, HealthyMin: lo, HealthyMax: hi, Owner: okrcore.UserOwner(req.actor.ID)}
	if v := opts["unit"]; v != nil {
		k.Unit = v[0].Text
	}
	if v := opts["now"]; v != nil {
		n, _ := reply.ParseNumber(v[0].Text)
		k.Current = n.Value
	} else {
		k.Current = lo
	}
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if teamName != "" {
			t, err := report.FindTeam(tx, req.ws, teamName)
			if err != nil {
				return err
			}
			k.Owner = okrcore.TeamOwner(t.ID)
		} else if v := reply.FirstOf(opts["for"], opts["owner"]); v != nil {
			if k.Owner, err = ownerOption(tx, req, v); err != nil {
				return err
			}
		}
		return tracking.CreateKPI(tx, req.now, req.actor, &k)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Tracking KPI %s *%s*, healthy between %s and %s. Check in with `%s 99.9`.", k.Ref(), chat.User(k.Title),
		chat.User(okrcore.FormatValue(lo, okrcore.MetricNumber, k.Unit)), chat.User(okrcore.FormatValue(hi, okrcore.MetricNumber, k.Unit)), k.Ref())), nil
}

func (e *Engine) newInitiative(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) < 2 {
		return chat.Message{}, usage("Link it to a key result: `/okr new initiative KR3 \"Hire a second SDR\"`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	if !ok || ref.Kind != okrcore.RefKeyResult {
		return chat.Message{}, usage("Initiatives belong to a key result: `/okr new initiative KR3 \"Hire a second SDR\"`.")
	}
	in := okrcore.Initiative{KeyResult: ref.ID, Title: reply.JoinTokens(args[1:]), Owner: req.actor.ID}
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		return tracking.CreateInitiative(tx, req.now, req.actor, &in)
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Added initiative %s *%s* to %s. Say `/okr done %s` when it is finished.", in.Ref(), chat.User(in.Title), ref, in.Ref())), nil
}

func (e *Engine) initiativeDone(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return e.setInitiative(ctx, req, args, true)
}

func (e *Engine) initiativeUndone(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return e.setInitiative(ctx, req, args, false)
}

func (e *Engine) setInitiative(ctx context.Context, req *request, args []reply.Token, done bool) (chat.Message, error) {
	var ref okrcore.Ref
	ok := len(args) > 0
	if ok {
		ref, ok = okrcore.ParseRef(args[0].Text)
	}
	if !ok || ref.Kind != okrcore.RefInitiative {
		if ok && ref.Kind == okrcore.RefKeyResult && done {
			// "/okr done KR3" is a milestone check-in.
			return e.plainCheckIn(ctx, req, ref.String()+" done")
		}
		return chat.Message{}, usage("Which initiative? Try `/okr done I5`.")
	}
	in, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (*okrcore.Initiative, error) {
		return tracking.SetInitiativeDone(tx, req.actor, ref.ID, done)
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	state := "done ✓"
	if !done {
		state = "open again"
	}
	return chat.Text(fmt.Sprintf("%s *%s* is %s.", in.Ref(), chat.User(in.Title), state)), nil
}

func (e *Engine) edit(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) < 3 {
		return chat.Message{}, usage("Try `/okr edit KR3 target 120`, `/okr edit O2 title \"New title\"` or `/okr edit O2 under KR5`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	field, vals := lower(args[1].Text), args[2:]
	val := reply.JoinTokens(vals)
	if !ok {
		return chat.Message{}, usage("Start with an id such as KR3 or O2: `/okr edit KR3 target 120`.")
	}
	var done string
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		switch ref.Kind {
		case okrcore.RefKeyResult:
			k, err := tx.KeyResult(req.ws, ref.ID)
			if err != nil {
				return err
			}
			switch field {
			case "title":
				k.Title = val
			case "target", "start", "weight":
				n, ok := reply.ParseNumber(val)
				if !ok {
					example := map[string]string{"target": "120", "start": "10", "weight": "2"}[field]
					return usage("I couldn't read \"%s\" as a number. Try `/okr edit %s %s %s`.", chat.User(val), ref, field, example)
				}
				switch field {
				case "target":
					k.Target = n.Value
				case "start":
					k.Start = n.Value
				case "weight":
					if err := okrcore.CheckWeight(n.Value); err != nil {
						return err
					}
					k.Weight = n.Value
				}
			case "unit":
				k.Unit = val
			case "owner":
				if k.Owner, err = ownerOption(tx, req, vals); err != nil {
					return err
				}
			default:
				return usage("A key result's title, target, start, weight, unit or owner can change.")
			}
			if err := okrcore.UpdateKeyResult(tx, req.now, req.actor, k); err != nil {
				return err
			}
			done = fmt.Sprintf("Updated %s: %s (%s).", ref, chat.User(k.Title), report.KRDetail(k))
		case okrcore.RefObjective:
			o, err := tx.Objective(req.ws, ref.ID)
			if err != nil {
				return err
			}
			switch field {
			case "title":
				o.Title = val
			case "weight":
				n, ok := reply.ParseNumber(val)
				if !ok {
					return usage("I couldn't read \"%s\" as a number. Try `/okr edit %s weight 2`.", chat.User(val), ref)
				}
				if err := okrcore.CheckWeight(n.Value); err != nil {
					return err
				}
				o.Weight = n.Value
			case "owner":
				if o.Owner, err = ownerOption(tx, req, vals); err != nil {
					return err
				}
			case "under", "align", "parent":
				o.ParentKR, o.ParentObjective = 0, 0
				if l := lower(val); l != "none" && l != "nothing" {
					p, ok := okrcore.ParseRef(val)
					switch {
					case ok && p.Kind == okrcore.RefKeyResult:
						o.ParentKR = p.ID
					case ok && p.Kind == okrcore.RefObjective:
						o.ParentObjective = p.ID
					default:
						return usage("Align under a key result or an objective: `/okr edit %s under KR5`, or `under none`.", ref)
					}
				}
			default:
				return usage("An objective's title, owner, weight or alignment (`under KR5`) can change.")
			}
			if err := okrcore.UpdateObjective(tx, req.now, req.actor, o); err != nil {
				return err
			}
			done = fmt.Sprintf("Updated %s: %s.", ref, chat.User(o.Title))
		case okrcore.RefKPI:
			k, err := tracking.UpdateKPI(tx, req.actor, ref.ID, func(k *okrcore.KPI) error { return editKPI(k, ref, field, val) })
			if err != nil {
				return err
			}
			done = fmt.Sprintf("Updated %s: %s.", ref, chat.User(k.Title))
		default:
			return usage("I can edit objectives, key results and KPIs.")
		}
		return nil
	})
	if okrcore.IsNotFound(err) && okrcore.ErrorMessage(err) == "" {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(done), nil
}

// editKPI reads "title …", "range 99.5-100" or "unit …" into k.
func editKPI(k *okrcore.KPI, ref okrcore.Ref, field, val string) error {
	switch field {
	case "title":
		k.Title = val
	case "range":
		lo, hi, ok := reply.ParseRange(val)
		if !ok {
			return usage("Write the range as low-high: `/okr edit %s range 99.5-100`.", ref)
		}
		k.HealthyMin, k.HealthyMax = lo, hi
	case "unit":
		k.Unit = val
	default:
		return usage("A KPI's title, range or unit can change.")
	}
	return nil
}

func (e *Engine) grade(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) < 2 {
		return chat.Message{}, usage("Grade a key result from 0.0 to 1.0: `/okr grade KR3 0.7`.")
	}
	ref, ok := okrcore.ParseRef(args[0].Text)
	if !ok || ref.Kind != okrcore.RefKeyResult {
		return chat.Message{}, usage("Grades go on key results: `/okr grade KR3 0.7`.")
	}
	n, ok := reply.ParseNumber(args[1].Text)
	if !ok {
		return chat.Message{}, usage("I couldn't read \"%s\" as a grade. Use a number from 0.0 to 1.0, like `/okr grade %s 0.7`.", chat.User(args[1].Text), ref)
	}
	score := n.Value
	if n.Percent {
		score /= 100
	}
	var k *okrcore.KeyResult
	var o *okrcore.Objective
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		k, o, err = okrcore.GradeKeyResult(tx, req.now, req.actor, ref.ID, score)
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	verdict := "not achieved"
	if okrcore.Achieved(*k.Score, okrcore.DefaultRules()) {
		verdict = "achieved"
	}
	return chat.Text(fmt.Sprintf("Graded %s *%s* %.1f (%s). %s now scores %.2f.", k.Ref(), chat.User(k.Title), *k.Score, verdict, o.Ref(), *o.Score)), nil
}

func (e *Engine) cycle(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return cyclecmd.Run(ctx, e.store, req.now, req.actor, args)
}

func (e *Engine) role(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr role @alice admin` (admin, member or observer).")
	}
	role, ok := okrcore.ParseRole(args[1].Text)
	if !ok {
		return chat.Message{}, usage("\"%s\" is not a role: use admin, member or observer.", chat.User(args[1].Text))
	}
	u, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (*okrcore.User, error) {
		return okrcore.SetRole(tx, req.actor, named(tx, req, args[0]), role)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("%s is now %s.", chat.User(u.Name), role)), nil
}

func (e *Engine) rules(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	r, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (okrcore.Rules, error) {
		if len(args) >= 2 {
			return okrcore.SetRules(tx, req.actor, func(r *okrcore.Rules) error { return applyRule(r, args) })
		}
		w, err := tx.Workspace(req.ws)
		if err != nil {
			return okrcore.Rules{}, err
		}
		if len(args) == 1 {
			return okrcore.Rules{}, usage("Try `/okr rules objectives 3-5`, `/okr rules krs 2-5` or `/okr rules retro 5`.")
		}
		return w.Rules.OrDefault(), nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	mark := "a decimal point (1,000.5)"
	if r.DecimalComma {
		mark = "a decimal comma (1.000,5)"
	}
	return chat.Text(fmt.Sprintf("OKR rules (I warn, I don't block): %d–%d objectives per owner per cycle, %d–%d key results per objective. More I say as it is written; fewer I say when it is time: to an objective's owner once, when it still has fewer than %[8]s a day after it was written, and in each team's planning digest on a cycle's first weekday (owners with fewer than %[9]s, objectives with fewer than %[8]s). A grade of %[5].1f or more counts as achieved. A team's retrospective results show from %[6]d answers, once answering has closed. Check-ins here write numbers with %[7]s, unless a person's chat app says otherwise.",
		r.MinObjectives, r.MaxObjectives, r.MinKeyResults, r.MaxKeyResults, r.AchievedScore, r.RetroMinimum(), mark, report.Count(r.MinKeyResults, "key result"), report.Count(r.MinObjectives, "objective"))), nil
}

// applyRule reads "objectives 3-5", "krs 2-5", "retro 5" or "decimal comma"
// into r.
func applyRule(r *okrcore.Rules, args []reply.Token) error {
	switch lower(args[0].Text) {
	case "retro":
		return applyRetroRule(r, args[1:])
	case "decimal":
		switch lower(args[1].Text) {
		case "comma":
			r.DecimalComma = true
		case "point", "dot":
			r.DecimalComma = false
		default:
			return usage("Try `/okr rules decimal comma` (people write 1.000,5) or `/okr rules decimal point` (1,000.5).")
		}
		return nil
	}
	lo, hi, ok := reply.ParseRange(args[1].Text)
	if !ok || lo < 0 || hi < lo || hi > 50 || lo != float64(int(lo)) || hi != float64(int(hi)) {
		return usage("Write the range as whole numbers low-high, like `/okr rules objectives 3-5`.")
	}
	switch lower(args[0].Text) {
	case "objectives":
		r.MinObjectives, r.MaxObjectives = int(lo), int(hi)
	case "krs", "keyresults":
		r.MinKeyResults, r.MaxKeyResults = int(lo), int(hi)
	default:
		return usage("I can set `objectives` (per owner) or `krs` (per objective).")
	}
	return nil
}

func (e *Engine) timezone(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) != 1 {
		return chat.Message{}, usage("Try `/okr timezone Europe/Berlin` (an IANA time zone name).")
	}
	loc, err := time.LoadLocation(args[0].Text)
	if err != nil || args[0].Text == "" || strings.EqualFold(args[0].Text, "local") {
		return chat.Message{}, usage("I don't know the time zone \"%s\". Use a name like Europe/Berlin or America/Seattle.", chat.User(args[0].Text))
	}
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		_, err := people.SetUserTimezone(tx, req.actor, loc.String())
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Your time zone is now %s (it is %s there).", chat.User(loc.String()), req.now.In(loc).Format("Mon 15:04"))), nil
}

var teamSubcommands = map[string]bool{"create": true, "add": true, "remove": true, "lead": true, "parent": true, "channel": true, "timezone": true}

func (e *Engine) teamAdmin(ctx context.Context, req *request, sub string, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Try `/okr team %s NAME …`; `/okr help team` has examples.", sub)
	}
	if sub == "add" || sub == "lead" {
		if err := e.lookUpUnknown(ctx, req, args[1:]); err != nil {
			return chat.Message{}, err
		}
	}
	text, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (string, error) {
		if sub == "create" {
			return createTeam(tx, req, args)
		}
		t, err := report.FindTeam(tx, req.ws, args[0].Text)
		if err != nil {
			return "", err
		}
		switch sub {
		case "add", "remove":
			return teamMembers(tx, req, sub, t, args[1:])
		case "lead", "parent":
			return teamPlace(tx, req, sub, t, args[1:])
		}
		return teamDigest(tx, req, sub, t, args[1:])
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(text), nil
}

func createTeam(tx okrcore.Tx, req *request, args []reply.Token) (string, error) {
	name, opts, err := reply.SplitOptions(args, map[string]reply.OptionSpec{"under": {Arity: 1, Hint: "the team above, such as `under Sales`"}})
	if err != nil {
		return "", err
	}
	var parent okrcore.Later[okrcore.ID]
	if v := opts["under"]; v != nil {
		parent = teamNamed(tx, req, v[0])
	}
	t, err := teams.CreateTeam(tx, req.actor, name, parent)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Created team %s (%s). Add people with `/okr team add %s @alice @bob`.", chat.User(t.Name), t.Ref(), chat.User(quoteName(t.Name))), nil
}

// teamNamed is the team a word names, looked up only when the operation
// asks.
func teamNamed(tx okrcore.Tx, req *request, tok reply.Token) okrcore.Later[okrcore.ID] {
	return func() (okrcore.ID, error) {
		t, err := report.FindTeam(tx, req.ws, tok.Text)
		if err != nil {
			return 0, err
		}
		return t.ID, nil
	}
}

// needRest asks for what comes after a team's name. Like the rest of what
// was typed, okrcore reads it after its permission check, so that someone
// who may not change the team hears that first.
func needRest(sub string, t *okrcore.Team, rest []reply.Token) error {
	if len(rest) == 0 {
		return usage("Say who or what: `/okr team %s %s …`.", sub, chat.User(quoteName(t.Name)))
	}
	return nil
}

// teamMembers is `team add NAME @a @b` and `team remove NAME @a`.
func teamMembers(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []reply.Token) (string, error) {
	people := func() ([]okrcore.ID, error) {
		if err := needRest(sub, t, rest); err != nil {
			return nil, err
		}
		ids := make([]okrcore.ID, 0, len(rest))
		for _, tok := range rest {
			id, err := named(tx, req, tok)()
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	op, verb := teams.AddTeamMembers, "Added %s to %s."
	if sub == "remove" {
		op, verb = teams.RemoveTeamMembers, "Removed %s from %s."
	}
	t, us, err := op(tx, req.actor, t.ID, people)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(us))
	for _, u := range us {
		names = append(names, chat.User(u.Name))
	}
	return fmt.Sprintf(verb, strings.Join(names, ", "), chat.User(t.Name)), nil
}

// teamPlace is `team lead NAME @a` and `team parent NAME OTHER|none`.
func teamPlace(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []reply.Token) (string, error) {
	if sub == "lead" {
		t, u, err := teams.SetTeamLead(tx, req.actor, t.ID, func() (okrcore.ID, error) {
			if err := needRest(sub, t, rest); err != nil {
				return 0, err
			}
			return named(tx, req, rest[0])()
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s now leads %s.", chat.User(u.Name), chat.User(t.Name)), nil
	}
	t, p, err := teams.SetTeamParent(tx, req.actor, t.ID, func() (okrcore.ID, error) {
		if err := needRest(sub, t, rest); err != nil {
			return 0, err
		}
		if lower(rest[0].Text) == "none" {
			return 0, nil
		}
		return teamNamed(tx, req, rest[0])()
	})
	if err != nil {
		return "", err
	}
	if p == nil {
		return fmt.Sprintf("%s is now a top-level team.", chat.User(t.Name)), nil
	}
	return fmt.Sprintf("%s is now part of %s.", chat.User(t.Name), chat.User(p.Name)), nil
}

// teamDigest is `team channel NAME #channel` and `team timezone NAME ZONE`.
func teamDigest(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []reply.Token) (string, error) {
	if sub == "channel" {
		t, err := teams.SetTeamChannel(tx, req.actor, t.ID, req.ev.Platform, func() (string, error) {
			if err := needRest(sub, t, rest); err != nil {
				return "", err
			}
			return rest[0].Text, nil
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s's digest goes to %s.", chat.User(t.Name), chat.User(t.DigestChannel)), nil
	}
	// The zone database is read here, not inside okrcore; its answer waits
	// for the permission check like the rest.
	var zone string
	var zoneErr error
	if len(rest) > 0 {
		if loc, err := time.LoadLocation(rest[0].Text); err != nil {
			zoneErr = usage("I don't know the time zone \"%s\". Use a name like Europe/Berlin.", chat.User(rest[0].Text))
		} else {
			zone = loc.String()
		}
	}
	t, err := teams.SetTeamTimezone(tx, req.actor, t.ID, func() (string, error) {
		if err := needRest(sub, t, rest); err != nil {
			return "", err
		}
		return zone, zoneErr
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s's time zone is now %s.", chat.User(t.Name), chat.User(t.TimeZone)), nil
}

func quoteName(s string) string {
	if strings.ContainsAny(s, " \t") {
		return strconv.Quote(s)
	}
	return s
}
