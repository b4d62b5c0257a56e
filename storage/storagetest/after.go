package storagetest

import (
	"context"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// Slices reads people and teams a slice at a time (the scheduler's
// roster, spreading the reading of everyone over its ticks).
type Slices interface {
	UsersAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.User, error)
	TeamsAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.Team, error)
}

// RunSlices checks a backend's UsersAfter and TeamsAfter: in ID order,
// from above after, at most limit (all for 0), this workspace's only, a
// deleted record skipped, and slice by slice the same as Users and Teams.
func RunSlices(t *testing.T, s okrcore.Store) {
	t.Helper()
	put(t, s, func(tx okrcore.Tx) error {
		for i := range 7 {
			for _, ws := range []string{"w", "x"} {
				if err := tx.PutUser(&okrcore.User{Workspace: ws, Platform: "slack", PlatformID: ws + string(rune('a'+i)), Name: "P", Role: okrcore.RoleMember}); err != nil {
					return err
				}
				if err := tx.PutTeam(&okrcore.Team{Workspace: ws, Name: ws + string(rune('a'+i))}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	put(t, s, func(tx okrcore.Tx) error { return tx.DeleteTeam("w", 3) })
	err := s.View(context.Background(), func(tx okrcore.Tx) error {
		sl, ok := tx.(Slices)
		if !ok {
			t.Fatalf("%T has no UsersAfter and TeamsAfter", tx)
		}
		users, err := tx.Users("w")
		if err != nil {
			return err
		}
		teams, err := tx.Teams("w")
		if err != nil {
			return err
		}
		for _, limit := range []int{0, 1, 3, 7, 8} {
			var gotU []*okrcore.User
			for after := okrcore.ID(0); ; {
				us, err := sl.UsersAfter("w", after, limit)
				if err != nil {
					return err
				}
				if len(us) == 0 || (limit > 0 && len(us) > limit) {
					if limit > 0 && len(us) > limit {
						t.Errorf("UsersAfter(%d, %d): %d people", after, limit, len(us))
					}
					break
				}
				gotU, after = append(gotU, us...), us[len(us)-1].ID
			}
			equal(t, "people slice by slice", gotU, users)
			var gotT []*okrcore.Team
			for after := okrcore.ID(0); ; {
				ts, err := sl.TeamsAfter("w", after, limit)
				if err != nil {
					return err
				}
				if len(ts) == 0 || (limit > 0 && len(ts) > limit) {
					break
				}
				gotT, after = append(gotT, ts...), ts[len(ts)-1].ID
			}
			equal(t, "teams slice by slice", gotT, teams)
		}
		us, err := sl.UsersAfter("w", ^okrcore.ID(0), 0)
		if err != nil || len(us) != 0 {
			t.Errorf("UsersAfter(the largest ID): %d people, %v", len(us), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
