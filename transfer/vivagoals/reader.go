package vivagoals

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/okrbot/okrbot/transfer"
)

// reader is one Read under way: the Programme it builds and the indexes
// that let later files refer to earlier ones.
type reader struct {
	lim      Limits
	size     int64
	inflated int64
	prog     *transfer.Programme

	people  map[transfer.Key]int // index in prog.People
	byEmail map[string]int
	byName  map[string]int

	teams      map[transfer.Key]int
	teamNames  map[string][]int
	teamParent []ref // as each team's record named its parent

	cycles     map[transfer.Key]int
	cycleNames map[string]int

	items map[transfer.Key]int // index in prog.Items and pend
	pend  []pending

	// latest is the latest moment the export mentions, standing in for
	// the day it was made: a period that ended before it has ended.
	latest time.Time

	check rawCheck // the check-in being read, its buffers reused
	// Check-in IDs are checked to be unique by a set, but while they come
	// as increasing numbers, as exports write them, the last is enough.
	seenCheck map[transfer.Key]struct{}
	lastID    uint64
	ordered   []uint64 // the keys so far, while they increase
	unordered bool
	tally     tally
	// kept counts the check-ins the first reading keeps; emit, while the
	// check-ins are read again, is handed each of them.
	kept int
	emit func(*transfer.CheckIn) bool
	// ci is the check-in handed to emit, the same one each time, so that
	// a second reading makes no check-in on the heap per check-in
	// (History's yield keeps none).
	ci transfer.CheckIn
}

// tally counts what is warned about once for the whole export rather
// than once per record.
type tally struct {
	goalTypes, descriptions         int
	teamDescriptions                int
	noDate, duplicateCheckIns       counted
	checkInStatus                   map[string]*counted
	orphanCheckIns                  map[transfer.Key]*counted
	objectiveCheckIns, itemCheckIns map[int]int // by item index
}

// counted is how many records share one warning, and the first of them.
type counted struct {
	n     int
	first string
}

func (c *counted) add(record string) {
	if c.n == 0 {
		c.first = record
	}
	c.n++
}

func newReader(lim Limits) *reader {
	return &reader{
		lim:        lim,
		prog:       &transfer.Programme{Source: Source},
		people:     map[transfer.Key]int{},
		byEmail:    map[string]int{},
		byName:     map[string]int{},
		teams:      map[transfer.Key]int{},
		teamNames:  map[string][]int{},
		cycles:     map[transfer.Key]int{},
		cycleNames: map[string]int{},
		items:      map[transfer.Key]int{},
		seenCheck:  map[transfer.Key]struct{}{},
		tally: tally{
			checkInStatus:     map[string]*counted{},
			orphanCheckIns:    map[transfer.Key]*counted{},
			objectiveCheckIns: map[int]int{},
			itemCheckIns:      map[int]int{},
		},
	}
}

func (rd *reader) warn(record, format string, args ...any) {
	rd.prog.Warnings = append(rd.prog.Warnings, transfer.Warning{Record: record, Message: fmt.Sprintf(format, args...)})
}

// saw moves latest on to t.
func (rd *reader) saw(t time.Time) {
	if t.After(rd.latest) {
		rd.latest = t
	}
}

// user reads one entry of Users.
func (rd *reader) user(u rawUser) {
	key := personKey(u.ID, u.Email, u.Name)
	record := "user " + string(u.ID)
	if u.ID == "" {
		record = "user " + quote(firstOf(u.Name, u.Email))
	}
	if key == "" {
		rd.warn(record, "this user has no ID, name or e-mail address, so it is left out")
		return
	}
	if _, dup := rd.people[key]; dup {
		rd.warn(record, "another user has the same ID; only the first is imported")
		return
	}
	left := false
	switch strings.ToLower(strings.TrimSpace(u.Status)) {
	case "deactivated", "inactive", "disabled", "deleted", "removed", "left", "suspended":
		left = true
	}
	rd.addPerson(transfer.Person{Key: key, Name: strings.TrimSpace(u.Name), Email: strings.TrimSpace(u.Email), Left: left, Record: record})
}

func (rd *reader) addPerson(p transfer.Person) int {
	i := len(rd.prog.People)
	rd.prog.People = append(rd.prog.People, p)
	rd.people[p.Key] = i
	if e := strings.ToLower(p.Email); e != "" {
		if _, ok := rd.byEmail[e]; !ok {
			rd.byEmail[e] = i
		}
	}
	if n := strings.ToLower(p.Name); n != "" {
		if _, ok := rd.byName[n]; !ok {
			rd.byName[n] = i
		}
	}
	return i
}

