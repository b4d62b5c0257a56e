package storagetest

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and arrange its closing with t.Cleanup.
//
// The contract it checks, beyond the comments of okrcore.Store and Tx:
//   - lists are in ID order, check-ins newest first (ties by ID, newest first);
//   - cycle 0 in ObjectivesByOwner, KeyResultsByOwner, ObjectivesByCycle and
//     KeyResultsByCycle means every cycle;
//   - a Put with a new ID stores the record under that ID, and later IDs of
//     that kind continue after it;
//   - a user's (platform, platform ID) and a team's name (case-insensitive)
//     are unique in a workspace: a clash is KindConflict;
//   - AddCheckIn with the ID of a stored check-in is KindConflict;
//   - CheckInTimesByAuthor gives the At of each check-in CheckInsByAuthor
//     lists, in the same order, to the nanosecond;
//   - an objective with both parents set, and a check-in whose target is
//     neither a key result nor a KPI, are KindInvalid;
//   - the error fn returns from Update is returned as is, and nothing fn wrote
//     is kept;
//   - UserByName and TeamByName give the lowest ID when several match;
//   - UsersByEmail finds every person of the workspace with the address,
//     verified or not, and nobody whose address changed since;
//   - Workspaces lists workspaces in byte order of their IDs;
//   - outbox items take IDs per workspace like other kinds; AddOutbox of a
//     Key stored in the workspace (in this transaction or before) returns
//     false, writes nothing and sets the item's ID to the stored item's,
//     leaving its other fields alone; an empty State is stored (and set on
//     the item) as pending; a nil item, an empty Workspace or Key, and an
//     unknown Kind or State are KindInvalid;
//   - PutOutbox changes a stored item only: ID 0 is KindInvalid, an ID not
//     stored in the item's workspace KindNotFound, a changed Key
//     KindInvalid;
//   - DueOutbox orders by due instant, then workspace, then ID, includes
//     items due exactly at now, and counts only pending and sending items,
//     as does OpenOutbox.
//   - DeleteTeam, DeleteCycle, DeleteObjective, DeleteKeyResult,
//     DeleteKPI, DeleteInitiative and DeleteCheckIn take the record out of
//     every lookup and nothing else, of a missing record are no error, and
//     leave the sequence of the kind where it was.
func Run(t *testing.T, open func(t *testing.T) okrcore.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s okrcore.Store)
	}{
		{"Workspace", testWorkspace},
		{"Users", testUsers},
		{"UsersByEmail", testUsersByEmail},
		{"HasUsers", testHasUsers},
		{"UsersByRole", testUsersByRole},
		{"Teams", testTeams},
		{"Cycles", testCycles},
		{"Objectives", testObjectives},
		{"KeyResults", testKeyResults},
		{"KPIs", testKPIs},
		{"KPIsByOwner", testKPIsByOwner},
		{"Initiatives", testInitiatives},
		{"InitiativesByOwner", testInitiativesByOwner},
		{"RollbackDeletes", testRollbackDeletes},
		{"CheckIns", testCheckIns},
		{"State", testState},
		{"Workspaces", testWorkspaces},
		{"OutboxAdd", testOutboxAdd},
		{"OutboxIsolation", testOutboxIsolation},
		{"OutboxDue", testOutboxDue},
		{"OutboxStates", testOutboxStates},
		{"OutboxOpenCount", testOutboxOpenCount},
		{"OutboxConcurrentAdd", testOutboxConcurrentAdd},
		{"IDsPerKindAndWorkspace", testIDs},
		{"ExplicitIDs", testExplicitIDs},
		{"NotFound", testNotFound},
		{"WorkspaceIsolation", testIsolation},
		{"Copies", testCopies},
		{"Rollback", testRollback},
		{"ReadOnlyView", testReadOnlyView},
		{"Context", testContext},
		{"ConcurrentUpdates", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}
