// Package sheet reads spreadsheets into a transfer.Programme and writes
// okrbot's records out as CSV.
//
// Three kinds of sheet are read, told apart by their header row (column
// names compared without case, spaces or punctuation): the Viva Goals
// Explorer export, okrbot's own template (TEMPLATE.md), which is also what
// WriteOKRs writes, and a list of people. Each may be CSV (UTF-8 with or
// without a byte order mark, UTF-16 as Excel's "Unicode text" saves it, or
// Windows-1252; separated by commas, semicolons or tabs) or an Excel
// workbook (.xlsx). The content decides, not the file's name.
//
// A row that can't be read is a RowError with the row number a spreadsheet
// program shows. Read refuses a file with any, listing them, unless
// Options.SkipBadRows says to import the rest; then each becomes a
// warning. Whatever the reader had to guess is a warning naming its row.
package sheet

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/transfer"
)

// Options say how Read treats a spreadsheet.
type Options struct {
	// SkipBadRows imports the rows that read and turns the others into
	// warnings; without it, one bad row refuses the whole file.
	SkipBadRows bool
	// MaxRows caps the rows read, the header included; 0 means
	// DefaultMaxRows.
	MaxRows int
}

// DefaultMaxRows is more rows than the largest real programme has (a
// 50,000-person organisation's objectives, key results and initiatives),
// and few enough that a sheet of them fits in memory.
const DefaultMaxRows = 1_000_000

// maxFileBytes bounds a spreadsheet file; okrbot reads it whole.
const maxFileBytes = 512 << 20

// RowError is a row that could not be read, numbered as a spreadsheet
// program numbers it (the header is row 1 in a sheet that starts with it).
type RowError struct {
	Row    int
	Reason string
}

func (e RowError) String() string { return "row " + strconv.Itoa(e.Row) + ": " + e.Reason }

// BadRowsError refuses a spreadsheet for its bad rows.
type BadRowsError struct {
	Rows []RowError
}

// shownRows is how many bad rows an error lists before it counts the rest.
const shownRows = 20

func (e *BadRowsError) Error() string {
	var b strings.Builder
	if len(e.Rows) == 1 {
		b.WriteString("1 row can't be read")
	} else {
		fmt.Fprintf(&b, "%d rows can't be read", len(e.Rows))
	}
	b.WriteString(" (correct them, or import the other rows with --skip-bad-rows): ")
	for i, r := range e.Rows {
		if i == shownRows {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-shownRows)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// refusal is a file refused for a reason written for people; the cause,
// when there is one, is kept for errors.Is and the log, not shown.
type refusal struct {
	reason string
	err    error
}

func (r *refusal) Error() string { return r.reason }
func (r *refusal) Unwrap() error { return r.err }

func refuse(cause error, format string, args ...any) error {
	return &refusal{reason: fmt.Sprintf(format, args...), err: cause}
}

// Read reads a spreadsheet: name is the file's name (it names okrbot
// template's source, see TEMPLATE.md), r and size its content.
func Read(name string, r io.ReaderAt, size int64, opts Options) (*transfer.Programme, error) {
	if size > maxFileBytes {
		return nil, refuse(nil, "is %s; okrbot reads spreadsheets of up to %s", sizeLabel(size), sizeLabel(maxFileBytes))
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	t, err := readTable(r, size, opts.MaxRows)
	if err != nil {
		return nil, err
	}
	p, bad, err := readKind(name, t)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 && !opts.SkipBadRows {
		return nil, &BadRowsError{Rows: bad}
	}
	for _, b := range bad {
		p.Warnings = append(p.Warnings, transfer.Warning{Record: rowName(b.Row), Message: b.Reason + "; the row is left out"})
	}
	return p, nil
}

// readKind reads the table as the kind of sheet its header says.
func readKind(name string, t *table) (*transfer.Programme, []RowError, error) {
	h, err := findHeader(t)
	if err != nil {
		return nil, nil, err
	}
	r := newReader(t, h)
	switch h.kind {
	case kindExplorer:
		r.p.Source = SourceExplorer
		r.explorer = true
		r.readItems()
	case kindTemplate:
		r.p.Source = TemplateSource(name)
		r.readItems()
	default:
		r.p.Source = SourcePeople
		r.readPeople()
	}
	if r.rows == 0 {
		return nil, nil, refuse(nil, "has a header row but no rows below it: there is nothing to import")
	}
	return r.p, r.bad, nil
}

func rowName(n int) string { return "row " + strconv.Itoa(n) }

// sizeLabel says a number of bytes for people.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30:
		return strconv.FormatInt(n>>30, 10) + " GB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
