package okrcore

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) < eps }

func assertNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	ninf = math.Inf(-1)
)

func TestKRProgress(t *testing.T) {
	tests := []struct {
		name                   string
		metric                 MetricKind
		dir                    Direction
		start, target, current float64
		want                   float64
	}{
		// Increasing metrics.
		{"increase at start", MetricNumber, Increase, 0, 100, 0, 0},
		{"increase halfway", MetricNumber, Increase, 0, 100, 50, 0.5},
		{"increase from non-zero start", MetricNumber, Increase, 20, 120, 45, 0.25},
		{"increase met", MetricNumber, Increase, 0, 100, 100, 1},
		{"increase overshoot clamped", MetricNumber, Increase, 0, 100, 250, 1},
		{"increase undershoot clamped", MetricNumber, Increase, 10, 100, 5, 0},
		{"percent", MetricPercent, Increase, 40, 60, 55, 0.75},
		{"currency", MetricCurrency, Increase, 1e6, 3e6, 1.5e6, 0.25},
		// Decreasing metrics: the span and the movement are both negative.
		{"decrease at start", MetricNumber, Decrease, 100, 50, 100, 0},
		{"decrease halfway", MetricNumber, Decrease, 100, 50, 75, 0.5},
		{"decrease met", MetricNumber, Decrease, 100, 50, 50, 1},
		{"decrease overshoot clamped", MetricNumber, Decrease, 100, 50, 10, 1},
		{"decrease undershoot (went up) clamped", MetricNumber, Decrease, 100, 50, 130, 0},
		{"decrease to zero", MetricNumber, Decrease, 8, 0, 2, 0.75},
		// Negative values.
		{"negative to positive", MetricNumber, Increase, -10, 10, 0, 0.5},
		{"negative increase", MetricNumber, Increase, -100, -20, -40, 0.75},
		{"negative decrease", MetricNumber, Decrease, -20, -100, -60, 0.5},
		{"negative overshoot", MetricNumber, Decrease, -20, -100, -500, 1},
		// start == target: met or not met, in both directions.
		{"flat increase met", MetricNumber, Increase, 5, 5, 5, 1},
		{"flat increase exceeded", MetricNumber, Increase, 5, 5, 6, 1},
		{"flat increase not met", MetricNumber, Increase, 5, 5, 4, 0},
		{"flat decrease met", MetricNumber, Decrease, 5, 5, 5, 1},
		{"flat decrease beaten", MetricNumber, Decrease, 5, 5, 4, 1},
		{"flat decrease not met", MetricNumber, Decrease, 5, 5, 6, 0},
		{"flat no direction counts as increase", MetricNumber, "", 5, 5, 6, 1},
		// Milestones are 0 or 1 whatever start and target say.
		{"milestone not done", MetricMilestone, Increase, 0, 1, 0, 0},
		{"milestone done", MetricMilestone, Increase, 0, 1, 1, 1},
		{"milestone half is not done", MetricMilestone, Increase, 0, 1, 0.5, 0},
		{"milestone above 1 is done", MetricMilestone, Increase, 0, 1, 2, 1},
		{"milestone negative", MetricMilestone, Increase, 0, 1, -1, 0},
		{"milestone ignores odd start and target", MetricMilestone, "", 7, 7, 1, 1},
		{"milestone NaN", MetricMilestone, Increase, 0, 1, nan, 0},
		// NaN and infinities never leak out.
		{"NaN current", MetricNumber, Increase, 0, 100, nan, 0},
		{"NaN start", MetricNumber, Increase, nan, 100, 50, 0},
		{"NaN target", MetricNumber, Increase, 0, nan, 50, 0},
		{"NaN everything", MetricNumber, Decrease, nan, nan, nan, 0},
		{"+Inf current increase", MetricNumber, Increase, 0, 100, inf, 1},
		{"-Inf current increase", MetricNumber, Increase, 0, 100, ninf, 0},
		{"+Inf current decrease", MetricNumber, Decrease, 100, 0, inf, 0},
		{"infinite span", MetricNumber, Increase, ninf, inf, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := &KeyResult{Metric: tc.metric, Direction: tc.dir, Start: tc.start, Target: tc.target, Current: tc.current}
			got := KRProgress(k)
			if math.IsNaN(got) || got < 0 || got > 1 {
				t.Fatalf("KRProgress = %v, outside [0,1]", got)
			}
			assertNear(t, "KRProgress", got, tc.want)
		})
	}
}

