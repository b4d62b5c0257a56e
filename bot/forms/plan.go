package forms

import (
	"reflect"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Plan is the check-ins a message, an answer or a form asks for, worked
// out in a read transaction, with the key results as they were read then:
// written later with others' (bot/commit.go), after checking that none of
// them changed meanwhile (Stale).
type Plan struct {
	Inputs []okrcore.CheckInInput
	Refs   []okrcore.Ref
	Read   []*okrcore.KeyResult // by input; nil for a KPI
	// Refuse, when set, turns the refusal of input i into the answer;
	// Also writes what the plan keeps beside its check-ins.
	Refuse func(tx okrcore.Tx, i int, err error) error
	Also   func(tx okrcore.Tx) error
}

// Add plans one more check-in, on ref as read (nil for a KPI).
func (p *Plan) Add(in okrcore.CheckInInput, ref okrcore.Ref, read *okrcore.KeyResult) {
	p.Inputs, p.Refs, p.Read = append(p.Inputs, in), append(p.Refs, ref), append(p.Read, read)
}

// Stale reports whether a key result the plan was resolved against has
// changed since (a relative value, "+5", or a slip's check read it).
func (p *Plan) Stale(tx okrcore.Tx, ws string) (bool, error) {
	for _, k := range p.Read {
		if k == nil {
			continue
		}
		now, err := tx.KeyResult(ws, k.ID)
		if okrcore.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if !reflect.DeepEqual(now, k) {
			return true, nil
		}
	}
	return false, nil
}

// Record records the plan's check-ins with c, in order, and what else it
// writes.
func (p *Plan) Record(tx okrcore.Tx, c *okrcore.CheckIns, now time.Time, actor *okrcore.User) ([]*okrcore.CheckInResult, error) {
	var results []*okrcore.CheckInResult
	for i, in := range p.Inputs {
		res, err := c.Record(tx, now, actor, in)
		if err != nil && p.Refuse != nil {
			err = p.Refuse(tx, i, err)
		}
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	}
	if p.Also != nil {
		return results, p.Also(tx)
	}
	return results, nil
}
