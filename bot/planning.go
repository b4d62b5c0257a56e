package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// optionSpec is a keyword option of a command ("weight 2", "for @alice").
type optionSpec struct {
	// arity is how many tokens follow the keyword; a flag ("milestone")
	// has none and counts only after a quoted title.
	arity int
	valid func(vals []token) bool
	// hint says what the option sets and how it is written, for the
	// message when its value can't be read: "the weight, a number such
	// as `weight 2`".
	hint string
}

// splitOptions splits command arguments into a title and keyword options.
// Without quotes a keyword counts only where its value is valid, so a
// title may contain the word "for" or "to". After a quoted title only
// options follow: a word that isn't one, or an option whose value can't
// be read, is an error rather than more title.
func splitOptions(args []token, specs map[string]optionSpec) (title string, opts map[string][]token, err error) {
	opts = map[string][]token{}
	var words []string
	quoted := false
	for i := 0; i < len(args); i++ {
		t := args[i]
		if s, ok := specs[lower(t.text)]; ok && !t.quoted && (s.arity > 0 || quoted) {
			if i+s.arity < len(args) && (s.valid == nil || s.valid(args[i+1:i+1+s.arity])) {
				opts[lower(t.text)] = args[i+1 : i+1+s.arity]
				i += s.arity
				continue
			}
			if quoted {
				return "", nil, usage("I couldn't read `%s` after the quoted title: that's %s. Nothing was changed.",
					joinTokens(args[i:min(len(args), i+1+s.arity)]), s.hint)
			}
		}
		if quoted {
			j := i + 1
			for j < len(args) && !hasSpec(specs, args[j]) {
				j++
			}
			return "", nil, usage("I couldn't read %q after the quoted title %q: only options (%s) may follow it. Put the words of the title inside the quotes; nothing was changed.",
				joinTokens(args[i:j]), strings.Join(words, " "), optionNames(specs))
		}
		words = append(words, t.text)
		quoted = t.quoted
	}
	return strings.TrimSpace(strings.Join(words, " ")), opts, nil
}

func hasSpec(specs map[string]optionSpec, t token) bool {
	_, ok := specs[lower(t.text)]
	return ok && !t.quoted
}