func kr(id, obj ID, start, target, current, weight float64) *KeyResult {
	return &KeyResult{ID: id, Objective: obj, Metric: MetricNumber, Direction: Increase,
		Start: start, Target: target, Current: current, Weight: weight}
}

// krAt builds an increasing 0→100 key result at the given progress.
func krAt(id, obj ID, p, weight float64) *KeyResult { return kr(id, obj, 0, 100, p*100, weight) }

func TestObjectiveProgress(t *testing.T) {
	tests := []struct {
		name    string
		krs     []*KeyResult
		aligned []*Objective
		want    float64
	}{
		{"empty objective", nil, nil, 0},
		{"empty slices", []*KeyResult{}, []*Objective{}, 0},
		{"one key result", []*KeyResult{krAt(1, 1, 0.4, 1)}, nil, 0.4},
		{"plain mean", []*KeyResult{krAt(1, 1, 0.2, 1), krAt(2, 1, 0.6, 1)}, nil, 0.4},
		{"weight 0 counts as 1", []*KeyResult{krAt(1, 1, 0.2, 0), krAt(2, 1, 0.6, 1)}, nil, 0.4},
		{"negative and NaN weights count as 1", []*KeyResult{krAt(1, 1, 0.2, -3), krAt(2, 1, 0.6, nan)}, nil, 0.4},
		{"infinite weight counts as 1", []*KeyResult{krAt(1, 1, 0.2, inf), krAt(2, 1, 0.6, 1)}, nil, 0.4},
		{"weights", []*KeyResult{krAt(1, 1, 1, 3), krAt(2, 1, 0, 1)}, nil, 0.75},
		{"overshooting key result counts as 1", []*KeyResult{kr(1, 1, 0, 10, 40, 1), krAt(2, 1, 0, 1)}, nil, 0.5},
		{"aligned only", nil, []*Objective{{ID: 2, Progress: 0.3}, {ID: 3, Progress: 0.5}}, 0.4},
		{"aligned and key results", []*KeyResult{krAt(1, 1, 1, 1)}, []*Objective{{ID: 2, Progress: 0.5}}, 0.75},
		{"aligned weight", []*KeyResult{krAt(1, 1, 0, 1)}, []*Objective{{ID: 2, Progress: 1, Weight: 3}}, 0.75},
		{"aligned weight 0 counts as 1", []*KeyResult{krAt(1, 1, 0, 1)}, []*Objective{{ID: 2, Progress: 1}}, 0.5},
		{"aligned progress clamped", nil, []*Objective{{ID: 2, Progress: 7}, {ID: 3, Progress: -2}}, 0.5},
		{"aligned NaN progress counts as 0", nil, []*Objective{{ID: 2, Progress: nan}, {ID: 3, Progress: 1}}, 0.5},
		{"aligned without progress pulls down", []*KeyResult{krAt(1, 1, 0.9, 1)}, []*Objective{{ID: 2}}, 0.45},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertNear(t, "ObjectiveProgress", ObjectiveProgress(tc.krs, tc.aligned), tc.want)
		})
	}
}

// withTimeout fails the test, rather than hanging the whole run, when f does
// not return. It asserts nothing about speed.
func withTimeout(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("did not return: an alignment loop is being followed")
	}
}

