package bottest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// ReadCounter is a store that counts the records each write transaction
// reads, for tests that hold the write lock to a bounded amount of work:
// a scan of everyone under it makes every other write wait, whatever the
// machine, so a count says what a timer would only hint at.
//
// Every lookup of a Tx in Update counts the records it returns (one for a
// record, a state value, a yes or no; a list's length); View is not
// counted. It implements every method of okrcore.Tx itself, so that a read
// added to Tx fails to compile here until it is counted.
type ReadCounter struct {
	okrcore.Store

	mu   sync.Mutex
	runs []Reads
}

// Reads is what one run of a write transaction read.
type Reads struct {
	Total int
	// ByMethod counts the records by the Tx method that returned them; a
	// method called is in it even when it returned nothing.
	ByMethod map[string]int
}

// Without is Total without the records of the methods named.
func (r Reads) Without(methods ...string) int {
	n := r.Total
	for _, m := range methods {
		n -= r.ByMethod[m]
	}
	return n
}

// Called says whether method was called.
func (r Reads) Called(method string) bool {
	_, ok := r.ByMethod[method]
	return ok
}

// String lists the methods that read the most first: "24 (User 20, Team 4)".
// Methods that returned nothing are left out.
func (r Reads) String() string {
	var names []string
	for n, v := range r.ByMethod {
		if v > 0 {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := r.ByMethod[b] - r.ByMethod[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, r.ByMethod[n])
	}
	return fmt.Sprintf("%d (%s)", r.Total, strings.Join(parts, ", "))
}

// CountReads wraps s; the engine under test is made on what it returns.
func CountReads(s okrcore.Store) *ReadCounter { return &ReadCounter{Store: s} }

// Update counts what each run of fn reads.
func (c *ReadCounter) Update(ctx context.Context, fn func(tx okrcore.Tx) error) error {
	return c.Store.Update(ctx, func(tx okrcore.Tx) error {
		ct := &countingTx{tx: tx, reads: Reads{ByMethod: map[string]int{}}}
		err := fn(ct)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.runs = append(c.runs, ct.reads)
		return err
	})
}

// Runs are the runs of write transactions since the last Reset, in the
// order they ended.
func (c *ReadCounter) Runs() []Reads {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.runs)
}

// Reset forgets what was counted, to count one event's transactions.
func (c *ReadCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs = nil
}

// countingTx counts what tx returns; writes pass through.
type countingTx struct {
	tx    okrcore.Tx
	reads Reads
}

func (c *countingTx) add(method string, n int) {
	c.reads.Total += n
	c.reads.ByMethod[method] += n
}

func one[T any](c *countingTx, method string, v *T, err error) (*T, error) {
	n := 0
	if v != nil {
		n = 1
	}
	c.add(method, n)
	return v, err
}

func many[T any](c *countingTx, method string, v []T, err error) ([]T, error) {
	c.add(method, len(v))
	return v, err
}

func (c *countingTx) Workspace(ws string) (*okrcore.Workspace, error) {
	v, err := c.tx.Workspace(ws)
	return one(c, "Workspace", v, err)
}

func (c *countingTx) Workspaces() ([]*okrcore.Workspace, error) {
	v, err := c.tx.Workspaces()
	return many(c, "Workspaces", v, err)
}

func (c *countingTx) PutWorkspace(w *okrcore.Workspace) error { return c.tx.PutWorkspace(w) }

func (c *countingTx) User(ws string, id okrcore.ID) (*okrcore.User, error) {
	v, err := c.tx.User(ws, id)
	return one(c, "User", v, err)
}

func (c *countingTx) UserByPlatform(ws, platform, platformID string) (*okrcore.User, error) {
	v, err := c.tx.UserByPlatform(ws, platform, platformID)
	return one(c, "UserByPlatform", v, err)
}

func (c *countingTx) UserByName(ws, name string) (*okrcore.User, error) {
	v, err := c.tx.UserByName(ws, name)
	return one(c, "UserByName", v, err)
}

func (c *countingTx) UsersByEmail(ws, email string) ([]*okrcore.User, error) {
	v, err := c.tx.UsersByEmail(ws, email)
	return many(c, "UsersByEmail", v, err)
}

func (c *countingTx) HasUsers(ws string) (bool, error) {
	c.add("HasUsers", 1)
	return c.tx.HasUsers(ws)
}

func (c *countingTx) UsersByRole(ws string, role okrcore.Role) ([]*okrcore.User, error) {
	v, err := c.tx.UsersByRole(ws, role)
	return many(c, "UsersByRole", v, err)
}

