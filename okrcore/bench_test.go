package okrcore_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// Benchmarks run on a generated organisation the size of a large rollout:
// 10,000 people in 2,000 teams with 30,000 objectives and 100,000 key
// results aligned five levels deep. Run them with
//
//	go test -run '^$' -bench . -benchtime 3x ./okrcore/

// orgSize shapes a generated organisation. Levels[i] is the number of
// objectives at alignment level i+1 (1 is the company).
type orgSize struct {
	users, teams int
	levels       []int
	krs          int
}

var largeOrg = orgSize{users: 10000, teams: 2000, levels: []int{10, 190, 1800, 8000, 20000}, krs: 100000}

const benchWS = "bench"

type org struct {
	ws       *okrcore.Workspace
	cycle    *okrcore.Cycle
	users    []*okrcore.User // users[i].ID == i+1; users[0] is an admin
	teams    []*okrcore.Team // teams[i].ID == i+1
	objs     []*okrcore.Objective
	krs      []*okrcore.KeyResult
	level    map[okrcore.ID]int // objective → level, 1-based
	leafKRs  []*okrcore.KeyResult
	userByID map[okrcore.ID]*okrcore.User
}

// genOrg builds an organisation deterministically from seed. Every record
// has its ID set (1, 2, … per kind), every objective below level 1 is
// aligned to a key result (three in four) or an objective of the level
// above, and stored progress is what a full roll-up computes.
func genOrg(tb testing.TB, sz orgSize, seed uint64) *org {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	q := okrcore.QuarterOf(t0)
	q.ID, q.Workspace = 1, benchWS
	o := &org{
		ws:       &okrcore.Workspace{ID: benchWS, Name: "Bench Corp", CurrentCycle: q.ID, CreatedAt: t0},
		cycle:    &q,
		level:    make(map[okrcore.ID]int),
		userByID: make(map[okrcore.ID]*okrcore.User, sz.users),
	}
	for i := 1; i <= sz.users; i++ {
		role := okrcore.RoleMember
		switch {
		case i == 1:
			role = okrcore.RoleAdmin
		case i%100 == 0:
			role = okrcore.RoleObserver
		}
		u := &okrcore.User{ID: okrcore.ID(i), Workspace: benchWS, Platform: "slack", PlatformID: "U" + strconv.Itoa(i),
			Name: "User " + strconv.Itoa(i), Role: role, TimeZone: "UTC", CreatedAt: t0}
		o.users = append(o.users, u)
		o.userByID[u.ID] = u
	}
	// Users are spread round-robin over the teams; the first member leads.
	// Teams form a five-way tree.
	for i := 1; i <= sz.teams; i++ {
		t := &okrcore.Team{ID: okrcore.ID(i), Workspace: benchWS, Name: "Team " + strconv.Itoa(i)}
		for u := i; u <= sz.users; u += sz.teams {
			t.Members = append(t.Members, okrcore.ID(u))
		}
		if len(t.Members) > 0 {
			t.Lead = t.Members[0]
		}
		if i > 1 {
			t.Parent = okrcore.ID((i-2)/5 + 1)
		}
		o.teams = append(o.teams, t)
	}

	total := 0
	for _, n := range sz.levels {
		total += n
	}
	perObj, extra := sz.krs/total, sz.krs%total // the first `extra` objectives get one more
	var prevObjs []*okrcore.Objective
	var prevKRs []*okrcore.KeyResult
	for lvl, n := range sz.levels {
		var objs []*okrcore.Objective
		var krs []*okrcore.KeyResult
		for range n {
			ob := &okrcore.Objective{ID: okrcore.ID(len(o.objs) + 1), Workspace: benchWS, Cycle: q.ID,
				Title: "Objective " + strconv.Itoa(len(o.objs)+1), CreatedBy: 1, CreatedAt: t0, UpdatedAt: t0}
			if lvl == len(sz.levels)-1 {
				u := 1 + r.IntN(sz.users)
				if o.users[u-1].Role == okrcore.RoleObserver {
					u-- // observers own nothing
				}
				ob.Owner = okrcore.UserOwner(okrcore.ID(u))
			} else {
				ob.Owner = okrcore.TeamOwner(okrcore.ID(1 + r.IntN(sz.teams)))
			}
			if lvl > 0 {
				if r.IntN(4) > 0 {
					ob.ParentKR = prevKRs[r.IntN(len(prevKRs))].ID
				} else {
					ob.ParentObjective = prevObjs[r.IntN(len(prevObjs))].ID
				}
			}
			if r.IntN(10) == 0 {
				ob.Weight = 2
			}
			o.objs = append(o.objs, ob)
			objs = append(objs, ob)
			o.level[ob.ID] = lvl + 1
			m := perObj
			if len(o.objs) <= extra {
				m++
			}
			for range m {
				k := genKR(r, okrcore.ID(len(o.krs)+1), ob, o.cycle)
				o.krs = append(o.krs, k)
				krs = append(krs, k)
			}
		}
		prevObjs, prevKRs = objs, krs
	}
	o.leafKRs = prevKRs
	p := okrcore.RollUpAll(o.objs, o.krs)
	for _, ob := range o.objs {
		ob.Progress = p[ob.ID]
	}
	return o
}

