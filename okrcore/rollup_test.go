package okrcore_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// rollOp is one write of TestTotalsMatchTheRecords, by Ada (an admin).
type rollOp struct {
	kind   string
	kr     int // index into the key results made so far
	obj    int // index into the objectives made so far
	krs    []int
	value  float64
	weight float64
	status okrcore.Status
}

// TestTotalsMatchTheRecords runs the same random writes on two stores, on
// one of which every write first forgets the stored totals (so that each
// roll-up reads the records), and finds every objective and key result
// stored alike, to the bit, after each: check-ins alone and together (two
// on one key result among them), stated statuses, weights and alignments
// edited, key results and objectives added, undos, and an import that
// changes a weight without rolling up (the next check-in beneath must see
// it).
func TestTotalsMatchTheRecords(t *testing.T) {
	for seed := range 6 {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			fast, slow := newFixture(t), newFixture(t)
			r := rand.New(rand.NewPCG(uint64(seed), 7))
			var objs, krs int
			for i := range 90 {
				op := randomOp(r, i, objs, krs)
				at := t0.Add(time.Duration(i) * time.Hour)
				errFast := applyOp(t, fast, at, op, false)
				errSlow := applyOp(t, slow, at, op, true)
				if (errFast == nil) != (errSlow == nil) {
					t.Fatalf("step %d %+v: %v with totals, %v without", i, op, errFast, errSlow)
				}
				if errFast == nil {
					switch op.kind {
					case "objective":
						objs++
					case "kr":
						krs++
					}
				}
				sameRecords(t, fast, slow, i, op)
			}
		})
	}
}

func randomOp(r *rand.Rand, i, objs, krs int) rollOp {
	op := rollOp{obj: r.IntN(max(objs, 1)), kr: r.IntN(max(krs, 1)), value: float64(r.IntN(120)), weight: float64(1 + r.IntN(4))}
	switch n := r.IntN(20); {
	case i < 12 || objs == 0:
		op.kind = []string{"objective", "kr"}[min(i%3, 1)]
		if objs == 0 {
			op.kind = "objective"
		}
	case krs == 0:
		op.kind = "kr"
	case n < 7:
		op.kind = "checkin"
		if r.IntN(3) == 0 {
			op.status = okrcore.StatusAtRisk
		}
	case n < 10:
		op.kind = "together"
		for range 2 + r.IntN(4) {
			op.krs = append(op.krs, r.IntN(krs))
		}
		op.krs = append(op.krs, op.krs[0]) // one key result twice
	case n < 11:
		op.kind = "krweight"
	case n < 12:
		op.kind = "objweight"
	case n < 13:
		op.kind = "realign"
	case n < 15:
		op.kind = "objective"
	case n < 17:
		op.kind = "kr"
	case n < 18:
		op.kind = "undo"
	default:
		op.kind = "import"
	}
	return op
}

