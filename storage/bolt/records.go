package bolt

import (
	"bytes"
	"maps"
	"slices"
	"strconv"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/reccodec"
	"github.com/okrbot/okrbot/storage/internal/check"
)

func refMissing(kind okrcore.RefKind) func(okrcore.ID) string {
	return func(id okrcore.ID) string {
		return "I can't find " + okrcore.Ref{Kind: kind, ID: id}.String() + "."
	}
}

func ownerKey(k key, o okrcore.Owner) key { return k.str(string(o.Kind)).id(o.ID) }

var (
	userKind = &kind[okrcore.User]{
		name:    "user",
		bucket:  bucketUsers,
		seq:     "user",
		missing: func(id okrcore.ID) string { return "I can't find user " + strconv.FormatUint(uint64(id), 10) + "." },
		ws:      func(u *okrcore.User) string { return u.Workspace },
		id:      func(u *okrcore.User) *okrcore.ID { return &u.ID },
		encode:  reccodec.EncodeUser,
		decode:  reccodec.DecodeUser,
		indexes: func(u *okrcore.User) []ikey {
			var ix []ikey
			for _, a := range u.Accounts() {
				if a.PlatformID != "" {
					ix = append(ix, ikey{idxUserPlatform, newKey(u.Workspace).str(a.Platform).str(a.PlatformID).id(u.ID)})
				}
			}
			if n := fold(u.Name); n != "" {
				ix = append(ix, ikey{idxUserName, newKey(u.Workspace).str(n).id(u.ID)})
			}
			if k, ok := userEmailKey(u); ok {
				ix = append(ix, ikey{idxUserEmail, k})
			}
			if k, ok := userRoleKey(u); ok {
				ix = append(ix, ikey{idxUserRole, k})
			}
			return ix
		},
		check: func(t *boltTx, u *okrcore.User) error {
			for _, a := range u.Accounts() {
				if a.PlatformID == "" {
					continue
				}
				ids, err := t.scanIDs(idxUserPlatform, newKey(u.Workspace).str(a.Platform).str(a.PlatformID), false, 0, nil)
				if err != nil {
					return err
				}
				for _, id := range ids {
					if id != u.ID {
						return check.Conflict("put user", "That %s account is already linked to another user.", platformLabel(a.Platform))
					}
				}
			}
			return nil
		},
	}
	teamKind = &kind[okrcore.Team]{
		name:    "team",
		bucket:  bucketTeams,
		seq:     "team",
		missing: refMissing(okrcore.RefTeam),
		ws:      func(t *okrcore.Team) string { return t.Workspace },
		id:      func(t *okrcore.Team) *okrcore.ID { return &t.ID },
		encode:  reccodec.EncodeTeam,
		decode:  reccodec.DecodeTeam,
		indexes: func(t *okrcore.Team) []ikey {
			var ix []ikey
			if n := fold(t.Name); n != "" {
				ix = append(ix, ikey{idxTeamName, newKey(t.Workspace).str(n).id(t.ID)})
			}
			members := slices.Clone(t.Members)
			if t.Lead != 0 {
				members = append(members, t.Lead)
			}
			slices.Sort(members)
			for _, m := range slices.Compact(members) {
				if m != 0 {
					ix = append(ix, ikey{idxTeamMember, newKey(t.Workspace).id(m).id(t.ID)})
				}
			}
			return ix
		},
		check: func(t *boltTx, team *okrcore.Team) error {
			n := fold(team.Name)
			if n == "" {
				return nil
			}
			ids, err := t.scanIDs(idxTeamName, newKey(team.Workspace).str(n), false, 0, nil)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if id != team.ID {
					return check.Conflict("put team", "There is already a team called %q.", team.Name)
				}
			}
			return nil
		},
	}
	cycleKind = &kind[okrcore.Cycle]{
		name:    "cycle",
		bucket:  bucketCycles,
		seq:     "cycle",
		missing: refMissing(okrcore.RefCycle),
		ws:      func(c *okrcore.Cycle) string { return c.Workspace },
		id:      func(c *okrcore.Cycle) *okrcore.ID { return &c.ID },
	}
	objectiveKind = &kind[okrcore.Objective]{
		name:    "objective",
		bucket:  bucketObjectives,
		seq:     "objective",
		missing: refMissing(okrcore.RefObjective),
		ws:      func(o *okrcore.Objective) string { return o.Workspace },
		id:      func(o *okrcore.Objective) *okrcore.ID { return &o.ID },
		encode:  reccodec.EncodeObjective,
		decode:  reccodec.DecodeObjective,
		indexes: func(o *okrcore.Objective) []ikey {
			ws := o.Workspace
			ix := []ikey{{idxObjCycle, newKey(ws).id(o.Cycle).id(o.ID)}}
			if !o.Owner.IsZero() {
				ix = append(ix, ikey{idxObjOwner, ownerKey(newKey(ws), o.Owner).id(o.Cycle).id(o.ID)})
			}
			if o.ParentKR != 0 {
				ix = append(ix, ikey{idxObjParent, newKey(ws).str(string(okrcore.RefKeyResult)).id(o.ParentKR).id(o.ID)})
			}
			if o.ParentObjective != 0 {
				ix = append(ix, ikey{idxObjParent, newKey(ws).str(string(okrcore.RefObjective)).id(o.ParentObjective).id(o.ID)})
			}
			if k, ok := objectiveRootKey(o); ok {
				ix = append(ix, ikey{idxObjRoot, k})
			}
			return ix
		},
	}
	keyResultKind = &kind[okrcore.KeyResult]{
		name:    "key result",
		bucket:  bucketKeyResults,
		seq:     "key_result",
		missing: refMissing(okrcore.RefKeyResult),
		ws:      func(k *okrcore.KeyResult) string { return k.Workspace },
		id:      func(k *okrcore.KeyResult) *okrcore.ID { return &k.ID },
		encode:  reccodec.EncodeKeyResult,
		decode:  reccodec.DecodeKeyResult,
		indexes: func(k *okrcore.KeyResult) []ikey {
			ws := k.Workspace
			ix := []ikey{
				{idxKRObjective, newKey(ws).id(k.Objective).id(k.ID)},
				{idxKRCycle, newKey(ws).id(k.Cycle).id(k.ID)},
			}
			if !k.Owner.IsZero() {
				ix = append(ix, ikey{idxKROwner, ownerKey(newKey(ws), k.Owner).id(k.Cycle).id(k.ID)})
			}
			return ix
		},
	}
	kpiKind = &kind[okrcore.KPI]{
		name:    "KPI",
		bucket:  bucketKPIs,
		seq:     "kpi",
		missing: refMissing(okrcore.RefKPI),
		ws:      func(k *okrcore.KPI) string { return k.Workspace },
		id:      func(k *okrcore.KPI) *okrcore.ID { return &k.ID },
		indexes: func(k *okrcore.KPI) []ikey {
			if e, ok := kpiOwnerKey(k); ok {
				return []ikey{{idxKPIOwner, e}}
			}
			return nil
		},
	}
	initiativeKind = &kind[okrcore.Initiative]{
		name:    "initiative",
		bucket:  bucketInitiatives,
		seq:     "initiative",
		missing: refMissing(okrcore.RefInitiative),
		ws:      func(i *okrcore.Initiative) string { return i.Workspace },
		id:      func(i *okrcore.Initiative) *okrcore.ID { return &i.ID },
		indexes: func(i *okrcore.Initiative) []ikey {
			ix := []ikey{{idxInitiativeKR, newKey(i.Workspace).id(i.KeyResult).id(i.ID)}}
			if k, ok := initiativeOwnerKey(i); ok {
				ix = append(ix, ikey{idxInitiativeOwn, k})
			}
			return ix
		},
	}
)

