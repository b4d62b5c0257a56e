// Package tally reads who checked in when from okrcore's check-in tally
// (okrcore/tally.go): what the org-wide reports (the manager digest,
// adoption) and the web view's team page count, check-ins that an undo
// took back left out.
package tally

import (
	"context"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/teams"
)

// The org-wide reports (the manager digest, adoption) read who checked in
// from the check-in tally (okrcore/tally.go): a few slots per block of
// people instead of each person's history. A block not built yet (a store
// from before the tally) is counted from the history where it is read, and
// stored by Fill, which the adoption report runs first.

// weeks is a block's tally: by UTC week, and under -1 each person's
// newest check-in that counts.
type weeks map[int64]map[okrcore.ID]okrcore.Span

// Reader reads the tally block by block, as a report meets people.
type Reader struct {
	tx       okrcore.Tx
	ws       string
	from, to int64 // the UTC weeks a report may ask about
	blocks   map[okrcore.ID]weeks
	// since, when set, answers a block not built yet from each person's
	// own check-ins since it, read once (times): cheaper than the block's
	// whole history when some of its people are asked (a team's page, a
	// manager digest's subtree).
	since time.Time
	times map[okrcore.ID][]time.Time
	// only, when set, are the people a block's slots are read for (a
	// team's page): decoding a whole block's 256 people for each of them
	// cost more than their histories.
	only map[okrcore.ID]bool
}

func NewReader(tx okrcore.Tx, ws string, from, to time.Time) *Reader {
	return &Reader{tx: tx, ws: ws, from: okrcore.TallyWeekOf(from) - 1, to: okrcore.TallyWeekOf(to) + 1, blocks: map[okrcore.ID]weeks{}}
}

// NewPersonReader is a Reader of the weeks from..to for a few people: a
// block not built yet is answered from each person's own check-ins since
// from instead of the whole block's history.
func NewPersonReader(tx okrcore.Tx, ws string, from, to time.Time) *Reader {
	r := NewReader(tx, ws, from, to)
	r.since, r.times = from, map[okrcore.ID][]time.Time{}
	return r
}

// NewTeamReader is a NewPersonReader that reads of each block only the
// people ids; anyone else is answered from their own check-ins.
func NewTeamReader(tx okrcore.Tx, ws string, from, to time.Time, ids []okrcore.ID) *Reader {
	r := NewPersonReader(tx, ws, from, to)
	r.only = make(map[okrcore.ID]bool, len(ids))
	for _, id := range ids {
		r.only[id] = true
	}
	return r
}

// personTimes are the times of id's check-ins that count since r.since,
// newest first.
func (r *Reader) personTimes(id okrcore.ID) ([]time.Time, error) {
	if ts, ok := r.times[id]; ok {
		return ts, nil
	}
	cis, err := r.tx.CheckInsByAuthor(r.ws, id, r.since, 0)
	if err != nil {
		return nil, err
	}
	ts := []time.Time{}
	for _, c := range okrcore.Effective(cis) {
		ts = append(ts, c.At)
	}
	r.times[id] = ts
	return ts, nil
}

// readBlock reads a block's slots, the weeks from..to of them; built
// is false for a block not built yet.
func readBlock(tx okrcore.Tx, ws string, block okrcore.ID, from, to int64, keep func(okrcore.ID) bool) (weeks, bool, error) {
	b, err := tx.State(ws, okrcore.TallyKey(block, -1))
	if okrcore.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	last, ok := okrcore.DecodeTallyOf(b, keep)
	if !ok {
		return nil, false, nil
	}
	out := weeks{-1: last}
	for w := from; w <= to; w++ {
		b, err := tx.State(ws, okrcore.TallyKey(block, w))
		if okrcore.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if out[w], ok = okrcore.DecodeTallyOf(b, keep); !ok {
			return nil, false, nil
		}
	}
	return out, true, nil
}

func (r *Reader) block(id okrcore.ID) (weeks, error) {
	if r.only != nil && !r.only[id] {
		return nil, nil // not among the people read: their own check-ins answer
	}
	b := id / okrcore.TallyBlock
	if s, ok := r.blocks[b]; ok {
		return s, nil
	}
	var keep func(okrcore.ID) bool
	if r.only != nil {
		keep = func(id okrcore.ID) bool { return r.only[id] }
	}
	s, built, err := readBlock(r.tx, r.ws, b, r.from, r.to, keep)
	if err == nil && !built && r.times == nil {
		s, err = okrcore.TallyFromHistory(r.tx, r.ws, b)
	}
	if err != nil {
		return nil, err
	}
	r.blocks[b] = s
	return s, nil
}

