// Package retally is what a rollback of an import needs of okrcore's
// check-in tally (okrcore/tally.go): the slots the import's check-ins
// change, which its journal keeps, and counting those blocks again from
// the history once the check-ins are deleted.
package retally

import (
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
)

// KeysOf are the slots an import of cs may change, each once: what
// its journal keeps, so that a rollback counts them again (Recount).
func KeysOf(cs []*okrcore.CheckIn) []string {
	seen := map[string]bool{}
	var keys []string
	for _, c := range cs {
		for _, k := range []string{okrcore.TallyKey(c.Author/okrcore.TallyBlock, -1), okrcore.TallyKey(c.Author/okrcore.TallyBlock, okrcore.TallyWeekOf(c.At))} {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// parseKey reads TallyKey's block and week (-1 for a block's slot);
// ok is false for a key that is not the tally's.
func parseKey(k string) (block okrcore.ID, week int64, ok bool) {
	var b int64
	if n, err := fmt.Sscanf(k, "tally:b%d", &b); err == nil && n == 1 && okrcore.TallyKey(okrcore.ID(b), -1) == k {
		return okrcore.ID(b), -1, true
	}
	if n, err := fmt.Sscanf(k, "tally:w%d:b%d", &week, &b); err == nil && n == 2 && okrcore.TallyKey(okrcore.ID(b), week) == k {
		return okrcore.ID(b), week, true
	}
	return 0, 0, false
}

// Recount counts the blocks of the tally slots among keys again from
// the history, after a rollback deleted check-ins the tally had counted:
// each block is stored whole as its history says, and each of those weeks
// that has no check-in left is deleted. Keys that are not the tally's are
// left alone.
func Recount(tx okrcore.Tx, ws string, keys []string) error {
	weeks := map[okrcore.ID]map[int64]bool{}
	var blocks []okrcore.ID
	for _, k := range keys {
		b, w, ok := parseKey(k)
		if !ok {
			continue
		}
		if weeks[b] == nil {
			weeks[b] = map[int64]bool{}
			blocks = append(blocks, b)
		}
		weeks[b][w] = true
	}
	for _, b := range blocks {
		counted, err := okrcore.TallyFromHistory(tx, ws, b)
		if err != nil {
			return err
		}
		for w := range weeks[b] {
			if _, ok := counted[w]; !ok {
				if err := tx.DeleteState(ws, okrcore.TallyKey(b, w)); err != nil && !okrcore.IsNotFound(err) {
					return fmt.Errorf("forget tally: %w", err)
				}
			}
		}
		for w, s := range counted {
			if err := tx.PutState(ws, okrcore.TallyKey(b, w), okrcore.EncodeTally(s), okrcore.TallyExpires(w)); err != nil {
				return fmt.Errorf("store tally: %w", err)
			}
		}
	}
	return nil
}
