package reply

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func ptNum(v float64, raw string) *Number { return &Number{Value: v, Raw: raw} }
func ptPct(v float64, raw string) *Number { return &Number{Value: v, Percent: true, Raw: raw} }
func ptCur(v float64, cur, raw string) *Number {
	return &Number{Value: v, Currency: cur, Raw: raw}
}
func ptBool(b bool) *bool { return &b }
func ptInt(i int) *int    { return &i }

func TestParseReplyAccepted(t *testing.T) {
	tests := []struct {
		in   string
		want Reply
	}{
		// Values for a key result named by id.
		{"KR2 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"KR2: 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2: 45%"}}}},
		{"kr2 = 45", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(45, "45"), Raw: "kr2 = 45"}}}},
		{"KR2 to 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 to 45%"}}}},
		{"KR2 is at 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 is at 45%"}}}},
		{"KR2 now 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 now 45%"}}}},
		{"KR2 -> 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 -> 45%"}}}},
		{"KR2→45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2→45%"}}}},
		{"KR2 from 40% to 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 from 40% to 45%"}}}},
		{"kr 2 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "kr 2 45%"}}}},
		{"#KR2 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "#KR2 45%"}}}},
		{"set KR2 to 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "set KR2 to 45%"}}}},
		{"KR2 hit 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 hit 45%"}}}},
		{"KR2 up to 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 up to 45%"}}}},
		{"KR2: 45% - on track", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Status: okrcore.StatusOnTrack, Raw: "KR2: 45% - on track"}}}},
		{"KR2 45 %", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45 %"), Raw: "KR2 45 %"}}}},
		{"KR4 3 out of 5 engineers", Reply{Updates: []KRUpdate{{Ref: "KR4", Value: ptNum(3, "3"), Raw: "KR4 3 out of 5 engineers"}}}},
		{"hiring 3 of 5", Reply{Updates: []KRUpdate{{Ref: "hiring", Value: ptNum(3, "3"), Raw: "hiring 3 of 5"}}}},
		{"cut down churn 3", Reply{Updates: []KRUpdate{{Ref: "cut down churn", Value: ptNum(3, "3"), Raw: "cut down churn 3"}}}},
		{"Revenue → $1.2M", Reply{Updates: []KRUpdate{{Ref: "Revenue", Value: ptCur(1.2e6, "$", "$1.2M"), Raw: "Revenue → $1.2M"}}}},
		{"KR2 -3.5", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(-3.5, "-3.5"), Raw: "KR2 -3.5"}}}},
		{"KR2 1,200", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(1200, "1,200"), Raw: "KR2 1,200"}}}},
		{"KR2 12 customers", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(12, "12"), Raw: "KR2 12 customers"}}}},
		{"KR2 12 customers at risk", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptNum(12, "12"), Status: okrcore.StatusAtRisk, Raw: "KR2 12 customers at risk"}}}},
		{"KR2 45% confidence 7", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Confidence: ptInt(7), Raw: "KR2 45% confidence 7"}}}},
		{"KR2 45% at risk", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Status: okrcore.StatusAtRisk, Raw: "KR2 45% at risk"}}}},
		{"KPI3 99.9", Reply{Updates: []KRUpdate{{Ref: "KPI3", Value: ptNum(99.9, "99.9"), Raw: "KPI3 99.9"}}}},
		// Values for a key result named by title words.
		{"revenue 1.2M", Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptNum(1.2e6, "1.2M"), Raw: "revenue 1.2M"}}}},
		{"revenue is 1.2m", Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptNum(1.2e6, "1.2m"), Raw: "revenue is 1.2m"}}}},
		{"revenue $300k", Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptCur(3e5, "$", "$300k"), Raw: "revenue $300k"}}}},
		{"revenue €40", Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptCur(40, "€", "€40"), Raw: "revenue €40"}}}},
		{"revenue 1.2 M USD", Reply{Updates: []KRUpdate{{Ref: "revenue", Value: ptCur(1.2e6, "$", "1.2 M USD"), Raw: "revenue 1.2 M USD"}}}},
		{"churn 3.1", Reply{Updates: []KRUpdate{{Ref: "churn", Value: ptNum(3.1, "3.1"), Raw: "churn 3.1"}}}},
		{"churn 3.1%", Reply{Updates: []KRUpdate{{Ref: "churn", Value: ptPct(3.1, "3.1%"), Raw: "churn 3.1%"}}}},
		{"Churn: 3.1%", Reply{Updates: []KRUpdate{{Ref: "Churn", Value: ptPct(3.1, "3.1%"), Raw: "Churn: 3.1%"}}}},
		{"hiring done", Reply{Updates: []KRUpdate{{Ref: "hiring", Done: ptBool(true), Raw: "hiring done"}}}},
		{"hire 5 engineers done", Reply{Updates: []KRUpdate{{Ref: "hire 5 engineers", Done: ptBool(true), Raw: "hire 5 engineers done"}}}},
		{"research and development 40%", Reply{Updates: []KRUpdate{{Ref: "research and development", Value: ptPct(40, "40%"), Raw: "research and development 40%"}}}},
		{"Umsatz 1.2 Mio €", Reply{Updates: []KRUpdate{{Ref: "Umsatz", Value: ptCur(1.2e6, "€", "1.2 Mio €"), Raw: "Umsatz 1.2 Mio €"}}}},
		{"Zufriedenheit der Kundinnen 80%", Reply{Updates: []KRUpdate{{Ref: "Zufriedenheit der Kundinnen", Value: ptPct(80, "80%"), Raw: "Zufriedenheit der Kundinnen 80%"}}}},
		{"customer confidence index 70", Reply{Updates: []KRUpdate{{Ref: "customer confidence index", Value: ptNum(70, "70"), Raw: "customer confidence index 70"}}}},
		{"green energy 45%", Reply{Updates: []KRUpdate{{Ref: "green energy", Value: ptPct(45, "45%"), Raw: "green energy 45%"}}}},
		// Done and not done.
		{"KR3 done", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"KR3 complete", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 complete"}}}},
		{"KR3 finished", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 finished"}}}},
		{"KR3 hit", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 hit"}}}},
		{"KR3 is done", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 is done"}}}},
		{"mark KR3 as done", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "mark KR3 as done"}}}},
		{"KR3 ✅", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(true), Raw: "KR3 ✅"}}}},
		{"KR3 not done", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(false), Raw: "KR3 not done"}}}},
		{"KR3 not done yet", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(false), Raw: "KR3 not done yet"}}}},
		{"KR3 not yet", Reply{Updates: []KRUpdate{{Ref: "KR3", Done: ptBool(false), Raw: "KR3 not yet"}}}},
		{"done", Reply{Updates: []KRUpdate{{Done: ptBool(true), Raw: "done"}}}},
		// A value with no key result named.
		{"45%", Reply{Updates: []KRUpdate{{Value: ptPct(45, "45%"), Raw: "45%"}}}},
		{"12 customers", Reply{Updates: []KRUpdate{{Value: ptNum(12, "12"), Raw: "12 customers"}}}},
		// Status, confidence, same for one key result.
		{"KR3 at risk", Reply{Updates: []KRUpdate{{Ref: "KR3", Status: okrcore.StatusAtRisk, Raw: "KR3 at risk"}}}},
		{"KR3 is at risk", Reply{Updates: []KRUpdate{{Ref: "KR3", Status: okrcore.StatusAtRisk, Raw: "KR3 is at risk"}}}},
		{"KR3 off-track", Reply{Updates: []KRUpdate{{Ref: "KR3", Status: okrcore.StatusOffTrack, Raw: "KR3 off-track"}}}},
		{"hiring on track", Reply{Updates: []KRUpdate{{Ref: "hiring", Status: okrcore.StatusOnTrack, Raw: "hiring on track"}}}},
		{"KR3 confidence 6", Reply{Updates: []KRUpdate{{Ref: "KR3", Confidence: ptInt(6), Raw: "KR3 confidence 6"}}}},
		{"KR3 same", Reply{Updates: []KRUpdate{{Ref: "KR3", Same: true, Raw: "KR3 same"}}}},
		{"KR3 no change", Reply{Updates: []KRUpdate{{Ref: "KR3", Same: true, Raw: "KR3 no change"}}}},
		// Overall confidence and status.
		{"confidence 7", Reply{Confidence: ptInt(7)}},
		{"Confidence: 7", Reply{Confidence: ptInt(7)}},
		{"conf 7", Reply{Confidence: ptInt(7)}},
		{"confidence 7/10", Reply{Confidence: ptInt(7)}},
		{"confidence 7 / 10", Reply{Confidence: ptInt(7)}},
		{"confidence 7 out of 10", Reply{Confidence: ptInt(7)}},
		{"7/10 confidence", Reply{Confidence: ptInt(7)}},
		{"7 out of 10 confidence", Reply{Confidence: ptInt(7)}},
		{"confidence is 0", Reply{Confidence: ptInt(0)}},
		{"confidence 10", Reply{Confidence: ptInt(10)}},
		{"confidence 70%", Reply{Confidence: ptInt(7)}},
		{"at risk", Reply{Status: okrcore.StatusAtRisk}},
		{"on track", Reply{Status: okrcore.StatusOnTrack}},
		{"off track", Reply{Status: okrcore.StatusOffTrack}},
		{"On Track!", Reply{Status: okrcore.StatusOnTrack}},
		{"at risk, confidence 4", Reply{Status: okrcore.StatusAtRisk, Confidence: ptInt(4)}},
		// Blockers and notes take the rest of the message.
		{"blocked: waiting on legal", Reply{Blockers: "waiting on legal"}},
		{"blocked: waiting on legal, and procurement", Reply{Blockers: "waiting on legal, and procurement"}},
		{"blocked on the vendor contract", Reply{Blockers: "the vendor contract"}},
		{"blocked by legal review", Reply{Blockers: "legal review"}},
		{"blocker: x", Reply{Blockers: "x"}},
		{"Blockers: security review; KR2 45%", Reply{Blockers: "security review; KR2 45%"}},
		{"note: x", Reply{Note: "x"}},
		{"Note: shipped the beta, 3 customers signed. KR2 at 45%!", Reply{Note: "shipped the beta, 3 customers signed. KR2 at 45%!"}},
		{"note: Ünïcödé stays — 日本語 ✓", Reply{Note: "Ünïcödé stays — 日本語 ✓"}},
		{"KR2 45% note: great week, really", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}, Note: "great week, really"}},
		{"KR3 at risk blocked on legal", Reply{Updates: []KRUpdate{{Ref: "KR3", Status: okrcore.StatusAtRisk, Raw: "KR3 at risk"}}, Blockers: "legal"}},
		{"KR2 45%\nnote: good week\nblocked: legal", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}, Note: "good week", Blockers: "legal"}},
		{"blocked: legal, note: ping Sam", Reply{Blockers: "legal", Note: "ping Sam"}},
		{"Blocked on: legal", Reply{Blockers: "legal"}},
		{"note - shipped", Reply{Note: "shipped"}},
		{"Confidence: 8/10. Blockers: none. Notes: shipped v2!", Reply{Confidence: ptInt(8), Note: "shipped v2!"}},
		// A key result named right before a note or blocker: checked in unchanged.
		{"KR3 blocked on legal", Reply{Updates: []KRUpdate{{Ref: "KR3", Same: true, Raw: "KR3"}}, Blockers: "legal"}},
		{"hiring, blocked: waiting on legal", Reply{Updates: []KRUpdate{{Ref: "hiring", Same: true, Raw: "hiring"}}, Blockers: "waiting on legal"}},
		{"KR3, note: waiting for data", Reply{Updates: []KRUpdate{{Ref: "KR3", Same: true, Raw: "KR3"}}, Note: "waiting for data"}},
		{"KR2 45%, blockers: none", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"KR2 45%, no blockers", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		// Same as last week.
		{"same as last week", Reply{NoChange: true}},
		{"Same as last week.", Reply{NoChange: true}},
		{"no change", Reply{NoChange: true}},
		{"same", Reply{NoChange: true}},
		{"nothing changed", Reply{NoChange: true}},
		{"same, confidence 6", Reply{NoChange: true, Confidence: ptInt(6)}},
		{"same as last week, except KR3 at risk", Reply{NoChange: true, Updates: []KRUpdate{{Ref: "KR3", Status: okrcore.StatusAtRisk, Raw: "except KR3 at risk"}}}},
		// Skip and undo.
		{"skip", Reply{Skip: true}},
		{"Skip this week", Reply{Skip: true}},
		{"skip this week!", Reply{Skip: true}},
		{"skip, on vacation", Reply{Skip: true, Note: "on vacation"}},
		{"skip this week - out sick", Reply{Skip: true, Note: "out sick"}},
		{"undo", Reply{Undo: true}},
		{"Undo that.", Reply{Undo: true}},
		// Lead words, punctuation, case, spacing, lists.
		{"checkin KR2 45%", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"check-in: KR2 45%.", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"Update - KR2 45%!", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"Hi! KR2 45%, thanks", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}}}},
		{"  KR2    45%  ,  KR3   DONE  ", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2    45%"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3   DONE"}}}},
		{"KR2 45%\u00a0; KR3 done\r\n", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"KR2 45%. KR3 done.", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"KR2 45%,KR3 50%", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}, {Ref: "KR3", Value: ptPct(50, "50%"), Raw: "KR3 50%"}}}},
		{"KR2 1,200 and KR3 done", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptNum(1200, "1,200"), Raw: "KR2 1,200"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"- KR2 45%\n- KR3 done\n* hiring 3", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"},
			{Ref: "hiring", Value: ptNum(3, "3"), Raw: "hiring 3"}}}},
		{"1. KR2 45%\n2) KR3 done", Reply{Updates: []KRUpdate{
			{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"}, {Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"}}}},
		{"*KR2* 45% 🎉", Reply{Updates: []KRUpdate{{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "*KR2* 45% 🎉"}}}},
		// The full example.
		{"KR2 45%, KR3 done, revenue 1.2M and hiring at risk; confidence 7\nblocked: waiting on legal, and procurement",
			Reply{Updates: []KRUpdate{
				{Ref: "KR2", Value: ptPct(45, "45%"), Raw: "KR2 45%"},
				{Ref: "KR3", Done: ptBool(true), Raw: "KR3 done"},
				{Ref: "revenue", Value: ptNum(1.2e6, "1.2M"), Raw: "revenue 1.2M"},
				{Ref: "hiring", Status: okrcore.StatusAtRisk, Raw: "hiring at risk"},
			}, Confidence: ptInt(7), Blockers: "waiting on legal, and procurement"}},
	}
	for _, tt := range tests {
		got, err := ParseReply(tt.in)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseReply(%q)\n got %s\nwant %s", tt.in, ptShow(got), ptShow(tt.want))
		}
	}
}

