package vivagoals

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// aim is what a Target Type asks of a key result.
type aim struct {
	dir okrcore.Direction
	// stay is "above" or "below" for a target to hold rather than reach.
	stay string
	// achieve is a target that is met or not.
	achieve bool
}

func words(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.NewReplacer("-", " ", "_", " ").Replace(s))), " ")
}

// readAim reads a Target Type ("Increase to", "Decrease to", "Stay above",
// "Stay below", "Achieve" …); ok is false for one okrbot cannot follow.
func readAim(s string) (aim, bool) {
	switch w := words(s); w {
	case "":
		return aim{}, true
	case "increase to", "increase", "increase by", "grow to", "raise to", "reach":
		return aim{dir: okrcore.Increase}, true
	case "decrease to", "decrease", "decrease by", "reduce to", "lower to":
		return aim{dir: okrcore.Decrease}, true
	case "stay above", "maintain above", "keep above", "stay at or above", "at least", "above":
		return aim{dir: okrcore.Increase, stay: "above"}, true
	case "stay below", "maintain below", "keep below", "stay at or below", "at most", "below":
		return aim{dir: okrcore.Decrease, stay: "below"}, true
	case "achieve", "achieve target", "achieved", "complete", "done", "yes or no", "binary", "milestone":
		return aim{achieve: true}, true
	}
	return aim{}, false
}

// measure sets a key result's metric, unit, start, target and direction
// from its Outcome. A key result without one (a project made a key result)
// is measured in percent.
func (rd *reader) measure(it *transfer.Item, p *pending) {
	o := p.outcome
	if o == nil {
		o = &rawOutcome{}
	}
	a, ok := readAim(o.TargetType)
	if !ok {
		rd.warn(it.Record, "its target type, %s, is not one okrbot knows, so the direction is read from its start and target", quote(o.TargetType))
	}
	otype := words(o.Type)
	zeroOne := func(n num) bool { return !n.OK || n.V == 0 || n.V == 1 }
	if strings.Contains(otype, "milestone") || strings.Contains(otype, "binary") || a.achieve && zeroOne(o.Start) && zeroOne(o.Target) {
		it.Metric, it.Start, it.Target, it.Direction = okrcore.MetricMilestone, 0, 1, okrcore.Increase
		return
	}
	switch otype {
	case "", "percentage", "percent", "%":
		it.Metric, it.Start, it.Target = okrcore.MetricPercent, 0, 100
		if o.Start.OK {
			it.Start = o.Start.V
		}
		if o.Target.OK {
			it.Target = o.Target.V
		}
		if it.Start == 0 && it.Target == 0 {
			it.Target = 100
		}
	case "metric", "number", "numeric", "currency", "value":
		if !o.Target.OK {
			rd.warn(it.Record, "its metric has no target, so it is imported as a key result in percent, from its progress")
			it.Metric, it.Start, it.Target, it.Direction = okrcore.MetricPercent, 0, 100, okrcore.Increase
			return
		}
		rd.metric(it, o)
	default:
		rd.warn(it.Record, "its outcome type, %s, is not one okrbot knows (Percentage, Metric), so it is read as a metric", quote(o.Type))
		if !o.Target.OK {
			it.Metric, it.Start, it.Target, it.Direction = okrcore.MetricPercent, 0, 100, okrcore.Increase
			return
		}
		rd.metric(it, o)
	}
	rd.direct(it, a, o.TargetType)
}

// metric sets a numeric key result's unit, start and target; a currency
// unit makes it a currency, written with its symbol.
func (rd *reader) metric(it *transfer.Item, o *rawOutcome) {
	it.Metric, it.Start, it.Target = okrcore.MetricNumber, 0, o.Target.V
	if o.Start.OK {
		it.Start = o.Start.V
	}
	unit := strings.TrimSpace(o.Unit)
	if sym, ok := currency(unit); ok {
		it.Metric, unit = okrcore.MetricCurrency, sym
	}
	if utf8.RuneCountInString(unit) > 16 {
		rd.warn(it.Record, "its unit, %s, is longer than okrbot's 16 characters, so it is cut", quote(unit))
		unit = string([]rune(unit)[:16])
	}
	it.Unit = unit
}

// direct sets the direction from the target type and the numbers, which
// okrbot needs to agree: it measures from a start towards a different
// target.
func (rd *reader) direct(it *transfer.Item, a aim, said string) {
	want := okrcore.Increase
	if it.Target < it.Start {
		want = okrcore.Decrease
	}
	dir := a.dir
	if dir == "" {
		dir = want
	}
	val := func(v float64) string { return okrcore.FormatValue(v, it.Metric, it.Unit) }
	onSide := it.Start != it.Target && dir == want
	switch {
	case a.stay != "":
		if !onSide {
			it.Start = awayFrom(it.Target, dir)
		}
		rd.warn(it.Record, "its target type, %s %s, has no equivalent in okrbot, so it is imported as a key result to go from %s to %s, met while it stays %s",
			quote(said), val(it.Target), val(it.Start), val(it.Target), a.stay)
	case it.Start == it.Target:
		it.Start = awayFrom(it.Target, dir)
		rd.warn(it.Record, "its start equals its target (%s); okrbot measures from a start to a target, so it starts at %s", val(it.Target), val(it.Start))
	case dir != want:
		rd.warn(it.Record, "its target type is %s, but its target (%s) is on the other side of its start (%s), so it is imported as a key result to %s, as the numbers say",
			quote(said), val(it.Target), val(it.Start), want)
		dir = want
	}
	it.Direction = dir
}

// awayFrom is a start on the far side of target for a key result that
// goes in dir: 0 when that side has it, else a step of the target's size.
func awayFrom(target float64, dir okrcore.Direction) float64 {
	step := math.Max(math.Abs(target), 1)
	if dir == okrcore.Decrease {
		return target + step
	}
	if target > 0 {
		return 0
	}
	return target - step
}

// currency reads a unit that is a currency and gives its symbol.
func currency(unit string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(unit)) {
	case "$", "USD", "US$", "DOLLAR", "DOLLARS":
		return "$", true
	case "€", "EUR", "EURO", "EUROS":
		return "€", true
	case "£", "GBP", "POUND", "POUNDS":
		return "£", true
	case "¥", "JPY", "YEN", "CNY", "RMB":
		return "¥", true
	case "₹", "INR", "RUPEES":
		return "₹", true
	case "₩", "KRW":
		return "₩", true
	case "R$", "BRL":
		return "R$", true
	case "A$", "AUD":
		return "A$", true
	case "C$", "CAD":
		return "C$", true
	case "CHF", "SEK", "NOK", "DKK", "PLN", "ZAR", "MXN", "SGD", "HKD", "NZD":
		return strings.ToUpper(strings.TrimSpace(unit)) + " ", true
	}
	return "", false
}

// valueAt is the value of a key result that has come progress (0–1) of
// the way, rounded so that 33% of 30 reads 9.9, not 9.899999.
func valueAt(it *transfer.Item, progress float64) float64 {
	if it.Metric == okrcore.MetricMilestone {
		if progress >= 1 {
			return 1
		}
		return 0
	}
	v := it.Start + progress*(it.Target-it.Start)
	return math.Round(v*1e6) / 1e6
}

func trimNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
