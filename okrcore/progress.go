package okrcore

import (
	"math"
	"time"
)

// KRProgress is how far a key result has come from its start towards its
// target, clamped to [0, 1]. It is correct for decreasing metrics (the span
// is negative, and so is the movement) and for start == target, where the
// key result is either met or not. A milestone is 0 or 1.
func KRProgress(k *KeyResult) float64 {
	if k.Metric == MetricMilestone {
		if k.Current >= 1 {
			return 1
		}
		return 0
	}
	span := k.Target - k.Start
	if span == 0 || math.IsNaN(span) {
		met := k.Current >= k.Target
		if k.Direction == Decrease {
			met = k.Current <= k.Target
		}
		if met {
			return 1
		}
		return 0
	}
	return clamp01((k.Current - k.Start) / span)
}

func clamp01(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0:
		return 0
	case p > 1:
		return 1
	}
	return p
}

// CheckWeight refuses a weight someone gives that is not above 0 and at
// most 100: everything under an objective counts towards its progress, so
// a weight of 0 is refused rather than read as unset (1).
func CheckWeight(w float64) error {
	const rng = "Weights go from above 0 to 100; 1 is the usual weight, 2 counts double, 0.5 half."
	if w == 0 {
		return Errorf(KindInvalid, "A weight of 0 is not taken: everything under an objective counts towards its progress. "+rng)
	} else if !(w > 0 && w <= 100) {
		return Errorf(KindInvalid, rng)
	}
	return nil
}

func weightOr1(w float64) float64 {
	if w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return 1
	}
	return w
}

// weighted sums fk over krs and fo over aligned, each weighted by its
// weight (unset counts as 1), and the weights.
func weighted(krs []*KeyResult, aligned []*Objective, fk func(*KeyResult) float64, fo func(*Objective) float64) (sum, total float64) {
	for _, k := range krs {
		sum, total = sum+weightOr1(k.Weight)*fk(k), total+weightOr1(k.Weight)
	}
	for _, o := range aligned {
		sum, total = sum+weightOr1(o.Weight)*fo(o), total+weightOr1(o.Weight)
	}
	return sum, total
}

// ObjectiveProgress is the weighted mean of the progress of an objective's
// key results and of the objectives aligned beneath it (under the objective
// itself or under one of its key results). Unset weights count as 1.
func ObjectiveProgress(krs []*KeyResult, aligned []*Objective) float64 {
	sum, total := weighted(krs, aligned, KRProgress, func(o *Objective) float64 { return clamp01(o.Progress) })
	if total == 0 {
		return 0
	}
	return clamp01(sum / total)
}

// ExpectedProgress is the share of the cycle that has elapsed at now: the
// progress an item on a straight line to its target would have.
func ExpectedProgress(c *Cycle, now time.Time) float64 {
	span := c.End.Sub(c.Start)
	if span <= 0 {
		return 1
	}
	return clamp01(float64(now.Sub(c.Start)) / float64(span))
}

// ExpectedProgressSince is the expected progress of an item set up at
// since: a straight line from then (or the cycle's start, if later) to the
// cycle's end. A key result written in week 8 starts on track instead of
// "off track" for the weeks before it existed.
func ExpectedProgressSince(c *Cycle, since, now time.Time) float64 {
	start := c.Start
	if since.After(start) {
		start = since
	}
	span := c.End.Sub(start)
	if span <= 0 {
		return 1
	}
	return clamp01(float64(now.Sub(start)) / float64(span))
}

// ObjectiveExpected is an objective's expected progress at now. Its
// progress is the weighted mean of its key results' and aligned objectives'
// progress, so its expected progress is the weighted mean of their lines,
// each from when it was written: a key result added late, or an objective
// that got its first key result in week 8, is not "behind" for the weeks
// before. With neither, it is the objective's own line.
func ObjectiveExpected(c *Cycle, o *Objective, krs []*KeyResult, aligned []*Objective, now time.Time) float64 {
	sum, total := weighted(krs, aligned, func(k *KeyResult) float64 { return ExpectedProgressSince(c, k.CreatedAt, now) },
		func(a *Objective) float64 { return ExpectedProgressSince(c, a.CreatedAt, now) })
	if total == 0 {
		return ExpectedProgressSince(c, o.CreatedAt, now)
	}
	return sum / total
}

