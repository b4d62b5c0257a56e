package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// TestCheckInsAtOnce sends check-ins from two people at once, many on one
// key result with relative values ("+1", which read the value before), and
// a delivery sent twice at the same time: every check-in lands, in an
// order where each follows the one before, the objectives above hold what
// a full roll-up computes, and the twice-sent delivery is recorded and
// answered once.
func TestCheckInsAtOnce(t *testing.T) {
	k := bottest.New(t)
	for _, s := range []struct{ user, text, want string }{
		{"dana", "/okr whoami", "admin"},
		{"alice", "/okr whoami", "member"},
		{"bob", "/okr whoami", "member"},
		{"dana", `/okr new objective "Grow the company"`, "O1"},
		{"dana", `/okr new kr O1 "Revenue" from 0 to 10`, "KR1"},
		{"alice", `/okr new objective "Win the mid-market" under KR1`, "O2"},
		{"alice", `/okr new kr O2 "Signed deals" from 0 to 100`, "KR2"},
		{"bob", `/okr new objective "Partners" under KR1`, "O3"},
		{"bob", `/okr new kr O3 "Partners signed" from 0 to 100`, "KR3"},
	} {
		if got := bottest.Text(k.Ask(s.user, s.text)); !strings.Contains(got, s.want) {
			t.Fatalf("%s: %s: answer lacks %q:\n%s", s.user, s.text, s.want, got)
		}
	}
	const each = 20
	type sent struct {
		user, text, id string
	}
	var evs []sent
	for i := range each {
		evs = append(evs, sent{"alice", "KR2 +1", fmt.Sprintf("a-%d", i)}, sent{"bob", fmt.Sprintf("KR3 %d", i+1), fmt.Sprintf("b-%d", i)})
	}
	evs = append(evs, sent{"bob", "KR3 +1", "twice"}, sent{"bob", "KR3 +1", "twice"})
	answers := make([]string, len(evs))
	var wg sync.WaitGroup
	for i, s := range evs {
		wg.Go(func() {
			ev := k.Event(s.user, chat.EventMessage)
			ev.Text, ev.ID = s.text, s.id
			if m, ok := k.Engine.Process(context.Background(), ev); ok {
				answers[i] = m.Text
			}
		})
	}
	wg.Wait()
	confirmed := 0
	for i, a := range answers {
		switch {
		case strings.HasPrefix(a, "Checked in"):
			confirmed++
		case a != "" || evs[i].id != "twice":
			t.Errorf("%s %q: answer %q", evs[i].user, evs[i].text, a)
		}
	}
	if want := 2*each + 1; confirmed != want {
		t.Errorf("%d check-ins confirmed, want %d", confirmed, want)
	}
	type stored struct {
		kr2, kr3 *okrcore.KeyResult
		history  []*okrcore.CheckIn
		objs     []*okrcore.Objective
		full     map[okrcore.ID]float64
	}
	got := bottest.Read(t, k.DB, func(tx okrcore.Tx) (s stored, err error) {
		if s.kr2, err = tx.KeyResult(k.Workspace, 2); err != nil {
			return s, err
		}
		if s.kr3, err = tx.KeyResult(k.Workspace, 3); err != nil {
			return s, err
		}
		if s.history, err = tx.CheckIns(k.Workspace, okrcore.TargetKR, 2, k.Clock.Now().AddDate(0, 0, -1), 0); err != nil {
			return s, err
		}
		if s.objs, err = tx.ObjectivesByCycle(k.Workspace, s.kr2.Cycle); err != nil {
			return s, err
		}
		krs, err := tx.KeyResultsByCycle(k.Workspace, s.kr2.Cycle)
		s.full = okrcore.RollUpAll(s.objs, krs)
		return s, err
	})
	if got.kr2.Current != each || len(got.history) != each {
		t.Errorf("KR2 at %v after %d check-ins, want %d after %d", got.kr2.Current, len(got.history), each, each)
	}
	// Newest first: each check-in starts where the one before ended.
	for i := 0; i+1 < len(got.history); i++ {
		if got.history[i].Previous != got.history[i+1].Value {
			t.Errorf("check-in %d of KR2 follows %v, the one before left %v", i, got.history[i].Previous, got.history[i+1].Value)
		}
	}
	for _, o := range got.objs {
		if d := o.Progress - got.full[o.ID]; d > 1e-9 || d < -1e-9 {
			t.Errorf("O%d stored at %v, a full roll-up says %v", o.ID, o.Progress, got.full[o.ID])
		}
	}
}
