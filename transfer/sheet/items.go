package sheet

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// pending is an OKR row read on its own, before rows are linked.
type pending struct {
	n      int
	ref    string
	item   transfer.Item
	parent string
	up     *pending
	owner  *person
	team   *team
	cycle  *cycle
	warns  []string
	bad    string
	walked int // 1 while its parents are walked, 2 after
}

func (it *pending) warn(format string, args ...any) {
	it.warns = append(it.warns, fmt.Sprintf(format, args...))
}

// readItems reads the rows of the template or the Explorer export.
func (r *reader) readItems() {
	var note string
	r.order, note = guessOrder(r.t, r.h.row+1, r.h.col(fCycleStart), r.h.col(fCycleEnd))
	if note != "" {
		r.p.Warnings = append(r.p.Warnings, transfer.Warning{Message: note})
	}
	var items []*pending
	badRefs := map[string]int{}
	for _, x := range r.body() {
		if x.blank() {
			continue
		}
		r.rows++
		it, reason := r.itemRow(x)
		if reason != "" {
			r.fail(x.n, reason)
			if ref := r.text(x, fRef); ref != "" {
				badRefs[foldName(ref)] = x.n
			}
			continue
		}
		items = append(items, it)
	}
	r.link(items, badRefs)
	for _, it := range items {
		r.walk(it)
	}
	r.emitItems(items)
	r.emitPeople()
	r.emitCycles()
	slices.SortStableFunc(r.bad, func(a, b RowError) int { return a.Row - b.Row })
}

// itemRow reads one row as far as it can be read alone.
func (r *reader) itemRow(x row) (*pending, string) {
	it := &pending{n: x.n, ref: r.text(x, fRef), parent: r.text(x, fParent)}
	in := &it.item
	in.Record = rowName(x.n)
	in.Title = r.text(x, fTitle)
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		return nil, "has no title"
	case n > okrcore.MaxTitle:
		return nil, fmt.Sprintf("has a title of %d characters; okrbot keeps titles to %d", n, okrcore.MaxTitle)
	}
	kind, reason := r.kindOf(x, it)
	if reason != "" {
		return nil, reason
	}
	in.Kind = kind
	if reason := r.measure(x, it); reason != "" {
		return nil, reason
	}
	if reason := r.owners(x, it); reason != "" {
		return nil, reason
	}
	if reason := r.cycleOf(x, it); reason != "" {
		return nil, reason
	}
	return it, ""
}

// kindOf reads the Type; the template's rows without one are read by
// their Ref when it is one of okrbot's (O3, KR12, KPI2, I4).
func (r *reader) kindOf(x row, it *pending) (transfer.ItemKind, string) {
	s := r.text(x, fType)
	if s == "" {
		if ref, ok := okrcore.ParseRef(it.ref); ok && !r.explorer {
			kind := map[okrcore.RefKind]transfer.ItemKind{okrcore.RefObjective: transfer.ItemObjective,
				okrcore.RefKeyResult: transfer.ItemKeyResult, okrcore.RefKPI: transfer.ItemKPI, okrcore.RefInitiative: transfer.ItemInitiative}[ref.Kind]
			if kind != "" {
				it.warn("has no type; it is read as %s %s, as its Ref %s says", article(kind), kind, it.ref)
				return kind, ""
			}
		}
		return "", "has no type: write objective, key result, initiative or KPI"
	}
	kind, ok := parseKind(s)
	if !ok {
		return "", fmt.Sprintf("%s says %s, which okrbot does not know: write objective, key result, initiative or KPI", r.colName(fType), quote(s))
	}
	return kind, ""
}

func article(k transfer.ItemKind) string {
	if k == transfer.ItemObjective || k == transfer.ItemInitiative {
		return "an"
	}
	return "a"
}

// measure reads the values, weight, status and score of a row.
func (r *reader) measure(x row, it *pending) string {
	in := &it.item
	if s := r.text(x, fStatus); s != "" {
		st := parseStatus(s)
		if !st.known {
			it.warn("its status %s has no equivalent in okrbot; it is imported without a status", quote(s))
		}
		in.Status = st.s
	}
	if in.Kind == transfer.ItemObjective || in.Kind == transfer.ItemKeyResult {
		w, has, why := r.num(x, fWeight)
		if why != "" {
			return why
		}
		if has && (w.v < 0 || w.v > 100) {
			return fmt.Sprintf("%s says %s; weights go from 0 to 100", r.colName(fWeight), quote(r.text(x, fWeight)))
		}
		in.Weight = w.v
		if reason := r.score(x, it); reason != "" {
			return reason
		}
	}
	switch in.Kind {
	case transfer.ItemKeyResult:
		return r.keyResult(x, it)
	case transfer.ItemKPI:
		return r.kpi(x, it)
	case transfer.ItemInitiative:
		in.Done, in.Status = in.Status == okrcore.StatusDone, okrcore.StatusNone
	}
	return ""
}

