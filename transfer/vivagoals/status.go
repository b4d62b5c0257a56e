package vivagoals

import (
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// statusMeaning is what a Viva Goals status says in okrbot's terms.
type statusMeaning struct {
	status okrcore.Status
	// known is false for a status okrbot has no equivalent of; status is
	// then the nearest meaning (none).
	known bool
	// closed is Viva Goals's Closed: the item was wrapped up at the end of
	// its period, which okrbot says by closing the cycle.
	closed bool
	// done says the work is finished.
	done bool
}

// readStatus reads a Viva Goals status (Not Started, On Track, At Risk,
// Behind, Closed, Completed, Postponed, Discarded …).
func readStatus(s string) statusMeaning {
	w := strings.Join(strings.Fields(strings.ToLower(strings.NewReplacer("-", " ", "_", " ").Replace(s))), " ")
	switch w {
	case "", "not started", "notstarted", "no status", "none", "not set":
		return statusMeaning{known: true}
	case "on track", "ontrack", "ahead", "good":
		return statusMeaning{status: okrcore.StatusOnTrack, known: true}
	case "at risk", "atrisk", "needs attention", "risk":
		return statusMeaning{status: okrcore.StatusAtRisk, known: true}
	case "behind", "off track", "offtrack", "delayed", "missed":
		return statusMeaning{status: okrcore.StatusOffTrack, known: true}
	case "completed", "complete", "done", "achieved", "finished":
		return statusMeaning{status: okrcore.StatusDone, known: true, done: true}
	case "closed":
		return statusMeaning{known: true, closed: true}
	}
	if st, ok := okrcore.ParseStatus(w); ok {
		return statusMeaning{status: st, known: true}
	}
	return statusMeaning{}
}

// statusOf reads a check-in's status, the common ones without a copy.
func statusOf(b []byte) statusMeaning {
	switch string(b) {
	case "On Track":
		return statusMeaning{status: okrcore.StatusOnTrack, known: true}
	case "At Risk":
		return statusMeaning{status: okrcore.StatusAtRisk, known: true}
	case "Behind":
		return statusMeaning{status: okrcore.StatusOffTrack, known: true}
	case "", "Not Started":
		return statusMeaning{known: true}
	}
	return readStatus(string(b))
}
