package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// table is a sheet's rows as text, before any column means anything.
type table struct {
	rows []row
	// decimalComma says numbers may be written 12,5: the file is not
	// separated by commas (Excel in much of Europe writes semicolons and
	// decimal commas).
	decimalComma bool
	// notes are what reading the file had to guess (its encoding, which
	// sheet of a workbook), for the programme's warnings.
	notes []string
	// dates1904 says a workbook's dates count from 1904, as old Mac
	// workbooks' do.
	dates1904 bool
}

// row is one row of a sheet.
type row struct {
	n     int      // as a spreadsheet program numbers it
	cells []string // what the cells show
	// raw are a workbook's stored values (a date as its serial number, a
	// percentage as a fraction); nil for CSV, whose text is all there is.
	raw []string
}

// cell is the trimmed text of column i, without the apostrophe an
// export puts before what a spreadsheet would take for a formula.
func (r row) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return unsafe(strings.TrimSpace(r.cells[i]))
}

// rawCell is a workbook's stored value of column i, or "".
func (r row) rawCell(i int) string {
	if i < 0 || i >= len(r.raw) {
		return ""
	}
	return strings.TrimSpace(r.raw[i])
}

func (r row) blank() bool {
	for _, c := range r.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic opens an old binary .xls, and a password-protected .xlsx,
	// which Excel wraps in the same container.
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// readTable reads a CSV or XLSX file, told apart by its first bytes.
func readTable(r io.ReaderAt, size int64, maxRows int) (*table, error) {
	head := make([]byte, min(size, 8))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, refuse(err, "can't be read")
	}
	switch {
	case bytes.HasPrefix(head, zipMagic) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return readXLSX(r, size, maxRows)
	case bytes.HasPrefix(head, oleMagic):
		return nil, refuse(nil, "is an old Excel .xls file or a workbook with a password; save it from Excel as an .xlsx workbook without a password, or as CSV UTF-8")
	}
	b := make([]byte, size)
	if n, err := r.ReadAt(b, 0); err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, refuse(err, "can't be read")
	}
	return readCSV(b, maxRows)
}

// readCSV reads delimited text.
func readCSV(b []byte, maxRows int) (*table, error) {
	t := &table{}
	text, note, err := decodeText(b)
	if err != nil {
		return nil, err
	}
	if note != "" {
		t.notes = append(t.notes, note)
	}
	if strings.IndexByte(text, 0) >= 0 {
		return nil, refuse(nil, "is not a spreadsheet: it holds bytes no text file has; save it from Excel as .xlsx or CSV UTF-8")
	}
	sep, text := separator(text)
	t.decimalComma = sep != ','
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma, cr.FieldsPerRecord = sep, -1
	// Rows are numbered as a spreadsheet program shows them: a blank line
	// is an empty row (encoding/csv skips it), a cell over several lines
	// one row.
	n, endLine := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvRefusal(err)
		}
		line, _ := cr.FieldPos(0)
		n += line - endLine
		last, _ := cr.FieldPos(len(rec) - 1)
		endLine = last + strings.Count(rec[len(rec)-1], "\n")
		if n > maxRows {
			return nil, tooManyRows(maxRows)
		}
		t.rows = append(t.rows, row{n: n, cells: rec})
	}
	return t, nil
}

func tooManyRows(maxRows int) error {
	return refuse(nil, "has more than %d rows, more than okrbot reads from one file; split it in parts", maxRows)
}

// csvRefusal says what is wrong with CSV that does not parse.
func csvRefusal(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return refuse(err, "can't be read as CSV")
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return refuse(err, "is not CSV okrbot can read: line %d has a quote (\") inside a cell that does not start with one; put that cell in quotes and double the quote inside it", pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return refuse(err, "is not CSV okrbot can read: the quoted cell that starts on line %d is never closed, or has a stray quote", pe.StartLine)
	}
	return refuse(err, "is not CSV okrbot can read (line %d)", pe.Line)
}

// decodeText makes the file's text UTF-8. Excel saves CSV as UTF-8 with a
// byte order mark ("CSV UTF-8"), as the Windows code page ("CSV"), or as
// UTF-16 ("Unicode text", tab separated); note says a guess made.
func decodeText(b []byte) (text, note string, err error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return decodeUTF16(b[2:], true)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return decodeUTF16(b, false)
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return decodeUTF16(b, true)
	}
	if utf8.Valid(b) {
		return string(b), "", nil
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", refuse(err, "is text in an encoding okrbot can't read; save it from Excel as CSV UTF-8")
	}
	return string(s), "the file is not UTF-8; it was read as Windows-1252 (Western European), as Excel's plain CSV writes it. Check names with accents, or save it as CSV UTF-8", nil
}

func decodeUTF16(b []byte, bigEndian bool) (string, string, error) {
	if len(b)%2 != 0 {
		return "", "", refuse(nil, "is UTF-16 text with half a character at its end: it may have been cut short; save it again, or save it as CSV UTF-8")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u)), "", nil
}

// separator finds what separates the cells: the line "sep=;" that Excel
// writes and reads (then dropped, as Excel hides it), else whichever of
// comma, semicolon and tab the header row holds most of outside quotes.
func separator(text string) (rune, string) {
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimSuffix(first, "\r")
	if strings.HasPrefix(strings.ToLower(first), "sep=") {
		if r, n := utf8.DecodeRuneInString(first[4:]); n > 0 && n == len(first[4:]) && validSeparator(r) {
			return r, rest
		}
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
		}
		if !quoted && r == '\n' {
			break
		}
		if !quoted && (r == ',' || r == ';' || r == '\t') {
			counts[r]++
		}
	}
	sep := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[sep] {
			sep = r
		}
	}
	return sep, text
}

func validSeparator(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && !(r >= '0' && r <= '9')
}
