package minimums_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/minimums"
)

var (
	start = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	q1    = &okrcore.Cycle{ID: 1, Start: start, End: start.AddDate(0, 3, 0)}
)

func TestShortOfKeyResults(t *testing.T) {
	written := start.Add(10 * 24 * time.Hour)
	o := &okrcore.Objective{ID: 1, Cycle: 1, CreatedAt: written}
	closed := *q1
	closed.Closed = true
	tests := []struct {
		name  string
		n     int
		c     *okrcore.Cycle
		rules okrcore.Rules
		after time.Duration
		want  bool
	}{
		{"at creation", 0, q1, okrcore.Rules{}, 0, false},
		{"while writing the first", 1, q1, okrcore.Rules{}, 2 * time.Hour, false},
		{"a minute short of a day", 1, q1, okrcore.Rules{}, minimums.Wait - time.Minute, false},
		{"a day on, one key result", 1, q1, okrcore.Rules{}, minimums.Wait, true},
		{"a day on, none", 0, q1, okrcore.Rules{}, minimums.Wait + time.Hour, true},
		{"a day on, two", 2, q1, okrcore.Rules{}, minimums.Wait, false},
		{"rules ask for one", 1, q1, okrcore.Rules{MinKeyResults: 1, MaxKeyResults: 3}, minimums.Wait, false},
		{"long after", 1, q1, okrcore.Rules{}, minimums.Within, false},
		{"cycle closed", 1, &closed, okrcore.Rules{}, minimums.Wait, false},
		{"another cycle", 1, &okrcore.Cycle{ID: 2, Start: start, End: q1.End}, okrcore.Rules{}, minimums.Wait, false},
		{"cycle over", 1, &okrcore.Cycle{ID: 1, Start: start, End: written.Add(time.Hour)}, okrcore.Rules{}, minimums.Wait, false},
		{"no cycle", 1, nil, okrcore.Rules{}, minimums.Wait, false},
	}
	for _, tc := range tests {
		if got := minimums.ShortOfKeyResults(o, tc.n, tc.c, tc.rules, written.Add(tc.after)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPlanning(t *testing.T) {
	team, alice, bob, carol := okrcore.TeamOwner(1), okrcore.UserOwner(10), okrcore.UserOwner(11), okrcore.UserOwner(12)
	obj := func(id okrcore.ID, ow okrcore.Owner) *okrcore.Objective {
		return &okrcore.Objective{ID: id, Owner: ow, Cycle: 1}
	}
	objs := []*okrcore.Objective{obj(5, alice), obj(1, team), obj(2, team), obj(3, team), obj(4, alice), obj(6, bob), obj(7, okrcore.UserOwner(99))}
	krs := map[okrcore.ID]int{1: 2, 2: 3, 3: 1, 4: 0, 5: 2, 6: 5, 7: 0}
	p := minimums.Planning([]okrcore.Owner{team, alice, bob, carol, alice}, objs, krs, okrcore.Rules{})
	wantFew := []minimums.OwnerCount{{alice, 2}, {bob, 1}} // carol has none: not listed; the team has 3
	if len(p.FewObjectives) != len(wantFew) {
		t.Fatalf("few objectives %+v, want %+v", p.FewObjectives, wantFew)
	}
	for i, w := range wantFew {
		if p.FewObjectives[i] != w {
			t.Errorf("few objectives[%d] %+v, want %+v", i, p.FewObjectives[i], w)
		}
	}
	// O7 is someone else's; O3 and O4 are short, in id order.
	if len(p.FewKeyResults) != 2 || p.FewKeyResults[0].Objective.ID != 3 || p.FewKeyResults[1].Objective.ID != 4 || p.FewKeyResults[1].KeyResults != 0 {
		t.Errorf("few key results %+v, want O3 (1) and O4 (0)", p.FewKeyResults)
	}
	if p.Objectives != 6 || !p.Short() || p.Rules.MinObjectives != 3 {
		t.Errorf("objectives %d short %v rules %+v", p.Objectives, p.Short(), p.Rules)
	}
	if q := minimums.Planning([]okrcore.Owner{team}, objs[1:3], map[okrcore.ID]int{1: 2, 2: 2}, okrcore.Rules{MinObjectives: 2, MaxObjectives: 4}); q.Short() {
		t.Errorf("within custom rules: %+v", q)
	}
}
