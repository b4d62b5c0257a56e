package okrcore_test

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func TestSetRole(t *testing.T) {
	f := newFixture(t)
	errTyped := okrcore.Errorf(okrcore.KindNotFound, "I don't know anyone called @nobody.")
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		person   tracked[okrcore.ID]
		role     okrcore.Role
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, tracked[okrcore.ID]{v: f.bob.ID}, okrcore.RoleAdmin, okrcore.KindForbidden, []string{"Only an admin can change roles."}, false},
		{"an observer", f.olga, tracked[okrcore.ID]{err: errTyped}, okrcore.RoleAdmin, okrcore.KindForbidden, []string{"change roles"}, false},
		{"not a role", f.ada, tracked[okrcore.ID]{v: f.bob.ID}, "boss", okrcore.KindInvalid, []string{`"boss" is not a role`}, false},
		{"the only admin steps down", f.ada, tracked[okrcore.ID]{v: f.ada.ID}, okrcore.RoleMember, okrcore.KindConflict, []string{"You are the only admin; make someone else admin first."}, true},
		{"an unknown person", f.ada, tracked[okrcore.ID]{v: 999}, okrcore.RoleMember, okrcore.KindNotFound, nil, true},
		{"what the person typed", f.ada, tracked[okrcore.ID]{err: errTyped}, okrcore.RoleMember, okrcore.KindNotFound, []string{"@nobody"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			person := tc.person
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, err := okrcore.SetRole(tx, tc.actor, person.later(), tc.role)
				return err
			}, tc.kind, tc.keywords...)
			if person.called != tc.asked {
				t.Errorf("person read: %v, want %v", person.called, tc.asked)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		actor  *okrcore.User
		person *okrcore.User
		role   okrcore.Role
	}{
		{"an admin makes another", f.ada, f.alice, okrcore.RoleAdmin},
		{"an observer", f.ada, f.bob, okrcore.RoleObserver},
		// With Alice an admin too, Ada may step down.
		{"one of two admins steps down", f.ada, f.ada, okrcore.RoleMember},
		{"the new admin makes an observer a member", f.alice, f.olga, okrcore.RoleMember},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var u *okrcore.User
			update(t, f.db, func(tx okrcore.Tx) (err error) {
				u, err = okrcore.SetRole(tx, tc.actor, okrcore.Given(tc.person.ID), tc.role)
				return err
			})
			if got := getUser(t, f.db, "A", tc.person.ID); got.Role != tc.role || u.Role != tc.role {
				t.Errorf("%s is %s, want %s", got.Name, got.Role, tc.role)
			}
			tc.person.Role = u.Role
		})
	}
}
