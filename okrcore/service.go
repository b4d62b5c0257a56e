package okrcore

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the operations that change several records at once. They
// run inside a transaction the caller opened, read and write only through
// Tx, and take the time as an argument.

// CanChange reports whether actor may check in on or edit something owned
// by owner: the owner (for a team owner: its members), the lead of a team
// the owner belongs to (or of the owning team's parent), or an admin.
// Observers change nothing. The error is a sentence for the actor.
func CanChange(tx Tx, actor *User, owner Owner) error {
	if actor == nil {
		return Errorf(KindForbidden, "I don't know who you are yet.")
	}
	switch actor.Role {
	case RoleObserver:
		return Errorf(KindForbidden, "Observers can read everything but change nothing. Ask an admin if you need more.")
	case RoleAdmin:
		return nil
	}
	switch owner.Kind {
	case OwnerUser:
		if owner.ID == actor.ID {
			return nil
		}
		teams, err := tx.TeamsOfUser(actor.Workspace, owner.ID)
		if err != nil {
			return fmt.Errorf("load teams of owner: %w", err)
		}
		for _, t := range teams {
			if t.Lead == actor.ID {
				return nil
			}
		}
		u, err := tx.User(actor.Workspace, owner.ID)
		name := "its owner"
		if err == nil {
			name = u.Name
		}
		return Errorf(KindForbidden, "Only %s, their team lead or an admin can change that.", name)
	case OwnerTeam:
		t, err := tx.Team(actor.Workspace, owner.ID)
		if err != nil {
			return err
		}
		if t.HasMember(actor.ID) {
			return nil
		}
		if t.Parent != 0 {
			if p, err := tx.Team(actor.Workspace, t.Parent); err == nil && p.Lead == actor.ID {
				return nil
			}
		}
		return Errorf(KindForbidden, "Only members of %s, its lead or an admin can change that.", t.Name)
	}
	return Errorf(KindForbidden, "That has no owner, so only an admin can change it.")
}

// RequireAdmin refuses anyone but an admin.
func RequireAdmin(actor *User, what string) error {
	if actor != nil && actor.Role == RoleAdmin {
		return nil
	}
	return Errorf(KindForbidden, "Only an admin can %s.", what)
}

// openCycle loads a cycle and refuses closed ones.
func openCycle(tx Tx, ws string, id ID) (*Cycle, error) {
	c, err := tx.Cycle(ws, id)
	if err != nil {
		return nil, err
	}
	if c.Closed {
		return nil, Errorf(KindConflict, "%s is closed; its OKRs can no longer change.", c.Name)
	}
	return c, nil
}

// CreateObjective validates, authorizes and stores a new objective. It
// returns warnings about the workspace's OKR rules, which do not block.
func CreateObjective(tx Tx, now time.Time, actor *User, o *Objective) ([]string, error) {
	o.Workspace = actor.Workspace
	if err := ValidateObjective(o); err != nil {
		return nil, err
	}
	if _, err := openCycle(tx, o.Workspace, o.Cycle); err != nil {
		return nil, err
	}
	if err := CanChange(tx, actor, o.Owner); err != nil {
		return nil, err
	}
	if err := CheckOwnerExists(tx, o.Workspace, o.Owner); err != nil {
		return nil, err
	}
	switch {
	case o.ParentKR != 0:
		p, err := tx.KeyResult(o.Workspace, o.ParentKR)
		if err != nil {
			return nil, err
		}
		if !Nests(tx, o.Workspace, p.Cycle, o.Cycle) {
			return nil, Errorf(KindInvalid, "KR%d belongs to another cycle; align to something in the same cycle or one around it.", p.ID)
		}
	case o.ParentObjective != 0:
		p, err := tx.Objective(o.Workspace, o.ParentObjective)
		if err != nil {
			return nil, err
		}
		if !Nests(tx, o.Workspace, p.Cycle, o.Cycle) {
			return nil, Errorf(KindInvalid, "O%d belongs to another cycle; align to something in the same cycle or one around it.", p.ID)
		}
	}
	o.ID = 0
	o.Progress, o.Status, o.Score = 0, StatusNone, nil
	o.CreatedBy, o.CreatedAt, o.UpdatedAt = actor.ID, now, now
	if err := tx.PutObjective(o); err != nil {
		return nil, fmt.Errorf("store objective: %w", err)
	}
	var warnings []string
	rules, err := workspaceRules(tx, o.Workspace)
	if err != nil {
		return nil, err
	}
	mine, err := tx.ObjectivesByOwner(o.Workspace, o.Owner, o.Cycle)
	if err != nil {
		return nil, fmt.Errorf("count objectives: %w", err)
	}
	if w := ObjectiveCountWarning(len(mine), rules); w != "" {
		warnings = append(warnings, w)
	}
	// A new objective with no key results pulls its parent's progress down;
	// recompute the chain above it.
	if _, err := rollUpFrom(tx, now, o.Workspace, o.ID); err != nil {
		return nil, err
	}
	return warnings, nil
}