func (r *reader) score(x row, it *pending) string {
	s, has, why := r.num(x, fScore)
	if why != "" || !has {
		return why
	}
	v := s.v
	if s.percent {
		v /= 100
	}
	if v < 0 || v > 1 {
		return fmt.Sprintf("%s says %s; scores go from 0 to 1", r.colName(fScore), quote(r.text(x, fScore)))
	}
	it.item.Score = &v
	return ""
}

// keyResult reads a key result's measure. A row that says no metric is a
// percentage when its unit is % or it gives neither start nor target,
// currency when its unit is one, else a number; a percentage without a
// target goes to 100; a missing start is 0 and a missing current value
// the start (or, in the Explorer's export, where its progress says).
func (r *reader) keyResult(x row, it *pending) string {
	in := &it.item
	metric, ok := parseMetric(r.text(x, fMetric))
	if !ok {
		return fmt.Sprintf("%s says %s, which okrbot does not know: write percent, number, currency or milestone", r.colName(fMetric), quote(r.text(x, fMetric)))
	}
	in.Unit = r.text(x, fUnit)
	var vals [4]number
	var has [4]bool
	for i, f := range []field{fStart, fTarget, fCurrent, fProgress} {
		var why string
		if f == fCurrent && metric == okrcore.MetricMilestone {
			if done, ok := milestoneDone(r.text(x, f)); ok {
				vals[i], has[i] = number{v: done}, r.text(x, f) != ""
				continue
			}
		}
		if vals[i], has[i], why = r.num(x, f); why != "" {
			return why
		}
	}
	start, target, current, progress := vals[0].v, vals[1].v, vals[2].v, vals[3].v
	if metric == "" {
		metric = guessMetric(in.Unit, has[0] || has[1])
	}
	switch metric {
	case okrcore.MetricMilestone:
		start, target = 0, 1
	case okrcore.MetricPercent:
		if !has[1] {
			target = 100
		}
	default:
		if !has[1] {
			return fmt.Sprintf("is a key result measured as a %s without a target", metric)
		}
	}
	switch {
	case has[2]:
	case has[3]:
		current = start + progress/100*(target-start)
	case metric == okrcore.MetricMilestone && in.Status == okrcore.StatusDone:
		current = 1
	default:
		current = start
	}
	dir, ok := parseDirection(r.text(x, fDirection))
	if !ok {
		return fmt.Sprintf("%s says %s: write increase or decrease", r.colName(fDirection), quote(r.text(x, fDirection)))
	}
	k := okrcore.KeyResult{Title: in.Title, Metric: metric, Start: start, Target: target, Current: current, Unit: in.Unit, Direction: dir, Weight: in.Weight}
	if err := okrcore.NormalizeKeyResult(&k); err != nil {
		return reasonOf(err)
	}
	in.Metric, in.Start, in.Target, in.Current, in.Direction = k.Metric, k.Start, k.Target, k.Current, k.Direction
	return ""
}

// milestoneDone reads a milestone's current value as words.
func milestoneDone(s string) (float64, bool) {
	switch fold(s) {
	case "done", "yes", "true", "x", "complete", "completed", "achieved":
		return 1, true
	case "", "notdone", "no", "false", "open", "todo":
		return 0, true
	}
	return 0, false
}

func guessMetric(unit string, values bool) okrcore.MetricKind {
	switch u := strings.ToUpper(strings.TrimSpace(unit)); {
	case u == "%" || u == "PERCENT" || u == "PERCENTAGE":
		return okrcore.MetricPercent
	case slices.Contains([]string{"$", "€", "£", "¥", "₹", "USD", "EUR", "GBP", "CHF", "JPY", "INR", "CAD", "AUD"}, u):
		return okrcore.MetricCurrency
	case !values:
		return okrcore.MetricPercent
	}
	return okrcore.MetricNumber
}

// reasonOf is the sentence of okrcore's refusal, as a row's reason.
func reasonOf(err error) string {
	if m := okrcore.ErrorMessage(err); m != "" {
		return strings.TrimSuffix(strings.ToLower(m[:1])+m[1:], ".")
	}
	return "its values can't be taken"
}

