package bolt

import "github.com/okrbot/okrbot/okrcore"

// OwnsInCycle says, from the indexes alone, whether owner owns an
// objective or a key result in cycle (0: any), and whether they have key
// results to check in on: of an objective they own there, or their own.
// The org-wide reports ask it of everyone, and reading each one's records
// to tell is most of their work.
func (t *boltTx) OwnsInCycle(ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error) {
	if owner.IsZero() {
		return false, false, nil
	}
	p := ownerKey(newKey(ws), owner)
	if cycle != 0 {
		p = p.id(cycle)
	}
	mine, err := t.scanIDs(idxKROwner, p, false, 1, nil)
	if err != nil || len(mine) > 0 {
		return len(mine) > 0, len(mine) > 0, err
	}
	objs, err := t.scanIDs(idxObjOwner, p, false, 0, nil)
	if err != nil {
		return false, false, err
	}
	for _, o := range objs {
		krs, err := t.scanIDs(idxKRObjective, newKey(ws).id(o), false, 1, nil)
		if err != nil || len(krs) > 0 {
			return true, len(krs) > 0, err
		}
	}
	return len(objs) > 0, false, nil
}

// KeyResultCount counts an objective's key results from the index: a
// report that read some of them tells by it whether it has them all.
func (t *boltTx) KeyResultCount(ws string, objective okrcore.ID) (int, error) {
	ids, err := t.scanIDs(idxKRObjective, newKey(ws).id(objective), false, 0, nil)
	return len(ids), err
}