// ptShow prints a reply with its pointers followed.
func ptShow(r Reply) string {
	var b strings.Builder
	b.WriteString("{")
	for _, u := range r.Updates {
		b.WriteString("[Ref:" + u.Ref + " Raw:" + u.Raw)
		if u.Value != nil {
			b.WriteString(" Value:" + strings.TrimSpace(strings.ReplaceAll(strings.Trim(strings.ReplaceAll(
				strings.Join([]string{trimNum(u.Value.Value), boolStr(u.Value.Percent, "%"), u.Value.Currency, "raw=" + u.Value.Raw}, " "), "  ", " "), " "), "  ", " ")))
		}
		if u.Done != nil {
			b.WriteString(" Done:" + boolStr(*u.Done, "true") + boolStr(!*u.Done, "false"))
		}
		if u.Status != "" {
			b.WriteString(" Status:" + string(u.Status))
		}
		if u.Confidence != nil {
			b.WriteString(" Conf:" + trimNum(float64(*u.Confidence)))
		}
		if u.Same {
			b.WriteString(" Same")
		}
		b.WriteString("]")
	}
	if r.Confidence != nil {
		b.WriteString(" Confidence:" + trimNum(float64(*r.Confidence)))
	}
	for _, f := range []struct{ k, v string }{{"Status", string(r.Status)}, {"Note", r.Note}, {"Blockers", r.Blockers}} {
		if f.v != "" {
			b.WriteString(" " + f.k + ":" + f.v)
		}
	}
	b.WriteString(boolStr(r.NoChange, " NoChange") + boolStr(r.Skip, " Skip") + boolStr(r.Undo, " Undo") + "}")
	return b.String()
}

