package sheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// okrColumns are the template's columns as WriteOKRs writes them; Read
// reads them back (Progress % it leaves: okrbot computes progress).
var okrColumns = []string{"Ref", "Type", "Title", "Parent", "Owner", "Owner Email", "Team", "Cycle", "Cycle Start", "Cycle End",
	"Metric", "Unit", "Start", "Target", "Current", "Direction", "Weight", "Progress %", "Status", "Score", "Healthy Min", "Healthy Max"}

var checkInColumns = []string{"When", "Ref", "Title", "Author", "Author Email", "Value", "Previous", "Status", "Note", "Blockers"}

// bom opens the files written, so that Excel reads them as UTF-8.
const bom = "\ufeff"

// WriteOKRs writes one row per objective, key result, initiative and KPI
// of d in the template's columns (TEMPLATE.md): each objective, then its
// key results, each followed by its initiatives, then the KPIs. Refs are
// okrbot's own (O12, KR34, I7, KPI3), so the file can be edited and
// imported again. Statuses are as okrcore reads them at now.
func WriteOKRs(w io.Writer, d *transfer.Document, now time.Time) error {
	x := newExport(d)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write okrs: %w", err)
	}
	_ = cw.Write(okrColumns)
	krsOf := map[okrcore.ID][]*okrcore.KeyResult{}
	for _, k := range d.KeyResults {
		krsOf[k.Objective] = append(krsOf[k.Objective], k)
	}
	insOf := map[okrcore.ID][]*okrcore.Initiative{}
	for _, in := range d.Initiatives {
		insOf[in.KeyResult] = append(insOf[in.KeyResult], in)
	}
	written := map[okrcore.ID]bool{}
	writeKR := func(k *okrcore.KeyResult) {
		_ = cw.Write(x.keyResult(k, now))
		for _, in := range insOf[k.ID] {
			written[in.ID] = true
			_ = cw.Write(x.initiative(in))
		}
	}
	seenKR := map[okrcore.ID]bool{}
	for _, o := range d.Objectives {
		_ = cw.Write(x.objective(o, krsOf[o.ID], now))
		for _, k := range krsOf[o.ID] {
			seenKR[k.ID] = true
			writeKR(k)
		}
	}
	// A key result or an initiative whose parent the document lacks is
	// still written, so that nothing is silently left out.
	for _, k := range d.KeyResults {
		if !seenKR[k.ID] {
			writeKR(k)
		}
	}
	for _, in := range d.Initiatives {
		if !written[in.ID] {
			_ = cw.Write(x.initiative(in))
		}
	}
	for _, k := range d.KPIs {
		_ = cw.Write(x.kpi(k))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write okrs: %w", err)
	}
	return nil
}

