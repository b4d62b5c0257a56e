package reply

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

var ptReplySeeds = []string{
	"KR2 45%", "KR2: 45%", "kr2 = 45", "KR2 to 45%", "KR2 is at 45%", "revenue 1.2M", "revenue is 1.2m", "churn 3.1",
	"churn 3.1%", "hiring done", "KR3 done", "KR3 not done", "confidence 7", "conf 7", "confidence 7/10", "7/10 confidence",
	"at risk", "on track", "off track", "KR3 at risk", "blocked: waiting on legal", "blocked on the vendor contract",
	"blocker: x", "note: x", "same as last week", "no change", "skip", "skip this week", "undo", "checkin KR2 45%",
	"check-in: KR2 45%.", "update KR2 45%!", "confidence 11", "KR2 lots", "KR2", "", "hello there",
	"KR2 45%, KR3 done, confidence 7, blocked: waiting on legal, and procurement",
	"- KR2 45%\n- KR3 done\nnote: great week\nblocked: legal", "1. KR2 45%\n2) KR3 done", "research and development 40%",
	"KR2 and KR3 done", "revenue $300k", "revenue €40", "revenue 1.2 M USD", "hire 5 engineers done", "12 customers",
	"KR2 from 40% to 45%", "skip, on vacation", "KR2 45% lots of stuff happened", "Umsatz 1.2 Mio €", "KR3 ✅", "7/10",
	"same as last week, except KR3 at risk", "KR2 1,200 and KR3 done", "KR 2 45%", "KPI3 99.9", "-$300", "£5k",
	"KR4 3 more", "KR4 +3", "hiring 2 fewer", "revenue up 10%", "churn down by 0.5", "KR2 up to 45%", "KR4 1e3", "KR5 1.2k",
	"KR5 1.000,5", "KR5 1 000,5", "KR2 12,5%", "confirm KR4 0", "confirm: KR4 -20, note: refunds", "the 5", "on 5", "it's at 5",
	"thanks, done", "playbook 5", "KR2 by 5",
}

var ptNumberSeeds = []string{
	"45%", "1.2M", "$300k", "1,200", "-3.5", "€40", "3.1", "1.2mn", "2bn", "300 USD", "40€", "1,200.50", "12 customers",
	"1.2 M", "45 %", "1,2", ".5", "1.2.3", "", "-", "$", "7/10", "~45%", "$1.2M€", "5kg", "10x", "0xFF", "−5", "USD 300",
	"1e3", "2.5E-1", "1e309", "1e3k", "1.000,5", "1 000,5", "3,5", "1.000", "1,5e3", "1 000 000",
}

// ptFuzzKRs is one key result of each kind for resolving fuzzed replies.
func ptFuzzKRs() []*okrcore.KeyResult {
	return []*okrcore.KeyResult{
		{ID: 2, Title: "Raise NPS response rate", Metric: okrcore.MetricPercent, Start: 0, Target: 100},
		{ID: 3, Title: "Launch partner portal", Metric: okrcore.MetricMilestone, Target: 1},
		{ID: 4, Title: "Hire 5 engineers", Metric: okrcore.MetricNumber, Target: 5},
		{ID: 5, Title: "Grow revenue", Metric: okrcore.MetricCurrency, Start: 1e6, Target: 2e6, Unit: "$"},
		{ID: 6, Title: "Cut churn", Metric: okrcore.MetricNumber, Start: 5, Target: 2, Direction: okrcore.Decrease},
		{ID: 7, Title: "Keep uptime", Metric: okrcore.MetricNumber, Start: 99.9, Target: 99.9},
	}
}

func ptFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func FuzzParseReply(f *testing.F) {
	for _, s := range ptReplySeeds {
		f.Add(s)
	}
	krs := ptFuzzKRs()
	f.Fuzz(func(t *testing.T, text string) {
		// With a decimal comma the same things hold, but for spaces: they
		// group thousands there ("1 000,5").
		if r, err := ParseReplyWith(text, Options{DecimalComma: true}); ptCheckReply(t, text, r, err) {
			ptCheckResolve(t, text, r, krs, Options{DecimalComma: true})
		}
		r, err := ParseReply(text)
		if !ptCheckReply(t, text, r, err) {
			return
		}
		ptCheckCase(t, text, r)
		ptCheckSpaces(t, text, r)
		ptCheckResolve(t, text, r, krs, Options{})
	})
}

