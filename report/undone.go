package report

import (
	"encoding/json"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The adoption report counts check-ins by their times alone
// (okrcore.Tx.CheckInTimesByAuthor), which cannot tell an undone check-in
// or an undo from one that counts. `undo` notes both times here, in the
// transaction of the undo, and the report skips them.

// undoneKey is the state entry of a workspace's undone check-ins, each
// kept undoneKeep, longer than any cycle.
const (
	undoneKey  = "adoption:undone"
	undoneKeep = 400 * 24 * time.Hour
)

// undoneCheckIn is a check-in taken back: its author, when it was written
// and when it was undone.
type undoneCheckIn struct {
	Author okrcore.ID `json:"a"`
	At     time.Time  `json:"t"`
	Undo   time.Time  `json:"u"`
}

func readUndone(tx okrcore.Tx, ws string) ([]undoneCheckIn, error) {
	var out []undoneCheckIn
	data, err := tx.State(ws, undoneKey)
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	return out, err
}

// NoteUndone records that author's check-in written at at was undone at
// undo (okrcore.UndoLastCheckIn), so that adoption counts neither.
func NoteUndone(tx okrcore.Tx, ws string, author okrcore.ID, at, undo time.Time) error {
	all, err := readUndone(tx, ws)
	if err != nil {
		return err
	}
	kept := []undoneCheckIn{{Author: author, At: at, Undo: undo}}
	for _, x := range all {
		if x.Undo.After(undo.Add(-undoneKeep)) {
			kept = append(kept, x)
		}
	}
	data, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return tx.PutState(ws, undoneKey, data, undo.Add(undoneKeep))
}
