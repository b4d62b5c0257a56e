package schedule

import (
	"reflect"
	"slices"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A roster is what a workspace's people and teams make of its schedule:
// the groups that share a time zone and a slot. Reading it means decoding
// everyone, which is most of a tick's work in a large organisation, while
// deciding whether any group is due needs only the groups and one marker
// each. So a tick plans from the roster the last one read, and reads it
// again (and plans again from that) before anything is recorded, or when
// the workspace's own rhythm changed. Who is planned is always who is
// there when something is due. What the roster can miss is a group that
// did not exist when it was read (someone in a time zone nobody was in).
// A store that lists people and teams a slice at a time (rosterSlices:
// bolt's, PostgreSQL's) lets each quiet tick read the newcomers since the
// last one, so that a newcomer's group is planned at once, and a slice of
// the others again (sweepUsers, sweepTeams), so that someone who moved
// into a group of their own is planned within a sweep of everyone, late
// but inside the grace period and once, by its marker: every quiet tick
// is O(groups + a slice). Another store's roster is read again whole when
// older than rosterRefresh.
type roster struct {
	read        time.Time // the tick that read it whole
	baseKey     string
	base        okrcore.Schedule
	people      map[string]*group
	teams       map[string]*group
	hasChildren map[okrcore.ID]bool
	cycles      *cycleGroups
	// What the groups are made of, and how far the sweep has come: the
	// last ID of each kind it read again (0: from the start).
	users          map[okrcore.ID]*okrcore.User
	teamRecs       map[okrcore.ID]*okrcore.Team
	maxUser        okrcore.ID
	maxTeam        okrcore.ID
	userAt, teamAt okrcore.ID
}

// rosterSlices lists people and teams of a workspace with an ID above
// after, in ID order, at most limit (all when limit <= 0).
type rosterSlices interface {
	UsersAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.User, error)
	TeamsAfter(ws string, after okrcore.ID, limit int) ([]*okrcore.Team, error)
}

// sweepUsers and sweepTeams are how many of each a quiet tick reads
// again: a sweep of 50,000 people and 10,000 teams takes 50 ticks.
const (
	sweepUsers = 1000
	sweepTeams = 250
)

// rosterRefresh is the longest a roster that cannot be swept is planned
// from; shorter when the grace period is short, so that a new group's
// window is never missed.
const rosterRefresh = 5 * time.Minute

func (s *Scheduler) rosterAge() time.Duration { return min(rosterRefresh, s.grace/4) }

// cachedRoster is the roster last read for ws, if it may still be planned
// from at now; one that is swept does not age.
func (s *Scheduler) cachedRoster(ws, baseKey string, now time.Time, swept bool) *roster {
	r := s.rosters[ws]
	if r == nil || r.baseKey != baseKey || now.Before(r.read) || (!swept && now.Sub(r.read) >= s.rosterAge()) {
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
	r := &roster{read: now, baseKey: baseKey, base: base, users: make(map[okrcore.ID]*okrcore.User, len(users)), teamRecs: make(map[okrcore.ID]*okrcore.Team, len(teams))}
	for _, u := range users {
		r.users[u.ID], r.maxUser = u, max(r.maxUser, u.ID)
	}
	for _, t := range teams {
		r.teamRecs[t.ID], r.maxTeam = t, max(r.maxTeam, t.ID)
	}
	s.group(r, users, teams)
	if s.rosters == nil {
		s.rosters = map[string]*roster{}
	}
	s.rosters[ws] = r
	return r, nil
}

// sweep reads the newcomers since the roster was last read or swept, and
// a slice of the others again, and groups everyone again if anything
// changed.
func (s *Scheduler) sweep(sl rosterSlices, ws string, r *roster) error {
	changedUsers, err := sweepKind(r.users, &r.maxUser, &r.userAt, sweepUsers, func(after okrcore.ID, limit int) ([]*okrcore.User, error) {
		return sl.UsersAfter(ws, after, limit)
	}, func(u *okrcore.User) okrcore.ID { return u.ID })
	if err != nil {
		return err
	}
	changedTeams, err := sweepKind(r.teamRecs, &r.maxTeam, &r.teamAt, sweepTeams, func(after okrcore.ID, limit int) ([]*okrcore.Team, error) {
		return sl.TeamsAfter(ws, after, limit)
	}, func(t *okrcore.Team) okrcore.ID { return t.ID })
	if err != nil || !(changedUsers || changedTeams) {
		return err
	}
	s.group(r, sortedRecords(r.users), sortedRecords(r.teamRecs))
	return nil
}

// sweepKind reads the records of one kind above *last (newcomers), then
// limit of them above *at again, dropping those gone from that span, and
// moves *at on (to 0 at the end). It reports whether any record changed.
func sweepKind[T any](recs map[okrcore.ID]*T, last, at *okrcore.ID, limit int, after func(okrcore.ID, int) ([]*T, error), id func(*T) okrcore.ID) (bool, error) {
	changed := false
	fresh, err := after(*last, 0)
	if err != nil {
		return false, err
	}
	for _, x := range fresh {
		recs[id(x)], *last, changed = x, max(*last, id(x)), true
	}
	again, err := after(*at, limit)
	if err != nil {
		return false, err
	}
	hi := ^okrcore.ID(0) // a short slice reaches the end
	if len(again) == limit {
		hi = id(again[len(again)-1])
	}
	seen := make(map[okrcore.ID]bool, len(again))
	for _, x := range again {
		seen[id(x)] = true
		if old := recs[id(x)]; old == nil || !reflect.DeepEqual(old, x) {
			recs[id(x)], *last, changed = x, max(*last, id(x)), true
		}
	}
	for k := range recs {
		if k > *at && k <= hi && !seen[k] {
			delete(recs, k)
			changed = true
		}
	}
	*at = hi
	if hi == ^okrcore.ID(0) {
		*at = 0
	}
	return changed, nil
}

// sortedRecords lists recs in ID order, as the store lists them.
func sortedRecords[T any](recs map[okrcore.ID]*T) []*T {
	ids := make([]okrcore.ID, 0, len(recs))
	for k := range recs {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	out := make([]*T, len(ids))
	for i, k := range ids {
		out[i] = recs[k]
	}
	return out
}

// group makes r's groups of users and teams, in ID order.
func (s *Scheduler) group(r *roster, users []*okrcore.User, teams []*okrcore.Team) {
	base, baseKey := r.base, r.baseKey
	r.people, r.teams, r.hasChildren = map[string]*group{}, map[string]*group{}, map[okrcore.ID]bool{}
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
}
