package forecast_test

import (
	"math"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
)

var (
	q1 = &okrcore.Cycle{ID: 1, Name: "Q1 2027", Start: day(0), End: day(90)}
)

func day(n float64) time.Time {
	return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n * 24 * float64(time.Hour)))
}

// history is check-ins of KR1 at the given days with the given values,
// newest first as the store lists them.
func history(t *testing.T, days []float64, values []float64) []*okrcore.CheckIn {
	t.Helper()
	if len(days) != len(values) {
		t.Fatalf("history: %d days, %d values", len(days), len(values))
	}
	var out []*okrcore.CheckIn
	for i := len(days) - 1; i >= 0; i-- {
		prev := 0.0
		if i > 0 {
			prev = values[i-1]
		}
		out = append(out, &okrcore.CheckIn{ID: okrcore.ID(i + 1), Target: okrcore.TargetKR, TargetID: 1, At: day(days[i]), Value: values[i], Previous: prev})
	}
	return out
}

func kr(metric okrcore.MetricKind, start, target, current float64) *okrcore.KeyResult {
	dir := okrcore.Increase
	if target < start {
		dir = okrcore.Decrease
	}
	return &okrcore.KeyResult{ID: 1, Metric: metric, Start: start, Target: target, Current: current, Direction: dir, Weight: 1}
}