// ptCheckReply checks what ParseReply says of text and reports whether it
// is a reply.
func ptCheckReply(t *testing.T, text string, r Reply, err error) bool {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || strings.TrimSpace(pe.Message) == "" {
			t.Fatalf("ParseReply(%q): error %#v is not a ParseError with a message", text, err)
		}
		if got := pe.MessageWith(func(s string) string { return s }); got != pe.Message {
			t.Fatalf("ParseReply(%q): MessageWith without quoting = %q, Message = %q", text, got, pe.Message)
		}
		if !ptZeroReply(r) {
			t.Fatalf("ParseReply(%q): error with a non-empty reply %+v", text, r)
		}
		return false
	}
	// Without odd spaces the text is read as it is.
	plain := !strings.ContainsAny(text, "\r\t\u00a0\u2007\u202f\u200b\u200c\u2060\ufeff")
	if len(r.Updates) == 0 && r.Confidence == nil && r.Status == "" && r.Note == "" && r.Blockers == "" && !r.NoChange && !r.Skip && !r.Undo {
		t.Fatalf("ParseReply(%q): empty reply and no error", text)
	}
	if r.Confidence != nil && (*r.Confidence < 0 || *r.Confidence > 10) {
		t.Fatalf("ParseReply(%q): confidence %d", text, *r.Confidence)
	}
	for _, u := range r.Updates {
		if u.Value == nil && u.Done == nil && u.Status == "" && u.Confidence == nil && !u.Same {
			t.Fatalf("ParseReply(%q): update %+v says nothing", text, u)
		}
		if u.Relative && u.Value == nil {
			t.Fatalf("ParseReply(%q): update %+v is a change of nothing", text, u)
		}
		if u.Value != nil && (!ptFinite(u.Value.Value) || math.Abs(u.Value.Value) > maxMagnitude || u.Value.Raw == "") {
			t.Fatalf("ParseReply(%q): value %+v", text, *u.Value)
		}
		if u.Confidence != nil && (*u.Confidence < 0 || *u.Confidence > 10) {
			t.Fatalf("ParseReply(%q): confidence %d", text, *u.Confidence)
		}
		if u.Raw == "" || plain && !strings.Contains(text, u.Raw) {
			t.Fatalf("ParseReply(%q): update %+v: Raw is not what was typed", text, u)
		}
	}
	// Notes and blockers are kept as typed.
	for _, part := range strings.Split(r.Note+"\n"+r.Blockers, "\n") {
		if plain && !strings.Contains(text, part) {
			t.Fatalf("ParseReply(%q): note or blocker %q is not what was typed", text, part)
		}
	}
	return true
}

// ptCheckResolve checks what Resolve makes of a reply: values that fit,
// or a person's message, and every choice it offers completes the update
// on its key result when sent back.
func ptCheckResolve(t *testing.T, text string, r Reply, krs []*okrcore.KeyResult, o Options) {
	t.Helper()
	res, err := Resolve(r.Updates, krs)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || strings.TrimSpace(pe.Message) == "" {
			t.Fatalf("Resolve(%q): error %#v is not a ParseError with a message", text, err)
		}
		if got := pe.MessageWith(func(s string) string { return s }); got != pe.Message {
			t.Fatalf("Resolve(%q): MessageWith without quoting = %q, Message = %q", text, got, pe.Message)
		}
		for _, c := range pe.Choices {
			again, err := ParseReplyWith(c.Clause, o)
			if err != nil || len(again.Updates) != 1 {
				t.Fatalf("Resolve(%q): choice %q does not parse: %v", text, c.Clause, err)
			}
			res, err := Resolve(again.Updates, krs)
			if err != nil || len(res) != 1 || res[0].KR != c.KR {
				t.Fatalf("Resolve(%q): choice %q resolves to %+v, %v; want %s", text, c.Clause, res, err, c.KR.Ref())
			}
		}
		return
	}
	for _, x := range res {
		if x.KR == nil || !ptFinite(x.Value) || math.Abs(x.Value) > maxMagnitude {
			t.Fatalf("Resolve(%q): %+v", text, x)
		}
		if x.KR.Metric == okrcore.MetricMilestone && x.Value != 0 && x.Value != 1 && x.HasValue {
			t.Fatalf("Resolve(%q): milestone value %v", text, x.Value)
		}
	}
}

