package reply

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
)

// Matching updates to key results

// Resolve matches updates to the person's key results (typically those they
// own in the current cycle) and computes each new value in the key result's
// own unit. See the package documentation of the check-in grammar for the
// rules; every error is a *ParseError written for a person.
func Resolve(updates []KRUpdate, krs []*okrcore.KeyResult) ([]Resolved, error) {
	var mine []*okrcore.KeyResult
	ids := map[okrcore.ID]bool{}
	for _, k := range krs {
		if k != nil && !ids[k.ID] {
			ids[k.ID] = true
			mine = append(mine, k)
		}
	}
	if len(updates) == 0 {
		return nil, nil
	}
	if len(mine) == 0 {
		return nil, &ParseError{Message: `You have no key results to check in on in this cycle.`}
	}
	var out []Resolved
	index := map[*okrcore.KeyResult]int{}
	for _, u := range updates {
		k, err := match(u, mine)
		if err != nil {
			return nil, err
		}
		r, err := resolveOne(u, k)
		if err != nil {
			return nil, err
		}
		i, seen := index[k]
		if !seen {
			index[k] = len(out)
			out = append(out, r)
			continue
		}
		merged, err := merge(out[i], r)
		if err != nil {
			return nil, err
		}
		out[i] = merged
	}
	return out, nil
}

func merge(a, b Resolved) (Resolved, error) {
	ref := a.KR.Ref()
	if a.HasValue && b.HasValue && a.Value != b.Value {
		return a, errorf(`You gave %s two values (%s and %s). Send one, e.g. "%s %s".`, ref,
			okrcore.FormatValue(a.Value, a.KR.Metric, a.KR.Unit), okrcore.FormatValue(b.Value, b.KR.Metric, b.KR.Unit),
			ref, exampleValue(a.KR)) // a unit is the person's
	}
	if a.Status != "" && b.Status != "" && a.Status != b.Status {
		return a, errorf(`You said %s is both %s and %s. Send one, e.g. "%s at risk".`, ref, own(a.Status.Label()), own(b.Status.Label()), ref)
	}
	if a.Confidence != nil && b.Confidence != nil && *a.Confidence != *b.Confidence {
		return a, errorf(`You gave %s two confidence values (%d and %d). Send one, e.g. "%s confidence 7".`, ref, *a.Confidence, *b.Confidence, ref)
	}
	if b.HasValue {
		a.Value, a.HasValue = b.Value, true
	}
	if b.Status != "" {
		a.Status = b.Status
	}
	if b.Confidence != nil {
		a.Confidence = b.Confidence
	}
	a.Raw = strings.TrimSpace(a.Raw + ", " + b.Raw)
	return a, nil
}

// exampleValue is a value that fits the key result, for examples in messages.
func exampleValue(k *okrcore.KeyResult) string {
	switch k.Metric {
	case okrcore.MetricMilestone:
		return "done"
	case okrcore.MetricPercent:
		return "45%"
	}
	v := k.Current
	if k.Target != k.Start {
		v = k.Start + (k.Target-k.Start)/2
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	s := okrcore.FormatValue(v, k.Metric, "")
	if k.Metric == okrcore.MetricCurrency {
		unit := currencySymbol(k.Unit)
		if unit == "" {
			unit = "$"
		}
		s = unit + strings.TrimPrefix(s, "$")
	}
	return s
}

// describe renders what an update says, for examples in messages.
func describe(u KRUpdate) string {
	var parts []string
	switch {
	case u.Value != nil && u.Relative && u.Value.Value < 0:
		parts = append(parts, "down "+strings.TrimLeft(u.Value.Raw, "+-−"))
	case u.Value != nil && u.Relative:
		parts = append(parts, "up "+strings.TrimLeft(u.Value.Raw, "+-−"))
	case u.Value != nil:
		parts = append(parts, u.Value.Raw)
	case u.Done != nil && *u.Done:
		parts = append(parts, "done")
	case u.Done != nil:
		parts = append(parts, "not done")
	case u.Same:
		parts = append(parts, "same")
	}
	if u.Status != "" {
		parts = append(parts, u.Status.Label())
	}
	if u.Confidence != nil {
		parts = append(parts, "confidence "+strconv.Itoa(*u.Confidence))
	}
	if len(parts) == 0 {
		return "45%"
	}
	return strings.Join(parts, " ")
}

func sortedKRs(krs []*okrcore.KeyResult) []*okrcore.KeyResult {
	s := append([]*okrcore.KeyResult(nil), krs...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].ID < s[j].ID })
	return s
}

