package postgres

import "github.com/okrbot/okrbot/okrcore"

// OwnsInCycle says whether owner owns an objective or a key result in
// cycle (0: any), and whether they have key results to check in on: of an
// objective they own there, or their own. One round trip that reads no
// record's body: the org-wide reports ask it of everyone.
func (t *pgTx) OwnsInCycle(ws string, owner okrcore.Owner, cycle okrcore.ID) (owns, hasKRs bool, err error) {
	if owner.IsZero() {
		return false, false, nil
	}
	args := []any{[]byte(ws), []byte(owner.Kind), int64(owner.ID)}
	cond := func(p string) string {
		c := p + "ws = $1 AND " + p + "owner_kind = $2 AND " + p + "owner_id = $3"
		if cycle != 0 {
			c += " AND " + p + "cycle = $4"
		}
		return c
	}
	if cycle != 0 {
		args = append(args, int64(cycle))
	}
	var objs, mine, underObjs bool
	_, err = t.scan("read what an owner owns",
		"SELECT EXISTS (SELECT 1 FROM objectives WHERE "+cond("")+"), EXISTS (SELECT 1 FROM key_results WHERE "+cond("")+
			"), EXISTS (SELECT 1 FROM objectives o JOIN key_results k ON k.ws = o.ws AND k.objective = o.id WHERE "+cond("o.")+")",
		args, &objs, &mine, &underObjs)
	return objs || mine, mine || underObjs, err
}

// KeyResultCount counts an objective's key results: a report that read
// some of them tells by it whether it has them all.
func (t *pgTx) KeyResultCount(ws string, objective okrcore.ID) (int, error) {
	var n int64
	_, err := t.scan("count key results", "SELECT count(*) FROM key_results WHERE ws = $1 AND objective = $2", []any{[]byte(ws), int64(objective)}, &n)
	return int(n), err
}
