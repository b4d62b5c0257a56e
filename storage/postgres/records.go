package postgres

import (
	"slices"
	"strconv"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/internal/check"
)

func refMissing(kind okrcore.RefKind) func(okrcore.ID) string {
	return func(id okrcore.ID) string {
		return "I can't find " + okrcore.Ref{Kind: kind, ID: id}.String() + "."
	}
}

func idMissing(what string) func(okrcore.ID) string {
	return func(id okrcore.ID) string {
		return "I can't find " + what + " " + strconv.FormatUint(uint64(id), 10) + "."
	}
}

// accountKey is one entry of users.accounts: the platform's length first,
// so that no pair of platform and ID reads as another.
func accountKey(platform, platformID string) []byte {
	return []byte(strconv.Itoa(len(platform)) + ":" + platform + platformID)
}

func ownerVals(o okrcore.Owner) []any {
	if o.IsZero() {
		return []any{nil, nil}
	}
	return []any{[]byte(o.Kind), int64(o.ID)}
}

var (
	userKind = (&kind[okrcore.User]{
		name: "user", table: "users", seq: "user", cached: true,
		missing: idMissing("user"),
		ws:      func(u *okrcore.User) string { return u.Workspace },
		id:      func(u *okrcore.User) *okrcore.ID { return &u.ID },
		cols:    []string{"accounts", "name_fold", "email_fold", "role"},
		vals: func(u *okrcore.User) []any {
			accounts := [][]byte{}
			for _, a := range u.Accounts() {
				if a.PlatformID != "" {
					accounts = append(accounts, accountKey(a.Platform, a.PlatformID))
				}
			}
			return []any{accounts, nullable(fold(u.Name)), nullable(fold(u.Email)), nullable(string(u.Role))}
		},
		check: checkAccounts,
	}).prepare()
	teamKind = (&kind[okrcore.Team]{
		name: "team", table: "teams", seq: "team", cached: true,
		missing: refMissing(okrcore.RefTeam),
		ws:      func(t *okrcore.Team) string { return t.Workspace },
		id:      func(t *okrcore.Team) *okrcore.ID { return &t.ID },
		cols:    []string{"name_fold", "members"},
		vals: func(t *okrcore.Team) []any {
			members := slices.Clone(t.Members)
			if t.Lead != 0 {
				members = append(members, t.Lead)
			}
			slices.Sort(members)
			ids := []int64{}
			for _, m := range slices.Compact(members) {
				if m != 0 {
					ids = append(ids, int64(m))
				}
			}
			return []any{nullable(fold(t.Name)), ids}
		},
		check: checkTeamName,
	}).prepare()
	cycleKind = (&kind[okrcore.Cycle]{
		name: "cycle", table: "cycles", seq: "cycle", cached: true,
		missing: refMissing(okrcore.RefCycle),
		ws:      func(c *okrcore.Cycle) string { return c.Workspace },
		id:      func(c *okrcore.Cycle) *okrcore.ID { return &c.ID },
		vals:    func(*okrcore.Cycle) []any { return nil },
	}).prepare()
	objectiveKind = (&kind[okrcore.Objective]{
		name: "objective", table: "objectives", seq: "objective", cached: true, ahead: objectiveAhead,
		missing: refMissing(okrcore.RefObjective),
		ws:      func(o *okrcore.Objective) string { return o.Workspace },
		id:      func(o *okrcore.Objective) *okrcore.ID { return &o.ID },
		cols:    []string{"cycle", "owner_kind", "owner_id", "parent_kind", "parent_id"},
		vals: func(o *okrcore.Objective) []any {
			parent := []any{nil, nil}
			switch {
			case o.ParentKR != 0:
				parent = []any{[]byte(okrcore.RefKeyResult), int64(o.ParentKR)}
			case o.ParentObjective != 0:
				parent = []any{[]byte(okrcore.RefObjective), int64(o.ParentObjective)}
			}
			return append(append([]any{int64(o.Cycle)}, ownerVals(o.Owner)...), parent...)
		},
	}).prepare()
	keyResultKind = (&kind[okrcore.KeyResult]{
		name: "key result", table: "key_results", seq: "key_result", cached: true,
		missing: refMissing(okrcore.RefKeyResult),
		ws:      func(k *okrcore.KeyResult) string { return k.Workspace },
		id:      func(k *okrcore.KeyResult) *okrcore.ID { return &k.ID },
		cols:    []string{"objective", "cycle", "owner_kind", "owner_id"},
		vals: func(k *okrcore.KeyResult) []any {
			return append([]any{int64(k.Objective), int64(k.Cycle)}, ownerVals(k.Owner)...)
		},
	}).prepare()
	kpiKind = (&kind[okrcore.KPI]{
		name: "KPI", table: "kpis", seq: "kpi", cached: true,
		missing: refMissing(okrcore.RefKPI),
		ws:      func(k *okrcore.KPI) string { return k.Workspace },
		id:      func(k *okrcore.KPI) *okrcore.ID { return &k.ID },
		cols:    []string{"owner_kind", "owner_id"},
		vals:    func(k *okrcore.KPI) []any { return ownerVals(k.Owner) },
	}).prepare()
	initiativeKind = (&kind[okrcore.Initiative]{
		name: "initiative", table: "initiatives", seq: "initiative", cached: true,
		missing: refMissing(okrcore.RefInitiative),
		ws:      func(i *okrcore.Initiative) string { return i.Workspace },
		id:      func(i *okrcore.Initiative) *okrcore.ID { return &i.ID },
		cols:    []string{"key_result", "owner_id"},
		vals:    func(i *okrcore.Initiative) []any { return []any{int64(i.KeyResult), nullID(i.Owner)} },
	}).prepare()
	checkInKind = (&kind[okrcore.CheckIn]{
		name: "check-in", table: "check_ins", seq: "check_in",
		missing: idMissing("check-in"),
		ws:      func(c *okrcore.CheckIn) string { return c.Workspace },
		id:      func(c *okrcore.CheckIn) *okrcore.ID { return &c.ID },
		cols:    []string{"target", "target_id", "author", "at_ns"},
		vals: func(c *okrcore.CheckIn) []any {
			return []any{[]byte(c.Target), int64(c.TargetID), int64(c.Author), nanos(c.At)}
		},
	}).prepare()
)

