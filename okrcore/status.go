package okrcore

import "time"

// A status is read, not stored: every view asks KRStanding or
// ObjectiveStanding when it shows one. What a person states (a status, or
// a confidence read as one) holds for the check-in period it was given in;
// then progress decides, and a view shows both where they differ.

// Statement is what a person said about a key result at a check-in.
type Statement struct {
	Status Status    `json:"status"`
	By     ID        `json:"by"`
	At     time.Time `json:"at"`    // in the author's time zone
	Until  time.Time `json:"until"` // the end of the check-in period it was given in
}

// Standing is how a key result or an objective stands at one moment.
type Standing struct {
	Status   Status // the one status to show
	Computed Status // what progress says against the expected progress
	// Said is what the last check-in stated about a key result, by SaidBy
	// at SaidAt; InForce says Status shows it. Objectives have none.
	Said    Status
	SaidBy  ID
	SaidAt  time.Time
	InForce bool
}

// Disputed reports whether what was said differs from what progress says.
func (s Standing) Disputed() bool { return s.Said != StatusNone && s.Said != s.Computed }

// KRStanding is a key result's status at now. One stated before statements
// were dated (StatusSet without Stated) reads as stated at its last
// check-in, for that week.
func KRStanding(k *KeyResult, c *Cycle, now time.Time, r Rules) Standing {
	expected := k.Progress // no cycle: nothing to lag behind
	if c != nil {
		expected = ExpectedProgressSince(c, k.CreatedAt, now)
	}
	s := Standing{Computed: ComputeStatus(k.Progress, expected, r)}
	s.Status = s.Computed
	if st := statementOf(k); st != nil && st.Status != StatusNone {
		s.Said, s.SaidBy, s.SaidAt, s.InForce = st.Status, st.By, st.At, now.Before(st.Until)
		if s.InForce {
			s.Status = st.Status
		}
	}
	return s
}

// ObjectiveStanding is an objective's status at now: its progress against
// the expected progress of its key results' lines (ObjectiveExpected; the
// lines of the objectives aligned beneath it are left out, so that a view
// reads no further down than it shows), and no better than what a person
// says about one of its key results while that holds.
func ObjectiveStanding(o *Objective, krs []*KeyResult, c *Cycle, now time.Time, r Rules) Standing {
	expected := o.Progress
	if c != nil {
		expected = ObjectiveExpected(c, o, krs, nil, now)
	}
	s := Standing{Computed: ComputeStatus(o.Progress, expected, r)}
	s.Status = s.Computed
	for _, k := range krs {
		switch ks := KRStanding(k, c, now, r); {
		case !ks.InForce:
		case ks.Said == StatusOffTrack:
			s.Status = StatusOffTrack
		case ks.Said == StatusAtRisk && s.Status == StatusOnTrack:
			s.Status = StatusAtRisk
		}
	}
	return s
}

// PeriodEnd is the end of the check-in period of a rhythm holding t in
// loc: the next Monday for a weekly one (or unset), two weeks after the
// Monday a biweekly one runs on, the first of the next month for a monthly.
func PeriodEnd(s Slot, t time.Time, loc *time.Location) time.Time {
	start := PeriodStart(s.Cadence, t, loc)
	switch s.Cadence {
	case Monthly:
		return start.AddDate(0, 1, 0)
	case Biweekly:
		if !s.OnWeek(start) {
			start = start.AddDate(0, 0, -7)
		}
		return start.AddDate(0, 0, 14)
	}
	return start.AddDate(0, 0, 7)
}
