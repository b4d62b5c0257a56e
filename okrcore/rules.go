package okrcore

// Rules are the configurable OKR conventions of a workspace. The bot warns
// when they are broken; it does not block.
type Rules struct {
	MinObjectives int `json:"min_objectives"`
	MaxObjectives int `json:"max_objectives"`
	MinKeyResults int `json:"min_key_results"`
	MaxKeyResults int `json:"max_key_results"`
	// RetroMinAnswers is how many people of a team must have answered the
	// retrospective before its results show (RetroMinimum: never fewer
	// than MinRetroAnswers, so that nobody's answers can be told apart).
	RetroMinAnswers int `json:"retro_min_answers,omitempty"`
	// AtRiskMargin and OffTrackMargin are how far (as a fraction of the
	// whole) progress may lag the expected progress before an item counts
	// as at risk or off track.
	AtRiskMargin   float64 `json:"at_risk_margin"`
	OffTrackMargin float64 `json:"off_track_margin"`
	// AchievedScore is the lowest score that counts as achieved.
	AchievedScore float64 `json:"achieved_score"`
	// DecimalComma says people here write numbers with a decimal comma
	// ("1.000,5"); a person's locale, when their platform gives it, decides
	// for them instead.
	DecimalComma bool `json:"decimal_comma,omitempty"`
}

// MinRetroAnswers is the fewest answers a team's retrospective results
// ever show from.
const MinRetroAnswers = 3

// DefaultRules are the conventions of the rollout guides: 3–5 objectives per
// owner, 2–5 key results per objective, 0.7 and above is achieved.
func DefaultRules() Rules {
	return Rules{
		MinObjectives:  3,
		MaxObjectives:  5,
		MinKeyResults:  2,
		MaxKeyResults:  5,
		AtRiskMargin:   0.15,
		OffTrackMargin: 0.35,
		AchievedScore:  0.7,
	}
}

// OrDefault fills unset fields from DefaultRules.
func (r Rules) OrDefault() Rules {
	d := DefaultRules()
	if r.MaxObjectives == 0 {
		r.MinObjectives, r.MaxObjectives = d.MinObjectives, d.MaxObjectives
	}
	if r.MaxKeyResults == 0 {
		r.MinKeyResults, r.MaxKeyResults = d.MinKeyResults, d.MaxKeyResults
	}
	if r.AtRiskMargin == 0 {
		r.AtRiskMargin = d.AtRiskMargin
	}
	if r.OffTrackMargin == 0 {
		r.OffTrackMargin = d.OffTrackMargin
	}
	if r.AchievedScore == 0 {
		r.AchievedScore = d.AchievedScore
	}
	return r
}

// RetroMinimum is how many answers a team's retrospective results show
// from: RetroMinAnswers, never fewer than MinRetroAnswers (0 is unset).
func (r Rules) RetroMinimum() int { return max(r.RetroMinAnswers, MinRetroAnswers) }

// maxRuleCount bounds the counts in Rules: more objectives or key results
// than that is no focus at all.
const maxRuleCount = 50

// Validate checks the counts of a workspace's rules: whole ranges from low
// to high, at most maxRuleCount.
func (r Rules) Validate() error {
	for _, c := range [][2]int{{r.MinObjectives, r.MaxObjectives}, {r.MinKeyResults, r.MaxKeyResults}} {
		if c[0] < 0 || c[1] < c[0] || c[1] > maxRuleCount {
			return Errorf(KindInvalid, "Rules count from low to high, between 0 and %d: %d–%d is not that.", maxRuleCount, c[0], c[1])
		}
	}
	if r.RetroMinAnswers != 0 && (r.RetroMinAnswers < MinRetroAnswers || r.RetroMinAnswers > maxRuleCount) {
		return Errorf(KindInvalid, "Retrospective results show from %d to %d answers, never fewer than %d, so that nobody's answers can be told apart; %d isn't that.",
			MinRetroAnswers, maxRuleCount, MinRetroAnswers, r.RetroMinAnswers)
	}
	return nil
}
