package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// Bucket names. Record buckets hold values under str(workspace) id, in
// reccodec's form for people, teams, objectives and key results (see
// compact.go) and JSON for the others (check-ins apart: see checkin.go);
// index buckets hold empty values under composite keys (see keys.go).
var (
	bucketMeta        = []byte("meta")
	bucketSeq         = []byte("seq")
	bucketWorkspaces  = []byte("workspaces")
	bucketUsers       = []byte("users")
	bucketTeams       = []byte("teams")
	bucketCycles      = []byte("cycles")
	bucketObjectives  = []byte("objectives")
	bucketKeyResults  = []byte("key_results")
	bucketKPIs        = []byte("kpis")
	bucketInitiatives = []byte("initiatives")
	bucketCheckIns    = []byte("check_ins")
	bucketState       = []byte("state")
	bucketOutbox      = []byte("outbox")

	// Indexes.
	idxUserPlatform  = []byte("idx_user_platform")    // ws platform platform_id | user
	idxUserName      = []byte("idx_user_name")        // ws lower(name) | user
	idxTeamName      = []byte("idx_team_name")        // ws lower(name) | team
	idxTeamMember    = []byte("idx_team_member")      // ws user | team
	idxObjCycle      = []byte("idx_objective_cycle")  // ws cycle | objective
	idxObjOwner      = []byte("idx_objective_owner")  // ws owner_kind owner cycle | objective
	idxObjParent     = []byte("idx_objective_parent") // ws ref_kind parent | objective
	idxObjRoot       = []byte("idx_objective_root")   // ws cycle | objective aligned to nothing
	idxKRObjective   = []byte("idx_kr_objective")     // ws objective | kr
	idxKROwner       = []byte("idx_kr_owner")         // ws owner_kind owner cycle | kr
	idxKRCycle       = []byte("idx_kr_cycle")         // ws cycle | kr
	idxInitiativeKR  = []byte("idx_initiative_kr")    // ws kr | initiative
	idxInitiativeOwn = []byte("idx_initiative_owner") // ws owner | initiative (owned ones only)
	idxUserEmail     = []byte("idx_user_email")       // ws lower(email) | user, verified or not
	idxUserRole      = []byte("idx_user_role")        // ws role | user
	idxKPIOwner      = []byte("idx_kpi_owner")        // ws owner_kind owner | kpi
	idxCheckInTarget = []byte("idx_checkin_target")   // ws target id time | check-in
	idxCheckInAuthor = []byte("idx_checkin_author")   // ws author time | check-in
	idxStateExpiry   = []byte("idx_state_expiry")     // expires ws key (not per workspace)
	idxOutboxKey     = []byte("idx_outbox_key")       // ws key | item (unique per ws and key)
	idxOutboxDue     = []byte("idx_outbox_due")       // due ws | item, open items only (not per workspace)

	// Keys of the meta bucket.
	keySchemaVersion = []byte("schema_version")
	keyOutboxOpen    = []byte("outbox_open") // how many outbox items are open, 8 bytes

	allBucketsVersion1 = [][]byte{
		bucketSeq, bucketWorkspaces, bucketUsers, bucketTeams, bucketCycles,
		bucketObjectives, bucketKeyResults, bucketKPIs, bucketInitiatives,
		bucketCheckIns, bucketState,
		idxUserPlatform, idxUserName, idxTeamName, idxTeamMember,
		idxObjCycle, idxObjOwner, idxObjParent,
		idxKRObjective, idxKROwner, idxKRCycle, idxInitiativeKR,
		idxCheckInTarget, idxCheckInAuthor, idxStateExpiry,
	}
	bucketsVersion2 = [][]byte{bucketOutbox, idxOutboxKey, idxOutboxDue}
	bucketsVersion3 = [][]byte{idxUserEmail, idxUserRole, idxKPIOwner, idxInitiativeOwn}
	bucketsVersion7 = [][]byte{idxObjRoot}
)

// A migration upgrades the schema by one version inside the transaction it
// is given. migrations[i] upgrades version i to version i+1, so the schema
// version of this binary is len(migrations). Append new migrations at the
// end; never change a released one.
type migration func(tx *bbolt.Tx) error