func boolStr(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

func TestParseReplyErrors(t *testing.T) {
	tests := []struct {
		in   string
		want []string // every one must be in the message
	}{
		{"confidence 11", []string{"0 to 10", `"confidence 7"`}},
		{"confidence -1", []string{"0 to 10", `"confidence 7"`}},
		{"KR2 confidence 12", []string{"0 to 10", `"confidence 7"`}},
		{"confidence 7.5", []string{"whole number", `"confidence 7"`}},
		{"confidence 150%", []string{"0 to 10", `"confidence 7"`}},
		{"confidence high", []string{`"high"`, "0 to 10", `"confidence 7"`}},
		{"confidence", []string{"0 to 10", `"confidence 7"`}},
		{"KR2 45% confidence", []string{"0 to 10", `"confidence 7"`}},
		{"confidence 4/5", []string{`"4/5"`, `"confidence 7"`}},
		{"confidence 7, confidence 8", []string{"two confidence values", "7", "8"}},
		{"at risk, on track", []string{"at risk", "on track", "one status"}},
		{"7/10", []string{"confidence", `"confidence 7"`}},
		{"KR2 lots", []string{`I couldn't read "lots" as a number.`, `Try "KR2 45%" or "revenue 1.2M".`}},
		{"kr2: lots of progress", []string{`"lots of progress"`, "number", `"KR2 45%"`}},
		{"revenue: lots", []string{`"lots"`, "number", `"revenue 45%"`}},
		{"revenue is lots", []string{"doesn't look like a check-in", `"KR2 45%`}},
		{"KR2 1,2", []string{`"1,2"`, "number", `"KR2 45%"`}},
		{"KR2 1.2.3", []string{`"1.2.3"`, "number"}},
		{"revenue 1.2.3", []string{`"1.2.3"`, "number", `"revenue 1.2M"`}},
		{"KR2 5km", []string{`"5km"`, "number"}},
		{"KR2", []string{"new value for KR2", `"KR2 45%"`, `"KR2 done"`}},
		{"KR2 is", []string{"new value for KR2", `"KR2 45%"`}},
		{"KR2 45% 50%", []string{"two values", `"KR2 45%"`}},
		{"KR2 by 5%", []string{"new value of KR2 rather than the change", `"KR2 45%"`}},
		{"KR3 blocked", []string{"What's blocking KR3?", `"KR3 at risk, blocked: waiting on legal"`}},
		{"KR4 3/5", []string{`"3/5"`, "number"}},
		{"KR2 45% done", []string{"two different things", `"KR2 45%"`, `"KR2 done"`}},
		{"KR2 45% lots of stuff happened", []string{`"lots of stuff happened"`, "note:", `"KR2 45%, note: …"`}},
		{"KR2 45% KR3 50%", []string{"its own value", `"KR2 45%, KR3 done"`}},
		{"KR2 and KR3 done", []string{"its own value", `"KR2 45%, KR3 done"`}},
		{"maybe KR2 45%", []string{`"maybe KR2 45%"`, `"KR2 45%"`}},
		{"KR2 1000000000000000000", []string{"too big", `"KR2 1.2M"`}},
		{"revenue 5000000000000000", []string{"too big"}},
		{"lol, KR2 45%", []string{`I didn't understand "lol"`, `"KR2 45%"`}},
		{"KR2 45%, skip", []string{`"skip"`}},
		{"KR2 45%, undo", []string{`"undo"`}},
		{"undo KR2", []string{`"undo"`}},
		{"undo, note: oops", []string{`"undo"`}},
		{"skip KR2", []string{"whole check-in", `"KR2 same"`}},
		{"skip rate 5%", []string{"whole check-in"}},
		{"note:", []string{"note is empty", `"note: `}},
		{"KR2 45%, note:", []string{"note is empty"}},
		{"blocked", []string{"blocking", `"blocked: waiting on legal"`}},
		{"blocked:", []string{"blocking", `"blocked: waiting on legal"`}},
	}
	for _, tt := range tests {
		_, err := ParseReply(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseReply(%q): err = %v, want a *ParseError", tt.in, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(pe.Message, w) {
				t.Errorf("ParseReply(%q) = %q, want it to contain %q", tt.in, pe.Message, w)
			}
		}
		ptCheckMessage(t, tt.in, pe.Message)
	}
}

