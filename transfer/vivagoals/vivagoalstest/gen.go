package vivagoalstest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The generated organisation's IDs start above the realistic export's.
const (
	userBase      = 100_000
	teamBase      = 200_000
	objectiveBase = 1_000_000
	krBase        = 2_000_000
	projectBase   = 3_000_000
	checkInBase   = 10_000_000
	// generatedPeriod is the quarter generated OKRs belong to (Q3 2025).
	generatedPeriod = 102
)

// gen writes one export: the fixture, then what the Spec generates.
type gen struct {
	s        Spec
	f        fixture
	byUser   map[int]user
	byTeam   map[int]string
	byPeriod map[int]period
	byTitle  map[int]string
	first    []string
	last     []string
}

func newGen(s Spec) *gen {
	g := &gen{s: s, f: newFixture(), byUser: map[int]user{}, byTeam: map[int]string{}, byPeriod: map[int]period{}, byTitle: map[int]string{}}
	for _, u := range append(g.f.users, g.f.left) {
		g.byUser[u.id] = u
	}
	for _, t := range g.f.teams {
		g.byTeam[t.id] = t.name
	}
	for _, p := range g.f.periods {
		g.byPeriod[p.id] = p
	}
	for _, r := range g.f.okrs {
		g.byTitle[r.id] = r.title
	}
	g.first = strings.Fields("Aiko Bram Carmen Dara Elif Femi Gaia Hana Ines Jonas Kofi Lena Mateo Nadia Omar Priya Quinn Rosa Sami Tara Uma Viktor Wen Ximena Yusuf Zoe")
	g.last = strings.Fields("Abbott Bianchi Castillo Dahl Eriksen Fischer Gomes Horvat Ivanova Jensen Kowalski Laine Moreau Nowak Olsen Petrov Quist Romero Silva Tanaka Ueda Varga Weber Xu Yilmaz Zielinski")
	return g
}

func (g *gen) user(id int) user {
	if u, ok := g.byUser[id]; ok {
		return u
	}
	i := id - userBase
	name := g.first[i%len(g.first)] + " " + g.last[(i/len(g.first))%len(g.last)]
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "." + strconv.Itoa(i) + "@example.com"
	return user{id: id, name: name, email: email}
}

func (g *gen) teamName(id int) string {
	if n, ok := g.byTeam[id]; ok {
		return n
	}
	return fmt.Sprintf("Team %04d", id-teamBase)
}

func (g *gen) period(id int) period { return g.byPeriod[id] }

func (g *gen) title(id int) string {
	if t, ok := g.byTitle[id]; ok {
		return t
	}
	switch {
	case id >= krBase:
		return krTitle(id - krBase)
	case id >= objectiveBase:
		return objectiveTitle(id - objectiveBase)
	}
	return "OKR " + strconv.Itoa(id)
}

func objectiveTitle(i int) string {
	verbs := [...]string{"Delight", "Grow", "Simplify", "Secure", "Scale", "Modernise", "Win"}
	what := [...]string{"our customers", "the partner channel", "onboarding", "the platform", "support", "the EMEA market", "billing"}
	return fmt.Sprintf("%s %s (%d)", verbs[i%len(verbs)], what[(i/len(verbs))%len(what)], i)
}

func krTitle(j int) string {
	switch j % 4 {
	case 0:
		return fmt.Sprintf("Close %d deals (%d)", 50+j%50, j)
	case 1:
		return fmt.Sprintf("Cut response time to 300 ms (%d)", j)
	case 2:
		return fmt.Sprintf("Roll out to every region (%d)", j)
	}
	return fmt.Sprintf("Reach $50k in new revenue (%d)", j)
}

func (g *gen) periodsFile(l *listWriter) error {
	for _, p := range g.f.periods {
		writePeriod(&l.o, p)
		l.add()
	}
	return l.err
}

func (g *gen) usersFile(l *listWriter) error {
	for _, u := range g.f.users {
		g.writeUser(&l.o, u.id)
		l.add()
	}
	for i := range g.s.People {
		g.writeUser(&l.o, userBase+i)
		l.add()
	}
	return l.err
}

func (g *gen) teamsFile(l *listWriter) error {
	for _, t := range g.f.teams {
		g.writeTeam(&l.o, t)
		l.add()
	}
	for t := range g.s.teams() {
		parent := "Acme"
		if t > 0 {
			parent = g.teamName(teamBase + (t-1)/6)
		}
		g.writeTeam(&l.o, team{id: teamBase + t, name: g.teamName(teamBase + t), parent: parent,
			owners: []int{userBase + (t*20)%g.s.People}, kind: "Team", status: "Active"})
		l.add()
	}
	return l.err
}

