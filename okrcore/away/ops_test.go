package away_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// world is the demo organisation: dana (admin, leads Leadership), alice
// (leads Sales: bob), carol (leads Engineering: erin, frank), olga
// (observer).
type world struct {
	t  *testing.T
	k  *bottest.Kit
	ws string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldAt(t, now)
}

func newWorldAt(t *testing.T, at time.Time) *world {
	t.Helper()
	return &world{t: t, k: bottest.New(t, bottest.Demo(), bottest.Start(at)), ws: "local"}
}

func (w *world) user(tx okrcore.Tx, name string) *okrcore.User {
	w.t.Helper()
	u, err := tx.UserByPlatform(w.ws, "shell", name)
	if err != nil {
		w.t.Fatalf("user %s: %v", name, err)
	}
	return u
}

// set runs away.Set for actor on person ("" for themselves) and returns its
// error.
func (w *world) set(actor, person, text string) error {
	w.t.Helper()
	return w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		var who okrcore.Later[okrcore.ID]
		if person != "" {
			who = func() (okrcore.ID, error) { return w.user(tx, person).ID, nil }
		}
		_, _, err := away.Set(tx, w.user(tx, actor), who, func(*okrcore.User) (away.Span, error) { return away.Parse(text, now, berlin) }, now)
		return err
	})
}

func (w *world) book() *away.Book {
	w.t.Helper()
	var b *away.Book
	if err := w.k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		var err error
		b, err = away.Read(tx, w.ws)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) id(name string) okrcore.ID {
	w.t.Helper()
	var id okrcore.ID
	_ = w.k.DB.View(context.Background(), func(tx okrcore.Tx) error { id = w.user(tx, name).ID; return nil })
	return id
}

func TestWhoMaySetTimeAway(t *testing.T) {
	tests := []struct {
		actor, person string
		want          string // "" allowed, else a part of the refusal
	}{
		{"bob", "", ""},
		{"olga", "", ""}, // an observer's own time away
		{"dana", "frank", ""},
		{"alice", "bob", ""},
		{"dana", "carol", ""},
		{"alice", "erin", "only for people in a team you lead"},
		{"bob", "alice", "Only admins and team leads"},
		{"olga", "bob", "Only admins and team leads"},
	}
	for _, tt := range tests {
		t.Run(tt.actor+" for "+tt.person, func(t *testing.T) {
			w := newWorld(t)
			err := w.set(tt.actor, tt.person, "until 2026-12-20 vacation")
			target := tt.person
			if target == "" {
				target = tt.actor
			}
			_, isAway := w.book().AwayAt(w.id(target), now.Add(time.Hour))
			if tt.want == "" {
				if err != nil || !isAway {
					t.Fatalf("err %v, away %v; want it set", err, isAway)
				}
				return
			}
			if okrcore.ErrorKindOf(err) != okrcore.KindForbidden || !strings.Contains(okrcore.ErrorMessage(err), tt.want) {
				t.Errorf("err %v, want a refusal saying %q", err, tt.want)
			}
			if isAway {
				t.Errorf("%s is away after a refusal", target)
			}
		})
	}
}

func TestLeadOfATeamAboveMaySet(t *testing.T) {
	w := newWorld(t)
	// dana leads Leadership, above Sales; an admin anyway, so demote her
	// first to see the lead's right alone.
	if err := w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		d := w.user(tx, "dana")
		c := w.user(tx, "carol")
		c.Role = okrcore.RoleAdmin
		if err := tx.PutUser(c); err != nil {
			return err
		}
		d.Role = okrcore.RoleMember
		return tx.PutUser(d)
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.set("dana", "bob", "2 weeks"); err != nil {
		t.Fatalf("the lead of Leadership sets bob (Sales, under it) away: %v", err)
	}
}

