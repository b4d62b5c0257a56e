package transfer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/retally"
)

// An import of several transactions keeps a journal in its workspace's
// State, written in the same transactions as the records: a header
// (journalKey) saying an import runs, and a part per transaction
// (journalKey:N): the ids it created, the previous versions of what it
// changed. The import's last transaction, which alone writes the
// workspace record, removes the journal; one found later is of an import
// that stopped half way, which Recover undoes a part per transaction,
// newest first. registryWS lists the workspaces with a journal, as a new
// one has no record to be found by.
const (
	journalKey  = "import:journal"
	registryWS  = "okrbot:imports"
	registryKey = "running"
)

func journalPartKey(n int) string { return journalKey + ":" + strconv.Itoa(n) }

// journal is the header of a running import.
type journal struct {
	// Token tells this import's transactions from another's.
	Token   string    `json:"token"`
	Started time.Time `json:"started"`
	Parts   int       `json:"parts"`
}

// journalPart is what one transaction of an import did.
type journalPart struct {
	// Created lists, per kind, the ids created as ranges [from, to].
	Created map[string][][2]okrcore.ID `json:"created,omitempty"`
	// Prior holds the previous versions of the records changed, in order.
	Prior  []priorRecord `json:"prior,omitempty"`
	States []priorState  `json:"states,omitempty"`
}

type priorRecord struct {
	Kind string          `json:"kind"`
	Rec  json.RawMessage `json:"rec"`
}

// priorState is a State entry a source key was written to, as it was.
type priorState struct {
	Key     string `json:"key"`
	Value   []byte `json:"value,omitempty"`
	Existed bool   `json:"existed,omitempty"`
}

// Journal kinds, in the order a rollback deletes them: what refers to
// something before what it refers to.
const (
	jCheckIn    = "check_in"
	jInitiative = "initiative"
	jKPI        = "kpi"
	jKeyResult  = "key_result"
	jObjective  = "objective"
	jTeam       = "team"
	jUser       = "user"
	jCycle      = "cycle"
)

func (p *journalPart) created(kind string, id okrcore.ID) {
	if p.Created == nil {
		p.Created = map[string][][2]okrcore.ID{}
	}
	r := p.Created[kind]
	if n := len(r); n > 0 && r[n-1][1]+1 == id {
		r[n-1][1] = id
		return
	}
	p.Created[kind] = append(r, [2]okrcore.ID{id, id})
}

func (p *journalPart) prior(kind string, rec any) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("journal %s: %w", kind, err)
	}
	p.Prior = append(p.Prior, priorRecord{Kind: kind, Rec: b})
	return nil
}