// kpi reads a KPI's value and healthy range.
func (r *reader) kpi(x row, it *pending) string {
	in := &it.item
	in.Unit = r.text(x, fUnit)
	var vals [3]number
	var has [3]bool
	for i, f := range []field{fCurrent, fHealthyMin, fHealthyMax} {
		var why string
		if vals[i], has[i], why = r.num(x, f); why != "" {
			return why
		}
	}
	in.Current, in.HealthyMin, in.HealthyMax = vals[0].v, vals[1].v, vals[2].v
	in.Status = okrcore.StatusNone
	if p, hasP, _ := r.num(x, fProgress); !has[0] && hasP {
		in.Current = p.v
		it.warn("has no current value; its progress, %s, is taken for it", r.text(x, fProgress))
	}
	switch {
	case has[1] && !has[2]:
		in.HealthyMax = max(in.HealthyMin, in.Current)
		it.warn("gives no top of its healthy range; it is read as %s", okrcore.FormatValue(in.HealthyMax, okrcore.MetricNumber, in.Unit))
	case has[2] && !has[1]:
		in.HealthyMin = min(in.HealthyMax, in.Current)
		it.warn("gives no bottom of its healthy range; it is read as %s", okrcore.FormatValue(in.HealthyMin, okrcore.MetricNumber, in.Unit))
	case !has[1]:
		in.HealthyMin, in.HealthyMax = in.Current, in.Current
		it.warn("gives no healthy range; it is read as the current value, %s", okrcore.FormatValue(in.Current, okrcore.MetricNumber, in.Unit))
	}
	k := okrcore.KPI{Title: in.Title, Unit: in.Unit, Current: in.Current, HealthyMin: in.HealthyMin, HealthyMax: in.HealthyMax, Owner: okrcore.UserOwner(1)}
	if err := okrcore.ValidateKPI(&k); err != nil {
		return reasonOf(err)
	}
	return ""
}

// owners reads the owner: a person by name or address, or "team:Sales";
// the Team column names the team the item belongs to.
func (r *reader) owners(x row, it *pending) string {
	owner, email, teamName := r.text(x, fOwner), r.text(x, fOwnerEmail), r.text(x, fTeam)
	if rest, ok := cutFold(owner, "team:"); ok {
		if rest = strings.TrimSpace(rest); rest == "" {
			return fmt.Sprintf("%s says %s without the team's name", r.colName(fOwner), quote(owner))
		}
		it.team, owner = r.team(rest, x.n), ""
	}
	name := r.first(it, fOwner, owner, "owners", "owner")
	email = r.first(it, fOwnerEmail, email, "addresses", "address")
	if strings.Contains(name, "@") {
		n, a, ok := address(name)
		if !ok {
			return fmt.Sprintf("%s says %s, which is not a name or an e-mail address", r.colName(fOwner), quote(name))
		}
		if email == "" {
			email = a
		}
		name = n
	} else if email != "" {
		n, a, ok := address(email)
		if !ok {
			return fmt.Sprintf("%s says %s, which is not an e-mail address", r.colName(fOwnerEmail), quote(email))
		}
		if name == "" {
			name = n
		}
		email = a
	}
	if name != "" || email != "" {
		p, w := r.person(name, email, x.n)
		if w != "" {
			it.warn("%s", w)
		}
		it.owner = p
	}
	if teamName = r.first(it, fTeam, teamName, "teams", "team"); teamName != "" {
		if it.team != nil && foldName(teamName) != foldName(it.team.name) {
			it.warn("is owned by the team %s and says it belongs to %s; the owner is kept", it.team.name, teamName)
		} else if it.team == nil {
			it.team = r.team(teamName, x.n)
		}
	}
	return ""
}

func cutFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// first is the first of the names a cell lists (one per line, or
// separated by semicolons, or addresses by commas): okrbot keeps one.
func (r *reader) first(it *pending, f field, s, many, one string) string {
	parts := strings.FieldsFunc(s, func(c rune) bool { return c == ';' || c == '\n' })
	if len(parts) == 1 && strings.Count(s, "@") > 1 {
		parts = strings.Split(s, ",")
	}
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	if len(kept) > 1 {
		it.warn("%s names %d %s; okrbot keeps one %s, the first: %s", r.colName(f), len(kept), many, one, kept[0])
	}
	return kept[0]
}
