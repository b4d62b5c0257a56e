package teams_test

import (
	"fmt"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/teams"
)

// TestSubtree: root first, each team once, through a loop in the parents
// and past a team that names itself its parent.
func TestSubtree(t *testing.T) {
	all := []*okrcore.Team{
		{ID: 1}, {ID: 2, Parent: 1}, {ID: 3, Parent: 2}, {ID: 4, Parent: 1},
		{ID: 5, Parent: 6}, {ID: 6, Parent: 5}, // a loop: old data
		{ID: 7, Parent: 7}, // its own parent: beneath nothing
	}
	byID := map[okrcore.ID]*okrcore.Team{}
	for _, x := range all {
		byID[x.ID] = x
	}
	for _, tt := range []struct {
		root okrcore.ID
		want string
	}{
		{1, "[1 2 3 4]"}, {2, "[2 3]"}, {4, "[4]"}, {5, "[5 6]"}, {7, "[7]"},
	} {
		var ids []okrcore.ID
		for _, x := range teams.Subtree(teams.Children(all), byID[tt.root]) {
			ids = append(ids, x.ID)
		}
		if got := fmt.Sprint(ids); got != tt.want {
			t.Errorf("subtree of %d: %s, want %s", tt.root, got, tt.want)
		}
	}
}
