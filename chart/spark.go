package chart

import (
	"math"
	"strings"
)

// levels are the eight heights of a sparkline, lowest first.
var levels = [...]rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// Sparkline draws values as one line of block characters scaled between
// their own lowest and highest value: the shape of a history, beside a
// bar that already says its level. A flat series (one value included) is
// drawn at mid height, and a value that is not a number (NaN, ±Inf) as a
// space, so a gap shows as one.
func Sparkline(values []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if finite(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return spark(values, lo, hi)
}

// SparklineIn draws values scaled between lo and hi, clamped to them: for
// progress, SparklineIn(vs, 0, 1), so that a key result at 90% all along
// reads high, not mid-way.
func SparklineIn(values []float64, lo, hi float64) string {
	return spark(values, lo, hi)
}

func spark(values []float64, lo, hi float64) string {
	var sb strings.Builder
	for _, v := range values {
		switch {
		case !finite(v):
			sb.WriteByte(' ')
		case !(hi > lo):
			sb.WriteRune(levels[len(levels)/2-1])
		default:
			f := (min(max(v, lo), hi) - lo) / (hi - lo)
			sb.WriteRune(levels[int(math.Round(f*float64(len(levels)-1)))])
		}
	}
	return sb.String()
}
