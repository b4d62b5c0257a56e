package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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
	k := atOnceTree(t)
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

// atOnceTree is Dana's company objective with Alice's (KR2) and Bob's
// (KR3) aligned beneath its key result, and steps more run before.
func atOnceTree(t *testing.T, more ...[3]string) *bottest.Kit {
	t.Helper()
	k := bottest.New(t)
	steps := [][3]string{
		{"dana", "/okr whoami", "admin"},
		{"alice", "/okr whoami", "member"},
		{"bob", "/okr whoami", "member"},
		{"dana", `/okr new objective "Grow the company"`, "O1"},
		{"dana", `/okr new kr O1 "Revenue" from 0 to 10`, "KR1"},
		{"alice", `/okr new objective "Win the mid-market" under KR1`, "O2"},
		{"alice", `/okr new kr O2 "Signed deals" from 0 to 100`, "KR2"},
		{"bob", `/okr new objective "Partners" under KR1`, "O3"},
		{"bob", `/okr new kr O3 "Partners signed" from 0 to 100`, "KR3"},
	}
	for _, s := range append(steps, more...) {
		if got := bottest.Text(k.Ask(s[0], s[1])); !strings.Contains(got, s[2]) {
			t.Fatalf("%s: %s: answer lacks %q:\n%s", s[0], s[1], s[2], got)
		}
	}
	return k
}

// TestFormsAndGuidedCheckInsAtOnce: check-in forms, answers in guided
// check-ins and plain check-ins written at the same time go through the
// same groups: forms and plain "+1"s on one key result all land, each
// following the one before; each guided check-in lands and moves its
// dialog on; the objectives above hold what a full roll-up computes; and a
// form with a refused value among them saves nothing and comes back.
func TestFormsAndGuidedCheckInsAtOnce(t *testing.T) {
	var more [][3]string
	guided := []string{"carol", "erin", "frank", "gus"}
	for i, u := range guided {
		o, kr := fmt.Sprintf("O%d", 4+i), fmt.Sprintf("KR%d", 4+i)
		more = append(more, [3]string{u, "/okr whoami", "member"}, [3]string{u, `/okr new objective "Side bet" under KR1`, o},
			[3]string{u, fmt.Sprintf(`/okr new kr %s "Bets won" from 0 to 100`, o), kr}, [3]string{u, "/okr checkin", kr})
	}
	k := atOnceTree(t, more...)
	form := k.Press("alice", "form").Form
	if form == nil || form.ID != "checkin" {
		t.Fatalf("no check-in form: %+v", form)
	}
	const forms, plain = 12, 12
	var evs []chat.Event
	for i := range forms {
		ev := k.Event("alice", chat.EventFormSubmit)
		ev.FormID, ev.FormState, ev.ID = form.ID, form.State, fmt.Sprintf("f-%d", i)
		ev.Values = map[string]string{"KR2.value": fmt.Sprint(10 + i), "KR2.note": fmt.Sprint("form ", i)}
		evs = append(evs, ev)
	}
	for i := range plain {
		ev := k.Event("dana", chat.EventMessage)
		ev.Text, ev.ID = "KR2 +1", fmt.Sprintf("p-%d", i)
		evs = append(evs, ev)
	}
	for i, u := range guided {
		ev := k.Event(u, chat.EventMessage)
		ev.Text, ev.ID = fmt.Sprint(20*(i+1)), "g-"+u
		evs = append(evs, ev)
	}
	bad := k.Event("alice", chat.EventFormSubmit)
	bad.FormID, bad.FormState, bad.ID = form.ID, form.State, "bad"
	bad.Values = map[string]string{"KR2.value": "lots"}
	evs = append(evs, bad)
	answers := make([]chat.Message, len(evs))
	var wg sync.WaitGroup
	for i, ev := range evs {
		wg.Go(func() { answers[i], _ = k.Engine.Process(context.Background(), ev) })
	}
	wg.Wait()
	for i, m := range answers[:len(answers)-1] {
		if !strings.Contains(m.Text, "Checked in") {
			t.Errorf("%s %s: answer %q", evs[i].UserID, evs[i].ID, m.Text)
		}
	}
	if back := answers[len(answers)-1]; back.Form == nil || !back.Form.Invalid() {
		t.Errorf("the refused form: %q, not sent back", back.Text)
	}
	type stored struct {
		history []*okrcore.CheckIn
		guided  []*okrcore.KeyResult
		objs    []*okrcore.Objective
		full    map[okrcore.ID]float64
	}
	got := bottest.Read(t, k.DB, func(tx okrcore.Tx) (s stored, err error) {
		if s.history, err = tx.CheckIns(k.Workspace, okrcore.TargetKR, 2, time.Time{}, 0); err != nil {
			return s, err
		}
		for i := range guided {
			kr, err := tx.KeyResult(k.Workspace, okrcore.ID(4+i))
			if err != nil {
				return s, err
			}
			s.guided = append(s.guided, kr)
		}
		if s.objs, err = tx.ObjectivesByCycle(k.Workspace, s.guided[0].Cycle); err != nil {
			return s, err
		}
		krs, err := tx.KeyResultsByCycle(k.Workspace, s.guided[0].Cycle)
		s.full = okrcore.RollUpAll(s.objs, krs)
		return s, err
	})
	if len(got.history) != forms+plain {
		t.Errorf("KR2 has %d check-ins, want %d", len(got.history), forms+plain)
	}
	for i := 0; i+1 < len(got.history); i++ {
		if got.history[i].Previous != got.history[i+1].Value {
			t.Errorf("check-in %d of KR2 follows %v, the one before left %v", i, got.history[i].Previous, got.history[i+1].Value)
		}
	}
	for i, kr := range got.guided {
		if kr.Current != float64(20*(i+1)) {
			t.Errorf("%s's KR%d at %v, want %d", guided[i], kr.ID, kr.Current, 20*(i+1))
		}
	}
	for _, o := range got.objs {
		if d := o.Progress - got.full[o.ID]; d > 1e-9 || d < -1e-9 {
			t.Errorf("O%d stored at %v, a full roll-up says %v", o.ID, o.Progress, got.full[o.ID])
		}
	}
	// Each dialog ended with its one key result: a number now is a
	// plain check-in's, which names no key result of the person's alone.
	if got := bottest.Text(k.Ask("carol", "/okr checkin")); !strings.Contains(got, "(1/1)") {
		t.Errorf("carol's dialog did not end: a new one says %q", got)
	}
}
