package wire

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestNumbersReadBackExactly(t *testing.T) {
	cases := []struct {
		v    float64
		form uint64
	}{
		{0, NumWhole}, {45, NumWhole}, {-1e15, NumWhole}, {12.34, NumHundredths}, {-0.01, NumHundredths},
		{math.Pi, NumBits}, {math.Copysign(0, -1), NumBits}, {math.Inf(1), NumBits}, {1e300, NumBits}, {1 << 60, NumBits},
	}
	for _, tc := range cases {
		if f := NumForm(tc.v); f != tc.form {
			t.Errorf("NumForm(%v) = %d, want %d", tc.v, f, tc.form)
		}
		r := NewReader(AppendNum(nil, tc.v, tc.form))
		if got := r.Num(tc.form); math.Float64bits(got) != math.Float64bits(tc.v) || r.End() != nil {
			t.Errorf("%v read back as %v (%v)", tc.v, got, r.End())
		}
	}
}

func TestTimesReadBackWithTheirOffset(t *testing.T) {
	at := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	for _, tm := range []time.Time{{}, at, at.Add(1), at.In(time.FixedZone("", -9*3600-30*60)), time.Unix(0, 0).UTC(), at.AddDate(-2000, 0, 0)} {
		for _, base := range []int64{0, TimeBase, at.Unix()} {
			r := NewReader(AppendTime(nil, tm, base))
			got := r.Time(base)
			if !SameTime(got, tm) || r.End() != nil {
				t.Errorf("%v (base %d) read back as %v (%v)", tm, base, got, r.End())
			}
		}
	}
}

func TestStatusesAndStrings(t *testing.T) {
	for _, s := range []okrcore.Status{okrcore.StatusNone, okrcore.StatusDone, "paused", "a status\x00with a zero"} {
		b := AppendStr(AppendStatus(nil, s), string(s))
		r := NewReader(b)
		if got, str := r.Status(), r.Str(); got != s || str != string(s) || r.End() != nil {
			t.Errorf("%q read back as %q and %q (%v)", s, got, str, r.End())
		}
	}
}

// TestReaderKeepsTheFirstError: a damaged record reads as zeros after its
// first error, which End returns; bytes left over are an error too.
func TestReaderKeepsTheFirstError(t *testing.T) {
	cases := map[string]struct {
		b    []byte
		read func(r *Reader)
	}{
		"cut varint":       {[]byte{0x80}, func(r *Reader) { r.Uvarint() }},
		"cut string":       {[]byte{5, 'a'}, func(r *Reader) { r.Str() }},
		"huge string":      {[]byte{0xff, 0xff, 0xff, 0xff, 0x0f}, func(r *Reader) { r.Str() }},
		"unknown form":     {[]byte{1}, func(r *Reader) { r.Num(7) }},
		"cut number":       {[]byte{1, 2, 3}, func(r *Reader) { r.Num(NumBits) }},
		"unknown time tag": {[]byte{8, 0}, func(r *Reader) { r.Time(0) }},
		"bad nanoseconds":  {[]byte{TimeNanos, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}, func(r *Reader) { r.Time(0) }},
		"bad offset":       {[]byte{TimeOffset, 0, 0}, func(r *Reader) { r.Time(0) }},
		"left over":        {[]byte{1, 2}, func(r *Reader) { r.Uvarint() }},
	}
	for name, tc := range cases {
		r := NewReader(tc.b)
		tc.read(r)
		if r.Err() != nil && r.Uvarint() != 0 {
			t.Errorf("%s: a read after the error gave a value", name)
		}
		if r.End() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	r := NewReader(nil)
	r.Uvarint()
	if !errors.Is(r.End(), ErrShort) {
		t.Fatalf("an empty record: %v", r.End())
	}
}
