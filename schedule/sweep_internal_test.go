package schedule

import (
	"maps"
	"slices"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// TestSweepKind: a roster swept a slice a tick holds, after one sweep,
// what the store holds, whatever changed meanwhile: newcomers at once
// (gaps of deleted IDs included), changes and deletions within a sweep.
func TestSweepKind(t *testing.T) {
	type rec struct {
		id okrcore.ID
		tz string
	}
	tests := []struct {
		name   string
		before []rec
		after  []rec
		limit  int
	}{
		{name: "nothing changed", before: []rec{{1, "a"}, {2, "a"}, {3, "b"}}, after: []rec{{1, "a"}, {2, "a"}, {3, "b"}}, limit: 2},
		{name: "newcomer past a gap", before: []rec{{1, "a"}, {2, "a"}}, after: []rec{{1, "a"}, {2, "a"}, {40, "c"}}, limit: 2},
		{name: "moved and deleted", before: []rec{{1, "a"}, {2, "a"}, {3, "a"}, {4, "a"}, {5, "a"}}, after: []rec{{1, "a"}, {3, "z"}, {5, "a"}, {6, "b"}}, limit: 2},
		{name: "the last deleted", before: []rec{{1, "a"}, {2, "a"}, {3, "a"}}, after: []rec{{1, "a"}, {2, "a"}}, limit: 1},
		{name: "everyone gone", before: []rec{{1, "a"}, {2, "a"}}, after: nil, limit: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, last, at := map[okrcore.ID]*rec{}, okrcore.ID(0), okrcore.ID(0)
			for _, r := range tc.before {
				recs[r.id], last = &rec{r.id, r.tz}, max(last, r.id)
			}
			store := tc.after
			list := func(after okrcore.ID, limit int) ([]*rec, error) {
				var out []*rec
				for _, r := range store {
					if r.id > after && (limit <= 0 || len(out) < limit) {
						out = append(out, &rec{r.id, r.tz})
					}
				}
				return out, nil
			}
			want := map[okrcore.ID]rec{}
			for _, r := range store {
				want[r.id] = r
			}
			changedOnce := false
			ticks := len(tc.before)/tc.limit + 2
			for tick := range ticks {
				changed, err := sweepKind(recs, &last, &at, tc.limit, list, func(r *rec) okrcore.ID { return r.id })
				if err != nil {
					t.Fatal(err)
				}
				changedOnce = changedOnce || changed
				if tick == 0 {
					for _, r := range store {
						if r.id > tc.before[len(tc.before)-1].id && recs[r.id] == nil {
							t.Errorf("newcomer %d not read at the first tick", r.id)
						}
					}
				}
			}
			got := map[okrcore.ID]rec{}
			for k, r := range recs {
				got[k] = *r
			}
			if !maps.Equal(got, want) {
				t.Errorf("after %d ticks the roster holds %v, the store %v", ticks, got, want)
			}
			if same := slices.Equal(tc.before, tc.after); changedOnce == same {
				t.Errorf("changed %v, but the store changed %v", changedOnce, !same)
			}
		})
	}
}