// userEmailKey is u's entry in the index of addresses, if u has one. A
// migration builds the index with it too.
func userEmailKey(u *okrcore.User) (key, bool) {
	e := fold(u.Email)
	return newKey(u.Workspace).str(e).id(u.ID), e != ""
}

// userRoleKey is u's entry in the index of roles.
func userRoleKey(u *okrcore.User) (key, bool) {
	return newKey(u.Workspace).str(string(u.Role)).id(u.ID), u.Role != ""
}

// kpiOwnerKey is k's entry in the index of owners, if k has one.
func kpiOwnerKey(k *okrcore.KPI) (key, bool) {
	return ownerKey(newKey(k.Workspace), k.Owner).id(k.ID), !k.Owner.IsZero()
}

// initiativeOwnerKey is i's entry in the index of owners, if i has one.
func initiativeOwnerKey(i *okrcore.Initiative) (key, bool) {
	return newKey(i.Workspace).id(i.Owner).id(i.ID), i.Owner != 0
}

// allKinds lists every record kind with its indexes, for the index checker.
var allKinds = []interface {
	verify(t *boltTx, want map[string]map[string]bool) error
}{userKind, teamKind, cycleKind, objectiveKind, keyResultKind, kpiKind, initiativeKind, checkIns{}, outboxKind}

