package transfercmd

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/sheet"
	"github.com/okrbot/okrbot/transfer/vivagoals"
)

// sniffBytes is how much of a file detectFormat reads when it is not a
// zip: enough for a BOM, some white space and the export's first key, and
// for a CSV's header row to show it is text.
const sniffBytes = 4096

// detectFormat finds what a file to import is from its content: a zip
// with [Content_Types].xml is an Excel workbook, another zip a Viva Goals
// data export, JSON that starts with okrbot's format key okrbot's export,
// other text a CSV. Anything else is refused with a sentence.
func detectFormat(r io.ReaderAt, size int64) (string, error) {
	head := make([]byte, min(size, sniffBytes))
	if n, err := r.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && n == len(head)) {
		return "", fmt.Errorf("cannot be read: %w", err)
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")) {
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return "", errors.New("starts like a zip file but cannot be read as one: it may have been cut short on its way; download or copy it again")
		}
		for _, f := range zr.File {
			if f.Name == "[Content_Types].xml" {
				return FormatXLSX, nil
			}
		}
		return FormatVivaGoals, nil
	}
	text := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	text = bytes.TrimLeft(text, " \t\r\n")
	if len(text) == 0 {
		return "", errors.New("holds nothing but white space: there is nothing to import")
	}
	if text[0] == '{' || text[0] == '[' {
		if isOkrbotExport(text) {
			return FormatOkrbot, nil
		}
		return "", errors.New(`is JSON but not an okrbot export (which starts with "format": "okrbot-export"); a Viva Goals export is the .zip it downloads, not a file from inside it`)
	}
	if !looksLikeText(head, size > int64(len(head))) {
		return "", errors.New("is not a file okrbot can import: give a Viva Goals export (.zip), a spreadsheet (.xlsx or .csv) or an okrbot export (.json)")
	}
	return FormatCSV, nil
}

// isOkrbotExport reports whether JSON text opens with okrbot's format key.
func isOkrbotExport(text []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(text))
	for _, want := range []any{json.Delim('{'), "format", transfer.DocumentFormat} {
		tok, err := dec.Token()
		if err != nil || tok != want {
			return false
		}
	}
	return true
}

// looksLikeText: no NUL byte and valid UTF-8 (a character cut at the end
// of a longer file's head is forgiven).
func looksLikeText(head []byte, cut bool) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	if cut {
		for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
			head = head[:len(head)-1]
		}
	}
	return utf8.Valid(head)
}

// formatName says a format for people.
func formatName(format string) string {
	switch format {
	case FormatVivaGoals:
		return "a Viva Goals data export"
	case FormatOkrbot:
		return "an okrbot export"
	case FormatCSV:
		return "a CSV spreadsheet"
	case FormatXLSX:
		return "an Excel workbook"
	}
	return format
}

// readSource reads the file to import in the format req names.
func readSource(req Request, r io.ReaderAt) (transfer.Source, error) {
	switch req.Format {
	case FormatVivaGoals:
		p, err := vivagoals.Read(r, req.Size, vivagoals.DefaultLimits())
		if err != nil {
			return nil, refusedFile(req.Name, err)
		}
		return p, nil
	case FormatCSV, FormatXLSX:
		// The reader tells CSV from a workbook by the content, as
		// detectFormat does; the name is the source of a template's keys.
		p, err := sheet.Read(req.Name, r, req.Size, sheet.Options{SkipBadRows: req.SkipBadRows})
		if err != nil {
			return nil, refusedSheet(req.Name, err)
		}
		return p, nil
	case FormatOkrbot:
		d, err := transfer.ReadDocument(io.NewSectionReader(r, 0, req.Size), req.MaxBytes)
		if err != nil {
			return nil, refusedFile(req.Name, err)
		}
		return d, nil
	}
	return nil, fmt.Errorf("okrbot import does not read the format %q", req.Format)
}

// refusedFile is the line a file the reader refused ends the import with:
// the reader's sentence when it has one for people.
func refusedFile(name string, err error) error {
	if msg := okrcore.ErrorMessage(err); msg != "" {
		return errors.New(name + ": " + sentence(msg) + " Nothing was imported.")
	}
	return fmt.Errorf("%s could not be read, nothing was imported: %w", name, err)
}

// refusedSheet is the line a spreadsheet the reader refused ends the
// import with: its reasons are said of the file ("okrs.csv has a header
// row but no rows below it"), its bad rows listed with their numbers.
func refusedSheet(name string, err error) error {
	var bad *sheet.BadRowsError
	if errors.As(err, &bad) {
		return errors.New(name + ": " + sentence(bad.Error()) + " Nothing was imported.")
	}
	return errors.New(name + " " + sentence(err.Error()) + " Nothing was imported.")
}

// sentence ends msg with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if strings.HasSuffix(msg, ".") || strings.HasSuffix(msg, "?") || strings.HasSuffix(msg, "!") {
		return msg
	}
	return msg + "."
}
