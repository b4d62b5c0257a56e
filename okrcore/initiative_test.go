package okrcore_test

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/tracking"
)

func TestCreateInitiative(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.Owner{}, 10)

	t.Run("stored", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			actor     *okrcore.User
			owner     okrcore.ID
			wantOwner okrcore.ID
		}{
			{"the key result's owner, for themselves", f.alice, 0, f.alice.ID},
			{"their lead, for someone", f.lee, f.carol.ID, f.carol.ID},
			{"an admin", f.ada, 0, f.ada.ID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := &okrcore.Initiative{KeyResult: k.ID, Title: "Hire an SDR", Owner: tc.owner, Workspace: "B"}
				update(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateInitiative(tx, t1, tc.actor, in) })
				var got *okrcore.Initiative
				view(t, f.db, func(tx okrcore.Tx) (err error) { got, err = tx.Initiative("A", in.ID); return err })
				if got.Owner != tc.wantOwner || got.Workspace != "A" || !got.CreatedAt.Equal(t1) || got.Done || got.KeyResult != k.ID {
					t.Errorf("stored %+v", got)
				}
			})
		}
	})
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		in       okrcore.Initiative
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"someone else's key result", f.carol, okrcore.Initiative{KeyResult: k.ID, Title: "x"}, okrcore.KindForbidden, []string{"Only Alice"}},
		{"observer", f.olga, okrcore.Initiative{KeyResult: k.ID, Title: "x"}, okrcore.KindForbidden, []string{"Observers"}},
		{"unknown key result", f.alice, okrcore.Initiative{KeyResult: 999, Title: "x"}, okrcore.KindNotFound, nil},
		{"no title", f.alice, okrcore.Initiative{KeyResult: k.ID, Title: "  "}, okrcore.KindInvalid, []string{"Give the initiative a short title (up to 200 characters)."}},
		{"too long a title", f.alice, okrcore.Initiative{KeyResult: k.ID, Title: strings.Repeat("é", okrcore.MaxTitle+1)}, okrcore.KindInvalid, []string{"short title"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			wantRefused(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateInitiative(tx, t1, tc.actor, &in) }, tc.kind, tc.keywords...)
		})
	}
}

func TestSetInitiativeDone(t *testing.T) {
	f := newFixture(t)
	o := f.objective(t, "Grow", okrcore.UserOwner(f.alice.ID), 0, 0)
	k := f.keyResult(t, o.ID, okrcore.Owner{}, 10)
	// Olga, an observer, owns a piece of work on Alice's key result.
	in := &okrcore.Initiative{KeyResult: k.ID, Title: "Survey", Owner: f.olga.ID}
	update(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateInitiative(tx, t0, f.ada, in) })

	for _, tc := range []struct {
		name  string
		actor *okrcore.User
		done  bool
	}{
		{"its owner, even an observer", f.olga, true},
		{"the key result's owner", f.alice, false},
		{"the key result owner's lead", f.lee, true},
		{"an admin", f.ada, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *okrcore.Initiative
			update(t, f.db, func(tx okrcore.Tx) (err error) {
				got, err = tracking.SetInitiativeDone(tx, tc.actor, in.ID, tc.done)
				return err
			})
			var stored *okrcore.Initiative
			view(t, f.db, func(tx okrcore.Tx) (err error) { stored, err = tx.Initiative("A", in.ID); return err })
			if got.Done != tc.done || stored.Done != tc.done || stored.Title != "Survey" || stored.Owner != f.olga.ID {
				t.Errorf("returned %+v, stored %+v; want done %v", got, stored, tc.done)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		id       okrcore.ID
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"someone else", f.carol, in.ID, okrcore.KindForbidden, []string{"Only Alice"}},
		{"another member of the team", f.bob, in.ID, okrcore.KindForbidden, []string{"Only Alice"}},
		{"unknown", f.alice, 999, okrcore.KindNotFound, nil},
		{"another workspace's", f.bea, in.ID, okrcore.KindNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := tracking.SetInitiativeDone(tx, tc.actor, tc.id, true); return err }, tc.kind, tc.keywords...)
		})
	}
}
