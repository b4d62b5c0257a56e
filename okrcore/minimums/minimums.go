// Package minimums is the other half of the OKR rules: too few objectives
// for an owner, too few key results for an objective. Excess is said the
// moment it happens (okrcore's count warnings); too few is said at the
// right moment instead, never while someone is still writing their first
// key result: an objective still short of key results a day after it was
// written warns its owner once, and each team's planning digest at a
// cycle's start lists who is short. Pure, like okrcore: time is an
// argument.
package minimums

import (
	"sort"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

const (
	// Wait is how long an objective may be short of key results before
	// its owner hears of it.
	Wait = 24 * time.Hour
	// Within bounds how late that is still said: an objective found short
	// long after (okrbot was down for days, or the rule is new to an old
	// programme) is left to the planning digest rather than warned of out
	// of the blue.
	Within = 2 * Wait
)

// ShortOfKeyResults reports whether objective o, with n key results, is
// due its owner's warning at now: written between Wait and Within ago, in
// cycle c while it runs, with fewer key results than r asks.
func ShortOfKeyResults(o *okrcore.Objective, n int, c *okrcore.Cycle, r okrcore.Rules, now time.Time) bool {
	age := now.Sub(o.CreatedAt)
	return c != nil && o.Cycle == c.ID && !c.Closed && now.Before(c.End) &&
		age >= Wait && age < Within && n < r.OrDefault().MinKeyResults
}

// Recipient is the person who hears of objective o: its owner, or its
// team's lead (0 when the team has none).
func Recipient(tx okrcore.Tx, ws string, o *okrcore.Objective) (okrcore.ID, error) {
	if o.Owner.Kind != okrcore.OwnerTeam {
		return o.Owner.ID, nil
	}
	t, err := tx.Team(ws, o.Owner.ID)
	if okrcore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return t.Lead, nil
}

// OwnerCount is an owner with how many objectives they have in a cycle.
type OwnerCount struct {
	Owner      okrcore.Owner
	Objectives int
}

// ObjectiveCount is an objective with how many key results it has.
type ObjectiveCount struct {
	Objective  *okrcore.Objective
	KeyResults int
}

// Plan is where a team's planning stands against the rules.
type Plan struct {
	Rules okrcore.Rules // in effect, defaults filled in
	// FewObjectives are the owners who have begun (one objective or more)
	// with fewer than the rules ask, in the order given; an owner with
	// none is not listed, since not everyone writes objectives of their
	// own.
	FewObjectives []OwnerCount
	// FewKeyResults are the objectives with fewer key results than the
	// rules ask, in objective id order.
	FewKeyResults []ObjectiveCount
	// Objectives is how many objectives the owners have in all.
	Objectives int
}

// Short reports whether anything is short of the rules.
func (p Plan) Short() bool { return len(p.FewObjectives) > 0 || len(p.FewKeyResults) > 0 }

// Planning is the plan of owners (a team and its people), whose objectives
// of the cycle are objs, each with krs[id] key results.
func Planning(owners []okrcore.Owner, objs []*okrcore.Objective, krs map[okrcore.ID]int, r okrcore.Rules) Plan {
	p := Plan{Rules: r.OrDefault()}
	by := map[okrcore.Owner]int{}
	for _, o := range objs {
		by[o.Owner]++
	}
	seen := map[okrcore.Owner]bool{}
	for _, ow := range owners {
		if n := by[ow]; !seen[ow] && n > 0 {
			seen[ow] = true
			p.Objectives += n
			if n < p.Rules.MinObjectives {
				p.FewObjectives = append(p.FewObjectives, OwnerCount{Owner: ow, Objectives: n})
			}
		}
	}
	for _, o := range objs {
		if seen[o.Owner] && krs[o.ID] < p.Rules.MinKeyResults {
			p.FewKeyResults = append(p.FewKeyResults, ObjectiveCount{Objective: o, KeyResults: krs[o.ID]})
		}
	}
	sort.SliceStable(p.FewKeyResults, func(i, j int) bool { return p.FewKeyResults[i].Objective.ID < p.FewKeyResults[j].Objective.ID })
	return p
}
