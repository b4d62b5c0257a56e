package schedule

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A roster is what a workspace's people and teams make of its schedule:
// the groups that share a time zone and a slot. Reading it means decoding
// everyone, which is most of a tick's work in a large organisation, while
// deciding whether any group is due needs only the groups and one marker
// each. So a tick plans from the roster the last one read, and reads it
// again (and plans again from that) before anything is recorded, when it
// is older than rosterRefresh, or when the workspace's own rhythm changed.
// A quiet tick is then O(groups); who is planned is always who is there
// when something is due. What the cache can delay is only a group that did
// not exist when it was read (someone in a time zone nobody was in): its
// occurrence is planned by the next read, within rosterRefresh and well
// inside the grace period, and still once, by its marker.
type roster struct {
	read        time.Time // the tick that read it
	baseKey     string
	people      map[string]*group
	teams       map[string]*group
	hasChildren map[okrcore.ID]bool
	cycles      *cycleGroups
}

// rosterRefresh is the longest a roster is planned from; shorter when the
// grace period is short, so that a new group's window is never missed.
const rosterRefresh = 5 * time.Minute

func (s *Scheduler) rosterAge() time.Duration { return min(rosterRefresh, s.grace/4) }

// cachedRoster is the roster last read for ws, if it may still be planned
// from at now.
func (s *Scheduler) cachedRoster(ws, baseKey string, now time.Time) *roster {
	r := s.rosters[ws]
	if r == nil || r.baseKey != baseKey || now.Before(r.read) || now.Sub(r.read) >= s.rosterAge() {
		return nil
	}
	return r
}

// readRoster reads everyone and every team of ws into groups, and keeps
// the roster for the next ticks.
func (s *Scheduler) readRoster(tx okrcore.Tx, ws string, base okrcore.Schedule, baseKey string, now time.Time) (*roster, error) {
	users, err := tx.Users(ws)
	if err != nil {
		return nil, err
	}
	teams, err := tx.Teams(ws)
	if err != nil {
		return nil, err
	}
	r := &roster{read: now, baseKey: baseKey, people: map[string]*group{}, teams: map[string]*group{}, hasChildren: map[okrcore.ID]bool{}}
	// A person follows the override of their first team that has one.
	type override struct {
		sched okrcore.Schedule
		key   string
	}
	userSched := map[okrcore.ID]okrcore.Schedule{}
	userKey := map[okrcore.ID]string{}
	for _, t := range teams {
		if t.Schedule == nil {
			continue
		}
		o := override{sched: t.Schedule.OrDefault()}
		o.key = scheduleKey(o.sched)
		for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
			if _, ok := userSched[m]; !ok && m != 0 {
				userSched[m], userKey[m] = o.sched, o.key
			}
		}
	}
	for _, u := range users {
		// Observers change nothing, and those who left hear nothing more.
		if u.Role == okrcore.RoleObserver || u.Left {
			continue
		}
		sc, key := base, baseKey
		if o, ok := userSched[u.ID]; ok {
			sc, key = o, userKey[u.ID]
		}
		g := s.groupFor(r.people, u.TimeZone, sc, key)
		g.users = append(g.users, u)
	}
	for _, t := range teams {
		if t.Parent != 0 {
			r.hasChildren[t.Parent] = true
		}
	}
	for _, t := range teams {
		sc, key := base, baseKey
		if t.Schedule != nil {
			sc = t.Schedule.OrDefault()
			key = scheduleKey(sc)
		}
		g := s.groupFor(r.teams, t.TimeZone, sc, key)
		g.teams = append(g.teams, t)
	}
	r.cycles = &cycleGroups{s: s, base: base, users: users, teams: teams, userSched: userSched}
	if s.rosters == nil {
		s.rosters = map[string]*roster{}
	}
	s.rosters[ws] = r
	return r, nil
}