func TestForKR(t *testing.T) {
	weeks := []float64{7, 14, 21, 28, 35, 42}
	tests := []struct {
		name     string
		k        *okrcore.KeyResult
		days     []float64
		values   []float64
		now      time.Time
		cycle    *okrcore.Cycle
		reason   forecast.Reason
		value    float64
		score    float64
		tolerate float64
	}{
		// 1 a day from 0: 90 on the cycle's last instant.
		{name: "linear", k: kr(okrcore.MetricNumber, 0, 100, 42), days: weeks, values: []float64{7, 14, 21, 28, 35, 42}, now: day(43), value: 90, score: 0.9},
		{name: "flat", k: kr(okrcore.MetricNumber, 0, 100, 30), days: weeks, values: []float64{30, 30, 30, 30, 30, 30}, now: day(43), value: 30, score: 0.3},
		// One wild week (a typo of 210 for 21) and one dip: the pace stays
		// near 1 a day.
		{name: "noisy", k: kr(okrcore.MetricNumber, 0, 100, 42), days: weeks, values: []float64{7, 14, 210, 26, 35, 42}, now: day(43), value: 90, score: 0.9, tolerate: 3},
		// Churn from 10% down to 2%: 0.1 a day off, 1 at day 90.
		{name: "decreasing", k: kr(okrcore.MetricPercent, 10, 2, 5.8), days: weeks, values: []float64{9.3, 8.6, 7.9, 7.2, 6.5, 5.8}, now: day(43), value: 1, score: 1},
		{name: "decreasing too slowly", k: kr(okrcore.MetricPercent, 10, 2, 8.8), days: weeks, values: []float64{9.8, 9.6, 9.4, 9.2, 9, 8.8}, now: day(43), value: 7.4, score: 0.3, tolerate: 0.05},
		// A growth rate that would run past the bottom stops at 0.
		{name: "never below zero", k: kr(okrcore.MetricNumber, 50, 0, 20), days: []float64{7, 14, 21}, values: []float64{40, 30, 20}, now: day(22), value: 0, score: 1},
		// A percentage stops at 100, however fast it climbs.
		{name: "percent at most 100", k: kr(okrcore.MetricPercent, 0, 80, 60), days: []float64{7, 14, 21}, values: []float64{20, 40, 60}, now: day(22), value: 100, score: 1},
		// Falling back: the forecast says so, back to about where it began.
		{name: "losing ground", k: kr(okrcore.MetricNumber, 100, 200, 130), days: weeks, values: []float64{160, 155, 150, 145, 140, 130}, now: day(43), value: 100, score: 0, tolerate: 5},
		// Faster still, it stops one whole span behind its start.
		{name: "at most a span behind", k: kr(okrcore.MetricNumber, 100, 110, 70), days: []float64{7, 14, 21}, values: []float64{90, 80, 70}, now: day(22), value: 90, score: 0},
		{name: "milestone done", k: kr(okrcore.MetricMilestone, 0, 1, 1), days: []float64{7}, values: []float64{1}, now: day(10), value: 1, score: 1},
		{name: "milestone not done", k: kr(okrcore.MetricMilestone, 0, 1, 0), days: weeks, values: []float64{0, 0, 0, 0, 0, 0}, now: day(43), reason: forecast.Milestone},
		{name: "two check-ins", k: kr(okrcore.MetricNumber, 0, 100, 14), days: []float64{7, 14}, values: []float64{7, 14}, now: day(15), reason: forecast.TooFew},
		// Three in one sitting are one occasion.
		{name: "three in a sitting", k: kr(okrcore.MetricNumber, 0, 100, 14), days: []float64{7, 7.1, 7.2}, values: []float64{7, 10, 14}, now: day(8), reason: forecast.TooFew},
		// Nor are those of an earlier cycle, carried over with the key result.
		{name: "earlier cycle ignored", k: kr(okrcore.MetricNumber, 0, 100, 21), days: []float64{-14, -7, 21}, values: []float64{7, 14, 21}, now: day(22), reason: forecast.TooFew},
		// A check-in after now (a clock behind the store's) is not read.
		{name: "future check-in ignored", k: kr(okrcore.MetricNumber, 0, 100, 21), days: []float64{7, 14, 21}, values: []float64{7, 14, 21}, now: day(20), reason: forecast.TooFew},
		{name: "cycle ended", k: kr(okrcore.MetricNumber, 0, 100, 42), days: weeks, values: []float64{7, 14, 21, 28, 35, 42}, now: day(90), reason: forecast.Ended},
		{name: "cycle closed", k: kr(okrcore.MetricNumber, 0, 100, 42), days: weeks, values: []float64{7, 14, 21, 28, 35, 42}, now: day(43),
			cycle: &okrcore.Cycle{ID: 1, Start: day(0), End: day(90), Closed: true}, reason: forecast.Ended},
		{name: "no cycle", k: kr(okrcore.MetricNumber, 0, 100, 42), days: weeks, values: []float64{7, 14, 21, 28, 35, 42}, now: day(43), cycle: &okrcore.Cycle{}, reason: forecast.NoCycle},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := q1
			if tc.cycle != nil {
				c = tc.cycle
			}
			if c.ID == 0 {
				c = nil
			}
			f := forecast.ForKR(tc.k, c, history(t, tc.days, tc.values), tc.now)
			if f.Reason != tc.reason {
				t.Fatalf("reason %d, want %d (%+v)", f.Reason, tc.reason, f)
			}
			if !f.OK() {
				return
			}
			if math.Abs(f.Value-tc.value) > tc.tolerate+1e-9 {
				t.Errorf("value %v, want %v (±%v)", f.Value, tc.value, tc.tolerate)
			}
			if math.Abs(f.Score-tc.score) > 1e-9 {
				t.Errorf("score %v, want %v", f.Score, tc.score)
			}
			if !f.End.Equal(c.End) {
				t.Errorf("end %v, want %v", f.End, c.End)
			}
		})
	}
}

// The pace is the recent one: a key result that stalled for its first
// weeks and now moves 2 a day lands by the new pace, not the average.
func TestForKRRecentPace(t *testing.T) {
	k := kr(okrcore.MetricNumber, 0, 200, 60)
	days := []float64{7, 14, 21, 28, 35, 42, 49, 56, 63, 70}
	values := []float64{0, 0, 0, 0, 0, 0, 14, 28, 42, 56}
	f := forecast.ForKR(k, q1, history(t, days, values), day(71))
	if !f.OK() || f.PerDay < 1.2 {
		t.Fatalf("pace %v a day (%+v), want the recent 2 a day to dominate", f.PerDay, f)
	}
	if f.Value <= 56 {
		t.Errorf("value %v: the forecast ignores the recent pace", f.Value)
	}
}

// Each of the cases is read the same whatever order the check-ins come
// in, and undone ones are the caller's to leave out (okrcore.Effective).
func TestForKROrder(t *testing.T) {
	k := kr(okrcore.MetricNumber, 0, 100, 42)
	cis := history(t, []float64{7, 14, 21, 28, 35, 42}, []float64{7, 14, 21, 28, 35, 42})
	want := forecast.ForKR(k, q1, cis, day(43))
	rev := make([]*okrcore.CheckIn, len(cis))
	for i, c := range cis {
		rev[len(cis)-1-i] = c
	}
	if got := forecast.ForKR(k, q1, rev, day(43)); got != want {
		t.Errorf("oldest first %+v, newest first %+v", got, want)
	}
}

