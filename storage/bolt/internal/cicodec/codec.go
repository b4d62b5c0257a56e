// Package cicodec is the compact binary form storage/bolt keeps check-ins
// in.
package cicodec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/wire"
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
// Times, numbers, statuses and strings are in package wire's forms. The
// base of At is wire.TimeBase; the times of Prior, which are near At,
// count from At's second. The author of a prior statement is mostly the
// check-in's, said by a flag.
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
	vForm, pForm := wire.NumForm(c.Value), wire.NumForm(c.Previous)
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
	b = wire.AppendTime(b, c.At, wire.TimeBase)
	b = wire.AppendNum(b, c.Value, vForm)
	b = wire.AppendNum(b, c.Previous, pForm)
	if c.Confidence != nil {
		b = binary.AppendVarint(b, int64(*c.Confidence))
	}
	if c.Status != "" {
		b = wire.AppendStatus(b, c.Status)
	}
	if c.Note != "" {
		b = wire.AppendStr(b, c.Note)
	}
	if c.Blockers != "" {
		b = wire.AppendStr(b, c.Blockers)
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
		if wire.SameTime(p.Stated.At, p.LastCheckIn) {
			pf |= priorAtLast
		}
	}
	b = binary.AppendUvarint(b, pf)
	if p.Confidence != nil {
		b = binary.AppendVarint(b, int64(*p.Confidence))
	}
	if p.Status != "" {
		b = wire.AppendStatus(b, p.Status)
	}
	if s := p.Stated; s != nil {
		b = wire.AppendStatus(b, s.Status)
		if s.By != c.Author {
			b = binary.AppendUvarint(b, uint64(s.By))
		}
		if pf&priorAtLast == 0 {
			b = wire.AppendTime(b, s.At, c.At.Unix())
		}
		b = wire.AppendTime(b, s.Until, c.At.Unix())
	}
	return wire.AppendTime(b, p.LastCheckIn, c.At.Unix())
}

// Decode reads a value Encode wrote; ws and id are its key's.
// Bad bytes give an error, never a panic.
func Decode(ws string, id okrcore.ID, v []byte) (*okrcore.CheckIn, error) {
	if len(v) == 0 || v[0] != Format {
		return nil, fmt.Errorf("decode check-in %d: unknown format", id)
	}
	r := wire.NewReader(v[1:])
	flags := r.Uvarint()
	if flags&^ciKnown != 0 {
		return nil, fmt.Errorf("decode check-in %d: unknown flags %#x", id, flags)
	}
	c := &okrcore.CheckIn{ID: id, Workspace: ws, Target: okrcore.TargetKR}
	if flags&ciKPI != 0 {
		c.Target = okrcore.TargetKPI
	}
	c.TargetID, c.Author, c.At = r.ID(), r.ID(), r.Time(wire.TimeBase)
	c.Value = r.Num(flags >> ciValueShift & 3)
	c.Previous = r.Num(flags >> ciPreviousShift & 3)
	if flags&ciConfidence != 0 {
		c.Confidence = r.Int()
	}
	if flags&ciStatus != 0 {
		c.Status = r.Status()
	}
	if flags&ciNote != 0 {
		c.Note = r.Str()
	}
	if flags&ciBlockers != 0 {
		c.Blockers = r.Str()
	}
	if flags&ciPrior != 0 {
		c.Prior = readPrior(r, c)
	}
	if flags&ciUndo != 0 {
		c.UndoOf = r.ID()
	}
	if err := r.End(); err != nil {
		return nil, fmt.Errorf("decode check-in %d: %w", id, err)
	}
	return c, nil
}

func readPrior(r *wire.Reader, c *okrcore.CheckIn) *okrcore.Prior {
	pf := r.Uvarint()
	if pf&^priorKnown != 0 {
		r.Fail(fmt.Errorf("unknown prior flags %#x", pf))
		return nil
	}
	p := &okrcore.Prior{StatusSet: pf&priorStatusSet != 0}
	base := c.At.Unix()
	if pf&priorConfidence != 0 {
		p.Confidence = r.Int()
	}
	if pf&priorStatus != 0 {
		p.Status = r.Status()
	}
	if pf&priorStated != 0 {
		p.Stated = &okrcore.Statement{Status: r.Status(), By: c.Author}
		if pf&priorByAuthor == 0 {
			p.Stated.By = r.ID()
		}
		if pf&priorAtLast == 0 {
			p.Stated.At = r.Time(base)
		}
		p.Stated.Until = r.Time(base)
	} else if pf&(priorByAuthor|priorAtLast) != 0 {
		r.Fail(errors.New("prior statement flags without a statement"))
	}
	p.LastCheckIn = r.Time(base)
	if p.Stated != nil && pf&priorAtLast != 0 {
		p.Stated.At = p.LastCheckIn
	}
	return p
}