// CheckedInSince says whether id wrote a check-in that counts at or
// after since (CheckedInSince).
func (r *Reader) CheckedInSince(id okrcore.ID, since time.Time) (bool, error) {
	s, err := r.block(id)
	if err != nil {
		return false, err
	}
	if s == nil && r.times != nil && !since.Before(r.since) {
		ts, err := r.personTimes(id)
		return len(ts) > 0 && !ts[0].Before(since), err
	}
	if s == nil {
		return Since(r.tx, r.ws, id, since)
	}
	sp, ok := s[-1][id]
	return ok && sp.Last >= since.UnixNano(), nil
}

// CheckedInBetween says whether id wrote a check-in that counts in
// [a, b): each UTC week it overlaps says so by its first and last, but
// for one that begins before a and ends after b, which the history tells.
func (r *Reader) CheckedInBetween(id okrcore.ID, a, b time.Time) (bool, error) {
	s, err := r.block(id)
	if err != nil {
		return false, err
	}
	if s == nil && r.times != nil {
		ts, err := r.personTimes(id)
		if err != nil {
			return false, err
		}
		for _, t := range ts {
			if t.Before(b) {
				return !t.Before(a), nil
			}
		}
		return false, nil
	}
	an, bn := a.UnixNano(), b.UnixNano()
	for w := okrcore.TallyWeekOf(a); w <= okrcore.TallyWeekOf(b.Add(-1)); w++ {
		sp, ok := s[w][id]
		switch {
		case !ok || sp.Last < an || sp.First >= bn:
		case sp.First >= an || sp.Last < bn:
			return true, nil
		default:
			cis, err := r.tx.CheckInsByAuthor(r.ws, id, a, 0)
			if err != nil {
				return false, err
			}
			for _, c := range okrcore.Effective(cis) {
				if c.At.Before(b) {
					return true, nil
				}
			}
			return false, nil
		}
	}
	return false, nil
}

// fillChunk is how many blocks one write transaction builds: each
// reads the history of up to okrcore.TallyBlock people under the write lock.
const fillChunk = 4

// Fill builds and stores the blocks of ids not built yet, a few per
// write transaction; each is counted inside the transaction that stores
// it, so that no check-in falls between the count and the store.
func Fill(ctx context.Context, store okrcore.Store, ws string, ids []okrcore.ID) error {
	var missing []okrcore.ID
	err := store.View(ctx, func(tx okrcore.Tx) error {
		missing = missing[:0]
		seen := map[okrcore.ID]bool{}
		for _, id := range ids {
			b := id / okrcore.TallyBlock
			if seen[b] {
				continue
			}
			seen[b] = true
			if _, err := tx.State(ws, okrcore.TallyKey(b, -1)); okrcore.IsNotFound(err) {
				missing = append(missing, b)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	for start := 0; err == nil && start < len(missing); start += fillChunk {
		chunk := missing[start:min(start+fillChunk, len(missing))]
		err = store.Update(ctx, func(tx okrcore.Tx) error {
			for _, b := range chunk {
				if _, err := tx.State(ws, okrcore.TallyKey(b, -1)); err == nil {
					continue // built meanwhile
				}
				weeks, err := okrcore.TallyFromHistory(tx, ws, b)
				if err != nil {
					return err
				}
				for w, s := range weeks {
					if w >= 0 && len(s) == 0 {
						continue
					}
					if err := tx.PutState(ws, okrcore.TallyKey(b, w), okrcore.EncodeTally(s), okrcore.TallyExpires(w)); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	return err
}

// FillUnder builds the blocks (Fill) of the people of team and of every
// team beneath it: what a manager digest counts, built before it is
// composed, so that a store from before the tally, or people no report
// has counted yet, cost their histories once and not every week.
func FillUnder(ctx context.Context, store okrcore.Store, ws string, team okrcore.ID) error {
	var ids []okrcore.ID
	err := store.View(ctx, func(tx okrcore.Tx) error {
		all, err := tx.Teams(ws)
		if err != nil {
			return err
		}
		for _, t := range all {
			if t.ID == team {
				for _, u := range teams.Subtree(teams.Children(all), t) {
					ids = append(ids, u.People()...)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the teams under %d: %w", team, err)
	}
	return Fill(ctx, store, ws, ids)
}

// Since reports whether a person wrote a check-in that counts
// (okrcore.Effective) at or after since, from their history.
func Since(tx okrcore.Tx, ws string, author okrcore.ID, since time.Time) (bool, error) {
	cis, err := tx.CheckInsByAuthor(ws, author, since, 1)
	if err != nil || len(cis) == 0 || cis[0].UndoOf == 0 { // the newest is not undone: its undo would be newer
		return len(cis) > 0, err
	}
	cis, err = tx.CheckInsByAuthor(ws, author, since, 0)
	return len(okrcore.Effective(cis)) > 0, err
}
