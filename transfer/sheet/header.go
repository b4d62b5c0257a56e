package sheet

import (
	"strings"
	"unicode"
)

// field is what a column holds.
type field int

const (
	fNone field = iota
	fRef
	fType
	fTitle
	fParent
	fOwner
	fOwnerEmail
	fTeam
	fCycle
	fCycleStart
	fCycleEnd
	fMetric
	fUnit
	fStart
	fTarget
	fCurrent
	fDirection
	fWeight
	fStatus
	fProgress
	fScore
	fHealthyMin
	fHealthyMax
	fName
	fEmail
	fLead
	fTimeZone
	fParentTeam
	// fIgnored are columns okrbot knows and has no place for
	// (Description, Goal Type): named once in a warning.
	fIgnored
)

// Column names are compared folded: lower case, letters and digits only,
// so "Progress (%)", "progress %" and "Progress" are one name.
var itemColumns = map[string]field{
	"ref": fRef, "reference": fRef, "id": fRef, "key": fRef,
	"type": fType, "objecttype": fType, "kind": fType, "itemtype": fType,
	"title": fTitle, "objective": fTitle, "goal": fTitle,
	"parent": fParent, "parentref": fParent, "alignedto": fParent, "alignsto": fParent, "alignment": fParent, "parentid": fParent,
	"owner": fOwner, "owners": fOwner, "ownername": fOwner,
	"owneremail": fOwnerEmail, "owneremailaddress": fOwnerEmail, "email": fOwnerEmail, "emailaddress": fOwnerEmail,
	"team": fTeam, "teams": fTeam, "teamname": fTeam,
	"cycle": fCycle, "period": fCycle, "timeperiod": fCycle, "quarter": fCycle,
	"cyclestart": fCycleStart, "startdate": fCycleStart, "periodstart": fCycleStart,
	"cycleend": fCycleEnd, "enddate": fCycleEnd, "periodend": fCycleEnd, "duedate": fCycleEnd,
	"metric": fMetric, "metrictype": fMetric, "measure": fMetric, "outcometype": fMetric,
	"unit": fUnit, "units": fUnit, "metricunit": fUnit,
	"start": fStart, "startvalue": fStart, "baseline": fStart, "initialvalue": fStart,
	"target": fTarget, "targetvalue": fTarget,
	"current": fCurrent, "currentvalue": fCurrent, "value": fCurrent, "actual": fCurrent,
	"direction": fDirection, "targettype": fDirection,
	"weight":   fWeight,
	"status":   fStatus,
	"progress": fProgress, "progresspercent": fProgress, "progresspct": fProgress,
	"score":      fScore,
	"healthymin": fHealthyMin, "healthylow": fHealthyMin, "healthyfrom": fHealthyMin,
	"healthymax": fHealthyMax, "healthyhigh": fHealthyMax, "healthyto": fHealthyMax,
	"description": fIgnored, "goaltype": fIgnored, "note": fIgnored, "notes": fIgnored,
}

var peopleColumns = map[string]field{
	"name": fName, "fullname": fName, "displayname": fName, "person": fName,
	"email": fEmail, "emailaddress": fEmail, "mail": fEmail, "workemail": fEmail,
	"team": fTeam, "teamname": fTeam,
	"lead": fLead, "teamlead": fLead, "islead": fLead, "leads": fLead, "manager": fLead,
	"timezone": fTimeZone, "tz": fTimeZone, "zone": fTimeZone,
	"parentteam": fParentTeam,
}

// sheetKind is which kind of sheet a header says.
type sheetKind int

const (
	kindTemplate sheetKind = iota
	kindExplorer
	kindPeople
)

// header is a sheet's header row, read.
type header struct {
	kind sheetKind
	row  int // index into table.rows
	cols map[field]int
	// names are the columns as the header writes them, for reasons.
	names map[field]string
	// unknown are the names of columns okrbot does not read, ignored
	// those it knows and has no place for, for a warning.
	unknown, ignored []string
}

func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findHeader finds the header among the first rows and says the kind: a
// Ref or Cycle column is okrbot's template, an Object Type, Aligned To,
// Period or Goal Type column the Viva Goals Explorer's export, a Title
// with a Type the template again, names or addresses without a Type a
// people list (whose Title, a job's, is left out).
func findHeader(t *table) (*header, error) {
	seen := 0
	for i := 0; i < len(t.rows) && seen < headerScan; i++ {
		r := t.rows[i]
		if r.blank() {
			continue
		}
		seen++
		if isCheckInExport(r) {
			return nil, refuse(nil, "is okrbot's CSV of check-ins, which is for reading; the history comes back in with okrbot's own export (okrbot export --format json)")
		}
		if h := readHeader(r); h != nil {
			h.row = i
			return h, nil
		}
	}
	for _, r := range t.rows {
		if !r.blank() {
			return nil, refuse(nil, "has no header row okrbot knows (its first row says %s); okrbot reads the Viva Goals Explorer export, okrbot's template (Ref, Type, Title, Parent, Owner, Cycle, …) and people lists (Name, Email, Team, Lead, Time zone)", firstCells(r))
		}
	}
	return nil, refuse(nil, "is empty: there is nothing to import")
}

func firstCells(r row) string {
	var names []string
	for _, c := range r.cells {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, quote(c))
		}
		if len(names) == 4 {
			names = append(names, "…")
			break
		}
	}
	return strings.Join(names, ", ")
}

// isCheckInExport reports whether r is the header WriteCheckIns writes.
func isCheckInExport(r row) bool {
	has := map[string]bool{}
	for i := range r.cells {
		has[fold(r.cell(i))] = true
	}
	return has["when"] && has["author"] && has["previous"]
}

// readHeader reads r as a header row, or says nil when it is not one.
func readHeader(r row) *header {
	names := make([]string, len(r.cells))
	has := map[string]bool{}
	for i := range r.cells {
		names[i] = fold(r.cell(i))
		has[names[i]] = true
	}
	h := &header{cols: map[field]int{}, names: map[field]string{}}
	switch {
	case has["ref"] || has["cycle"] || has["parentref"]:
		h.kind = kindTemplate
	case has["objecttype"] || has["alignedto"] || has["period"] || has["goaltype"]:
		h.kind = kindExplorer
	case has["title"] && has["type"]:
		h.kind = kindTemplate
	case (has["name"] || has["email"] || has["emailaddress"]) && !has["type"]:
		h.kind = kindPeople
	default:
		return nil
	}
	columns := itemColumns
	if h.kind == kindPeople {
		columns = peopleColumns
	}
	for i, n := range names {
		if n == "" {
			continue
		}
		f, ok := columns[n]
		switch {
		case !ok:
			h.unknown = append(h.unknown, quote(r.cell(i)))
		case f == fIgnored:
			h.ignored = append(h.ignored, quote(r.cell(i)))
		default:
			if _, dup := h.cols[f]; !dup {
				h.cols[f], h.names[f] = i, r.cell(i)
			} else {
				h.unknown = append(h.unknown, quote(r.cell(i))+" (a second column of the same name)")
			}
		}
	}
	return h
}

// col is the index of the column holding f, or -1.
func (h *header) col(f field) int {
	if i, ok := h.cols[f]; ok {
		return i
	}
	return -1
}
