// Package vivagoals reads a Viva Goals data export into a
// transfer.Programme.
//
// The export is a zip of JSON files, each a list of records, whose names
// say what they hold: TimePeriods, Users, Teams, objectives and checkins,
// possibly inside a folder. The zip comes from a person's upload, so it is
// read as untrusted: its size, its number of entries, the bytes it
// inflates to (counted as they come, not as its headers claim), the
// compression ratio and the size of any one record are bounded, its paths
// must stay inside the archive, and every refusal is one sentence for the
// person who chose the file.
package vivagoals

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// Source is the Programme.Source of what Read returns.
const Source = "vivagoals"

// Limits bound what Read accepts. A zero field means no bound.
type Limits struct {
	// MaxFileBytes is the largest zip accepted.
	MaxFileBytes int64
	// MaxUncompressedBytes bounds the bytes all entries inflate to,
	// counted while reading.
	MaxUncompressedBytes int64
	// MaxRatio bounds an entry's inflated bytes over its compressed
	// bytes, once it has inflated past a few megabytes (small files of
	// repeated text compress well and are harmless).
	MaxRatio float64
	// MaxEntries bounds the files and folders in the zip.
	MaxEntries int
	// MaxRecordBytes bounds one record (one element of a file's list),
	// which the JSON decoder holds whole while it reads it.
	MaxRecordBytes int64
}

// DefaultLimits are far above a real export of 50,000 people and
// their history (the benchmark's export of 10,000 people with 1.3
// million check-ins is 43 MB zipped and 505 MB inflated, a ratio near
// 12) and far below what a zip bomb inflates to: deflate's best ratio is
// about 1,000, and no JSON export comes near 100.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:         4 << 30,
		MaxUncompressedBytes: 32 << 30,
		MaxRatio:             100,
		MaxEntries:           10_000,
		MaxRecordBytes:       64 << 20,
	}
}

// ratioFloor is how far an entry inflates before MaxRatio applies.
const ratioFloor = 4 << 20

// kind is what one file of the export holds; kinds are read in this order,
// each needing the ones before it.
type kind int

const (
	kindUsers kind = iota
	kindTeams
	kindPeriods
	kindObjectives
	kindCheckIns
	kindCount
)

// String is the word in a file's name that says what it holds.
func (k kind) String() string {
	switch k {
	case kindUsers:
		return "Users"
	case kindTeams:
		return "Teams"
	case kindPeriods:
		return "TimePeriods"
	case kindObjectives:
		return "objectives"
	}
	return "checkins"
}

// Read reads the Viva Goals export of size bytes in r. A file it refuses
// is an *okrcore.Error whose Message says why in one sentence. The
// Programme's check-ins are read from r again, by its History, so r must
// stay readable while the Programme is used.
func Read(r io.ReaderAt, size int64, lim Limits) (*transfer.Programme, error) {
	if lim.MaxFileBytes > 0 && size > lim.MaxFileBytes {
		return nil, refuse(nil, "The file is %s, larger than the %s an import accepts.", megabytes(size), megabytes(lim.MaxFileBytes))
	}
	zr, err := openZip(r, size, lim)
	if err != nil {
		return nil, err
	}
	files, err := classify(zr)
	if err != nil {
		return nil, err
	}
	rd := newReader(lim)
	rd.size = size
	var before int64 // the bytes inflated before the check-ins
	for k := range kindCount {
		if k == kindCheckIns {
			before = rd.inflated
		}
		for _, f := range files[k] {
			if err := rd.readFile(k, f); err != nil {
				return nil, err
			}
		}
		if k == kindObjectives {
			rd.resolveItems()
		}
	}
	rd.ordered = nil
	rd.prog.HistoryLen = rd.kept
	checkins := files[kindCheckIns]
	// The check-ins are read again from the zip when they are planned
	// rather than held: a million of them would be most of the memory an
	// import takes. Not safe for two readings at once; the import makes
	// one at a time.
	rd.prog.History = func(yield func(*transfer.CheckIn) bool) error {
		rd.again()
		rd.inflated, rd.emit = before, yield
		defer func() { rd.emit = nil }()
		for _, f := range checkins {
			if err := rd.readFile(kindCheckIns, f); errors.Is(err, errEnough) {
				return nil
			} else if err != nil {
				return err
			}
		}
		return nil
	}
	if len(files[kindTeams]) == 0 {
		rd.warn("", "The export has no Teams file, so no teams are imported.")
	}
	if len(files[kindCheckIns]) == 0 {
		rd.warn("", "The export has no checkins file, so no check-in history is imported.")
	}
	return rd.finish(), nil
}

