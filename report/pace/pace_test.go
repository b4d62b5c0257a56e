package pace_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
	"github.com/okrbot/okrbot/report/pace"
)

var end = time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)

func TestSentenceAndShort(t *testing.T) {
	num := &okrcore.KeyResult{ID: 3, Title: "Customers", Metric: okrcore.MetricNumber, Start: 0, Target: 40, Unit: "customers"}
	churn := &okrcore.KeyResult{ID: 4, Title: "Churn", Metric: okrcore.MetricPercent, Start: 5, Target: 3, Direction: okrcore.Decrease}
	ms := &okrcore.KeyResult{ID: 5, Title: "Launch", Metric: okrcore.MetricMilestone, Target: 1, Current: 1}
	tests := []struct {
		name            string
		k               *okrcore.KeyResult
		f               forecast.KR
		sentence, short string
	}{
		{"paced", num, forecast.KR{Value: 28, Score: 0.7, End: end}, "reaches 28 customers (target 40 customers) by Mar 31, which scores 0.7.", "on pace for 0.7"},
		{"decreasing", churn, forecast.KR{Value: 3.5, Score: 0.8, End: end}, "reaches 3.5% (target 3%) by Mar 31, which scores 0.8.", "on pace for 0.8"},
		{"milestone done", ms, forecast.KR{Value: 1, Score: 1, End: end}, "Done: it scores 1.0.", ""},
		{"milestone not done", ms, forecast.KR{Reason: forecast.Milestone}, "has no pace to forecast", ""},
		{"too few", num, forecast.KR{Reason: forecast.TooFew}, "check-ins on 3 separate days", ""},
		{"ended", num, forecast.KR{Reason: forecast.Ended}, "The cycle is over", ""},
		{"no cycle", num, forecast.KR{Reason: forecast.NoCycle}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := chat.Unmarked(pace.Sentence(tc.k, tc.f))
			if tc.sentence == "" && s != "" || !strings.Contains(s, tc.sentence) {
				t.Errorf("sentence %q, want it to hold %q", s, tc.sentence)
			}
			if got := pace.Short(tc.k, tc.f); got != tc.short {
				t.Errorf("short %q, want %q", got, tc.short)
			}
		})
	}
}

func TestObjectivePhrases(t *testing.T) {
	tests := []struct {
		name            string
		f               forecast.Objective
		sentence, short string
	}{
		{"all paced", forecast.Objective{Progress: 0.45, Score: 0.45, End: end, Paced: 2, Of: 2}, "reaches 45% by Mar 31, which scores 0.45.", "on pace for 0.45 of 1.0"},
		{"some paced", forecast.Objective{Progress: 0.5, Score: 0.5, End: end, Paced: 1, Of: 3}, "1 of its 3 key results have a pace", "on pace for 0.50 of 1.0"},
		{"none paced", forecast.Objective{Of: 2}, "none of its key results", ""},
		{"no key results", forecast.Objective{}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pace.ObjectiveSentence(tc.f)
			if tc.sentence == "" && s != "" || !strings.Contains(s, tc.sentence) {
				t.Errorf("sentence %q, want it to hold %q", s, tc.sentence)
			}
			if got := pace.ObjectiveShort(tc.f); got != tc.short {
				t.Errorf("short %q, want %q", got, tc.short)
			}
		})
	}
}

func TestDoubts(t *testing.T) {
	k := func(id okrcore.ID) *okrcore.KeyResult {
		return &okrcore.KeyResult{ID: id, Title: "Reps", Metric: okrcore.MetricNumber, Target: 8, Unit: "reps"}
	}
	krs := []*okrcore.KeyResult{k(1), k(2), k(3)}
	fc := pace.Forecasts{1: {Value: 3, Score: 0.4, Progress: 0.4, End: end}, 2: {Value: 8, Score: 1, Progress: 1, End: end}, 3: {Reason: forecast.TooFew}}
	onTrack := func(*okrcore.KeyResult) okrcore.Standing {
		return okrcore.Standing{Status: okrcore.StatusOnTrack, Said: okrcore.StatusOnTrack, SaidBy: 7, InForce: true}
	}
	lines := pace.Doubts(krs, fc, onTrack, okrcore.DefaultRules(), func(okrcore.ID) string { return "alice" })
	for i := range lines {
		lines[i] = chat.Unmarked(lines[i])
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "KR1 Reps: alice says on track") || !strings.Contains(lines[0], "3 reps (target 8 reps) by Mar 31, 0.4 of 1.0") {
		t.Errorf("doubts %q, want KR1's alone", lines)
	}
}