func platformLabel(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "teams":
		return "Teams"
	case "":
		return "chat"
	}
	return p
}

// Workspaces.

// Workspace is read by most operations of a command, several times
// (its current cycle, its rules, its schedule): a transaction decodes it
// once and hands out copies, and PutWorkspace in the same transaction
// replaces the copy it keeps.
func (t *boltTx) Workspace(ws string) (*okrcore.Workspace, error) {
	if w, ok := t.workspaces[ws]; ok {
		return copyWorkspace(w), nil
	}
	b, err := t.bucket(bucketWorkspaces)
	if err != nil {
		return nil, err
	}
	v := b.Get(newKey(ws))
	if v == nil {
		return nil, check.NotFound("get workspace", "This workspace is not set up yet.")
	}
	w, err := decode(workspaceKind, v)
	if err != nil {
		return nil, err
	}
	t.keepWorkspace(w)
	return copyWorkspace(w), nil
}

func (t *boltTx) keepWorkspace(w *okrcore.Workspace) {
	if t.workspaces == nil {
		t.workspaces = map[string]*okrcore.Workspace{}
	}
	t.workspaces[w.ID] = copyWorkspace(w)
}

// copyWorkspace is a copy of w that shares nothing with it
// (TestWorkspaceCopiesShareNothing fails on a field it would share).
func copyWorkspace(w *okrcore.Workspace) *okrcore.Workspace {
	c := *w
	c.AlsoCurrent = slices.Clone(w.AlsoCurrent)
	c.Words = maps.Clone(w.Words)
	return &c
}

