package transfer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// People are matched by their key, else by a verified e-mail address: the
// person okrbot already knows from Slack or Teams is the one the source
// names. A new person has no chat account yet; the directory the source
// is vouches for their address, so their account joins them on first
// contact (people.RegisterAccount), as an account with the same verified
// address on another platform would.

type peopleIndex struct {
	verified   map[string]*okrcore.User
	unverified map[string]bool
	// planned are the records already planned, by id, so that two of the
	// source's people with one address are one person.
	planned map[okrcore.ID]*okrcore.User
	byEmail map[string]*okrcore.User
}

func (p *planner) planPeople() error {
	if !p.fresh() {
		users, err := p.tx.Users(p.ws)
		if err != nil {
			return fmt.Errorf("plan import: read people: %w", err)
		}
		p.storedUser = users
	}
	ix := peopleIndex{
		verified: map[string]*okrcore.User{}, unverified: map[string]bool{},
		planned: make(map[okrcore.ID]*okrcore.User, len(p.p.People)), byEmail: make(map[string]*okrcore.User, len(p.p.People)),
	}
	for _, u := range p.storedUser {
		e := strings.ToLower(strings.TrimSpace(u.Email))
		switch {
		case e == "":
		case !u.EmailVerified:
			ix.unverified[e] = true
		case ix.verified[e] == nil:
			ix.verified[e] = u
		}
	}
	p.people = make(map[Key]*okrcore.User, len(p.p.People))
	p.left = map[Key]bool{}
	p.userOut = make([]entry, 0, len(p.p.People))
	for i := range p.p.People {
		if err := p.planPerson(&p.p.People[i], &ix); err != nil {
			return err
		}
	}
	return nil
}

func (p *planner) planPerson(per *Person, ix *peopleIndex) error {
	email := cleanLine(per.Email)
	lower := strings.ToLower(email)
	name := cleanLine(per.Name)
	rec := recordName(per.Record, "person", per.Key, name)
	if per.Key != "" && p.people[per.Key] != nil {
		p.warn(rec, "the export lists this person twice; the second entry is left out")
		return nil
	}
	sk, id, err := p.remembered(KindPerson, per.Key)
	if err != nil {
		return err
	}
	var old *okrcore.User
	byKey := false
	if id != 0 {
		if old, err = found(p.tx.User(p.ws, id)); err != nil {
			return fmt.Errorf("plan import: read person: %w", err)
		}
		byKey = old != nil
	}
	if old == nil && lower != "" {
		old = ix.verified[lower]
	}
	if per.Left {
		if per.Key != "" {
			p.left[per.Key] = true
		}
		p.warn(rec, "has left: their records are kept, and they are placed in no team")
	}
	if byKey {
		sk = ""
	}
	// The same person twice: by the same stored record or the same address.
	if u := p.alias(old, lower, ix); u != nil {
		p.warn(rec, "has the same e-mail address as someone else in the export, so they are imported as one person")
		if per.Key != "" {
			p.people[per.Key] = u
		}
		p.userOut = append(p.userOut, entry{kind: KindPerson, id: u.ID, rec: u, key: sk, alias: true})
		return nil
	}
	if old == nil && lower != "" && ix.unverified[lower] {
		p.warn(rec, "someone okrbot knows gave %s as their address, but their platform did not confirm it, so the import does not join them: it adds a new person (an admin can join the two with `/okr link`)", email)
	}
	u := p.personRecord(per, old, name, email, rec)
	if per.Key != "" {
		p.people[per.Key] = u
	}
	ix.planned[u.ID] = u
	if lower != "" {
		ix.byEmail[lower] = u
	}
	if old == nil {
		p.newUsers = append(p.newUsers, u)
		p.userOut = append(p.userOut, entry{kind: KindPerson, id: u.ID, rec: u, key: sk})
		return nil
	}
	p.userOut = append(p.userOut, entry{kind: KindPerson, id: u.ID, rec: u, old: old, key: sk})
	return nil
}

func (p *planner) alias(old *okrcore.User, lower string, ix *peopleIndex) *okrcore.User {
	if old != nil {
		return ix.planned[old.ID]
	}
	if lower != "" {
		return ix.byEmail[lower]
	}
	return nil
}

