// Package away holds what keeps okrbot quiet and fair about people who
// are not there or asked for less: time away (set by the person, an admin
// or a lead), reminders muted for a cycle, the escalation ladder's
// settings, the rule of one reminder a day, and the reading of a chat
// status that says "out of office". Pure, like okrcore: no I/O, no clock
// (time is an argument); every write is a function over okrcore.Tx.
package away

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The book is one State slot per workspace, not a field of each person:
// the org-wide reports read it once and leave the away out in O(people
// away), without reading everyone's record or history.
const bookKey = "away:book"

// keep is how long a time away is remembered after it ended: the
// adoption report's weeks reach back over a cycle.
const keep = 400 * 24 * time.Hour

// Period is one time away: [From, Until).
type Period struct {
	From  time.Time `json:"f"`
	Until time.Time `json:"u"`
	Note  string    `json:"n,omitempty"`
	// By is who set it, when it was not the person.
	By okrcore.ID `json:"b,omitempty"`
	// Ended says it was ended early (`away off`): the person is back by
	// their own word, and no welcome back is due.
	Ended bool `json:"e,omitempty"`
}

// Covers says whether the person is away at t.
func (p Period) Covers(t time.Time) bool { return !t.Before(p.From) && t.Before(p.Until) }

type person struct {
	Away []Period `json:"away,omitempty"`
	// Muted is the cycle whose reminders the person muted.
	Muted okrcore.ID `json:"muted,omitempty"`
}

// Ladder is which optional steps of the escalation ladder run, after the
// nudge and the reminder every person gets.
type Ladder struct {
	// Thread: on the digest day, a reply in the team digest's thread names
	// who has not checked in.
	Thread bool `json:"thread,omitempty"`
	// Names: the manager digest lists who has not checked in, with a
	// "Nudge them" button.
	Names bool `json:"names,omitempty"`
}

// Settings are the workspace's choices about time away and escalation.
type Settings struct {
	// SlackStatus: a Slack status that says out of office counts as away.
	SlackStatus bool   `json:"slack_status,omitempty"`
	Ladder      Ladder `json:"ladder"`
	// Teams are teams' own ladders, over the workspace's.
	Teams map[okrcore.ID]Ladder `json:"teams,omitempty"`
}

// LadderOf is the ladder that applies to a team.
func (s Settings) LadderOf(team okrcore.ID) Ladder {
	if l, ok := s.Teams[team]; ok {
		return l
	}
	return s.Ladder
}

// Book is a workspace's record of time away, mutes and settings.
type Book struct {
	People   map[okrcore.ID]*person `json:"people,omitempty"`
	Settings Settings               `json:"settings"`
}

// Read reads a workspace's book; a workspace without one has an empty one.
func Read(tx okrcore.Tx, ws string) (*Book, error) {
	b := &Book{}
	if err := readSlot(tx, ws, bookKey, b); err != nil {
		return nil, err
	}
	return b, nil
}

// write stores the book, and the own slots of the people it changed for
// (and of the settings), which a nudge's hold reads instead of the book.
func (b *Book) write(tx okrcore.Tx, ws string, now time.Time, changed ...okrcore.ID) error {
	for id, p := range b.People {
		kept := p.Away[:0]
		for _, x := range p.Away {
			if x.Until.After(now.Add(-keep)) {
				kept = append(kept, x)
			}
		}
		p.Away = kept
		if len(p.Away) == 0 && p.Muted == 0 {
			delete(b.People, id)
		}
	}
	slots := map[string]any{bookKey: b, settingsKey: b.Settings}
	for _, id := range changed {
		slots[personKey(id)] = b.People[id] // nil once nothing is left: "null"
	}
	for key, v := range slots {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("store time away: %w", err)
		}
		if err := tx.PutState(ws, key, data, time.Time{}); err != nil {
			return fmt.Errorf("store time away: %w", err)
		}
	}
	return nil
}

// A person's own slot and the settings' slot repeat what the book says of
// them, so that the hold before each nudge reads two small slots instead
// of decoding everyone away (BenchmarkHold).
const settingsKey = "away:settings"

func personKey(id okrcore.ID) string { return fmt.Sprintf("away:u%d", id) }

// readPerson reads one person's entry and the settings: a book of them
// alone.
func readPerson(tx okrcore.Tx, ws string, id okrcore.ID) (*Book, error) {
	b := &Book{People: map[okrcore.ID]*person{}}
	var p *person
	if err := readSlot(tx, ws, settingsKey, &b.Settings); err != nil {
		return nil, err
	}
	if err := readSlot(tx, ws, personKey(id), &p); err != nil {
		return nil, err
	}
	if p != nil {
		b.People[id] = p
	}
	return b, nil
}

