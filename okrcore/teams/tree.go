package teams

import "github.com/okrbot/okrbot/okrcore"

// Children is the teams beneath each team of all. A team that names
// itself as its parent is beneath nothing.
func Children(all []*okrcore.Team) map[okrcore.ID][]*okrcore.Team {
	children := map[okrcore.ID][]*okrcore.Team{}
	for _, t := range all {
		if t.Parent != 0 && t.Parent != t.ID {
			children[t.Parent] = append(children[t.Parent], t)
		}
	}
	return children
}

// Subtree lists root and every team beneath it (children, from Children),
// root first. Each team is listed once, so a loop in the parents (old
// data) cannot make it run forever.
func Subtree(children map[okrcore.ID][]*okrcore.Team, root *okrcore.Team) []*okrcore.Team {
	var out []*okrcore.Team
	seen := map[okrcore.ID]bool{}
	var walk func(t *okrcore.Team)
	walk = func(t *okrcore.Team) {
		if seen[t.ID] {
			return
		}
		seen[t.ID] = true
		out = append(out, t)
		for _, k := range children[t.ID] {
			walk(k)
		}
	}
	walk(root)
	return out
}