func TestSetReplacesAndEnds(t *testing.T) {
	w := newWorld(t)
	if err := w.set("bob", "", "until 2026-12-20"); err != nil {
		t.Fatal(err)
	}
	if err := w.set("bob", "", "until 2027-01-10 longer"); err != nil {
		t.Fatal(err)
	}
	b := w.book()
	p, ok := b.Next(w.id("bob"), now)
	if !ok || !p.Until.Equal(day(2027, 1, 11)) || p.Note != "longer" {
		t.Fatalf("next time away %+v %v, want the newest until 2027-01-10", p, ok)
	}
	if _, ok := b.AwayAt(w.id("bob"), day(2027, 1, 11)); ok {
		t.Errorf("away on the day after the last")
	}
	later := now.Add(48 * time.Hour)
	var ended bool
	if err := w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		var err error
		_, ended, err = away.End(tx, w.user(tx, "bob"), nil, later)
		return err
	}); err != nil || !ended {
		t.Fatalf("end: %v %v", ended, err)
	}
	b = w.book()
	if _, ok := b.AwayAt(w.id("bob"), later.Add(time.Minute)); ok {
		t.Errorf("still away after ending it")
	}
	if !b.AwayFor(w.id("bob"), now, later) {
		t.Errorf("the two days away are forgotten")
	}
	// Back by his own word: no welcome back is due.
	if got := b.Returned(now, later.Add(time.Hour)); len(got) != 0 {
		t.Errorf("returned %v, want nobody welcomed after `away off`", got)
	}
}

func TestMute(t *testing.T) {
	w := newWorld(t)
	var cycle okrcore.ID
	if err := w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		c, err := away.Mute(tx, w.user(tx, "bob"), now)
		if c != nil {
			cycle = c.ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !w.book().Muted(w.id("bob"), cycle) || w.book().Muted(w.id("bob"), cycle+1) || w.book().Muted(w.id("alice"), cycle) {
		t.Fatalf("muted for the wrong cycle or person")
	}
	var was bool
	if err := w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		var err error
		was, err = away.Unmute(tx, w.user(tx, "bob"), now)
		return err
	}); err != nil || !was {
		t.Fatalf("unmute: %v %v", was, err)
	}
	if w.book().Muted(w.id("bob"), cycle) {
		t.Errorf("still muted")
	}
}

func TestLadderSettings(t *testing.T) {
	w := newWorld(t)
	err := w.k.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		sales, err := tx.TeamByName(w.ws, "Sales")
		if err != nil {
			return err
		}
		if _, err := away.SetLadder(tx, w.user(tx, "alice"), nil, away.StepThread, true, now); okrcore.ErrorKindOf(err) != okrcore.KindForbidden {
			t.Errorf("a lead sets the workspace's ladder: %v", err)
		}
		if _, err := away.SetLadder(tx, w.user(tx, "bob"), sales, away.StepThread, true, now); okrcore.ErrorKindOf(err) != okrcore.KindForbidden {
			t.Errorf("a member sets his team's ladder: %v", err)
		}
		if _, err := away.SetLadder(tx, w.user(tx, "alice"), sales, "shout", true, now); okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
			t.Errorf("an unknown step: %v", err)
		}
		if _, err := away.SetLadder(tx, w.user(tx, "dana"), nil, away.StepNames, true, now); err != nil {
			return err
		}
		_, err = away.SetLadder(tx, w.user(tx, "alice"), sales, away.StepThread, true, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := w.book().Settings
	var salesID okrcore.ID
	_ = w.k.DB.View(context.Background(), func(tx okrcore.Tx) error {
		sales, _ := tx.TeamByName(w.ws, "Sales")
		salesID = sales.ID
		return nil
	})
	if got := s.LadderOf(salesID); got != (away.Ladder{Thread: true, Names: true}) {
		t.Errorf("Sales' ladder %+v, want its thread on over the workspace's names", got)
	}
	if got := s.LadderOf(salesID + 100); got != (away.Ladder{Names: true}) {
		t.Errorf("another team's ladder %+v, want the workspace's", got)
	}
}
