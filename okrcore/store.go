package okrcore

import (
	"context"
	"time"
)

// Store is transactional access to OKR records. Rules live in this package,
// not in a backend, so that every backend behaves the same; a backend proves
// it with the storagetest conformance suite.
//
// Every lookup is scoped to a workspace: a backend never returns a record of
// another workspace, even when asked for an ID that exists there.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Update runs fn in a read-write transaction, committed when fn returns
	// nil and rolled back otherwise. Backends may group concurrent updates
	// into one commit; fn may then run more than once and must not have
	// side effects outside tx.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Lookups return an error of KindNotFound when a record does not exist.
// Records returned are copies owned by the caller. Put methods create the
// record when its ID is zero (assigning the next ID of its kind in the
// workspace) and replace it otherwise.
//
// The Delete methods but DeleteUser exist to roll back an import that
// stopped half way (history is otherwise append-only): they take a record
// and all its index entries away, leave its kind's sequence as it is, and
// are no error for a missing record, so a crashed rollback can rerun.
type Tx interface {
	Workspace(ws string) (*Workspace, error)
	// Workspaces lists every workspace (for the scheduler), in id order.
	Workspaces() ([]*Workspace, error)
	PutWorkspace(w *Workspace) error

	User(ws string, id ID) (*User, error)
	UserByPlatform(ws, platform, platformID string) (*User, error)
	// UserByName matches the name case-insensitively.
	UserByName(ws, name string) (*User, error)
	// UsersByEmail lists, in ID order, the people whose address is email,
	// compared case-insensitively and without the spaces around it:
	// verified addresses and others alike, for a caller to tell apart by
	// EmailVerified (only a verified one joins accounts). It reads an index,
	// not everyone, so that first contact can run under the write lock.
	UsersByEmail(ws, email string) ([]*User, error)
	// HasUsers says whether anyone is in the workspace, in constant time
	// (the first person becomes its admin).
	HasUsers(ws string) (bool, error)
	// UsersByRole lists the people of a role, in ID order: admins are few,
	// and are asked for under the write lock.
	UsersByRole(ws string, role Role) ([]*User, error)
	Users(ws string) ([]*User, error)
	PutUser(u *User) error
	// DeleteUser removes a person who owns nothing and wrote nothing (an
	// account folded into another person); callers check that first.
	DeleteUser(ws string, id ID) error

	Team(ws string, id ID) (*Team, error)
	// TeamByName matches the name case-insensitively.
	TeamByName(ws, name string) (*Team, error)
	Teams(ws string) ([]*Team, error)
	// TeamsOfUser lists the teams the user is a member or lead of.
	TeamsOfUser(ws string, user ID) ([]*Team, error)
	PutTeam(t *Team) error
	DeleteTeam(ws string, id ID) error

	Cycle(ws string, id ID) (*Cycle, error)
	Cycles(ws string) ([]*Cycle, error)
	PutCycle(c *Cycle) error
	DeleteCycle(ws string, id ID) error

	Objective(ws string, id ID) (*Objective, error)
	ObjectivesByCycle(ws string, cycle ID) ([]*Objective, error)
	ObjectivesByOwner(ws string, owner Owner, cycle ID) ([]*Objective, error)
	// ObjectivesAlignedTo lists objectives whose parent is the given key
	// result (kind RefKeyResult) or objective (kind RefObjective).
	ObjectivesAlignedTo(ws string, parent Ref) ([]*Objective, error)
	PutObjective(o *Objective) error
	DeleteObjective(ws string, id ID) error

	KeyResult(ws string, id ID) (*KeyResult, error)
	KeyResultsByObjective(ws string, objective ID) ([]*KeyResult, error)
	KeyResultsByOwner(ws string, owner Owner, cycle ID) ([]*KeyResult, error)
	KeyResultsByCycle(ws string, cycle ID) ([]*KeyResult, error)
	PutKeyResult(k *KeyResult) error
	DeleteKeyResult(ws string, id ID) error

	KPI(ws string, id ID) (*KPI, error)
	KPIs(ws string) ([]*KPI, error)
	// KPIsByOwner lists the KPIs of one owner, in ID order.
	KPIsByOwner(ws string, owner Owner) ([]*KPI, error)
	PutKPI(k *KPI) error
	DeleteKPI(ws string, id ID) error

	Initiative(ws string, id ID) (*Initiative, error)
	InitiativesByKeyResult(ws string, kr ID) ([]*Initiative, error)
	// InitiativesByOwner lists the initiatives a user owns, in ID order.
	InitiativesByOwner(ws string, owner ID) ([]*Initiative, error)
	PutInitiative(i *Initiative) error
	DeleteInitiative(ws string, id ID) error

	// AddCheckIn appends a check-in; check-ins are never changed afterwards.
	AddCheckIn(c *CheckIn) error
	// CheckIns lists the check-ins of one target, newest first, at most
	// limit of them (all when limit <= 0), at or after since.
	CheckIns(ws string, target TargetKind, id ID, since time.Time, limit int) ([]*CheckIn, error)
	// CheckInsByAuthor lists a user's check-ins at or after since, newest first.
	CheckInsByAuthor(ws string, author ID, since time.Time, limit int) ([]*CheckIn, error)
	// CheckInTimesByAuthor lists the times (At) of a user's check-ins at or
	// after since, newest first: the times of what CheckInsByAuthor(ws,
	// author, since, 0) returns, in its order, without loading the
	// check-ins. The times are the same instants, though not necessarily
	// in the same location.
	CheckInTimesByAuthor(ws string, author ID, since time.Time) ([]time.Time, error)
	DeleteCheckIn(ws string, id ID) error

	// AddOutbox records a scheduled message unless one with the same Key
	// exists in its workspace; it reports whether it created one. On
	// false, it is a no-op and the stored item is left as it is.
	AddOutbox(it *OutboxItem) (bool, error)
	OutboxItem(ws string, id ID) (*OutboxItem, error)
	OutboxByKey(ws, key string) (*OutboxItem, error)
	// PutOutbox stores a changed item (its state, attempts, due time).
	PutOutbox(it *OutboxItem) error
	// DueOutbox lists open items (pending or sending) of every workspace
	// due at or before now, oldest due first, at most limit (all when
	// limit <= 0).
	DueOutbox(now time.Time, limit int) ([]*OutboxItem, error)
	// OpenOutbox counts the open items of every workspace and returns the
	// due time of the oldest (zero when there are none).
	OpenOutbox() (int, time.Time, error)

	// State is a small key-value space for the bot's own records (dialog
	// state, delivered-event ids). An expired entry reads as not found.
	State(ws, key string) ([]byte, error)
	PutState(ws, key string, value []byte, expires time.Time) error
	DeleteState(ws, key string) error
}

// View runs fn in a read-only transaction of s and returns what fn
// returned, so that a caller need not capture a variable in a closure.
func View[T any](ctx context.Context, s Store, fn func(tx Tx) (T, error)) (T, error) {
	var v T
	err := s.View(ctx, func(tx Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// Update runs fn in a read-write transaction of s, as Store.Update does,
// and returns what its last run returned.
func Update[T any](ctx context.Context, s Store, fn func(tx Tx) (T, error)) (T, error) {
	var v T
	err := s.Update(ctx, func(tx Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}
