package tally

import (
	"context"
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
)

// Filled says what FillEveryone found and built.
type Filled struct {
	Workspaces, People int
	Blocks             int // built by this call
	Missing            int // not built when it began
}

// FillEveryone builds every block not built yet of the people of every
// workspace (its users and its teams' people), one block per write
// transaction, so that check-ins arriving meanwhile wait for one block's
// count, not for all: what `okrbot serve` runs at start, so that no
// report and no page pays for it on its first view. A cancelled ctx stops
// it between blocks; each block is built whole or not at all, and the
// next call builds the rest. A built block stays built: check-ins keep its
// slots, a new week's included, so only people of a block nobody had
// before are left for the next call.
func FillEveryone(ctx context.Context, store okrcore.Store) (Filled, error) {
	var f Filled
	type block struct {
		ws string
		id okrcore.ID // a person of the block
	}
	var todo []block
	err := store.View(ctx, func(tx okrcore.Tx) error {
		f, todo = Filled{}, todo[:0]
		wss, err := tx.Workspaces()
		if err != nil {
			return err
		}
		for _, w := range wss {
			f.Workspaces++
			seen, people := map[okrcore.ID]bool{}, map[okrcore.ID]bool{}
			add := func(id okrcore.ID) error {
				if id == 0 || people[id] {
					return nil
				}
				people[id] = true
				b := id / okrcore.TallyBlock
				if seen[b] {
					return nil
				}
				seen[b] = true
				if _, err := tx.State(w.ID, okrcore.TallyKey(b, -1)); okrcore.IsNotFound(err) {
					todo = append(todo, block{ws: w.ID, id: id})
				} else if err != nil {
					return err
				}
				return nil
			}
			us, err := tx.Users(w.ID)
			if err != nil {
				return err
			}
			for _, u := range us {
				if err := add(u.ID); err != nil {
					return err
				}
			}
			teams, err := tx.Teams(w.ID)
			if err != nil {
				return err
			}
			for _, t := range teams {
				for _, id := range t.People() {
					if err := add(id); err != nil {
						return err
					}
				}
			}
			f.People += len(people)
		}
		return nil
	})
	if err != nil {
		return f, fmt.Errorf("list the tally's blocks: %w", err)
	}
	f.Missing = len(todo)
	for _, b := range todo {
		if err := ctx.Err(); err != nil {
			return f, err
		}
		if err := Fill(ctx, store, b.ws, []okrcore.ID{b.id}); err != nil {
			return f, fmt.Errorf("build the tally's block %d: %w", b.id/okrcore.TallyBlock, err)
		}
		f.Blocks++
	}
	return f, nil
}
