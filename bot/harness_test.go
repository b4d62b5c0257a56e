package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// ws is newHarness's workspace.
const ws = "local"

// demoNow is a Wednesday in the middle of Q4 2026.
var demoNow = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)

// harness drives the engine like a chat platform would, on the kit's
// store (seeded with the demo organisation if asked) and clock, and reads
// the store back in the shapes these tests compare. It depends on nothing
// but the package's exported API.
type harness struct {
	*bottest.Kit
	t *testing.T
}

// newHarness is a harness in workspace ws with its clock at demoNow.
func newHarness(t *testing.T, demo bool) *harness {
	t.Helper()
	return newHarnessAt(t, ws, demoNow, demo)
}

// newHarnessAt is a harness in workspace with its clock at now; demo seeds
// the demo organisation.
func newHarnessAt(t *testing.T, workspace string, now time.Time, demo bool) *harness {
	t.Helper()
	opts := []bottest.Option{bottest.Start(now), bottest.Workspace(workspace, "shell")}
	if demo {
		opts = append(opts, bottest.Demo())
	}
	return &harness{Kit: bottest.New(t, opts...), t: t}
}

// say sends a message as user and returns the answer's text.
func (h *harness) say(user, text string) string {
	h.t.Helper()
	return render(h.Ask(user, text))
}

// press presses a button carrying value as user and returns the answer's text.
func (h *harness) press(user, value string) string {
	h.t.Helper()
	return render(h.Press(user, value))
}

// render flattens a message into text for assertions, one block a line.
func render(m chat.Message) string { return bottest.Text(m) }

// renderStatus is render with each progress bar's status after its
// percentage ("KR9 Teams integration launched 0% [off_track]").
func renderStatus(m chat.Message) string { return bottest.StatusText(m) }

// read runs fn in a read transaction and fails the test, saying what it
// read, on an error.
func (h *harness) read(what string, fn func(tx okrcore.Tx) error) {
	h.t.Helper()
	if err := h.DB.View(context.Background(), fn); err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// snapshot captures every stored key result, objective, KPI and check-in
// count, to show that bad input changes nothing.
func (h *harness) snapshot() string {
	h.t.Helper()
	var out []any
	h.read("snapshot", func(tx okrcore.Tx) error {
		cs, err := tx.Cycles(h.Workspace)
		if err != nil {
			return err
		}
		for _, c := range cs {
			objs, err := tx.ObjectivesByCycle(h.Workspace, c.ID)
			if err != nil {
				return err
			}
			krs, err := tx.KeyResultsByCycle(h.Workspace, c.ID)
			if err != nil {
				return err
			}
			out = append(out, c, objs, krs)
			for _, k := range krs {
				cis, err := tx.CheckIns(h.Workspace, okrcore.TargetKR, k.ID, time.Time{}, 0)
				if err != nil {
					return err
				}
				out = append(out, len(cis))
			}
		}
		kpis, err := tx.KPIs(h.Workspace)
		out = append(out, kpis)
		return err
	})
	b, _ := json.Marshal(out)
	return string(b)
}

func (h *harness) kr(id okrcore.ID) *okrcore.KeyResult {
	h.t.Helper()
	return bottest.Read(h.t, h.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(h.Workspace, id) })
}

func (h *harness) objective(id okrcore.ID) *okrcore.Objective {
	h.t.Helper()
	return bottest.Read(h.t, h.DB, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective(h.Workspace, id) })
}

func (h *harness) team(name string) *okrcore.Team {
	h.t.Helper()
	return bottest.Read(h.t, h.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(h.Workspace, name) })
}

// wantContains fails the test for each of wants that got lacks.
func wantContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(chat.Unmarked(got), w) {
			t.Errorf("answer lacks %q:\n%s", w, got)
		}
	}
}

// wantLacks fails the test for each of unwanted that got has.
func wantLacks(t *testing.T, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("answer has %q:\n%s", w, got)
		}
	}
}
