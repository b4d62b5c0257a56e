// Package transfer moves a programme into okrbot and out of it again.
//
// Two shapes come in. A Programme is what another tool's export or a
// spreadsheet says (readers in transfer/vivagoals and transfer/sheet make
// one): its records refer to each other by the source's own keys, and an
// import matches them with what the workspace holds (by key from an earlier
// import, else by title, owner and cycle, as Viva Goals matched) before it
// creates or changes anything. A Document is okrbot's own export: every
// record of a workspace as okrcore stores it, in a stable order, so that
// export, import into an empty database and export again give the same
// bytes.
//
// Every write goes through okrcore's import operations, which apply the
// same validation as typed input. An import is one unit: it is planned and
// checked in full before the first write, written in bounded transactions
// under a journal, and rolled back from that journal if it stops half way
// (see Recover).
package transfer

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Key is a record's id in its source (a Viva Goals ID, a spreadsheet's Id
// column, a row's reference). It is unique within one kind of record in
// one Programme; empty means the source gave none, and the record is
// matched by what it says instead.
type Key string

// Programme is an OKR programme as a source describes it.
type Programme struct {
	// Source names the format ("vivagoals", "vivagoals-explorer",
	// "people", "okrbot-sheet:<name>"), so that keys from one source never
	// match another's.
	Source string
	People []Person
	Teams  []Team
	Cycles []Cycle
	// Items are objectives, key results, KPIs and initiatives in any
	// order; parents are found by key.
	Items    []Item
	CheckIns []CheckIn
	// History, when set, reads more check-ins (after CheckIns) each time
	// it is called, the same ones in the same order, and HistoryLen is
	// how many: a reader of a large export sets it rather than hold a
	// million check-ins while they are planned. It stops early when yield
	// returns false; an error is the file failing on a second reading.
	// The check-in yield is given is its only for the call: a reader
	// may hand the same one each time.
	History    func(yield func(*CheckIn) bool) error
	HistoryLen int
	// Warnings are what the reader noticed and could not import as said
	// (an unknown status, a row it read with a default); the import adds
	// its own.
	Warnings []Warning
}

// EachCheckIn calls fn with every check-in, CheckIns then History's,
// until fn returns false.
func (p *Programme) EachCheckIn(fn func(*CheckIn) bool) error {
	for i := range p.CheckIns {
		if !fn(&p.CheckIns[i]) {
			return nil
		}
	}
	if p.History == nil {
		return nil
	}
	return p.History(fn)
}

// NumCheckIns is how many check-ins EachCheckIn gives.
func (p *Programme) NumCheckIns() int { return len(p.CheckIns) + p.HistoryLen }

// Person is someone in the programme, matched by verified e-mail address
// with the people okrbot knows from Slack or Teams.
type Person struct {
	Key      Key
	Name     string
	Email    string
	TimeZone string
	// Left says the source lists the person as gone (deactivated): their
	// records are kept, they are not placed in teams or nudged.
	Left bool
	// Record names the person in warnings ("user 17", "row 4").
	Record string
}

// Team is a team with its parent and lead, by key.
type Team struct {
	Key     Key
	Name    string
	Parent  Key
	Lead    Key
	Members []Key
	// TimeZone is the team's zone when the source says one.
	TimeZone string
	Record   string
}

// Cycle is a period objectives belong to; Start inclusive, End exclusive,
// at midnight UTC of their dates as okrcore keeps them.
type Cycle struct {
	Key    Key
	Name   string
	Start  time.Time
	End    time.Time
	Closed bool
	Record string
}

// ItemKind is what an Item is.
type ItemKind string

const (
	ItemObjective  ItemKind = "objective"
	ItemKeyResult  ItemKind = "key result"
	ItemKPI        ItemKind = "KPI"
	ItemInitiative ItemKind = "initiative"
)

// Owner is who owns an item: a person or a team, by key. Both empty means
// the source named nobody the programme knows.
type Owner struct {
	Person Key
	Team   Key
}

// Item is an objective, key result, KPI or initiative.
type Item struct {
	Key   Key
	Kind  ItemKind
	Title string
	Owner Owner
	// Cycle is the item's cycle by key (objectives and key results).
	Cycle Key
	// Parent is what the item sits under: for an objective the objective
	// or key result it aligns to, for a key result its objective, for an
	// initiative its key result.
	Parent Key
	// Weight is the item's weight in its parent's roll-up, 0 for the
	// default.
	Weight float64
	// Metric, Unit, Start, Target and Direction describe a key result's
	// measure (and a KPI's unit).
	Metric    okrcore.MetricKind
	Unit      string
	Start     float64
	Target    float64
	Direction okrcore.Direction
	// Current is the value the source states; a key result with
	// check-ins takes its latest check-in's value instead.
	Current float64
	// Status is the last stated status; Score the grade of a closed
	// cycle's item (0–1), nil when ungraded.
	Status okrcore.Status
	Score  *float64
	// Done marks a finished initiative.
	Done bool
	// HealthyMin and HealthyMax are a KPI's healthy range.
	HealthyMin, HealthyMax float64
	// Created is when the source says the item was made; zero for the
	// time of the import.
	Created time.Time
	Record  string
}

// CheckIn is one entry of an item's history.
type CheckIn struct {
	Key    Key
	Item   Key
	Author Key
	At     time.Time
	Value  float64
	// HasValue is false for a check-in that only stated a status or a
	// note: it keeps the value of the one before.
	HasValue bool
	Status   okrcore.Status
	Note     string
	Record   string
}

// Warning is something an import could not take as the source said it,
// and the record it concerns.
type Warning struct {
	Record  string
	Message string
}

func (w Warning) String() string {
	if w.Record == "" {
		return w.Message
	}
	return w.Record + ": " + w.Message
}