// CheckOwnerExists refuses an owner that is not a person or team of ws.
func CheckOwnerExists(tx Tx, ws string, o Owner) error {
	var err error
	switch o.Kind {
	case OwnerUser:
		_, err = tx.User(ws, o.ID)
	case OwnerTeam:
		_, err = tx.Team(ws, o.ID)
	default:
		return Errorf(KindInvalid, "Owners are people or teams.")
	}
	return err
}

func workspaceRules(tx Tx, ws string) (Rules, error) {
	w, err := tx.Workspace(ws)
	if IsNotFound(err) {
		return DefaultRules(), nil
	}
	if err != nil {
		return Rules{}, fmt.Errorf("load workspace: %w", err)
	}
	return w.Rules.OrDefault(), nil
}

// CreateKeyResult validates, authorizes and stores a new key result under an
// objective, then rolls progress up. The key result's owner defaults to the
// objective's.
func CreateKeyResult(tx Tx, now time.Time, actor *User, k *KeyResult) ([]string, error) {
	k.Workspace = actor.Workspace
	o, err := tx.Objective(k.Workspace, k.Objective)
	if err != nil {
		return nil, err
	}
	c, err := openCycle(tx, k.Workspace, o.Cycle)
	if err != nil {
		return nil, err
	}
	if err := CanChange(tx, actor, o.Owner); err != nil {
		return nil, err
	}
	if k.Owner.IsZero() {
		k.Owner = o.Owner
	} else if err := CheckOwnerExists(tx, k.Workspace, k.Owner); err != nil {
		return nil, err
	}
	if k.Metric != MetricMilestone && k.Current == 0 {
		k.Current = k.Start
	}
	if err := NormalizeKeyResult(k); err != nil {
		return nil, err
	}
	rules, err := workspaceRules(tx, k.Workspace)
	if err != nil {
		return nil, err
	}
	k.ID = 0
	k.Cycle = o.Cycle
	k.Progress = KRProgress(k)
	k.Status = ComputeStatus(k.Progress, ExpectedProgressSince(c, now, now), rules)
	k.StatusSet, k.Stated, k.Score, k.Confidence = false, nil, nil, nil
	k.CreatedAt, k.UpdatedAt = now, now
	if err := tx.PutKeyResult(k); err != nil {
		return nil, fmt.Errorf("store key result: %w", err)
	}
	var warnings []string
	siblings, err := tx.KeyResultsByObjective(k.Workspace, o.ID)
	if err != nil {
		return nil, fmt.Errorf("count key results: %w", err)
	}
	if w := KeyResultCountWarning(len(siblings), rules); w != "" {
		warnings = append(warnings, w)
	}
	if _, err := rollUpFrom(tx, now, k.Workspace, o.ID); err != nil {
		return nil, err
	}
	return warnings, nil
}