func TestRollUpAll(t *testing.T) {
	type want map[ID]float64
	tests := []struct {
		name string
		objs []*Objective
		krs  []*KeyResult
		want want
	}{
		{"nothing", nil, nil, want{}},
		{
			"objective without key results",
			[]*Objective{{ID: 1}},
			nil,
			want{1: 0},
		},
		{
			"five levels via ParentKR",
			// O1 ← KR1 ← O2 ← KR2 ← O3 ← KR3 ← O4 ← KR4 ← O5
			[]*Objective{
				{ID: 1}, {ID: 2, ParentKR: 1}, {ID: 3, ParentKR: 2}, {ID: 4, ParentKR: 3}, {ID: 5, ParentKR: 4},
			},
			[]*KeyResult{
				krAt(1, 1, 0, 1), krAt(2, 2, 0, 1), krAt(3, 3, 0, 1), krAt(4, 4, 0, 1), krAt(5, 5, 1, 1),
			},
			// O5 = 1; O4 = (0+1)/2; O3 = (0+.5)/2; O2 = (0+.25)/2; O1 = (0+.125)/2.
			want{5: 1, 4: 0.5, 3: 0.25, 2: 0.125, 1: 0.0625},
		},
		{
			"five levels via ParentObjective",
			[]*Objective{
				{ID: 5, ParentObjective: 4}, {ID: 4, ParentObjective: 3}, {ID: 3, ParentObjective: 2},
				{ID: 2, ParentObjective: 1}, {ID: 1},
			},
			[]*KeyResult{krAt(50, 5, 0.8, 1), krAt(10, 1, 0, 3)},
			// O2..O5 have no key results of their own: each equals its only child.
			want{5: 0.8, 4: 0.8, 3: 0.8, 2: 0.8, 1: 0.2},
		},
		{
			"mixed alignment, children listed before parents",
			[]*Objective{
				{ID: 5, ParentKR: 40}, {ID: 4, ParentObjective: 3}, {ID: 3, ParentKR: 20},
				{ID: 2, ParentObjective: 1}, {ID: 1},
			},
			[]*KeyResult{
				krAt(10, 1, 1, 1),
				krAt(20, 2, 0.5, 1),
				krAt(30, 3, 0, 1),
				krAt(40, 4, 0.2, 1),
				krAt(50, 5, 0.6, 1), krAt(51, 5, 0.4, 1),
			},
			// O5 = .5; O4 = (.2+.5)/2 = .35; O3 = (0+.35)/2 = .175;
			// O2 = (.5+.175)/2 = .3375; O1 = (1+.3375)/2 = .66875.
			want{5: 0.5, 4: 0.35, 3: 0.175, 2: 0.3375, 1: 0.66875},
		},
		{
			"weights of key results and aligned objectives",
			[]*Objective{{ID: 1}, {ID: 2, ParentObjective: 1, Weight: 2}, {ID: 3, ParentKR: 1}},
			[]*KeyResult{krAt(1, 1, 0, 1), krAt(2, 2, 1, 0), krAt(3, 3, 0.5, 4)},
			// O1 = (1*0 + 2*1 + 1*0.5) / 4.
			want{1: 0.625, 2: 1, 3: 0.5},
		},
		{
			"aligned objectives without key results pull the parent down",
			[]*Objective{{ID: 1}, {ID: 2, ParentObjective: 1}, {ID: 3, ParentKR: 1}},
			[]*KeyResult{krAt(1, 1, 0.9, 1)},
			want{1: 0.3, 2: 0, 3: 0},
		},
		{
			"siblings and cousins",
			[]*Objective{
				{ID: 1}, {ID: 2, ParentKR: 1}, {ID: 3, ParentKR: 1}, {ID: 4, ParentKR: 2}, {ID: 5, ParentKR: 3},
			},
			[]*KeyResult{krAt(1, 1, 0, 1), krAt(2, 2, 1, 1), krAt(3, 3, 0, 1), krAt(4, 4, 1, 1), krAt(5, 5, 0.5, 1)},
			// O2 = (1+1)/2; O3 = (0+.5)/2; O1 = (0 + 1 + .25)/3.
			want{4: 1, 5: 0.5, 2: 1, 3: 0.25, 1: 1.25 / 3},
		},
		{
			"parent key result unknown: treated as a root",
			[]*Objective{{ID: 1}, {ID: 2, ParentKR: 999}},
			[]*KeyResult{krAt(1, 1, 0.5, 1), krAt(2, 2, 1, 1)},
			want{1: 0.5, 2: 1},
		},
		{
			"parent objective unknown: only listed objectives are returned",
			[]*Objective{{ID: 2, ParentObjective: 999}},
			[]*KeyResult{krAt(2, 2, 0.3, 1), krAt(9, 999, 1, 1)},
			want{2: 0.3},
		},
		{
			"self loop",
			[]*Objective{{ID: 1, ParentObjective: 1}},
			[]*KeyResult{krAt(1, 1, 0.4, 1)},
			want{1: 0.4},
		},
		{
			"self loop via own key result",
			[]*Objective{{ID: 1, ParentKR: 1}},
			[]*KeyResult{krAt(1, 1, 0.4, 1)},
			want{1: 0.4},
		},
		{
			"two-objective loop",
			[]*Objective{{ID: 1, ParentObjective: 2}, {ID: 2, ParentObjective: 1}},
			[]*KeyResult{krAt(1, 1, 1, 1), krAt(2, 2, 0, 1)},
			// Entered at O1: O2 is computed first without its back edge.
			want{2: 0, 1: 0.5},
		},
		{
			"loop through key results with a tail",
			[]*Objective{{ID: 1, ParentKR: 3}, {ID: 2, ParentKR: 1}, {ID: 3, ParentKR: 2}, {ID: 4, ParentKR: 3}},
			[]*KeyResult{krAt(1, 1, 0, 1), krAt(2, 2, 0, 1), krAt(3, 3, 0, 1), krAt(4, 4, 1, 1)},
			// Entered at O1: O1 → O2 → O3 → (O1 back edge ignored, O4 = 1).
			want{4: 1, 3: 0.5, 2: 0.25, 1: 0.125},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := make([]Objective, len(tc.objs))
			for i, o := range tc.objs {
				before[i] = *o
			}
			var got map[ID]float64
			withTimeout(t, func() { got = RollUpAll(tc.objs, tc.krs) })
			if len(got) != len(tc.want) {
				t.Errorf("RollUpAll returned %d objectives, want %d: %v", len(got), len(tc.want), got)
			}
			for id, w := range tc.want {
				g, ok := got[id]
				if !ok {
					t.Errorf("O%d missing from %v", id, got)
					continue
				}
				assertNear(t, fmt.Sprintf("O%d", id), g, w)
			}
			for i, o := range tc.objs {
				if *o != before[i] {
					t.Errorf("RollUpAll modified O%d: %+v, was %+v", o.ID, *o, before[i])
				}
			}
		})
	}
}

