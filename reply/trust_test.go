package reply

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// Input that never writes by accident: relative values, decimal commas,
// exponents, the confirm flag, and updates that name no key result
// unambiguously becoming choices.

func TestParseReplyPhrasing(t *testing.T) {
	comma := Options{DecimalComma: true}
	tests := []struct {
		in   string
		o    Options
		want Reply
	}{
		// Changes rather than values.
		{"KR4 3 more", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(3, "3"), Relative: true, Raw: "KR4 3 more"}}}},
		{"KR4 +3", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(3, "+3"), Relative: true, Raw: "KR4 +3"}}}},
		{"hiring 2 more engineers", Options{}, Reply{Updates: []KRUpdate{{Ref: "hiring", Value: ptNum(2, "2"), Relative: true, Raw: "hiring 2 more engineers"}}}},
		{"KR4 2 fewer", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(-2, "2"), Relative: true, Raw: "KR4 2 fewer"}}}},
		{"revenue up 10%", Options{}, Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptPct(10, "10%"), Relative: true, Raw: "revenue up 10%"}}}},
		{"KR2 up 5%", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(5, "5%"), Relative: true, Raw: "KR2 up 5%"}}}},
		{"KR2 down by 2", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(-2, "2"), Relative: true, Raw: "KR2 down by 2"}}}},
		{"churn is down 0.5", Options{}, Reply{Updates: []KRUpdate{{Ref: "churn", Value: ptNum(-0.5, "0.5"), Relative: true, Raw: "churn is down 0.5"}}}},
		{"KR2 up to 45%", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 up to 45%"}}}},
		{"KR2 -3.5", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(-3.5, "-3.5"), Raw: "KR2 -3.5"}}}},
		// Exponents and magnitudes.
		{"KR4 1e3", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1000, "1e3"), Raw: "KR4 1e3"}}}},
		{"KR4 2.5E-1", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(0.25, "2.5E-1"), Raw: "KR4 2.5E-1"}}}},
		{"KR4 1.2k", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1200, "1.2k"), Raw: "KR4 1.2k"}}}},
		// Decimal commas where the person writes them.
		{"KR4 1.000,5", comma, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1000.5, "1.000,5"), Raw: "KR4 1.000,5"}}}},
		{"KR4 1 000,5", comma, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1000.5, "1 000,5"), Raw: "KR4 1 000,5"}}}},
		{"KR4 3,5, KR3 done", comma, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(3.5, "3,5"), Raw: "KR4 3,5"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"Umsatz 1.200.000 €", comma, Reply{Updates: []KRUpdate{{Ref: "Umsatz", Value: ptCur(1.2e6, "€", "1.200.000 €"), Raw: "Umsatz 1.200.000 €"}}}},
		{"KR4 1,5 Mio", comma, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1.5e6, "1,5 Mio"), Raw: "KR4 1,5 Mio"}}}},
		{"KR2 12,5%", comma, Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(12.5, "12,5%"), Raw: "KR2 12,5%"}}}},
		{"KR4 1,200", Options{}, Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(1200, "1,200"), Raw: "KR4 1,200"}}}},
		// The flag an "are you sure?" button sends.
		{"confirm KR4 0", Options{}, Reply{Confirmed: true, Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(0, "0"), Raw: "KR4 0"}}}},
		{"confirm -3", Options{}, Reply{Confirmed: true, Updates: []KRUpdate{{Value: ptNum(-3, "-3"), Raw: "-3"}}}},
		{"Confirm: KR4 -20, note: refunds", Options{}, Reply{Confirmed: true, Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(-20, "-20"), Raw: "KR4 -20"}}, Note: "refunds"}},
	}
	for _, tt := range tests {
		got, err := ParseReplyWith(tt.in, tt.o)
		if err != nil {
			t.Errorf("ParseReplyWith(%q, %+v): %v", tt.in, tt.o, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseReplyWith(%q, %+v)\n got %s\nwant %s", tt.in, tt.o, ptShow(got), ptShow(tt.want))
		}
	}
	for _, tt := range []struct {
		in   string
		o    Options
		want []string
	}{
		{"KR4 1 000,5", Options{}, []string{`"000,5"`}},
		{"KR4 1.2.3", comma, []string{`"1.2.3"`, "number"}},
		{"KR4 1,2,3", comma, []string{"number"}},
		{"KR4 1e309", Options{}, []string{`"1e309"`, "number"}},
		{"KR4 up lots", Options{}, []string{"lots"}},
		{"confirm", Options{}, []string{"check-in"}},
	} {
		_, err := ParseReplyWith(tt.in, tt.o)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseReplyWith(%q, %+v): err = %v, want a *ParseError", tt.in, tt.o, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(pe.Message, w) {
				t.Errorf("ParseReplyWith(%q, %+v) = %q, want it to contain %q", tt.in, tt.o, pe.Message, w)
			}
		}
	}
}