func (g *gen) objectivesFile(l *listWriter) error {
	for _, r := range g.f.okrs {
		g.writeOKR(&l.o, r)
		l.add()
	}
	s := g.s
	owner := func(k int) []int {
		if s.People == 0 {
			return []int{1 + k%8}
		}
		return []int{userBase + k%s.People}
	}
	teamOf := func(k int) int {
		if s.teams() == 0 {
			return 10
		}
		return teamBase + k%s.teams()
	}
	for i := range s.Objectives {
		// Each objective aligns under a key result of an earlier one, four
		// to a key result, so the tree is several levels deep.
		parent := 1001
		if i > 0 {
			parent = objectiveBase + (i-1)/4
			if (i-1)/4 < s.KeyResults {
				parent = krBase + (i-1)/4
			}
		}
		g.writeOKR(&l.o, okr{id: objectiveBase + i, title: objectiveTitle(i), typ: "Big rock", owners: owner(3 * i), team: teamOf(i),
			period: generatedPeriod, parents: []int{parent}, status: "On Track", goalType: "Committed", progress: float64(i % 100)})
		l.add()
	}
	for j := range s.KeyResults {
		g.writeOKR(&l.o, g.keyResult(j, owner(7*j+1), teamOf(j)))
		l.add()
	}
	for k := range s.Projects {
		parent := 1001
		if s.KeyResults > 0 {
			parent = krBase + (k*10)%s.KeyResults
		}
		st := "On Track"
		if k%3 == 0 {
			st = "Completed"
		}
		g.writeOKR(&l.o, okr{id: projectBase + k, title: fmt.Sprintf("Project %d", k), typ: "Project", owners: owner(k), team: teamOf(k),
			period: generatedPeriod, parents: []int{parent}, status: st, progress: float64(k % 101)})
		l.add()
	}
	return l.err
}

// keyResult is generated key result j: in turn a count to increase, a
// time to decrease, a percentage and an amount of dollars.
func (g *gen) keyResult(j int, owners []int, team int) okr {
	parent := 1000
	if g.s.Objectives > 0 {
		parent = objectiveBase + j%g.s.Objectives
	}
	r := okr{id: krBase + j, title: krTitle(j), typ: "Kpi", owners: owners, team: team, period: generatedPeriod,
		parents: []int{parent}, status: "On Track", progress: float64(j % 100)}
	if j%5 == 0 {
		r.weights = []string{"30%"}
	}
	switch j % 4 {
	case 0:
		r.outcome = metric("deals", 0, float64(50+j%50), "Increase to")
	case 1:
		r.outcome = metric("ms", 800, 300, "Decrease to")
	case 2:
		r.outcome = percentage()
	default:
		r.outcome = metric("$", 10_000, 50_000, "Increase to")
	}
	return r
}

func (g *gen) checkInsFile(l *listWriter) error {
	for _, c := range g.f.checks {
		g.writeCheckIn(&l.o, c)
		l.add()
	}
	s := g.s
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	monday := time.Date(2025, 7, 7, 9, 0, 0, 0, time.UTC)
	owner := func(k int) int {
		if s.People == 0 {
			return 1 + k%8
		}
		return userBase + k%s.People
	}
	for j := range s.KeyResults {
		r := g.keyResult(j, nil, 0)
		o := r.outcome
		start, target := o.start, o.target
		if o.typ == "Percentage" {
			start, target = 0, 100
		}
		pace := 0.4 + 0.8*rng.Float64()
		for w := range s.CheckInsPerKR {
			done := min(1, pace*float64(w+1)/float64(s.CheckInsPerKR))
			expected := float64(w+1) / float64(s.CheckInsPerKR)
			c := checkIn{id: checkInBase + j*s.CheckInsPerKR + w, okr: r.id, owner: owner(7*j + 1),
				date:  monday.AddDate(0, 0, 7*w).Add(time.Duration(j%8) * time.Hour).Format(time.RFC3339),
				value: float64(int((start+done*(target-start))*100)) / 100, hasValue: true}
			switch {
			case done >= expected:
				c.status = "On Track"
			case done >= 0.7*expected:
				c.status = "At Risk"
			default:
				c.status = "Behind"
			}
			switch {
			case w%7 == 3:
				c.html = fmt.Sprintf("<p>Week %d: <b>%s</b> &amp; moving.</p><ul><li>next step</li></ul>", w+1, c.status)
			case w%3 == 0:
				c.note = fmt.Sprintf("Week %d: %s.", w+1, strings.ToLower(c.status))
			}
			g.writeCheckIn(&l.o, c)
			l.add()
		}
		if l.err != nil {
			return l.err
		}
	}
	return l.err
}