func (c *countingTx) Users(ws string) ([]*okrcore.User, error) {
	v, err := c.tx.Users(ws)
	return many(c, "Users", v, err)
}

func (c *countingTx) PutUser(u *okrcore.User) error { return c.tx.PutUser(u) }

func (c *countingTx) DeleteUser(ws string, id okrcore.ID) error { return c.tx.DeleteUser(ws, id) }

func (c *countingTx) Team(ws string, id okrcore.ID) (*okrcore.Team, error) {
	v, err := c.tx.Team(ws, id)
	return one(c, "Team", v, err)
}

func (c *countingTx) TeamByName(ws, name string) (*okrcore.Team, error) {
	v, err := c.tx.TeamByName(ws, name)
	return one(c, "TeamByName", v, err)
}

func (c *countingTx) Teams(ws string) ([]*okrcore.Team, error) {
	v, err := c.tx.Teams(ws)
	return many(c, "Teams", v, err)
}

func (c *countingTx) TeamsOfUser(ws string, user okrcore.ID) ([]*okrcore.Team, error) {
	v, err := c.tx.TeamsOfUser(ws, user)
	return many(c, "TeamsOfUser", v, err)
}

func (c *countingTx) PutTeam(t *okrcore.Team) error { return c.tx.PutTeam(t) }

func (c *countingTx) DeleteTeam(ws string, id okrcore.ID) error { return c.tx.DeleteTeam(ws, id) }

func (c *countingTx) Cycle(ws string, id okrcore.ID) (*okrcore.Cycle, error) {
	v, err := c.tx.Cycle(ws, id)
	return one(c, "Cycle", v, err)
}

func (c *countingTx) Cycles(ws string) ([]*okrcore.Cycle, error) {
	v, err := c.tx.Cycles(ws)
	return many(c, "Cycles", v, err)
}

func (c *countingTx) PutCycle(cy *okrcore.Cycle) error { return c.tx.PutCycle(cy) }

func (c *countingTx) DeleteCycle(ws string, id okrcore.ID) error { return c.tx.DeleteCycle(ws, id) }

func (c *countingTx) Objective(ws string, id okrcore.ID) (*okrcore.Objective, error) {
	v, err := c.tx.Objective(ws, id)
	return one(c, "Objective", v, err)
}

func (c *countingTx) ObjectivesByCycle(ws string, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	v, err := c.tx.ObjectivesByCycle(ws, cycle)
	return many(c, "ObjectivesByCycle", v, err)
}

func (c *countingTx) ObjectivesByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.Objective, error) {
	v, err := c.tx.ObjectivesByOwner(ws, owner, cycle)
	return many(c, "ObjectivesByOwner", v, err)
}

func (c *countingTx) ObjectivesAlignedTo(ws string, parent okrcore.Ref) ([]*okrcore.Objective, error) {
	v, err := c.tx.ObjectivesAlignedTo(ws, parent)
	return many(c, "ObjectivesAlignedTo", v, err)
}

func (c *countingTx) PutObjective(o *okrcore.Objective) error { return c.tx.PutObjective(o) }

func (c *countingTx) DeleteObjective(ws string, id okrcore.ID) error {
	return c.tx.DeleteObjective(ws, id)
}

func (c *countingTx) KeyResult(ws string, id okrcore.ID) (*okrcore.KeyResult, error) {
	v, err := c.tx.KeyResult(ws, id)
	return one(c, "KeyResult", v, err)
}

func (c *countingTx) KeyResultsByObjective(ws string, objective okrcore.ID) ([]*okrcore.KeyResult, error) {
	v, err := c.tx.KeyResultsByObjective(ws, objective)
	return many(c, "KeyResultsByObjective", v, err)
}

func (c *countingTx) KeyResultsByOwner(ws string, owner okrcore.Owner, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	v, err := c.tx.KeyResultsByOwner(ws, owner, cycle)
	return many(c, "KeyResultsByOwner", v, err)
}

func (c *countingTx) KeyResultsByCycle(ws string, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	v, err := c.tx.KeyResultsByCycle(ws, cycle)
	return many(c, "KeyResultsByCycle", v, err)
}

func (c *countingTx) PutKeyResult(k *okrcore.KeyResult) error { return c.tx.PutKeyResult(k) }

func (c *countingTx) DeleteKeyResult(ws string, id okrcore.ID) error {
	return c.tx.DeleteKeyResult(ws, id)
}

func (c *countingTx) KPI(ws string, id okrcore.ID) (*okrcore.KPI, error) {
	v, err := c.tx.KPI(ws, id)
	return one(c, "KPI", v, err)
}

