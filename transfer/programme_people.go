package transfer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// People are matched by key, else by a verified e-mail address, so that
// the person okrbot knows from Slack or Teams is the one the source names.
// A new person has no chat account yet; the organisation's directory
// vouches for their address, so their account joins them on first contact
// (people.RegisterAccount), as an account on another platform would.

func (p *planner) planPeople() error {
	if !p.fresh() {
		users, err := p.tx.Users(p.ws)
		if err != nil {
			return fmt.Errorf("plan import: read people: %w", err)
		}
		p.storedUser = users
	}
	// byEmail holds verified addresses, stored and planned; planned the
	// records planned by id, so that one stored person is planned once.
	byEmail, unconfirmed := map[string]*okrcore.User{}, map[string]bool{}
	planned := make(map[okrcore.ID]*okrcore.User, len(p.p.People))
	for _, u := range p.storedUser {
		e := strings.ToLower(strings.TrimSpace(u.Email))
		if e != "" && !u.EmailVerified {
			unconfirmed[e] = true
		} else if e != "" && byEmail[e] == nil {
			byEmail[e] = u
		}
	}
	p.people = make(map[Key]*okrcore.User, len(p.p.People))
	p.left = map[Key]bool{}
	p.userOut = make([]entry, 0, len(p.p.People))
	for i := range p.p.People {
		per := &p.p.People[i]
		email, name := cleanLine(per.Email), cleanLine(per.Name)
		lower, rec := strings.ToLower(email), recordName(per.Record, "person", per.Key, name)
		if per.Key != "" && p.people[per.Key] != nil {
			p.warn(rec, "the export lists this person twice; the second entry is left out")
			continue
		}
		sk, old, _, err := recall(p, KindPerson, per.Key, p.tx.User)
		if err != nil {
			return err
		}
		if old == nil && lower != "" {
			old = byEmail[lower]
		}
		if per.Left {
			p.left[per.Key] = true
			p.warn(rec, "has left: their records are kept, and they are placed in no team")
		}
		var u *okrcore.User
		if old != nil {
			u = planned[old.ID]
		}
		if u != nil {
			p.warn(rec, "has the same e-mail address as someone else in the export, so they are imported as one person")
			p.userOut = append(p.userOut, entry{kind: KindPerson, id: u.ID, rec: u, key: sk, alias: true})
		} else {
			if old == nil && unconfirmed[lower] {
				p.warn(rec, "someone okrbot knows gave %s as their address, but their platform did not confirm it, so the import does not join them: it adds a new person (an admin can join the two with `/okr link`)", email)
			}
			u = p.personRecord(per, old, name, email, rec)
			planned[u.ID] = u
			if lower != "" && byEmail[lower] == nil {
				byEmail[lower] = u
			}
			if old == nil {
				p.newUsers = append(p.newUsers, u)
			}
			p.userOut = append(p.userOut, entry{kind: KindPerson, id: u.ID, rec: u, old: orNil(old), key: sk})
		}
		if per.Key != "" {
			p.people[per.Key] = u
		}
	}
	return nil
}

// orNil is rec as an entry's old record: nil, not a nil pointer, for none.
func orNil[T any](rec *T) any {
	if rec == nil {
		return nil
	}
	return rec
}

// personRecord is the person as the import leaves them. Once a platform
// has met them, its profile names them and the source only fills in what
// is missing; so does its directory say whether they left
// (people.SyncDirectory).
func (p *planner) personRecord(per *Person, old *okrcore.User, name, email, rec string) *okrcore.User {
	if name == "" {
		name = cmp.Or(email, rec)
		p.warn(rec, "has no name; imported as %s", name)
	}
	tz := p.zone(per.TimeZone, rec)
	u := &okrcore.User{Workspace: p.ws, Role: okrcore.RoleMember, CreatedAt: p.opts.Now}
	if old != nil {
		c := *old
		c.Linked = slices.Clone(old.Linked)
		u = &c
	} else {
		u.ID = p.newID()
	}
	first := len(u.Accounts()) == 0
	if first || u.Name == "" {
		u.Name = name
	}
	if email != "" && (first || u.Email == "") {
		u.Email, u.EmailVerified = email, true
	}
	if tz != "" && (first || u.TimeZone == "") {
		u.TimeZone = tz
	}
	if u.TimeZone == "" {
		u.TimeZone = "UTC"
	}
	if first {
		u.Left = per.Left
	}
	return u
}

// defaultOwner owns what the source gives no known owner: the workspace's
// first admin, else its first person, else the export's first person;
// someone who has not left, where there is one.
func (p *planner) defaultOwner() *okrcore.User {
	all := append(slices.Clip(p.storedUser), p.newUsers...)
	for _, ok := range []func(u *okrcore.User) bool{
		func(u *okrcore.User) bool { return u.Role == okrcore.RoleAdmin && !u.Left },
		func(u *okrcore.User) bool { return !u.Left },
		func(u *okrcore.User) bool { return true },
	} {
		if i := slices.IndexFunc(all, ok); i >= 0 {
			return all[i]
		}
	}
	return nil
}