// TestRollUpAllDeepChain: a chain far deeper than any call stack should hold
// is rolled up (the walk is iterative), and a loop closing it is broken.
func TestRollUpAllDeepChain(t *testing.T) {
	const n = 20000
	for _, loop := range []bool{false, true} {
		t.Run(fmt.Sprintf("loop=%v", loop), func(t *testing.T) {
			objs := make([]*Objective, n)
			for i := range objs {
				objs[i] = &Objective{ID: ID(i + 1), ParentObjective: ID(i)}
			}
			if loop {
				objs[0].ParentObjective = n
			}
			krs := []*KeyResult{krAt(1, n, 0.7, 1)}
			var got map[ID]float64
			withTimeout(t, func() { got = RollUpAll(objs, krs) })
			if len(got) != n {
				t.Fatalf("got %d objectives, want %d", len(got), n)
			}
			for id := ID(1); id <= n; id++ {
				if !near(got[id], 0.7) {
					t.Fatalf("O%d = %v, want 0.7", id, got[id])
				}
			}
		})
	}
}

// TestRollUpAllMatchesObjectiveProgress checks, on a random forest, that the
// bulk roll-up equals the definition: each objective's progress is
// ObjectiveProgress of its key results and of its aligned children.
func TestRollUpAllMatchesObjectiveProgress(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var objs []*Objective
	var krs []*KeyResult
	var krID ID
	for i := 1; i <= 2000; i++ {
		o := &Objective{ID: ID(i), Weight: float64(r.IntN(4))}
		if i > 1 && r.IntN(5) > 0 {
			if len(krs) > 0 && r.IntN(2) == 0 {
				o.ParentKR = krs[r.IntN(len(krs))].ID
			} else {
				o.ParentObjective = ID(1 + r.IntN(i-1))
			}
		}
		objs = append(objs, o)
		for range r.IntN(4) {
			krID++
			krs = append(krs, kr(krID, o.ID, 0, 10, float64(r.IntN(13)), float64(r.IntN(3))))
		}
	}
	r.Shuffle(len(objs), func(i, j int) { objs[i], objs[j] = objs[j], objs[i] })
	got := RollUpAll(objs, krs)

	krsOf := map[ID][]*KeyResult{}
	krObj := map[ID]ID{}
	for _, k := range krs {
		krsOf[k.Objective] = append(krsOf[k.Objective], k)
		krObj[k.ID] = k.Objective
	}
	kids := map[ID][]*Objective{}
	for _, o := range objs {
		switch {
		case o.ParentObjective != 0:
			kids[o.ParentObjective] = append(kids[o.ParentObjective], o)
		case o.ParentKR != 0:
			kids[krObj[o.ParentKR]] = append(kids[krObj[o.ParentKR]], o)
		}
	}
	var ref func(id ID) float64
	ref = func(id ID) float64 {
		var aligned []*Objective
		for _, c := range kids[id] {
			aligned = append(aligned, &Objective{ID: c.ID, Weight: c.Weight, Progress: ref(c.ID)})
		}
		return ObjectiveProgress(krsOf[id], aligned)
	}
	for _, o := range objs {
		if w := ref(o.ID); !near(got[o.ID], w) {
			t.Fatalf("O%d: RollUpAll %v, ObjectiveProgress %v", o.ID, got[o.ID], w)
		}
	}
}

