package report

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Reading is what the views of one moment read: names (it is a Namer) and
// statuses, each by okrcore's one reading of them (KRStanding,
// ObjectiveStanding) at that moment, so that a view, a digest, a nudge
// and a form shown at the same instant say the same. Bars, fields and
// forms take a Reading; no view shows a stored status.
//
// A Reading keeps what it read (cycles, key results)
// and each standing the first time it is asked, so a view that changes its
// transaction's copies afterwards (a digest sorts by Status) reads the
// same.
type Reading struct {
	*Namer
	Now    time.Time
	rules  *okrcore.Rules
	cycles map[okrcore.ID]*okrcore.Cycle
	krsOf  map[okrcore.ID][]*okrcore.KeyResult
	krs    map[okrcore.ID]okrcore.Standing
	objs   map[okrcore.ID]okrcore.Standing
}

// NewReading reads workspace ws at now within tx.
func NewReading(tx okrcore.Tx, ws string, now time.Time) *Reading {
	return &Reading{Namer: NewNamer(tx, ws), Now: now, cycles: map[okrcore.ID]*okrcore.Cycle{},
		krsOf: map[okrcore.ID][]*okrcore.KeyResult{}, krs: map[okrcore.ID]okrcore.Standing{}, objs: map[okrcore.ID]okrcore.Standing{}}
}

func (r *Reading) rulesOf() okrcore.Rules {
	if r.rules == nil {
		rules := okrcore.DefaultRules()
		if w, err := r.tx.Workspace(r.ws); err == nil {
			rules = w.Rules.OrDefault()
		}
		r.rules = &rules
	}
	return *r.rules
}

func (r *Reading) cycle(id okrcore.ID) *okrcore.Cycle {
	c, ok := r.cycles[id]
	if !ok {
		c, _ = r.tx.Cycle(r.ws, id) // gone: nil, and nothing to lag behind
		r.cycles[id] = c
	}
	return c
}

// Know tells the reading an objective's key results (all of them), read
// already, so that it does not read them again.
func (r *Reading) Know(objective okrcore.ID, krs []*okrcore.KeyResult) {
	r.krsOf[objective] = krs
}

// KR is how key result k stands.
func (r *Reading) KR(k *okrcore.KeyResult) okrcore.Standing {
	s, ok := r.krs[k.ID]
	if !ok {
		s = okrcore.KRStanding(k, r.cycle(k.Cycle), r.Now, r.rulesOf())
		r.krs[k.ID] = s
	}
	return s
}

// Objective is how objective o stands.
func (r *Reading) Objective(o *okrcore.Objective) okrcore.Standing {
	if s, ok := r.objs[o.ID]; ok {
		return s
	}
	krs, ok := r.krsOf[o.ID]
	if !ok {
		krs, _ = r.tx.KeyResultsByObjective(r.ws, o.ID)
		r.krsOf[o.ID] = krs
	}
	s := okrcore.ObjectiveStanding(o, krs, r.cycle(o.Cycle), r.Now, r.rulesOf())
	r.objs[o.ID] = s
	return s
}

// Note says what a person said about an item when progress says
// otherwise: "alice said on track on Nov 16" once it no longer holds,
// "alice said so on Nov 16; progress says at risk" while it does; "" when
// they agree.
func (r *Reading) Note(s okrcore.Standing) string {
	if !s.Disputed() {
		return ""
	}
	on := ""
	if !s.SaidAt.IsZero() {
		on = " on " + s.SaidAt.Format("Jan 2")
	}
	if s.InForce {
		return r.User(s.SaidBy) + " said so" + on + "; progress says " + s.Computed.Label()
	}
	return r.User(s.SaidBy) + " said " + s.Said.Label() + on
}

// Label is a status as a field shows it: "off track · alice said on track
// on Nov 16".
func (r *Reading) Label(s okrcore.Standing) string {
	if note := r.Note(s); note != "" {
		return s.Status.Label() + " · " + note
	}
	return s.Status.Label()
}

// History is tx.CheckIns with only the check-ins that count
// (okrcore.Effective): at most limit of them, all when limit <= 0.
func History(tx okrcore.Tx, ws string, target okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	for n := limit; ; n *= 2 {
		cis, err := tx.CheckIns(ws, target, id, since, n)
		if err != nil {
			return nil, err
		}
		eff := okrcore.Effective(cis)
		if limit > 0 && len(eff) > limit {
			eff = eff[:limit]
		}
		if limit <= 0 || len(cis) < n || len(eff) == limit {
			return eff, nil
		}
	}
}