// ptCheckMessage checks that a message is written for a person.
func ptCheckMessage(t *testing.T, in, msg string) {
	t.Helper()
	if msg == "" || strings.Contains(msg, "%!") || strings.Contains(msg, "<nil>") || strings.Contains(msg, "strconv.") {
		t.Errorf("ParseReply(%q): message %q is not for people", in, msg)
	}
	if !strings.Contains(msg, `"`) {
		t.Errorf("ParseReply(%q): message %q has no example", in, msg)
	}
}

func TestParseReplyNoCheckIn(t *testing.T) {
	for _, in := range []string{"", "   ", "\n\n", "hello there", "hi", "Hello!", "how are you", "thanks!", "checkin", "update",
		"no blockers", "blockers: none", "🎉", "...", "what?"} {
		_, err := ParseReply(in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseReply(%q): err = %v, want a *ParseError", in, err)
			continue
		}
		for _, w := range []string{"check-in", `"KR2 45%`, `"same as last week"`, `"skip"`} {
			if !strings.Contains(pe.Message, w) {
				t.Errorf("ParseReply(%q) = %q, want it to contain %q", in, pe.Message, w)
			}
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want Number
	}{
		{"45%", Number{45, true, "", "45%"}},
		{"45 %", Number{45, true, "", "45 %"}},
		{"45 percent", Number{45, true, "", "45 percent"}},
		{"1.2M", Number{1.2e6, false, "", "1.2M"}},
		{"1.2m", Number{1.2e6, false, "", "1.2m"}},
		{"1.2 M", Number{1.2e6, false, "", "1.2 M"}},
		{"1.2mn", Number{1.2e6, false, "", "1.2mn"}},
		{"1.2 million", Number{1.2e6, false, "", "1.2 million"}},
		{"2b", Number{2e9, false, "", "2b"}},
		{"2BN", Number{2e9, false, "", "2BN"}},
		{"5k", Number{5000, false, "", "5k"}},
		{"5K", Number{5000, false, "", "5K"}},
		{"0.1k", Number{100, false, "", "0.1k"}},
		{"$300k", Number{3e5, false, "$", "$300k"}},
		{"$ 300", Number{300, false, "$", "$ 300"}},
		{"-$300", Number{-300, false, "$", "-$300"}},
		{"$-300", Number{-300, false, "$", "$-300"}},
		{"€40", Number{40, false, "€", "€40"}},
		{"40€", Number{40, false, "€", "40€"}},
		{"£5k", Number{5000, false, "£", "£5k"}},
		{"300 USD", Number{300, false, "$", "300 USD"}},
		{"300usd", Number{300, false, "$", "300usd"}},
		{"40 EUR", Number{40, false, "€", "40 EUR"}},
		{"USD 300", Number{300, false, "$", "USD 300"}},
		{"1.2M USD", Number{1.2e6, false, "$", "1.2M USD"}},
		{"€1.2M", Number{1.2e6, false, "€", "€1.2M"}},
		{"1,200", Number{1200, false, "", "1,200"}},
		{"1,200,000.50", Number{1200000.5, false, "", "1,200,000.50"}},
		{"-3.5", Number{-3.5, false, "", "-3.5"}},
		{"−3.5", Number{-3.5, false, "", "−3.5"}},
		{"+5", Number{5, false, "", "+5"}},
		{"-0", Number{0, false, "", "-0"}},
		{".5", Number{0.5, false, "", ".5"}},
		{"3.1", Number{3.1, false, "", "3.1"}},
		{"~45%", Number{45, true, "", "~45%"}},
		{" 12 customers ", Number{12, false, "", "12"}},
		{"12 new sign-ups", Number{12, false, "", "12"}},
		{"10x", Number{10, false, "", "10"}},
		{"12.", Number{12, false, "", "12"}},
		{"45%!", Number{45, true, "", "45%"}},
		{"99999999999999999999", Number{1e20, false, "", "99999999999999999999"}},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if !ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %+v, %v; want %+v", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", " ", "-", "+", "$", "€", "%", "k", "M", "lots", "KR2", "7/10", "1,2", "1,2345", "12,34,567", ",5",
		"1.2.3", "45%%", "45%k", "5m%", "$5%", "$1.2M€", "0xFF", "5kg", "5km", "3mb", "--5", "NaN", "Inf", "infinity", "1_000",
		"1 200", "١٢", "12 customers 5", strings.Repeat("9", 400)} {
		if got, ok := ParseNumber(in); ok {
			t.Errorf("ParseNumber(%q) = %+v, want not a number", in, got)
		}
	}
}

// Key results used by the Resolve tests.
func ptKRs() map[string]*okrcore.KeyResult {
	return map[string]*okrcore.KeyResult{
		"nps":     {ID: 2, Title: "Raise NPS survey response rate", Metric: okrcore.MetricPercent, Start: 0, Target: 100, Current: 30, Direction: okrcore.Increase},
		"portal":  {ID: 3, Title: "Launch the partner portal", Metric: okrcore.MetricMilestone, Start: 0, Target: 1, Direction: okrcore.Increase},
		"hire":    {ID: 4, Title: "Hire 5 engineers", Metric: okrcore.MetricNumber, Start: 0, Target: 5, Current: 2, Unit: "engineers", Direction: okrcore.Increase},
		"arr":     {ID: 5, Title: "Grow ARR revenue to 2M", Metric: okrcore.MetricCurrency, Start: 1e6, Target: 2e6, Current: 1.1e6, Unit: "$", Direction: okrcore.Increase},
		"churn":   {ID: 6, Title: "Cut monthly churn", Metric: okrcore.MetricNumber, Start: 5, Target: 2, Current: 4, Unit: "%", Direction: okrcore.Decrease},
		"uptime":  {ID: 7, Title: "Keep uptime at 99.9", Metric: okrcore.MetricNumber, Start: 99.9, Target: 99.9, Current: 99.9, Direction: okrcore.Increase},
		"umsatz":  {ID: 8, Title: "Umsatz in Europa steigern", Metric: okrcore.MetricCurrency, Start: 0, Target: 5e5, Unit: "EUR", Direction: okrcore.Increase},
		"signups": {ID: 9, Title: "Double weekly sign-ups", Metric: okrcore.MetricNumber, Start: 100, Target: 200, Current: 120, Direction: okrcore.Increase},
	}
}

func ptAll(m map[string]*okrcore.KeyResult) []*okrcore.KeyResult {
	var out []*okrcore.KeyResult
	for _, k := range m {
		out = append(out, k)
	}
	return sortedKRs(out)
}

func TestResolve(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	tests := []struct {
		text   string
		kr     string
		value  float64
		has    bool
		status okrcore.Status
		conf   *int
	}{
		// Percent key result.
		{"KR2 45%", "nps", 45, true, "", nil},
		{"KR2 45", "nps", 45, true, "", nil},
		{"KR2 0", "nps", 0, true, "", nil},
		{"KR2 done", "nps", 100, true, "", nil},
		{"nps 52.5%", "nps", 52.5, true, "", nil},
		{"KR2 at risk", "nps", 30, false, okrcore.StatusAtRisk, nil},
		{"KR2 same", "nps", 30, false, "", nil},
		{"KR2 confidence 6", "nps", 30, false, "", ptInt(6)},
		{"KR2 45% on track confidence 8", "nps", 45, true, okrcore.StatusOnTrack, ptInt(8)},
		// Milestone.
		{"KR3 done", "portal", 1, true, "", nil},
		{"portal done", "portal", 1, true, "", nil},
		{"the partner portal is complete", "portal", 1, true, "", nil},
		{"KR3 not done", "portal", 0, true, "", nil},
		{"KR3 1", "portal", 1, true, "", nil},
		{"KR3 0", "portal", 0, true, "", nil},
		{"KR3 100%", "portal", 1, true, "", nil},
		{"KR3 0%", "portal", 0, true, "", nil},
		{"launch off track", "portal", 0, false, okrcore.StatusOffTrack, nil},
		// Number.
		{"hiring 3", "hire", 3, true, "", nil},
		{"hire 3 engineers", "hire", 3, true, "", nil},
		{"hired 3", "hire", 3, true, "", nil},
		{"engineers 4", "hire", 4, true, "", nil},
		{"hiring done", "hire", 5, true, "", nil},
		{"hiring 60%", "hire", 3, true, "", nil},
		{"signups 150", "signups", 150, true, "", nil},
		{"sign-ups 1,200", "signups", 1200, true, "", nil},
		{"weekly signups 25%", "signups", 125, true, "", nil},
		// Decreasing number.
		{"churn 3.1", "churn", 3.1, true, "", nil},
		{"churn 3.1%", "churn", 5 - 0.031*3, true, "", nil},
		{"churn 50%", "churn", 3.5, true, "", nil},
		{"churn done", "churn", 2, true, "", nil},
		{"churn -1", "churn", -1, true, "", nil},
		// Start equals target.
		{"uptime 99.95", "uptime", 99.95, true, "", nil},
		{"uptime done", "uptime", 99.9, true, "", nil},
		// Currency.
		{"revenue 1.2M", "arr", 1.2e6, true, "", nil},
		{"revenue $1.5M", "arr", 1.5e6, true, "", nil},
		{"rev 1,500,000 USD", "arr", 1.5e6, true, "", nil},
		{"ARR 60%", "arr", 1.6e6, true, "", nil},
		{"KR5 done", "arr", 2e6, true, "", nil},
		{"umsatz €300k", "umsatz", 3e5, true, "", nil},
		{"Umsatz 300k EUR", "umsatz", 3e5, true, "", nil},
		{"europa 120000", "umsatz", 120000, true, "", nil},
	}
	for _, tt := range tests {
		reply, err := ParseReply(tt.text)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.text, err)
			continue
		}
		res, err := Resolve(reply.Updates, all)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tt.text, err)
			continue
		}
		if len(res) != 1 {
			t.Errorf("Resolve(%q) = %d results, want 1", tt.text, len(res))
			continue
		}
		r := res[0]
		if r.KR != krs[tt.kr] || math.Abs(r.Value-tt.value) > 1e-9 || r.HasValue != tt.has || r.Status != tt.status ||
			!reflect.DeepEqual(r.Confidence, tt.conf) || r.Raw != reply.Updates[0].Raw {
			t.Errorf("Resolve(%q) = {%s %v has=%v %q %v %q}, want {%s %v has=%v %q %v}", tt.text,
				r.KR.Ref(), r.Value, r.HasValue, r.Status, r.Confidence, r.Raw, krs[tt.kr].Ref(), tt.value, tt.has, tt.status, tt.conf)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	two := []*okrcore.KeyResult{krs["nps"], krs["portal"]}
	revenueTwice := append(ptAll(krs), &okrcore.KeyResult{ID: 10, Title: "Revenue per employee", Metric: okrcore.MetricCurrency, Start: 1, Target: 2})
	tests := []struct {
		text string
		krs  []*okrcore.KeyResult
		want []string
	}{
		{"KR12 45%", two, []string{"KR12 isn't one of your key results. Yours are KR2, KR3."}},
		{"KR12 45%", all, []string{"KR12 isn't one of your key results.", "KR2, KR3, KR4, KR5, KR6, KR7, and 2 more"}},
		{"45%", two, []string{`Which key result is "45%" for?`, "KR2, KR3", `"KR2 45%"`}},
		{"done", two, []string{"Which key result", `"KR2 done"`}},
		{"revenue 1.2M", revenueTwice, []string{`"revenue" could be KR5 (Grow ARR revenue to 2M) or KR10 (Revenue per employee)`, `"KR5 1.2M"`}},
		{"marketing 5", two, []string{`I couldn't find a key result matching "marketing"`, "KR2 (Raise NPS survey response rate), KR3 (Launch the partner portal)", `"KR2 5"`}},
		{"KR3 45%", all, []string{"KR3 is a milestone", "done or not done", `"KR3 done"`, `"KR3 not done"`}},
		{"KR3 3", all, []string{"KR3 is a milestone", `"3"`}},
		{"KR2 not done", all, []string{`"not done" only fits a milestone`, `"KR2 45%"`}},
		{"KR2 1200%", all, []string{"KR2 is a percentage", `"1200%"`, `"KR2 45%"`}},
		{"KR2 -5", all, []string{"KR2 is a percentage", `"-5"`}},
		{"KR2 $5", all, []string{"KR2 is a percentage, not an amount of money", `"KR2 45%"`}},
		{"uptime 50%", all, []string{"KR7 starts and ends at 99.9", `"50%"`, `"KR7 99.9"`}},
		{"revenue €1.5M", all, []string{"KR5 is counted in $, not €", `"KR5 $1.5M"`}},
		{"umsatz $300k", all, []string{"KR8 is counted in €, not $", `"KR8 €250k"`}},
		{"KR2 45%, KR2 50%", all, []string{"You gave KR2 two values (45% and 50%)", `"KR2 45%"`}},
		{"KR2 at risk, KR2 on track", all, []string{"KR2 is both at risk and on track"}},
		{"KR2 confidence 3, KR2 confidence 4", all, []string{"KR2 two confidence values (3 and 4)"}},
	}
	for _, tt := range tests {
		reply, err := ParseReply(tt.text)
		if err != nil {
			t.Errorf("ParseReply(%q): %v", tt.text, err)
			continue
		}
		_, err = Resolve(reply.Updates, tt.krs)
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
		if !strings.Contains(pe.Message, "isn't one of your key results") { // short on purpose
			ptCheckMessage(t, tt.text, pe.Message)
		}
	}
}