var day = 24 * time.Hour

// hundredDays is a cycle of exactly 100 days, so that elapsed days are exact
// hundredths.
var hundredDays = &Cycle{
	Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	End:   time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Add(100 * day),
}

func TestExpectedProgress(t *testing.T) {
	q1 := QuarterOf(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name string
		c    *Cycle
		now  time.Time
		want float64
	}{
		{"long before", hundredDays, hundredDays.Start.AddDate(-1, 0, 0), 0},
		{"a nanosecond before", hundredDays, hundredDays.Start.Add(-1), 0},
		{"at start", hundredDays, hundredDays.Start, 0},
		{"a quarter in", hundredDays, hundredDays.Start.Add(25 * day), 0.25},
		{"halfway", hundredDays, hundredDays.Start.Add(50 * day), 0.5},
		{"at end", hundredDays, hundredDays.End, 1},
		{"after", hundredDays, hundredDays.End.Add(time.Hour), 1},
		{"long after", hundredDays, hundredDays.End.AddDate(5, 0, 0), 1},
		{"Q1 halfway", &q1, q1.Start.Add(q1.End.Sub(q1.Start) / 2), 0.5},
		{"in another zone", hundredDays, hundredDays.Start.Add(50 * day).In(time.FixedZone("X", 5*3600)), 0.5},
		{"empty cycle", &Cycle{Start: hundredDays.Start, End: hundredDays.Start}, hundredDays.Start, 1},
		{"backwards cycle", &Cycle{Start: hundredDays.End, End: hundredDays.Start}, hundredDays.Start, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertNear(t, "ExpectedProgress", ExpectedProgress(tc.c, tc.now), tc.want)
		})
	}
}

