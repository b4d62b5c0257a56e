// Package cicodec is the compact binary form storage/bolt keeps check-ins
// in.
package cicodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A check-in is stored in a compact binary form rather than JSON: there are
// millions of them (a year of weekly check-ins at 10,000 people is 5.2 M),
// and JSON's field names and decimal times were most of a record. The
// workspace and the ID are the record's key, not part of the value.
//
//	version byte (Format)
//	uvarint flags (the ci* bits below)
//	uvarint target ID, uvarint author, time At
//	number Value, number Previous (each in the form its flag bits say)
//	then, when their flag says so: varint confidence, status, string note,
//	string blockers, prior, uvarint undo-of
//
// A time is a uvarint tag (zero time, has nanoseconds, has an offset),
// then varint seconds since a base, uvarint nanoseconds, varint offset
// in seconds. The base of At is timeBase; the times of Prior, which are
// near At, count from At's second. The author of a prior statement is
// mostly the check-in's, said by a flag. A status is an index into statusCodes or, for one this table
// does not know, len(statusCodes)+len(s) and its bytes. A string is its
// uvarint length and its bytes.
const Format = 1

// Flags. The usual check-in (a number, maybe a confidence and a note, what
// an undo puts back) needs only the first seven, one byte.
const (
	ciValueShift    = 0 // two bits: the form of Value
	ciPreviousShift = 2 // two bits: the form of Previous
	ciConfidence    = 1 << (iota + 2)
	ciNote
	ciPrior
	ciStatus
	ciBlockers
	ciKPI
	ciUndo
	ciKnown = 1<<11 - 1
)

// Forms of a number: most values people report are whole or in
// hundredths, which take a byte or three instead of eight.
const (
	numWhole = iota
	numHundredths
	numBits
)

const (
	timeZero = 1 << iota
	timeNanos
	timeOffset
)

// timeBase keeps the seconds of today's times small (Nov 2023).
const timeBase = 1_700_000_000

var statusCodes = []okrcore.Status{okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone}

// Prior's flags.
const (
	priorConfidence = 1 << iota
	priorStatus
	priorStatusSet
	priorStated
	priorByAuthor
	priorAtLast // the statement was made at LastCheckIn (by the last check-in)
	priorKnown  = 1<<6 - 1
)

var errShort = errors.New("record ends early")

// Encode is the stored value of c (without its workspace and ID).
func Encode(c *okrcore.CheckIn) ([]byte, error) {
	var flags uint64
	switch c.Target {
	case okrcore.TargetKR:
	case okrcore.TargetKPI:
		flags |= ciKPI
	default:
		return nil, fmt.Errorf("encode check-in: target %q", c.Target)
	}
	vForm, pForm := numForm(c.Value), numForm(c.Previous)
	flags |= vForm<<ciValueShift | pForm<<ciPreviousShift
	set := func(bit uint64, on bool) {
		if on {
			flags |= bit
		}
	}
	set(ciConfidence, c.Confidence != nil)
	set(ciStatus, c.Status != "")
	set(ciNote, c.Note != "")
	set(ciBlockers, c.Blockers != "")
	set(ciPrior, c.Prior != nil)
	set(ciUndo, c.UndoOf != 0)
	b := make([]byte, 0, 32+len(c.Note)+len(c.Blockers))
	b = append(b, Format)
	b = binary.AppendUvarint(b, flags)
	b = binary.AppendUvarint(b, uint64(c.TargetID))
	b = binary.AppendUvarint(b, uint64(c.Author))
	b = appendTime(b, c.At, timeBase)
	b = appendNum(b, c.Value, vForm)
	b = appendNum(b, c.Previous, pForm)
	if c.Confidence != nil {
		b = binary.AppendVarint(b, int64(*c.Confidence))
	}
	if c.Status != "" {
		b = appendStatus(b, c.Status)
	}
	if c.Note != "" {
		b = appendStr(b, c.Note)
	}
	if c.Blockers != "" {
		b = appendStr(b, c.Blockers)
	}
	if p := c.Prior; p != nil {
		b = appendPrior(b, p, c)
	}
	if c.UndoOf != 0 {
		b = binary.AppendUvarint(b, uint64(c.UndoOf))
	}
	return b, nil
}