// checkAccounts refuses an account already linked to another person.
func checkAccounts(t *pgTx, u *okrcore.User) error {
	for _, a := range u.Accounts() {
		if a.PlatformID == "" {
			continue
		}
		var other int64
		found, err := t.scan("put user", "SELECT id FROM users WHERE ws = $1 AND accounts @> ARRAY[$2::bytea] AND id <> $3 LIMIT 1",
			[]any{[]byte(u.Workspace), accountKey(a.Platform, a.PlatformID), int64(u.ID)}, &other)
		if err != nil {
			return err
		}
		if found {
			return check.Conflict("put user", "That %s account is already linked to another user.", platformLabel(a.Platform))
		}
	}
	return nil
}

// checkTeamName refuses a name another team has.
func checkTeamName(t *pgTx, team *okrcore.Team) error {
	n := fold(team.Name)
	if n == "" {
		return nil
	}
	var other int64
	found, err := t.scan("put team", "SELECT id FROM teams WHERE ws = $1 AND name_fold = $2 AND id <> $3 LIMIT 1",
		[]any{[]byte(team.Workspace), []byte(n), int64(team.ID)}, &other)
	if err != nil {
		return err
	}
	if found {
		return check.Conflict("put team", "There is already a team called %q.", team.Name)
	}
	return nil
}

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

func (t *pgTx) Workspace(ws string) (*okrcore.Workspace, error) {
	ck := cacheKey{table: "workspaces", ws: ws}
	if c, ok := t.recall(ck); ok {
		return decode[okrcore.Workspace]("workspace", c.body)
	}
	var body []byte
	found, err := t.scan("get workspace", "SELECT body FROM workspaces WHERE ws = $1", []any{[]byte(ws)}, &body)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, check.NotFound("get workspace", "This workspace is not set up yet.")
	}
	t.remember(ck, body, 0)
	return decode[okrcore.Workspace]("workspace", body)
}

// Workspaces lists every workspace; bytea sorts in byte order.
func (t *pgTx) Workspaces() ([]*okrcore.Workspace, error) {
	vs, err := t.bodies("list workspaces", "SELECT body FROM workspaces ORDER BY ws")
	if err != nil {
		return nil, err
	}
	return decodeAll[okrcore.Workspace]("workspace", vs)
}

func (t *pgTx) PutWorkspace(w *okrcore.Workspace) error {
	const op = "put workspace"
	if w == nil || w.ID == "" {
		return check.Invalid(op, "The workspace has no ID.")
	}
	if err := t.readOnly(op); err != nil {
		return err
	}
	data, err := jsonEncode(w)
	if err != nil {
		return err
	}
	t.remember(cacheKey{table: "workspaces", ws: w.ID}, data, 0)
	return t.queue(op, "INSERT INTO workspaces (ws, body) VALUES ($1, $2) ON CONFLICT (ws) DO UPDATE SET body = excluded.body",
		[]byte(w.ID), data)
}

