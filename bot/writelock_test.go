package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// maxWriteReads is the most records one write transaction of a person's
// command may read. Everything a command writes is found through an index
// (the person, their key result and the objectives above it, a team by
// name), so the bound holds at any size of organisation; a scan of the
// people, teams or key results of the workspace breaks it at once.
//
// The objectives aligned directly under each objective a check-in rolls up
// through (ObjectivesAlignedTo) are counted apart: their number is the
// fan-out of the alignment tree, which grows with the organisation at the
// top (a department's objectives have a hundred children at 10,000
// people). Concurrent check-ins share one roll-up of the objectives above
// them (bot/commit.go), so a group pays for these once; they are still
// read in the write, and the test logs them and leaves them out of the
// bound.
const maxWriteReads = 120

// rollUpFanOut are the reads left out of maxWriteReads (see there).
var rollUpFanOut = []string{"ObjectivesAlignedTo"}

// workspaceLists list every record of a kind in a workspace: none of them
// belongs in the write transaction of a person's command, whatever it
// returns today.
var workspaceLists = []string{"Users", "Teams", "Cycles", "KPIs", "ObjectivesByCycle", "KeyResultsByCycle", "Workspaces"}

// readOnly are the cases that only read: their one write, the event's
// dedupe mark, is written after they answer (bot/inbox.go), and may or may
// not have run when the case looks.
var readOnly = map[string]bool{"mine": true, "team": true, "show": true, "settings": true}

// writeLockPeople is the size of the organisation
// TestWritesReadABoundedNumberOfRecords runs on: 1,000 people in the
// suite, where the bound already sits far below any scan (and the race
// detector makes 10,000 take most of a minute), and what
// OKRBOT_WRITE_LOCK_PEOPLE says otherwise: .ci/run sets 10,000.
func writeLockPeople(t *testing.T) int {
	t.Helper()
	if v, err := strconv.Atoi(os.Getenv("OKRBOT_WRITE_LOCK_PEOPLE")); err == nil && v > 0 {
		return v
	}
	return 1000
}

// TestWritesReadABoundedNumberOfRecords sends every kind of command a
// person can send through the engine on a generated organisation (see
// writeLockPeople) and fails when a write transaction reads
// more than maxWriteReads records: what holds the write lock must not grow
// with the organisation, or every other write queues behind it.
func TestWritesReadABoundedNumberOfRecords(t *testing.T) {
	n := writeLockPeople(t)
	spec := storagetest.OrgSpec{Users: n, Teams: n / 5, Objectives: n * 3, KeyResults: n * 10, CheckInsPerKR: 1}
	path := filepath.Join(t.TempDir(), "org.db")
	gen, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	org, err := storagetest.GenerateOrg(context.Background(), gen, spec)
	if cerr := gen.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	now := org.Now
	db := bottest.Store(t, bottest.File(path), bottest.ExpireBy(func() time.Time { return now }))
	w := newWriteLockWorld(t, db, org)

	for _, tc := range w.cases() {
		t.Run(tc.name, func(t *testing.T) {
			w.counter.Reset()
			ev := tc.event()
			w.seq++
			ev.ID = fmt.Sprintf("writelock-%d", w.seq)
			said := ev.Text + ev.Value
			m, ok := w.engine.Process(context.Background(), ev)
			if !ok {
				t.Fatalf("%q: no answer", said)
			}
			if !strings.Contains(chat.Unmarked(m.Text), tc.want) {
				t.Fatalf("%q: answer %q lacks %q", said, m.Text, tc.want)
			}
			runs := w.counter.Runs()
			if len(runs) == 0 && !readOnly[tc.name] {
				t.Fatalf("%q wrote nothing; the case is for a command that writes", said)
			}
			for _, r := range runs {
				t.Logf("a write transaction read %s", r)
				if n := r.Without(rollUpFanOut...); n > maxWriteReads {
					t.Errorf("%q: a write transaction read %d records, more than %d: %s", said, n, maxWriteReads, r)
				}
				for _, l := range workspaceLists {
					if r.Called(l) {
						t.Errorf("%q: a write transaction listed a workspace's %s", said, l)
					}
				}
			}
		})
	}
}

// writeLockWorld is the organisation with an engine on a counting store,
// and the people whose commands are sent.
type writeLockWorld struct {
	t       *testing.T
	org     *storagetest.Org
	counter *bottest.ReadCounter
	engine  *bot.Engine
	seq     int
	// joiner has a verified address a new Teams account joins at first
	// contact; late the one a Teams account met unverified joins later.
	joiner, late *okrcore.User
	kr           storagetest.KRSample
	objective    okrcore.ID
}

