package transfer

import "github.com/okrbot/okrbot/okrcore"

// An import is planned in full in one read transaction, then written.
// Planning turns a Source into steps: each is one record to create or to
// change, as okrcore keeps it. A record the import creates has a
// placeholder id until it is written (its own ID and every reference to it
// in later steps), so that a plan never guesses the ids the store will
// assign while the bot keeps writing; the writer replaces placeholders as
// it goes, so steps are ordered so that a record comes after everything it
// refers to.

// placeholderBit marks an id that a plan made up for a record not yet
// written.
const placeholderBit = 1 << 63

func placeholder(n int) okrcore.ID { return okrcore.ID(placeholderBit | uint64(n)) }

func isPlaceholder(id okrcore.ID) bool { return id&placeholderBit != 0 }

// step is one write of a plan.
type step struct {
	// rec is one of *okrcore.User, *okrcore.Team, *okrcore.Cycle,
	// *okrcore.Objective, *okrcore.KeyResult, *okrcore.KPI,
	// *okrcore.Initiative, *okrcore.CheckIn, or a sourceKey.
	rec any
	// update says rec replaces a stored record of the same id; otherwise
	// it is new (its ID a placeholder, or the id a Document gave it).
	update bool
}

// sourceKey remembers which record a source's key became, so that the
// next import of the same source matches it by key.
type sourceKey struct {
	state string     // the State key, see sourceStateKey
	id    okrcore.ID // the record (a placeholder until it is written)
}

// plan is everything an import writes, and what it will say it did.
type plan struct {
	workspace string
	// create says the workspace does not exist yet and is made on
	// platform first.
	create   bool
	platform string
	steps    []step
	// history is the check-ins of a Programme, written after the steps;
	// nil for a Document, whose check-ins are steps.
	history *queue
	summary Summary
}

// queue is the planned check-ins of a Programme, kept as planning left
// them rather than as a step each, so that a million of them cost one
// block of memory: the writer makes each okrcore.CheckIn as it writes it.
type queue struct {
	ws    string
	held  []heldCheckIn
	notes *arena
	order []int32 // the order of writing; the stored ones are skipped
	n     int     // how many are written
	// targets are what each one is of, by heldCheckIn.node, and
	// statuses its status by heldCheckIn.status: not the planner's
	// nodes, which are let go with the source once it is planned.
	targets  []ofCheckIn
	statuses []okrcore.Status
}

// ofCheckIn is the key result or KPI a check-in is of.
type ofCheckIn struct {
	kind okrcore.TargetKind
	id   okrcore.ID
}

// size is how many writes the plan makes.
func (p *plan) size() int {
	n := len(p.steps)
	if p.history != nil {
		n += p.history.n
	}
	return n
}

// records calls fn with each check-in to write, in order, from the i-th
// of order on, until fn returns false, and returns where it stopped.
func (h *queue) records(i int, fn func(*okrcore.CheckIn) bool) int {
	for ; i < len(h.order); i++ {
		c := &h.held[h.order[i]]
		if c.stored {
			continue
		}
		t := h.targets[c.node]
		if !fn(&okrcore.CheckIn{Workspace: h.ws, Target: t.kind, TargetID: t.id, Author: c.by, At: c.at(),
			Value: c.value, Previous: c.prev, Status: h.statuses[c.status], Note: h.notes.get(c.note)}) {
			break
		}
	}
	return i
}
