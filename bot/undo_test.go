package bot_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// krState is what a check-in may change on a key result.
type krState struct {
	Current, Progress float64
	Confidence        *int
	Status            okrcore.Status
	StatusSet         bool
	Stated            *okrcore.Statement
	LastCheckIn       time.Time
}

func stateOf(k *okrcore.KeyResult) krState {
	return krState{k.Current, k.Progress, k.Confidence, k.Status, k.StatusSet, k.Stated, k.LastCheckIn}
}

// TestUndoRestoresEverything: undoing a check-in with a value, a
// confidence, a status, a note and a blocker on two key results puts both
// back as they were, and the objectives above them; history, the digest,
// the nudge and adoption no longer see it.
func TestUndoRestoresEverything(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)))
	for _, s := range []struct{ user, text, want string }{
		{"dana", "/okr whoami", "admin"},
		{"alice", "/okr whoami", "member"},
		{"dana", "/okr team create Sales", "Sales"},
		{"dana", "/okr team add Sales @alice", "alice"},
		{"dana", "/okr team lead Sales @alice", "alice"},
		{"dana", `/okr new objective "Grow the company"`, "O1"},
		{"dana", `/okr new kr O1 "Revenue" from 0 to 10`, "KR1"},
		{"alice", `/okr new objective "Win the mid-market" under KR1`, "O2"},
		{"alice", `/okr new kr O2 "Signed deals" from 0 to 100`, "KR2"},
		{"alice", `/okr new kr O2 "Partners" from 0 to 10`, "KR3"},
	} {
		if got := bottest.Text(k.Ask(s.user, s.text)); !strings.Contains(got, s.want) {
			t.Fatalf("%s: %s: answer lacks %q:\n%s", s.user, s.text, s.want, got)
		}
	}
	// Last week's check-in, which the undo must leave as it is.
	k.Clock.Set(time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC))
	wantContains(t, bottest.Text(k.Ask("alice", "KR2 10, KR3 2, confidence 5, note: slow start")), "Checked in")

	k.Clock.Set(time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC))
	read := func() ([]krState, []*okrcore.Objective) {
		return bottest.Read(t, k.DB, func(tx okrcore.Tx) ([]krState, error) {
				var out []krState
				for _, id := range []okrcore.ID{2, 3} {
					kr, err := tx.KeyResult(k.Workspace, id)
					if err != nil {
						return nil, err
					}
					out = append(out, stateOf(kr))
				}
				return out, nil
			}), bottest.Read(t, k.DB, func(tx okrcore.Tx) ([]*okrcore.Objective, error) {
				var out []*okrcore.Objective
				for _, id := range []okrcore.ID{1, 2} {
					o, err := tx.Objective(k.Workspace, id)
					if err != nil {
						return nil, err
					}
					out = append(out, o)
				}
				return out, nil
			})
	}
	krsBefore, objsBefore := read()
	views := func() map[string]string {
		return map[string]string{
			"mine":   bottest.StatusText(k.Ask("alice", "/okr mine")),
			"tree":   bottest.StatusText(k.Ask("dana", "/okr tree")),
			"digest": bottest.StatusText(k.Ask("alice", "/okr digest Sales")),
		}
	}
	viewsBefore := views()

	got := bottest.Text(k.Ask("alice", "KR2 40, KR3 7, confidence 8, at risk, note: good week, blocked: waiting on legal"))
	wantContains(t, got, "Checked in", "KR2 Signed deals: 10 → 40", "KR3 Partners: 2 → 7")
	if krs, _ := read(); reflect.DeepEqual(krs, krsBefore) {
		t.Fatal("the check-in changed nothing")
	}
	wantContains(t, bottest.Text(k.Ask("alice", "/okr digest Sales")), "waiting on legal")
	k.Clock.Advance(30 * time.Minute)
	adoption := bottest.Text(k.Ask("dana", "/okr adoption")) // keeps a ledger of this week's check-in
	wantContains(t, adoption, "1 of the 2 people with key results")

	k.Clock.Advance(10 * time.Minute)
	wantContains(t, bottest.Text(k.Ask("alice", "undo")), "Undone.", "KR2 Signed deals is back to 10", "KR3 Partners is back to 2")

	krsAfter, objsAfter := read()
	for i := range krsBefore {
		if !reflect.DeepEqual(krsAfter[i], krsBefore[i]) {
			t.Errorf("KR%d after the undo %+v, want it as before %+v", i+2, krsAfter[i], krsBefore[i])
		}
	}
	// The objectives' progress is as before; their statuses are read at
	// read time, and the views below show them as before.
	for i, o := range objsAfter {
		if b := objsBefore[i]; o.Progress != b.Progress {
			t.Errorf("O%d after the undo at %v, want as before: %v", o.ID, o.Progress, b.Progress)
		}
	}
	for name, after := range views() {
		if after != viewsBefore[name] {
			t.Errorf("%s after the undo:\n%s\nwant as before:\n%s", name, after, viewsBefore[name])
		}
	}
	for _, ref := range []string{"KR2", "KR3"} {
		hist := bottest.Text(k.Ask("alice", "/okr history "+ref))
		wantContains(t, hist, "slow start")
		wantLacks(t, hist, "good week", "legal", "undo", "confidence 8")
		wantLacks(t, bottest.Text(k.Ask("alice", "/okr show "+ref)), "good week", "legal", "confidence 8")
	}
	digest := bottest.Text(k.Ask("alice", "/okr digest Sales"))
	wantLacks(t, digest, "legal", "Blockers")
	wantContains(t, digest, "Not checked in this week* (1 of 1): alice")
	wantContains(t, bottest.Text(k.Ask("dana", "/okr adoption")), "0 of the 2 people with key results")

	alice := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.User, error) {
		return tx.UserByPlatform(k.Workspace, k.PlatformName, "alice")
	})
	d := k.Compose(&okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: okrcore.OutboxReminder, User: alice.ID,
		Period: "2026-W47", DueAt: k.Clock.Now(), Key: "reminder:alice", State: okrcore.OutboxPending})
	if d.Skip != "" {
		t.Errorf("the reminder is skipped (%s): the undone check-in still counts", d.Skip)
	}

	// A second undo finds nothing more to take back, and the key results stay.
	wantContains(t, bottest.Text(k.Ask("alice", "undo")), "already undone")
	if krs, _ := read(); !reflect.DeepEqual(krs, krsBefore) {
		t.Errorf("a second undo changed the key results: %+v", krs)
	}
	// A check-in after the undo counts again.
	wantContains(t, bottest.Text(k.Ask("alice", "KR2 30")), "Checked in")
	wantContains(t, bottest.Text(k.Ask("alice", "/okr history KR2")), "10 → 30")
}

// TestUndoLeavesSomeoneElsesLaterCheckIn: a lead's check-in after mine is
// not taken back by my undo.
func TestUndoLeavesSomeoneElsesLaterCheckIn(t *testing.T) {
	h := newHarness(t, true)
	wantContains(t, h.say("bob", "KR5 1.5M"), "Checked in")
	h.Clock.Advance(time.Minute)
	wantContains(t, h.say("alice", "KR5 1.6M"), "Checked in") // alice leads Sales, bob owns KR5
	h.Clock.Advance(time.Minute)
	before := h.snapshot()
	wantContains(t, h.say("bob", "undo"), "newer check-in")
	if h.snapshot() != before {
		t.Error("the refused undo changed something")
	}
}
