package vivagoalstest

import "strconv"

// The records of an export, as the generator holds them before writing
// them in Viva Goals's field names.

type user struct {
	id          int
	name, email string
}

type team struct {
	id                        int
	name, parent              string
	owners                    []int
	kind, status, description string
}

type period struct {
	id               int
	name, start, end string
}

type okr struct {
	id          int
	title, typ  string
	owners      []int
	team        int // 0 for none
	period      int // 0 for none
	parents     []int
	weights     []string // the alignment's weight for each parent, "" for none
	description string
	status      string
	goalType    string
	progress    float64
	score       float64
	outcome     *outcome
	created     string
	lastCheckIn string
}

type outcome struct {
	typ, name, unit     string
	start, target       float64
	hasStart, hasTarget bool
	targetType          string
}

type checkIn struct {
	id, okr  int
	date     string
	owner    int
	note     string
	html     string
	status   string
	value    float64
	hasValue bool
	activity string
}

func (g *gen) writeUser(o *obj, id int) {
	u := g.user(id)
	o.open('{')
	o.id("ID", u.id)
	o.str("Name", u.name)
	o.str("Email", u.email)
	o.close('}')
}

func (g *gen) writeUsers(o *obj, k string, ids []int) {
	o.key(k)
	o.open('[')
	for _, id := range ids {
		o.sep()
		g.writeUser(o, id)
	}
	o.close(']')
}

func (g *gen) writeTeam(o *obj, t team) {
	o.open('{')
	o.id("ID", t.id)
	o.str("Team Name", t.name)
	if t.parent == "" {
		o.null("Parent Team")
	} else {
		o.str("Parent Team", t.parent)
	}
	g.writeUsers(o, "Team Owners", t.owners)
	o.str("Team Type", t.kind)
	o.str("Status", t.status)
	if t.description == "" {
		o.null("Description")
	} else {
		o.str("Description", t.description)
	}
	o.close('}')
}

func writePeriod(o *obj, p period) {
	o.open('{')
	o.id("ID", p.id)
	o.str("Time Period Name", p.name)
	o.str("Start Date", p.start)
	o.str("End Date", p.end)
	o.close('}')
}

func (g *gen) writeOKR(o *obj, r okr) {
	o.open('{')
	o.id("ID", r.id)
	o.str("Title", r.title)
	o.str("Type", r.typ)
	g.writeUsers(o, "Owner", r.owners)
	o.key("Teams")
	o.open('[')
	if r.team != 0 {
		o.sep()
		o.open('{')
		o.id("ID", r.team)
		o.str("Name", g.teamName(r.team))
		o.close('}')
	}
	o.close(']')
	o.key("Time Period")
	if r.period == 0 {
		o.b = append(o.b, "null"...)
	} else {
		p := g.period(r.period)
		o.open('{')
		o.id("ID", p.id)
		o.str("Name", p.name)
		o.close('}')
	}
	if r.period != 0 {
		p := g.period(r.period)
		o.str("Start Date", p.start)
		o.str("End Date", p.end)
	}
	o.key("Alignment")
	o.open('[')
	for i, id := range r.parents {
		o.sep()
		o.open('{')
		o.id("ID", id)
		o.str("Title", g.title(id))
		if i < len(r.weights) && r.weights[i] != "" {
			o.str("Weight", r.weights[i])
		} else {
			o.null("Weight")
		}
		o.close('}')
	}
	o.close(']')
	o.key("Parent IDs")
	o.open('[')
	for _, id := range r.parents {
		o.sep()
		o.b = strconv.AppendInt(o.b, int64(id), 10)
	}
	o.close(']')
	if r.description == "" {
		o.null("Description")
	} else {
		o.str("Description", r.description)
	}
	o.num("Progress", r.progress)
	o.str("Status", r.status)
	o.num("Score", r.score)
	o.str("Goal Type", r.goalType)
	if c := r.outcome; c != nil {
		o.key("Outcome")
		o.open('{')
		o.str("Outcome Type", c.typ)
		if c.typ != "Percentage" || c.hasStart || c.hasTarget {
			o.str("Metric Name", c.name)
			o.str("Metric Unit", c.unit)
			if c.hasStart {
				o.num("Start", c.start)
			}
			if c.hasTarget {
				o.num("Target", c.target)
			}
		}
		if c.targetType != "" {
			o.str("Target Type", c.targetType)
		}
		o.close('}')
	}
	g.writeUsers(o, "Check-in Owners", r.owners)
	if r.created != "" {
		o.str("Created At", r.created)
	}
	if r.lastCheckIn != "" {
		o.str("Last Check-in", r.lastCheckIn)
	}
	o.close('}')
}

func (g *gen) writeCheckIn(o *obj, c checkIn) {
	o.open('{')
	o.id("ID", c.id)
	o.id("OKR ID", c.okr)
	o.str("CheckIn Date", c.date)
	o.key("Check In Owner")
	g.writeUser(o, c.owner)
	o.key("Check In Note")
	o.open('{')
	o.str("Check In Note", c.note)
	o.str("Check In Note HTML", c.html)
	o.close('}')
	o.str("Metric Name", "")
	o.str("Status", c.status)
	if c.hasValue {
		o.num("Current Value", c.value)
	} else {
		o.null("Current Value")
	}
	activity := c.activity
	if activity == "" {
		activity = c.date
	}
	o.str("Activity Date", activity)
	o.close('}')
}