func newWriteLockWorld(t *testing.T, db *bolt.DB, org *storagetest.Org) *writeLockWorld {
	t.Helper()
	w := &writeLockWorld{t: t, org: org, counter: bottest.CountReads(db)}
	now := org.Now
	w.engine = bot.NewEngine(w.counter, bot.Options{Now: func() time.Time { return now }})
	for _, s := range org.SampleKRs {
		if s.Level == 5 && s.Metric == okrcore.MetricNumber && s.Owner.Kind == okrcore.OwnerUser {
			w.kr = s
			break
		}
	}
	if w.kr.ID == 0 {
		t.Fatal("no individual number key result in the sample")
	}
	w.objective = org.LevelObjectives[4][0]
	// Two idle people's platforms vouch for their addresses.
	err := db.Update(context.Background(), func(tx okrcore.Tx) error {
		for i, id := range org.Idle[:2] {
			u, err := tx.UserByPlatform(org.Workspace, org.Platform, id)
			if err != nil {
				return err
			}
			u.EmailVerified = true
			if err := tx.PutUser(u); err != nil {
				return err
			}
			if i == 0 {
				w.joiner = u
			} else {
				w.late = u
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// writeLockCase is one command; event is made when the case runs, after
// the cases before it made the people it names.
type writeLockCase struct {
	name  string
	event func() chat.Event
	want  string
}

func (w *writeLockWorld) ev(user, text string) func() chat.Event {
	return func() chat.Event {
		return chat.Event{Kind: chat.EventMessage, Platform: w.org.Platform, Workspace: w.org.Workspace, UserID: user, UserName: user,
			Text: text, Conversation: chat.Conversation{ID: "dm:" + user, Direct: true}}
	}
}

// teams is an event from a Teams account with the address email.
func (w *writeLockWorld) teams(id, email string, verified bool, text string) func() chat.Event {
	return func() chat.Event {
		return chat.Event{Kind: chat.EventMessage, Platform: "teams", Workspace: w.org.Workspace, UserID: id, UserName: "Someone " + id,
			Email: email, EmailVerified: verified, Text: text, Conversation: chat.Conversation{ID: "a:" + id, Direct: true}}
	}
}

// number is "#12" for the person behind a Teams account, as `okr users`
// lists them.
func (w *writeLockWorld) number(teamsID string) string {
	w.t.Helper()
	u := bottest.Read(w.t, w.counter, func(tx okrcore.Tx) (*okrcore.User, error) {
		return tx.UserByPlatform(w.org.Workspace, "teams", teamsID)
	})
	return "#" + strconv.FormatUint(uint64(u.ID), 10)
}

// admin is an event from the admin whose text is made when it runs.
func (w *writeLockWorld) admin(text func() string) func() chat.Event {
	return func() chat.Event { return w.ev(w.org.Admin, text())() }
}

func (w *writeLockWorld) cases() []writeLockCase {
	org, kr := w.org, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: w.kr.ID}.String()
	obj := okrcore.Ref{Kind: okrcore.RefObjective, ID: w.objective}.String()
	owner, idle, keep := w.kr.CheckInAs, org.Idle[2], org.Idle[3]
	return []writeLockCase{
		{"first contact joins by verified address", w.teams("aad-join", strings.ToUpper(w.joiner.Email), true, "whoami"), "You use okrbot on"},
		{"first contact of a stranger", w.teams("aad-new", "stranger@elsewhere.example", true, "whoami"), "You are *Someone aad-new* (member"},
		{"first contact without an address", w.teams("aad-none", "", false, "whoami"), "You are *Someone aad-none*"},
		{"first contact unverified", w.teams("aad-late", w.late.Email, false, "whoami"), "You are *Someone aad-late*"},
		{"late-verified address joins", w.teams("aad-late", w.late.Email, true, "whoami"), "You use okrbot on"},
		{"new name", func() chat.Event { ev := w.ev(owner, "whoami")(); ev.UserName = "Renamed " + owner; return ev }, "Renamed"},
		{"mine", w.ev(owner, "mine"), "Your OKRs"},
		{"team", w.ev(owner, "team "+org.MidTeam), "Team " + org.MidTeam},
		{"show", w.ev(owner, "show "+obj), obj},
		{"plain check-in", w.ev(owner, fmt.Sprintf("%s %d", kr, int64(w.kr.Current)+3)), "Checked in"},
		{"checkin command", w.ev(owner, fmt.Sprintf("checkin %s %d", kr, int64(w.kr.Current)+4)), "Checked in"},
		{"undo", w.ev(owner, "undo"), "Undone"},
		{"guided check-in", w.ev(owner, "checkin "+kr), "What is it now?"},
		{"guided answer", w.ev(owner, "same"), "Checked in"},
		{"skip", w.ev(owner, "skip"), "skipping"},
		{"settings", w.ev(owner, "settings"), "Your settings"},
		{"timezone", w.ev(owner, "timezone Europe/Berlin"), "Europe/Berlin"},
		{"nudges on teams", w.teams("aad-join", w.joiner.Email, true, "settings nudges teams"), "now come on Microsoft Teams"},
		{"new objective", w.ev(owner, `new objective "Ship the write-lock guard"`), "Ship the write-lock guard"},
		{"edit", w.ev(owner, fmt.Sprintf(`edit %s title "Bounded writes"`, kr)), "Bounded writes"},
		{"role", w.ev(org.Admin, "role @"+idle+" observer"), "is now observer"},
		{"another admin", w.ev(org.Admin, "role @"+idle+" admin"), "is now admin"},
		{"an admin steps down", w.ev(idle, "role @"+idle+" member"), "is now member"},
		{"link", w.admin(func() string { return "link @" + keep + " " + w.number("aad-new") }), "Linked"},
		{"unlink", w.ev(org.Admin, "unlink @"+keep+" teams"), "Unlinked"},
		{"link again", w.admin(func() string { return "link @" + keep + " " + w.number("aad-none") }), "Linked"},
	}
}