// Workspaces lists every workspace. Keys are str(id), whose encoding sorts
// like the id, so bucket order is id order.
func (t *boltTx) Workspaces() ([]*okrcore.Workspace, error) {
	b, err := t.bucket(bucketWorkspaces)
	if err != nil {
		return nil, err
	}
	var out []*okrcore.Workspace
	err = b.ForEach(func(_, v []byte) error {
		w, err := decode(workspaceKind, v)
		if err != nil {
			return err
		}
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// workspaceKind names workspaces in decode errors; workspaces are stored
// by PutWorkspace, not by put.
var workspaceKind = &kind[okrcore.Workspace]{name: "workspace"}

func (t *boltTx) PutWorkspace(w *okrcore.Workspace) error {
	if w == nil || w.ID == "" {
		return check.Invalid("put workspace", "The workspace has no ID.")
	}
	if !t.tx.Writable() {
		return errReadOnlyOp("put workspace")
	}
	b, err := t.bucket(bucketWorkspaces)
	if err != nil {
		return err
	}
	data, err := jsonEncode(w)
	if err != nil {
		return err
	}
	if err := b.Put(newKey(w.ID), data); err != nil {
		return err
	}
	t.keepWorkspace(w)
	return nil
}

// Users.

func (t *boltTx) User(ws string, id okrcore.ID) (*okrcore.User, error) {
	return get(t, userKind, ws, id)
}

func (t *boltTx) UserByPlatform(ws, platform, platformID string) (*okrcore.User, error) {
	return first(t, userKind, ws, idxUserPlatform, newKey(ws).str(platform).str(platformID), func() error {
		return check.NotFound("get user", "I don't know that %s user yet.", platformLabel(platform))
	})
}

func (t *boltTx) UserByName(ws, name string) (*okrcore.User, error) {
	missing := func() error { return check.NotFound("get user", "I can't find anyone called %q.", name) }
	if fold(name) == "" {
		return nil, missing()
	}
	return first(t, userKind, ws, idxUserName, newKey(ws).str(fold(name)), missing)
}

func (t *boltTx) UsersByEmail(ws, email string) ([]*okrcore.User, error) {
	if fold(email) == "" {
		return nil, nil
	}
	return byIndex(t, userKind, ws, idxUserEmail, newKey(ws).str(fold(email)))
}

// HasUsers seeks the first key of ws in the users bucket: IDs are not
// dense (a person folded into another is deleted), so the sequence can't
// say it.
func (t *boltTx) HasUsers(ws string) (bool, error) {
	b, err := t.bucket(bucketUsers)
	if err != nil {
		return false, err
	}
	prefix := newKey(ws)
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix), nil
}

func (t *boltTx) UsersByRole(ws string, role okrcore.Role) ([]*okrcore.User, error) {
	if role == "" {
		return nil, nil
	}
	return byIndex(t, userKind, ws, idxUserRole, newKey(ws).str(string(role)))
}

func (t *boltTx) Users(ws string) ([]*okrcore.User, error) { return list(t, userKind, ws) }

func (t *boltTx) PutUser(u *okrcore.User) error { return put(t, userKind, u) }

func (t *boltTx) DeleteUser(ws string, id okrcore.ID) error { return remove(t, userKind, ws, id) }

// Teams.

func (t *boltTx) Team(ws string, id okrcore.ID) (*okrcore.Team, error) {
	return get(t, teamKind, ws, id)
}

func (t *boltTx) TeamByName(ws, name string) (*okrcore.Team, error) {
	missing := func() error { return check.NotFound("get team", "I can't find a team called %q.", name) }
	if fold(name) == "" {
		return nil, missing()
	}
	return first(t, teamKind, ws, idxTeamName, newKey(ws).str(fold(name)), missing)
}

func (t *boltTx) Teams(ws string) ([]*okrcore.Team, error) { return list(t, teamKind, ws) }

func (t *boltTx) TeamsOfUser(ws string, user okrcore.ID) ([]*okrcore.Team, error) {
	return byIndex(t, teamKind, ws, idxTeamMember, newKey(ws).id(user))
}

func (t *boltTx) PutTeam(team *okrcore.Team) error { return put(t, teamKind, team) }

func (t *boltTx) DeleteTeam(ws string, id okrcore.ID) error { return discard(t, teamKind, ws, id) }

// Cycles.

func (t *boltTx) Cycle(ws string, id okrcore.ID) (*okrcore.Cycle, error) {
	return get(t, cycleKind, ws, id)
}

func (t *boltTx) Cycles(ws string) ([]*okrcore.Cycle, error) { return list(t, cycleKind, ws) }

func (t *boltTx) PutCycle(c *okrcore.Cycle) error { return put(t, cycleKind, c) }

func (t *boltTx) DeleteCycle(ws string, id okrcore.ID) error { return discard(t, cycleKind, ws, id) }

// Objectives.

func (t *boltTx) Objective(ws string, id okrcore.ID) (*okrcore.Objective, error) {
	return get(t, objectiveKind, ws, id)
}

// ObjectivesByCycle lists the objectives of a cycle; cycle 0 lists every
// objective of the workspace.
func (t *boltTx) ObjectivesByCycle(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	if cycle == 0 {
		return list(t, objectiveKind, ws)
	}
	return byIndex(t, objectiveKind, ws, idxObjCycle, newKey(ws).id(cycle))
}

// ObjectivesByOwner lists an owner's objectives in a cycle; cycle 0 means
// every cycle.
func (t *boltTx) ObjectivesByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	if owner.IsZero() {
		return nil, nil
	}
	p := ownerKey(newKey(ws), owner)
	if cycle != 0 {
		p = p.id(cycle)
	}
	return byIndex(t, objectiveKind, ws, idxObjOwner, p)
}

// objectiveRootKey is o's entry in the index of the objectives aligned
// to nothing, if it is one. A migration builds the index with it too.
func objectiveRootKey(o *okrcore.Objective) (key, bool) {
	if o.ParentKR != 0 || o.ParentObjective != 0 {
		return nil, false
	}
	return newKey(o.Workspace).id(o.Cycle).id(o.ID), true
}

// RootObjectives lists the objectives of a cycle aligned to nothing, in
// ID order, from their index.
func (t *boltTx) RootObjectives(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	return byIndex(t, objectiveKind, ws, idxObjRoot, newKey(ws).id(cycle))
}

func (t *boltTx) ObjectivesAlignedTo(ws string, parent okrcore.Ref) ([]*okrcore.Objective, error) {
	switch parent.Kind {
	case okrcore.RefKeyResult, okrcore.RefObjective:
	default:
		return nil, check.Invalid("list aligned objectives", "Objectives align only to a key result or an objective, not to %s.", parent)
	}
	if parent.ID == 0 {
		return nil, nil
	}
	return byIndex(t, objectiveKind, ws, idxObjParent, newKey(ws).str(string(parent.Kind)).id(parent.ID))
}

func (t *boltTx) PutObjective(o *okrcore.Objective) error {
	if err := check.Objective(o); err != nil {
		return err
	}
	return put(t, objectiveKind, o)
}

func (t *boltTx) DeleteObjective(ws string, id okrcore.ID) error {
	return discard(t, objectiveKind, ws, id)
}

// Key results.

func (t *boltTx) KeyResult(ws string, id okrcore.ID) (*okrcore.KeyResult, error) {
	return get(t, keyResultKind, ws, id)
}

func (t *boltTx) KeyResultsByObjective(ws string, objective okrcore.ID) ([]*okrcore.KeyResult, error) {
	return byIndex(t, keyResultKind, ws, idxKRObjective, newKey(ws).id(objective))
}

// KeyResultsByOwner lists an owner's key results in a cycle; cycle 0 means
// every cycle.
func (t *boltTx) KeyResultsByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	if owner.IsZero() {
		return nil, nil
	}
	p := ownerKey(newKey(ws), owner)
	if cycle != 0 {
		p = p.id(cycle)
	}
	return byIndex(t, keyResultKind, ws, idxKROwner, p)
}