func TestResolveEdges(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	// Even the only key result is asked about when an update names none.
	res, err := Resolve([]KRUpdate{{Value: ptPct(45, "45%"), Raw: "45%"}}, []*okrcore.KeyResult{krs["nps"]})
	var pe *ParseError
	if !errors.As(err, &pe) || res != nil || len(pe.Choices) != 1 || pe.Choices[0].KR != krs["nps"] || pe.Choices[0].Clause != "KR2 45%" {
		t.Errorf("only KR: %+v, %v", res, err)
	}
	// Nothing to resolve, and nil key results are skipped.
	if res, err := Resolve(nil, all); err != nil || res != nil {
		t.Errorf("no updates: %v, %v", res, err)
	}
	if _, err := Resolve([]KRUpdate{{Ref: "KR2", Same: true}}, []*okrcore.KeyResult{nil}); err == nil ||
		!strings.Contains(err.Error(), "no key results") {
		t.Errorf("no key results: %v", err)
	}
	// Two updates on one key result merge; order follows the message.
	reply, _ := ParseReply("hiring 3, KR2 45%, KR4 at risk, hiring confidence 5")
	res, err = Resolve(reply.Updates, all)
	if err != nil || len(res) != 2 || res[0].KR != krs["hire"] || res[0].Value != 3 || res[0].Status != okrcore.StatusAtRisk ||
		res[0].Confidence == nil || *res[0].Confidence != 5 || res[1].KR != krs["nps"] || res[0].Raw != "hiring 3, KR4 at risk, hiring confidence 5" {
		t.Errorf("merge: %+v, %v", res, err)
	}
	// Updates built by hand (forms, the engine) are checked too.
	bad := []struct {
		u    KRUpdate
		want string
	}{
		{KRUpdate{Ref: "KR4", Value: ptNum(math.NaN(), "NaN")}, "number"},
		{KRUpdate{Ref: "KR4", Value: ptNum(math.Inf(1), "Inf")}, "number"},
		{KRUpdate{Ref: "KR4", Value: ptNum(2e15, "2e15")}, "too big"},
		{KRUpdate{Ref: "KR5", Value: &Number{Value: 1e17, Percent: true, Raw: "1e17%"}}, "too big"},
		{KRUpdate{Ref: "KR4", Confidence: ptInt(11)}, "0 to 10"},
		{KRUpdate{Ref: "KR4", Status: "purple"}, "status"},
		{KRUpdate{Ref: "KR4"}, "new value for KR4"},
		{KRUpdate{Ref: "KR4", Value: ptNum(3, "3"), Done: ptBool(true), Raw: "3 done"}, "two different things"},
		{KRUpdate{Ref: "KR4", Same: true, Done: ptBool(true), Raw: "same done"}, "two different things"},
	}
	for _, b := range bad {
		_, err := Resolve([]KRUpdate{b.u}, all)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(pe.Message, b.want) {
			t.Errorf("Resolve(%+v) = %v, want a *ParseError about %q", b.u, err, b.want)
		}
	}
	// "KR 4" and "kr-4" typed as refs by other code still match.
	for _, ref := range []string{"KR 4", "kr-4", "kr4"} {
		res, err := Resolve([]KRUpdate{{Ref: ref, Value: ptNum(1, "1")}}, all)
		if err != nil || res[0].KR != krs["hire"] {
			t.Errorf("ref %q: %+v, %v", ref, res, err)
		}
	}
	// A done on a percent key result with a target of 80 gives 80.
	k := &okrcore.KeyResult{ID: 20, Title: "Test coverage", Metric: okrcore.MetricPercent, Start: 40, Target: 80}
	res, err = Resolve([]KRUpdate{{Ref: "coverage", Done: ptBool(true)}}, []*okrcore.KeyResult{k})
	if err != nil || res[0].Value != 80 {
		t.Errorf("percent done: %+v, %v", res, err)
	}
}