func TestComputeStatus(t *testing.T) {
	at := func(days int) float64 {
		return ExpectedProgress(hundredDays, hundredDays.Start.Add(time.Duration(days)*day))
	}
	custom := Rules{AtRiskMargin: 0.1, OffTrackMargin: 0.2}
	tests := []struct {
		name               string
		progress, expected float64
		rules              Rules
		want               Status
	}{
		{"before the cycle, nothing done", 0, at(-10), Rules{}, StatusOnTrack},
		{"at the start", 0, at(0), Rules{}, StatusOnTrack},
		{"ahead", 0.9, at(50), Rules{}, StatusOnTrack},
		{"on the line", 0.5, at(50), Rules{}, StatusOnTrack},
		{"exactly the at-risk margin behind", 0.35, at(50), Rules{}, StatusOnTrack},
		{"exactly the at-risk margin behind (noisy sum)", 0.5, at(65), Rules{}, StatusOnTrack},
		{"just past the at-risk margin", 0.34, at(50), Rules{}, StatusAtRisk},
		{"exactly the off-track margin behind", 0.15, at(50), Rules{}, StatusAtRisk},
		{"exactly the off-track margin behind (noisy sum)", 0.5, at(85), Rules{}, StatusAtRisk},
		{"just past the off-track margin", 0.14, at(50), Rules{}, StatusOffTrack},
		{"nothing done at the end", 0, at(100), Rules{}, StatusOffTrack},
		{"after the cycle, on the at-risk margin", 0.85, at(120), Rules{}, StatusOnTrack},
		{"after the cycle, inside the at-risk band", 0.84, at(120), Rules{}, StatusAtRisk},
		{"after the cycle, on the off-track margin", 0.65, at(120), Rules{}, StatusAtRisk},
		{"after the cycle, past the off-track margin", 0.64, at(120), Rules{}, StatusOffTrack},
		{"done early", 1, at(10), Rules{}, StatusDone},
		{"done late", 1, at(200), Rules{}, StatusDone},
		{"custom margins on track", 0.4, at(50), custom, StatusOnTrack},
		{"custom margins at risk", 0.39, at(50), custom, StatusAtRisk},
		{"custom margins on off-track margin", 0.3, at(50), custom, StatusAtRisk},
		{"custom margins off track", 0.29, at(50), custom, StatusOffTrack},
		{"zero margins fall back to defaults", 0.34, at(50), Rules{MaxObjectives: 9}, StatusAtRisk},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ComputeStatus(tc.progress, tc.expected, tc.rules); got != tc.want {
				t.Errorf("ComputeStatus(%v, %v) = %q, want %q", tc.progress, tc.expected, got, tc.want)
			}
		})
	}
}

func TestStatusFromConfidence(t *testing.T) {
	want := map[int]Status{
		-1: StatusOffTrack, 0: StatusOffTrack, 1: StatusOffTrack, 3: StatusOffTrack,
		4: StatusAtRisk, 5: StatusAtRisk, 6: StatusAtRisk,
		7: StatusOnTrack, 8: StatusOnTrack, 10: StatusOnTrack, 11: StatusOnTrack,
	}
	for c, w := range want {
		if got := StatusFromConfidence(c); got != w {
			t.Errorf("StatusFromConfidence(%d) = %q, want %q", c, got, w)
		}
	}
}