// CheckInInput is one person's report on one key result or KPI.
type CheckInInput struct {
	Target     TargetKind
	TargetID   ID
	Value      *float64 // nil: unchanged
	Confidence *int
	Status     Status
	Note       string
	Blockers   string
	// Until is when a status (or confidence) stated now stops holding: the
	// end of the author's check-in period, in their time zone (PeriodEnd).
	// Zero is the end of this week in UTC.
	Until time.Time

	rollUps *CheckIns // set by CheckIns.Record: the roll-up waits for Finish
}

// CheckInResult says what a check-in changed, for the confirmation message.
type CheckInResult struct {
	CheckIn *CheckIn
	Before  *KeyResult // nil for a KPI
	After   *KeyResult
	KPI     *KPI
	// Objectives are the objective of the key result and every ancestor
	// above it, nearest first, with their new progress.
	Objectives []*Objective
	// PreviousProgress holds each objective's progress before the check-in.
	PreviousProgress map[ID]float64
}

// MaxNote bounds notes and blockers.
const MaxNote = 2000

// RecordCheckIn appends a check-in, updates the key result's current value,
// progress and status, and rolls progress up through every ancestor: all in
// the caller's transaction, so either everything is stored or nothing.
func RecordCheckIn(tx Tx, now time.Time, actor *User, in CheckInInput) (*CheckInResult, error) {
	ws := actor.Workspace
	if in.Confidence != nil && (*in.Confidence < 0 || *in.Confidence > 10) {
		return nil, Errorf(KindInvalid, "Confidence goes from 0 (no chance) to 10 (certain); %d is outside that.", *in.Confidence)
	}
	if in.Value != nil {
		if err := ValidNumber("The new value", *in.Value); err != nil {
			return nil, err
		}
	}
	in.Note = strings.TrimSpace(CleanText(in.Note, true))
	in.Blockers = strings.TrimSpace(CleanText(in.Blockers, true))
	if utf8.RuneCountInString(in.Note) > MaxNote || utf8.RuneCountInString(in.Blockers) > MaxNote {
		return nil, Errorf(KindInvalid, "Keep notes and blockers under %d characters.", MaxNote)
	}
	switch in.Status {
	case StatusNone, StatusOnTrack, StatusAtRisk, StatusOffTrack, StatusDone:
	default:
		return nil, Errorf(KindInvalid, "%q is not a status; use on track, at risk or off track.", in.Status)
	}
	if in.Target == TargetKPI {
		return recordKPICheckIn(tx, now, actor, in)
	}
	k, err := tx.KeyResult(ws, in.TargetID)
	if err != nil {
		return nil, err
	}
	c, err := openCycle(tx, ws, k.Cycle)
	if err != nil {
		return nil, err
	}
	if err := CanChange(tx, actor, k.Owner); err != nil {
		return nil, err
	}
	if in.Value != nil && k.Metric == MetricMilestone && *in.Value != 0 && *in.Value != 1 {
		return nil, Errorf(KindInvalid, "KR%d is a milestone: it is either done or not done.", k.ID)
	}
	if in.Value != nil && k.Metric == MetricPercent && (*in.Value < 0 || *in.Value > 1000) {
		return nil, Errorf(KindInvalid, "KR%d is a percentage; %s is out of range.", k.ID, trimFloat(*in.Value))
	}
	rules, err := workspaceRules(tx, ws)
	if err != nil {
		return nil, err
	}
	before := *k
	ci := &CheckIn{
		Workspace: ws, Target: TargetKR, TargetID: k.ID, Author: actor.ID, At: now,
		Value: k.Current, Previous: k.Current, Confidence: in.Confidence, Status: in.Status,
		Note: in.Note, Blockers: in.Blockers,
		Prior: &Prior{Confidence: k.Confidence, Status: k.Status, StatusSet: k.StatusSet, Stated: k.Stated, LastCheckIn: k.LastCheckIn},
	}
	if in.Value != nil {
		ci.Value = *in.Value
		k.Current = *in.Value
	}
	k.Progress = KRProgress(k)
	if in.Confidence != nil {
		v := *in.Confidence
		k.Confidence = &v
	}
	// What the person says holds for the period it is said in; without a
	// word from them, progress decides.
	said := in.Status
	if said == StatusNone && in.Confidence != nil {
		said = StatusFromConfidence(*in.Confidence)
		if k.Progress >= 1 {
			said = StatusDone
		}
	}
	k.Stated, k.StatusSet = nil, said != StatusNone
	if k.StatusSet {
		until := in.Until
		if until.IsZero() {
			until = PeriodEnd(Slot{}, now, time.UTC)
		}
		k.Stated = &Statement{Status: said, By: actor.ID, At: now.In(until.Location()), Until: until}
	}
	k.Status = KRStanding(k, c, now, rules).Status
	k.LastCheckIn, k.UpdatedAt = now, now
	if err := tx.AddCheckIn(ci); err != nil {
		return nil, fmt.Errorf("append check-in: %w", err)
	}
	if err := tallyAdd(tx, ci); err != nil {
		return nil, fmt.Errorf("tally check-in: %w", err)
	}
	if err := tx.PutKeyResult(k); err != nil {
		return nil, fmt.Errorf("update key result: %w", err)
	}
	res := &CheckInResult{CheckIn: ci, Before: &before, After: k, PreviousProgress: map[ID]float64{}}
	if in.rollUps != nil {
		// One of several check-ins of a transaction: CheckIns rolls them
		// all up once at the end (checkins.go).
		in.rollUps.add(res, k.Objective)
		return res, nil
	}
	alone := &CheckIns{}
	alone.add(res, k.Objective)
	return res, alone.Finish(tx, now)
}

