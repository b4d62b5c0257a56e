package sheet

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/transfer"
)

// Sources name where a Programme's keys come from, so that an import
// remembers them apart (transfer matches a record by its key from an
// earlier import of the same source).
const (
	// SourceExplorer is the Viva Goals Explorer export, CSV or XLSX
	// alike: its Ids are Viva Goals' own, the same in either file, so a
	// workbook re-imported as CSV matches. It is not "vivagoals", the
	// data export's source: there people, teams and periods are keyed by
	// Viva Goals ids, here by address and name, and one key space must
	// not hold both; between the two, records match by title, owner and
	// cycle.
	SourceExplorer = "vivagoals-explorer"
	// SourcePeople is a people list; people are keyed by address.
	SourcePeople = "people"
)

// TemplateSource is the source of okrbot's template named name: the
// Refs are the file's own ("O1" in one team's sheet is not "O1" in
// another's), so the file's name, without folder or extension, is part of
// it; the same file imported again, as CSV or as XLSX, matches its rows by
// Ref, and a renamed one by title, owner and cycle.
func TemplateSource(name string) string {
	base := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	// Every spreadsheet extension goes ("plan.xlsx.csv" is plan too, as a
	// name given a format's extension on the way in is).
	for {
		ext := filepath.Ext(base)
		if !slices.Contains([]string{".csv", ".xlsx", ".xlsm", ".txt", ".tsv"}, strings.ToLower(ext)) {
			break
		}
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == "/" {
		base = ""
	}
	return "okrbot-sheet:" + strings.ToLower(strings.TrimSpace(base))
}

// reader turns a table into a Programme.
type reader struct {
	t        *table
	h        *header
	p        *transfer.Programme
	explorer bool
	order    dateOrder
	bad      []RowError
	rows     int // rows below the header with anything in them

	people  []*person
	byEmail map[string]*person
	byName  map[string][]*person
	teams   []*team
	byTeam  map[string]*team
	cycles  []*cycle
	byCycle map[string]*cycle
}

type person struct {
	name, email, tz string
	row             int
	used            bool
}

// key is a person's key: the address, which identifies them, else the
// name.
func (p *person) key() transfer.Key {
	if p.email != "" {
		return transfer.Key(p.email)
	}
	return transfer.Key("name:" + foldName(p.name))
}

type team struct {
	name    string
	row     int
	lead    *person
	leadRow int
	members []*person
	parent  *team
	used    bool
}

func (t *team) key() transfer.Key { return transfer.Key(foldName(t.name)) }

type cycle struct {
	key        string
	name       string
	start, end time.Time // end exclusive; zero when no row said
	row        int
	widened    bool
	used       bool
}

func newReader(t *table, h *header) *reader {
	r := &reader{t: t, h: h, p: &transfer.Programme{},
		byEmail: map[string]*person{}, byName: map[string][]*person{},
		byTeam: map[string]*team{}, byCycle: map[string]*cycle{}}
	for _, n := range t.notes {
		r.p.Warnings = append(r.p.Warnings, transfer.Warning{Message: n})
	}
	if len(h.unknown) > 0 {
		r.warn(t.rows[h.row].n, "okrbot does not read the column%s %s; %s left out", pluralS(len(h.unknown)), strings.Join(h.unknown, ", "), itThey(len(h.unknown)))
	}
	if len(h.ignored) > 0 {
		r.warn(t.rows[h.row].n, "okrbot has no place for the column%s %s; %s left out", pluralS(len(h.ignored)), strings.Join(h.ignored, ", "), itThey(len(h.ignored)))
	}
	return r
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func itThey(n int) string {
	if n == 1 {
		return "it is"
	}
	return "they are"
}

func (r *reader) warn(row int, format string, args ...any) {
	r.p.Warnings = append(r.p.Warnings, transfer.Warning{Record: rowName(row), Message: fmt.Sprintf(format, args...)})
}

func (r *reader) fail(row int, reason string) {
	r.bad = append(r.bad, RowError{Row: row, Reason: reason})
}

// body is the rows below the header.
func (r *reader) body() []row { return r.t.rows[r.h.row+1:] }

// text is the cell of field f.
func (r *reader) text(x row, f field) string { return x.cell(r.h.col(f)) }

// colName is the column of f as the header writes it.
func (r *reader) colName(f field) string { return r.h.names[f] }

// num reads the number in the column of f; has is false for an empty
// cell, reason says why a cell is not a number.
func (r *reader) num(x row, f field) (n number, has bool, reason string) {
	s := r.text(x, f)
	if s == "" {
		return number{}, false, ""
	}
	if raw := x.rawCell(r.h.col(f)); raw != "" && raw != s {
		// A workbook stores 45% as 0.45 and shows what its format says.
		if v, err := strconv.ParseFloat(raw, 64); err == nil {
			if strings.HasSuffix(s, "%") {
				return number{v: v * 100, percent: true}, true, ""
			}
			return number{v: v}, true, ""
		}
	}
	n, ok := parseNumber(s, r.t.decimalComma)
	if ok {
		return n, true, ""
	}
	reason = fmt.Sprintf("%s says %s, which is not a number", r.colName(f), quote(s))
	if !r.t.decimalComma && strings.Contains(s, ",") {
		reason += " (the file is separated by commas, so decimals are written with a point: 12.5)"
	}
	return number{}, true, reason
}

// date reads the date in the column of f.
func (r *reader) date(x row, f field) (d time.Time, has bool, reason string) {
	s := r.text(x, f)
	if s == "" {
		return time.Time{}, false, ""
	}
	d, ok := parseDate(s, x.rawCell(r.h.col(f)), r.t, r.order)
	if !ok {
		return time.Time{}, true, fmt.Sprintf("%s says %s, which is not a date (write it as 2026-03-31)", r.colName(f), quote(s))
	}
	return d, true, ""
}

// address reads an e-mail address ("ana@example.com", "Ana <ana@…>").
func address(s string) (name, email string, ok bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || strings.Count(a.Address, "@") != 1 {
		return "", "", false
	}
	return a.Name, strings.ToLower(a.Address), true
}

func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// person finds or adds the person a row names by name, address or both.
// A name alone is the person of that name already met; an address joins a
// person met by name only.
func (r *reader) person(name, email string, row int) (*person, string) {
	name = strings.Join(strings.Fields(name), " ")
	fn := foldName(name)
	if email != "" {
		if p := r.byEmail[email]; p != nil {
			if p.name == "" {
				p.name = name
				r.byName[fn] = append(r.byName[fn], p)
			}
			return p, ""
		}
		if ps := r.byName[fn]; fn != "" && len(ps) == 1 && ps[0].email == "" {
			ps[0].email = email
			r.byEmail[email] = ps[0]
			return ps[0], ""
		}
	} else if ps := r.byName[fn]; len(ps) > 0 {
		if len(ps) > 1 {
			return ps[0], fmt.Sprintf("%s is the name of %d people in the file; the first, %s, is taken: give the address to say which", quote(name), len(ps), orName(ps[0].email, "of row "+strconv.Itoa(ps[0].row)))
		}
		return ps[0], ""
	}
	p := &person{name: name, email: email, row: row}
	r.people = append(r.people, p)
	if email != "" {
		r.byEmail[email] = p
	}
	if fn != "" {
		r.byName[fn] = append(r.byName[fn], p)
	}
	return p, ""
}

func (r *reader) team(name string, row int) *team {
	name = strings.Join(strings.Fields(name), " ")
	k := foldName(name)
	if t := r.byTeam[k]; t != nil {
		return t
	}
	t := &team{name: name, row: row}
	r.teams = append(r.teams, t)
	r.byTeam[k] = t
	return t
}

// emitPeople adds the people and teams that are used to the programme, in
// the order the file first names them.
func (r *reader) emitPeople() {
	for _, p := range r.people {
		if p.used {
			r.p.People = append(r.p.People, transfer.Person{Key: p.key(), Name: p.name, Email: p.email, TimeZone: p.tz, Record: rowName(p.row)})
		}
	}
	for _, t := range r.teams {
		if !t.used {
			continue
		}
		out := transfer.Team{Key: t.key(), Name: t.name, Record: rowName(t.row)}
		if t.lead != nil {
			out.Lead = t.lead.key()
		}
		if t.parent != nil && t.parent.used {
			out.Parent = t.parent.key()
		}
		for _, m := range t.members {
			out.Members = append(out.Members, m.key())
		}
		r.p.Teams = append(r.p.Teams, out)
	}
}
