// Package forecast says where a key result lands at its cycle's end at its
// recent pace, and the score that earns; an objective's forecast follows
// from its key results'. It is pure, like okrcore: history and time come in
// as arguments.
//
// The pace is a robust fit, not the last two points: the slope is the
// weighted median of the slopes between every pair of the recent check-ins
// (Theil–Sen), each pair weighted by how recent both its points are, and
// the line goes through the weighted median of the points. One bad week, a
// typo corrected later or a burst of updates moves it little.
package forecast

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Tuning of the fit. A quarter has about thirteen weekly check-ins; the
// last eight are the recent pace, and a point four weeks older than the
// newest counts half as much as it.
const (
	// MinCheckIns is how many check-ins, on separate occasions, a key
	// result needs before its pace is read.
	MinCheckIns = 3
	window      = 8
	halfLife    = 28 * 24 * time.Hour
	// A check-in this soon before a later one is a correction of it, not
	// a point of its own: people fix a typo, or update twice in a sitting.
	correction = 12 * time.Hour
)

// Reason says why a key result has no forecast.
type Reason int

const (
	Forecast  Reason = iota // it has one
	TooFew                  // fewer than MinCheckIns check-ins on separate occasions
	Ended                   // the cycle is over (or closed, or the key result graded)
	NoCycle                 // it belongs to no cycle okrbot knows
	Milestone               // a milestone not done yet: done or not has no pace
)

// KR is a key result's forecast.
type KR struct {
	Reason Reason
	// Value is where it lands at End at its recent pace, its Progress
	// then and the Score that earns (SuggestScore of that progress).
	Value, Progress, Score float64
	End                    time.Time
	// PerDay is the pace, in the key result's unit per day.
	PerDay float64
}

// OK reports whether there is a forecast.
func (f KR) OK() bool { return f.Reason == Forecast }

type point struct {
	t time.Time
	v float64
	w float64
}

// ForKR is k's forecast at now in cycle c from its check-ins cis (the
// effective ones, okrcore.Effective, in any order; those before the
// cycle's start or after now are not read).
func ForKR(k *okrcore.KeyResult, c *okrcore.Cycle, cis []*okrcore.CheckIn, now time.Time) KR {
	switch {
	case c == nil:
		return KR{Reason: NoCycle}
	case c.Closed || !now.Before(c.End) || k.Score != nil:
		return KR{Reason: Ended, End: c.End}
	case k.Metric == okrcore.MetricMilestone:
		if k.Current >= 1 {
			return KR{Value: 1, Progress: 1, Score: 1, End: c.End}
		}
		return KR{Reason: Milestone, End: c.End}
	}
	pts := points(k, cis, c.Start, now)
	if len(pts) < MinCheckIns {
		return KR{Reason: TooFew, End: c.End}
	}
	last := pts[len(pts)-1].t
	slope := pairSlope(pts)
	level := weightedMedian(func(yield func(v, w float64)) {
		for _, p := range pts {
			yield(p.v+slope*days(last.Sub(p.t)), p.w)
		}
	})
	v := clampValue(k, pts, level+slope*days(c.End.Sub(last)))
	v = roundLike(v, k)
	at := *k
	at.Current = v
	return KR{Value: v, Progress: okrcore.KRProgress(&at), Score: okrcore.SuggestScore(&at), End: c.End, PerDay: slope}
}

// points are the recent check-ins of the cycle (from its start) as the
// fit reads them, oldest first: a correction folded into the check-in
// after it, the last window of them, each weighted by its age against the
// newest.
func points(k *okrcore.KeyResult, cis []*okrcore.CheckIn, start, now time.Time) []point {
	var pts []point
	for _, ci := range cis {
		if ci.TargetID == k.ID && !ci.At.Before(start) && !ci.At.After(now) && !math.IsNaN(ci.Value) && !math.IsInf(ci.Value, 0) {
			pts = append(pts, point{t: ci.At, v: ci.Value})
		}
	}
	slices.SortStableFunc(pts, func(a, b point) int { return a.t.Compare(b.t) })
	kept := pts[:0]
	for i, p := range pts {
		if i+1 < len(pts) && pts[i+1].t.Sub(p.t) < correction {
			continue
		}
		kept = append(kept, p)
	}
	if len(kept) > window {
		kept = kept[len(kept)-window:]
	}
	if len(kept) > 0 {
		newest := kept[len(kept)-1].t
		for i := range kept {
			kept[i].w = math.Exp2(-float64(newest.Sub(kept[i].t)) / float64(halfLife))
		}
	}
	return kept
}

// pairSlope is the weighted median of the slopes (per day) between every
// two points, each pair weighing as much as both its points together.
func pairSlope(pts []point) float64 {
	return weightedMedian(func(yield func(v, w float64)) {
		for i := range pts {
			for j := i + 1; j < len(pts); j++ {
				yield((pts[j].v-pts[i].v)/days(pts[j].t.Sub(pts[i].t)), pts[i].w*pts[j].w)
			}
		}
	})
}

func days(d time.Duration) float64 { return d.Hours() / 24 }

// weightedMedian is the value below which half the weight lies; between
// two values that split it exactly, their mean.
func weightedMedian(each func(yield func(v, w float64))) float64 {
	type vw struct{ v, w float64 }
	xs := make([]vw, 0, window*window/2)
	total := 0.0
	each(func(v, w float64) {
		xs = append(xs, vw{v, w})
		total += w
	})
	if len(xs) == 0 {
		return 0
	}
	slices.SortFunc(xs, func(a, b vw) int { return cmp.Compare(a.v, b.v) })
	acc := 0.0
	for i, x := range xs {
		acc += x.w
		switch {
		case math.Abs(acc-total/2) <= 1e-12*total && i+1 < len(xs):
			return (x.v + xs[i+1].v) / 2
		case acc > total/2:
			return x.v
		}
	}
	return xs[len(xs)-1].v
}

// clampValue keeps a projection where the key result's scale allows: no
// further than one whole span beyond its target or behind its start,
// never below zero for a measure that has never been negative, and no
// percentage over 100 unless its target is.
func clampValue(k *okrcore.KeyResult, pts []point, v float64) float64 {
	lo, hi := math.Min(k.Start, k.Target), math.Max(k.Start, k.Target)
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(k.Target), 1)
	}
	lo, hi = lo-span, hi+span
	nonNegative := k.Start >= 0 && k.Target >= 0
	for _, p := range pts {
		nonNegative = nonNegative && p.v >= 0
	}
	if nonNegative {
		lo = math.Max(lo, 0)
	}
	if k.Metric == okrcore.MetricPercent {
		hi = math.Min(hi, math.Max(100, math.Max(k.Start, k.Target)))
	}
	return math.Min(hi, math.Max(lo, v))
}

// roundLike rounds a projection to a precision its span makes sense of: a
// forecast of 4,317.28 customers is no better a guess than 4,317.
func roundLike(v float64, k *okrcore.KeyResult) float64 {
	span := math.Abs(k.Target - k.Start)
	if span == 0 {
		span = math.Abs(k.Target)
	}
	per := 100.0 // steps per unit
	switch {
	case span >= 100:
		per = 1
	case span >= 1:
		per = 10
	}
	return math.Round(v*per) / per
}