// planTeams plans every team after its parent. A parent the export does
// not have puts the team at the top level; so does a parent that sits
// under the team (a loop).
func (p *planner) planTeams() error {
	teams := p.p.Teams
	idx := make(map[Key]int, len(teams))
	for i, t := range slices.Backward(teams) {
		idx[t.Key] = i // the first of a key the export repeats
	}
	if !p.fresh() {
		stored, err := p.tx.Teams(p.ws)
		if err != nil {
			return fmt.Errorf("plan import: read teams: %w", err)
		}
		p.storedTeams = make(map[string]*okrcore.Team, len(stored))
		for _, t := range stored {
			p.storedTeams[fold(t.Name)] = t
		}
	}
	parent, state := make([]int, len(teams)), make([]int8, len(teams))
	order := make([]int, 0, len(teams))
	var place func(i int)
	place = func(i int) {
		t := &teams[i]
		state[i], parent[i] = resolving, -1
		j, ok := idx[t.Parent]
		switch {
		case t.Parent == "":
		case !ok:
			p.warn(recordName(t.Record, "team", t.Key, t.Name), "its parent team %s is not in the export; it is placed at the top level", t.Parent)
		case state[j] == resolving:
			p.warn(recordName(t.Record, "team", t.Key, t.Name), "its parent team %s sits under it, which would make it part of itself; it is placed at the top level", teams[j].Name)
		default:
			if state[j] == unresolved {
				place(j)
			}
			parent[i] = j
		}
		state[i] = resolved
		order = append(order, i)
	}
	for i := range teams {
		if state[i] == unresolved {
			place(i)
		}
	}
	p.teams = make(map[Key]*okrcore.Team, len(teams))
	p.teamByID = make(map[okrcore.ID]*okrcore.Team, len(teams))
	p.teamOut = make([]entry, 0, len(teams))
	recs, names := make([]*okrcore.Team, len(teams)), map[string]bool{}
	for _, i := range order {
		var up *okrcore.Team
		if parent[i] >= 0 {
			up = recs[parent[i]]
		}
		t, err := p.planTeam(&teams[i], up, names)
		if err != nil {
			return err
		}
		recs[i] = t
	}
	p.breakStoredLoops()
	return nil
}

func (p *planner) planTeam(src *Team, up *okrcore.Team, names map[string]bool) (*okrcore.Team, error) {
	name, long := cut(cleanLine(src.Name), okrcore.MaxTeamName)
	rec := recordName(src.Record, "team", src.Key, name)
	if long {
		p.warn(rec, "the name is longer than %d characters; it is shortened to %q", okrcore.MaxTeamName, name)
	}
	if name == "" {
		name = rec
		p.warn(rec, "has no name; imported as %q", name)
	}
	sk, old, _, err := recall(p, KindTeam, src.Key, p.tx.Team)
	if err != nil {
		return nil, err
	}
	if old == nil {
		old = p.storedTeam(name)
	}
	if old != nil && !p.claim(KindTeam, old.ID) {
		old = nil // another team of the export has it
	}
	// Team names are unique in a workspace, whatever their case, as
	// okrcore.CreateTeam keeps them: a second team of one name gets a
	// number.
	want := name
	for n := 2; names[fold(name)] || p.storedTeam(name) != nil && (old == nil || p.storedTeam(name).ID != old.ID); n++ {
		name = fmt.Sprintf("%s (%d)", want, n)
	}
	if name != want {
		p.warn(rec, "another team is called %q; this one is imported as %q", want, name)
	}
	names[fold(name)] = true
	t := &okrcore.Team{Workspace: p.ws}
	if old != nil {
		c := *old
		c.Members = slices.Clone(old.Members)
		t = &c
	} else {
		t.ID = p.newID()
	}
	t.Name = name
	switch {
	case up != nil:
		t.Parent = up.ID
	case src.Parent != "" || old == nil:
		t.Parent = 0
	}
	p.placePeople(t, src, rec)
	if z := p.zone(src.TimeZone, rec); z != "" {
		t.TimeZone = z
	}
	if src.Key != "" && p.teams[src.Key] == nil {
		p.teams[src.Key] = t
	}
	p.teamByID[t.ID] = t
	p.teamOut = append(p.teamOut, entry{kind: KindTeam, id: t.ID, rec: t, old: orNil(old), key: sk})
	return t, nil
}

// storedTeam is the stored team of that name, whatever its case.
func (p *planner) storedTeam(name string) *okrcore.Team { return p.storedTeams[fold(name)] }

// placePeople places the team's lead and members, leaving out who has
// left: the source's people join those the team has, and its lead is one
// of its members, as okrcore.SetTeamLead makes them.
func (p *planner) placePeople(t *okrcore.Team, src *Team, rec string) {
	var unknown []string
	gone := map[okrcore.ID]bool{}
	for i, k := range append([]Key{src.Lead}, src.Members...) {
		switch u := p.people[k]; {
		case k == "":
		case u == nil:
			unknown = append(unknown, string(k))
		case p.left[k]:
			gone[u.ID] = true
		default:
			if !slices.Contains(t.Members, u.ID) {
				t.Members = append(t.Members, u.ID)
			}
			if i == 0 {
				t.Lead = u.ID
			}
		}
	}
	t.Members = slices.DeleteFunc(t.Members, func(id okrcore.ID) bool { return gone[id] })
	if gone[t.Lead] {
		t.Lead = 0
	}
	if len(unknown) > 0 {
		p.warn(rec, "these members are not among the people of the export, so not placed in the team: %s", strings.Join(unknown, ", "))
	}
}

// breakStoredLoops puts at the top level a planned team whose new parent
// sits, through teams the export does not name, under the team itself.
func (p *planner) breakStoredLoops() {
	up := make(map[okrcore.ID]okrcore.ID, len(p.storedTeams)+len(p.teamOut))
	for _, t := range p.storedTeams {
		up[t.ID] = t.Parent
	}
	for _, t := range p.teamByID {
		up[t.ID] = t.Parent
	}
	for _, e := range p.teamOut {
		t := e.rec.(*okrcore.Team)
		for q, n := up[t.ID], 0; q != 0 && n <= len(up) && len(p.storedTeams) > 0; q, n = up[q], n+1 {
			if q == t.ID {
				p.warn("team "+t.Name, "its new parent sits under it, which would make it part of itself; it is placed at the top level")
				t.Parent, up[t.ID] = 0, 0
				break
			}
		}
	}
}