func appendPrior(b []byte, p *okrcore.Prior, c *okrcore.CheckIn) []byte {
	var pf uint64
	if p.Confidence != nil {
		pf |= priorConfidence
	}
	if p.Status != "" {
		pf |= priorStatus
	}
	if p.StatusSet {
		pf |= priorStatusSet
	}
	if p.Stated != nil {
		pf |= priorStated
		if p.Stated.By == c.Author {
			pf |= priorByAuthor
		}
		if sameTime(p.Stated.At, p.LastCheckIn) {
			pf |= priorAtLast
		}
	}
	b = binary.AppendUvarint(b, pf)
	if p.Confidence != nil {
		b = binary.AppendVarint(b, int64(*p.Confidence))
	}
	if p.Status != "" {
		b = appendStatus(b, p.Status)
	}
	if s := p.Stated; s != nil {
		b = appendStatus(b, s.Status)
		if s.By != c.Author {
			b = binary.AppendUvarint(b, uint64(s.By))
		}
		if pf&priorAtLast == 0 {
			b = appendTime(b, s.At, c.At.Unix())
		}
		b = appendTime(b, s.Until, c.At.Unix())
	}
	return appendTime(b, p.LastCheckIn, c.At.Unix())
}

// sameTime reports whether a and b are stored alike: the same instant and
// offset.
func sameTime(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	return a.Equal(b) && ao == bo && a.IsZero() == b.IsZero()
}

// numForm is the shortest form that gives v back exactly.
func numForm(v float64) uint64 {
	const exact = 1 << 53
	if v == 0 && math.Signbit(v) {
		return numBits
	}
	if v == math.Trunc(v) && math.Abs(v) < exact {
		return numWhole
	}
	if n := math.Round(v * 100); math.Abs(n) < exact && n/100 == v {
		return numHundredths
	}
	return numBits
}

