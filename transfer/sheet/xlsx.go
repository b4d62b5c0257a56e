package sheet

import (
	"archive/zip"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A workbook is a zip of XML parts, which excelize reads whole into
// memory; before it does, the zip's own directory is checked against what
// no real workbook has, so that a zip bomb is refused unopened. The sizes
// the directory declares bind: archive/zip fails a part that inflates
// beyond its declared size.
const (
	// maxUnzipped bounds the declared size of all parts together.
	maxUnzipped = 1 << 30
	// maxRatio bounds how much one part inflates; sheets of repeated rows
	// reach a few dozen times, bombs thousands.
	maxRatio = 250
	// ratioFloor is the size below which a part's ratio is not judged.
	ratioFloor = 1 << 20
	maxParts   = 10_000
)

// headerScan is how many rows of a sheet are searched for its header, so
// that a title or a note above the table is passed over.
const headerScan = 10

// readXLSX reads the first sheet of a workbook whose header okrbot knows.
func readXLSX(r io.ReaderAt, size int64, maxRows int) (*table, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, refuse(err, "starts like an Excel workbook (a zip file) but can't be opened as one: it may have been cut short on its way; save or download it again")
	}
	if err := checkZip(zr); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, refuse(err, "is a zip file that Excel would not open as a workbook; save it from Excel as .xlsx again")
	}
	defer f.Close()
	props, err := f.GetWorkbookProps()
	if err != nil {
		return nil, refuse(err, "is a workbook whose settings can't be read; save it from Excel as .xlsx again")
	}
	var first, chosen *table
	var read []string
	for _, name := range f.GetSheetList() {
		t, err := sheetTable(f, name, maxRows)
		if err != nil {
			return nil, err
		}
		t.dates1904 = props.Date1904 != nil && *props.Date1904
		if first == nil {
			first = t
		}
		if _, err := findHeader(t); err != nil {
			continue
		}
		read = append(read, name)
		if chosen == nil {
			chosen = t
		}
	}
	if first == nil {
		return nil, refuse(nil, "is a workbook without a sheet")
	}
	if chosen == nil {
		return first, nil // findHeader refuses it, saying why
	}
	if len(read) > 1 {
		chosen.notes = append(chosen.notes, "the workbook has "+strconv.Itoa(len(read))+" sheets okrbot could read; only the first, "+quote(read[0])+", was read: import each of the others on its own")
	}
	return chosen, nil
}

// checkZip refuses a zip that is not a workbook or that inflates as no
// real workbook does.
func checkZip(zr *zip.Reader) error {
	if len(zr.File) > maxParts {
		return refuse(nil, "is a zip file of %d parts, more than any workbook has; it is not read", len(zr.File))
	}
	var total uint64
	types := false
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" {
			types = true
		}
		total += f.UncompressedSize64
		if total > maxUnzipped {
			return refuse(nil, "is a zip file that would unpack to more than %s, more than any real workbook; it is not read", sizeLabel(maxUnzipped))
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > maxRatio*max(f.CompressedSize64, 1) {
			return refuse(nil, "is a zip file whose part %s unpacks %d times larger than it is stored, as a zip bomb does and no real workbook; it is not read", quote(f.Name), f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
	}
	if !types {
		return refuse(nil, "is a zip file but not an Excel workbook (it has no [Content_Types].xml); a Viva Goals data export is imported as it is, a spreadsheet saved from Excel as .xlsx")
	}
	return nil
}

// sheetTable reads a sheet twice, as it shows (what people typed and see)
// and as stored (dates as serial numbers, percentages as fractions), so
// that values are read as meant whatever the cells' number format.
func sheetTable(f *excelize.File, name string, maxRows int) (*table, error) {
	shown, err := f.GetRows(name)
	if err != nil {
		return nil, xlsxRefusal(err, name)
	}
	if len(shown) > maxRows {
		return nil, tooManyRows(maxRows)
	}
	raw, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, xlsxRefusal(err, name)
	}
	t := &table{}
	for i, cells := range shown {
		r := row{n: i + 1, cells: cells}
		if i < len(raw) {
			r.raw = raw[i]
		}
		t.rows = append(t.rows, r)
	}
	return t, nil
}

func xlsxRefusal(err error, sheet string) error {
	return refuse(err, "is a workbook whose sheet %s can't be read; save it from Excel as .xlsx again", quote(sheet))
}

// quote puts what a cell says in a reason: on one line, and cut short
// when long, so that a reason stays a line.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return "\u201c" + s + "\u201d"
}
