package forms

import (
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// NamesEach reports whether every update of rep names a key result or KPI
// by its id, and none is about all of the person's key results.
func NamesEach(rep reply.Reply) bool {
	if rep.NoChange || len(rep.Updates) == 0 {
		return false
	}
	for _, u := range rep.Updates {
		if r, ok := okrcore.ParseRef(u.Ref); !ok || (r.Kind != okrcore.RefKeyResult && r.Kind != okrcore.RefKPI) {
			return false
		}
	}
	return true
}

// CheckInInput turns a resolved update into a check-in; what the message
// said overall (confidence, status, note, blockers) applies to each.
func CheckInInput(r reply.Resolved, rep reply.Reply) okrcore.CheckInInput {
	in := okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: r.KR.ID, Confidence: firstInt(r.Confidence, rep.Confidence),
		Status: firstStatus(r.Status, rep.Status), Note: rep.Note, Blockers: rep.Blockers}
	if r.HasValue {
		v := r.Value
		in.Value = &v
	}
	return in
}

// HasKR reports whether krs holds the key result id.
func HasKR(krs []*okrcore.KeyResult, id okrcore.ID) bool {
	for _, k := range krs {
		if k.ID == id {
			return true
		}
	}
	return false
}

func firstInt(a, b *int) *int {
	if a != nil {
		return a
	}
	return b
}

func firstStatus(a, b okrcore.Status) okrcore.Status {
	if a != okrcore.StatusNone {
		return a
	}
	return b
}