// ComputeStatus derives a status from progress when nobody set one: an item
// that lags the expected progress by more than the at-risk margin is at
// risk, by more than the off-track margin off track.
func ComputeStatus(progress, expected float64, r Rules) Status {
	r = r.OrDefault()
	if progress >= 1 {
		return StatusDone
	}
	// A lag of exactly a margin is not "more than" it; the tolerance keeps
	// float noise (0.5-0.35 = 0.15000000000000002) from crossing it.
	lag := expected - progress - 1e-9
	switch {
	case lag > r.OffTrackMargin:
		return StatusOffTrack
	case lag > r.AtRiskMargin:
		return StatusAtRisk
	}
	return StatusOnTrack
}

// StatusFromConfidence maps a 0–10 confidence to a status, the way the
// rollout guides read it: 7 and up on track, 4–6 at risk, below off track.
func StatusFromConfidence(c int) Status {
	switch {
	case c >= 7:
		return StatusOnTrack
	case c >= 4:
		return StatusAtRisk
	}
	return StatusOffTrack
}

// KRScore is the end-of-cycle grade of a key result: the owner's grade when
// one was given, otherwise its progress rounded to one decimal.
func KRScore(k *KeyResult) float64 {
	if k.Score != nil {
		return clamp01(*k.Score)
	}
	return SuggestScore(k)
}

// SuggestScore is the grade suggested from progress: rounded to 0.1.
func SuggestScore(k *KeyResult) float64 {
	return math.Round(KRProgress(k)*10) / 10
}

// ObjectiveScore is the weighted mean of the scores of an objective's key
// results. An objective without key results scores its own progress.
func ObjectiveScore(o *Objective, krs []*KeyResult) float64 {
	sum, total := weighted(krs, nil, KRScore, nil)
	if total == 0 {
		return math.Round(clamp01(o.Progress)*10) / 10
	}
	return math.Round(sum/total*100) / 100
}

// Achieved reports whether a score counts as achieved (0.7–1.0 by default).
func Achieved(score float64, r Rules) bool {
	return score >= r.OrDefault().AchievedScore-1e-9
}

// RollUpAll computes the progress of every objective from scratch, bottom-up
// through any number of alignment levels. It returns progress by objective
// id and does not modify its arguments. Alignment loops, which validation
// prevents but old data might hold, are broken rather than followed.
func RollUpAll(objs []*Objective, krs []*KeyResult) map[ID]float64 {
	byID := make(map[ID]*Objective, len(objs))
	for _, o := range objs {
		byID[o.ID] = o
	}
	krsOf := make(map[ID][]*KeyResult, len(objs))
	krObjective := make(map[ID]ID, len(krs))
	for _, k := range krs {
		krsOf[k.Objective] = append(krsOf[k.Objective], k)
		krObjective[k.ID] = k.Objective
	}
	children := make(map[ID][]ID, len(objs))
	for _, o := range objs {
		if p, ok := parentObjectiveID(o, krObjective); ok {
			children[p] = append(children[p], o.ID)
		}
	}

	progress := make(map[ID]float64, len(objs))
	const (
		unvisited = iota
		visiting
		done
	)
	state := make(map[ID]int8, len(objs))
	// An explicit stack rather than recursion: a chain of alignments is as
	// deep as the data makes it.
	type frame struct {
		id       ID
		expanded bool
	}
	var stack []frame
	for _, root := range objs {
		if state[root.ID] == done {
			continue
		}
		stack = append(stack[:0], frame{id: root.ID})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if !f.expanded {
				f.expanded = true
				state[f.id] = visiting
				for _, c := range children[f.id] {
					if state[c] == unvisited {
						stack = append(stack, frame{id: c})
					}
				}
				continue
			}
			id := f.id
			stack = stack[:len(stack)-1]
			var sum, total float64
			for _, k := range krsOf[id] {
				w := weightOr1(k.Weight)
				sum += w * KRProgress(k)
				total += w
			}
			for _, c := range children[id] {
				if state[c] != done {
					continue // a loop: ignore the back edge
				}
				w := weightOr1(byID[c].Weight)
				sum += w * progress[c]
				total += w
			}
			if total > 0 {
				progress[id] = clamp01(sum / total)
			} else {
				progress[id] = 0
			}
			state[id] = done
		}
	}
	return progress
}

func parentObjectiveID(o *Objective, krObjective map[ID]ID) (ID, bool) {
	if o.ParentObjective != 0 {
		return o.ParentObjective, true
	}
	if o.ParentKR != 0 {
		p, ok := krObjective[o.ParentKR]
		return p, ok
	}
	return 0, false
}
