package bolt

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Keys are built from components so that every key of one workspace shares a
// prefix and range scans follow the natural order of each component:
//
//   - a string is written with each 0x00 byte escaped as 0x00 0xFF and ends
//     with 0x00 0x01, so no encoded string is a prefix of another and a
//     string may contain any byte;
//   - an ID or a number is 8 bytes big-endian;
//   - a time is its UnixNano as 8 bytes big-endian with the sign bit
//     flipped, so that earlier times sort first, before 1970 too.
//
// A record key is str(workspace) id; an index key is str(workspace), the
// indexed components, then the record ID, and its value is empty.
type key []byte

func newKey(ws string) key {
	k := make(key, 0, len(ws)+32)
	return k.str(ws)
}

func (k key) str(s string) key {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			k = append(k, 0, 0xFF)
			continue
		}
		k = append(k, s[i])
	}
	return append(k, 0, 1)
}

func (k key) u64(v uint64) key { return binary.BigEndian.AppendUint64(k, v) }

func (k key) id(id okrcore.ID) key { return k.u64(uint64(id)) }

func (k key) time(t time.Time) key { return k.u64(timeBits(t)) }

// timeBits maps t to an unsigned number that sorts like t. Times outside the
// range of UnixNano (before 1678, after 2262) are clamped.
func timeBits(t time.Time) uint64 {
	var n int64
	switch {
	case t.Before(minTime):
		n = math.MinInt64
	case t.After(maxTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return uint64(n) ^ (1 << 63)
}

// bitsTime is the time that timeBits mapped to b, in UTC; exact is false
// at the two ends of the range, where timeBits may have clamped.
func bitsTime(b uint64) (t time.Time, exact bool) {
	n := int64(b ^ (1 << 63))
	return time.Unix(0, n).UTC(), n != math.MinInt64 && n != math.MaxInt64
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// lastID reads the record ID that ends an index key.
func lastID(k []byte) okrcore.ID {
	if len(k) < 8 {
		return 0
	}
	return okrcore.ID(binary.BigEndian.Uint64(k[len(k)-8:]))
}

// strAt decodes the string component that starts at offset i of k and
// returns it with the offset just past it; ok is false when k holds no
// well-formed string there.
func strAt(k []byte, i int) (s string, next int, ok bool) {
	if i < 0 || i > len(k) {
		return "", 0, false
	}
	var b []byte
	for j := i; j+1 < len(k); j++ {
		if k[j] != 0 {
			continue
		}
		b = append(b, k[i:j]...)
		switch k[j+1] {
		case 1:
			return string(b), j + 2, true
		case 0xFF:
			b = append(b, 0)
			i = j + 2
			j++
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// u64At reads a big-endian number at offset i of k.
func u64At(k []byte, i int) uint64 {
	if i < 0 || i+8 > len(k) {
		return 0
	}
	return binary.BigEndian.Uint64(k[i : i+8])
}

// prefixEnd is the smallest key greater than every key starting with p, or
// nil when there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xFF {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func (k key) append(b []byte) key { return append(k, b...) }