// applyOp writes op in one transaction; forget forgets the totals first.
func applyOp(t *testing.T, f *fixture, at time.Time, op rollOp, forget bool) error {
	t.Helper()
	return f.db.Update(context.Background(), func(tx okrcore.Tx) error {
		if forget {
			if err := okrcore.ForgetTotals(tx, "A"); err != nil {
				return err
			}
		}
		objs, err := tx.ObjectivesByCycle("A", f.cycle.ID)
		if err != nil {
			return err
		}
		krs, err := tx.KeyResultsByCycle("A", f.cycle.ID)
		if err != nil {
			return err
		}
		in := func(i int) okrcore.CheckInInput {
			v := op.value
			return okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: krs[i].ID, Value: &v, Status: op.status, Until: at.Add(36 * time.Hour)}
		}
		switch op.kind {
		case "objective":
			o := &okrcore.Objective{Title: "O", Owner: okrcore.UserOwner(f.alice.ID), Cycle: f.cycle.ID, Weight: op.weight}
			if len(objs) > 0 && op.obj%3 != 0 {
				o.ParentObjective = objs[op.obj%len(objs)].ID
			} else if len(krs) > 0 && op.obj%3 == 0 && op.obj > 0 {
				o.ParentKR = krs[op.kr%len(krs)].ID
			}
			_, err = okrcore.CreateObjective(tx, at, f.ada, o)
		case "kr":
			k := &okrcore.KeyResult{Objective: objs[op.obj%len(objs)].ID, Title: "K", Start: 0, Target: 100, Current: op.value, Weight: op.weight}
			if op.obj%4 == 1 {
				k.Metric, k.Start, k.Current = okrcore.MetricMilestone, 0, 0
			}
			_, err = okrcore.CreateKeyResult(tx, at, f.ada, k)
		case "checkin":
			if krs[op.kr].Metric == okrcore.MetricMilestone {
				op.value = math.Mod(op.value, 2)
			}
			_, err = okrcore.RecordCheckIn(tx, at, f.ada, in(op.kr))
		case "together":
			var c okrcore.CheckIns
			for _, i := range op.krs {
				if krs[i].Metric == okrcore.MetricMilestone {
					continue
				}
				if _, err := c.Record(tx, at, f.ada, in(i)); err != nil {
					return err
				}
			}
			err = c.Finish(tx, at)
		case "krweight":
			k := krs[op.kr]
			k.Weight = op.weight
			err = okrcore.UpdateKeyResult(tx, at, f.ada, k)
		case "objweight", "realign":
			o := objs[op.obj]
			if op.kind == "objweight" {
				o.Weight = op.weight
			} else {
				o.ParentKR, o.ParentObjective = 0, objs[op.kr%len(objs)].ID
			}
			err = okrcore.UpdateObjective(tx, at, f.ada, o)
		case "undo":
			_, err = okrcore.UndoLastCheckIn(tx, at, f.ada)
		case "import":
			k := krs[op.kr]
			k.Weight = op.weight + 0.5
			err = okrcore.ImportKeyResult(tx, k)
		}
		return err
	})
}

// sameRecords compares every objective and key result of the two
// fixtures' cycle.
func sameRecords(t *testing.T, a, b *fixture, step int, op rollOp) {
	t.Helper()
	read := func(f *fixture) (objs []*okrcore.Objective, krs []*okrcore.KeyResult) {
		view(t, f.db, func(tx okrcore.Tx) (err error) {
			if objs, err = tx.ObjectivesByCycle("A", f.cycle.ID); err != nil {
				return err
			}
			krs, err = tx.KeyResultsByCycle("A", f.cycle.ID)
			return err
		})
		return objs, krs
	}
	oa, ka := read(a)
	ob, kb := read(b)
	if !reflect.DeepEqual(ka, kb) {
		t.Fatalf("step %d %+v: key results differ with totals and without", step, op)
	}
	if len(oa) != len(ob) {
		t.Fatalf("step %d: %d objectives with totals, %d without", step, len(oa), len(ob))
	}
	for i := range oa {
		x, y := oa[i], ob[i]
		if math.Float64bits(x.Progress) != math.Float64bits(y.Progress) || x.Status != y.Status || !x.UpdatedAt.Equal(y.UpdatedAt) {
			t.Fatalf("step %d %+v: O%d is %v %s (%s) with totals, %v %s (%s) without", step, op, x.ID, x.Progress, x.Status, x.UpdatedAt, y.Progress, y.Status, y.UpdatedAt)
		}
	}
}

// countingStore counts the reads of what lies beneath an objective in its
// write transactions.
type countingStore struct {
	okrcore.Store
	siblings int
}

type countingTx struct {
	okrcore.Tx
	s *countingStore
}

func (s *countingStore) Update(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	return s.Store.Update(ctx, func(tx okrcore.Tx) error { return fn(&countingTx{Tx: tx, s: s}) })
}

func (c *countingTx) KeyResultsByObjective(ws string, id okrcore.ID) ([]*okrcore.KeyResult, error) {
	c.s.siblings++
	return c.Tx.KeyResultsByObjective(ws, id)
}

func (c *countingTx) ObjectivesAlignedTo(ws string, parent okrcore.Ref) ([]*okrcore.Objective, error) {
	c.s.siblings++
	return c.Tx.ObjectivesAlignedTo(ws, parent)
}

