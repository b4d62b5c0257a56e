package okrcore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// The tally keeps, in State slots and in the transaction of every write of
// history (a check-in, an undo, an import), what the org-wide reports ask
// of everyone: each person's newest check-in that counts (Effective), and
// per UTC week their first and last. A person's own week overlaps at most
// two UTC weeks, one from its start and one to its end, so those instants
// tell whether they checked in during it. People share slots in blocks of
// TallyBlock by ID. A block without its slot is not built (a store from
// before the tally): writes leave it alone and its reader builds it from
// the history. Nothing is kept by team: whoever moves counts where they are.

// TallyBlock is how many people (by ID) share the tally's slots.
const TallyBlock = 256

// Span is the first and last check-in that counts (UnixNano) of one
// person, in a week or, in a block's own slot, their newest (First = Last).
type Span struct{ First, Last int64 }

// TallyWeekOf numbers the UTC week of t (weeks since Monday 1969-12-29).
func TallyWeekOf(t time.Time) int64 { return (t.Unix()/86400 + 3) / 7 }

// TallyWeekStart is the Monday 00:00 UTC that begins week w.
func TallyWeekStart(w int64) time.Time { return time.Unix((w*7-3)*86400, 0).UTC() }

// TallyKey is the State key of a block's slot (week < 0) or of its week.
func TallyKey(block ID, week int64) string {
	if week < 0 {
		return fmt.Sprintf("tally:b%d", block)
	}
	return fmt.Sprintf("tally:w%d:b%d", week, block)
}

// TallyExpires is when a slot goes: a block's never, a week's four years
// after it, longer than any cycle.
func TallyExpires(week int64) time.Time {
	if week < 0 {
		return time.Time{}
	}
	return TallyWeekStart(week).AddDate(4, 0, 0)
}

// DecodeTally reads a slot; ok is false for one that cannot be read.
func DecodeTally(b []byte) (map[ID]Span, bool) { return DecodeTallyOf(b, nil) }

// DecodeTallyOf reads the spans of the people keep says (all when nil)
// from a slot: a report on a few of a block's people skips the rest
// without storing them, which was most of its reading.
func DecodeTallyOf(b []byte, keep func(ID) bool) (map[ID]Span, bool) {
	s := map[ID]Span{}
	var id int64
	for len(b) > 0 {
		var v [3]int64
		for i := range v {
			x, n := binary.Varint(b)
			if n <= 0 {
				return nil, false
			}
			v[i], b = x, b[n:]
		}
		if id += v[0]; keep == nil || keep(ID(id)) {
			s[ID(id)] = Span{First: v[1], Last: v[1] + v[2]}
		}
	}
	return s, true
}

// EncodeTally writes a slot, people in ID order.
func EncodeTally(s map[ID]Span) []byte {
	ids := slices.Sorted(func(yield func(ID) bool) {
		for id := range s {
			if !yield(id) {
				return
			}
		}
	})
	b, prev := []byte{}, ID(0)
	for _, id := range ids {
		b = binary.AppendVarint(b, int64(id-prev))
		b = binary.AppendVarint(b, s[id].First)
		b = binary.AppendVarint(b, s[id].Last-s[id].First)
		prev = id
	}
	return b
}

// tallySlots are the slots of one workspace one write changes, each read
// and stored once.
type tallySlots struct {
	tx    Tx
	ws    string
	slots map[[2]int64]map[ID]Span // by block and week; nil: not built
	dirty map[[2]int64]bool
}

func (t *tallySlots) get(block ID, week int64) (map[ID]Span, error) {
	k := [2]int64{int64(block), week}
	if s, ok := t.slots[k]; ok {
		return s, nil
	}
	b, err := t.tx.State(t.ws, TallyKey(block, week))
	s, ok := DecodeTally(b)
	if IsNotFound(err) || !ok {
		s, err = nil, nil
		if week >= 0 {
			s = map[ID]Span{}
		}
	}
	t.slots[k] = s
	return s, err
}

func (t *tallySlots) set(block ID, week int64, id ID, sp Span) {
	t.slots[[2]int64{int64(block), week}][id] = sp
	t.dirty[[2]int64{int64(block), week}] = true
}

func (t *tallySlots) flush() error {
	for k := range t.dirty {
		block, week, s := ID(k[0]), k[1], t.slots[k]
		if week >= 0 && len(s) == 0 {
			if err := t.tx.DeleteState(t.ws, TallyKey(block, week)); err != nil {
				return err
			}
		} else if err := t.tx.PutState(t.ws, TallyKey(block, week), EncodeTally(s), TallyExpires(week)); err != nil {
			return err
		}
	}
	return nil
}

