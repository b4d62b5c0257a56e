// Package demo seeds a small example organisation (people, teams, a
// quarter of OKRs with a few weeks of check-ins) into an empty workspace,
// for `okrbot --demo` and for tests that want a lived-in workspace.
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// User is who a newcomer plays in the demo organisation by default.
const User = "alice"

type demoPerson struct {
	name, tz, email string
	role            okrcore.Role
}

type demoKR struct {
	title         string
	metric        okrcore.MetricKind
	unit          string
	start, target float64
	owner         string // a person, or "" for the objective's owner
	pace          float64
}

type demoObjective struct {
	key, title  string
	owner, team string  // one of them
	underKR     *keyIdx // aligned under a key result of an earlier objective
	underObj    string  // or under an earlier objective
	krs         []demoKR
}

// Seed fills a workspace with a believable organisation: a company
// objective, three teams with aligned objectives and key results in the
// current quarter, a KPI, initiatives, and weekly check-ins so far. It does
// nothing (and says so) when the workspace already has people in it.
func Seed(ctx context.Context, store okrcore.Store, ws, platform string, now time.Time) (bool, error) {
	seeded := false
	err := store.Update(ctx, func(tx okrcore.Tx) error {
		seeded = false
		if us, err := tx.Users(ws); err != nil {
			return err
		} else if len(us) > 0 {
			return nil
		}
		if err := okrcore.EnsureWorkspace(tx, ws, platform, now); err != nil {
			return err
		}
		c, err := okrcore.CurrentCycle(tx, ws)
		if err != nil {
			return err
		}
		if err := seedDemo(tx, ws, platform, c, now); err != nil {
			return err
		}
		seeded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seed demo: %w", err)
	}
	return seeded, nil
}

// The demo organisation: who is in it, its teams, its objectives with
// their key results, and some initiatives. Check-ins are made up from each
// key result's pace.
var (
	demoOrgPeople = []demoPerson{
		{"dana", "America/New_York", "dana@acme.example", okrcore.RoleAdmin},
		{"alice", "Europe/Berlin", "alice@acme.example", okrcore.RoleMember},
		{"bob", "America/Los_Angeles", "bob@acme.example", okrcore.RoleMember},
		{"carol", "Europe/London", "carol@acme.example", okrcore.RoleMember},
		{"erin", "Europe/Berlin", "erin@acme.example", okrcore.RoleMember},
		{"frank", "Asia/Kolkata", "frank@acme.example", okrcore.RoleMember},
		{"gina", "America/Chicago", "gina@acme.example", okrcore.RoleMember},
		{"hank", "America/Chicago", "hank@acme.example", okrcore.RoleMember},
		{"olga", "Europe/Paris", "olga@acme.example", okrcore.RoleObserver},
	}
	// Parents come before the teams beneath them.
	demoOrgTeams = []demoTeam{
		{"Leadership", "dana", "", "#leadership", []string{"alice", "carol", "gina"}},
		{"Sales", "alice", "Leadership", "#sales", []string{"bob"}},
		{"Engineering", "carol", "Leadership", "#engineering", []string{"erin", "frank"}},
		{"Customer Success", "gina", "Leadership", "#customer-success", []string{"hank"}},
	}
	demoOrgObjectives = []demoObjective{
		{key: "company", title: "Become the go-to OKR assistant for mid-sized companies", owner: "dana", krs: []demoKR{
			{"Grow ARR", okrcore.MetricCurrency, "$", 1.2e6, 2e6, "dana", 0.9},
			{"Raise NPS", okrcore.MetricNumber, "", 30, 50, "dana", 0.8},
			{"Cut monthly churn", okrcore.MetricPercent, "", 5, 3, "dana", 0.6},
		}},
		{key: "sales", title: "Win the mid-market", team: "Sales", underKR: &keyIdx{"company", 0}, krs: []demoKR{
			{"New mid-market customers", okrcore.MetricNumber, "customers", 0, 40, "alice", 1.0},
			{"Qualified pipeline", okrcore.MetricCurrency, "$", 0, 3e6, "bob", 0.7},
		}},
		{key: "playbook", title: "Build a repeatable sales playbook", owner: "alice", underObj: "sales", krs: []demoKR{
			{"Playbook published", okrcore.MetricMilestone, "", 0, 1, "alice", 0},
			{"Reps certified on the playbook", okrcore.MetricNumber, "reps", 0, 8, "alice", 0.5},
		}},
		{key: "eng", title: "Ship a product customers love", team: "Engineering", underKR: &keyIdx{"company", 1}, krs: []demoKR{
			{"p95 check-in latency", okrcore.MetricNumber, "ms", 800, 300, "carol", 1.1},
			{"Teams integration launched", okrcore.MetricMilestone, "", 0, 1, "erin", 0},
			{"Weekly active check-in rate", okrcore.MetricPercent, "", 40, 75, "frank", 0.9},
		}},
		{key: "cs", title: "Keep every customer we win", team: "Customer Success", underKR: &keyIdx{"company", 2}, krs: []demoKR{
			{"Onboarding completion", okrcore.MetricPercent, "", 60, 90, "gina", 0.8},
			{"First reply time", okrcore.MetricNumber, "hours", 24, 4, "hank", 0.4},
		}},
	}
	demoOrgInitiatives = []demoInitiative{
		{keyIdx{"sales", 0}, "Hire a second SDR", "alice", true},
		{keyIdx{"sales", 0}, "Partner webinar series", "bob", false},
		{keyIdx{"cs", 1}, "Roll out the new help desk", "hank", false},
	}
)

type demoTeam struct {
	name, lead, parent, channel string
	members                     []string // besides the lead
}

type demoInitiative struct {
	kr    keyIdx
	title string
	owner string
	done  bool
}

// demoOrg is what has been seeded so far, by the names the tables use.
type demoOrg struct {
	tx       okrcore.Tx
	ws       string
	platform string
	cycle    *okrcore.Cycle
	start    time.Time // when everything seeded was made: the cycle's start
	now      time.Time // check-ins run until the week before
	users    map[string]*okrcore.User
	teams    map[string]*okrcore.Team
	objIDs   map[string]okrcore.ID
	krIDs    map[string][]okrcore.ID
}

func seedDemo(tx okrcore.Tx, ws, platform string, c *okrcore.Cycle, now time.Time) error {
	org := &demoOrg{tx: tx, ws: ws, platform: platform, cycle: c, start: c.Start, now: now,
		users: map[string]*okrcore.User{}, teams: map[string]*okrcore.Team{},
		objIDs: map[string]okrcore.ID{}, krIDs: map[string][]okrcore.ID{}}
	// Each seeds what the next ones refer to by name.
	for _, seed := range []func() error{
		org.seedPeople, org.seedTeams, org.seedObjectives, org.seedCheckIns, org.seedKPI, org.seedInitiatives,
	} {
		if err := seed(); err != nil {
			return err
		}
	}
	return nil
}

func (org *demoOrg) seedPeople() error {
	for _, p := range demoOrgPeople {
		u := &okrcore.User{Workspace: org.ws, Platform: org.platform, PlatformID: p.name, Name: p.name, Email: p.email, TimeZone: p.tz, Role: p.role, CreatedAt: org.start}
		if err := org.tx.PutUser(u); err != nil {
			return err
		}
		org.users[p.name] = u
	}
	return nil
}

// seedTeams makes each team in its lead's time zone, the lead first among
// its members.
func (org *demoOrg) seedTeams() error {
	for _, t := range demoOrgTeams {
		lead := org.users[t.lead]
		team := &okrcore.Team{Workspace: org.ws, Name: t.name, Lead: lead.ID, DigestChannel: t.channel, TimeZone: lead.TimeZone}
		team.Members = append(team.Members, lead.ID)
		for _, m := range t.members {
			team.Members = append(team.Members, org.users[m].ID)
		}
		if t.parent != "" {
			team.Parent = org.teams[t.parent].ID
		}
		if err := org.tx.PutTeam(team); err != nil {
			return err
		}
		org.teams[t.name] = team
	}
	return nil
}

// seedObjectives makes the objectives in order, so that each can align
// under one made before it, and each with its key results.
func (org *demoOrg) seedObjectives() error {
	admin := org.users["dana"]
	for _, d := range demoOrgObjectives {
		o := &okrcore.Objective{Title: d.title, Cycle: org.cycle.ID}
		if d.team != "" {
			o.Owner = okrcore.TeamOwner(org.teams[d.team].ID)
		} else {
			o.Owner = okrcore.UserOwner(org.users[d.owner].ID)
		}
		if d.underKR != nil {
			o.ParentKR = org.krIDs[d.underKR.key][d.underKR.idx]
		}
		if d.underObj != "" {
			o.ParentObjective = org.objIDs[d.underObj]
		}
		if _, err := okrcore.CreateObjective(org.tx, org.start, admin, o); err != nil {
			return fmt.Errorf("objective %q: %w", d.title, err)
		}
		org.objIDs[d.key] = o.ID
		for _, dk := range d.krs {
			k := &okrcore.KeyResult{Objective: o.ID, Title: dk.title, Metric: dk.metric, Unit: dk.unit, Start: dk.start, Target: dk.target}
			if dk.owner != "" {
				k.Owner = okrcore.UserOwner(org.users[dk.owner].ID)
			}
			if _, err := okrcore.CreateKeyResult(org.tx, org.start, admin, k); err != nil {
				return fmt.Errorf("key result %q: %w", dk.title, err)
			}
			org.krIDs[d.key] = append(org.krIDs[d.key], k.ID)
		}
	}
	return nil
}

// demoCheckIn is one made-up check-in, by owner at at.
type demoCheckIn struct {
	at    time.Time
	owner *okrcore.User
	in    okrcore.CheckInInput
}

// seedCheckIns makes weekly check-ins from the first Monday of the cycle
// until last week: each owner moves their key result along its pace, with
// some noise. The noise is seeded, so that every demo is the same.
func (org *demoOrg) seedCheckIns() error {
	rng := rand.New(rand.NewPCG(42, 7))
	var checkins []demoCheckIn
	start := org.start
	for week := start.AddDate(0, 0, (8-int(start.Weekday()))%7); week.Before(org.now.AddDate(0, 0, -6)); week = week.AddDate(0, 0, 7) {
		at := week.Add(10 * time.Hour)
		elapsed := okrcore.ExpectedProgress(org.cycle, at)
		for _, d := range demoOrgObjectives {
			for i, dk := range d.krs {
				if in, ok := demoCheckInInput(rng, d.key, dk, org.krIDs[d.key][i], elapsed); ok {
					checkins = append(checkins, demoCheckIn{at: at, owner: org.users[dk.owner], in: in})
				}
			}
		}
	}
	for _, ci := range checkins {
		if _, err := okrcore.RecordCheckIn(org.tx, ci.at, ci.owner, ci.in); err != nil {
			return fmt.Errorf("demo check-in: %w", err)
		}
	}
	return nil
}

// demoCheckInInput is key result dk's check-in when elapsed of the cycle
// has gone by. Milestones are only checked in on from half way, and only
// the playbook is published then; key results on a slow pace report a
// blocker after 40% of the cycle.
func demoCheckInInput(rng *rand.Rand, objKey string, dk demoKR, id okrcore.ID, elapsed float64) (okrcore.CheckInInput, bool) {
	var v float64
	if dk.metric == okrcore.MetricMilestone {
		if elapsed < 0.5 {
			return okrcore.CheckInInput{}, false
		}
		v = 0
		if objKey == "playbook" {
			v = 1
		}
	} else {
		p := math.Max(0, elapsed*dk.pace+(rng.Float64()-0.5)*0.06)
		v = dk.start + (dk.target-dk.start)*p
		v = math.Round(v*10) / 10
	}
	conf := 5 + int(dk.pace*4) + rng.IntN(2)
	if conf > 10 {
		conf = 10
	}
	in := okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: id, Value: &v, Confidence: &conf}
	if dk.pace < 0.5 && elapsed > 0.4 {
		in.Blockers = "waiting on the support tooling migration"
	}
	return in, true
}

func (org *demoOrg) seedKPI() error {
	kpi := &okrcore.KPI{Workspace: org.ws, Title: "Uptime", Unit: "%", Current: 99.95, HealthyMin: 99.5, HealthyMax: 100, Owner: okrcore.TeamOwner(org.teams["Engineering"].ID), CreatedAt: org.start}
	return org.tx.PutKPI(kpi)
}

func (org *demoOrg) seedInitiatives() error {
	for _, d := range demoOrgInitiatives {
		in := okrcore.Initiative{KeyResult: org.krIDs[d.kr.key][d.kr.idx], Title: d.title, Owner: org.users[d.owner].ID, Done: d.done}
		in.Workspace, in.CreatedAt = org.ws, org.start
		if err := org.tx.PutInitiative(&in); err != nil {
			return err
		}
	}
	return nil
}

type keyIdx struct {
	key string
	idx int
}
