package document

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// refuse is a document refused for a reason people can read.
func refuse(cause error, format string, args ...any) error {
	e := okrcore.Errorf(okrcore.KindInvalid, format, args...)
	e.Op, e.Err = "read document", cause
	return e
}

// Read reads okrbot's export. It refuses, with one sentence, what
// is not one: another format, a newer version, JSON that is malformed or
// cut off, a field it does not know (which it would otherwise drop), a
// file over maxBytes (no limit when maxBytes <= 0). The format and version
// must come first, as Write writes them, so that another file is refused
// before it is read through.
func Read(r io.Reader, maxBytes int64) (*Document, error) {
	lr := &io.LimitedReader{R: r, N: maxBytes + 1}
	if maxBytes <= 0 {
		lr.N = math.MaxInt64
	}
	d := &docReader{dec: json.NewDecoder(bufio.NewReaderSize(lr, 64<<10)), strs: map[string]string{}}
	d.dec.DisallowUnknownFields()
	doc, err := d.read()
	if lr.N <= 0 { // the read went past the limit, whatever it made of it
		return nil, refuse(err, "The file is larger than the limit of %s; raise the limit if it is a real export.", sizeLabel(maxBytes))
	}
	if err != nil {
		return nil, d.explain(err)
	}
	return doc, nil
}

type docReader struct {
	dec  *json.Decoder
	what string // what was being read, for the reason of a refusal,
	// unless it was record n of a list of items
	item string
	n    int
	// strs shares the strings that repeat in every record (the workspace,
	// a check-in's target kind, statuses) so that a large history holds
	// one copy of each.
	strs map[string]string
}

func (d *docReader) read() (*Document, error) {
	if err := d.delim('{', "the start of the export"); err != nil {
		return nil, err
	}
	doc := &Document{}
	seen := map[string]bool{}
	for i := 0; d.dec.More(); i++ {
		d.what = "a field name"
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, refuse(nil, "The export names %q twice.", name)
		}
		seen[name] = true
		if err := d.header(i, name, doc); err != nil {
			return nil, err
		}
		if i >= 2 {
			if err := d.field(name, doc); err != nil {
				return nil, err
			}
		}
	}
	if err := d.delim('}', "the end of the export"); err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, refuse(err, "There is something after the end of the export; the file holds more than one export or was changed by hand.")
	}
	if doc.Workspace == nil {
		return nil, refuse(nil, "The export holds no workspace; it is not a whole okrbot export.")
	}
	return doc, nil
}

// header reads format and version, the first two fields.
func (d *docReader) header(i int, name string, doc *Document) error {
	switch {
	case i == 0 && name == "format":
		d.what = "the format"
		if err := d.dec.Decode(&doc.Format); err != nil {
			return err
		}
		if doc.Format != Format {
			return refuse(nil, "This is not an okrbot export: its format is %q, not %q.", doc.Format, Format)
		}
	case i == 0:
		return refuse(nil, "This is not an okrbot export: it does not start with the okrbot export format.")
	case i == 1 && name == "version":
		d.what = "the version"
		if err := d.dec.Decode(&doc.Version); err != nil {
			return err
		}
		if doc.Version > Version {
			return refuse(nil, "This export is version %d, newer than this okrbot reads (up to version %d); upgrade okrbot to import it.", doc.Version, Version)
		}
		if doc.Version < 1 {
			return refuse(nil, "This export says it is version %d; okrbot exports start at version 1.", doc.Version)
		}
	case i == 1:
		return refuse(nil, "This okrbot export does not say its version after its format.")
	}
	return nil
}