func TestParseNumberFormats(t *testing.T) {
	comma := Options{DecimalComma: true}
	for _, tt := range []struct {
		in   string
		o    Options
		want Number
	}{
		{"1e3", Options{}, Number{Value: 1000, Raw: "1e3"}},
		{"1E3", Options{}, Number{Value: 1000, Raw: "1E3"}},
		{"-1.5e2", Options{}, Number{Value: -150, Raw: "-1.5e2"}},
		{"1e+3", Options{}, Number{Value: 1000, Raw: "1e+3"}},
		{"$1e6", Options{}, Number{Value: 1e6, Currency: "$", Raw: "$1e6"}},
		{"1.2k", Options{}, Number{Value: 1200, Raw: "1.2k"}},
		{"1.000,5", comma, Number{Value: 1000.5, Raw: "1.000,5"}},
		{"1 000,5", comma, Number{Value: 1000.5, Raw: "1 000,5"}},
		{"1 000 000", comma, Number{Value: 1e6, Raw: "1 000 000"}},
		{"3,5", comma, Number{Value: 3.5, Raw: "3,5"}},
		{"1.000", comma, Number{Value: 1000, Raw: "1.000"}},
		{"1.5", comma, Number{Value: 1.5, Raw: "1.5"}},
		{"0,25 €", comma, Number{Value: 0.25, Currency: "€", Raw: "0,25 €"}},
		{"1,5e3", comma, Number{Value: 1500, Raw: "1,5e3"}},
	} {
		got, ok := ParseNumberWith(tt.in, tt.o)
		if !ok || got != tt.want {
			t.Errorf("ParseNumberWith(%q, %+v) = %+v, %v; want %+v", tt.in, tt.o, got, ok, tt.want)
		}
	}
	for _, tt := range []struct {
		in string
		o  Options
	}{
		{"1e309", Options{}}, {"1e3k", Options{}}, {"1e3%", Options{}}, {"e3", Options{}}, {"1e99999", Options{}},
		{"1 000,5", Options{}}, {"1.000,5", Options{}}, {"1,2,3", comma}, {"1.00,5", comma}, {"1 00", comma}, {"1000 000", comma},
		{"1.000.5", comma},
	} {
		if got, ok := ParseNumberWith(tt.in, tt.o); ok {
			t.Errorf("ParseNumberWith(%q, %+v) = %+v, want not a number", tt.in, tt.o, got)
		}
	}
}

func TestOptionsForLocale(t *testing.T) {
	for loc, want := range map[string]bool{
		"de-DE": true, "de": true, "fr-FR": true, "pt_BR": true, "nl-NL": true, "ru-RU": true, "es-ES": true, "sv-SE": true,
		"en-US": false, "en-GB": false, "ja-JP": false, "de-CH": false, "es-MX": false, "zh-CN": false,
	} {
		o, ok := OptionsForLocale(loc)
		if !ok || o.DecimalComma != want {
			t.Errorf("OptionsForLocale(%q) = %+v, %v; want DecimalComma %v", loc, o, ok, want)
		}
	}
	for _, loc := range []string{"", "  ", "xx-YY", "klingon"} {
		if _, ok := OptionsForLocale(loc); ok {
			t.Errorf("OptionsForLocale(%q) is known", loc)
		}
	}
}

func TestResolveRelative(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	for _, tt := range []struct {
		text  string
		kr    string
		value float64
	}{
		{"hiring 2 more", "hire", 4},      // 2 + 2
		{"KR4 +1", "hire", 3},             // 2 + 1
		{"KR4 1 fewer", "hire", 1},        // 2 - 1
		{"nps up 10%", "nps", 40},         // a percent key result: 10 points more than 30%
		{"KR2 down 5%", "nps", 25},        // and 5 points fewer
		{"revenue up 10%", "arr", 1.21e6}, // a metric: 10% more than 1.1M
		{"signups down 25%", "signups", 90},
		{"revenue up $100k", "arr", 1.2e6},
		{"churn down 0.5", "churn", 3.5},
		{"KR4 2 more, note: two offers signed", "hire", 4},
	} {
		rep, err := ParseReply(tt.text)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.text, err)
			continue
		}
		res, err := Resolve(rep.Updates, all)
		if err != nil || len(res) != 1 || res[0].KR != krs[tt.kr] || !res[0].HasValue || math.Abs(res[0].Value-tt.value) > 1e-6 {
			t.Errorf("Resolve(%q) = %+v, %v; want %s at %v", tt.text, res, err, krs[tt.kr].Ref(), tt.value)
		}
	}
	zero := &okrcore.KeyResult{ID: 40, Title: "Grow pipeline", Metric: okrcore.MetricCurrency, Start: 0, Target: 1e6, Unit: "$"}
	for _, tt := range []struct {
		text string
		krs  []*okrcore.KeyResult
		want []string
	}{
		{"KR3 2 more", all, []string{"KR3 is a milestone", `"KR3 done"`}},
		{"KR40 up 10%", []*okrcore.KeyResult{zero}, []string{"KR40 is at $0", "10%", `"KR40 $500k"`}},
		{"KR2 up 2000%", all, []string{"KR2 is a percentage", "out of range"}},
		{"revenue up €5", all, []string{"counted in $, not €"}},
	} {
		rep, err := ParseReply(tt.text)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.text, err)
			continue
		}
		_, err = Resolve(rep.Updates, tt.krs)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Resolve(%q): err = %v, want a *ParseError", tt.text, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(pe.Message, w) {
				t.Errorf("Resolve(%q) = %q, want it to contain %q", tt.text, pe.Message, w)
			}
		}
	}
}