// ptCheckCase checks that case does not matter: an ASCII message typed in
// capitals means the same (names and notes keep their case).
func ptCheckCase(t *testing.T, text string, r Reply) {
	t.Helper()
	for i := 0; i < len(text); i++ {
		if text[i] >= 0x80 {
			return
		}
	}
	up, err := ParseReply(strings.ToUpper(text))
	if err != nil {
		t.Fatalf("ParseReply(%q) is fine but in capitals: %v", text, err)
	}
	norm := func(r Reply) Reply { return ptNormReply(r, strings.ToLower) }
	if a, b := norm(r), norm(up); !reflect.DeepEqual(a, b) {
		t.Fatalf("ParseReply(%q) = %s\nbut in capitals %s", text, ptShow(a), ptShow(b))
	}
}

// ptNormReply applies f to the text a reply keeps as typed.
func ptNormReply(r Reply, f func(string) string) Reply {
	r.Note, r.Blockers = f(r.Note), f(r.Blockers)
	us := make([]KRUpdate, len(r.Updates))
	for i, u := range r.Updates {
		u.Ref, u.Raw = f(u.Ref), f(u.Raw)
		if u.Value != nil {
			v := *u.Value
			v.Raw = f(v.Raw)
			u.Value = &v
		}
		us[i] = u
	}
	if r.Updates == nil {
		us = nil
	}
	r.Updates = us
	return r
}

// ptCheckSpaces checks that extra spaces between words do not matter.
func ptCheckSpaces(t *testing.T, text string, r Reply) {
	t.Helper()
	if !strings.Contains(text, " ") {
		return
	}
	wide, err := ParseReply(strings.ReplaceAll(text, " ", "   "))
	if err != nil {
		t.Fatalf("ParseReply(%q) is fine but with wider spaces: %v", text, err)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if a, b := ptNormReply(r, squash), ptNormReply(wide, squash); !reflect.DeepEqual(a, b) {
		t.Fatalf("ParseReply(%q) = %s\nbut with wider spaces %s", text, ptShow(a), ptShow(b))
	}
}

func ptZeroReply(r Reply) bool {
	return r.Updates == nil && r.Confidence == nil && r.Status == "" && r.Note == "" && r.Blockers == "" && !r.NoChange && !r.Skip && !r.Undo
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range ptNumberSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ptCheckNumber(t, s, Options{DecimalComma: true})
		ptCheckNumber(t, s, Options{})
	})
}

// ptCheckNumber checks what ParseNumberWith reads of s for a person who
// writes as o says.
func ptCheckNumber(t *testing.T, s string, o Options) {
	t.Helper()
	n, ok := ParseNumberWith(s, o)
	if !ok {
		if n != (Number{}) {
			t.Fatalf("ParseNumber(%q) = %+v with ok=false", s, n)
		}
		return
	}
	if !ptFinite(n.Value) || n.Raw == "" {
		t.Fatalf("ParseNumber(%q) = %+v", s, n)
	}
	switch n.Currency {
	case "", "$", "€", "£":
	default:
		t.Fatalf("ParseNumber(%q): currency %q", s, n.Currency)
	}
	if n.Percent && n.Currency != "" {
		t.Fatalf("ParseNumber(%q): percent and currency", s)
	}
	// What was read reads the same again.
	m, ok := ParseNumberWith(n.Raw, o)
	if !ok || m.Value != n.Value || m.Percent != n.Percent || m.Currency != n.Currency {
		t.Fatalf("ParseNumber(%q) = %+v, but its Raw reads as %+v, %v", s, n, m, ok)
	}
}
