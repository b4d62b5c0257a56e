package vivagoalstest

import (
	"strconv"
	"unicode/utf8"
)

// obj writes JSON objects field by field, in the order Viva Goals wrote
// them, without reflection: the large export has millions of records.
type obj struct {
	b     []byte
	first []bool // per open object or list: nothing written in it yet
}

func (o *obj) open(c byte) {
	o.b = append(o.b, c)
	o.first = append(o.first, true)
}

func (o *obj) close(c byte) {
	o.b = append(o.b, c)
	o.first = o.first[:len(o.first)-1]
}

// sep writes the comma before every element of an object or list but
// the first.
func (o *obj) sep() {
	n := len(o.first) - 1
	if n < 0 {
		return
	}
	if !o.first[n] {
		o.b = append(o.b, ',')
	}
	o.first[n] = false
}

func (o *obj) key(k string) {
	o.sep()
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *obj) str(k, v string) {
	o.key(k)
	o.b = appendString(o.b, v)
}

func (o *obj) id(k string, v int) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
}

func (o *obj) num(k string, v float64) {
	o.key(k)
	o.b = strconv.AppendFloat(o.b, v, 'f', -1, 64)
}

func (o *obj) null(k string) {
	o.key(k)
	o.b = append(o.b, "null"...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}