func readJSON[T any](tx okrcore.Tx, ws, key string) (*T, error) {
	b, err := tx.State(ws, key)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

func putJSON(tx okrcore.Tx, ws, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return tx.PutState(ws, key, b, time.Time{})
}

// running lists the workspaces with a journal.
func running(tx okrcore.Tx) ([]string, error) {
	l, err := readJSON[[]string](tx, registryWS, registryKey)
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return *l, nil
}

func setRunning(tx okrcore.Tx, ws string, on bool) error {
	l, err := running(tx)
	if err != nil {
		return err
	}
	l = slices.DeleteFunc(l, func(s string) bool { return s == ws })
	if on {
		l = append(l, ws)
	}
	if len(l) == 0 {
		return tx.DeleteState(registryWS, registryKey)
	}
	return putJSON(tx, registryWS, registryKey, l)
}

// journalOf reads the journal of ws, nil when there is none.
func journalOf(tx okrcore.Tx, ws string) (*journal, error) {
	j, err := readJSON[journal](tx, ws, journalKey)
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	return j, err
}

// Recover rolls back every import that stopped half way (its process
// ended, or its rollback failed): it deletes what the import created and
// puts back what it changed, one journal part per transaction, newest
// first, so that a recovery that is itself interrupted goes on where it
// stopped. It reports how many imports it rolled back. Run it where no
// import can be running: when okrbot opens its store.
func Recover(ctx context.Context, s okrcore.Store) (rolledBack int, err error) {
	wss, err := okrcore.View(ctx, s, running)
	if err != nil {
		return 0, fmt.Errorf("find stopped imports: %w", err)
	}
	for _, ws := range wss {
		if err := rollback(ctx, s, ws); err != nil {
			return rolledBack, err
		}
		rolledBack++
	}
	return rolledBack, nil
}

// rollback undoes the journal of ws.
func rollback(ctx context.Context, s okrcore.Store, ws string) error {
	for {
		done, err := okrcore.Update(ctx, s, func(tx okrcore.Tx) (bool, error) {
			j, err := journalOf(tx, ws)
			if err != nil {
				return false, err
			}
			if j == nil || j.Parts == 0 {
				if err := tx.DeleteState(ws, journalKey); err != nil {
					return false, err
				}
				return true, setRunning(tx, ws, false)
			}
			key := journalPartKey(j.Parts)
			part, err := readJSON[journalPart](tx, ws, key)
			if err != nil && !okrcore.IsNotFound(err) {
				return false, err
			}
			if part != nil {
				if err := undo(tx, ws, part); err != nil {
					return false, err
				}
			}
			if err := tx.DeleteState(ws, key); err != nil {
				return false, err
			}
			j.Parts--
			return false, putJSON(tx, ws, journalKey, j)
		})
		if err != nil {
			return fmt.Errorf("roll back the import into %s: %w", ws, err)
		}
		if done {
			return nil
		}
	}
}

// undo puts back what one transaction changed, then deletes what it
// created: changed records first, so that nothing restored still points at
// something about to go.
func undo(tx okrcore.Tx, ws string, p *journalPart) error {
	for i := len(p.Prior) - 1; i >= 0; i-- {
		if err := restore(tx, p.Prior[i]); err != nil {
			return err
		}
	}
	for i := len(p.States) - 1; i >= 0; i-- {
		st := p.States[i]
		var err error
		if st.Existed {
			err = tx.PutState(ws, st.Key, st.Value, time.Time{})
		} else {
			err = tx.DeleteState(ws, st.Key)
		}
		if err != nil {
			return fmt.Errorf("restore %s: %w", st.Key, err)
		}
	}
	dels := deleters(tx)
	for _, kind := range []string{jCheckIn, jInitiative, jKPI, jKeyResult, jObjective, jTeam, jUser, jCycle} {
		for _, r := range p.Created[kind] {
			for id := r[0]; id <= r[1] && id >= r[0]; id++ {
				// Only DeleteUser minds a record that is gone: a rollback
				// that ran before took it.
				if err := dels[kind](ws, id); err != nil && !okrcore.IsNotFound(err) {
					return fmt.Errorf("delete %s %d: %w", kind, id, err)
				}
			}
		}
	}
	// Objectives restored or left without what was imported beneath them
	// read their roll-up from the records again.
	if err := okrcore.ForgetTotals(tx, ws); err != nil {
		return err
	}
	// The check-in tally, counted again without the check-ins deleted.
	keys := make([]string, len(p.States))
	for i, st := range p.States {
		keys[i] = st.Key
	}
	return retally.Recount(tx, ws, keys)
}

func deleters(tx okrcore.Tx) map[string]func(string, okrcore.ID) error {
	return map[string]func(string, okrcore.ID) error{jCheckIn: tx.DeleteCheckIn, jInitiative: tx.DeleteInitiative, jKPI: tx.DeleteKPI,
		jKeyResult: tx.DeleteKeyResult, jObjective: tx.DeleteObjective, jTeam: tx.DeleteTeam, jCycle: tx.DeleteCycle, jUser: tx.DeleteUser}
}

func restore(tx okrcore.Tx, p priorRecord) error {
	put := map[string]func(json.RawMessage) error{
		jUser: restoreAs(tx.PutUser), jTeam: restoreAs(tx.PutTeam), jCycle: restoreAs(tx.PutCycle), jObjective: restoreAs(tx.PutObjective),
		jKeyResult: restoreAs(tx.PutKeyResult), jKPI: restoreAs(tx.PutKPI), jInitiative: restoreAs(tx.PutInitiative),
	}[p.Kind]
	if put == nil {
		return fmt.Errorf("journal holds a previous %q, which is never changed", p.Kind)
	}
	if err := put(p.Rec); err != nil {
		return fmt.Errorf("restore %s: %w", p.Kind, err)
	}
	return nil
}

func restoreAs[T any](put func(*T) error) func(json.RawMessage) error {
	return func(b json.RawMessage) error {
		rec := new(T)
		if err := json.Unmarshal(b, rec); err != nil {
			return err
		}
		return put(rec)
	}
}