func TestScores(t *testing.T) {
	t.Run("KRScore and SuggestScore", func(t *testing.T) {
		tests := []struct {
			name          string
			k             *KeyResult
			suggest, want float64
		}{
			{"no progress", krAt(1, 1, 0, 1), 0, 0},
			{"rounded down", kr(1, 1, 0, 100, 64, 1), 0.6, 0.6},
			{"rounded up at .65", kr(1, 1, 0, 100, 65, 1), 0.7, 0.7},
			{"exactly 0.7 via noisy division", kr(1, 1, 0, 30, 21, 1), 0.7, 0.7},
			{"overshoot scores 1", kr(1, 1, 0, 100, 300, 1), 1, 1},
			{"decrease", &KeyResult{Metric: MetricNumber, Direction: Decrease, Start: 10, Target: 0, Current: 3}, 0.7, 0.7},
			{"milestone done", &KeyResult{Metric: MetricMilestone, Current: 1}, 1, 1},
			{"owner's grade wins", func() *KeyResult { k := krAt(1, 1, 1, 1); k.Score = ptr(0.4); return k }(), 1, 0.4},
			{"owner's grade of 0 is kept", func() *KeyResult { k := krAt(1, 1, 1, 1); k.Score = ptr(0.0); return k }(), 1, 0},
			{"grade clamped high", func() *KeyResult { k := krAt(1, 1, 0, 1); k.Score = ptr(1.5); return k }(), 0, 1},
			{"grade clamped low", func() *KeyResult { k := krAt(1, 1, 0, 1); k.Score = ptr(-1.0); return k }(), 0, 0},
			{"NaN grade is 0", func() *KeyResult { k := krAt(1, 1, 1, 1); k.Score = ptr(nan); return k }(), 1, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				assertNear(t, "SuggestScore", SuggestScore(tc.k), tc.suggest)
				assertNear(t, "KRScore", KRScore(tc.k), tc.want)
			})
		}
	})
	t.Run("ObjectiveScore", func(t *testing.T) {
		graded := func(s, w float64) *KeyResult { k := krAt(0, 1, 0, w); k.Score = ptr(s); return k }
		tests := []struct {
			name string
			o    *Objective
			krs  []*KeyResult
			want float64
		}{
			{"no key results scores own progress", &Objective{Progress: 0.66}, nil, 0.7},
			{"no key results, progress clamped", &Objective{Progress: 3}, nil, 1},
			{"mean", &Objective{}, []*KeyResult{graded(0.6, 1), graded(0.8, 1)}, 0.7},
			{"noisy mean of 0.7", &Objective{}, []*KeyResult{graded(0.5, 1), graded(0.7, 1), graded(0.9, 1)}, 0.7},
			{"grades above 1 clamped", &Objective{}, []*KeyResult{graded(0.1, 1), graded(0.6, 1), graded(1.4, 1)}, 0.57},
			{"weighted, weight 0 counts as 1", &Objective{}, []*KeyResult{graded(1, 3), graded(0, 0)}, 0.75},
			{"rounded to hundredths", &Objective{}, []*KeyResult{graded(0.1, 1), graded(0.2, 1), graded(0.2, 1)}, 0.17},
			{"ungraded key results use progress", &Objective{}, []*KeyResult{krAt(1, 1, 0.74, 1), graded(0.7, 1)}, 0.7},
			{"own progress ignored when key results exist", &Objective{Progress: 1}, []*KeyResult{graded(0.3, 1)}, 0.3},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				assertNear(t, "ObjectiveScore", ObjectiveScore(tc.o, tc.krs), tc.want)
			})
		}
	})
	t.Run("Achieved", func(t *testing.T) {
		noisy := 0.1 + 0.2 + 0.4 // 0.7000000000000001 or 0.6999999999999999
		tests := []struct {
			score float64
			rules Rules
			want  bool
		}{
			{0.7, Rules{}, true},
			{noisy, Rules{}, true},
			{0.7 - 1e-12, Rules{}, true},
			{math.Nextafter(0.7, 0), Rules{}, true},
			{(0.6 + 0.8) / 2, Rules{}, true},
			{0.69, Rules{}, false},
			{0.699, Rules{}, false},
			{1, Rules{}, true},
			{0, Rules{}, false},
			{nan, Rules{}, false},
			{0.6, Rules{AchievedScore: 0.6}, true},
			{0.59, Rules{AchievedScore: 0.6}, false},
			{0.7, Rules{AchievedScore: 0.8}, false},
		}
		for _, tc := range tests {
			if got := Achieved(tc.score, tc.rules); got != tc.want {
				t.Errorf("Achieved(%v, %+v) = %v, want %v", tc.score, tc.rules, got, tc.want)
			}
		}
		// An objective graded 0.6 and 0.8 lands on the 0.7 boundary.
		s := ObjectiveScore(&Objective{}, []*KeyResult{{Score: ptr(0.6)}, {Score: ptr(0.8)}})
		if !Achieved(s, DefaultRules()) {
			t.Errorf("objective scoring %v (0.6 and 0.8) not achieved", s)
		}
	})
}