func recordKPICheckIn(tx Tx, now time.Time, actor *User, in CheckInInput) (*CheckInResult, error) {
	k, err := tx.KPI(actor.Workspace, in.TargetID)
	if err != nil {
		return nil, err
	}
	if err := CanChange(tx, actor, k.Owner); err != nil {
		return nil, err
	}
	ci := &CheckIn{
		Workspace: actor.Workspace, Target: TargetKPI, TargetID: k.ID, Author: actor.ID, At: now,
		Value: k.Current, Previous: k.Current, Confidence: in.Confidence, Status: in.Status,
		Note: in.Note, Blockers: in.Blockers, Prior: &Prior{LastCheckIn: k.LastCheckIn},
	}
	if in.Value != nil {
		k.Current, ci.Value = *in.Value, *in.Value
	}
	k.LastCheckIn = now
	if err := tx.AddCheckIn(ci); err != nil {
		return nil, fmt.Errorf("append check-in: %w", err)
	}
	if err := tallyAdd(tx, ci); err != nil {
		return nil, fmt.Errorf("tally check-in: %w", err)
	}
	if err := tx.PutKPI(k); err != nil {
		return nil, fmt.Errorf("update kpi: %w", err)
	}
	return &CheckInResult{CheckIn: ci, KPI: k}, nil
}

// ParentOf returns the objective an objective is aligned under, or nil.
func ParentOf(tx Tx, o *Objective) (*Objective, error) {
	pid := o.ParentObjective
	if o.ParentKR != 0 {
		k, err := tx.KeyResult(o.Workspace, o.ParentKR)
		if IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		pid = k.Objective
	}
	if pid == 0 {
		return nil, nil
	}
	p, err := tx.Objective(o.Workspace, pid)
	if IsNotFound(err) {
		return nil, nil
	}
	return p, err
}