func genKR(r *rand.Rand, id okrcore.ID, ob *okrcore.Objective, c *okrcore.Cycle) *okrcore.KeyResult {
	k := &okrcore.KeyResult{ID: id, Workspace: benchWS, Objective: ob.ID, Cycle: ob.Cycle, Owner: ob.Owner,
		Title: "Key result " + strconv.Itoa(int(id)), Weight: 1, CreatedAt: t0, UpdatedAt: t0}
	switch x := r.IntN(20); {
	case x == 0:
		k.Metric, k.Start, k.Target, k.Direction = okrcore.MetricMilestone, 0, 1, okrcore.Increase
		k.Current = float64(r.IntN(2))
	case x < 4:
		k.Metric, k.Start, k.Target, k.Direction = okrcore.MetricPercent, 12, 3, okrcore.Decrease
		k.Current = 2 + float64(r.IntN(12))
	default:
		k.Metric, k.Start, k.Direction = okrcore.MetricNumber, 0, okrcore.Increase
		k.Target = float64(10 + r.IntN(1000))
		k.Current = float64(r.IntN(int(k.Target) + 1))
	}
	if r.IntN(10) == 0 {
		k.Weight = 3
	}
	k.Progress = okrcore.KRProgress(k)
	k.Status = okrcore.ComputeStatus(k.Progress, okrcore.ExpectedProgress(c, t0), okrcore.Rules{})
	return k
}