// personKey is a user's key: its ID, else what names it.
func personKey(id vid, email, name string) transfer.Key {
	switch {
	case id != "":
		return transfer.Key(id)
	case strings.TrimSpace(email) != "":
		return transfer.Key("e-mail " + strings.ToLower(strings.TrimSpace(email)))
	case strings.TrimSpace(name) != "":
		return transfer.Key("name " + strings.TrimSpace(name))
	}
	return ""
}

// personFor finds the person a record names (as its owner, author or
// lead: role) among Users, by ID, then e-mail address, then name; someone
// who is not there is made from what the record says, with a warning
// naming the record, and counts as having left.
func (rd *reader) personFor(p person, record, role string) transfer.Key {
	if i, ok := rd.people[transfer.Key(p.ID)]; ok && p.ID != "" {
		return rd.prog.People[i].Key
	}
	if i, ok := rd.byEmail[strings.ToLower(strings.TrimSpace(p.Email))]; ok {
		return rd.prog.People[i].Key
	}
	if p.ID == "" && p.Email == "" {
		if i, ok := rd.byName[strings.ToLower(strings.TrimSpace(p.Name))]; ok {
			return rd.prog.People[i].Key
		}
	}
	key := personKey(p.ID, p.Email, p.Name)
	if key == "" {
		return ""
	}
	if i, ok := rd.people[key]; ok {
		return rd.prog.People[i].Key
	}
	who := describe(p)
	name := strings.TrimSpace(p.Name)
	rd.addPerson(transfer.Person{Key: key, Name: name, Email: strings.TrimSpace(p.Email), Left: true, Record: "user " + firstOf(string(p.ID), name, p.Email)})
	rd.warn(record, "its %s, %s, is not among the export's Users (someone who has left?), so they are imported as a person who has left", role, who)
	return key
}

func describe(p person) string {
	name, email := strings.TrimSpace(p.Name), strings.TrimSpace(p.Email)
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	case email != "":
		return email
	}
	return "user " + string(p.ID)
}

// team reads one entry of Teams.
func (rd *reader) team(t rawTeam) {
	key := transfer.Key(t.ID)
	name := strings.TrimSpace(t.Name)
	record := "team " + firstOf(string(t.ID), quote(name))
	if t.ID != "" && name != "" {
		record += " " + quote(name)
	}
	if key == "" {
		key = transfer.Key("name " + name)
	}
	if name == "" {
		if t.ID == "" {
			rd.warn(record, "this team has no ID and no name, so it is left out")
			return
		}
		name = "Team " + string(t.ID)
		rd.warn(record, "this team has no name, so it is imported as “%s”", name)
	}
	if _, dup := rd.teams[key]; dup {
		rd.warn(record, "another team has the same ID; only the first is imported")
		return
	}
	tm := transfer.Team{Key: key, Name: name, Record: record}
	seen := map[transfer.Key]bool{}
	for i, o := range append(t.Owners, t.Members...) {
		role := "team owner"
		if i >= len(t.Owners) {
			role = "team member"
		}
		k := rd.personFor(o, record, role)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		if tm.Lead == "" && i < len(t.Owners) {
			tm.Lead = k
		}
		tm.Members = append(tm.Members, k)
	}
	if len(t.Owners) > 1 {
		rd.warn(record, "the team has %d owners; okrbot gives a team one lead, so the first (%s) leads it and the others are members", len(t.Owners), describe(t.Owners[0]))
	}
	switch strings.ToLower(strings.TrimSpace(t.Status)) {
	case "archived", "inactive", "deleted", "disabled":
		rd.warn(record, "the team is %s in Viva Goals; okrbot has no archived teams, so it is imported as a team like the others", strings.ToLower(strings.TrimSpace(t.Status)))
	}
	if strings.TrimSpace(t.Description) != "" {
		rd.tally.teamDescriptions++
	}
	rd.teams[key] = len(rd.prog.Teams)
	low := strings.ToLower(name)
	rd.teamNames[low] = append(rd.teamNames[low], len(rd.prog.Teams))
	rd.prog.Teams = append(rd.prog.Teams, tm)
	rd.teamParent = append(rd.teamParent, t.Parent)
}

// teamFor finds a team by ID, else by name; ok is false when the export
// has no such team.
func (rd *reader) teamFor(r ref) (int, bool) {
	if i, ok := rd.teams[transfer.Key(r.ID)]; ok && r.ID != "" {
		return i, true
	}
	if l := rd.teamNames[strings.ToLower(strings.TrimSpace(r.Name))]; len(l) > 0 {
		return l[0], true
	}
	return -1, false
}

