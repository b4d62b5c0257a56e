package okrcore

import (
	"fmt"
	"strings"
)

// Imports write the records an operator brings in (okrbot's own export, a
// programme read from another tool). An import is the operator's, like
// the demo seed, so no permission applies; every record still passes the
// validation typed input passes, and every id it refers to must exist in
// the transaction. Stored values are kept as given: an import computes
// nothing a record already says (its progress, status, times), so that an
// export imported again reads the same bytes. A record with an ID is
// stored under it (replacing the one there), one without gets the next.

// ValidateImport checks what a record says by itself, without looking
// anything up, and cleans its text as typed text is cleaned: a planner
// refuses a whole file on it before anything is written.
func ValidateImport(rec any) error {
	switch r := rec.(type) {
	case *Workspace:
		return validateWorkspace(r)
	case *User:
		return validateUser(r)
	case *Team:
		return validateTeam(r)
	case *Cycle:
		return validateCycle(r)
	case *Objective:
		if err := ValidateObjective(r); err != nil {
			return err
		}
		if err := validStatus(r.Status); err != nil {
			return err
		}
		return checkImportWeight(r.Weight, r.Score)
	case *KeyResult:
		return validateImportedKR(r)
	case *KPI:
		return ValidateKPI(r)
	case *Initiative:
		r.Title = CleanText(r.Title, false)
		return validTitle("initiative", r.Title)
	case *CheckIn:
		return validateCheckIn(r)
	}
	return Errorf(KindInvalid, "An import holds people, teams, cycles, objectives, key results, KPIs, initiatives and check-ins, not %T.", rec)
}

func validateWorkspace(w *Workspace) error {
	w.Name = CleanText(w.Name, false)
	if strings.TrimSpace(w.ID) == "" {
		return Errorf(KindInvalid, "The workspace has no ID.")
	}
	if err := w.Rules.Validate(); err != nil {
		return err
	}
	return w.Schedule.Validate()
}

func validateUser(u *User) error {
	u.Name = CleanText(u.Name, false)
	if u.Workspace == "" {
		return Errorf(KindInvalid, "The person %s belongs to no workspace.", u.Handle())
	}
	if u.Role != "" {
		if _, ok := ParseRole(string(u.Role)); !ok {
			return Errorf(KindInvalid, "%q is not a role; people are admins, members or observers.", u.Role)
		}
	}
	return nil
}

func validateTeam(t *Team) error {
	t.Name = CleanText(t.Name, false)
	if strings.TrimSpace(t.Name) == "" {
		return Errorf(KindInvalid, "Team %s needs a name.", t.Ref())
	}
	if t.Parent != 0 && t.Parent == t.ID {
		return Errorf(KindInvalid, "%s can't sit under itself.", t.Name)
	}
	if t.Schedule != nil {
		return t.Schedule.Validate()
	}
	return nil
}

func validateCycle(c *Cycle) error {
	c.Name = CleanText(c.Name, false)
	if strings.TrimSpace(c.Name) == "" {
		return Errorf(KindInvalid, "The cycle needs a name.")
	}
	switch c.Kind {
	case "", CycleQuarter, CycleAnnual, CycleCustom:
	default:
		return Errorf(KindInvalid, "%q is not a kind of cycle; use quarter, annual or custom.", c.Kind)
	}
	if !c.Start.Before(c.End) {
		return Errorf(KindInvalid, "The cycle %s ends before it starts.", c.Name)
	}
	return nil
}

func validateImportedKR(k *KeyResult) error {
	if err := NormalizeKeyResult(k); err != nil {
		return err
	}
	if err := CheckWeight(k.Weight); err != nil {
		return err
	}
	if k.Owner.IsZero() || (k.Owner.Kind != OwnerUser && k.Owner.Kind != OwnerTeam) {
		return Errorf(KindInvalid, "The key result needs an owner: a person or a team.")
	}
	if err := validStatus(k.Status); err != nil {
		return err
	}
	if err := validConfidence(k.Confidence); err != nil {
		return err
	}
	return checkImportWeight(k.Weight, k.Score)
}