func TestRulesOrDefault(t *testing.T) {
	d := DefaultRules()
	if got := (Rules{}).OrDefault(); got != d {
		t.Errorf("Rules{}.OrDefault() = %+v, want %+v", got, d)
	}
	custom := Rules{MinObjectives: 1, MaxObjectives: 2, MinKeyResults: 3, MaxKeyResults: 7,
		AtRiskMargin: 0.1, OffTrackMargin: 0.2, AchievedScore: 0.6}
	if got := custom.OrDefault(); got != custom {
		t.Errorf("custom.OrDefault() = %+v, want unchanged", got)
	}
	// A minimum without a maximum is not a configuration: both come back.
	got := Rules{MinObjectives: 9, MinKeyResults: 9}.OrDefault()
	if got.MinObjectives != d.MinObjectives || got.MinKeyResults != d.MinKeyResults {
		t.Errorf("half-set rules = %+v", got)
	}
}

func TestExpectedProgressSince(t *testing.T) {
	c := &Cycle{Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)} // 91 days
	day := func(n int) time.Time { return c.Start.AddDate(0, 0, n) }
	tests := []struct {
		name       string
		since, now time.Time
		want       float64
	}{
		{"set up before the cycle: the cycle's line", day(-10), day(45), 45.0 / 91},
		{"no set-up time: the cycle's line", time.Time{}, day(45), 45.0 / 91},
		{"set up on day 31, asked the same day", day(31), day(31), 0},
		{"set up on day 31, asked on day 61", day(31), day(61), 0.5},
		{"asked after the end", day(31), day(100), 1},
		{"set up on the last day", c.End, c.End, 1},
		{"set up after the end", day(95), day(96), 1},
	}
	for _, tt := range tests {
		if got := ExpectedProgressSince(c, tt.since, tt.now); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: %.4f, want %.4f", tt.name, got, tt.want)
		}
	}
}

func TestObjectiveExpected(t *testing.T) {
	c := &Cycle{Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)} // 91 days
	day := func(n int) time.Time { return c.Start.AddDate(0, 0, n) }
	o := &Objective{CreatedAt: day(0)}
	kr := func(created int, w float64) *KeyResult { return &KeyResult{CreatedAt: day(created), Weight: w} }
	tests := []struct {
		name    string
		krs     []*KeyResult
		aligned []*Objective
		now     time.Time
		want    float64
	}{
		{"no key results: its own line", nil, nil, day(45), 45.0 / 91},
		{"its only key result written on day 56, asked that day", []*KeyResult{kr(56, 0)}, nil, day(56), 0},
		{"one from the start, one written on day 31", []*KeyResult{kr(0, 1), kr(31, 1)}, nil, day(61), (61.0/91 + 0.5) / 2},
		{"weights count", []*KeyResult{kr(0, 3), kr(31, 1)}, nil, day(61), (3*61.0/91 + 0.5) / 4},
		{"an aligned objective's own line", nil, []*Objective{{CreatedAt: day(31)}}, day(61), 0.5},
	}
	for _, tt := range tests {
		if got := ObjectiveExpected(c, o, tt.krs, tt.aligned, tt.now); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: %.4f, want %.4f", tt.name, got, tt.want)
		}
	}
}