func appendNum(b []byte, v float64, form uint64) []byte {
	switch form {
	case numWhole:
		return binary.AppendVarint(b, int64(v))
	case numHundredths:
		return binary.AppendVarint(b, int64(math.Round(v*100)))
	}
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func appendTime(b []byte, t time.Time, base int64) []byte {
	if t.IsZero() {
		return append(b, timeZero)
	}
	var tag uint64
	_, off := t.Zone()
	if t.Nanosecond() != 0 {
		tag |= timeNanos
	}
	if off != 0 {
		tag |= timeOffset
	}
	b = binary.AppendUvarint(b, tag)
	b = binary.AppendVarint(b, t.Unix()-base)
	if t.Nanosecond() != 0 {
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	if off != 0 {
		b = binary.AppendVarint(b, int64(off))
	}
	return b
}

func appendStatus(b []byte, s okrcore.Status) []byte {
	for i, known := range statusCodes {
		if s == known {
			return binary.AppendUvarint(b, uint64(i))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(statusCodes)+len(s)))
	return append(b, s...)
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader reads a record, remembering the first error: the caller checks
// it once at the end, and every read after an error gives zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail(errShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail(errShort)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) str() string { return string(r.bytes(r.uvarint())) }

func (r *reader) id() okrcore.ID { return okrcore.ID(r.uvarint()) }

func (r *reader) int() *int {
	n := int(r.varint())
	return &n
}

func (r *reader) num(form uint64) float64 {
	switch form {
	case numWhole:
		return float64(r.varint())
	case numHundredths:
		return float64(r.varint()) / 100
	case numBits:
		b := r.bytes(8)
		if len(b) < 8 {
			return 0
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	r.fail(fmt.Errorf("unknown number form %d", form))
	return 0
}

func (r *reader) time(base int64) time.Time {
	tag := r.uvarint()
	if tag == timeZero {
		return time.Time{}
	}
	if tag&^(timeNanos|timeOffset) != 0 {
		r.fail(fmt.Errorf("unknown time tag %d", tag))
		return time.Time{}
	}
	sec := r.varint()
	var nsec, off int64
	if tag&timeNanos != 0 {
		if nsec = int64(r.uvarint()); nsec <= 0 || nsec >= 1e9 {
			r.fail(fmt.Errorf("nanoseconds %d out of range", nsec))
		}
	}
	if tag&timeOffset != 0 {
		if off = r.varint(); off == 0 || off < -24*3600 || off > 24*3600 {
			r.fail(fmt.Errorf("time offset %d out of range", off))
		}
	}
	if sec < math.MinInt64/4 || sec > math.MaxInt64/4 {
		r.fail(fmt.Errorf("seconds %d out of range", sec))
	}
	if r.err != nil {
		return time.Time{}
	}
	t := time.Unix(sec+base, nsec)
	if off != 0 {
		return t.In(time.FixedZone("", int(off)))
	}
	return t.UTC()
}

func (r *reader) status() okrcore.Status {
	n := r.uvarint()
	if n < uint64(len(statusCodes)) {
		return statusCodes[n]
	}
	return okrcore.Status(r.bytes(n - uint64(len(statusCodes))))
}

// Decode reads a value Encode wrote; ws and id are its key's.
// Bad bytes give an error, never a panic.
func Decode(ws string, id okrcore.ID, v []byte) (*okrcore.CheckIn, error) {
	if len(v) == 0 || v[0] != Format {
		return nil, fmt.Errorf("decode check-in %d: unknown format", id)
	}
	r := &reader{b: v[1:]}
	flags := r.uvarint()
	if flags&^ciKnown != 0 {
		return nil, fmt.Errorf("decode check-in %d: unknown flags %#x", id, flags)
	}
	c := &okrcore.CheckIn{ID: id, Workspace: ws, Target: okrcore.TargetKR}
	if flags&ciKPI != 0 {
		c.Target = okrcore.TargetKPI
	}
	c.TargetID, c.Author, c.At = r.id(), r.id(), r.time(timeBase)
	c.Value = r.num(flags >> ciValueShift & 3)
	c.Previous = r.num(flags >> ciPreviousShift & 3)
	if flags&ciConfidence != 0 {
		c.Confidence = r.int()
	}
	if flags&ciStatus != 0 {
		c.Status = r.status()
	}
	if flags&ciNote != 0 {
		c.Note = r.str()
	}
	if flags&ciBlockers != 0 {
		c.Blockers = r.str()
	}
	if flags&ciPrior != 0 {
		c.Prior = r.prior(c)
	}
	if flags&ciUndo != 0 {
		c.UndoOf = r.id()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes left over", len(r.b))
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode check-in %d: %w", id, r.err)
	}
	return c, nil
}

func (r *reader) prior(c *okrcore.CheckIn) *okrcore.Prior {
	pf := r.uvarint()
	if pf&^priorKnown != 0 {
		r.fail(fmt.Errorf("unknown prior flags %#x", pf))
		return nil
	}
	p := &okrcore.Prior{StatusSet: pf&priorStatusSet != 0}
	base := c.At.Unix()
	if pf&priorConfidence != 0 {
		p.Confidence = r.int()
	}
	if pf&priorStatus != 0 {
		p.Status = r.status()
	}
	if pf&priorStated != 0 {
		p.Stated = &okrcore.Statement{Status: r.status(), By: c.Author}
		if pf&priorByAuthor == 0 {
			p.Stated.By = r.id()
		}
		if pf&priorAtLast == 0 {
			p.Stated.At = r.time(base)
		}
		p.Stated.Until = r.time(base)
	} else if pf&(priorByAuthor|priorAtLast) != 0 {
		r.fail(errors.New("prior statement flags without a statement"))
	}
	p.LastCheckIn = r.time(base)
	if p.Stated != nil && pf&priorAtLast != 0 {
		p.Stated.At = p.LastCheckIn
	}
	return p
}
