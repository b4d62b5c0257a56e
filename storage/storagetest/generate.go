package storagetest

// GenerateOrg bulk-loads a large, deterministic organisation for benchmarks
// and load tests of any backend and of the bot on top of it.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// BenchPlatform is the platform of every generated user.
const BenchPlatform = "bench"

// OrgSpec says what GenerateOrg builds. A zero field takes the default in
// parentheses.
type OrgSpec struct {
	// Workspace is where the organisation goes ("bench"). It must not exist
	// yet: records are written under fixed IDs starting at 1.
	Workspace string
	// Users is the number of people (10,000); user N has platform "bench",
	// platform ID "uN" and name "userN". User 1 is the admin and CEO.
	Users int
	// Teams is the number of teams (2,000), Departments of them top-level
	// (min(8, Teams/5), at least 1), a fifth of the rest teams under the
	// departments and the others sub-teams under those. Every user is in
	// exactly one team; every team has a lead. Users must be >= Teams.
	Teams       int
	Departments int
	// Objectives (30,000) and KeyResults (100,000) in the one current
	// cycle. Objectives are spread over five alignment levels: company
	// (owned by user 1), department, team, sub-team (owned by the team,
	// a tenth by its lead) and individual; each is aligned under a key
	// result (mostly) or an objective of the level above. Objectives get
	// two to five key results, adjusted to make the total exact.
	Objectives int
	KeyResults int
	// CheckInsPerKR is the number of weekly check-ins per key result, spread
	// from its creation to Now (0: none).
	CheckInsPerKR int
	// Now is the moment the organisation is "as of": its quarter is the
	// current cycle and values, statuses and check-ins are as they would be
	// then (2026-11-18 10:00 UTC, in the middle of Q4 2026). Drive engines
	// with a clock at Org.Now.
	Now time.Time
	// Seed makes a different organisation of the same shape (1).
	Seed uint64
	// BatchSize is how many records one Update writes (5,000).
	BatchSize int
}

// DefaultOrgSpec is the 10,000-person organisation.
func DefaultOrgSpec() OrgSpec { return OrgSpec{}.withDefaults() }

func (s OrgSpec) withDefaults() OrgSpec {
	if s.Workspace == "" {
		s.Workspace = "bench"
	}
	if s.Users == 0 {
		s.Users = 10000
	}
	if s.Teams == 0 {
		s.Teams = 2000
	}
	if s.Departments == 0 {
		s.Departments = max(1, min(8, s.Teams/5))
	}
	if s.Objectives == 0 {
		s.Objectives = 30000
	}
	if s.KeyResults == 0 {
		s.KeyResults = 100000
	}
	if s.Now.IsZero() {
		s.Now = time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC)
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	if s.BatchSize <= 0 {
		s.BatchSize = 5000
	}
	return s
}

func (s OrgSpec) validate() error {
	switch {
	case s.Users < 1 || s.Teams < 1 || s.Objectives < 1 || s.KeyResults < 0 || s.CheckInsPerKR < 0:
		return fmt.Errorf("generate org: users, teams and objectives must be positive, key results and check-ins not negative")
	case s.Users < s.Teams:
		return fmt.Errorf("generate org: %d users cannot lead %d teams", s.Users, s.Teams)
	case s.Departments < 1 || s.Departments > s.Teams:
		return fmt.Errorf("generate org: %d departments for %d teams", s.Departments, s.Teams)
	}
	return nil
}

// Org is what GenerateOrg built: counts and the IDs and names that
// benchmarks look things up by.
type Org struct {
	Spec      OrgSpec // with defaults filled in
	Workspace string
	Platform  string // BenchPlatform
	Now       time.Time
	Cycle     okrcore.ID
	CycleName string
	Admin     string // platform ID of user 1, the admin (and CEO)

	Users, Teams, Objectives, KeyResults, CheckIns int
	// ObjectivesPerLevel counts objectives by alignment level: [0] those
	// with no parent (the company's, and the few individual objectives
	// left unaligned), [1] those aligned under them (departments') … [4]
	// individual objectives of people in sub-teams.
	ObjectivesPerLevel [5]int
	// Depth is the deepest alignment level reached (5 when the org is big
	// enough for every level).
	Depth int

	Departments []string // names of the top-level teams
	TeamNames   []string // every team, in ID order
	// MidTeam is a team of median size that owns objectives: a typical
	// `/okr team NAME`. LargestTeam has the most members.
	MidTeam     string
	LargestTeam string

	// Platform IDs of users by how many objectives they own: Busiest (the
	// most, most first), Several (four to six), Single (exactly one) and
	// Idle (no objective and no key result). Up to ten each.
	Busiest, Several, Single, Idle []string

	// LevelObjectives samples up to 16 objectives of each alignment level;
	// the first of each is the one with the most objectives aligned
	// directly beneath it.
	LevelObjectives [5][]okrcore.ID
	// SampleKRs are up to 256 key results spread evenly over all of them.
	SampleKRs []KRSample
}