func (d *docReader) field(name string, doc *Document) error {
	switch name {
	case "workspace":
		d.what = "the workspace"
		if err := d.dec.Decode(&doc.Workspace); err != nil {
			return err
		}
		if doc.Workspace != nil {
			doc.Workspace.ID = d.str(doc.Workspace.ID)
		}
		return nil
	case "cycle":
		d.what = "the cycle"
		return d.dec.Decode(&doc.Cycle)
	case "people":
		return readList(d, "person", &doc.People, func(u *okrcore.User) {
			u.Workspace, u.Platform, u.TimeZone, u.Role = d.str(u.Workspace), d.str(u.Platform), d.str(u.TimeZone), okrcore.Role(d.str(string(u.Role)))
		})
	case "teams":
		return readList(d, "team", &doc.Teams, func(t *okrcore.Team) { t.Workspace = d.str(t.Workspace) })
	case "cycles":
		return readList(d, "cycle", &doc.Cycles, func(c *okrcore.Cycle) { c.Workspace = d.str(c.Workspace) })
	case "objectives":
		return readList(d, "objective", &doc.Objectives, func(o *okrcore.Objective) { o.Workspace = d.str(o.Workspace) })
	case "key_results":
		return readList(d, "key result", &doc.KeyResults, func(k *okrcore.KeyResult) { k.Workspace, k.Unit = d.str(k.Workspace), d.str(k.Unit) })
	case "kpis":
		return readList(d, "KPI", &doc.KPIs, func(k *okrcore.KPI) { k.Workspace = d.str(k.Workspace) })
	case "initiatives":
		return readList(d, "initiative", &doc.Initiatives, func(i *okrcore.Initiative) { i.Workspace = d.str(i.Workspace) })
	case "check_ins":
		return readList(d, "check-in", &doc.CheckIns, func(c *okrcore.CheckIn) {
			c.Workspace, c.Target, c.Status = d.str(c.Workspace), okrcore.TargetKind(d.str(string(c.Target))), okrcore.Status(d.str(string(c.Status)))
			c.Note, c.Blockers = d.str(c.Note), d.str(c.Blockers)
		})
	}
	return refuse(nil, "The export has a field this okrbot does not know (%q); it may come from a newer okrbot.", name)
}

// maxShared bounds the strings shared, so that a file of distinct notes
// does not keep a second map of them.
const maxShared = 1 << 12

func (d *docReader) str(s string) string {
	if v, ok := d.strs[s]; ok {
		return v
	}
	if len(d.strs) < maxShared && len(s) <= 64 {
		d.strs[s] = s
	}
	return s
}

func readList[T any](d *docReader, what string, out *[]*T, share func(*T)) error {
	if err := d.delim('[', "the list of "+what+" records"); err != nil {
		return err
	}
	var slab []T // records are allocated a thousand at a time: fewer, rounder objects
	for n := 1; d.dec.More(); n++ {
		d.item, d.n = what, n
		if len(slab) == 0 {
			slab = make([]T, 1024)
		}
		rec := &slab[0]
		slab = slab[1:]
		if err := d.dec.Decode(rec); err != nil {
			return err
		}
		share(rec)
		*out = append(*out, rec)
	}
	d.n = 0
	return d.delim(']', "the end of the list of "+what+" records")
}

func (d *docReader) delim(want json.Delim, what string) error {
	d.what = what
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		if want == '{' {
			return refuse(nil, "This is not an okrbot export: it is JSON, but not an object.")
		}
		return refuse(nil, "The export is not laid out as okrbot writes it: %s is missing.", what)
	}
	return nil
}

// explain turns what went wrong into one sentence.
func (d *docReader) explain(err error) error {
	where := d.what
	if d.n > 0 {
		where = fmt.Sprintf("%s number %d", d.item, d.n)
	}
	var ce *okrcore.Error
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return refuse(err, "The export is cut off in %s; the file is incomplete (was it copied whole?).", where)
	case errors.As(err, &syn):
		if d.dec.InputOffset() == 0 || strings.HasPrefix(d.what, "the start") && d.n == 0 {
			return refuse(err, "This is not an okrbot export: it is not JSON.")
		}
		return refuse(err, "The export is not valid JSON in %s (near byte %d).", where, syn.Offset)
	case errors.As(err, &typ):
		return refuse(err, "In %s, %q holds a value of the wrong kind (%s where %s belongs).", where, typ.Field, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return refuse(err, "In %s, the field %s is one this okrbot does not know; it may come from a newer okrbot.", where, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return refuse(err, "The export could not be read in %s.", where)
}

func sizeLabel(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
