package forecast_test

import (
	"math"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
)

// FuzzForKR feeds histories of any values and times: a forecast is never
// NaN or infinite, stays within its key result's scale (one span past
// either end, never below zero for a measure never negative, a percentage
// at most 100 unless its target is more; each up to the half step it is
// rounded by), and scores 0 to 1.
func FuzzForKR(f *testing.F) {
	f.Add(0.0, 100.0, false, 7.0, 7.0, 14.0, 14.0, 21.0, 21.0, 43.0)
	f.Add(10.0, 2.0, true, 7.0, 9.3, 14.0, 8.6, 21.0, 7.9, 22.0)
	f.Add(0.0, 0.0, false, 1.0, 5.0, 1.01, -3.0, 80.0, 1e300, 89.0)
	f.Add(5.0, 5.0, true, -3.0, 5.0, 30.0, math.NaN(), 31.0, math.Inf(1), 95.0)
	f.Fuzz(func(t *testing.T, start, target float64, percent bool, d1, v1, d2, v2, d3, v3, now float64) {
		for _, x := range []float64{start, target} {
			if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e12 {
				t.Skip()
			}
		}
		k := kr(okrcore.MetricNumber, start, target, v3)
		if percent {
			k.Metric = okrcore.MetricPercent
		}
		at := func(d float64) time.Time {
			if math.IsNaN(d) || math.Abs(d) > 1e4 {
				d = 0
			}
			return day(d)
		}
		var cis []*okrcore.CheckIn
		for i, p := range [][2]float64{{d1, v1}, {d2, v2}, {d3, v3}} {
			cis = append(cis, &okrcore.CheckIn{ID: okrcore.ID(i + 1), Target: okrcore.TargetKR, TargetID: 1, At: at(p[0]), Value: p[1]})
		}
		fc := forecast.ForKR(k, q1, cis, at(now))
		if !fc.OK() {
			return
		}
		if math.IsNaN(fc.Value) || math.IsInf(fc.Value, 0) || fc.Score < 0 || fc.Score > 1 || fc.Progress < 0 || fc.Progress > 1 {
			t.Fatalf("forecast %+v", fc)
		}
		lo, hi := math.Min(start, target), math.Max(start, target)
		span := math.Max(hi-lo, math.Max(math.Abs(target), 1))
		if hi > lo {
			span = hi - lo
		}
		// Rounded after it is clamped: half a step (at most 0.5) over.
		if tol := 0.5 + 1e-9*span; fc.Value < lo-span-tol || fc.Value > hi+span+tol {
			t.Fatalf("value %v outside %v–%v", fc.Value, lo-span, hi+span)
		}
		if percent && fc.Value > math.Max(100, hi)+0.5 {
			t.Fatalf("percentage %v over 100", fc.Value)
		}
	})
}