// KRSample describes one generated key result.
type KRSample struct {
	ID                     okrcore.ID
	Objective              okrcore.ID
	Level                  int // alignment level of its objective, 1 (no parent) to 5
	Metric                 okrcore.MetricKind
	Direction              okrcore.Direction
	Start, Target, Current float64
	Owner                  okrcore.Owner
	// CheckInAs is the platform ID of a user allowed to check in on it: its
	// owner, or the lead of the team that owns it.
	CheckInAs string
}

// GenerateOrg writes a deterministic organisation described by spec into an
// empty workspace of s (see OrgSpec) and says what it wrote. Records are
// written under explicit IDs in transactions of spec.BatchSize records;
// the whole organisation is built in memory first (about 100 MB of heap
// for the default spec) so that cached progress and status are consistent:
// key result progress is okrcore.KRProgress of its current value, objective
// progress is okrcore.RollUpAll's, and statuses are what okrcore would have
// computed after the last check-in. For a fast load open the store without
// fsync (bolt.Options.NoSync) and reopen it afterwards.
func GenerateOrg(ctx context.Context, s okrcore.Store, spec OrgSpec) (*Org, error) {
	spec = spec.withDefaults()
	if err := spec.validate(); err != nil {
		return nil, err
	}
	err := s.View(ctx, func(tx okrcore.Tx) error {
		if _, err := tx.Workspace(spec.Workspace); err == nil {
			return fmt.Errorf("generate org: workspace %q already exists", spec.Workspace)
		} else if !okrcore.IsNotFound(err) {
			return err
		}
		if us, err := tx.Users(spec.Workspace); err != nil {
			return err
		} else if len(us) > 0 {
			return fmt.Errorf("generate org: workspace %q already has users", spec.Workspace)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	g := newGen(spec)
	g.build()
	if err := g.write(ctx, s); err != nil {
		return nil, fmt.Errorf("generate org: %w", err)
	}
	return g.summary(), nil
}

// gen holds the organisation being built. Users, teams, objectives and key
// results live in slices indexed by ID-1.
type gen struct {
	spec     OrgSpec
	rng      *rand.Rand
	cycle    *okrcore.Cycle
	rules    okrcore.Rules
	expected float64 // expected progress at spec.Now

	users     []*okrcore.User
	userTeam  []int32 // team index of each user
	teams     []*okrcore.Team
	teamLevel []int8    // 1 department, 2 team, 3 sub-team
	teamObjs  [][]int32 // objectives owned at the level of each team

	objs     []*okrcore.Objective
	objLevel []int8
	objKR0   []int32 // index of the first key result of each objective
	krCount  []int32
	krs      []*okrcore.KeyResult

	// ci is reseeded for each key result so that its check-ins can be
	// generated again, identically, when they are written.
	ciSrc *rand.PCG
	ci    *rand.Rand
}

func newGen(spec OrgSpec) *gen {
	c := okrcore.QuarterOf(spec.Now)
	c.ID, c.Workspace = 1, spec.Workspace
	src := rand.NewPCG(0, 0)
	return &gen{
		spec:     spec,
		rng:      rand.New(rand.NewPCG(spec.Seed, 0x6f6b72626f74)),
		cycle:    &c,
		rules:    okrcore.DefaultRules(),
		expected: okrcore.ExpectedProgress(&c, spec.Now),
		ciSrc:    src,
		ci:       rand.New(src),
	}
}

var (
	departmentNames = []string{"Engineering", "Sales", "Marketing", "Operations", "Product", "Support", "Finance", "People"}
	timeZones       = []string{"America/New_York", "Europe/Berlin", "America/Los_Angeles", "Europe/London", "Asia/Singapore", "America/Chicago", "Europe/Paris", "Asia/Kolkata"}
	objectiveTitles = []string{
		"Delight our customers", "Win the mid-market", "Build a world-class platform", "Grow revenue profitably",
		"Make onboarding effortless", "Ship faster with confidence", "Expand into Europe", "Become the easiest tool to adopt",
		"Raise the quality bar", "Build a great place to work", "Keep customers for life", "Make data-driven decisions the default",
		"Cut operating costs", "Strengthen security and compliance", "Scale support without scaling headcount", "Launch the partner program",
		"Improve developer productivity", "Modernise billing", "Grow the self-serve funnel", "Make the product fast",
		"Hire and grow great people", "Reduce time to value", "Own the enterprise segment", "Make reliability a feature",
	}
	checkInNotes    = []string{"good week", "on plan", "slower than hoped", "vendor delivered", "two deals slipped", "new hire ramping up", "holiday week"}
	checkInBlockers = []string{"waiting on legal", "blocked by the platform migration", "need budget approval", "vendor contract not signed"}
)

type krTemplate struct {
	title, unit string
}

var krTemplates = map[okrcore.MetricKind]map[okrcore.Direction][]krTemplate{
	okrcore.MetricPercent: {
		okrcore.Increase: {{"Raise trial-to-paid conversion", ""}, {"Increase test coverage", ""}, {"Grow weekly active share", ""}, {"Raise NPS response rate", ""}, {"Increase feature adoption", ""}, {"Raise first-contact resolution", ""}},
		okrcore.Decrease: {{"Cut monthly churn", ""}, {"Reduce defect escape rate", ""}, {"Lower ticket reopen rate", ""}, {"Cut failed deployments", ""}},
	},
	okrcore.MetricNumber: {
		okrcore.Increase: {{"Close enterprise deals", "deals"}, {"Onboard new partners", "partners"}, {"Publish customer case studies", "studies"}, {"Ship roadmap features", "features"}, {"Book qualified demos", "demos"}, {"Grow weekly active users", "users"}},
		okrcore.Decrease: {{"Cut p95 latency", "ms"}, {"Reduce open P1 bugs", "bugs"}, {"Cut median time to resolve", "hours"}, {"Reduce manual release steps", "steps"}},
	},
	okrcore.MetricCurrency: {
		okrcore.Increase: {{"Grow ARR", "$"}, {"Increase qualified pipeline", "$"}, {"Grow expansion revenue", "$"}, {"Raise partner-sourced revenue", "€"}},
		okrcore.Decrease: {{"Cut cloud spend", "$"}, {"Reduce cost per ticket", "$"}, {"Lower customer acquisition cost", "€"}},
	},
	okrcore.MetricMilestone: {
		okrcore.Increase: {{"Launch the EU region", ""}, {"Publish API v2", ""}, {"Complete the SOC 2 audit", ""}, {"Migrate to the new billing system", ""}, {"Roll out SSO to all customers", ""}, {"Ship the mobile app", ""}},
	},
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func (g *gen) build() {
	g.buildTeams()
	g.buildUsers()
	g.buildObjectives()
	g.finish()
}

func (g *gen) buildTeams() {
	s := g.spec
	d := s.Departments
	rest := s.Teams - d
	n2 := 0
	if rest > 0 {
		n2 = max(1, rest/5)
	}
	g.teams = make([]*okrcore.Team, s.Teams)
	g.teamLevel = make([]int8, s.Teams)
	children := make([]int, s.Teams) // sub-teams named so far, per parent
	for j := range s.Teams {
		t := &okrcore.Team{ID: okrcore.ID(j + 1), Workspace: s.Workspace}
		switch {
		case j < d:
			g.teamLevel[j] = 1
			t.Name = "Department-" + strconv.Itoa(j+1)
			if j < len(departmentNames) {
				t.Name = departmentNames[j]
			}
			t.TimeZone = timeZones[j%len(timeZones)]
		case j < d+n2:
			g.teamLevel[j] = 2
			p := (j - d) % d
			children[p]++
			t.Parent = okrcore.ID(p + 1)
			t.Name = fmt.Sprintf("%s-%02d", g.teams[p].Name, children[p])
		default:
			g.teamLevel[j] = 3
			p := d + g.rng.IntN(n2)
			children[p]++
			t.Parent = okrcore.ID(p + 1)
			t.Name = fmt.Sprintf("%s-%d", g.teams[p].Name, children[p])
		}
		if t.Parent != 0 {
			t.TimeZone = g.teams[t.Parent-1].TimeZone
		}
		if g.teamLevel[j] < 3 {
			t.DigestChannel = "#okr-" + strings.ToLower(t.Name)
		}
		g.teams[j] = t
	}
}

func (g *gen) buildUsers() {
	s := g.spec
	created := g.cycle.Start.AddDate(0, -3, 0)
	g.users = make([]*okrcore.User, s.Users)
	g.userTeam = make([]int32, s.Users)
	for i := range s.Users {
		n := strconv.Itoa(i + 1)
		g.users[i] = &okrcore.User{
			ID: okrcore.ID(i + 1), Workspace: s.Workspace, Platform: BenchPlatform, PlatformID: "u" + n,
			Name: "user" + n, Email: "user" + n + "@bench.example", Role: okrcore.RoleMember, CreatedAt: created,
		}
	}
	g.users[0].Role = okrcore.RoleAdmin
	// Leads: user 1 leads the first department, the others are drawn at
	// random; everyone else joins a team with a probability that favours
	// sub-teams and varies from team to team.
	order := g.rng.Perm(s.Users - 1)
	join := func(u, t int) {
		g.userTeam[u] = int32(t)
		g.teams[t].Members = append(g.teams[t].Members, okrcore.ID(u+1))
	}
	g.teams[0].Lead = 1
	join(0, 0)
	for j := 1; j < s.Teams; j++ {
		u := order[j-1] + 1
		g.teams[j].Lead = okrcore.ID(u + 1)
		join(u, j)
	}
	cum := make([]float64, s.Teams)
	total := 0.0
	for j := range s.Teams {
		total += float64(g.teamLevel[j]) * (0.2 + g.rng.ExpFloat64())
		cum[j] = total
	}
	for _, o := range order[s.Teams-1:] {
		x := g.rng.Float64() * total
		t, _ := slices.BinarySearch(cum, x)
		join(o+1, min(t, s.Teams-1))
	}
	for _, t := range g.teams {
		slices.Sort(t.Members)
	}
	for i, u := range g.users {
		u.TimeZone = g.teams[g.userTeam[i]].TimeZone
	}
}

// buildObjectives creates the objectives level by level, each with its key
// results, so that every parent exists before its children. The order of
// its steps is the order of their draws from g.rng, which makes the
// organisation of a seed.
func (g *gen) buildObjectives() {
	s := g.spec
	n := s.Objectives
	// How many objectives each owner gets: a few company objectives, two to
	// four per team while that stays under 40% of all, and the rest for
	// individuals, some people many and some none.
	company := max(1, min(8, n/5000))
	perTeam, teamTotal := g.teamObjectiveCounts(n, company)
	perUser := g.userObjectiveCounts(n - company - teamTotal)
	g.krCount = g.keyResultCounts(n)

	g.objs = make([]*okrcore.Objective, 0, n)
	g.objLevel = make([]int8, 0, n)
	g.objKR0 = make([]int32, 0, n)
	g.krs = make([]*okrcore.KeyResult, 0, s.KeyResults)
	g.teamObjs = make([][]int32, s.Teams)

	var companyObjs []int32
	for range company {
		companyObjs = append(companyObjs, g.addObjective(okrcore.UserOwner(1), nil))
	}
	for j, t := range g.teams {
		for range perTeam[j] {
			owner := okrcore.TeamOwner(t.ID)
			if g.rng.IntN(10) == 0 {
				owner = okrcore.UserOwner(t.Lead)
			}
			g.teamObjs[j] = append(g.teamObjs[j], g.addObjective(owner, g.parents(j, false, companyObjs)))
		}
	}
	for u, c := range perUser {
		for range c {
			cands := g.parents(int(g.userTeam[u]), true, companyObjs)
			if g.rng.IntN(50) == 0 {
				cands = nil // not aligned
			}
			g.addObjective(okrcore.UserOwner(okrcore.ID(u+1)), cands)
		}
	}
}

// teamObjectiveCounts is how many objectives each team owns, and their
// total: two to four each when the teams' share of n allows, else an even
// share, else one for as many teams as the share covers.
func (g *gen) teamObjectiveCounts(n, company int) ([]int, int) {
	teams := g.spec.Teams
	teamBudget := max(0, n*2/5-company)
	perTeam := make([]int, teams)
	switch {
	case 3*teams <= teamBudget:
		for j := range perTeam {
			perTeam[j] = 2 + g.rng.IntN(3)
		}
	case teamBudget >= teams:
		for j := range perTeam {
			perTeam[j] = teamBudget / teams
		}
	default:
		for j := range teamBudget {
			perTeam[j] = 1
		}
	}
	teamTotal := 0
	for _, c := range perTeam {
		teamTotal += c
	}
	for teamTotal+company > n { // only when n is tiny
		for j := len(perTeam) - 1; j >= 0 && teamTotal+company > n; j-- {
			if perTeam[j] > 0 {
				perTeam[j]--
				teamTotal--
			}
		}
	}
	return perTeam, teamTotal
}

// userObjectiveCounts shares individual objectives out over the users with
// exponential weights, so that some people own many and some none.
func (g *gen) userObjectiveCounts(individual int) []int {
	users := g.spec.Users
	perUser := make([]int, users)
	if individual <= 0 {
		return perUser
	}
	cum := make([]float64, users)
	total := 0.0
	for i := range cum {
		total += g.rng.ExpFloat64()
		cum[i] = total
	}
	for range individual {
		u, _ := slices.BinarySearch(cum, g.rng.Float64()*total)
		perUser[min(u, users-1)]++
	}
	return perUser
}

// keyResultCounts gives each of n objectives two to five key results,
// then moves random ones to the exact total asked for: down to one each
// (none when there are fewer key results than objectives), and up to five
// each (more when more than five each are asked for).
func (g *gen) keyResultCounts(n int) []int32 {
	want := g.spec.KeyResults
	counts := make([]int32, n)
	sum := 0
	for i := range counts {
		counts[i] = int32(2 + g.rng.IntN(4))
		sum += int(counts[i])
	}
	lo, hi := int32(0), int32(5)
	if want >= n {
		lo = 1
	}
	if want > 5*n {
		hi = math.MaxInt32
	}
	for sum > want {
		if i := g.rng.IntN(n); counts[i] > lo {
			counts[i]--
			sum--
		}
	}
	for sum < want {
		if i := g.rng.IntN(n); counts[i] < hi {
			counts[i]++
			sum++
		}
	}
	return counts
}

// parents finds the objectives to align under for an owner in team j:
// those of the nearest team above (or of j itself, for individuals) that
// has some, else the company's.
func (g *gen) parents(j int, self bool, companyObjs []int32) []int32 {
	if !self {
		j = int(g.teams[j].Parent) - 1
	}
	for j >= 0 {
		if len(g.teamObjs[j]) > 0 {
			return g.teamObjs[j]
		}
		j = int(g.teams[j].Parent) - 1
	}
	return companyObjs
}

// addObjective creates the next objective, aligned under a key result (mostly)
// or one of the candidate objectives, with its key results.
func (g *gen) addObjective(owner okrcore.Owner, candidates []int32) int32 {
	r := g.rng
	idx := int32(len(g.objs))
	elapsed := g.spec.Now.Sub(g.cycle.Start)
	created := g.cycle.Start.Add(time.Duration(r.Int64N(int64(min(14*24*time.Hour, elapsed)) + 1))).Truncate(time.Second)
	o := &okrcore.Objective{
		ID: okrcore.ID(idx + 1), Workspace: g.spec.Workspace, Cycle: g.cycle.ID,
		Title: pick(r, objectiveTitles), Owner: owner, CreatedAt: created, UpdatedAt: created,
	}
	if owner.Kind == okrcore.OwnerUser {
		o.CreatedBy = owner.ID
	} else {
		o.CreatedBy = g.teams[owner.ID-1].Lead
	}
	if r.IntN(20) == 0 {
		o.Weight = 2
	}
	level := int8(1)
	if len(candidates) > 0 {
		p := candidates[r.IntN(len(candidates))]
		level = g.objLevel[p] + 1
		if n := g.krCount[p]; n > 0 && r.IntN(100) < 85 {
			o.ParentKR = g.krs[g.objKR0[p]+r.Int32N(n)].ID
		} else {
			o.ParentObjective = g.objs[p].ID
		}
	}
	g.objs = append(g.objs, o)
	g.objLevel = append(g.objLevel, level)
	g.objKR0 = append(g.objKR0, int32(len(g.krs)))
	for range g.krCount[idx] {
		g.krs = append(g.krs, g.newKR(o, level))
	}
	return idx
}

func (g *gen) krOwner(o *okrcore.Objective, level int8) okrcore.Owner {
	r := g.rng
	switch {
	case level == 1 && o.Owner.Kind == okrcore.OwnerUser && o.Owner.ID == 1:
		// Company key results: department leads, the CEO or departments.
		d := okrcore.ID(1 + r.IntN(g.spec.Departments))
		switch x := r.IntN(10); {
		case x < 5:
			return okrcore.UserOwner(g.teams[d-1].Lead)
		case x < 8:
			return o.Owner
		default:
			return okrcore.TeamOwner(d)
		}
	case o.Owner.Kind == okrcore.OwnerTeam:
		t := g.teams[o.Owner.ID-1]
		if r.IntN(10) < 3 {
			return o.Owner
		}
		return okrcore.UserOwner(pick(r, t.Members))
	default:
		if r.IntN(10) == 0 {
			return okrcore.TeamOwner(okrcore.ID(g.userTeam[o.Owner.ID-1] + 1))
		}
		return o.Owner
	}
}

func (g *gen) newKR(o *okrcore.Objective, level int8) *okrcore.KeyResult {
	r := g.rng
	k := &okrcore.KeyResult{
		ID: okrcore.ID(len(g.krs) + 1), Workspace: o.Workspace, Objective: o.ID, Cycle: o.Cycle,
		Owner: g.krOwner(o, level), Weight: 1, Direction: okrcore.Increase,
		CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt,
	}
	if r.IntN(10) == 0 {
		k.Weight = 2
	}
	switch x := r.IntN(100); {
	case x < 35:
		k.Metric = okrcore.MetricPercent
	case x < 70:
		k.Metric = okrcore.MetricNumber
	case x < 90:
		k.Metric = okrcore.MetricCurrency
	default:
		k.Metric = okrcore.MetricMilestone
	}
	if k.Metric != okrcore.MetricMilestone && r.IntN(100) < 25 {
		k.Direction = okrcore.Decrease
	}
	tpl := pick(r, krTemplates[k.Metric][k.Direction])
	k.Title, k.Unit = tpl.title, tpl.unit
	f := r.Float64()
	switch k.Metric {
	case okrcore.MetricPercent:
		if k.Direction == okrcore.Increase {
			k.Start = float64(r.IntN(61))
			k.Target = k.Start + float64(10+r.IntN(31))
		} else {
			k.Start = float64(5 + r.IntN(26))
			k.Target = math.Round(k.Start*(0.3+0.4*f)*2) / 2
		}
	case okrcore.MetricNumber:
		if k.Direction == okrcore.Increase {
			k.Start = float64(r.IntN(501))
			k.Target = k.Start + float64(10+r.IntN(991))
		} else {
			k.Start = float64(50 + r.IntN(951))
			k.Target = math.Round(k.Start * (0.2 + 0.6*f))
		}
	case okrcore.MetricCurrency:
		if k.Direction == okrcore.Increase {
			k.Start = float64(10+r.IntN(1991)) * 1000
			k.Target = math.Round(k.Start*(1.2+1.8*f)/1000) * 1000
		} else {
			k.Start = float64(50+r.IntN(451)) * 1000
			k.Target = math.Round(k.Start*(0.5+0.4*f)/1000) * 1000
		}
	case okrcore.MetricMilestone:
		k.Start, k.Target = 0, 1
	}
	// Progress so far: around the expected progress, some untouched, a few
	// already done.
	p := g.expected + 0.25*r.NormFloat64()
	switch x := r.IntN(100); {
	case x < 5:
		p = 0
	case x < 8:
		p = 1
	}
	p = min(1, max(0, p))
	if k.Metric == okrcore.MetricMilestone {
		if r.Float64() < 0.6*g.expected {
			k.Current = 1
		}
	} else {
		k.Current = roundValue(k, k.Start+p*(k.Target-k.Start))
	}
	k.Progress = okrcore.KRProgress(k)
	return k
}

// roundValue rounds a value as people would report it for the metric.
func roundValue(k *okrcore.KeyResult, v float64) float64 {
	switch k.Metric {
	case okrcore.MetricPercent:
		return math.Round(v*10) / 10
	case okrcore.MetricCurrency:
		return math.Round(v/100) * 100
	}
	return math.Round(v)
}

// checkInAuthor is who checks in on a key result: its owner, or the lead of
// the team that owns it.
func (g *gen) checkInAuthor(k *okrcore.KeyResult) okrcore.ID {
	if k.Owner.Kind == okrcore.OwnerTeam {
		return g.teams[k.Owner.ID-1].Lead
	}
	return k.Owner.ID
}

// checkIns generates the check-ins of key result i, oldest first, from a
// generator seeded by its ID, so that two calls give the same check-ins.
// They climb evenly from the start to the current value. emit may be nil.
func (g *gen) checkIns(i int, emit func(*okrcore.CheckIn) error) (last *okrcore.CheckIn, conf *int, err error) {
	n := g.spec.CheckInsPerKR
	if n == 0 {
		return nil, nil, nil
	}
	k := g.krs[i]
	g.ciSrc.Seed(g.spec.Seed, uint64(k.ID))
	r := g.ci
	author := g.checkInAuthor(k)
	step := min(7*24*time.Hour, g.spec.Now.Sub(k.CreatedAt)/time.Duration(n+1))
	prev := k.Start
	for j := 1; j <= n; j++ {
		at := k.CreatedAt.Add(step * time.Duration(j))
		if step >= 2 {
			at = at.Add(time.Duration(r.Int64N(int64(step / 2))))
		}
		at = at.Truncate(time.Second)
		v := roundValue(k, k.Start+(k.Current-k.Start)*float64(j)/float64(n))
		if k.Metric == okrcore.MetricMilestone {
			v = 0
			if j == n {
				v = k.Current
			}
		}
		ci := &okrcore.CheckIn{
			ID: okrcore.ID(i*n + j), Workspace: k.Workspace, Target: okrcore.TargetKR, TargetID: k.ID,
			Author: author, At: at, Value: v, Previous: prev,
		}
		if r.IntN(2) == 0 {
			tmp := *k
			tmp.Current = v
			lag := okrcore.KRProgress(&tmp) - okrcore.ExpectedProgress(g.cycle, at)
			c := min(10, max(0, int(math.Round(6+10*lag+r.NormFloat64()))))
			ci.Confidence = &c
			conf = &c
		}
		if r.IntN(5) == 0 {
			ci.Note = pick(r, checkInNotes)
		}
		if r.IntN(20) == 0 {
			ci.Blockers = pick(r, checkInBlockers)
		}
		if emit != nil {
			if err := emit(ci); err != nil {
				return nil, nil, err
			}
		}
		prev, last = v, ci
	}
	return last, conf, nil
}

// finish fills what depends on everything else: key result status as the
// last check-in left it, objective progress by roll-up, objective status.
func (g *gen) finish() {
	for i, k := range g.krs {
		last, conf, _ := g.checkIns(i, nil)
		at := g.spec.Now
		if last != nil {
			at = last.At
			k.LastCheckIn, k.UpdatedAt = last.At, last.At
			k.Confidence = conf
		}
		if last != nil && last.Confidence != nil {
			k.Status, k.StatusSet = okrcore.StatusFromConfidence(*last.Confidence), true
			if k.Progress >= 1 {
				k.Status = okrcore.StatusDone
			}
		} else {
			k.Status = okrcore.ComputeStatus(k.Progress, okrcore.ExpectedProgressSince(g.cycle, k.CreatedAt, at), g.rules)
		}
	}
	progress := okrcore.RollUpAll(g.objs, g.krs)
	for i, o := range g.objs {
		o.Progress = progress[o.ID]
		krs := g.krs[g.objKR0[i] : g.objKR0[i]+g.krCount[i]]
		// As okrcore's roll-up after a check-in: computed from progress,
		// but no better than what owners said about its key results.
		o.Status = okrcore.ComputeStatus(o.Progress, okrcore.ExpectedProgressSince(g.cycle, o.CreatedAt, g.spec.Now), g.rules)
		worst := okrcore.StatusNone
		for _, k := range krs {
			if k.StatusSet && (k.Status == okrcore.StatusOffTrack || (k.Status == okrcore.StatusAtRisk && worst != okrcore.StatusOffTrack)) {
				worst = k.Status
			}
			if k.UpdatedAt.After(o.UpdatedAt) {
				o.UpdatedAt = k.UpdatedAt
			}
		}
		if worst == okrcore.StatusOffTrack || (worst == okrcore.StatusAtRisk && o.Status == okrcore.StatusOnTrack) {
			o.Status = worst
		}
	}
}

// write stores everything in transactions of spec.BatchSize records. IDs
// are explicit, so an Update that runs its function twice writes the same.
func (g *gen) write(ctx context.Context, s okrcore.Store) error {
	err := s.Update(ctx, func(tx okrcore.Tx) error {
		if err := tx.PutCycle(g.cycle); err != nil {
			return err
		}
		return tx.PutWorkspace(&okrcore.Workspace{
			ID: g.spec.Workspace, Name: g.spec.Workspace, CurrentCycle: g.cycle.ID,
			Rules: okrcore.DefaultRules(), CreatedAt: g.cycle.Start.AddDate(0, -3, 0),
		})
	})
	if err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	b := g.spec.BatchSize
	if err := putAll(ctx, s, "users", len(g.users), b, func(tx okrcore.Tx, i int) error { return tx.PutUser(g.users[i]) }); err != nil {
		return err
	}
	if err := putAll(ctx, s, "teams", len(g.teams), b, func(tx okrcore.Tx, i int) error { return tx.PutTeam(g.teams[i]) }); err != nil {
		return err
	}
	if err := putAll(ctx, s, "objectives", len(g.objs), b, func(tx okrcore.Tx, i int) error { return tx.PutObjective(g.objs[i]) }); err != nil {
		return err
	}
	if err := putAll(ctx, s, "key results", len(g.krs), b, func(tx okrcore.Tx, i int) error { return tx.PutKeyResult(g.krs[i]) }); err != nil {
		return err
	}
	if n := g.spec.CheckInsPerKR; n > 0 {
		per := max(1, b/n) // key results per transaction
		err := putAll(ctx, s, "check-ins", len(g.krs), per, func(tx okrcore.Tx, i int) error {
			_, _, err := g.checkIns(i, func(ci *okrcore.CheckIn) error { return tx.AddCheckIn(ci) })
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// putAll calls put for 0..n-1, batch of them per Update.
func putAll(ctx context.Context, s okrcore.Store, what string, n, batch int, put func(tx okrcore.Tx, i int) error) error {
	for from := 0; from < n; from += batch {
		to := min(n, from+batch)
		err := s.Update(ctx, func(tx okrcore.Tx) error {
			for i := from; i < to; i++ {
				if err := put(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s %d–%d: %w", what, from+1, to, err)
		}
	}
	return nil
}

func (g *gen) platformID(u okrcore.ID) string { return g.users[u-1].PlatformID }

// summary describes the organisation for the benchmarks that use it.
func (g *gen) summary() *Org {
	org := &Org{
		Spec: g.spec, Workspace: g.spec.Workspace, Platform: BenchPlatform, Now: g.spec.Now,
		Cycle: g.cycle.ID, CycleName: g.cycle.Name, Admin: g.users[0].PlatformID,
		Users: len(g.users), Teams: len(g.teams), Objectives: len(g.objs), KeyResults: len(g.krs),
		CheckIns: len(g.krs) * g.spec.CheckInsPerKR,
	}
	for _, l := range g.objLevel {
		org.ObjectivesPerLevel[l-1]++
		org.Depth = max(org.Depth, int(l))
	}

	// Teams.
	largest := 0
	type sized struct{ team, members int }
	var owning []sized
	for j, t := range g.teams {
		org.TeamNames = append(org.TeamNames, t.Name)
		if g.teamLevel[j] == 1 {
			org.Departments = append(org.Departments, t.Name)
		}
		if len(t.Members) > len(g.teams[largest].Members) {
			largest = j
		}
		if g.teamLevel[j] > 1 && len(g.teamObjs[j]) > 0 {
			owning = append(owning, sized{j, len(t.Members)})
		}
	}
	org.LargestTeam = g.teams[largest].Name
	if len(owning) == 0 {
		owning = append(owning, sized{largest, 0})
	}
	slices.SortStableFunc(owning, func(a, b sized) int { return cmp.Compare(a.members, b.members) })
	org.MidTeam = g.teams[owning[len(owning)/2].team].Name

	// Users by the objectives they own.
	objsOf := make([]int, len(g.users))
	krsOf := make([]int, len(g.users))
	for _, o := range g.objs {
		if o.Owner.Kind == okrcore.OwnerUser {
			objsOf[o.Owner.ID-1]++
		}
	}
	for _, k := range g.krs {
		if k.Owner.Kind == okrcore.OwnerUser {
			krsOf[k.Owner.ID-1]++
		}
	}
	byCount := make([]int, len(g.users))
	for i := range byCount {
		byCount[i] = i
	}
	slices.SortStableFunc(byCount, func(a, b int) int { return cmp.Compare(objsOf[b], objsOf[a]) })
	for _, u := range byCount[:min(10, len(byCount))] {
		if objsOf[u] > 0 {
			org.Busiest = append(org.Busiest, g.users[u].PlatformID)
		}
	}
	for u := range g.users {
		id := g.users[u].PlatformID
		switch c := objsOf[u]; {
		case c >= 4 && c <= 6 && len(org.Several) < 10:
			org.Several = append(org.Several, id)
		case c == 1 && len(org.Single) < 10:
			org.Single = append(org.Single, id)
		case c == 0 && krsOf[u] == 0 && len(org.Idle) < 10:
			org.Idle = append(org.Idle, id)
		}
	}

	// Objectives by level, the widest first.
	beneath := make([]int, len(g.objs))
	for _, o := range g.objs {
		switch {
		case o.ParentKR != 0:
			beneath[g.krs[o.ParentKR-1].Objective-1]++
		case o.ParentObjective != 0:
			beneath[o.ParentObjective-1]++
		}
	}
	var perLevel [5][]int
	for i, l := range g.objLevel {
		perLevel[l-1] = append(perLevel[l-1], i)
	}
	for l, idx := range perLevel {
		if len(idx) == 0 {
			continue
		}
		widest := idx[0]
		for _, i := range idx {
			if beneath[i] > beneath[widest] {
				widest = i
			}
		}
		sample := []okrcore.ID{g.objs[widest].ID}
		for s := range min(15, len(idx)) {
			if i := idx[s*len(idx)/min(15, len(idx))]; i != widest {
				sample = append(sample, g.objs[i].ID)
			}
		}
		org.LevelObjectives[l] = sample
	}

	// Key results spread over all of them.
	ns := min(256, len(g.krs))
	for s := range ns {
		k := g.krs[s*len(g.krs)/ns]
		org.SampleKRs = append(org.SampleKRs, KRSample{
			ID: k.ID, Objective: k.Objective, Level: int(g.objLevel[k.Objective-1]), Metric: k.Metric, Direction: k.Direction,
			Start: k.Start, Target: k.Target, Current: k.Current, Owner: k.Owner, CheckInAs: g.platformID(g.checkInAuthor(k)),
		})
	}
	return org
}