func checkImportWeight(w float64, score *float64) error {
	if w != 0 {
		if err := CheckWeight(w); err != nil {
			return err
		}
	}
	if score != nil && !(*score >= 0 && *score <= 1) {
		return Errorf(KindInvalid, "Scores go from 0 to 1.")
	}
	return nil
}

func validStatus(s Status) error {
	switch s {
	case StatusNone, StatusOnTrack, StatusAtRisk, StatusOffTrack, StatusDone:
		return nil
	}
	return Errorf(KindInvalid, "%q is not a status; use on track, at risk, off track or done.", s)
}

func validConfidence(c *int) error {
	if c != nil && (*c < 0 || *c > 10) {
		return Errorf(KindInvalid, "Confidence goes from 0 to 10.")
	}
	return nil
}

func validateCheckIn(c *CheckIn) error {
	c.Note, c.Blockers = CleanText(c.Note, true), CleanText(c.Blockers, true)
	if c.Target != TargetKR && c.Target != TargetKPI {
		return Errorf(KindInvalid, "A check-in is about a key result or a KPI, not %q.", c.Target)
	}
	if c.At.IsZero() {
		return Errorf(KindInvalid, "The check-in has no time.")
	}
	if err := ValidNumber("The value", c.Value); err != nil {
		return err
	}
	if err := ValidNumber("The previous value", c.Previous); err != nil {
		return err
	}
	if err := validStatus(c.Status); err != nil {
		return err
	}
	return validConfidence(c.Confidence)
}

// ImportWorkspace stores a workspace's settings; its current cycle must
// exist.
func ImportWorkspace(tx Tx, w *Workspace) error {
	if err := validateWorkspace(w); err != nil {
		return err
	}
	if w.CurrentCycle != 0 {
		if _, err := tx.Cycle(w.ID, w.CurrentCycle); err != nil {
			return err
		}
	}
	if err := tx.PutWorkspace(w); err != nil {
		return fmt.Errorf("store workspace: %w", err)
	}
	return nil
}

// ImportUser stores a person.
func ImportUser(tx Tx, u *User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	if err := tx.PutUser(u); err != nil {
		return fmt.Errorf("store user: %w", err)
	}
	return nil
}

// ImportTeam stores a team whose lead, members and parent exist, and
// refuses a parent that sits beneath the team.
func ImportTeam(tx Tx, t *Team) error {
	if err := validateTeam(t); err != nil {
		return err
	}
	for _, id := range append([]ID{t.Lead}, t.Members...) {
		if id == 0 {
			continue
		}
		if _, err := tx.User(t.Workspace, id); err != nil {
			return err
		}
	}
	if t.Parent != 0 {
		p, err := tx.Team(t.Workspace, t.Parent)
		if err != nil {
			return err
		}
		if err := CheckTeamParent(tx, t, p); err != nil {
			return err
		}
	}
	if err := tx.PutTeam(t); err != nil {
		return fmt.Errorf("store team: %w", err)
	}
	return nil
}

// ImportCycle stores a cycle.
func ImportCycle(tx Tx, c *Cycle) error {
	if err := validateCycle(c); err != nil {
		return err
	}
	if err := tx.PutCycle(c); err != nil {
		return fmt.Errorf("store cycle: %w", err)
	}
	return nil
}

// ImportObjective stores an objective whose cycle, owner, author and parent
// exist, refusing an alignment that loops or leaves its cycle.
func ImportObjective(tx Tx, o *Objective) error {
	if err := ValidateImport(o); err != nil {
		return err
	}
	if _, err := tx.Cycle(o.Workspace, o.Cycle); err != nil {
		return err
	}
	if err := CheckOwnerExists(tx, o.Workspace, o.Owner); err != nil {
		return err
	}
	if o.CreatedBy != 0 {
		if _, err := tx.User(o.Workspace, o.CreatedBy); err != nil {
			return err
		}
	}
	if err := checkAlignment(tx, o); err != nil {
		return err
	}
	if err := tx.PutObjective(o); err != nil {
		return fmt.Errorf("store objective: %w", err)
	}
	return ForgetTotals(tx, o.Workspace) // the import sets progress itself
}

