package transfer

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// bigProgramme is a programme of the size: people in teams of ten
// under one another, objectives aligned ten to a key result above them
// (five levels), key results of every kind and a quarter of weekly
// check-ins on each.
func bigProgramme(people, objectives, keyResults, weeks int) *Programme {
	key := func(prefix string, i int) Key { return Key(prefix + strconv.Itoa(i)) }
	p := &Programme{Source: "vivagoals"}
	p.People = make([]Person, people)
	for i := range p.People {
		n := strconv.Itoa(i)
		p.People[i] = Person{Key: key("u", i), Name: "Person " + n, Email: "person" + n + "@example.com", Record: "user " + n}
	}
	teams := people / 10
	p.Teams = make([]Team, teams)
	for i := range p.Teams {
		t := Team{Key: key("t", i), Name: "Team " + strconv.Itoa(i), Lead: key("u", i*10)}
		if i > 0 {
			t.Parent = key("t", (i-1)/10)
		}
		for m := 1; m < 10; m++ {
			t.Members = append(t.Members, key("u", i*10+m))
		}
		p.Teams[i] = t
	}
	q := okrcore.QuarterOf(progNow)
	p.Cycles = []Cycle{{Key: "q", Name: q.Name, Start: q.Start, End: q.End}}
	p.Items = make([]Item, 0, objectives+keyResults)
	for i := range objectives {
		it := Item{Key: key("o", i), Kind: ItemObjective, Title: "Objective " + strconv.Itoa(i), Owner: Owner{Person: key("u", i%people)}, Cycle: "q"}
		if i > 0 {
			it.Parent = key("k", (i-1)/10)
		}
		p.Items = append(p.Items, it)
	}
	metrics := []okrcore.MetricKind{okrcore.MetricNumber, okrcore.MetricNumber, okrcore.MetricPercent, okrcore.MetricMilestone}
	for j := range keyResults {
		it := Item{Key: key("k", j), Kind: ItemKeyResult, Title: "Key result " + strconv.Itoa(j), Owner: Owner{Person: key("u", j%people)},
			Cycle: "q", Parent: key("o", j%objectives), Metric: metrics[j%4], Start: 0, Target: 100}
		if j%4 == 1 {
			it.Start, it.Target = 100, 20
		}
		p.Items = append(p.Items, it)
	}
	p.CheckIns = make([]CheckIn, 0, keyResults*weeks)
	for w := range weeks {
		at := q.Start.AddDate(0, 0, 7*w).Add(9 * time.Hour)
		for j := range keyResults {
			v := float64(5 * (w + 1))
			switch j % 4 {
			case 1:
				v = 100 - v
			case 3:
				v = float64(w / (weeks - 1))
			}
			n := len(p.CheckIns)
			p.CheckIns = append(p.CheckIns, CheckIn{Key: key("c", n), Item: key("k", j), Author: key("u", j%people), At: at,
				Value: v, HasValue: w%5 != 4, Note: "weekly update", Record: "check-in " + strconv.Itoa(n)})
		}
	}
	return p
}

// BenchmarkPlanProgramme plans the benchmark programme (10,000
// people, 30,000 objectives, 100,000 key results, 1.3 M check-ins) into
// an empty workspace: no record is read per record, only maps by key.
func BenchmarkPlanProgramme(b *testing.B) {
	p := bigProgramme(10000, 30000, 100000, 13)
	s := openStore(b)
	opts := progOptions("acme")
	plan := func() *plan {
		pl, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planProgramme(tx, p, opts) })
		if err != nil || pl.size() < len(p.CheckIns) {
			b.Fatalf("plan: %v", err)
		}
		return pl
	}
	// What a plan keeps, measured once, outside the timed loop.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pl := plan()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(pl)
	pl = nil
	b.ReportAllocs()
	for b.Loop() {
		plan()
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-live-plan")
}

// BenchmarkPlanProgrammeAgain plans a tenth of that programme into the
// workspace it was written to: every record is matched by key, and the
// history of every key result is read.
func BenchmarkPlanProgrammeAgain(b *testing.B) {
	p := bigProgramme(1000, 3000, 10000, 13)
	s := openStore(b)
	opts := progOptions("acme")
	pl, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planProgramme(tx, p, opts) })
	if err != nil {
		b.Fatal(err)
	}
	if err := pl.write(ctx, s, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		err := s.View(ctx, func(tx okrcore.Tx) error {
			again, err := planProgramme(tx, p, opts)
			if err == nil && again.size() != 0 {
				b.Fatalf("%d steps planned again", again.size())
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