func TestForObjective(t *testing.T) {
	o := &okrcore.Objective{ID: 1}
	a := &okrcore.KeyResult{ID: 1, Objective: 1, Metric: okrcore.MetricNumber, Start: 0, Target: 100, Current: 40, Progress: 0.4, Weight: 1}
	b := &okrcore.KeyResult{ID: 2, Objective: 1, Metric: okrcore.MetricNumber, Start: 0, Target: 100, Current: 20, Progress: 0.2, Weight: 3}
	tests := []struct {
		name            string
		fc              map[okrcore.ID]forecast.KR
		ok              bool
		progress, score float64
		paced           int
	}{
		{name: "none has a pace", fc: map[okrcore.ID]forecast.KR{2: {Reason: forecast.TooFew}}},
		// b weighs three times a: (1×0.9 + 3×0.5) / 4.
		{name: "both", fc: map[okrcore.ID]forecast.KR{1: {Value: 90, Progress: 0.9, Score: 0.9}, 2: {Value: 50, Progress: 0.5, Score: 0.5}}, ok: true, progress: 0.6, score: 0.6, paced: 2},
		// a without one counts as it stands: (1×0.4 + 3×0.8) / 4.
		{name: "one", fc: map[okrcore.ID]forecast.KR{2: {Value: 80, Progress: 0.8, Score: 0.8}}, ok: true, progress: 0.7, score: 0.7, paced: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := forecast.ForObjective(o, []*okrcore.KeyResult{a, b}, tc.fc)
			if f.OK() != tc.ok || f.Paced != tc.paced || f.Of != 2 {
				t.Fatalf("%+v, want ok %v paced %d of 2", f, tc.ok, tc.paced)
			}
			if math.Abs(f.Progress-tc.progress) > 1e-9 || math.Abs(f.Score-tc.score) > 1e-9 {
				t.Errorf("progress %v score %v, want %v %v", f.Progress, f.Score, tc.progress, tc.score)
			}
		})
	}
	if a.Current != 40 || b.Current != 20 {
		t.Errorf("the key results were changed: %v %v", a.Current, b.Current)
	}
}

func TestDoubtful(t *testing.T) {
	r := okrcore.DefaultRules()
	low, high := forecast.KR{Score: 0.4, Progress: 0.4}, forecast.KR{Score: 0.8, Progress: 0.8}
	said := func(s okrcore.Status, inForce bool) okrcore.Standing {
		return okrcore.Standing{Status: s, Said: s, InForce: inForce}
	}
	tests := []struct {
		name string
		f    forecast.KR
		s    okrcore.Standing
		want bool
	}{
		{"on track, short", low, said(okrcore.StatusOnTrack, true), true},
		{"on track, will make it", high, said(okrcore.StatusOnTrack, true), false},
		{"on track said weeks ago", low, said(okrcore.StatusOnTrack, false), false},
		{"at risk, short", low, said(okrcore.StatusAtRisk, true), false},
		{"nothing said", low, okrcore.Standing{Status: okrcore.StatusOnTrack}, false},
		{"no forecast", forecast.KR{Reason: forecast.TooFew}, said(okrcore.StatusOnTrack, true), false},
	}
	for _, tc := range tests {
		if got := forecast.Doubtful(tc.f, tc.s, r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// BenchmarkForKR is one key result's forecast from a quarter of weekly
// check-ins (thirteen, two of them corrections), what each bar of a view
// adds: `go test -run '^$' -bench ForKR ./okrcore/forecast`.
func BenchmarkForKR(b *testing.B) {
	var days, values []float64
	for w := range 13 {
		days, values = append(days, float64(7*w)+0.5), append(values, float64(3*w))
	}
	days[5], days[9] = days[4]+0.1, days[8]+0.2
	k := kr(okrcore.MetricNumber, 0, 40, 36)
	cis := history(&testing.T{}, days, values)
	b.ReportAllocs()
	for b.Loop() {
		if f := forecast.ForKR(k, q1, cis, day(89)); !f.OK() {
			b.Fatal(f)
		}
	}
}
