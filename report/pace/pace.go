// Package pace is what the views say of a forecast (okrcore/forecast):
// where a key result or an objective lands at its cycle's end at its
// recent pace, in a sentence, a short phrase or a digest's doubt, and the
// forecasts of a set of key results read from a transaction.
package pace

import (
	"fmt"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/forecast"
)

// readLimit is how many of a key result's newest check-ins are read: the
// fit's window with room for corrections folded into it and undos.
const readLimit = 32

// Forecasts are key results' forecasts by id.
type Forecasts map[okrcore.ID]forecast.KR

// Read is the forecast of each of krs at now in cycle c (nil: none), from
// one read of its newest check-ins since the cycle began; one not checked
// in since is not read.
func Read(tx okrcore.Tx, ws string, c *okrcore.Cycle, krs []*okrcore.KeyResult, now time.Time) (Forecasts, error) {
	out := make(Forecasts, len(krs))
	for _, k := range krs {
		var cis []*okrcore.CheckIn
		if c != nil && !k.LastCheckIn.IsZero() && !k.LastCheckIn.Before(c.Start) && k.Metric != okrcore.MetricMilestone {
			raw, err := tx.CheckIns(ws, okrcore.TargetKR, k.ID, c.Start, readLimit)
			if err != nil {
				return nil, fmt.Errorf("read check-ins of %s: %w", k.Ref(), err)
			}
			cis = okrcore.Effective(raw)
		}
		out[k.ID] = forecast.ForKR(k, c, cis, now)
	}
	return out, nil
}

// lastDay is the last day of a cycle that ends at end (its first instant
// after), as the views write dates.
func lastDay(end time.Time) string { return end.AddDate(0, 0, -1).Format("Jan 2") }

// KRScore is a key result's score as grades are written: one decimal.
func KRScore(s float64) string { return fmt.Sprintf("%.1f", s) }

// ObjectiveScore is an objective's: two decimals, as its score is kept.
func ObjectiveScore(s float64) string { return fmt.Sprintf("%.2f", s) }

// Sentence is what `/okr show KR` says of k's forecast f: where it lands
// and what that scores, or why there is no forecast ("" when it has no
// cycle).
func Sentence(k *okrcore.KeyResult, f forecast.KR) string {
	switch f.Reason {
	case forecast.TooFew:
		return fmt.Sprintf("No forecast yet: it takes check-ins on %d separate days to read a pace.", forecast.MinCheckIns)
	case forecast.Milestone:
		return "A milestone is done or not done: it has no pace to forecast."
	case forecast.Ended:
		return "The cycle is over: no forecast."
	case forecast.NoCycle:
		return ""
	}
	if k.Metric == okrcore.MetricMilestone {
		return "Done: it scores 1.0."
	}
	return fmt.Sprintf("*Forecast*: at its recent pace it reaches %s (target %s) by %s, which scores %s.",
		chat.User(okrcore.FormatValue(f.Value, k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit)), lastDay(f.End), KRScore(f.Score))
}

// Short is the phrase `/okr mine` adds to k's line: "on pace for 0.7"; ""
// without a forecast, and for a milestone (done says it all).
func Short(k *okrcore.KeyResult, f forecast.KR) string {
	if !f.OK() || k.Metric == okrcore.MetricMilestone {
		return ""
	}
	return "on pace for " + KRScore(f.Score)
}

// OfOne is the digest's phrase for a key result: "on pace for 0.4 of 1.0".
func OfOne(k *okrcore.KeyResult, f forecast.KR) string {
	if s := Short(k, f); s != "" {
		return s + " of 1.0"
	}
	return ""
}

// ObjectiveShort is the phrase of an objective's line: "on pace for 0.45
// of 1.0"; "" without a forecast.
func ObjectiveShort(f forecast.Objective) string {
	if !f.OK() {
		return ""
	}
	return "on pace for " + ObjectiveScore(f.Score) + " of 1.0"
}

// ObjectiveSentence is what `/okr show O` says of its forecast.
func ObjectiveSentence(f forecast.Objective) string {
	if !f.OK() {
		if f.Of == 0 {
			return ""
		}
		return fmt.Sprintf("No forecast yet: none of its key results has check-ins on %d separate days.", forecast.MinCheckIns)
	}
	s := fmt.Sprintf("*Forecast*: at its key results' recent pace it reaches %s by %s, which scores %s.", okrcore.Percent(f.Progress), lastDay(f.End), ObjectiveScore(f.Score))
	if f.Paced < f.Of {
		s += fmt.Sprintf(" %d of its %d key results have a pace; the others count as they stand.", f.Paced, f.Of)
	}
	return s
}

// OnBar adds a phrase to a bar's detail.
func OnBar(b chat.ProgressBar, phrase string) chat.ProgressBar {
	if phrase != "" {
		if b.Detail != "" {
			b.Detail += " · "
		}
		b.Detail += phrase
	}
	return b
}

// Doubt is the digest's gentle line for a key result stated on track whose
// forecast falls short (forecast.Doubtful); who is the name of the one who
// said so.
func Doubt(k *okrcore.KeyResult, f forecast.KR, who string) string {
	return fmt.Sprintf("%s %s: %s says on track; at its recent pace it reaches %s (target %s) by %s, %s of 1.0. Worth a look together?",
		k.Ref(), chat.User(k.Title), who, chat.User(okrcore.FormatValue(f.Value, k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit)), lastDay(f.End), KRScore(f.Score))
}

// maxDoubts is how many doubts a digest lists: a gentle word, not a list
// of everyone's optimism.
const maxDoubts = 5

// Doubts are the digest's lines for those of krs stated on track whose
// forecast falls short (forecast.Doubtful), in their order, at most
// maxDoubts; standing reads a key result's status, name a person's name.
func Doubts(krs []*okrcore.KeyResult, fc Forecasts, standing func(*okrcore.KeyResult) okrcore.Standing, r okrcore.Rules, name func(okrcore.ID) string) []string {
	var lines []string
	for _, k := range krs {
		s := standing(k)
		if len(lines) < maxDoubts && forecast.Doubtful(fc[k.ID], s, r) {
			lines = append(lines, "• "+Doubt(k, fc[k.ID], name(s.SaidBy)))
		}
	}
	return lines
}

// From is the forecast of each of krs at now in cycle c from the check-ins
// a view has read already (hist, by key result).
func From(c *okrcore.Cycle, krs []*okrcore.KeyResult, hist map[okrcore.ID][]*okrcore.CheckIn, now time.Time) Forecasts {
	out := make(Forecasts, len(krs))
	for _, k := range krs {
		out[k.ID] = forecast.ForKR(k, c, hist[k.ID], now)
	}
	return out
}