// KeyResultsByCycle lists the key results of a cycle; cycle 0 lists every
// key result of the workspace.
func (t *boltTx) KeyResultsByCycle(ws string, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	if cycle == 0 {
		return list(t, keyResultKind, ws)
	}
	return byIndex(t, keyResultKind, ws, idxKRCycle, newKey(ws).id(cycle))
}

func (t *boltTx) PutKeyResult(k *okrcore.KeyResult) error { return put(t, keyResultKind, k) }

func (t *boltTx) DeleteKeyResult(ws string, id okrcore.ID) error {
	return discard(t, keyResultKind, ws, id)
}

// KPIs.

func (t *boltTx) KPI(ws string, id okrcore.ID) (*okrcore.KPI, error) { return get(t, kpiKind, ws, id) }

func (t *boltTx) KPIs(ws string) ([]*okrcore.KPI, error) { return list(t, kpiKind, ws) }

func (t *boltTx) KPIsByOwner(ws string, owner okrcore.Owner) ([]*okrcore.KPI, error) {
	if owner.IsZero() {
		return nil, nil
	}
	return byIndex(t, kpiKind, ws, idxKPIOwner, ownerKey(newKey(ws), owner))
}

func (t *boltTx) PutKPI(k *okrcore.KPI) error { return put(t, kpiKind, k) }

func (t *boltTx) DeleteKPI(ws string, id okrcore.ID) error { return discard(t, kpiKind, ws, id) }

// Initiatives.

func (t *boltTx) Initiative(ws string, id okrcore.ID) (*okrcore.Initiative, error) {
	return get(t, initiativeKind, ws, id)
}

func (t *boltTx) InitiativesByKeyResult(ws string, kr okrcore.ID) ([]*okrcore.Initiative, error) {
	return byIndex(t, initiativeKind, ws, idxInitiativeKR, newKey(ws).id(kr))
}

func (t *boltTx) InitiativesByOwner(ws string, owner okrcore.ID) ([]*okrcore.Initiative, error) {
	if owner == 0 {
		return nil, nil
	}
	return byIndex(t, initiativeKind, ws, idxInitiativeOwn, newKey(ws).id(owner))
}

func (t *boltTx) PutInitiative(i *okrcore.Initiative) error { return put(t, initiativeKind, i) }

func (t *boltTx) DeleteInitiative(ws string, id okrcore.ID) error {
	return discard(t, initiativeKind, ws, id)
}