var migrations = []migration{
	// 0 → 1: the initial buckets.
	func(tx *bbolt.Tx) error {
		for _, name := range allBucketsVersion1 {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	},
	// 1 → 2: the outbox of scheduled messages, its indexes and the count
	// of open items.
	func(tx *bbolt.Tx) error {
		for _, name := range bucketsVersion2 {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("bucket %s missing", bucketMeta)
		}
		if meta.Get(keyOutboxOpen) != nil {
			return nil
		}
		return meta.Put(keyOutboxOpen, binary.BigEndian.AppendUint64(nil, 0))
	},
	// 2 → 3: people by address and by role, KPIs and initiatives by
	// owner, so that first contact, a join by verified address, a link and
	// a change of role read a few records under the write lock, not
	// everyone; built here from the stored records.
	func(tx *bbolt.Tx) error {
		for _, name := range bucketsVersion3 {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		errs := []error{
			indexAll(tx, userKind, idxUserEmail, userEmailKey),
			indexAll(tx, userKind, idxUserRole, userRoleKey),
			indexAll(tx, kpiKind, idxKPIOwner, kpiOwnerKey),
			indexAll(tx, initiativeKind, idxInitiativeOwn, initiativeOwnerKey),
		}
		return errors.Join(errs...)
	},
	// 3 → 4: check-ins in compact buckets of their own (checkin.go),
	// about a quarter of what they took as JSON with their indexes. Open
	// moves them over first, convertBatch at a time (convertJSONCheckIns);
	// this converts what may be left and drops the JSON buckets.
	dropJSONCheckIns,
	// 4 → 5: the check-in indexes list the check-ins of a span of time in
	// one entry (chunks.go), a third of what an entry per check-in took.
	reindexCheckIns,
	// 5 → 6: people, teams, objectives and key results in a compact
	// binary form (compact.go); Open converts them convertBatch at a time
	// first (convertJSONRecords), this what may be left.
	compactAll,
	// 6 → 7: the objectives aligned to nothing by cycle, so that the
	// company tree starts from them without reading every objective.
	func(tx *bbolt.Tx) error {
		for _, name := range bucketsVersion7 {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return indexAll(tx, objectiveKind, idxObjRoot, objectiveRootKey)
	},
}

// convertBatch is how many check-ins one transaction of the conversion to
// schema version 4 moves, or records of the one to compactVersion: a few
// megabytes of dirty pages, a fraction of a second.
const convertBatch = 20000

// convertJSONCheckIns moves the check-ins of a file of schema version 1
// to 3 to their compact buckets in transactions of convertBatch, before
// migrate upgrades the rest in one: a year of check-ins in one
// transaction would hold gigabytes of dirty pages in memory. Each batch
// is committed on its own, so an interrupted conversion resumes at the
// next open; the file stays at its old version until migrate finishes.
func convertJSONCheckIns(db *bbolt.DB, migs []migration) error {
	return inBatches(db, 4, func(v int) bool { return v >= 1 && v <= 3 && len(migs) >= 4 }, convertCheckIns)
}

// inBatches runs batch on transactions of their own, convertBatch at a
// time, until it says it is done, when applies says the file's schema
// version calls for it: a conversion Open runs before migrate upgrades
// the rest in one transaction, to version to.
func inBatches(db *bbolt.DB, to int, applies func(v int) bool, batch func(tx *bbolt.Tx, limit int) (bool, error)) error {
	var v int
	if err := db.View(func(tx *bbolt.Tx) (err error) {
		v, err = schemaVersion(tx)
		return err
	}); err != nil {
		return err
	}
	if !applies(v) {
		return nil
	}
	for done := false; !done; {
		if err := db.Update(func(tx *bbolt.Tx) (err error) {
			done, err = batch(tx, convertBatch)
			return err
		}); err != nil {
			return fmt.Errorf("migrate schema from version %d to %d: %w", v, to, err)
		}
	}
	return nil
}

// indexAll adds the entry entry gives each record of k to index, for a
// migration that adds an index to records already stored.
func indexAll[T any](tx *bbolt.Tx, k *kind[T], index []byte, entry func(*T) (key, bool)) error {
	b, ix := tx.Bucket(k.bucket), tx.Bucket(index)
	if b == nil || ix == nil {
		return fmt.Errorf("index %s of %s: bucket missing", index, k.bucket)
	}
	return b.ForEach(func(_, v []byte) error {
		rec, err := decode(k, v)
		if err != nil {
			return err
		}
		if e, ok := entry(rec); ok {
			if err := ix.Put(e, nil); err != nil {
				return fmt.Errorf("index %s: %w", index, err)
			}
		}
		return nil
	})
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

// ErrNewerSchema is returned by Open for a database written by a newer
// okrbot than this one.
var ErrNewerSchema = errors.New("database was written by a newer okrbot")

// ErrNotOkrbot is returned by Open for a bbolt file that holds buckets but
// no okrbot schema version.
var ErrNotOkrbot = errors.New("file is a bbolt database but not an okrbot one")

// schemaVersion reads the stored version; 0 for a new file.
func schemaVersion(tx *bbolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.Get(keySchemaVersion)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("schema version: malformed value of %d bytes", len(v))
	}
	return int(binary.BigEndian.Uint64(v)), nil
}

// checkSchema is migrate for a database opened read-only: it refuses what
// migrate refuses (a newer schema, a foreign bbolt file) and upgrades
// nothing. It returns the stored version.
func checkSchema(db *bbolt.DB, migs []migration) (v int, err error) {
	err = db.View(func(tx *bbolt.Tx) error {
		if v, err = schemaVersion(tx); err != nil {
			return err
		}
		if v > len(migs) {
			return fmt.Errorf("%w: schema version %d, this binary knows up to %d; upgrade okrbot or restore a backup", ErrNewerSchema, v, len(migs))
		}
		if v == 0 && tx.Bucket(bucketMeta) == nil {
			return tx.ForEach(func([]byte, *bbolt.Bucket) error { return ErrNotOkrbot })
		}
		return nil
	})
	return v, err
}

// migrate brings the schema to len(migs) in one transaction (after the
// conversion of check-ins, in batches of their own), refusing a
// database newer than that. It returns the versions before and after.
func migrate(db *bbolt.DB, migs []migration) (from, to int, err error) {
	if err := convertJSONCheckIns(db, migs); err != nil {
		return 0, 0, err
	}
	if err := convertJSONRecords(db, migs); err != nil {
		return 0, 0, err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		from, to = v, v
		if v > len(migs) {
			return fmt.Errorf("%w: schema version %d, this binary knows up to %d; upgrade okrbot or restore a backup", ErrNewerSchema, v, len(migs))
		}
		if v == len(migs) {
			return nil
		}
		if v == 0 && tx.Bucket(bucketMeta) == nil {
			foreign := false
			_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { foreign = true; return nil })
			if foreign {
				return ErrNotOkrbot
			}
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("create meta bucket: %w", err)
		}
		for i := v; i < len(migs); i++ {
			if err := migs[i](tx); err != nil {
				return fmt.Errorf("migrate schema from version %d to %d: %w", i, i+1, err)
			}
		}
		if err := meta.Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, uint64(len(migs)))); err != nil {
			return fmt.Errorf("store schema version: %w", err)
		}
		to = len(migs)
		return nil
	})
	return from, to, err
}
