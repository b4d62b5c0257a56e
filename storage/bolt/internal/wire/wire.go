// Package wire is the vocabulary of storage/bolt's compact binary records
// (check-ins in cicodec, the other hot records in reccodec): varints,
// numbers in their shortest exact form, times with their offset, statuses
// by code, length-prefixed strings, and a reader that turns damaged bytes
// into an error instead of a panic.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Forms of a number: most values people report are whole or in
// hundredths, which take a byte or three instead of eight.
const (
	NumWhole = iota
	NumHundredths
	NumBits
)

// A time is a uvarint tag of these bits (TimeZero alone for the zero
// time), then varint seconds since a base, uvarint nanoseconds, varint
// offset in seconds, each only when its bit says so.
const (
	TimeZero = 1 << iota
	TimeNanos
	TimeOffset
)

// TimeBase keeps the seconds of today's times small (Nov 2023).
const TimeBase = 1_700_000_000

// statusCodes are the statuses stored as one byte; any other is stored as
// len(statusCodes)+len(s) and its bytes.
var statusCodes = []okrcore.Status{okrcore.StatusNone, okrcore.StatusOnTrack, okrcore.StatusAtRisk, okrcore.StatusOffTrack, okrcore.StatusDone}

// ErrShort says a record ended before what its flags promise.
var ErrShort = errors.New("record ends early")

// SameTime reports whether a and b are stored alike: the same instant and
// offset.
func SameTime(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	return a.Equal(b) && ao == bo && a.IsZero() == b.IsZero()
}

// NumForm is the shortest form that gives v back exactly.
func NumForm(v float64) uint64 {
	const exact = 1 << 53
	if v == 0 && math.Signbit(v) {
		return NumBits
	}
	if v == math.Trunc(v) && math.Abs(v) < exact {
		return NumWhole
	}
	if n := math.Round(v * 100); math.Abs(n) < exact && n/100 == v {
		return NumHundredths
	}
	return NumBits
}

// AppendNum appends v in form (NumForm's).
func AppendNum(b []byte, v float64, form uint64) []byte {
	switch form {
	case NumWhole:
		return binary.AppendVarint(b, int64(v))
	case NumHundredths:
		return binary.AppendVarint(b, int64(math.Round(v*100)))
	}
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// AppendTime appends t, its seconds counted from base.
func AppendTime(b []byte, t time.Time, base int64) []byte {
	if t.IsZero() {
		return append(b, TimeZero)
	}
	var tag uint64
	_, off := t.Zone()
	if t.Nanosecond() != 0 {
		tag |= TimeNanos
	}
	if off != 0 {
		tag |= TimeOffset
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

// AppendStatus appends s by its code.
func AppendStatus(b []byte, s okrcore.Status) []byte {
	for i, known := range statusCodes {
		if s == known {
			return binary.AppendUvarint(b, uint64(i))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(statusCodes)+len(s)))
	return append(b, s...)
}

// AppendStr appends s with its length.
func AppendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Reader reads a record, remembering the first error: the caller checks
// it once at the end (Err, or End), and every read after an error gives
// zero values.
type Reader struct {
	b   []byte
	err error
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err is the first error met, if any.
func (r *Reader) Err() error { return r.err }

// End is Err, or an error when bytes are left over after the record.
func (r *Reader) End() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes left over", len(r.b))
	}
	return r.err
}

// Fail records err (the first one is kept) and stops the reading.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.Fail(ErrShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.Fail(ErrShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Bytes are the next n bytes, in the record's own memory.
func (r *Reader) Bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.Fail(ErrShort)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// RawStr is a string's bytes, in the record's own memory: for a caller
// that compares them before it copies.
func (r *Reader) RawStr() []byte { return r.Bytes(r.Uvarint()) }

func (r *Reader) Str() string { return string(r.RawStr()) }

func (r *Reader) ID() okrcore.ID { return okrcore.ID(r.Uvarint()) }

// Int is a varint as a new *int.
func (r *Reader) Int() *int {
	n := int(r.Varint())
	return &n
}

// Num reads a number of the given form.
func (r *Reader) Num(form uint64) float64 {
	switch form {
	case NumWhole:
		return float64(r.Varint())
	case NumHundredths:
		return float64(r.Varint()) / 100
	case NumBits:
		b := r.Bytes(8)
		if len(b) < 8 {
			return 0
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	r.Fail(fmt.Errorf("unknown number form %d", form))
	return 0
}

// Time reads a time AppendTime wrote with the same base.
func (r *Reader) Time(base int64) time.Time {
	tag := r.Uvarint()
	if tag == TimeZero {
		return time.Time{}
	}
	if tag&^(TimeNanos|TimeOffset) != 0 {
		r.Fail(fmt.Errorf("unknown time tag %d", tag))
		return time.Time{}
	}
	sec := r.Varint()
	var nsec, off int64
	if tag&TimeNanos != 0 {
		if nsec = int64(r.Uvarint()); nsec <= 0 || nsec >= 1e9 {
			r.Fail(fmt.Errorf("nanoseconds %d out of range", nsec))
		}
	}
	if tag&TimeOffset != 0 {
		if off = r.Varint(); off == 0 || off < -24*3600 || off > 24*3600 {
			r.Fail(fmt.Errorf("time offset %d out of range", off))
		}
	}
	if sec < math.MinInt64/4 || sec > math.MaxInt64/4 {
		r.Fail(fmt.Errorf("seconds %d out of range", sec))
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

// Status reads a status AppendStatus wrote.
func (r *Reader) Status() okrcore.Status {
	n := r.Uvarint()
	if n < uint64(len(statusCodes)) {
		return statusCodes[n]
	}
	return okrcore.Status(r.Bytes(n - uint64(len(statusCodes))))
}
