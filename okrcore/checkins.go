package okrcore

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// CheckIns records several check-ins, of one person or of many, in one
// transaction, and rolls the objectives above them up once at the end
// instead of once per check-in: the objectives near the top of the
// alignment tree, which every check-in rolls up through and which have the
// most objectives aligned beneath them, are recomputed once for all.
// What is stored is what RecordCheckIn would store for the same
// check-ins one after the other: each is recorded in order (two on one key
// result both land, the second after the first), and the roll-up reads
// every key result as the last of them left it.
//
// A result's PreviousProgress is an objective's progress before the
// transaction and its Objectives are as the transaction leaves them: with
// others' check-ins in the same transaction, the change someone is shown
// includes theirs, as it would if they had checked in a moment before.
type CheckIns struct {
	pending []pendingRollUp
}

type pendingRollUp struct {
	res       *CheckInResult
	ws        string
	objective ID
}

type wsID struct {
	ws string
	id ID
}

// Record is RecordCheckIn whose roll-up waits for Finish.
func (c *CheckIns) Record(tx Tx, now time.Time, actor *User, in CheckInInput) (*CheckInResult, error) {
	in.rollUps = c
	return RecordCheckIn(tx, now, actor, in)
}

func (c *CheckIns) add(res *CheckInResult, objective ID) {
	c.pending = append(c.pending, pendingRollUp{res: res, ws: res.After.Workspace, objective: objective})
}

// Finish rolls up every objective above the check-ins recorded, each once,
// those aligned beneath others first, and fills in each result's
// Objectives and PreviousProgress. It must run in the transaction the
// check-ins were recorded in, before it commits.
func (c *CheckIns) Finish(tx Tx, now time.Time) error {
	parent := map[wsID]ID{}
	objs := map[wsID]*Objective{}
	chains := make([][]wsID, len(c.pending))
	// What changed beneath each objective: the key results checked in on,
	// as the last of their check-ins left them, and (added as they are
	// rolled up) the objectives aligned beneath it.
	krsOf := map[wsID]map[ID]*KeyResult{}
	for i, p := range c.pending {
		key := wsID{p.ws, p.objective}
		if krsOf[key] == nil {
			krsOf[key] = map[ID]*KeyResult{}
		}
		krsOf[key][p.res.After.ID] = p.res.After
		seen := map[ID]bool{}
		for id, depth := p.objective, 0; id != 0 && depth < maxDepth && !seen[id]; depth++ {
			seen[id] = true
			key := wsID{p.ws, id}
			chains[i] = append(chains[i], key)
			pid, ok := parent[key]
			if !ok {
				o := objs[key]
				if o == nil {
					var err error
					if o, err = tx.Objective(p.ws, id); err != nil {
						return fmt.Errorf("roll up O%d: %w", id, err)
					}
					objs[key] = o
				}
				up, err := ParentOf(tx, o)
				if err != nil {
					return err
				}
				if up != nil {
					pid = up.ID
					if objs[wsID{p.ws, pid}] == nil {
						objs[wsID{p.ws, pid}] = up
					}
				}
				parent[key] = pid
			}
			id = pid
		}
	}
	// An objective's height is how far below the top of its chain it is;
	// the highest first, so that each is recomputed after everything
	// beneath it.
	height := map[wsID]int{}
	for _, chain := range chains {
		for j, key := range chain {
			height[key] = max(height[key], len(chain)-1-j)
		}
	}
	order := make([]wsID, 0, len(height))
	for key := range height {
		order = append(order, key)
	}
	slices.SortFunc(order, func(a, b wsID) int {
		return cmp.Or(cmp.Compare(height[b], height[a]), cmp.Compare(a.ws, b.ws), cmp.Compare(a.id, b.id))
	})
	of := map[string]rollContext{}
	kidsOf := map[wsID][]*Objective{}
	before := map[wsID]float64{}
	for _, key := range order {
		rc, ok := of[key.ws]
		if !ok {
			var err error
			if rc, err = rollContextOf(tx, key.ws); err != nil {
				return err
			}
			of[key.ws] = rc
		}
		o := objs[key]
		before[key] = o.Progress
		ok, err := rollUpChanged(tx, now, o, slices.Collect(maps.Values(krsOf[key])), kidsOf[key], rc)
		if err == nil && !ok {
			err = rollUpOne(tx, now, o, rc)
		}
		if err != nil {
			return err
		}
		if pid := parent[key]; pid != 0 {
			kidsOf[wsID{key.ws, pid}] = append(kidsOf[wsID{key.ws, pid}], o)
		}
	}
	for i, p := range c.pending {
		p.res.Objectives = p.res.Objectives[:0]
		for _, key := range chains[i] {
			p.res.Objectives = append(p.res.Objectives, objs[key])
			p.res.PreviousProgress[key.id] = before[key]
		}
	}
	c.pending = nil
	return nil
}