// wideTree is a company objective with 40 objectives aligned beneath it,
// the first with a chain of three more beneath, the last holding the key
// result Alice checks in on.
func wideTree(t *testing.T, f *fixture) okrcore.ID {
	t.Helper()
	top := f.objective(t, "Company", okrcore.UserOwner(f.ada.ID), 0, 0)
	f.keyResult(t, top.ID, okrcore.Owner{}, 30)
	parent := top.ID
	for i := range 40 {
		o := f.objective(t, fmt.Sprint("Team ", i), okrcore.UserOwner(f.alice.ID), 0, top.ID)
		f.keyResult(t, o.ID, okrcore.Owner{}, float64(i))
		if i == 0 {
			parent = o.ID
		}
	}
	for range 3 {
		parent = f.objective(t, "Deeper", okrcore.UserOwner(f.alice.ID), 0, parent).ID
	}
	return f.keyResult(t, parent, okrcore.UserOwner(f.alice.ID), 10).ID
}

// TestCheckInReadsNoSiblings: once the totals are written, a check-in five
// levels down reads none of the records beneath the objectives it rolls up
// (their totals instead), and the roll-up is what the records say.
func TestCheckInReadsNoSiblings(t *testing.T) {
	f := newFixture(t)
	kr := wideTree(t, f)
	s := &countingStore{Store: f.db}
	for i, v := range []float64{40, 55, 70} {
		s.siblings = 0
		update(t, s, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t0.Add(time.Duration(i+1)*time.Hour), f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kr, Value: &v})
			return err
		})
		if s.siblings != 0 {
			t.Errorf("check-in %d read what lies beneath objectives %d times, want none", i, s.siblings)
		}
		objs, full := storedTree(t, f)
		for id, o := range objs {
			if !near(o.Progress, full[id]) {
				t.Errorf("check-in %d: O%d at %v, the records say %v", i, id, o.Progress, full[id])
			}
		}
	}
}

// TestFillTotals: a workspace whose records came without totals (an
// import, or a store from before them) reads the records at its first
// roll-up; FillTotals writes the totals of every objective once, after
// which a check-in reads no siblings; a damaged slot is read from the
// records again.
func TestFillTotals(t *testing.T) {
	f := newFixture(t)
	kr := wideTree(t, f)
	var ids []okrcore.ID
	update(t, f.db, func(tx okrcore.Tx) error {
		objs, err := tx.ObjectivesByCycle("A", f.cycle.ID)
		for _, o := range objs {
			ids = append(ids, o.ID)
		}
		if err != nil {
			return err
		}
		return okrcore.ForgetTotals(tx, "A")
	})
	fill := func() int {
		var n int
		update(t, f.db, func(tx okrcore.Tx) (err error) { n, err = okrcore.FillTotals(tx, "A", ids); return err })
		return n
	}
	if n := fill(); n != len(ids) {
		t.Fatalf("FillTotals wrote %d totals, want %d", n, len(ids))
	}
	if n := fill(); n != 0 {
		t.Fatalf("FillTotals wrote %d totals again", n)
	}
	s := &countingStore{Store: f.db}
	checkIn := func(v float64) {
		update(t, s, func(tx okrcore.Tx) error {
			_, err := okrcore.RecordCheckIn(tx, t0.Add(time.Hour), f.alice, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: kr, Value: &v})
			return err
		})
	}
	checkIn(80)
	if s.siblings != 0 {
		t.Errorf("after FillTotals a check-in read siblings %d times", s.siblings)
	}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutState("A", "totals:o1", []byte{1, 2, 3}, time.Time{}) })
	s.siblings = 0
	checkIn(90)
	if s.siblings == 0 {
		t.Error("a damaged slot was read as totals")
	}
	objs, full := storedTree(t, f)
	for id, o := range objs {
		if !near(o.Progress, full[id]) {
			t.Errorf("O%d at %v, the records say %v", id, o.Progress, full[id])
		}
	}
	if n := fill(); n != 0 {
		t.Errorf("FillTotals wrote %d after the damaged slot was read again", n)
	}
}
