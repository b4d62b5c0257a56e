package vivagoals

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// counter counts the bytes an entry inflates to as they are read, and stops
// the read at the first bound of Limits it passes: headers can lie about
// sizes, the bytes cannot.
type counter struct {
	r     io.Reader
	lim   Limits
	name  string
	n     int64  // inflated bytes of this entry
	total *int64 // inflated bytes of every entry so far
	// packed is the entry's compressed size, at most the file's size.
	packed int64
	// mark is the offset at which the record being decoded starts.
	mark int64
	// decoded is how many bytes the records read so far took.
	decoded int64
	// at is where the JSON goes wrong, counting bytes from 1; 0 when not
	// known.
	at int64
	// failed is the error the entry's decompressor gave, so that a cut
	// entry is not mistaken for cut JSON.
	failed error
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	*c.total += int64(n)
	if err != nil && err != io.EOF {
		c.failed = err
	}
	if lim := c.lim.MaxUncompressedBytes; lim > 0 && *c.total > lim {
		return n, &errLimit{fmt.Sprintf("The export inflates to more than %s, more than any real export; it looks like a zip bomb, so it is not read.", megabytes(lim))}
	}
	if c.lim.MaxRatio > 0 && c.n > ratioFloor && float64(c.n) > c.lim.MaxRatio*float64(max(c.packed, 1)) {
		return n, &errLimit{fmt.Sprintf("The file %s in the zip inflates more than %.0f times, which no real export does; it looks like a zip bomb, so it is not read.", c.name, c.lim.MaxRatio)}
	}
	// The decoder reads ahead in blocks, so a record is judged with a
	// block of slack.
	if lim := c.lim.MaxRecordBytes; lim > 0 && c.n-c.mark > lim+1<<20 {
		return n, &errLimit{fmt.Sprintf("One record in %s is larger than %s, which no real export has, so the file is not read.", c.name, megabytes(lim))}
	}
	return n, err
}

// readFile streams one file's list of records, handing each to the
// reader for its kind.
func (rd *reader) readFile(k kind, f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return entryError(f, err)
	}
	defer rc.Close()
	c := &counter{r: rc, lim: rd.lim, name: f.Name, total: &rd.inflated, packed: int64(f.CompressedSize64)}
	if rd.size < c.packed {
		c.packed = rd.size
	}
	dec := json.NewDecoder(c)
	err = eachRecord(dec, c, func() error { return rd.record(k, dec) })
	if err == nil {
		return nil
	}
	var le *errLimit
	switch {
	case errors.Is(err, errEnough):
		return err
	case errors.As(err, &le):
		return refuse(err, "%s", le.msg)
	case c.failed != nil:
		return entryError(f, c.failed)
	}
	return jsonError(f, c, err)
}

// errEnough stops a reading of the check-ins that was told it need not
// go on.
var errEnough = errors.New("enough check-ins")

// record decodes the next element of a k file.
func (rd *reader) record(k kind, dec *json.Decoder) error {
	switch k {
	case kindUsers:
		var u rawUser
		if err := dec.Decode(&u); err != nil {
			return err
		}
		rd.user(u)
	case kindTeams:
		var t rawTeam
		if err := dec.Decode(&t); err != nil {
			return err
		}
		rd.team(t)
	case kindPeriods:
		var p rawPeriod
		if err := dec.Decode(&p); err != nil {
			return err
		}
		rd.period(p)
	case kindObjectives:
		var it rawItem
		if err := dec.Decode(&it); err != nil {
			return err
		}
		rd.item(it)
	case kindCheckIns:
		if err := dec.Decode(&rd.check); err != nil {
			return err
		}
		if !rd.checkIn(&rd.check) {
			return errEnough
		}
	}
	return nil
}

// shapeError is a file that is JSON but not a list of records.
type shapeError string

func (e shapeError) Error() string { return string(e) }

const (
	errNotList  shapeError = "not a list"
	errTrailing shapeError = "data after the list"
)

// eachRecord calls fn for every element of the list dec reads, one at a
// time, so that memory holds one record, not the file.
func eachRecord(dec *json.Decoder, c *counter, fn func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return c.tokenError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errNotList
	}
	for first := true; dec.More(); first = false {
		c.mark = dec.InputOffset()
		base := c.mark
		if !first {
			base++ // the comma before it
		}
		if err := fn(); err != nil {
			c.locate(err, base)
			return err
		}
		c.decoded += dec.InputOffset() - base
	}
	if _, err := dec.Token(); err != nil {
		return c.tokenError(err)
	}
	// Reading to the end checks that nothing follows the list and makes
	// the zip reader verify the entry's checksum.
	if dec.More() {
		c.at = dec.InputOffset() + 1
		return errTrailing
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			c.at = dec.InputOffset()
			return errTrailing
		}
		return c.tokenError(err)
	}
	return nil
}

// tokenError notes where a token could not be read: the decoder counts
// those offsets from the start of the file, from 0.
func (c *counter) tokenError(err error) error {
	var syn *json.SyntaxError
	switch {
	case err == io.EOF:
		return io.ErrUnexpectedEOF
	case errors.As(err, &syn):
		c.at = syn.Offset + 1
	}
	return err
}

