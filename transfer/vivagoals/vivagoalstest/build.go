// Package vivagoalstest writes Viva Goals data exports for tests: a small
// realistic one whose every record is known (see fixture.go), the same
// with a large generated organisation added for benchmarks, and the bad
// files an import must refuse.
package vivagoalstest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
)

// Spec says what Build writes. The zero Spec is the realistic export
// alone; the counts add a generated organisation to it (People 10,000,
// Objectives 30,000, KeyResults 100,000 and CheckInsPerKR 13 is the
// benchmark's: 1.3 million weekly check-ins of one quarter).
type Spec struct {
	// Seed varies the generated values; the same Spec writes the same
	// bytes.
	Seed uint64
	// People, Objectives and KeyResults are generated besides the
	// realistic records; Teams come one for every 20 people.
	People, Objectives, KeyResults int
	// Projects are generated initiatives, each under a key result.
	Projects int
	// CheckInsPerKR weekly check-ins are generated for every generated
	// key result, from Monday 7 July 2025.
	CheckInsPerKR int
	// Folder is the folder of the zip the files are in.
	Folder string
	// Fault makes the file one an import must refuse.
	Fault Fault
}

// Fault is a way for an export to be bad.
type Fault int

const (
	// NoFault writes a good export.
	NoFault Fault = iota
	// NotZip writes a CSV file.
	NotZip
	// Truncated writes the first half of the export's bytes.
	Truncated
	// EscapingPath adds a file at ../escaped/objectives.json.
	EscapingPath
	// MissingFile leaves out objectives.json.
	MissingFile
	// MalformedJSON writes an objectives.json that breaks off JSON at
	// line 3, column 10 (MalformedLine, MalformedColumn).
	MalformedJSON
	// ZipBomb writes a checkins.json of 64 MiB of spaces, which deflate
	// packs about a thousand times.
	ZipBomb
)

// Where MalformedJSON's objectives.json goes wrong.
const (
	MalformedLine   = 3
	MalformedColumn = 10
)

// Totals is what a good export of a Spec holds, as the reader should
// count it: people include the owner who left, key results include the
// project directly under an objective, and check-ins only those the reader
// keeps.
type Totals struct {
	People, Teams, Cycles               int
	Objectives, KeyResults, Initiatives int
	CheckIns                            int
}

// Totals counts what s's export holds.
func (s Spec) Totals() Totals {
	t := fixtureTotals()
	t.People += s.People
	t.Teams += s.teams()
	t.Objectives += s.Objectives
	t.KeyResults += s.KeyResults
	t.Initiatives += s.Projects
	if s.KeyResults > 0 {
		t.CheckIns += s.KeyResults * s.CheckInsPerKR
	}
	return t
}

func (s Spec) teams() int {
	if s.People == 0 {
		return 0
	}
	return max(1, s.People/20)
}

// Build writes the export s describes to w.
func Build(w io.Writer, s Spec) error {
	switch s.Fault {
	case NotZip:
		_, err := io.WriteString(w, "Title,Owner,Progress\nGrow revenue,Ana,40\n")
		return err
	case Truncated:
		var buf bytes.Buffer
		good := s
		good.Fault = NoFault
		if err := Build(&buf, good); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes()[:buf.Len()/2])
		return err
	}
	folder := s.Folder
	if folder == "" {
		folder = "Viva Goals export"
	}
	folder = strings.TrimSuffix(folder, "/") + "/"
	zw := zip.NewWriter(w)
	if s.People+s.KeyResults > 0 {
		// The large export would take minutes at the default level.
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
	}
	g := newGen(s)
	files := []struct {
		name  string
		write func(*listWriter) error
	}{
		{"TimePeriods.json", g.periodsFile},
		{"Users.json", g.usersFile},
		{"Teams.json", g.teamsFile},
		{"objectives.json", g.objectivesFile},
		{"checkins.json", g.checkInsFile},
	}
	for _, f := range files {
		switch {
		case s.Fault == MissingFile && f.name == "objectives.json":
			continue
		case s.Fault == MalformedJSON && f.name == "objectives.json":
			if err := writeRaw(zw, folder+f.name, "[\n{\"ID\": 1, \"Title\": \"A\"},\n{\"ID\": 2 \"Title\": \"B\"}\n]\n"); err != nil {
				return err
			}
			continue
		case s.Fault == ZipBomb && f.name == "checkins.json":
			if err := writeBomb(zw, folder+f.name); err != nil {
				return err
			}
			continue
		}
		fw, err := zw.Create(folder + f.name)
		if err != nil {
			return fmt.Errorf("create %s: %w", f.name, err)
		}
		lw := &listWriter{w: fw}
		if err := f.write(lw); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
		if err := lw.end(); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if s.Fault == EscapingPath {
		if err := writeRaw(zw, "../escaped/objectives.json", "[]"); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("close zip: %w", err)
	}
	return nil
}

func writeRaw(zw *zip.Writer, name, body string) error {
	fw, err := zw.Create(name)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if _, err := io.WriteString(fw, body); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

func writeBomb(zw *zip.Writer, name string) error {
	fw, err := zw.Create(name)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	spaces := bytes.Repeat([]byte{' '}, 1<<20)
	if _, err := fw.Write([]byte{'['}); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	for range 64 {
		if _, err := fw.Write(spaces); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if _, err := fw.Write([]byte{']'}); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// listWriter writes one file's list, a record a line, as the export did.
type listWriter struct {
	w   io.Writer
	o   obj
	n   int
	err error
}

// add writes the record o holds and empties o.
func (l *listWriter) add() {
	if l.err != nil {
		return
	}
	prefix := ",\n"
	if l.n == 0 {
		prefix = "[\n"
	}
	l.n++
	if _, err := io.WriteString(l.w, prefix); err != nil {
		l.err = err
		return
	}
	_, l.err = l.w.Write(l.o.b)
	l.o.b = l.o.b[:0]
}

func (l *listWriter) end() error {
	if l.err != nil {
		return l.err
	}
	end := "\n]\n"
	if l.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(l.w, end)
	return err
}