// AlignedUnder lists the objectives aligned directly under an objective or
// under one of its key results.
func AlignedUnder(tx Tx, ws string, o ID, krs []*KeyResult) ([]*Objective, error) {
	out, err := tx.ObjectivesAlignedTo(ws, Ref{RefObjective, o})
	if err != nil {
		return nil, err
	}
	for _, k := range krs {
		more, err := tx.ObjectivesAlignedTo(ws, Ref{RefKeyResult, k.ID})
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// GradeKeyResult records the owner's end-of-cycle grade for a key result
// and recomputes the objective's score.
func GradeKeyResult(tx Tx, now time.Time, actor *User, id ID, score float64) (*KeyResult, *Objective, error) {
	if math.IsNaN(score) || score < 0 || score > 1 {
		return nil, nil, Errorf(KindInvalid, "Grades go from 0.0 to 1.0; 0.7 and above counts as achieved.")
	}
	k, err := tx.KeyResult(actor.Workspace, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.Cycle(actor.Workspace, k.Cycle)
	if err != nil {
		return nil, nil, err
	}
	if c.Closed {
		return nil, nil, Errorf(KindConflict, "%s is closed; its grades are final.", c.Name)
	}
	if err := CanChange(tx, actor, k.Owner); err != nil {
		return nil, nil, err
	}
	s := math.Round(score*100) / 100
	k.Score, k.UpdatedAt = &s, now
	if err := tx.PutKeyResult(k); err != nil {
		return nil, nil, fmt.Errorf("store grade: %w", err)
	}
	o, err := tx.Objective(actor.Workspace, k.Objective)
	if err != nil {
		return nil, nil, err
	}
	krs, err := tx.KeyResultsByObjective(actor.Workspace, o.ID)
	if err != nil {
		return nil, nil, err
	}
	os := ObjectiveScore(o, krs)
	o.Score, o.UpdatedAt = &os, now
	if err := tx.PutObjective(o); err != nil {
		return nil, nil, fmt.Errorf("store objective score: %w", err)
	}
	return k, o, nil
}

// ErrNoCurrentCycle is returned when a workspace has no current cycle.
var ErrNoCurrentCycle = Errorf(KindNotFound, "There is no current cycle yet. An admin can start one with `/okr cycle new Q1 2027`.")

// Nests reports whether an objective of cycle inner may align under one
// of cycle outer: the same cycle, or one whose span holds inner's (a
// quarter's objective under the year's).
func Nests(tx Tx, ws string, outer, inner ID) bool {
	if outer == inner {
		return true
	}
	o, err1 := tx.Cycle(ws, outer)
	i, err2 := tx.Cycle(ws, inner)
	return err1 == nil && err2 == nil && !i.Start.Before(o.Start) && !i.End.After(o.End)
}

// CurrentCycles are the workspace's current cycles, the shortest (the
// quarter) first, so that every list of OKRs reads alike.
func CurrentCycles(tx Tx, ws string) ([]*Cycle, error) {
	w, err := tx.Workspace(ws)
	if IsNotFound(err) {
		return nil, ErrNoCurrentCycle
	} else if err != nil {
		return nil, err
	}
	var out []*Cycle
	for i, id := range append([]ID{w.CurrentCycle}, w.AlsoCurrent...) {
		c, err := tx.Cycle(ws, id)
		if err == nil && (i == 0 || id != w.CurrentCycle) {
			out = append(out, c)
		} else if err != nil && !IsNotFound(err) {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, ErrNoCurrentCycle
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].End.Sub(out[i].Start) < out[j].End.Sub(out[j].Start) })
	return out, nil
}

// CurrentCycle returns the workspace's current cycle: the shortest of its
// current cycles, where new objectives go unless told otherwise.
func CurrentCycle(tx Tx, ws string) (*Cycle, error) {
	w, err := tx.Workspace(ws)
	if IsNotFound(err) || (err == nil && w.CurrentCycle == 0) {
		return nil, ErrNoCurrentCycle
	}
	if err != nil {
		return nil, err
	}
	c, err := tx.Cycle(ws, w.CurrentCycle)
	if errors.Is(err, nil) {
		return c, nil
	}
	if IsNotFound(err) {
		return nil, ErrNoCurrentCycle
	}
	return nil, err
}
