package sheet

import (
	"fmt"
	"slices"
	"time"
)

// readPeople reads a people list: one person a row, with a team they
// belong to, whether they lead it, and their time zone. Someone in
// several teams has a row for each.
func (r *reader) readPeople() {
	for _, x := range r.body() {
		if x.blank() {
			continue
		}
		r.rows++
		if reason := r.personRow(x); reason != "" {
			r.fail(x.n, reason)
		}
	}
	r.emitPeople()
}

func (r *reader) personRow(x row) string {
	name, email := r.text(x, fName), r.text(x, fEmail)
	if name == "" && email == "" {
		return "has neither a name nor an e-mail address"
	}
	if email != "" {
		n, a, ok := address(email)
		if !ok {
			return fmt.Sprintf("%s says %s, which is not an e-mail address", r.colName(fEmail), quote(email))
		}
		if name == "" {
			name = n
		}
		email = a
	}
	lead, ok := parseYes(r.text(x, fLead))
	if !ok {
		return fmt.Sprintf("%s says %s: write yes for a team's lead, or leave it empty", r.colName(fLead), quote(r.text(x, fLead)))
	}
	teamName := r.text(x, fTeam)
	if lead && teamName == "" {
		return "is marked as a lead but names no team"
	}
	tz := r.text(x, fTimeZone)
	if tz != "" {
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
			r.warn(x.n, "%s is not a time zone okrbot knows (write one such as Europe/Berlin); the person's zone is left as it is", quote(tz))
			tz = ""
		}
	}
	var t *team
	if teamName != "" {
		t = r.team(teamName, x.n)
	}
	p, w := r.person(name, email, x.n)
	if lead && t.lead != nil && t.lead != p {
		return fmt.Sprintf("makes %s the lead of %s, and row %d %s; a team has one lead", orName(name, email), t.name, t.leadRow, orName(t.lead.name, t.lead.email))
	}
	if w != "" {
		r.warn(x.n, "%s", w)
	}
	r.settle(x, p, name, tz)
	p.used = true
	if t == nil {
		return ""
	}
	t.used = true
	if lead {
		t.lead, t.leadRow = p, x.n
	}
	if !slices.Contains(t.members, p) {
		t.members = append(t.members, p)
	}
	if pn := r.text(x, fParentTeam); pn != "" {
		parent := r.team(pn, x.n)
		switch {
		case parent == t:
			r.warn(x.n, "says %s sits under itself; it is left at the top", t.name)
		case t.parent != nil && t.parent != parent:
			r.warn(x.n, "puts %s under %s, and an earlier row under %s; the first is kept", t.name, parent.name, t.parent.name)
		default:
			t.parent, parent.used = parent, true
		}
	}
	return ""
}

// settle records what another row about the same person says.
func (r *reader) settle(x row, p *person, name, tz string) {
	if p.used && name != "" && foldName(name) != foldName(p.name) {
		r.warn(x.n, "names %s %s, and row %d %s; the first name is kept", p.email, quote(name), p.row, quote(p.name))
	}
	switch {
	case tz == "":
	case p.tz == "":
		p.tz = tz
	case p.tz != tz:
		r.warn(x.n, "gives %s the time zone %s, and an earlier row %s; the first is kept", orName(p.name, p.email), tz, p.tz)
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
