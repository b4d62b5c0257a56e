// Package totals is the stored form of what an objective's roll-up reads
// of the things beneath it: for each key result and each objective aligned
// under it, the weight and progress it counts with, and for a key result
// also when it was written and what its owner said of it, while that holds.
// With it, a check-in rolls up through five levels reading one slot per
// level instead of every sibling of every level. It knows nothing of
// okrcore's types (okrcore imports it) and reads damaged bytes as an error.
package totals

import (
	"encoding/binary"
	"errors"
	"math"
)

// version is the first byte of an encoded Totals.
const version = 1

// Entry is one thing an objective's progress is made of.
type Entry struct {
	ID       uint64
	Weight   float64 // as stored: an unset weight is read as 1 by okrcore
	Progress float64
	// For a key result only: when it was written, and the status its owner
	// stated and the moment that stops holding (Said empty: nothing said).
	CreatedSec  int64
	CreatedNsec uint32
	Said        string
	UntilSec    int64
	UntilNsec   uint32
}

// Totals are an objective's entries: its key results, then the objectives
// aligned beneath it, each in the order okrcore read them (the order its
// sums are taken in). Epoch is the workspace's epoch the entries were read
// in: a write that bypasses the roll-up moves the epoch on, and Totals of
// an older one are read again from the records.
type Totals struct {
	Epoch      uint64
	KeyResults []Entry
	Aligned    []Entry
}

// ErrDamaged is what Decode says of bytes that are not a Totals.
var ErrDamaged = errors.New("totals: damaged")

// maxSaid bounds a stated status, which is a short word.
const maxSaid = 64

// Encode writes t compactly.
func Encode(t *Totals) []byte {
	b := make([]byte, 0, 16+len(t.KeyResults)*40+len(t.Aligned)*20)
	b = append(b, version)
	b = binary.AppendUvarint(b, t.Epoch)
	b = binary.AppendUvarint(b, uint64(len(t.KeyResults)))
	b = binary.AppendUvarint(b, uint64(len(t.Aligned)))
	for _, e := range t.KeyResults {
		b = appendCommon(b, e)
		b = binary.AppendVarint(b, e.CreatedSec)
		b = binary.AppendUvarint(b, uint64(e.CreatedNsec))
		b = binary.AppendUvarint(b, uint64(len(e.Said)))
		b = append(b, e.Said...)
		if e.Said != "" {
			b = binary.AppendVarint(b, e.UntilSec)
			b = binary.AppendUvarint(b, uint64(e.UntilNsec))
		}
	}
	for _, e := range t.Aligned {
		b = appendCommon(b, e)
	}
	return b
}

func appendCommon(b []byte, e Entry) []byte {
	b = binary.AppendUvarint(b, e.ID)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Weight))
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Progress))
}

// Decode reads what Encode wrote.
func Decode(b []byte) (*Totals, error) {
	r := reader{b: b}
	if v := r.byte(); v != version {
		return nil, ErrDamaged
	}
	t := &Totals{Epoch: r.uvarint()}
	nk, na := r.uvarint(), r.uvarint()
	// Each entry takes at least 17 bytes: a count beyond that is damage,
	// not a reason to allocate.
	if r.bad || nk > uint64(len(b))/17 || na > uint64(len(b))/17 {
		return nil, ErrDamaged
	}
	t.KeyResults = make([]Entry, nk)
	for i := range t.KeyResults {
		e := r.common()
		e.CreatedSec, e.CreatedNsec = r.varint(), r.nsec()
		n := r.uvarint()
		if n > maxSaid {
			return nil, ErrDamaged
		}
		e.Said = string(r.bytes(int(n)))
		if e.Said != "" {
			e.UntilSec, e.UntilNsec = r.varint(), r.nsec()
		}
		t.KeyResults[i] = e
	}
	t.Aligned = make([]Entry, na)
	for i := range t.Aligned {
		t.Aligned[i] = r.common()
	}
	if r.bad || len(r.b) != 0 {
		return nil, ErrDamaged
	}
	return t, nil
}

// reader reads b from the front; bad records the first shortfall, after
// which it reads zeros.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// nsec reads a fraction of a second, which is under 1e9.
func (r *reader) nsec() uint32 {
	v := r.uvarint()
	if v >= 1e9 {
		r.bad = true
		return 0
	}
	return uint32(v)
}

func (r *reader) bytes(n int) []byte {
	if n > len(r.b) {
		r.bad, r.b = true, nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) float() float64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

func (r *reader) common() Entry {
	id := r.uvarint()
	w := r.float()
	return Entry{ID: id, Weight: w, Progress: r.float()}
}

// Replace puts e in place of the entry of list with its ID, and reports
// false when there is none.
func Replace(list []Entry, e Entry) bool {
	for i := range list {
		if list[i].ID == e.ID {
			list[i] = e
			return true
		}
	}
	return false
}