// optionNames lists the keywords of specs for messages: "for, owner, under".
func optionNames(specs map[string]optionSpec) string {
	names := make([]string, 0, len(specs))
	for k := range specs {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func isNumber(v []token) bool { _, ok := reply.ParseNumber(v[0].text); return ok }
func isRef(kinds ...okrcore.RefKind) func([]token) bool {
	return func(v []token) bool {
		r, ok := okrcore.ParseRef(v[0].text)
		if !ok {
			return false
		}
		for _, k := range kinds {
			if r.Kind == k {
				return true
			}
		}
		return false
	}
}
func isMention(v []token) bool {
	s := v[0].text
	return strings.HasPrefix(s, "@") || strings.HasPrefix(s, "<@")
}

// ownerOption reads "for @alice", "for team Sales", "owner @bob".
func ownerOption(tx okrcore.Tx, req *request, vals []token) (okrcore.Owner, error) {
	if len(vals) >= 2 && lower(vals[0].text) == "team" {
		t, err := report.FindTeam(tx, req.ws, vals[1].text)
		if err != nil {
			return okrcore.Owner{}, err
		}
		return okrcore.TeamOwner(t.ID), nil
	}
	u, err := findUser(tx, req.ws, req.ev.Platform, vals[0].text)
	if err != nil {
		return okrcore.Owner{}, err
	}
	return okrcore.UserOwner(u.ID), nil
}

// named is the person a word names ("@alice", "#12", a mention), looked
// up only when the operation asks, after its permission check.
func named(tx okrcore.Tx, req *request, tok token) okrcore.Later[okrcore.ID] {
	return func() (okrcore.ID, error) {
		u, err := findUser(tx, req.ws, req.ev.Platform, tok.text)
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
}

func (e *Engine) newCmd(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Text(newHelp), nil
	}
	what := lower(args[0].text)
	switch what {
	case "objective", "obj", "o":
		return e.newObjective(ctx, req, args[1:])
	case "kr", "keyresult", "key":
		rest := args[1:]
		if what == "key" && len(rest) > 0 && lower(rest[0].text) == "result" {
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
var forOption = optionSpec{arity: 1, valid: isMention, hint: "the owner, a person such as `for @alice` or a team such as `for team Sales`"}

func (e *Engine) newObjective(ctx context.Context, req *request, args []token) (chat.Message, error) {
	specs := map[string]optionSpec{
		"for":    forOption,
		"owner":  forOption,
		"under":  {arity: 1, valid: isRef(okrcore.RefKeyResult, okrcore.RefObjective), hint: "where it aligns, a key result or an objective such as `under KR3`"},
		"weight": {arity: 1, valid: isNumber, hint: "the weight, a number such as `weight 2`"},
	}
	// "for team Sales" takes two tokens.
	args, teamName := extractTeamOwner(args)
	title, opts, err := splitOptions(args, specs)
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
			r, _ := okrcore.ParseRef(v[0].text)
			if r.Kind == okrcore.RefKeyResult {
				o.ParentKR = r.ID
			} else {
				o.ParentObjective = r.ID
			}
		}
		if v := opts["weight"]; v != nil {
			n, _ := reply.ParseNumber(v[0].text)
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
	text := fmt.Sprintf("Created %s *%s* for %s. Add key results: `/okr new kr %s \"Measure\" from 0 to 10`.", o.Ref(), o.Title, name, o.Ref())
	return withWarnings(text, warnings), nil
}

// extractTeamOwner pulls "for team NAME" / "owner team NAME" out of args.
func extractTeamOwner(args []token) ([]token, string) {
	for i := 0; i+2 < len(args); i++ {
		k := lower(args[i].text)
		if !args[i].quoted && (k == "for" || k == "owner") && lower(args[i+1].text) == "team" && !args[i+1].quoted {
			out := append(append([]token(nil), args[:i]...), args[i+3:]...)
			return out, args[i+2].text
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

func (e *Engine) newKeyResult(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Which objective? Try `/okr new kr O1 \"Grow ARR\" from 1M to 2M`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	if !ok || ref.Kind != okrcore.RefObjective {
		return chat.Message{}, usage("Start with the objective's id: `/okr new kr O1 \"Grow ARR\" from 1M to 2M`.")
	}
	args, teamName := extractTeamOwner(args[1:])
	title, opts, err := splitOptions(args, krOptions)
	if err != nil {
		return chat.Message{}, err
	}
	// Flags after a quoted title, or bare at the end of the line.
	quotedTitle := slices.ContainsFunc(args, func(t token) bool { return t.quoted })
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
		target, _ := reply.ParseNumber(to[0].text)
		var start reply.Number
		if from := firstOf(opts["from"], opts["start"]); from != nil {
			start, _ = reply.ParseNumber(from[0].text)
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
		k.Metric, k.Unit = okrcore.MetricCurrency, v[0].text
	}
	if v := opts["unit"]; v != nil && k.Metric != okrcore.MetricCurrency {
		k.Unit = v[0].text
	}
	if v := opts["weight"]; v != nil {
		n, _ := reply.ParseNumber(v[0].text)
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
		} else if v := firstOf(opts["owner"], opts["for"]); v != nil {
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
		objTitle = o.Title
		return nil
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s. `/okr mine` shows your objectives.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	text := fmt.Sprintf("Added %s *%s* (%s → %s) to %s %s.", k.Ref(), k.Title,
		okrcore.FormatValue(k.Start, k.Metric, k.Unit), okrcore.FormatValue(k.Target, k.Metric, k.Unit), ref, objTitle)
	if k.Metric == okrcore.MetricMilestone {
		text = fmt.Sprintf("Added milestone %s *%s* to %s %s. Say `%s done` when it is.", k.Ref(), k.Title, ref, objTitle, k.Ref())
	}
	return withWarnings(text, warnings), nil
}

// krOptions are the options of `/okr new kr`; the flags count after a
// quoted title.
var krOptions = map[string]optionSpec{
	"from": numOption("the start", "from 0"), "start": numOption("the start", "start 0"), "to": numOption("the target", "to 10"),
	"target": numOption("the target", "target 10"), "weight": numOption("the weight", "weight 2"),
	"unit":      {arity: 1, hint: "the unit, such as `unit reps`"},
	"currency":  {arity: 1, hint: "the currency, such as `currency €`"},
	"owner":     forOption,
	"for":       forOption,
	"milestone": {}, "percent": {}, "decrease": {}, "increase": {},
}

// numOption is an option taking a number: what it sets, and an example.
func numOption(what, example string) optionSpec {
	return optionSpec{arity: 1, valid: isNumber, hint: what + ", a number such as `" + example + "`"}
}

func firstOf(vs ...[]token) []token {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// parseRange reads "10-20", "10–20", "99.5-100".
func parseRange(s string) (lo, hi float64, ok bool) {
	s = strings.ReplaceAll(s, "–", "-")
	i := strings.LastIndex(s, "-")
	if i <= 0 {
		return 0, 0, false
	}
	a, ok1 := reply.ParseNumber(s[:i])
	b, ok2 := reply.ParseNumber(s[i+1:])
	return a.Value, b.Value, ok1 && ok2
}

func (e *Engine) newKPI(ctx context.Context, req *request, args []token) (chat.Message, error) {
	args, teamName := extractTeamOwner(args)
	specs := map[string]optionSpec{
		"range": {arity: 1, valid: func(v []token) bool { _, _, ok := parseRange(v[0].text); return ok }, hint: "the healthy range, such as `range 99.5-100`"},
		"unit":  {arity: 1, hint: "the unit, such as `unit %`"},
		"now":   {arity: 1, valid: isNumber, hint: "the current value, a number such as `now 99.9`"},
		"for":   forOption,
		"owner": forOption,
	}
	title, opts, err := splitOptions(args, specs)
	if err != nil {
		return chat.Message{}, err
	}
	if title == "" || opts["range"] == nil {
		return chat.Message{}, usage("Name the KPI and its healthy range: `/okr new kpi \"Uptime\" range 99.5-100 unit %%`.")
	}
	lo, hi, _ := parseRange(opts["range"][0].text)
	k := okrcore.KPI{Title: title, HealthyMin: lo, HealthyMax: hi, Owner: okrcore.UserOwner(req.actor.ID)}
	if v := opts["unit"]; v != nil {
		k.Unit = v[0].text
	}
	if v := opts["now"]; v != nil {
		n, _ := reply.ParseNumber(v[0].text)
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
		} else if v := firstOf(opts["for"], opts["owner"]); v != nil {
			if k.Owner, err = ownerOption(tx, req, v); err != nil {
				return err
			}
		}
		return okrcore.CreateKPI(tx, req.now, req.actor, &k)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Tracking KPI %s *%s*, healthy between %s and %s. Check in with `%s 99.9`.", k.Ref(), k.Title,
		okrcore.FormatValue(lo, okrcore.MetricNumber, k.Unit), okrcore.FormatValue(hi, okrcore.MetricNumber, k.Unit), k.Ref())), nil
}

func (e *Engine) newInitiative(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) < 2 {
		return chat.Message{}, usage("Link it to a key result: `/okr new initiative KR3 \"Hire a second SDR\"`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	if !ok || ref.Kind != okrcore.RefKeyResult {
		return chat.Message{}, usage("Initiatives belong to a key result: `/okr new initiative KR3 \"Hire a second SDR\"`.")
	}
	in := okrcore.Initiative{KeyResult: ref.ID, Title: joinTokens(args[1:]), Owner: req.actor.ID}
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		return okrcore.CreateInitiative(tx, req.now, req.actor, &in)
	})
	if okrcore.IsNotFound(err) {
		return chat.Message{}, usage("There is no %s.", ref)
	}
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Added initiative %s *%s* to %s. Say `/okr done %s` when it is finished.", in.Ref(), in.Title, ref, in.Ref())), nil
}

func (e *Engine) initiativeDone(ctx context.Context, req *request, args []token) (chat.Message, error) {
	return e.setInitiative(ctx, req, args, true)
}

func (e *Engine) initiativeUndone(ctx context.Context, req *request, args []token) (chat.Message, error) {
	return e.setInitiative(ctx, req, args, false)
}

func (e *Engine) setInitiative(ctx context.Context, req *request, args []token, done bool) (chat.Message, error) {
	var ref okrcore.Ref
	ok := len(args) > 0
	if ok {
		ref, ok = okrcore.ParseRef(args[0].text)
	}
	if !ok || ref.Kind != okrcore.RefInitiative {
		if ok && ref.Kind == okrcore.RefKeyResult && done {
			// "/okr done KR3" is a milestone check-in.
			return e.plainCheckIn(ctx, req, ref.String()+" done")
		}
		return chat.Message{}, usage("Which initiative? Try `/okr done I5`.")
	}
	in, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (*okrcore.Initiative, error) {
		return okrcore.SetInitiativeDone(tx, req.actor, ref.ID, done)
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
	return chat.Text(fmt.Sprintf("%s *%s* is %s.", in.Ref(), in.Title, state)), nil
}

func (e *Engine) edit(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) < 3 {
		return chat.Message{}, usage("Try `/okr edit KR3 target 120`, `/okr edit O2 title \"New title\"` or `/okr edit O2 under KR5`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	field, vals := lower(args[1].text), args[2:]
	val := joinTokens(vals)
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
					return usage("I couldn't read %q as a number. Try `/okr edit %s %s %s`.", val, ref, field, example)
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
			done = fmt.Sprintf("Updated %s: %s (%s).", ref, k.Title, report.KRDetail(k))
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
					return usage("I couldn't read %q as a number. Try `/okr edit %s weight 2`.", val, ref)
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
			done = fmt.Sprintf("Updated %s: %s.", ref, o.Title)
		case okrcore.RefKPI:
			k, err := okrcore.UpdateKPI(tx, req.actor, ref.ID, func(k *okrcore.KPI) error { return editKPI(k, ref, field, val) })
			if err != nil {
				return err
			}
			done = fmt.Sprintf("Updated %s: %s.", ref, k.Title)
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
		lo, hi, ok := parseRange(val)
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

func (e *Engine) grade(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) < 2 {
		return chat.Message{}, usage("Grade a key result from 0.0 to 1.0: `/okr grade KR3 0.7`.")
	}
	ref, ok := okrcore.ParseRef(args[0].text)
	if !ok || ref.Kind != okrcore.RefKeyResult {
		return chat.Message{}, usage("Grades go on key results: `/okr grade KR3 0.7`.")
	}
	n, ok := reply.ParseNumber(args[1].text)
	if !ok {
		return chat.Message{}, usage("I couldn't read %q as a grade. Use a number from 0.0 to 1.0, like `/okr grade %s 0.7`.", args[1].text, ref)
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
	return chat.Text(fmt.Sprintf("Graded %s *%s* %.1f (%s). %s now scores %.2f.", k.Ref(), k.Title, *k.Score, verdict, o.Ref(), *o.Score)), nil
}

func (e *Engine) cycle(ctx context.Context, req *request, args []token) (chat.Message, error) {
	sub := ""
	if len(args) > 0 {
		sub = lower(args[0].text)
	}
	switch sub {
	case "", "show", "list":
		var m chat.Message
		err := e.store.View(ctx, func(tx okrcore.Tx) error {
			cs, err := tx.Cycles(req.ws)
			if err != nil {
				return err
			}
			cur, err := okrcore.CurrentCycle(tx, req.ws)
			if err != nil && !okrcore.IsNotFound(err) {
				return err
			}
			var lines []string
			for _, c := range cs {
				mark := "  "
				if cur != nil && c.ID == cur.ID {
					mark = "▶ "
				}
				lines = append(lines, fmt.Sprintf("%s%s %s: %s to %s%s", mark, okrcore.Ref{Kind: okrcore.RefCycle, ID: c.ID}, c.Name,
					c.Start.Format("Jan 2 2006"), c.End.AddDate(0, 0, -1).Format("Jan 2 2006"), map[bool]string{true: " (closed)"}[c.Closed]))
			}
			head := "No current cycle."
			if cur != nil {
				head = "Current cycle: " + report.CycleLine(cur, req.now)
			}
			m = chat.Text(head + "\n" + strings.Join(lines, "\n"))
			return nil
		})
		return m, err
	case "new", "set", "close":
	default:
		return chat.Message{}, usage("Try `/okr cycle`, `/okr cycle new Q1 2027`, `/okr cycle set Q1 2027` or `/okr cycle close`.")
	}
	spec := joinTokens(args[1:])
	text, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (string, error) {
		switch sub {
		case "new":
			c, current, err := okrcore.CreateCycle(tx, req.now, req.actor, func() (okrcore.Cycle, error) { return okrcore.ParseCycle(spec) })
			if err != nil {
				return "", err
			}
			text := fmt.Sprintf("Created cycle %s (%s to %s).", c.Name, c.Start.Format("Jan 2 2006"), c.End.AddDate(0, 0, -1).Format("Jan 2 2006"))
			if current {
				return text + " It is now the current cycle.", nil
			}
			return text + fmt.Sprintf(" Make it current with `/okr cycle set %s`.", c.Name), nil
		case "set":
			c, err := okrcore.SetCurrentCycle(tx, req.actor, spec)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("The current cycle is now %s.", c.Name), nil
		}
		c, n, achieved, err := okrcore.CloseCurrentCycle(tx, req.now, req.actor)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Closed %s: %s scored, %d achieved (0.7 or more). Start the next one with `/okr cycle new`.", c.Name, report.Count(n, "objective"), achieved), nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(text), nil
}

func (e *Engine) role(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) != 2 {
		return chat.Message{}, usage("Try `/okr role @alice admin` (admin, member or observer).")
	}
	role, ok := okrcore.ParseRole(args[1].text)
	if !ok {
		return chat.Message{}, usage("%q is not a role: use admin, member or observer.", args[1].text)
	}
	u, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (*okrcore.User, error) {
		return okrcore.SetRole(tx, req.actor, named(tx, req, args[0]), role)
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("%s is now %s.", u.Name, role)), nil
}

func (e *Engine) rules(ctx context.Context, req *request, args []token) (chat.Message, error) {
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
	return chat.Text(fmt.Sprintf("OKR rules (I warn, I don't block): %d–%d objectives per owner per cycle, %d–%d key results per objective; a grade of %.1f or more counts as achieved. A team's retrospective results show from %d answers, once answering has closed. Check-ins here write numbers with %s, unless a person's chat app says otherwise.",
		r.MinObjectives, r.MaxObjectives, r.MinKeyResults, r.MaxKeyResults, r.AchievedScore, r.RetroMinimum(), mark)), nil
}

// applyRule reads "objectives 3-5", "krs 2-5", "retro 5" or "decimal comma"
// into r.
func applyRule(r *okrcore.Rules, args []token) error {
	switch lower(args[0].text) {
	case "retro":
		return applyRetroRule(r, args[1:])
	case "decimal":
		switch lower(args[1].text) {
		case "comma":
			r.DecimalComma = true
		case "point", "dot":
			r.DecimalComma = false
		default:
			return usage("Try `/okr rules decimal comma` (people write 1.000,5) or `/okr rules decimal point` (1,000.5).")
		}
		return nil
	}
	lo, hi, ok := parseRange(args[1].text)
	if !ok || lo < 0 || hi < lo || hi > 50 || lo != float64(int(lo)) || hi != float64(int(hi)) {
		return usage("Write the range as whole numbers low-high, like `/okr rules objectives 3-5`.")
	}
	switch lower(args[0].text) {
	case "objectives":
		r.MinObjectives, r.MaxObjectives = int(lo), int(hi)
	case "krs", "keyresults":
		r.MinKeyResults, r.MaxKeyResults = int(lo), int(hi)
	default:
		return usage("I can set `objectives` (per owner) or `krs` (per objective).")
	}
	return nil
}

func (e *Engine) timezone(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) != 1 {
		return chat.Message{}, usage("Try `/okr timezone Europe/Berlin` (an IANA time zone name).")
	}
	loc, err := time.LoadLocation(args[0].text)
	if err != nil || args[0].text == "" || strings.EqualFold(args[0].text, "local") {
		return chat.Message{}, usage("I don't know the time zone %q. Use a name like Europe/Berlin or America/Seattle.", args[0].text)
	}
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		_, err := okrcore.SetUserTimezone(tx, req.actor, loc.String())
		return err
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text(fmt.Sprintf("Your time zone is now %s (it is %s there).", loc, req.now.In(loc).Format("Mon 15:04"))), nil
}

var teamSubcommands = map[string]bool{"create": true, "add": true, "remove": true, "lead": true, "parent": true, "channel": true, "timezone": true}

func (e *Engine) teamAdmin(ctx context.Context, req *request, sub string, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return chat.Message{}, usage("Try `/okr team %s NAME …`; `/okr help team` has examples.", sub)
	}
	text, err := okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (string, error) {
		if sub == "create" {
			return createTeam(tx, req, args)
		}
		t, err := report.FindTeam(tx, req.ws, args[0].text)
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

func createTeam(tx okrcore.Tx, req *request, args []token) (string, error) {
	name, opts, err := splitOptions(args, map[string]optionSpec{"under": {arity: 1, hint: "the team above, such as `under Sales`"}})
	if err != nil {
		return "", err
	}
	var parent okrcore.Later[okrcore.ID]
	if v := opts["under"]; v != nil {
		parent = teamNamed(tx, req, v[0])
	}
	t, err := okrcore.CreateTeam(tx, req.actor, name, parent)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Created team %s (%s). Add people with `/okr team add %s @alice @bob`.", t.Name, t.Ref(), quoteName(t.Name)), nil
}

// teamNamed is the team a word names, looked up only when the operation
// asks.
func teamNamed(tx okrcore.Tx, req *request, tok token) okrcore.Later[okrcore.ID] {
	return func() (okrcore.ID, error) {
		t, err := report.FindTeam(tx, req.ws, tok.text)
		if err != nil {
			return 0, err
		}
		return t.ID, nil
	}
}

// needRest asks for what comes after a team's name. Like the rest of what
// was typed, okrcore reads it after its permission check, so that someone
// who may not change the team hears that first.
func needRest(sub string, t *okrcore.Team, rest []token) error {
	if len(rest) == 0 {
		return usage("Say who or what: `/okr team %s %s …`.", sub, quoteName(t.Name))
	}
	return nil
}

// teamMembers is `team add NAME @a @b` and `team remove NAME @a`.
func teamMembers(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []token) (string, error) {
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
	op, verb := okrcore.AddTeamMembers, "Added %s to %s."
	if sub == "remove" {
		op, verb = okrcore.RemoveTeamMembers, "Removed %s from %s."
	}
	t, us, err := op(tx, req.actor, t.ID, people)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(us))
	for _, u := range us {
		names = append(names, u.Name)
	}
	return fmt.Sprintf(verb, strings.Join(names, ", "), t.Name), nil
}

// teamPlace is `team lead NAME @a` and `team parent NAME OTHER|none`.
func teamPlace(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []token) (string, error) {
	if sub == "lead" {
		t, u, err := okrcore.SetTeamLead(tx, req.actor, t.ID, func() (okrcore.ID, error) {
			if err := needRest(sub, t, rest); err != nil {
				return 0, err
			}
			return named(tx, req, rest[0])()
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s now leads %s.", u.Name, t.Name), nil
	}
	t, p, err := okrcore.SetTeamParent(tx, req.actor, t.ID, func() (okrcore.ID, error) {
		if err := needRest(sub, t, rest); err != nil {
			return 0, err
		}
		if lower(rest[0].text) == "none" {
			return 0, nil
		}
		return teamNamed(tx, req, rest[0])()
	})
	if err != nil {
		return "", err
	}
	if p == nil {
		return fmt.Sprintf("%s is now a top-level team.", t.Name), nil
	}
	return fmt.Sprintf("%s is now part of %s.", t.Name, p.Name), nil
}

// teamDigest is `team channel NAME #channel` and `team timezone NAME ZONE`.
func teamDigest(tx okrcore.Tx, req *request, sub string, t *okrcore.Team, rest []token) (string, error) {
	if sub == "channel" {
		t, err := okrcore.SetTeamChannel(tx, req.actor, t.ID, req.ev.Platform, func() (string, error) {
			if err := needRest(sub, t, rest); err != nil {
				return "", err
			}
			return rest[0].text, nil
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s's digest goes to %s.", t.Name, t.DigestChannel), nil
	}
	// The zone database is read here, not inside okrcore; its answer waits
	// for the permission check like the rest.
	var zone string
	var zoneErr error
	if len(rest) > 0 {
		if loc, err := time.LoadLocation(rest[0].text); err != nil {
			zoneErr = usage("I don't know the time zone %q. Use a name like Europe/Berlin.", rest[0].text)
		} else {
			zone = loc.String()
		}
	}
	t, err := okrcore.SetTeamTimezone(tx, req.actor, t.ID, func() (string, error) {
		if err := needRest(sub, t, rest); err != nil {
			return "", err
		}
		return zone, zoneErr
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s's time zone is now %s.", t.Name, t.TimeZone), nil
}

func quoteName(s string) string {
	if strings.ContainsAny(s, " \t") {
		return strconv.Quote(s)
	}
	return s
}