// Users.

func (t *pgTx) User(ws string, id okrcore.ID) (*okrcore.User, error) {
	return get(t, userKind, ws, id)
}

func (t *pgTx) UserByPlatform(ws, platform, platformID string) (*okrcore.User, error) {
	return first(t, userKind, ws, func() error {
		return check.NotFound("get user", "I don't know that %s user yet.", platformLabel(platform))
	}, "accounts @> ARRAY[$2::bytea]", accountKey(platform, platformID))
}

func (t *pgTx) UserByName(ws, name string) (*okrcore.User, error) {
	missing := func() error { return check.NotFound("get user", "I can't find anyone called %q.", name) }
	if fold(name) == "" {
		return nil, missing()
	}
	return first(t, userKind, ws, missing, "name_fold = $2", []byte(fold(name)))
}

func (t *pgTx) UsersByEmail(ws, email string) ([]*okrcore.User, error) {
	if fold(email) == "" {
		return nil, nil
	}
	return where(t, userKind, ws, "email_fold = $2", []byte(fold(email)))
}

func (t *pgTx) HasUsers(ws string) (bool, error) {
	var has bool
	_, err := t.scan("has users", "SELECT EXISTS (SELECT 1 FROM users WHERE ws = $1)", []any{[]byte(ws)}, &has)
	return has, err
}

func (t *pgTx) UsersByRole(ws string, role okrcore.Role) ([]*okrcore.User, error) {
	if role == "" {
		return nil, nil
	}
	return where(t, userKind, ws, "role = $2", []byte(role))
}

func (t *pgTx) Users(ws string) ([]*okrcore.User, error) { return where(t, userKind, ws, "") }

func (t *pgTx) PutUser(u *okrcore.User) error { return put(t, userKind, u) }

func (t *pgTx) DeleteUser(ws string, id okrcore.ID) error { return remove(t, userKind, ws, id) }

// Teams.

func (t *pgTx) Team(ws string, id okrcore.ID) (*okrcore.Team, error) {
	return get(t, teamKind, ws, id)
}

func (t *pgTx) TeamByName(ws, name string) (*okrcore.Team, error) {
	missing := func() error { return check.NotFound("get team", "I can't find a team called %q.", name) }
	if fold(name) == "" {
		return nil, missing()
	}
	return first(t, teamKind, ws, missing, "name_fold = $2", []byte(fold(name)))
}

func (t *pgTx) Teams(ws string) ([]*okrcore.Team, error) { return where(t, teamKind, ws, "") }

func (t *pgTx) TeamsOfUser(ws string, user okrcore.ID) ([]*okrcore.Team, error) {
	return where(t, teamKind, ws, "members @> ARRAY[$2::bigint]", int64(user))
}

func (t *pgTx) PutTeam(team *okrcore.Team) error { return put(t, teamKind, team) }

func (t *pgTx) DeleteTeam(ws string, id okrcore.ID) error { return discard(t, teamKind, ws, id) }

// Cycles.

func (t *pgTx) Cycle(ws string, id okrcore.ID) (*okrcore.Cycle, error) {
	return get(t, cycleKind, ws, id)
}

func (t *pgTx) Cycles(ws string) ([]*okrcore.Cycle, error) { return where(t, cycleKind, ws, "") }

func (t *pgTx) PutCycle(c *okrcore.Cycle) error { return put(t, cycleKind, c) }

func (t *pgTx) DeleteCycle(ws string, id okrcore.ID) error { return discard(t, cycleKind, ws, id) }

// Objectives.

func (t *pgTx) Objective(ws string, id okrcore.ID) (*okrcore.Objective, error) {
	return get(t, objectiveKind, ws, id)
}

// ObjectivesByCycle lists the objectives of a cycle; cycle 0 lists every
// objective of the workspace.
func (t *pgTx) ObjectivesByCycle(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	if cycle == 0 {
		return where(t, objectiveKind, ws, "")
	}
	return where(t, objectiveKind, ws, "cycle = $2", int64(cycle))
}

// ObjectivesByOwner lists an owner's objectives in a cycle; cycle 0 means
// every cycle.
func (t *pgTx) ObjectivesByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	if owner.IsZero() {
		return nil, nil
	}
	if cycle == 0 {
		return where(t, objectiveKind, ws, "owner_kind = $2 AND owner_id = $3", []byte(owner.Kind), int64(owner.ID))
	}
	return where(t, objectiveKind, ws, "owner_kind = $2 AND owner_id = $3 AND cycle = $4", []byte(owner.Kind), int64(owner.ID), int64(cycle))
}

