package okrcore

import "fmt"

// SetRole gives a person a role. Admins only; the last admin can't step
// down, so that a workspace always has someone who can change it.
func SetRole(tx Tx, actor *User, person Later[ID], role Role) (*User, error) {
	switch role {
	case RoleAdmin, RoleMember, RoleObserver:
	default:
		return nil, Errorf(KindInvalid, "%q is not a role: use admin, member or observer.", role)
	}
	if err := RequireAdmin(actor, "change roles"); err != nil {
		return nil, err
	}
	id, err := person.get()
	if err != nil {
		return nil, err
	}
	u, err := tx.User(actor.Workspace, id)
	if err != nil {
		return nil, err
	}
	if u.ID == actor.ID && role != RoleAdmin {
		admins, err := tx.UsersByRole(actor.Workspace, RoleAdmin)
		if err != nil {
			return nil, fmt.Errorf("count admins: %w", err)
		}
		if len(admins) <= 1 {
			return nil, Errorf(KindConflict, "You are the only admin; make someone else admin first.")
		}
	}
	u.Role = role
	if err := tx.PutUser(u); err != nil {
		return nil, fmt.Errorf("store user: %w", err)
	}
	return u, nil
}