// locate notes where a record that could not be decoded goes wrong; it
// starts at base. The decoder counts a syntax error's offset over the
// bytes of every record it decoded, a type error's from the start of the
// record, and a missing comma's from the start of the file.
func (c *counter) locate(err error, base int64) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "after array element"):
		c.at = syn.Offset + 1
	case errors.As(err, &syn):
		c.at = base + syn.Offset - c.decoded
	case errors.As(err, &typ) && typ.Offset > 0:
		c.at = base + typ.Offset
	}
}

// entryError is the refusal of an entry whose bytes cannot be had.
func entryError(f *zip.File, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrAlgorithm):
		return refuse(err, "The file %s in the zip is compressed in a way zip readers do not support; zip the export again with ordinary compression.", f.Name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return refuse(err, "The file %s in the zip is cut short; download the export again.", f.Name)
	case errors.Is(err, zip.ErrChecksum), errors.As(err, &corrupt), errors.Is(err, zip.ErrFormat):
		return refuse(err, "The file %s in the zip is damaged; download the export again.", f.Name)
	}
	return refuse(err, "The file %s in the zip cannot be read; download the export again.", f.Name)
}

// jsonError is the refusal of a file that is not the JSON it should be,
// naming the line and column where it goes wrong.
func jsonError(f *zip.File, c *counter, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, _, _ := position(f, c.n)
		return refuse(err, "The file %s is not valid JSON: it ends in the middle of a record (line %d); download the export again.", f.Name, line)
	case errors.As(err, &syn):
		line, col, at := position(f, c.at)
		return refuse(err, "The file %s is not valid JSON: line %d, column %d has %s where JSON cannot have it.", f.Name, line, col, at)
	case errors.As(err, &typ) && c.at > 0:
		line, col, _ := position(f, c.at)
		return refuse(err, "The file %s is not a Viva Goals %s file: at line %d, column %d, %s is %s, where %s belongs.", f.Name, fileWord(f.Name), line, col, field(typ.Field), jsonWord(typ.Value), goWord(typ.Type))
	case errors.As(err, &typ):
		line, _, _ := position(f, c.mark+1)
		return refuse(err, "The file %s is not a Viva Goals %s file: in the record at line %d, %s is %s, where %s belongs.", f.Name, fileWord(f.Name), line, field(typ.Field), jsonWord(typ.Value), goWord(typ.Type))
	case errors.Is(err, errNotList):
		return refuse(err, "The file %s is not a Viva Goals %s file: it should hold a list of records, starting with [.", f.Name, fileWord(f.Name))
	case errors.Is(err, errTrailing):
		line, col, _ := position(f, c.at)
		return refuse(err, "The file %s is not valid JSON: something follows its list, at line %d, column %d.", f.Name, line, col)
	}
	line, _, _ := position(f, c.mark+1)
	return refuse(err, "The file %s could not be read as JSON near line %d.", f.Name, line)
}

// position finds the line and column of byte offset off of an entry
// (counting from 1), and the character there as people would quote it.
// The entry was read up to off already, so this reads no further than
// the limits allowed.
func position(f *zip.File, off int64) (line, col int, at string) {
	line, col = 1, 1
	rc, err := f.Open()
	if err != nil {
		return line, col, "a character"
	}
	defer rc.Close()
	br := bufio.NewReader(io.LimitReader(rc, max(off-1, 0)))
	for {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			line, col = line+1, 1
		} else if b < 0x80 || b >= 0xC0 {
			col++
		}
	}
	// The offending character is the one just before off.
	if off < 1 {
		return line, col, "a character"
	}
	r := bufio.NewReader(rc)
	ch, _, err := r.ReadRune()
	switch {
	case err != nil:
		return line, col, "an end"
	case ch == '"':
		return line, col, "a quote (\")"
	case ch < ' ':
		return line, col, "a control character"
	}
	return line, col, fmt.Sprintf("%q", string(ch))
}

// fileWord is what a file holds, in the words of its name.
func fileWord(name string) string {
	k, _ := fileKind(name)
	return k.String()
}

func field(f string) string {
	if f == "" {
		return "a value"
	}
	return "“" + strings.ReplaceAll(f, ".", " › ") + "”"
}

// jsonWord names a kind of JSON value as people say it.
func jsonWord(v string) string {
	switch {
	case v == "string":
		return "text"
	case v == "number" || strings.HasPrefix(v, "number "):
		return "a number"
	case v == "bool":
		return "true or false"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	}
	return "a value of another kind"
}

// goWord names what a Go type holds as people say it.
func goWord(t reflect.Type) string {
	switch t {
	case nil:
		return "something else"
	case reflect.TypeFor[vid]():
		return "an ID (a number or text)"
	case reflect.TypeFor[num]():
		return "a number"
	case reflect.TypeFor[person]():
		return "a user (an object with an ID, a name and an e-mail address)"
	case reflect.TypeFor[ref]():
		return "an object with an ID and a name"
	case reflect.TypeFor[rawCheck]():
		return "a check-in (an object with its ID, OKR ID, date and the rest)"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64, reflect.Uint64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	}
	return "something else"
}
