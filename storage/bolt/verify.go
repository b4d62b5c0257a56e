package bolt

import (
	"bytes"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"
)

// verify checks every record of the kind: it decodes, sits under its own
// workspace and ID, and its sequence has passed its ID. It adds the index
// entries the record should have to want.
func (k *kind[T]) verify(t *boltTx, want map[string]map[string]bool) error {
	b, err := t.bucket(k.bucket)
	if err != nil {
		return err
	}
	seq, err := t.bucket(bucketSeq)
	if err != nil {
		return err
	}
	return b.ForEach(func(key, v []byte) error {
		rec, err := decode[T](k, v)
		if err != nil {
			return fmt.Errorf("%s at %x: %w", k.name, key, err)
		}
		ws, id := k.ws(rec), *k.id(rec)
		if !bytes.Equal(key, newKey(ws).id(id)) {
			return fmt.Errorf("%s %s/%d stored under key %x", k.name, ws, id, key)
		}
		if n := u64At(seq.Get(newKey(ws).str(k.seq)), 0); n < uint64(id) {
			return fmt.Errorf("%s %s/%d: sequence is behind at %d", k.name, ws, id, n)
		}
		if k.indexes == nil {
			return nil
		}
		for _, ix := range k.indexes(rec) {
			m := want[string(ix.bucket)]
			if m == nil {
				m = map[string]bool{}
				want[string(ix.bucket)] = m
			}
			m[string(ix.key)] = true
		}
		return nil
	})
}

var recordIndexes = [][]byte{
	idxUserPlatform, idxUserName, idxTeamName, idxTeamMember,
	idxObjCycle, idxObjOwner, idxObjParent, idxObjRoot,
	idxKRObjective, idxKROwner, idxKRCycle, idxInitiativeKR,
	idxUserEmail, idxUserRole, idxKPIOwner, idxInitiativeOwn,
	idxOutboxKey, idxOutboxDue,
}

// verifyIndexes checks that every index holds exactly the entries its
// records call for, that outbox keys are unique and the count of open
// outbox items is right, that workspaces sit under their IDs, and that the
// state expiry index matches the state.
func verifyIndexes(tx *bbolt.Tx) error {
	t := &boltTx{tx: tx}
	want := map[string]map[string]bool{}
	var errs []error
	for _, k := range allKinds {
		if err := k.verify(t, want); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range recordIndexes {
		b, err := t.bucket(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		w := want[string(name)]
		found := 0
		err = b.ForEach(func(k, v []byte) error {
			if !w[string(k)] {
				return fmt.Errorf("index %s: stale entry %x", name, k)
			}
			if len(v) != 0 {
				return fmt.Errorf("index %s: entry %x has a value", name, k)
			}
			found++
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		} else if found != len(w) {
			errs = append(errs, fmt.Errorf("index %s: %d entries missing", name, len(w)-found))
		}
	}
	if err := verifyOutbox(t, len(want[string(idxOutboxDue)])); err != nil {
		errs = append(errs, err)
	}
	if err := verifyWorkspaces(t); err != nil {
		errs = append(errs, err)
	}
	if err := verifyState(t); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// verifyOutbox checks that no two outbox items share a key in a workspace
// and that the counter of open items says open.
func verifyOutbox(t *boltTx, open int) error {
	n, err := t.openOutbox()
	if err != nil {
		return err
	}
	if n != open {
		return fmt.Errorf("outbox: counter says %d open items, %d are open", n, open)
	}
	b, err := t.bucket(idxOutboxKey)
	if err != nil {
		return err
	}
	var prev []byte
	return b.ForEach(func(k, _ []byte) error {
		if len(k) < 8 {
			return fmt.Errorf("index %s: malformed entry %x", idxOutboxKey, k)
		}
		p := k[:len(k)-8]
		if prev != nil && bytes.Equal(p, prev) {
			return fmt.Errorf("index %s: two items under one key %x", idxOutboxKey, p)
		}
		prev = bytes.Clone(p)
		return nil
	})
}

// verifyWorkspaces checks that every workspace decodes and sits under its ID.
func verifyWorkspaces(t *boltTx) error {
	b, err := t.bucket(bucketWorkspaces)
	if err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error {
		w, err := decode(workspaceKind, v)
		if err != nil {
			return fmt.Errorf("workspace at %x: %w", k, err)
		}
		if !bytes.Equal(k, newKey(w.ID)) {
			return fmt.Errorf("workspace %q stored under key %x", w.ID, k)
		}
		return nil
	})
}

func verifyState(t *boltTx) error {
	b, err := t.bucket(bucketState)
	if err != nil {
		return err
	}
	exp, err := t.bucket(idxStateExpiry)
	if err != nil {
		return err
	}
	expiring := 0
	err = b.ForEach(func(k, v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("state %x: value too short", k)
		}
		if bits := u64At(v, 0); bits != 0 {
			expiring++
			if exp.Get(key(nil).u64(bits).append(k)) == nil {
				return fmt.Errorf("state %x: expiry not indexed", k)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n := exp.Stats().KeyN; n != expiring {
		return fmt.Errorf("state expiry index has %d entries for %d expiring values", n, expiring)
	}
	return nil
}