// RootObjectives lists the objectives of a cycle aligned to nothing, in
// ID order.
func (t *pgTx) RootObjectives(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	return where(t, objectiveKind, ws, "cycle = $2 AND parent_id IS NULL", int64(cycle))
}

func (t *pgTx) ObjectivesAlignedTo(ws string, parent okrcore.Ref) ([]*okrcore.Objective, error) {
	switch parent.Kind {
	case okrcore.RefKeyResult, okrcore.RefObjective:
	default:
		return nil, check.Invalid("list aligned objectives", "Objectives align only to a key result or an objective, not to %s.", parent)
	}
	if parent.ID == 0 {
		return nil, nil
	}
	return where(t, objectiveKind, ws, "parent_kind = $2 AND parent_id = $3", []byte(parent.Kind), int64(parent.ID))
}

func (t *pgTx) PutObjective(o *okrcore.Objective) error {
	if err := check.Objective(o); err != nil {
		return err
	}
	return put(t, objectiveKind, o)
}

func (t *pgTx) DeleteObjective(ws string, id okrcore.ID) error {
	return discard(t, objectiveKind, ws, id)
}

// Key results.

func (t *pgTx) KeyResult(ws string, id okrcore.ID) (*okrcore.KeyResult, error) {
	return get(t, keyResultKind, ws, id)
}

func (t *pgTx) KeyResultsByObjective(ws string, objective okrcore.ID) ([]*okrcore.KeyResult, error) {
	return where(t, keyResultKind, ws, "objective = $2", int64(objective))
}

// KeyResultsByOwner lists an owner's key results in a cycle; cycle 0 means
// every cycle.
func (t *pgTx) KeyResultsByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	if owner.IsZero() {
		return nil, nil
	}
	if cycle == 0 {
		return where(t, keyResultKind, ws, "owner_kind = $2 AND owner_id = $3", []byte(owner.Kind), int64(owner.ID))
	}
	return where(t, keyResultKind, ws, "owner_kind = $2 AND owner_id = $3 AND cycle = $4", []byte(owner.Kind), int64(owner.ID), int64(cycle))
}

// KeyResultsByCycle lists the key results of a cycle; cycle 0 lists every
// key result of the workspace.
func (t *pgTx) KeyResultsByCycle(ws string, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	if cycle == 0 {
		return where(t, keyResultKind, ws, "")
	}
	return where(t, keyResultKind, ws, "cycle = $2", int64(cycle))
}

func (t *pgTx) PutKeyResult(k *okrcore.KeyResult) error { return put(t, keyResultKind, k) }

func (t *pgTx) DeleteKeyResult(ws string, id okrcore.ID) error {
	return discard(t, keyResultKind, ws, id)
}

// KPIs.

func (t *pgTx) KPI(ws string, id okrcore.ID) (*okrcore.KPI, error) { return get(t, kpiKind, ws, id) }

func (t *pgTx) KPIs(ws string) ([]*okrcore.KPI, error) { return where(t, kpiKind, ws, "") }

func (t *pgTx) KPIsByOwner(ws string, owner okrcore.Owner) ([]*okrcore.KPI, error) {
	if owner.IsZero() {
		return nil, nil
	}
	return where(t, kpiKind, ws, "owner_kind = $2 AND owner_id = $3", []byte(owner.Kind), int64(owner.ID))
}

func (t *pgTx) PutKPI(k *okrcore.KPI) error { return put(t, kpiKind, k) }

func (t *pgTx) DeleteKPI(ws string, id okrcore.ID) error { return discard(t, kpiKind, ws, id) }

// Initiatives.

func (t *pgTx) Initiative(ws string, id okrcore.ID) (*okrcore.Initiative, error) {
	return get(t, initiativeKind, ws, id)
}

func (t *pgTx) InitiativesByKeyResult(ws string, kr okrcore.ID) ([]*okrcore.Initiative, error) {
	return where(t, initiativeKind, ws, "key_result = $2", int64(kr))
}

func (t *pgTx) InitiativesByOwner(ws string, owner okrcore.ID) ([]*okrcore.Initiative, error) {
	if owner == 0 {
		return nil, nil
	}
	return where(t, initiativeKind, ws, "owner_id = $2", int64(owner))
}

func (t *pgTx) PutInitiative(i *okrcore.Initiative) error { return put(t, initiativeKind, i) }

func (t *pgTx) DeleteInitiative(ws string, id okrcore.ID) error {
	return discard(t, initiativeKind, ws, id)
}