// WriteCheckIns writes one row per check-in of d, in the order d holds
// them: when (UTC), the key result's or KPI's ref and title, the author,
// the value and the one before, the status and the note.
func WriteCheckIns(w io.Writer, d *transfer.Document) error {
	x := newExport(d)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write check-ins: %w", err)
	}
	_ = cw.Write(checkInColumns)
	for _, c := range d.CheckIns {
		ref, title := "", ""
		switch c.Target {
		case okrcore.TargetKR:
			ref = okrcore.Ref{Kind: okrcore.RefKeyResult, ID: c.TargetID}.String()
			if k := x.krs[c.TargetID]; k != nil {
				title = k.Title
			}
		case okrcore.TargetKPI:
			ref = okrcore.Ref{Kind: okrcore.RefKPI, ID: c.TargetID}.String()
			if k := x.kpis[c.TargetID]; k != nil {
				title = k.Title
			}
		}
		name, email := x.person(c.Author)
		_ = cw.Write([]string{c.At.UTC().Format(time.RFC3339), ref, safe(title), safe(name), safe(email),
			num(c.Value), num(c.Previous), statusText(c.Status), safe(c.Note), safe(c.Blockers)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write check-ins: %w", err)
	}
	return nil
}

// export indexes a document for its rows.
type export struct {
	d      *transfer.Document
	users  map[okrcore.ID]*okrcore.User
	teams  map[okrcore.ID]*okrcore.Team
	cycles map[okrcore.ID]*okrcore.Cycle
	objs   map[okrcore.ID]*okrcore.Objective
	krs    map[okrcore.ID]*okrcore.KeyResult
	kpis   map[okrcore.ID]*okrcore.KPI
	// teamOf is the team shown for a person's items: the one they lead,
	// else the first they belong to.
	teamOf map[okrcore.ID]*okrcore.Team
	rules  okrcore.Rules
}

func newExport(d *transfer.Document) *export {
	x := &export{d: d, users: map[okrcore.ID]*okrcore.User{}, teams: map[okrcore.ID]*okrcore.Team{}, cycles: map[okrcore.ID]*okrcore.Cycle{},
		objs: map[okrcore.ID]*okrcore.Objective{}, krs: map[okrcore.ID]*okrcore.KeyResult{}, kpis: map[okrcore.ID]*okrcore.KPI{}, teamOf: map[okrcore.ID]*okrcore.Team{}}
	if d.Workspace != nil {
		x.rules = d.Workspace.Rules
	}
	for _, u := range d.People {
		x.users[u.ID] = u
	}
	for _, t := range d.Teams {
		x.teams[t.ID] = t
		if t.Lead != 0 {
			x.teamOf[t.Lead] = t
		}
	}
	for _, t := range d.Teams {
		for _, m := range t.Members {
			if x.teamOf[m] == nil {
				x.teamOf[m] = t
			}
		}
	}
	for _, c := range d.Cycles {
		x.cycles[c.ID] = c
	}
	for _, o := range d.Objectives {
		x.objs[o.ID] = o
	}
	for _, k := range d.KeyResults {
		x.krs[k.ID] = k
	}
	for _, k := range d.KPIs {
		x.kpis[k.ID] = k
	}
	return x
}

// row is an empty row of okrColumns, with the columns every item has.
func (x *export) row(ref okrcore.Ref, kind transfer.ItemKind, title, parent string, owner okrcore.Owner) []string {
	r := make([]string, len(okrColumns))
	r[0], r[1], r[2], r[3] = ref.String(), string(kind), safe(title), parent
	switch owner.Kind {
	case okrcore.OwnerUser:
		r[4], r[5] = x.person(owner.ID)
		r[4], r[5] = safe(r[4]), safe(r[5])
		if t := x.teamOf[owner.ID]; t != nil {
			r[6] = safe(t.Name)
		}
	case okrcore.OwnerTeam:
		if t := x.teams[owner.ID]; t != nil {
			r[4], r[6] = safe("team:"+t.Name), safe(t.Name)
		}
	}
	return r
}

func (x *export) person(id okrcore.ID) (name, email string) {
	if u := x.users[id]; u != nil {
		return u.Name, u.Email
	}
	return "", ""
}

func (x *export) cycleCells(r []string, id okrcore.ID) *okrcore.Cycle {
	c := x.cycles[id]
	if c != nil {
		r[7], r[8], r[9] = safe(c.Name), c.Start.UTC().Format("2006-01-02"), c.End.UTC().AddDate(0, 0, -1).Format("2006-01-02")
	}
	return c
}

func (x *export) objective(o *okrcore.Objective, krs []*okrcore.KeyResult, now time.Time) []string {
	parent := ""
	switch {
	case o.ParentObjective != 0 && x.objs[o.ParentObjective] != nil:
		parent = okrcore.Ref{Kind: okrcore.RefObjective, ID: o.ParentObjective}.String()
	case o.ParentKR != 0 && x.krs[o.ParentKR] != nil:
		parent = okrcore.Ref{Kind: okrcore.RefKeyResult, ID: o.ParentKR}.String()
	}
	r := x.row(okrcore.Ref{Kind: okrcore.RefObjective, ID: o.ID}, transfer.ItemObjective, o.Title, parent, o.Owner)
	c := x.cycleCells(r, o.Cycle)
	if o.Weight != 0 {
		r[16] = num(o.Weight)
	}
	r[17] = percent(o.Progress)
	r[18] = statusText(okrcore.ObjectiveStanding(o, krs, c, now, x.rules).Status)
	r[19] = score(o.Score)
	return r
}

func (x *export) keyResult(k *okrcore.KeyResult, now time.Time) []string {
	r := x.row(okrcore.Ref{Kind: okrcore.RefKeyResult, ID: k.ID}, transfer.ItemKeyResult, k.Title,
		okrcore.Ref{Kind: okrcore.RefObjective, ID: k.Objective}.String(), k.Owner)
	c := x.cycleCells(r, k.Cycle)
	r[10], r[11], r[12], r[13], r[14], r[15] = string(k.Metric), safe(k.Unit), num(k.Start), num(k.Target), num(k.Current), string(k.Direction)
	r[16], r[17] = num(k.Weight), percent(k.Progress)
	r[18] = statusText(okrcore.KRStanding(k, c, now, x.rules).Status)
	r[19] = score(k.Score)
	return r
}

func (x *export) initiative(in *okrcore.Initiative) []string {
	var owner okrcore.Owner
	if in.Owner != 0 {
		owner = okrcore.UserOwner(in.Owner)
	}
	r := x.row(okrcore.Ref{Kind: okrcore.RefInitiative, ID: in.ID}, transfer.ItemInitiative, in.Title,
		okrcore.Ref{Kind: okrcore.RefKeyResult, ID: in.KeyResult}.String(), owner)
	if in.Done {
		r[18] = statusText(okrcore.StatusDone)
	}
	return r
}

func (x *export) kpi(k *okrcore.KPI) []string {
	r := x.row(okrcore.Ref{Kind: okrcore.RefKPI, ID: k.ID}, transfer.ItemKPI, k.Title, "", k.Owner)
	r[11], r[14], r[20], r[21] = safe(k.Unit), num(k.Current), num(k.HealthyMin), num(k.HealthyMax)
	return r
}

// num writes a number exactly, so that it reads back the same.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func percent(p float64) string {
	v := math.Round(p*1000) / 10
	if v == 0 {
		v = 0 // not "-0" for a key result a hair behind its start
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func score(s *float64) string {
	if s == nil {
		return ""
	}
	return num(*s)
}

func statusText(s okrcore.Status) string {
	if s == okrcore.StatusNone {
		return ""
	}
	return s.Label()
}

// safe keeps a spreadsheet from running text as a formula: a cell that
// starts with = + - @ or a tab gets an apostrophe first, which Excel
// hides and Read takes off again.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// unsafe takes off the apostrophe safe puts before a formula's sign.
func unsafe(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}