func TestResolveStemsAndPrefixes(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	for ref, want := range map[string]string{
		"revenue": "arr", "REVENUE": "arr", "rev": "arr", "arr": "arr", "hiring": "hire", "hires": "hire", "engineers": "hire",
		"churn": "churn", "portal": "portal", "partner portal": "portal", "the portal": "portal", "launch": "portal",
		"signups": "signups", "sign": "signups", "nps": "nps", "survey": "nps", "umsatz": "umsatz", "Europa": "umsatz", "uptime": "uptime",
	} {
		res, err := Resolve([]KRUpdate{{Ref: ref, Same: true}}, all)
		if err != nil || res[0].KR != krs[want] {
			t.Errorf("ref %q: %v, %v; want %s", ref, res, err, krs[want].Ref())
		}
	}
	// The closer match wins: "hiring" is the same word in one title and
	// only the same stem in the other.
	k := &okrcore.KeyResult{ID: 30, Title: "Hiring plan approved", Metric: okrcore.MetricMilestone, Target: 1}
	res, err := Resolve([]KRUpdate{{Ref: "hiring", Done: ptBool(true)}}, append(ptAll(krs), k))
	if err != nil || res[0].KR != k {
		t.Errorf("closer match: %v, %v", res, err)
	}
}

func TestParseThenResolve(t *testing.T) {
	krs := ptKRs()
	all := ptAll(krs)
	reply, err := ParseReply("Update: KR2 45%, portal done, revenue 1.2M and hiring at risk; churn 50%\n" +
		"confidence 7/10\nnote: good week — 日本語 ok\nblocked on the vendor contract")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Resolve(reply.Updates, all)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		id  okrcore.ID
		v   float64
		has bool
		st  okrcore.Status
	}
	var gs []got
	for _, r := range res {
		gs = append(gs, got{r.KR.ID, r.Value, r.HasValue, r.Status})
	}
	want := []got{{2, 45, true, ""}, {3, 1, true, ""}, {5, 1.2e6, true, ""}, {4, 2, false, okrcore.StatusAtRisk}, {6, 3.5, true, ""}}
	if !reflect.DeepEqual(gs, want) {
		t.Errorf("got %+v, want %+v", gs, want)
	}
	if reply.Confidence == nil || *reply.Confidence != 7 || reply.Note != "good week — 日本語 ok" || reply.Blockers != "the vendor contract" {
		t.Errorf("reply = %s", ptShow(reply))
	}
}