func (c *countingTx) KPIs(ws string) ([]*okrcore.KPI, error) {
	v, err := c.tx.KPIs(ws)
	return many(c, "KPIs", v, err)
}

func (c *countingTx) KPIsByOwner(ws string, owner okrcore.Owner) ([]*okrcore.KPI, error) {
	v, err := c.tx.KPIsByOwner(ws, owner)
	return many(c, "KPIsByOwner", v, err)
}

func (c *countingTx) PutKPI(k *okrcore.KPI) error { return c.tx.PutKPI(k) }

func (c *countingTx) DeleteKPI(ws string, id okrcore.ID) error { return c.tx.DeleteKPI(ws, id) }

func (c *countingTx) Initiative(ws string, id okrcore.ID) (*okrcore.Initiative, error) {
	v, err := c.tx.Initiative(ws, id)
	return one(c, "Initiative", v, err)
}

func (c *countingTx) InitiativesByKeyResult(ws string, kr okrcore.ID) ([]*okrcore.Initiative, error) {
	v, err := c.tx.InitiativesByKeyResult(ws, kr)
	return many(c, "InitiativesByKeyResult", v, err)
}

func (c *countingTx) InitiativesByOwner(ws string, owner okrcore.ID) ([]*okrcore.Initiative, error) {
	v, err := c.tx.InitiativesByOwner(ws, owner)
	return many(c, "InitiativesByOwner", v, err)
}

func (c *countingTx) PutInitiative(i *okrcore.Initiative) error { return c.tx.PutInitiative(i) }

func (c *countingTx) DeleteInitiative(ws string, id okrcore.ID) error {
	return c.tx.DeleteInitiative(ws, id)
}

func (c *countingTx) AddCheckIn(ci *okrcore.CheckIn) error { return c.tx.AddCheckIn(ci) }

func (c *countingTx) CheckIns(ws string, target okrcore.TargetKind, id okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	v, err := c.tx.CheckIns(ws, target, id, since, limit)
	return many(c, "CheckIns", v, err)
}

func (c *countingTx) CheckInsByAuthor(ws string, author okrcore.ID, since time.Time, limit int) ([]*okrcore.CheckIn, error) {
	v, err := c.tx.CheckInsByAuthor(ws, author, since, limit)
	return many(c, "CheckInsByAuthor", v, err)
}

func (c *countingTx) CheckInTimesByAuthor(ws string, author okrcore.ID, since time.Time) ([]time.Time, error) {
	v, err := c.tx.CheckInTimesByAuthor(ws, author, since)
	return many(c, "CheckInTimesByAuthor", v, err)
}

func (c *countingTx) DeleteCheckIn(ws string, id okrcore.ID) error { return c.tx.DeleteCheckIn(ws, id) }

func (c *countingTx) AddOutbox(it *okrcore.OutboxItem) (bool, error) {
	// Whether the key was taken is read from its index, as a lookup.
	c.add("AddOutbox", 1)
	return c.tx.AddOutbox(it)
}

func (c *countingTx) OutboxItem(ws string, id okrcore.ID) (*okrcore.OutboxItem, error) {
	v, err := c.tx.OutboxItem(ws, id)
	return one(c, "OutboxItem", v, err)
}

func (c *countingTx) OutboxByKey(ws, key string) (*okrcore.OutboxItem, error) {
	v, err := c.tx.OutboxByKey(ws, key)
	return one(c, "OutboxByKey", v, err)
}

func (c *countingTx) PutOutbox(it *okrcore.OutboxItem) error { return c.tx.PutOutbox(it) }

func (c *countingTx) DueOutbox(now time.Time, limit int) ([]*okrcore.OutboxItem, error) {
	v, err := c.tx.DueOutbox(now, limit)
	return many(c, "DueOutbox", v, err)
}

func (c *countingTx) OpenOutbox() (int, time.Time, error) {
	c.add("OpenOutbox", 1)
	return c.tx.OpenOutbox()
}

func (c *countingTx) State(ws, key string) ([]byte, error) {
	v, err := c.tx.State(ws, key)
	n := 0
	if err == nil {
		n = 1
	}
	c.add("State", n)
	return v, err
}

func (c *countingTx) PutState(ws, key string, value []byte, expires time.Time) error {
	return c.tx.PutState(ws, key, value, expires)
}

func (c *countingTx) DeleteState(ws, key string) error { return c.tx.DeleteState(ws, key) }

var _ okrcore.Tx = (*countingTx)(nil)