// personRecord is the person as the import leaves them. The source names
// someone who has no chat account yet; once a platform has met them, its
// profile names them and the source only fills in what is missing.
func (p *planner) personRecord(per *Person, old *okrcore.User, name, email, rec string) *okrcore.User {
	if name == "" {
		name = email
		if name == "" {
			name = rec
		}
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
	// Once a chat platform knows the person, its directory says whether
	// they left (people.SyncDirectory); until then the source does.
	if first {
		u.Left = per.Left
	}
	return u
}

// defaultOwner owns what the source gives no known owner: the workspace's
// first admin, else its first person, else the export's first person;
// someone who has not left, where there is one.
func (p *planner) defaultOwner() *okrcore.User {
	var first []*okrcore.User
	for _, u := range p.storedUser {
		if u.Role == okrcore.RoleAdmin && !u.Left {
			return u
		}
	}
	for _, u := range p.storedUser {
		if !u.Left {
			return u
		}
	}
	for _, u := range p.newUsers {
		if !u.Left {
			return u
		}
	}
	first = append(append(first, p.storedUser...), p.newUsers...)
	if len(first) > 0 {
		return first[0]
	}
	return nil
}

// planTeams plans every team after its parent. A parent the export does
// not have puts the team at the top level; so does a parent that is the
// team itself, further up (a loop).
func (p *planner) planTeams() error {
	teams := p.p.Teams
	idx := make(map[Key]int, len(teams))
	for i, t := range teams {
		if t.Key == "" {
			continue
		}
		if _, dup := idx[t.Key]; dup {
			p.warn(recordName(t.Record, "team", t.Key, t.Name), "the export lists this team twice; the second entry is imported as a team of its own")
			continue
		}
		idx[t.Key] = i
	}
	var stored []*okrcore.Team
	if !p.fresh() {
		var err error
		if stored, err = p.tx.Teams(p.ws); err != nil {
			return fmt.Errorf("plan import: read teams: %w", err)
		}
	}
	parent := make([]int, len(teams))
	state := make([]int8, len(teams))
	order := make([]int, 0, len(teams))
	var place func(i int)
	place = func(i int) {
		state[i], parent[i] = 1, -1
		t := &teams[i]
		if t.Parent != "" {
			j, ok := idx[t.Parent]
			switch {
			case !ok:
				p.warn(recordName(t.Record, "team", t.Key, t.Name), "its parent team %s is not in the export; it is placed at the top level", t.Parent)
			case state[j] == 1:
				p.warn(recordName(t.Record, "team", t.Key, t.Name), "its parent team %s sits under it, which would make it part of itself; it is placed at the top level", teams[j].Name)
			default:
				if state[j] == 0 {
					place(j)
				}
				parent[i] = j
			}
		}
		state[i] = 2
		order = append(order, i)
	}
	for i := range teams {
		if state[i] == 0 {
			place(i)
		}
	}
	tp := &teamPlanner{planner: p, names: map[string]bool{}, claimed: map[okrcore.ID]bool{}, recs: make([]*okrcore.Team, len(teams)), stored: len(stored) > 0}
	p.teams = make(map[Key]*okrcore.Team, len(teams))
	p.teamByID = make(map[okrcore.ID]*okrcore.Team, len(teams))
	p.teamOut = make([]entry, 0, len(teams))
	for _, i := range order {
		if err := tp.plan(i, parent[i]); err != nil {
			return err
		}
	}
	p.breakStoredLoops(stored)
	return nil
}

type teamPlanner struct {
	*planner
	names   map[string]bool
	claimed map[okrcore.ID]bool
	recs    []*okrcore.Team
	stored  bool
}

func (tp *teamPlanner) plan(i, parent int) error {
	src := &tp.p.Teams[i]
	name, long := cut(cleanLine(src.Name), okrcore.MaxTeamName)
	rec := recordName(src.Record, "team", src.Key, name)
	if long {
		tp.warn(rec, "the name is longer than %d characters; it is shortened to %q", okrcore.MaxTeamName, name)
	}
	if name == "" {
		name = rec
		tp.warn(rec, "has no name; imported as %q", name)
	}
	sk, id, err := tp.remembered(KindTeam, src.Key)
	if err != nil {
		return err
	}
	var old *okrcore.Team
	if id != 0 {
		if old, err = found(tp.tx.Team(tp.ws, id)); err != nil {
			return fmt.Errorf("plan import: read team: %w", err)
		}
		if old != nil {
			sk = ""
		}
	}
	if old == nil && tp.stored {
		if old, err = found(tp.tx.TeamByName(tp.ws, name)); err != nil {
			return fmt.Errorf("plan import: find team: %w", err)
		}
		if old != nil && tp.claimed[old.ID] {
			old = nil
		}
	}
	if name, err = tp.uniqueName(name, old, rec); err != nil {
		return err
	}
	t := &okrcore.Team{Workspace: tp.ws, Name: name}
	if old != nil {
		c := *old
		c.Members = slices.Clone(old.Members)
		t = &c
		t.Name = name
		tp.claimed[old.ID] = true
	} else {
		t.ID = tp.newID()
	}
	t.Parent = 0
	if parent >= 0 {
		t.Parent = tp.recs[parent].ID
	} else if src.Parent == "" && old != nil {
		t.Parent = old.Parent // the source says nothing about it
	}
	tp.place(t, src, rec)
	if z := tp.zone(src.TimeZone, rec); z != "" {
		t.TimeZone = z
	}
	tp.recs[i] = t
	tp.teamByID[t.ID] = t
	if src.Key != "" && tp.teams[src.Key] == nil {
		tp.teams[src.Key] = t
	}
	tp.teamOut = append(tp.teamOut, entry{kind: KindTeam, id: t.ID, rec: t, old: teamOrNil(old), key: sk})
	return nil
}

func teamOrNil(t *okrcore.Team) any {
	if t == nil {
		return nil
	}
	return t
}

// uniqueName keeps team names unique in the workspace, whatever their
// case, as okrcore.CreateTeam does: a second team of one name gets a
// number.
func (tp *teamPlanner) uniqueName(name string, old *okrcore.Team, rec string) (string, error) {
	want := name
	for n := 2; ; n++ {
		taken := tp.names[fold(name)]
		if !taken && tp.stored {
			other, err := found(tp.tx.TeamByName(tp.ws, name))
			if err != nil {
				return "", fmt.Errorf("plan import: find team: %w", err)
			}
			taken = other != nil && (old == nil || other.ID != old.ID)
		}
		if !taken {
			break
		}
		name = fmt.Sprintf("%s (%d)", want, n)
	}
	if name != want {
		tp.warn(rec, "another team is called %q; this one is imported as %q", want, name)
	}
	tp.names[fold(name)] = true
	return name, nil
}

// place places the team's lead and members, leaving out who has left:
// the source's people are added to those the team has, as a lead is
// always one of its members.
func (tp *teamPlanner) place(t *okrcore.Team, src *Team, rec string) {
	var unknown []string
	gone := map[okrcore.ID]bool{}
	add := func(k Key) okrcore.ID {
		u := tp.planner.people[k]
		switch {
		case u == nil:
			unknown = append(unknown, string(k))
			return 0
		case tp.left[k]:
			gone[u.ID] = true
			return 0
		}
		if !slices.Contains(t.Members, u.ID) {
			t.Members = append(t.Members, u.ID)
		}
		return u.ID
	}
	if src.Lead != "" {
		if id := add(src.Lead); id != 0 {
			t.Lead = id
		}
	}
	for _, k := range src.Members {
		add(k)
	}
	if len(gone) > 0 {
		t.Members = slices.DeleteFunc(t.Members, func(id okrcore.ID) bool { return gone[id] })
		if gone[t.Lead] {
			t.Lead = 0
		}
	}
	if len(unknown) > 0 {
		tp.warn(rec, "%s not among the people of the export, so not placed in the team: %s", plural(len(unknown), "one member is", "members are"), strings.Join(unknown, ", "))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// breakStoredLoops puts at the top level a planned team whose new parent
// sits, through teams the export does not name, under the team itself.
func (p *planner) breakStoredLoops(stored []*okrcore.Team) {
	if len(stored) == 0 {
		return
	}
	up := make(map[okrcore.ID]okrcore.ID, len(stored)+len(p.teamOut))
	for _, t := range stored {
		up[t.ID] = t.Parent
	}
	for _, e := range p.teamOut {
		t := e.rec.(*okrcore.Team)
		up[t.ID] = t.Parent
	}
	for _, e := range p.teamOut {
		t := e.rec.(*okrcore.Team)
		for q, n := up[t.ID], 0; q != 0 && n <= len(up); q, n = up[q], n+1 {
			if q == t.ID {
				p.warn("team "+t.Name, "its new parent sits under it, which would make it part of itself; it is placed at the top level")
				t.Parent, up[t.ID] = 0, 0
				break
			}
		}
	}
}
