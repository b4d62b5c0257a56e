package okrcore_test

import (
	"errors"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/tracking"
)

func TestCreateKPI(t *testing.T) {
	f := newFixture(t)
	kpi := func(owner okrcore.Owner) *okrcore.KPI {
		return &okrcore.KPI{Title: "Uptime", Unit: "%", Current: 99.9, HealthyMin: 99.5, HealthyMax: 100, Owner: owner}
	}
	t.Run("allowed", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			actor *okrcore.User
			owner okrcore.Owner
		}{
			{"own", f.alice, okrcore.UserOwner(f.alice.ID)},
			{"the owner's lead", f.lee, okrcore.UserOwner(f.alice.ID)},
			{"a team member for the team", f.bob, okrcore.TeamOwner(f.platform.ID)},
			{"an admin for anyone", f.ada, okrcore.UserOwner(f.carol.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				k := kpi(tc.owner)
				k.Workspace, k.ID = "B", 77 // ignored: the actor's workspace, a new id
				update(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateKPI(tx, t0, tc.actor, k) })
				var got *okrcore.KPI
				view(t, f.db, func(tx okrcore.Tx) (err error) { got, err = tx.KPI("A", k.ID); return err })
				if k.ID == 77 || got.Owner != tc.owner || got.Workspace != "A" || !got.CreatedAt.Equal(t0) || got.Current != 99.9 {
					t.Errorf("stored %+v", got)
				}
			})
		}
	})
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		k        *okrcore.KPI
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"someone else's", f.carol, kpi(okrcore.UserOwner(f.alice.ID)), okrcore.KindForbidden, []string{"Only Alice"}},
		{"observer", f.olga, kpi(okrcore.UserOwner(f.olga.ID)), okrcore.KindForbidden, []string{"Observers"}},
		{"unknown team", f.alice, kpi(okrcore.TeamOwner(999)), okrcore.KindNotFound, nil},
		{"unknown person, by an admin", f.ada, kpi(okrcore.UserOwner(999)), okrcore.KindNotFound, nil},
		{"backwards range", f.alice, &okrcore.KPI{Title: "Uptime", HealthyMin: 100, HealthyMax: 99, Owner: okrcore.UserOwner(f.alice.ID)}, okrcore.KindInvalid, []string{"backwards"}},
		{"no title", f.alice, &okrcore.KPI{Title: " ", HealthyMax: 1, Owner: okrcore.UserOwner(f.alice.ID)}, okrcore.KindInvalid, []string{"title"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateKPI(tx, t0, tc.actor, tc.k) }, tc.kind, tc.keywords...)
		})
	}
}

func TestUpdateKPI(t *testing.T) {
	f := newFixture(t)
	k := &okrcore.KPI{Title: "Uptime", Unit: "%", Current: 99.9, HealthyMin: 99.5, HealthyMax: 100, Owner: okrcore.UserOwner(f.alice.ID)}
	update(t, f.db, func(tx okrcore.Tx) error { return tracking.CreateKPI(tx, t0, f.alice, k) })

	var got *okrcore.KPI
	update(t, f.db, func(tx okrcore.Tx) (err error) {
		got, err = tracking.UpdateKPI(tx, f.lee, k.ID, func(e *okrcore.KPI) error {
			e.Title, e.HealthyMin, e.HealthyMax = "Availability", 99, 100
			// Not editable here: put back.
			e.Owner, e.Current, e.Workspace, e.CreatedAt = okrcore.UserOwner(f.carol.ID), 1, "B", t1
			return nil
		})
		return err
	})
	var stored *okrcore.KPI
	view(t, f.db, func(tx okrcore.Tx) (err error) { stored, err = tx.KPI("A", k.ID); return err })
	for _, x := range []*okrcore.KPI{got, stored} {
		if x.Title != "Availability" || x.HealthyMin != 99 || x.Owner != k.Owner || x.Current != 99.9 || x.Workspace != "A" || !x.CreatedAt.Equal(t0) {
			t.Errorf("edited KPI %+v", x)
		}
	}

	errTyped := okrcore.Errorf(okrcore.KindInvalid, "A KPI's title, range or unit can change.")
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		id       okrcore.ID
		change   func(*okrcore.KPI) error
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool // whether change may run
	}{
		{"someone else's", f.carol, k.ID, nil, okrcore.KindForbidden, []string{"Only Alice"}, false},
		{"observer", f.olga, k.ID, nil, okrcore.KindForbidden, []string{"Observers"}, false},
		{"unknown", f.alice, 999, nil, okrcore.KindNotFound, nil, false},
		{"backwards range", f.alice, k.ID, func(e *okrcore.KPI) error { e.HealthyMin = 101; return nil }, okrcore.KindInvalid, []string{"backwards"}, true},
		{"what the person typed", f.alice, k.ID, func(*okrcore.KPI) error { return errTyped }, okrcore.KindInvalid, []string{"can change"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			change := func(e *okrcore.KPI) error {
				asked = true
				if tc.change != nil {
					return tc.change(e)
				}
				e.Title = "Changed"
				return nil
			}
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := tracking.UpdateKPI(tx, tc.actor, tc.id, change); return err }, tc.kind, tc.keywords...)
			if asked != tc.asked {
				t.Errorf("change ran: %v, want %v", asked, tc.asked)
			}
		})
	}
	t.Run("the change's own error is returned as it is", func(t *testing.T) {
		err := attempt(t, f.db, func(tx okrcore.Tx) error {
			_, err := tracking.UpdateKPI(tx, f.alice, k.ID, func(*okrcore.KPI) error { return errTyped })
			return err
		})
		if !errors.Is(err, errTyped) {
			t.Errorf("error %v, want the change's", err)
		}
	})
}