// tallyAdd counts check-ins of one workspace into the built blocks of
// their authors: RecordCheckIn's and ImportCheckIns'.
func tallyAdd(tx Tx, cs ...*CheckIn) error {
	if len(cs) == 0 {
		return nil
	}
	t := &tallySlots{tx: tx, ws: cs[0].Workspace, slots: map[[2]int64]map[ID]Span{}, dirty: map[[2]int64]bool{}}
	for _, c := range cs {
		if c.Workspace != t.ws { // an import of several: one at a time
			if err := t.flush(); err != nil {
				return err
			}
			t = &tallySlots{tx: tx, ws: c.Workspace, slots: map[[2]int64]map[ID]Span{}, dirty: map[[2]int64]bool{}}
		}
		at, block, week := c.At.UnixNano(), c.Author/TallyBlock, TallyWeekOf(c.At)
		last, err := t.get(block, -1)
		if err != nil || last == nil || c.UndoOf != 0 {
			if err != nil {
				return err
			}
			continue
		}
		if sp, ok := last[c.Author]; !ok || at > sp.Last {
			t.set(block, -1, c.Author, Span{at, at})
		}
		slot, err := t.get(block, week)
		if err != nil {
			return err
		}
		if sp, ok := slot[c.Author]; !ok {
			t.set(block, week, c.Author, Span{at, at})
		} else if at < sp.First || at > sp.Last {
			t.set(block, week, c.Author, Span{min(sp.First, at), max(sp.Last, at)})
		}
	}
	return t.flush()
}

// tallyUndone counts again, after an undo took back author's check-ins
// made at at, their week and their newest.
func tallyUndone(tx Tx, ws string, author ID, at time.Time) error {
	t := &tallySlots{tx: tx, ws: ws, slots: map[[2]int64]map[ID]Span{}, dirty: map[[2]int64]bool{}}
	block, week := author/TallyBlock, TallyWeekOf(at)
	if last, err := t.get(block, -1); err != nil || last == nil {
		return err
	}
	if _, err := t.get(block, week); err != nil {
		return err
	}
	delete(t.slots[[2]int64{int64(block), -1}], author)
	delete(t.slots[[2]int64{int64(block), week}], author)
	t.dirty[[2]int64{int64(block), -1}], t.dirty[[2]int64{int64(block), week}] = true, true
	// The newest that counts may be weeks older: read back until one is.
	start := TallyWeekStart(week)
	for n := 16; ; n *= 4 {
		cis, err := tx.CheckInsByAuthor(ws, author, time.Time{}, n)
		if err != nil {
			return fmt.Errorf("read check-ins: %w", err)
		}
		eff := Effective(cis)
		for i, c := range eff {
			if i == 0 {
				t.set(block, -1, author, Span{c.At.UnixNano(), c.At.UnixNano()})
			}
			if TallyWeekOf(c.At) == week {
				sp, ok := t.slots[[2]int64{int64(block), week}][author]
				if !ok {
					sp = Span{c.At.UnixNano(), c.At.UnixNano()}
				}
				t.set(block, week, author, Span{min(sp.First, c.At.UnixNano()), max(sp.Last, c.At.UnixNano())})
			}
		}
		// Done once the list reaches before the week with one that counts.
		if len(cis) < n || (len(eff) > 0 && eff[len(eff)-1].At.Before(start)) {
			return t.flush()
		}
	}
}

// TallyFromHistory counts a block's tally from its people's history, by
// UTC week and, under week -1, each one's newest: what a reader of a block
// not built yet stores (EncodeTally under TallyKey until TallyExpires).
func TallyFromHistory(tx Tx, ws string, block ID) (map[int64]map[ID]Span, error) {
	out := map[int64]map[ID]Span{-1: {}}
	for id := max(1, block*TallyBlock); id < (block+1)*TallyBlock; id++ {
		cis, err := tx.CheckInsByAuthor(ws, id, time.Time{}, 0)
		if err != nil {
			return nil, fmt.Errorf("read check-ins of %d: %w", id, err)
		}
		for i, c := range Effective(cis) {
			at, w := c.At.UnixNano(), TallyWeekOf(c.At)
			if i == 0 {
				out[-1][id] = Span{at, at}
			}
			if out[w] == nil {
				out[w] = map[ID]Span{}
			}
			sp, ok := out[w][id]
			if !ok {
				sp = Span{at, at}
			}
			out[w][id] = Span{min(sp.First, at), max(sp.Last, at)}
		}
	}
	return out, nil
}