// ImportKeyResult stores a key result under an existing objective, in its
// cycle, with an owner (and whoever stated its status) that exist.
func ImportKeyResult(tx Tx, k *KeyResult) error {
	if err := validateImportedKR(k); err != nil {
		return err
	}
	o, err := tx.Objective(k.Workspace, k.Objective)
	if err != nil {
		return err
	}
	if k.Cycle != o.Cycle {
		return Errorf(KindInvalid, "%s is in another cycle than its objective %s.", k.Ref(), o.Ref())
	}
	if err := CheckOwnerExists(tx, k.Workspace, k.Owner); err != nil {
		return err
	}
	if k.Stated != nil && k.Stated.By != 0 {
		if _, err := tx.User(k.Workspace, k.Stated.By); err != nil {
			return err
		}
	}
	if err := tx.PutKeyResult(k); err != nil {
		return fmt.Errorf("store key result: %w", err)
	}
	return ForgetTotals(tx, k.Workspace)
}

// ImportKPI stores a KPI whose owner exists.
func ImportKPI(tx Tx, k *KPI) error {
	if err := ValidateKPI(k); err != nil {
		return err
	}
	if err := CheckOwnerExists(tx, k.Workspace, k.Owner); err != nil {
		return err
	}
	if err := tx.PutKPI(k); err != nil {
		return fmt.Errorf("store kpi: %w", err)
	}
	return nil
}

// ImportInitiative stores an initiative under an existing key result.
func ImportInitiative(tx Tx, in *Initiative) error {
	if err := ValidateImport(in); err != nil {
		return err
	}
	if _, err := tx.KeyResult(in.Workspace, in.KeyResult); err != nil {
		return err
	}
	if in.Owner != 0 {
		if _, err := tx.User(in.Workspace, in.Owner); err != nil {
			return err
		}
	}
	if err := tx.PutInitiative(in); err != nil {
		return fmt.Errorf("store initiative: %w", err)
	}
	return nil
}

// ImportCheckIn appends a check-in of an existing key result or KPI by an
// existing person. It changes neither: the record already says where a
// check-in left them.
func ImportCheckIn(tx Tx, c *CheckIn) error { return ImportCheckIns(tx, []*CheckIn{c}) }

// ImportCheckIns is ImportCheckIn of each check-in in order, looking each
// key result, KPI and author up once: a history comes thousands at a time.
func ImportCheckIns(tx Tx, cs []*CheckIn) error {
	type known struct {
		ws  string
		ref Ref
	}
	found := map[known]bool{}
	for _, c := range cs {
		if err := validateCheckIn(c); err != nil {
			return err
		}
		target, author := Ref{RefKeyResult, c.TargetID}, Ref{"U", c.Author}
		if c.Target == TargetKPI {
			target.Kind = RefKPI
		}
		for _, r := range []Ref{target, author} {
			if found[known{c.Workspace, r}] {
				continue
			}
			var err error
			switch r.Kind {
			case RefKPI:
				_, err = tx.KPI(c.Workspace, r.ID)
			case RefKeyResult:
				_, err = tx.KeyResult(c.Workspace, r.ID)
			default:
				_, err = tx.User(c.Workspace, r.ID)
			}
			if err != nil {
				return err
			}
			found[known{c.Workspace, r}] = true
		}
	}
	for _, c := range cs { // every refusal of ours before the first write
		if err := tx.AddCheckIn(c); err != nil {
			return fmt.Errorf("store check-in %d: %w", c.ID, err)
		}
	}
	return tallyAdd(tx, cs...)
}
