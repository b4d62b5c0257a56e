package transfer

import (
	"time"

	"github.com/okrbot/okrbot/transfer/document"
)

// Document is okrbot's own export of one workspace (or one cycle of it):
// every record as okrcore stores it and the full check-in history, each
// list in id order. It is transfer/document's, which reads and writes it.
type Document document.Document

// DocumentFormat and DocumentVersion identify okrbot's export; a document
// of a newer version is refused rather than half read.
const (
	DocumentFormat  = document.Format
	DocumentVersion = document.Version
)

// Source is what an import reads: a *Programme or a *Document.
type Source interface{ source() }

func (*Programme) source() {}
func (*Document) source()  {}

// Options say where and how an import writes.
type Options struct {
	// Workspace is the workspace written into. When it does not exist yet
	// it is created on Platform.
	Workspace string
	Platform  string
	// DryRun plans the import and writes nothing: the summary says what
	// the import would do.
	DryRun bool
	// Now stamps records the source gives no time for.
	Now time.Time
	// Batch caps the records written per transaction; 0 for the default.
	Batch int
	// Rest is how long the writer waits after each transaction but the
	// last. The store commits the writes that queue together, so without
	// a pause chat's writes waiting for one of the import's transactions
	// are committed with its next one; after one they are committed on
	// their own.
	Rest time.Duration
	// Progress, when set, is called every few thousand records.
	Progress func(Progress)
}

// Progress is how far an import or export has come.
type Progress struct {
	Phase string // "plan", "write", "export"
	Done  int
	Total int
}

// Kind is a kind of record in a summary.
type Kind string

const (
	KindCycle      Kind = "cycles"
	KindTeam       Kind = "teams"
	KindPerson     Kind = "people"
	KindObjective  Kind = "objectives"
	KindKeyResult  Kind = "key results"
	KindKPI        Kind = "KPIs"
	KindInitiative Kind = "initiatives"
	KindCheckIn    Kind = "check-ins"
)

// Kinds lists the kinds in the order a summary prints them.
func Kinds() []Kind {
	return []Kind{KindCycle, KindTeam, KindPerson, KindObjective, KindKeyResult, KindKPI, KindInitiative, KindCheckIn}
}

// Count is what an import does with the records of one kind.
type Count struct {
	Created, Updated, Unchanged int
}

// Summary is what an import did (or, dry, would do).
type Summary struct {
	Workspace string
	DryRun    bool
	Counts    map[Kind]Count
	Warnings  []Warning
}

// Item kinds map to summary kinds.
func (k ItemKind) summaryKind() Kind {
	switch k {
	case ItemObjective:
		return KindObjective
	case ItemKeyResult:
		return KindKeyResult
	case ItemKPI:
		return KindKPI
	}
	return KindInitiative
}
