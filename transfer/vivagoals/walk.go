package vivagoals

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Check-ins are most of an export (1.3 million records in the benchmark's),
// so their records are read by walking the bytes the decoder has already
// found to be one valid JSON value, rather than by reflection: the same
// fields, taken without a copy of each into a string.

// errShape is a record that is JSON but not an object.
const errShape shapeError = "not an object"

// members calls fn with the key and the raw value of each member of the
// JSON object b, in order. Keys are as written, escapes and all; a key
// with escapes is unquoted first.
func members(b []byte, fn func(key, val []byte)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errShape
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		if b[i] != '"' {
			return errShape
		}
		end := stringEnd(b, i)
		if end < 0 {
			return errShape
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if json.Unmarshal(b[i:end], &s) != nil {
				return errShape
			}
			key = []byte(s)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errShape
		}
		i = skipSpace(b, i+1)
		vend := valueEnd(b, i)
		if vend < 0 {
			return errShape
		}
		fn(key, b[i:vend])
		i = skipSpace(b, vend)
		if i >= len(b) {
			return errShape
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i = skipSpace(b, i+1)
		default:
			return errShape
		}
	}
	return errShape
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index just past the string that starts at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd is the index just past the value that starts at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !ends(b[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// ends reports whether c ends a number or a literal.
func ends(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// text is a JSON string's contents: the bytes as written when they need
// no unescaping, which is almost always; a value that is not a string
// (null, a number) is empty.
func text(val []byte, scratch *[]byte) []byte {
	if len(val) < 2 || val[0] != '"' {
		return nil
	}
	in := val[1 : len(val)-1]
	if bytes.IndexByte(in, '\\') < 0 {
		return in
	}
	var s string
	if json.Unmarshal(val, &s) != nil {
		return nil
	}
	*scratch = append((*scratch)[:0], s...)
	return *scratch
}

// key is a field name matched as encoding/json matches it: without regard
// to case.
func key(k []byte, name string) bool { return len(k) == len(name) && bytes.EqualFold(k, []byte(name)) }

// rawCheck is one check-in as its bytes say it, valid until the next
// record is read.
type rawCheck struct {
	buf      []byte // a copy of the record; the fields below are slices of it
	ID, OKR  []byte
	Date     []byte
	Activity []byte
	Owner    rawPerson
	Note     []byte
	HTML     []byte
	Status   []byte
	Value    num
	esc      [6][]byte // room for fields with escapes, unquoted
}

type rawPerson struct{ ID, Name, Email []byte }

// UnmarshalJSON reads one check-in. The record is copied, as the decoder
// reuses its bytes, into a buffer the next record reuses in turn; a
// person's fields, a note and the rest stay slices of that copy.
func (c *rawCheck) UnmarshalJSON(b []byte) error {
	buf, esc := append(c.buf[:0], b...), c.esc
	*c = rawCheck{buf: buf, esc: esc}
	var bad error
	err := members(c.buf, func(k, v []byte) {
		switch {
		case key(k, "ID"):
			c.ID = id(v, &c.esc[0])
		case key(k, "OKR ID"):
			c.OKR = id(v, &c.esc[1])
		case key(k, "CheckIn Date"):
			c.Date = text(v, &c.esc[2])
		case key(k, "Activity Date"):
			c.Activity = text(v, &c.esc[3])
		case key(k, "Status"):
			c.Status = text(v, &c.esc[4])
		case key(k, "Current Value"):
			if err := c.Value.UnmarshalJSON(v); err != nil {
				bad = err
			}
		case key(k, "Check In Owner"):
			c.Owner = readPerson(v)
		case key(k, "Check In Note"):
			c.Note, c.HTML = readNote(v, &c.esc[5])
		}
	})
	if err != nil {
		return &json.UnmarshalTypeError{Value: shapeOf(b), Type: reflect.TypeFor[rawCheck]()}
	}
	return bad
}

// id is an ID written as a number or as text.
func id(v []byte, scratch *[]byte) []byte {
	if len(v) > 0 && v[0] == '"' {
		return bytes.TrimSpace(text(v, scratch))
	}
	if len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		return v
	}
	return nil
}

// readPerson reads a user as a check-in names one: an object, or a name
// or an address alone. Its fields are copied, being few and short.
func readPerson(v []byte) rawPerson {
	// Each field has scratch of its own for the rare escaped value.
	var p rawPerson
	var s1, s2, s3 []byte
	switch {
	case len(v) > 0 && v[0] == '{':
		_ = members(v, func(k, val []byte) {
			switch {
			case key(k, "ID"):
				p.ID = id(val, &s1)
			case key(k, "Name"):
				p.Name = bytes.TrimSpace(text(val, &s2))
			case key(k, "Email"):
				p.Email = bytes.TrimSpace(text(val, &s3))
			}
		})
	case len(v) > 0 && v[0] == '"':
		s := bytes.TrimSpace(text(v, &s1))
		if bytes.IndexByte(s, '@') >= 0 {
			p.Email = s
		} else {
			p.Name = s
		}
	default:
		p.ID = id(v, &s1)
	}
	return p
}

// readNote reads a check-in's note: an object with its text and HTML, or
// the text alone.
func readNote(v []byte, scratch *[]byte) (note, html []byte) {
	if len(v) > 0 && v[0] == '"' {
		return text(v, scratch), nil
	}
	var s2 []byte
	_ = members(v, func(k, val []byte) {
		switch {
		case key(k, "Check In Note"):
			note = text(val, scratch)
		case key(k, "Check In Note HTML"):
			html = text(val, &s2)
		}
	})
	return note, html
}
