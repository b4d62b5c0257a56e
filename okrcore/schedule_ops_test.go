package okrcore_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/teams"
)

func TestSetSchedule(t *testing.T) {
	f := newFixture(t)
	tuesday := okrcore.Slot{Cadence: okrcore.Biweekly, Weekday: time.Tuesday, Hour: 9, Minute: 30}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := teams.SetSchedule(tx, f.ada, func(s *okrcore.Schedule) error { s.CheckIn = tuesday; return nil })
		return err
	})
	got := getWorkspace(t, f.db, "A").Schedule
	// The reminder stays unset, so that it keeps following the check-in.
	if got.CheckIn != tuesday || got.Reminder.Cadence != "" || got.OrDefault().Reminder.Weekday != time.Wednesday {
		t.Errorf("schedule %+v", got)
	}

	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		change   func(*okrcore.Schedule)
		kind     okrcore.ErrorKind
		keywords []string
		asked    bool
	}{
		{"a member", f.alice, nil, okrcore.KindForbidden, []string{"Only an admin can change the schedule."}, false},
		{"a team's lead", f.lee, nil, okrcore.KindForbidden, []string{"change the schedule"}, false},
		{"a day no month has", f.ada, func(s *okrcore.Schedule) { s.Digest = okrcore.Slot{Cadence: okrcore.Monthly, Day: 31, Hour: 10} }, okrcore.KindInvalid, []string{"1 to 28"}, true},
		{"a time that doesn't exist", f.ada, func(s *okrcore.Schedule) { s.CheckIn.Hour = 25 }, okrcore.KindInvalid, []string{"doesn't exist"}, true},
		{"grading too early", f.ada, func(s *okrcore.Schedule) { s.GradingDays = 31 }, okrcore.KindInvalid, []string{"1 to 30 days"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, err := teams.SetSchedule(tx, tc.actor, func(s *okrcore.Schedule) error {
					asked = true
					if tc.change != nil {
						tc.change(s)
					}
					return nil
				})
				return err
			}, tc.kind, tc.keywords...)
			if asked != tc.asked {
				t.Errorf("change ran: %v, want %v", asked, tc.asked)
			}
		})
	}
}

func TestTeamSchedule(t *testing.T) {
	f := newFixture(t)
	friday := okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Friday, Hour: 15}
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := teams.SetSchedule(tx, f.ada, func(s *okrcore.Schedule) error { s.GradingDays = 5; return nil })
		return err
	})
	update(t, f.db, func(tx okrcore.Tx) error {
		_, err := teams.SetTeamSchedule(tx, f.lee, f.growth.ID, func(s *okrcore.Schedule) error { s.CheckIn = friday; return nil })
		return err
	})
	// The team's own schedule starts from the workspace's.
	if got := getTeam(t, f.db, "A", f.growth.ID).Schedule; got == nil || got.CheckIn != friday || got.GradingDays != 5 {
		t.Errorf("team schedule %+v", got)
	}
	if got := getWorkspace(t, f.db, "A").Schedule; got.CheckIn.Cadence != "" {
		t.Errorf("the workspace's schedule changed: %+v", got)
	}

	// Olga, an observer, leads a team of her own.
	watch := &okrcore.Team{Workspace: "A", Name: "Watchers", Lead: f.olga.ID}
	update(t, f.db, func(tx okrcore.Tx) error { return tx.PutTeam(watch) })
	for _, tc := range []struct {
		name     string
		actor    *okrcore.User
		team     okrcore.ID
		kind     okrcore.ErrorKind
		keywords []string
	}{
		{"a member", f.alice, f.growth.ID, okrcore.KindForbidden, []string{"Only an admin can change Growth's schedule (its lead can too)."}},
		{"another team's lead", f.quinn, f.growth.ID, okrcore.KindForbidden, []string{"Growth's schedule"}},
		{"an observer who leads", f.olga, watch.ID, okrcore.KindForbidden, []string{"Watchers's schedule"}},
		{"an unknown team", f.ada, 999, okrcore.KindNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			wantRefused(t, f.db, func(tx okrcore.Tx) error {
				_, err := teams.SetTeamSchedule(tx, tc.actor, tc.team, func(s *okrcore.Schedule) error { asked = true; s.CheckIn = friday; return nil })
				return err
			}, tc.kind, tc.keywords...)
			wantRefused(t, f.db, func(tx okrcore.Tx) error { _, err := teams.ResetTeamSchedule(tx, tc.actor, tc.team); return err }, tc.kind, tc.keywords...)
			if asked {
				t.Error("change ran for someone refused")
			}
		})
	}
	wantRefused(t, f.db, func(tx okrcore.Tx) error {
		_, err := teams.SetTeamSchedule(tx, f.ada, f.growth.ID, func(s *okrcore.Schedule) error { s.CheckIn.Minute = 60; return nil })
		return err
	}, okrcore.KindInvalid, "doesn't exist")

	update(t, f.db, func(tx okrcore.Tx) error { _, err := teams.ResetTeamSchedule(tx, f.ada, f.growth.ID); return err })
	if got := getTeam(t, f.db, "A", f.growth.ID).Schedule; got != nil {
		t.Errorf("team schedule %+v after reset, want none", got)
	}
}