// resolveTeams turns each team's parent, a name, into that team's key,
// and cuts a chain of parents that comes back to where it started.
func (rd *reader) resolveTeams() {
	teams := rd.prog.Teams
	parent := make([]int, len(teams))
	for i, r := range rd.teamParent {
		parent[i] = -1
		if r.ID == "" && strings.TrimSpace(r.Name) == "" {
			continue
		}
		p, ok := rd.teamFor(r)
		switch {
		case !ok:
			rd.warn(teams[i].Record, "its parent team, %s, is not in the export, so the team is imported without a parent", quote(firstOf(r.Name, string(r.ID))))
		case p == i:
			rd.warn(teams[i].Record, "the team names itself as its parent, so it is imported without a parent")
		default:
			if r.ID == "" && len(rd.teamNames[strings.ToLower(strings.TrimSpace(r.Name))]) > 1 {
				rd.warn(teams[i].Record, "several teams are named %s; it is placed under the first, %s", quote(r.Name), teams[p].Record)
			}
			parent[i] = p
		}
	}
	cutLoops(parent, func(i int) {
		rd.warn(teams[i].Record, "its parent teams lead back to itself, so it is imported without a parent")
	})
	for i, p := range parent {
		if p >= 0 {
			teams[i].Parent = teams[p].Key
		}
	}
}

// cutLoops removes, from a forest given as parent indexes (-1 for a
// root), one edge of every loop, telling cut which node lost its parent.
func cutLoops(parent []int, cut func(int)) {
	const (
		unseen = iota
		walking
		done
	)
	state := make([]uint8, len(parent))
	var path []int
	for start := range parent {
		path = path[:0]
		i := start
		for i >= 0 && state[i] == unseen {
			state[i] = walking
			path = append(path, i)
			i = parent[i]
		}
		if i >= 0 && state[i] == walking {
			cut(i)
			parent[i] = -1
		}
		for _, j := range path {
			state[j] = done
		}
	}
}

// period reads one entry of TimePeriods. Viva Goals's end date is the
// last day of the period; okrbot's end is the midnight after it.
func (rd *reader) period(p rawPeriod) {
	name := strings.TrimSpace(firstOf(p.Name, p.Alt))
	key := transfer.Key(p.ID)
	record := "time period " + firstOf(string(p.ID), quote(name))
	if p.ID != "" && name != "" {
		record += " " + quote(name)
	}
	if key == "" {
		key = transfer.Key("name " + name)
	}
	if name == "" && p.ID == "" {
		rd.warn(record, "this time period has no ID and no name, so it is left out")
		return
	}
	if _, dup := rd.cycles[key]; dup {
		rd.warn(record, "another time period has the same ID; only the first is imported")
		return
	}
	// A date that is missing or unreadable is left zero: the import reads
	// the dates from the name when it can ("Q3 2025").
	start, okS := parseDate(p.Start)
	end, okE := parseDate(p.End)
	for _, d := range []struct {
		what, was string
		ok        bool
	}{{"start", p.Start, okS}, {"end", p.End, okE}} {
		if !d.ok && strings.TrimSpace(d.was) != "" {
			rd.warn(record, "its %s date, %s, is not a date okrbot can read", d.what, quote(d.was))
		}
	}
	if okE {
		end = end.AddDate(0, 0, 1)
	}
	rd.cycles[key] = len(rd.prog.Cycles)
	if _, ok := rd.cycleNames[strings.ToLower(name)]; !ok {
		rd.cycleNames[strings.ToLower(name)] = len(rd.prog.Cycles)
	}
	rd.prog.Cycles = append(rd.prog.Cycles, transfer.Cycle{Key: key, Name: name, Start: start, End: end, Record: record})
}

// cycleFor finds a period by ID, else by name.
func (rd *reader) cycleFor(r ref) (int, bool) {
	if i, ok := rd.cycles[transfer.Key(r.ID)]; ok && r.ID != "" {
		return i, true
	}
	i, ok := rd.cycleNames[strings.ToLower(strings.TrimSpace(r.Name))]
	return i, ok && strings.TrimSpace(r.Name) != ""
}

func firstOf(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// quote puts a title in quotes, cut to a length a warning can carry.
func quote(s string) string { return "“" + clip(strings.TrimSpace(s), 60) + "”" }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