// TestResolveAsksUnlessNamed: an update writes only when it names one key
// result by id or by title words that are not stop words; otherwise the
// error offers a choice per key result the update fits, each with the
// clause that completes it.
func TestResolveAsksUnlessNamed(t *testing.T) {
	reps := &okrcore.KeyResult{ID: 7, Title: "Reps certified on the playbook", Metric: okrcore.MetricNumber, Target: 8, Unit: "reps"}
	customers := &okrcore.KeyResult{ID: 4, Title: "New mid-market customers", Metric: okrcore.MetricNumber, Target: 40, Unit: "customers"}
	published := &okrcore.KeyResult{ID: 6, Title: "Playbook published", Metric: okrcore.MetricMilestone, Target: 1}
	onboarding := &okrcore.KeyResult{ID: 11, Title: "Onboarding completion", Metric: okrcore.MetricPercent, Start: 60, Target: 90}
	alice := []*okrcore.KeyResult{customers, published, reps}
	krs := ptKRs()
	revenueTwice := append(ptAll(krs), &okrcore.KeyResult{ID: 10, Title: "Revenue per employee", Metric: okrcore.MetricCurrency, Start: 1, Target: 2})
	tests := []struct {
		text    string
		krs     []*okrcore.KeyResult
		want    []string // in the message
		choices []string // "KR4=KR4 5"
	}{
		{"the 5", alice, []string{`Which key result is "the 5" for?`}, []string{"KR4=KR4 5", "KR7=KR7 5"}},
		{"on 5", alice, []string{`Which key result is "on 5" for?`}, []string{"KR4=KR4 5", "KR7=KR7 5"}},
		{"on 5", []*okrcore.KeyResult{onboarding}, []string{"Which key result"}, []string{"KR11=KR11 5"}},
		{"it's at 5", alice, []string{"Which key result"}, []string{"KR4=KR4 5", "KR7=KR7 5"}},
		{"5", alice, []string{`Which key result is "5" for?`}, []string{"KR4=KR4 5", "KR7=KR7 5"}},
		{"5", []*okrcore.KeyResult{customers}, []string{`Which key result is "5" for?`}, []string{"KR4=KR4 5"}},
		{"done", alice, []string{"Which key result"}, []string{"KR4=KR4 done", "KR6=KR6 done", "KR7=KR7 done"}},
		{"3 more at risk", alice, []string{"Which key result"}, []string{"KR4=KR4 up 3 at risk", "KR7=KR7 up 3 at risk"}},
		{"playbook 5", alice, []string{`"playbook" could be`, `e.g. "KR7 5"`}, []string{"KR7=KR7 5"}},
		{"playbook done", alice, []string{`"playbook" could be KR6 (Playbook published) or KR7 (Reps certified on the playbook)`}, []string{"KR6=KR6 done", "KR7=KR7 done"}},
		{"hiring 5", alice, []string{`I couldn't find a key result matching "hiring"`}, []string{"KR4=KR4 5", "KR7=KR7 5"}},
		{"revenue 1.2M", revenueTwice, []string{`"revenue" could be KR5`}, []string{"KR5=KR5 1.2M", "KR10=KR10 1.2M"}},
		{"45%", []*okrcore.KeyResult{krs["nps"], krs["portal"]}, []string{`Which key result is "45%" for?`, `"KR2 45%"`}, []string{"KR2=KR2 45%"}},
		{"nps down 5% confidence 6", []*okrcore.KeyResult{krs["nps"], krs["signups"]}, nil, nil}, // named: no choice
	}
	for _, tt := range tests {
		rep, err := ParseReply(tt.text)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.text, err)
			continue
		}
		_, err = Resolve(rep.Updates, tt.krs)
		if tt.want == nil {
			if err != nil {
				t.Errorf("Resolve(%q): %v", tt.text, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Resolve(%q): err = %v, want a *ParseError with choices", tt.text, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(pe.Message, w) {
				t.Errorf("Resolve(%q) = %q, want it to contain %q", tt.text, pe.Message, w)
			}
		}
		var got []string
		for _, c := range pe.Choices {
			got = append(got, c.KR.Ref().String()+"="+c.Clause)
		}
		if !reflect.DeepEqual(got, tt.choices) {
			t.Errorf("Resolve(%q) choices = %q, want %q", tt.text, got, tt.choices)
		}
		if pe.Raw != rep.Updates[0].Raw {
			t.Errorf("Resolve(%q) asks about %q, want %q", tt.text, pe.Raw, rep.Updates[0].Raw)
		}
	}
}
