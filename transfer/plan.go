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
	summary  Summary
}