// ReadPeople reads the entries of a few people from their own slots: a
// book of them alone (no settings), for a page about one team that should
// not decode everyone away.
func ReadPeople(tx okrcore.Tx, ws string, ids []okrcore.ID) (*Book, error) {
	b := &Book{People: map[okrcore.ID]*person{}}
	for _, id := range ids {
		var p *person
		if err := readSlot(tx, ws, personKey(id), &p); err != nil {
			return nil, err
		}
		if p != nil {
			b.People[id] = p
		}
	}
	return b, nil
}

// SettingsOf reads the workspace's settings alone, from their own slot.
func SettingsOf(tx okrcore.Tx, ws string) (Settings, error) {
	var s Settings
	return s, readSlot(tx, ws, settingsKey, &s)
}

// readSlot decodes a State slot into v; a slot not there leaves v as it is.
func readSlot(tx okrcore.Tx, ws, key string, v any) error {
	data, err := tx.State(ws, key)
	if okrcore.IsNotFound(err) {
		return nil
	}
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		return fmt.Errorf("read time away: %w", err)
	}
	return nil
}

func (b *Book) person(id okrcore.ID) *person {
	if b.People == nil {
		b.People = map[okrcore.ID]*person{}
	}
	p := b.People[id]
	if p == nil {
		p = &person{}
		b.People[id] = p
	}
	return p
}

// AwayAt is the time away that covers t for a person.
func (b *Book) AwayAt(id okrcore.ID, t time.Time) (Period, bool) {
	if b == nil || b.People[id] == nil {
		return Period{}, false
	}
	for _, p := range b.People[id].Away {
		if p.Covers(t) {
			return p, true
		}
	}
	return Period{}, false
}

// Next is the person's time away now or the first still to come.
func (b *Book) Next(id okrcore.ID, now time.Time) (Period, bool) {
	var best Period
	found := false
	if b == nil || b.People[id] == nil {
		return best, false
	}
	for _, p := range b.People[id].Away {
		if p.Until.After(now) && (!found || p.From.Before(best.From)) {
			best, found = p, true
		}
	}
	return best, found
}

// AwayFor says whether a person is left out of a check-in count over
// [from, to): away at its end, or away for at least half of it. Someone
// back on Thursday of a week they were mostly away is not "silent", and
// someone away two days of a fortnight still is asked for their check-in.
func (b *Book) AwayFor(id okrcore.ID, from, to time.Time) bool {
	if b == nil || b.People[id] == nil || !to.After(from) {
		return false
	}
	var away time.Duration
	for _, p := range b.People[id].Away {
		if p.Covers(to.Add(-time.Nanosecond)) {
			return true
		}
		s, e := maxTime(p.From, from), minTime(p.Until, to)
		if e.After(s) {
			away += e.Sub(s)
		}
	}
	return 2*away >= to.Sub(from)
}

// Returned lists the people whose time away ended in (from, to], with
// the end: the welcome back is theirs. Someone away again at to is not
// back.
func (b *Book) Returned(from, to time.Time) map[okrcore.ID]time.Time {
	out := map[okrcore.ID]time.Time{}
	if b == nil {
		return out
	}
	for id, p := range b.People {
		for _, x := range p.Away {
			if x.Until.After(from) && !x.Until.After(to) && x.Until.After(x.From) && !x.Ended {
				if _, again := b.AwayAt(id, to); !again {
					out[id] = x.Until
				}
			}
		}
	}
	return out
}

// Muted says whether the person muted their reminders for cycle.
func (b *Book) Muted(id okrcore.ID, cycle okrcore.ID) bool {
	return b != nil && cycle != 0 && b.People[id] != nil && b.People[id].Muted == cycle
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Reader reads a workspace's book once, when first asked: a report that
// meets people one by one asks about each.
type Reader struct {
	tx   okrcore.Tx
	ws   string
	book *Book
}

// NewReader is a Reader of ws's book in tx.
func NewReader(tx okrcore.Tx, ws string) *Reader { return &Reader{tx: tx, ws: ws} }

// AwayFor is Book.AwayFor of the book read.
func (r *Reader) AwayFor(id okrcore.ID, from, to time.Time) (bool, error) {
	if r.book == nil {
		b, err := Read(r.tx, r.ws)
		if err != nil {
			return false, err
		}
		r.book = b
	}
	return r.book.AwayFor(id, from, to), nil
}
