package forecast

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Objective is an objective's forecast from its key results'.
type Objective struct {
	// Progress and Score are the objective's at the cycle's end, weighted
	// as its roll-up and its score are (okrcore.ObjectiveProgress,
	// okrcore.ObjectiveScore).
	Progress, Score float64
	End             time.Time
	// Paced is how many of its Of key results have a forecast; the others
	// count as they stand.
	Paced, Of int
}

// OK reports whether there is a forecast: at least one key result has one.
func (f Objective) OK() bool { return f.Paced > 0 }

// ForObjective is the forecast of objective o from its key results krs and
// their forecasts fc (by key result id). A key result without one counts
// as it stands now; the objectives aligned beneath it are left out, as
// okrcore.ObjectiveStanding leaves them.
func ForObjective(o *okrcore.Objective, krs []*okrcore.KeyResult, fc map[okrcore.ID]KR) Objective {
	f := Objective{Of: len(krs)}
	at := make([]*okrcore.KeyResult, len(krs))
	for i, k := range krs {
		cp := *k
		if kf, ok := fc[k.ID]; ok && kf.OK() {
			cp.Current, cp.Progress = kf.Value, kf.Progress
			f.Paced++
			f.End = kf.End
		}
		at[i] = &cp
	}
	if f.Paced == 0 {
		return Objective{Of: len(krs)}
	}
	f.Progress = okrcore.ObjectiveProgress(at, nil)
	f.Score = okrcore.ObjectiveScore(o, at)
	return f
}

// Doubtful reports a key result stated on track (a status, or a confidence
// read as one, that still holds) whose forecast falls short of what counts
// as achieved under r: a gentle flag for its digest, not a verdict.
func Doubtful(f KR, s okrcore.Standing, r okrcore.Rules) bool {
	return f.OK() && s.InForce && s.Said == okrcore.StatusOnTrack && !okrcore.Achieved(f.Score, r)
}