// openZip opens r as a zip, telling a file that is no zip at all from a
// zip that was cut short, and refuses one with too many entries or a path
// that leaves the archive.
func openZip(r io.ReaderAt, size int64, lim Limits) (*zip.Reader, error) {
	head := make([]byte, 4)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	isZip := bytes.Equal(head, []byte("PK\x03\x04")) || bytes.Equal(head, []byte("PK\x05\x06"))
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if !isZip {
			return nil, refuse(err, "This file is not a zip archive; a Viva Goals data export is the .zip file its export downloads.")
		}
		return nil, refuse(err, "This zip file is cut short or damaged (its table of contents is missing); download the export again.")
	}
	if lim.MaxEntries > 0 && len(zr.File) > lim.MaxEntries {
		return nil, refuse(nil, "The zip holds %d files, more than the %d a Viva Goals export could hold.", len(zr.File), lim.MaxEntries)
	}
	for _, f := range zr.File {
		if reason := escapes(f.Name); reason != "" {
			return nil, refuse(nil, "The zip holds a file whose path %s (%q), so it is not read.", reason, clip(f.Name, 80))
		}
	}
	return zr, nil
}

// escapes says how a path inside the zip would leave it, or "".
func escapes(name string) string {
	switch {
	case strings.Contains(name, `\`):
		return "contains a backslash"
	case strings.HasPrefix(name, "/"):
		return "is absolute"
	case len(name) >= 2 && name[1] == ':':
		return "names a drive"
	case strings.ContainsRune(name, 0):
		return "contains a NUL byte"
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "climbs out of the archive with .."
		}
	}
	return ""
}

// classify sorts the zip's JSON files by what they hold, in name order,
// and refuses an export that lacks one it cannot do without.
func classify(zr *zip.Reader) ([kindCount][]*zip.File, error) {
	var files [kindCount][]*zip.File
	for _, f := range zr.File {
		if k, ok := fileKind(f.Name); ok && !f.FileInfo().IsDir() {
			files[k] = append(files[k], f)
		}
	}
	var missing []string
	for _, k := range []kind{kindUsers, kindPeriods, kindObjectives} {
		if len(files[k]) == 0 {
			missing = append(missing, k.String())
		}
	}
	if len(missing) > 0 {
		return files, refuse(nil, "This zip is not a Viva Goals data export: it has no %s file (an export holds .json files named TimePeriods, Users, Teams, objectives and checkins).", strings.Join(missing, ", "))
	}
	for k := range files {
		slices.SortFunc(files[k], func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	}
	return files, nil
}

// fileKind reads what a file holds from its name. Copies a Mac leaves in
// __MACOSX or as ._ files are not the export's.
func fileKind(name string) (kind, bool) {
	base := path.Base(name)
	if !strings.HasSuffix(strings.ToLower(base), ".json") || strings.HasPrefix(base, "._") || strings.HasPrefix(name, "__MACOSX/") {
		return 0, false
	}
	w := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(base))
	switch {
	case strings.Contains(w, "checkin"):
		return kindCheckIns, true
	case strings.Contains(w, "objective"):
		return kindObjectives, true
	case strings.Contains(w, "timeperiod"):
		return kindPeriods, true
	case strings.Contains(w, "team"):
		return kindTeams, true
	case strings.Contains(w, "user"):
		return kindUsers, true
	}
	return 0, false
}

// refuse is a refusal of the file: a sentence for the person, and the
// cause for the log.
func refuse(cause error, format string, args ...any) error {
	e := okrcore.Errorf(okrcore.KindInvalid, format, args...)
	e.Op = "read viva goals export"
	e.Err = cause
	return e
}

// errLimit is a bound of Limits that reading reached; its message is for
// people.
type errLimit struct{ msg string }

func (e *errLimit) Error() string { return e.msg }

func megabytes(n int64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}