// loadOrg writes o into a fresh database at path in a few big transactions.
func loadOrg(tb testing.TB, path string, o *org) {
	tb.Helper()
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	}()
	update(tb, db, func(tx okrcore.Tx) error {
		var p putter
		p.do(tx.PutWorkspace(o.ws))
		p.do(tx.PutCycle(o.cycle))
		for _, u := range o.users {
			p.do(tx.PutUser(u))
		}
		for _, t := range o.teams {
			p.do(tx.PutTeam(t))
		}
		return p.err
	})
	const chunk = 25000
	for i := 0; i < len(o.objs); i += chunk {
		part := o.objs[i:min(i+chunk, len(o.objs))]
		update(tb, db, func(tx okrcore.Tx) error {
			for _, ob := range part {
				if err := tx.PutObjective(ob); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for i := 0; i < len(o.krs); i += chunk {
		part := o.krs[i:min(i+chunk, len(o.krs))]
		update(tb, db, func(tx okrcore.Tx) error {
			for _, k := range part {
				if err := tx.PutKeyResult(k); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// checkInLeaf records one check-in on a random key result of the deepest
// level, as its owner, and returns how many objectives it rolled up.
func checkInLeaf(tb testing.TB, db okrcore.Store, o *org, r *rand.Rand, now time.Time) int {
	tb.Helper()
	k := o.leafKRs[r.IntN(len(o.leafKRs))]
	actor := o.userByID[k.Owner.ID]
	v := k.Start + (k.Target-k.Start)*float64(r.IntN(11))/10
	if k.Metric == okrcore.MetricMilestone {
		v = float64(r.IntN(2))
	}
	var res *okrcore.CheckInResult
	update(tb, db, func(tx okrcore.Tx) (err error) {
		res, err = okrcore.RecordCheckIn(tx, now, actor, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: &v})
		return err
	})
	return len(res.Objectives)
}

var sink int

func BenchmarkRollUpAll(b *testing.B) {
	o := genOrg(b, largeOrg, 1)
	for b.Loop() {
		sink = len(okrcore.RollUpAll(o.objs, o.krs))
	}
	b.ReportMetric(float64(len(o.objs)), "objectives/op")
}

func BenchmarkIncrementalRollUp(b *testing.B) {
	o := genOrg(b, largeOrg, 1)
	path := filepath.Join(b.TempDir(), "bench.db")
	start := time.Now()
	loadOrg(b, path, o)
	b.Logf("loaded %d users, %d teams, %d objectives, %d key results in %v",
		len(o.users), len(o.teams), len(o.objs), len(o.krs), time.Since(start).Round(time.Millisecond))
	for _, sync := range []bool{false, true} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			db, err := bolt.Open(path, bolt.Options{NoSync: !sync})
			if err != nil {
				b.Fatalf("open: %v", err)
			}
			defer db.Close()
			r := rand.New(rand.NewPCG(2, 3))
			now := t1
			touched, n := 0, 0
			for b.Loop() {
				touched += checkInLeaf(b, db, o, r, now)
				n++
				now = now.Add(time.Second)
			}
			b.ReportMetric(float64(touched)/float64(n), "objectives/op")
		})
	}
}

// TestBenchOrg runs the benchmarks' generator and loader on a small
// organisation so that they stay correct: five levels, the stored progress
// equal to a full roll-up, and a check-in at the bottom touching exactly
// the five objectives above it.
func TestBenchOrg(t *testing.T) {
	sz := orgSize{users: 60, teams: 12, levels: []int{2, 4, 8, 16, 32}, krs: 200}
	o := genOrg(t, sz, 1)
	if len(o.users) != 60 || len(o.teams) != 12 || len(o.objs) != 62 || len(o.krs) != 200 {
		t.Fatalf("generated %d users, %d teams, %d objectives, %d key results", len(o.users), len(o.teams), len(o.objs), len(o.krs))
	}
	again := genOrg(t, sz, 1)
	for i := range o.krs {
		if *o.krs[i] != *again.krs[i] {
			t.Fatalf("generator not deterministic at KR%d", i+1)
		}
	}
	byID := map[okrcore.ID]*okrcore.Objective{}
	for _, ob := range o.objs {
		byID[ob.ID] = ob
	}
	krObj := map[okrcore.ID]okrcore.ID{}
	for _, k := range o.krs {
		krObj[k.ID] = k.Objective
	}
	viaKR, viaObj := 0, 0
	for _, ob := range o.objs {
		depth := 1
		for p := ob; p.ParentKR != 0 || p.ParentObjective != 0; depth++ {
			if p.ParentKR != 0 {
				viaKR++
				p = byID[krObj[p.ParentKR]]
			} else {
				viaObj++
				p = byID[p.ParentObjective]
			}
		}
		if depth != o.level[ob.ID] {
			t.Fatalf("O%d at level %d has a chain %d deep", ob.ID, o.level[ob.ID], depth)
		}
	}
	if viaKR == 0 || viaObj == 0 {
		t.Errorf("alignment only one way: %d via key results, %d via objectives", viaKR, viaObj)
	}

	path := filepath.Join(t.TempDir(), "small.db")
	loadOrg(t, path, o)
	db, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(2, 3))
	for i := range 5 {
		if n := checkInLeaf(t, db, o, r, t1.Add(time.Duration(i)*time.Second)); n != 5 {
			t.Errorf("check-in %d rolled up %d objectives, want 5", i, n)
		}
	}
	var objs []*okrcore.Objective
	var krs []*okrcore.KeyResult
	view(t, db, func(tx okrcore.Tx) (err error) {
		if objs, err = tx.ObjectivesByCycle(benchWS, o.cycle.ID); err != nil {
			return err
		}
		krs, err = tx.KeyResultsByCycle(benchWS, o.cycle.ID)
		return err
	})
	if len(objs) != len(o.objs) || len(krs) != len(o.krs) {
		t.Fatalf("stored %d objectives and %d key results", len(objs), len(krs))
	}
	full := okrcore.RollUpAll(objs, krs)
	for _, ob := range objs {
		if !near(ob.Progress, full[ob.ID]) {
			t.Errorf("O%d stored %v, full roll-up %v", ob.ID, ob.Progress, full[ob.ID])
		}
	}
}
