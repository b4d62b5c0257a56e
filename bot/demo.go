package bot

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// DemoUser is who a newcomer plays in the demo organisation by default.
const DemoUser = "alice"

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

// SeedDemo fills a workspace with a believable organisation: a company
// objective, three teams with aligned objectives and key results in the
// current quarter, a KPI, initiatives, and weekly check-ins so far. It does
// nothing (and says so) when the workspace already has people in it.
func SeedDemo(ctx context.Context, store okrcore.Store, ws, platform string, now time.Time) (bool, error) {
	seeded := false
	err := store.Update(ctx, func(tx okrcore.Tx) error {
		seeded = false
		if us, err := tx.Users(ws); err != nil {
			return err
		} else if len(us) > 0 {
			return nil
		}
		if err := EnsureWorkspace(tx, ws, platform, now); err != nil {
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

func seedDemo(tx okrcore.Tx, ws, platform string, c *okrcore.Cycle, now time.Time) error {
	people := []demoPerson{
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
	start := c.Start
	users := map[string]*okrcore.User{}
	for _, p := range people {
		u := &okrcore.User{Workspace: ws, Platform: platform, PlatformID: p.name, Name: p.name, Email: p.email, TimeZone: p.tz, Role: p.role, CreatedAt: start}
		if err := tx.PutUser(u); err != nil {
			return err
		}
		users[p.name] = u
	}
	teams := map[string]*okrcore.Team{}
	for _, t := range []struct {
		name, lead, parent, channel string
		members                     []string
	}{
		{"Leadership", "dana", "", "#leadership", []string{"alice", "carol", "gina"}},
		{"Sales", "alice", "Leadership", "#sales", []string{"bob"}},
		{"Engineering", "carol", "Leadership", "#engineering", []string{"erin", "frank"}},
		{"Customer Success", "gina", "Leadership", "#customer-success", []string{"hank"}},
	} {
		team := &okrcore.Team{Workspace: ws, Name: t.name, Lead: users[t.lead].ID, DigestChannel: t.channel, TimeZone: users[t.lead].TimeZone}
		team.Members = append(team.Members, users[t.lead].ID)
		for _, m := range t.members {
			team.Members = append(team.Members, users[m].ID)
		}
		if t.parent != "" {
			team.Parent = teams[t.parent].ID
		}
		if err := tx.PutTeam(team); err != nil {
			return err
		}
		teams[t.name] = team
	}
	objectives := []demoObjective{
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
	rng := rand.New(rand.NewPCG(42, 7))
	objIDs := map[string]okrcore.ID{}
	krIDs := map[string][]okrcore.ID{}
	admin := users["dana"]
	for _, d := range objectives {
		o := &okrcore.Objective{Title: d.title, Cycle: c.ID}
		if d.team != "" {
			o.Owner = okrcore.TeamOwner(teams[d.team].ID)
		} else {
			o.Owner = okrcore.UserOwner(users[d.owner].ID)
		}
		if d.underKR != nil {
			o.ParentKR = krIDs[d.underKR.key][d.underKR.idx]
		}
		if d.underObj != "" {
			o.ParentObjective = objIDs[d.underObj]
		}
		if _, err := okrcore.CreateObjective(tx, start, admin, o); err != nil {
			return fmt.Errorf("objective %q: %w", d.title, err)
		}
		objIDs[d.key] = o.ID
		for _, dk := range d.krs {
			k := &okrcore.KeyResult{Objective: o.ID, Title: dk.title, Metric: dk.metric, Unit: dk.unit, Start: dk.start, Target: dk.target}
			if dk.owner != "" {
				k.Owner = okrcore.UserOwner(users[dk.owner].ID)
			}
			if _, err := okrcore.CreateKeyResult(tx, start, admin, k); err != nil {
				return fmt.Errorf("key result %q: %w", dk.title, err)
			}
			krIDs[d.key] = append(krIDs[d.key], k.ID)
		}
	}
	// Weekly check-ins from the first Monday of the cycle until last week:
	// each owner moves their key result along its pace, with some noise.
	var checkins []func() error
	for week := start.AddDate(0, 0, (8-int(start.Weekday()))%7); week.Before(now.AddDate(0, 0, -6)); week = week.AddDate(0, 0, 7) {
		at := week.Add(10 * time.Hour)
		elapsed := okrcore.ExpectedProgress(c, at)
		for _, d := range objectives {
			for i, dk := range d.krs {
				id := krIDs[d.key][i]
				owner := users[dk.owner]
				var v float64
				if dk.metric == okrcore.MetricMilestone {
					if elapsed < 0.5 {
						continue
					}
					v = 0
					if d.key == "playbook" {
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
				checkins = append(checkins, func() error {
					_, err := okrcore.RecordCheckIn(tx, at, owner, in)
					return err
				})
			}
		}
	}
	for _, f := range checkins {
		if err := f(); err != nil {
			return fmt.Errorf("demo check-in: %w", err)
		}
	}
	kpi := &okrcore.KPI{Workspace: ws, Title: "Uptime", Unit: "%", Current: 99.95, HealthyMin: 99.5, HealthyMax: 100, Owner: okrcore.TeamOwner(teams["Engineering"].ID), CreatedAt: start}
	if err := tx.PutKPI(kpi); err != nil {
		return err
	}
	for _, in := range []okrcore.Initiative{
		{KeyResult: krIDs["sales"][0], Title: "Hire a second SDR", Owner: users["alice"].ID, Done: true},
		{KeyResult: krIDs["sales"][0], Title: "Partner webinar series", Owner: users["bob"].ID},
		{KeyResult: krIDs["cs"][1], Title: "Roll out the new help desk", Owner: users["hank"].ID},
	} {
		in.Workspace, in.CreatedAt = ws, start
		if err := tx.PutInitiative(&in); err != nil {
			return err
		}
	}
	return nil
}

type keyIdx struct {
	key string
	idx int
}
