package okrcore

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// MaxTitle is the longest title accepted, in characters.
const MaxTitle = 200

// maxMagnitude bounds values so that sums and JSON stay exact enough.
const maxMagnitude = 1e15

func validTitle(what, title string) error {
	t := strings.TrimSpace(title)
	if t == "" {
		return Errorf(KindInvalid, "The %s needs a title.", what)
	}
	if utf8.RuneCountInString(t) > MaxTitle {
		return Errorf(KindInvalid, "That %s title is too long (%d characters; keep it under %d).", what, utf8.RuneCountInString(t), MaxTitle)
	}
	return nil
}

// ValidNumber rejects NaN, infinities and absurd magnitudes.
func ValidNumber(what string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxMagnitude {
		return Errorf(KindInvalid, "%s must be an ordinary number.", what)
	}
	return nil
}

// ValidateObjective checks an objective before it is stored.
func ValidateObjective(o *Objective) error {
	o.Title = CleanText(o.Title, false)
	if err := validTitle("objective", o.Title); err != nil {
		return err
	}
	if o.Owner.IsZero() || (o.Owner.Kind != OwnerUser && o.Owner.Kind != OwnerTeam) {
		return Errorf(KindInvalid, "The objective needs an owner: a person or a team.")
	}
	if o.Cycle == 0 {
		return Errorf(KindInvalid, "The objective needs a cycle. Set one with `/okr cycle new`.")
	}
	if o.ParentKR != 0 && o.ParentObjective != 0 {
		return Errorf(KindInvalid, "An objective aligns under one key result or one objective, not both.")
	}
	if o.Weight < 0 || math.IsNaN(o.Weight) || o.Weight > 100 {
		return Errorf(KindInvalid, "Weights go from 0 to 100.")
	}
	return nil
}

// NormalizeKeyResult fills defaults (direction from start and target, weight
// 1, milestone 0→1) and validates the key result.
func NormalizeKeyResult(k *KeyResult) error {
	k.Title, k.Unit = CleanText(k.Title, false), CleanText(k.Unit, false)
	if err := validTitle("key result", k.Title); err != nil {
		return err
	}
	switch k.Metric {
	case "":
		k.Metric = MetricNumber
	case MetricPercent, MetricNumber, MetricCurrency, MetricMilestone:
	default:
		return Errorf(KindInvalid, "%q is not a metric kind; use percent, number, currency or milestone.", k.Metric)
	}
	if k.Metric == MetricMilestone {
		k.Start, k.Target, k.Direction = 0, 1, Increase
		if k.Current != 0 && k.Current != 1 {
			return Errorf(KindInvalid, "A milestone is either done or not done.")
		}
	}
	for _, f := range []struct {
		what string
		v    float64
	}{{"The start", k.Start}, {"The target", k.Target}, {"The current value", k.Current}, {"The weight", k.Weight}} {
		if err := ValidNumber(f.what, f.v); err != nil {
			return err
		}
	}
	if k.Start == k.Target {
		return Errorf(KindInvalid, "The target (%s) equals the start, so there is nothing to measure. Pick a target different from the start.", FormatValue(k.Target, k.Metric, k.Unit))
	}
	want := Increase
	if k.Target < k.Start {
		want = Decrease
	}
	switch k.Direction {
	case "":
		k.Direction = want
	case want:
	case Increase, Decrease:
		return Errorf(KindInvalid, "A key result that should %s needs a target %s than its start (from %s to %s).",
			k.Direction, map[Direction]string{Increase: "higher", Decrease: "lower"}[k.Direction],
			FormatValue(k.Start, k.Metric, k.Unit), FormatValue(k.Target, k.Metric, k.Unit))
	default:
		return Errorf(KindInvalid, "%q is not a direction; use increase or decrease.", k.Direction)
	}
	if k.Weight == 0 {
		k.Weight = 1
	}
	if k.Weight < 0 || k.Weight > 100 {
		return Errorf(KindInvalid, "Weights go from 0 to 100.")
	}
	if k.Metric == MetricPercent && (k.Start < 0 || k.Target < 0) {
		return Errorf(KindInvalid, "Percentages start and end at 0 or more.")
	}
	if utf8.RuneCountInString(k.Unit) > 16 {
		return Errorf(KindInvalid, "Keep the unit short (16 characters at most).")
	}
	return nil
}

// ValidateKPI checks a KPI before it is stored.
func ValidateKPI(k *KPI) error {
	k.Title, k.Unit = CleanText(k.Title, false), CleanText(k.Unit, false)
	if err := validTitle("KPI", k.Title); err != nil {
		return err
	}
	for _, v := range []float64{k.HealthyMin, k.HealthyMax, k.Current} {
		if err := ValidNumber("A KPI value", v); err != nil {
			return err
		}
	}
	if k.HealthyMin > k.HealthyMax {
		return Errorf(KindInvalid, "The healthy range goes from low to high: %s–%s is backwards.", trimFloat(k.HealthyMin), trimFloat(k.HealthyMax))
	}
	if k.Owner.IsZero() || (k.Owner.Kind != OwnerUser && k.Owner.Kind != OwnerTeam) {
		return Errorf(KindInvalid, "The KPI needs an owner: a person or a team.")
	}
	return nil
}

// ObjectiveCountWarning returns a warning when an owner has a number of
// objectives in a cycle outside the rules, or "".
func ObjectiveCountWarning(n int, r Rules) string {
	r = r.OrDefault()
	if n > r.MaxObjectives {
		return fmt.Sprintf("That makes %d objectives for this owner this cycle; %d–%d keeps the focus.", n, r.MinObjectives, r.MaxObjectives)
	}
	return ""
}

// KeyResultCountWarning returns a warning when an objective has more key
// results than the rules allow, or "". Fewer is said a day later
// (okrcore/minimums), never while someone is still writing them.
func KeyResultCountWarning(n int, r Rules) string {
	if r = r.OrDefault(); n > r.MaxKeyResults {
		return fmt.Sprintf("This objective now has %d key results; %d–%d is easier to track.", n, r.MinKeyResults, r.MaxKeyResults)
	}
	return ""
}