// list names key results: "KR2, KR3" or with titles "KR2 (Grow revenue), KR3 (…)";
// at most six, then "and 4 more".
func list(krs []*okrcore.KeyResult, titles bool) string {
	const shown = 6
	var parts []string
	for i, k := range sortedKRs(krs) {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(krs)-shown))
			break
		}
		s := k.Ref().String()
		if titles && strings.TrimSpace(k.Title) != "" {
			s += " (" + strings.Trim(quote(k.Title), `"`) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// match finds the key result an update is about: the one its id names, or
// the one its title words (other than stop words) fit best. Otherwise
// (no name, stop words only, words no title has or several titles share,
// even with a single key result) nothing is guessed: the error offers the
// key results the update fits as choices.
func match(u KRUpdate, krs []*okrcore.KeyResult) (*okrcore.KeyResult, error) {
	ref := strings.TrimSpace(u.Ref)
	what := strings.TrimSpace(u.Raw)
	if what == "" {
		what = describe(u)
	}
	compact := strings.ReplaceAll(strings.ReplaceAll(ref, " ", ""), "-", "")
	if r, ok := okrcore.ParseRef(compact); ok && r.Kind == okrcore.RefKeyResult {
		for _, k := range krs {
			if k.ID == r.ID {
				return k, nil
			}
		}
		return nil, errorf(`%s isn't one of your key results. Yours are %s.`, r, list(krs, false))
	}
	var content []string
	for _, w := range words(ref) {
		if !stopWords[w] && utf8.RuneCountInString(w) > 1 {
			content = append(content, w)
		}
	}
	if len(content) == 0 {
		return nil, choose(u, krs, func(example string) *ParseError {
			return errorf(`Which key result is %s for? Yours are %s. Try "%s".`, quote(what), list(krs, false), example)
		})
	}
	best, bestScore := []*okrcore.KeyResult(nil), 0
	for _, k := range krs {
		title := titleWords(k)
		score := 0
		for _, w := range content {
			s := 0
			for _, t := range title {
				s = max(s, wordMatch(w, t))
			}
			if s == 0 {
				score = 0
				break
			}
			score += s
		}
		switch {
		case score == 0:
		case score > bestScore:
			best, bestScore = []*okrcore.KeyResult{k}, score
		case score == bestScore:
			best = append(best, k)
		}
	}
	switch len(best) {
	case 0:
		return nil, choose(u, krs, func(example string) *ParseError {
			return errorf(`I couldn't find a key result matching %s. Yours are %s. Try "%s".`, quote(ref), list(krs, len(krs) <= 4), example)
		})
	case 1:
		return best[0], nil
	}
	best = sortedKRs(best)
	names := make([]string, 0, len(best))
	for i, k := range best {
		if i == 6 {
			names = append(names, fmt.Sprintf("%d more", len(best)-6))
			break
		}
		names = append(names, k.Ref().String()+" ("+strings.Trim(quote(k.Title), `"`)+")")
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	return nil, choose(u, best, func(example string) *ParseError {
		return errorf(`%s could be %s. Use the id, e.g. "%s".`, quote(ref), list, example)
	})
}

// choose offers as choices the key results of krs that u fits, each with
// u written with its id, in an error whose message says so with the first
// choice as its example (or, when none fits, the first key result).
func choose(u KRUpdate, krs []*okrcore.KeyResult, message func(example string) *ParseError) *ParseError {
	e := &ParseError{Raw: u.Raw}
	krs = sortedKRs(krs)
	for _, k := range krs {
		if _, err := resolveOne(u, k); err == nil {
			e.Choices = append(e.Choices, Choice{KR: k, Clause: k.Ref().String() + " " + describe(u)})
		}
	}
	example := krs[0].Ref().String() + " " + describe(u)
	if len(e.Choices) > 0 {
		example = e.Choices[0].Clause
	}
	m := message(example)
	m.Choices, m.Raw = e.Choices, e.Raw
	return m
}

// stopWords never name a key result on their own, however many titles
// hold them ("on the playbook"); single letters don't either.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "for": true, "my": true, "our": true, "on": true,
	"in": true, "to": true, "and": true, "kr": true, "key": true, "result": true,
	"at": true, "by": true, "with": true, "from": true, "into": true, "onto": true, "up": true, "down": true, "off": true,
	"out": true, "over": true, "per": true, "as": true, "or": true, "but": true, "so": true, "if": true, "than": true,
	"i": true, "me": true, "we": true, "us": true, "you": true, "it": true, "its": true, "he": true, "she": true, "they": true,
	"them": true, "this": true, "that": true, "these": true, "those": true, "there": true, "here": true, "what": true,
	"is": true, "are": true, "was": true, "were": true, "be": true, "been": true, "am": true, "im": true, "re": true,
	"ve": true, "ll": true, "do": true, "did": true, "does": true, "have": true, "has": true, "had": true, "got": true,
	"get": true, "just": true, "now": true, "all": true, "some": true, "any": true, "very": true, "too": true, "also": true,
	"still": true, "yet": true, "about": true, "around": true, "ok": true, "okay": true, "yes": true, "no": true,
	"not": true, "thanks": true, "thank": true, "please": true, "lol": true, "hey": true, "hi": true, "hello": true,
}

// words splits text into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// titleWords are the words of a key result's title and unit, plus each
// hyphenated word joined up ("sign-ups" also gives "signups").
func titleWords(k *okrcore.KeyResult) []string {
	ws := words(k.Title + " " + k.Unit)
	for _, f := range strings.Fields(strings.ToLower(k.Title)) {
		j := strings.Join(words(f), "")
		if j != "" && !strings.Contains(" "+strings.Join(ws, " ")+" ", " "+j+" ") {
			ws = append(ws, j)
		}
	}
	return ws
}

// wordMatch scores how well a word a person typed matches a title word:
// 3 the same word, 2 the same stem ("hiring", "hire"), 1 a prefix ("rev").
func wordMatch(r, t string) int {
	switch {
	case r == t:
		return 3
	case stem(r) == stem(t):
		return 2
	case utf8.RuneCountInString(r) >= 2 && strings.HasPrefix(t, r):
		return 1
	}
	rs, ts := stem(r), stem(t)
	if utf8.RuneCountInString(rs) >= 3 && strings.HasPrefix(ts, rs) || utf8.RuneCountInString(ts) >= 3 && strings.HasPrefix(rs, ts) {
		return 1
	}
	return 0
}

// stem strips one common English ending: "hiring", "hired", "hires" and
// "hire" all give "hir".
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s", "e"} {
		if strings.HasSuffix(w, suf) && utf8.RuneCountInString(w)-len(suf) >= 3 {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// currencySymbol maps a currency unit to its symbol, "" when unknown.
func currencySymbol(unit string) string {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "$", "usd", "us$", "dollar", "dollars":
		return "$"
	case "€", "eur", "euro", "euros":
		return "€"
	case "£", "gbp", "pound", "pounds":
		return "£"
	}
	return ""
}

// resolveOne computes what one update does to its key result.
func resolveOne(u KRUpdate, k *okrcore.KeyResult) (Resolved, error) {
	ref := k.Ref()
	r := Resolved{KR: k, Value: k.Current, Status: u.Status, Confidence: u.Confidence, Raw: u.Raw}
	if u.Confidence != nil && (*u.Confidence < 0 || *u.Confidence > 10) {
		return r, errorf(`Confidence goes from 0 to 10, so %d doesn't fit. Try "%s confidence 7".`, *u.Confidence, ref)
	}
	switch u.Status {
	case okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone:
	default:
		return r, errorf(`I don't know the status %q. Try "%s on track", "%s at risk" or "%s off track".`, string(u.Status), ref, ref, ref)
	}
	example := ref.String() + " " + exampleValue(k)
	if u.Value != nil && u.Done != nil || u.Same && (u.Value != nil || u.Done != nil) {
		return r, errorf(`%s says two different things about %s. Send one, e.g. "%s".`, quote(u.Raw), ref, example)
	}
	if u.Value == nil && u.Done == nil && !u.Same && u.Status == "" && u.Confidence == nil {
		return r, errorf(`What's the new value for %s? Try "%s".`, ref, example)
	}
	metric := k.Metric
	switch {
	case u.Done != nil:
		switch {
		case metric == okrcore.MetricMilestone && *u.Done:
			r.Value = 1
		case metric == okrcore.MetricMilestone:
			r.Value = 0
		case *u.Done:
			r.Value = k.Target
		default:
			return r, errorf(`"not done" only fits a milestone. For %s send the current value, e.g. "%s".`, ref, example)
		}
		r.HasValue = true
	case u.Value != nil && u.Relative:
		v, err := changedValue(*u.Value, k, example)
		if err != nil {
			return r, err
		}
		r.Value, r.HasValue = v, true
	case u.Value != nil:
		n := *u.Value
		v := n.Value
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return r, errorf(`I couldn't read %s as a number. Try "%s".`, quote(n.Raw), example)
		}
		if math.Abs(v) > maxMagnitude {
			return r, errorf(`%s is too big for %s. Check the number, e.g. "%s".`, quote(n.Raw), ref, example)
		}
		switch metric {
		case okrcore.MetricMilestone:
			switch {
			case v == 0:
				r.Value = 0
			case n.Percent && v == 100 || !n.Percent && v == 1:
				r.Value = 1
			default:
				return r, errorf(`%s is a milestone: it's done or not done, so %s doesn't fit. Try "%s done" or "%s not done".`,
					ref, quote(n.Raw), ref, ref)
			}
		case okrcore.MetricPercent:
			if n.Currency != "" {
				return r, errorf(`%s is a percentage, not an amount of money. Try "%s 45%%".`, ref, ref)
			}
			if v < 0 || v > 1000 {
				return r, errorf(`%s is a percentage, so %s is out of range (0%% to 1000%%). Try "%s 45%%".`, ref, quote(n.Raw), ref)
			}
			r.Value = v
		default:
			if err := currencyMismatch(n, k, example); err != nil {
				return r, err
			}
			if n.Percent {
				if k.Start == k.Target {
					return r, errorf(`%s starts and ends at %s, so I can't turn %s into a value. Send the value itself, e.g. "%s %s".`,
						ref, okrcore.FormatValue(k.Target, metric, k.Unit), quote(n.Raw), ref, okrcore.FormatValue(k.Target, metric, ""))
				}
				v = k.Start + v/100*(k.Target-k.Start)
			}
			r.Value = v
		}
		r.HasValue = true
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || math.Abs(r.Value) > maxMagnitude {
		return r, errorf(`That makes %s too big for %s. Check the number, e.g. "%s".`, own(trimNum(r.Value)), ref, example)
	}
	return r, nil
}

// currencyMismatch refuses an amount in another currency than k's.
func currencyMismatch(n Number, k *okrcore.KeyResult, example string) error {
	if k.Metric != okrcore.MetricCurrency || n.Currency == "" {
		return nil
	}
	want := currencySymbol(k.Unit)
	if k.Unit == "" {
		want = "$"
	}
	if want != "" && want != n.Currency {
		return errorf(`%s is counted in %s, not %s. Send the value in %s, e.g. "%s".`, k.Ref(), own(want), own(n.Currency), own(want), example)
	}
	return nil
}

// changedValue is k's value after the change n ("+3", "2 fewer", "up
// 10%"): a number is added to the current value; a percent is added as
// points to a percentage key result and multiplies any other ("up 10%"
// makes 1.1 times the current value, "down 10%" 0.9 times).
func changedValue(n Number, k *okrcore.KeyResult, example string) (float64, error) {
	ref := k.Ref()
	more := "more"
	if n.Value < 0 {
		more = "less"
	}
	switch {
	case math.IsNaN(n.Value) || math.IsInf(n.Value, 0) || math.Abs(n.Value) > maxMagnitude:
		return 0, errorf(`%s is too big for %s. Check the number, e.g. "%s".`, quote(n.Raw), ref, example)
	case k.Metric == okrcore.MetricMilestone:
		return 0, errorf(`%s is a milestone: it's done or not done, so %s %s doesn't fit. Try "%s done" or "%s not done".`, ref, quote(n.Raw), own(more), ref, ref)
	case k.Metric == okrcore.MetricPercent && n.Currency != "":
		return 0, errorf(`%s is a percentage, not an amount of money. Try "%s up 5%%".`, ref, ref)
	}
	if err := currencyMismatch(n, k, example); err != nil {
		return 0, err
	}
	v := k.Current + n.Value
	if n.Percent && k.Metric != okrcore.MetricPercent {
		if k.Current == 0 {
			now := okrcore.FormatValue(0, k.Metric, k.Unit)
			return 0, errorf(`%s is at %s, so %s%% %s is still %s. Send the new value, e.g. "%s".`, ref, now, own(trimNum(math.Abs(n.Value))), own(more), now, example)
		}
		v = k.Current * (1 + n.Value/100)
	}
	if k.Metric == okrcore.MetricPercent && (v < 0 || v > 1000) {
		return 0, errorf(`%s is a percentage, so it would be %s%%, out of range (0%% to 1000%%). Try "%s 45%%".`, ref, own(trimNum(v)), ref)
	}
	return v, nil
}
