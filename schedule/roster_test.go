package schedule_test

import (
	"context"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/schedule"
)

// A scheduler ticking every minute plans from the groups it last read
// (roster.go). These tests hold one scheduler across ticks, as `serve`
// does, and add people between them.

func addPerson(t *testing.T, k *bottest.Kit, id, tz string) okrcore.ID {
	t.Helper()
	u := &okrcore.User{Workspace: k.Workspace, Platform: k.PlatformName, PlatformID: id, Name: id, TimeZone: tz, Role: okrcore.RoleMember}
	if err := k.DB.Update(context.Background(), func(tx okrcore.Tx) error { return tx.PutUser(u) }); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// nudges counts the check-in nudges enqueued for a person.
func nudges(t *testing.T, k *bottest.Kit, user okrcore.ID) int {
	t.Helper()
	var n int
	err := k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		items, err := tx.DueOutbox(k.Clock.Now().Add(time.Hour), 0)
		for _, it := range items {
			if it.User == user && it.Kind == okrcore.OutboxCheckIn {
				n++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wholeReads is a store whose transactions have only okrcore.Tx's
// methods: a roster that cannot be swept, read again whole.
type wholeReads struct{ okrcore.Store }

func (s wholeReads) View(ctx context.Context, fn func(okrcore.Tx) error) error {
	return s.Store.View(ctx, func(tx okrcore.Tx) error { return fn(struct{ okrcore.Tx }{tx}) })
}

func (s wholeReads) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	return s.Store.Update(ctx, func(tx okrcore.Tx) error { return fn(struct{ okrcore.Tx }{tx}) })
}

func TestRosterTicks(t *testing.T) {
	monday := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		// tz is the newcomer's time zone; they arrive after the tick at
		// read and before the ticks at each of ticks.
		tz    string
		whole bool // the store cannot be swept
		// moves: bob moves to tz instead of a newcomer arriving.
		moves bool
		read  time.Time
		ticks []time.Time
		// want is how many nudges they have after each of ticks.
		want []int
	}{
		// Berlin's group (alice, erin) is known: at its Monday 10:00 the
		// tick reads everyone again, newcomer included, and once only.
		{name: "known group", tz: "Europe/Berlin", read: monday(8, 58),
			ticks: []time.Time{monday(8, 59), monday(9, 0), monday(9, 1), monday(9, 6)}, want: []int{0, 1, 1, 1}},
		// Nobody was in Tokyo: the next tick reads the newcomers and
		// plans its 10:00 (01:00 UTC), once.
		{name: "new group", tz: "Asia/Tokyo", read: monday(0, 58),
			ticks: []time.Time{monday(1, 0), monday(1, 1), monday(1, 2), monday(1, 9)}, want: []int{1, 1, 1, 1}},
		// Someone moving to Tokyo is read again by the sweep, which
		// covers the demo's people in one tick.
		{name: "moved into a new group", tz: "Asia/Tokyo", moves: true, read: monday(0, 58),
			ticks: []time.Time{monday(1, 0), monday(1, 1), monday(1, 9)}, want: []int{1, 1, 1}},
		// A store that cannot be swept is read whole again five minutes
		// after the last read.
		{name: "new group, read whole", tz: "Asia/Tokyo", whole: true, read: monday(0, 58),
			ticks: []time.Time{monday(1, 0), monday(1, 1), monday(1, 2), monday(1, 3), monday(1, 4), monday(1, 9)}, want: []int{0, 0, 0, 1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := bottest.New(t, bottest.Demo())
			s := k.Scheduler(schedule.Options{})
			if tc.whole {
				s = schedule.NewScheduler(wholeReads{k.DB}, schedule.Options{Now: k.Clock.Now})
			}
			ctx := context.Background()
			k.Clock.Set(tc.read)
			if _, err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			var id okrcore.ID
			if tc.moves {
				id = movePerson(t, k, "bob", tc.tz)
			} else {
				id = addPerson(t, k, "newcomer", tc.tz)
			}
			for i, at := range tc.ticks {
				k.Clock.Set(at)
				if _, err := s.Tick(ctx); err != nil {
					t.Fatal(err)
				}
				if got := nudges(t, k, id); got != tc.want[i] {
					t.Errorf("after the tick at %s: %d nudges, want %d", at.Format("15:04"), got, tc.want[i])
				}
			}
		})
	}
}

// movePerson sets the time zone of the person with platform id pid.
func movePerson(t *testing.T, k *bottest.Kit, pid, tz string) okrcore.ID {
	t.Helper()
	var id okrcore.ID
	err := k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform(k.Workspace, k.PlatformName, pid)
		if err != nil {
			return err
		}
		u.TimeZone, id = tz, u.ID
		return tx.PutUser(u)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A change of the workspace's rhythm is planned from at the next tick.
func TestRosterFollowsTheWorkspaceRhythm(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	s := k.Scheduler(schedule.Options{})
	ctx := context.Background()
	k.Clock.Set(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)) // Tuesday
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	err := k.DB.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(k.Workspace)
		if err != nil {
			return err
		}
		w.Schedule = w.Schedule.OrDefault()
		w.Schedule.CheckIn.Weekday, w.Schedule.CheckIn.Hour, w.Schedule.CheckIn.Minute = time.Tuesday, 9, 1
		return tx.PutWorkspace(w)
	})
	if err != nil {
		t.Fatal(err)
	}
	// 09:01 in London is 09:01 UTC: carol's new window, a minute later.
	k.Clock.Set(time.Date(2026, 11, 24, 9, 1, 0, 0, time.UTC))
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	var carol *okrcore.User
	if err := k.DB.View(ctx, func(tx okrcore.Tx) (err error) {
		carol, err = tx.UserByPlatform(k.Workspace, k.PlatformName, "carol")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := nudges(t, k, carol.ID); got != 1 {
		t.Errorf("carol has %d nudges after the rhythm moved to Tuesday 09:01, want 1", got)
	}
}
