package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// ws is newHarness's workspace.
const ws = "local"

// demoNow is a Wednesday in the middle of Q4 2026.
var demoNow = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)

// harness drives the engine like a chat platform would, on a real bbolt
// store (seeded with the demo organisation if asked), with a clock the test
// moves. It depends on nothing but the package's exported API.
type harness struct {
	t    *testing.T
	db   *bolt.DB
	path string
	e    *bot.Engine
	ws   string
	mu   sync.Mutex
	now  time.Time
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
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "okrbot.db"), ws: workspace, now: now}
	h.open()
	t.Cleanup(func() { h.db.Close() })
	if demo {
		seeded, err := bot.SeedDemo(context.Background(), h.db, h.ws, "shell", h.clock())
		if err != nil || !seeded {
			t.Fatalf("seed demo: seeded=%v err=%v", seeded, err)
		}
	}
	return h
}

func (h *harness) open() {
	h.t.Helper()
	db, err := bolt.Open(h.path, bolt.Options{NoSync: true, Now: h.clock})
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.db = db
	h.e = bot.NewEngine(db, bot.Options{Now: h.clock})
}

// restart closes the store and starts a new engine on the same file, as a
// process restart would.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatalf("close: %v", err)
	}
	h.open()
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

func (h *harness) setClock(t time.Time) {
	h.mu.Lock()
	h.now = t
	h.mu.Unlock()
}

// event is an event of kind from user in their DM.
func (h *harness) event(user string, kind chat.EventKind) chat.Event {
	return chat.Event{Kind: kind, Platform: "shell", Workspace: h.ws, UserID: user, UserName: user,
		Conversation: chat.Conversation{ID: "dm:" + user, Direct: true}}
}

// process hands ev to the engine and fails the test if it is not answered.
func (h *harness) process(ev chat.Event) chat.Message {
	h.t.Helper()
	m, ok := h.e.Process(context.Background(), ev)
	if !ok {
		h.t.Fatalf("%s: %s %q%q got no answer", ev.UserID, ev.Kind, ev.Text, ev.Value)
	}
	return m
}

// ask sends a command or message as user and returns the answer.
func (h *harness) ask(user, text string) chat.Message {
	h.t.Helper()
	ev := h.event(user, chat.EventMessage)
	ev.Text = text
	return h.process(ev)
}

// say sends a message as user and returns the answer's text.
func (h *harness) say(user, text string) string {
	h.t.Helper()
	return render(h.ask(user, text))
}

// press presses a button carrying value as user and returns the answer's text.
func (h *harness) press(user, value string) string {
	h.t.Helper()
	ev := h.event(user, chat.EventButton)
	ev.Value = value
	return render(h.process(ev))
}

// compose composes the scheduled message it and fails the test on an error.
func (h *harness) compose(it *okrcore.OutboxItem) chat.Delivery {
	h.t.Helper()
	d, err := h.e.Compose(context.Background(), it)
	if err != nil {
		h.t.Fatalf("compose %s: %v", it.Key, err)
	}
	return d
}

// render flattens a message into text for assertions, one block a line.
func render(m chat.Message) string { return renderText(m, false) }

// renderStatus is render with each progress bar's status after its percentage
// ("KR9 Teams integration launched 0% [off_track]").
func renderStatus(m chat.Message) string { return renderText(m, true) }

func renderText(m chat.Message, status bool) string {
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, blk := range m.Blocks {
		switch x := blk.(type) {
		case chat.Header:
			b.WriteString(x.Text + "\n")
		case chat.Section:
			b.WriteString(x.Text + "\n")
			for _, f := range x.Fields {
				b.WriteString(f.Label + ": " + f.Value + "\n")
			}
		case chat.ProgressBar:
			if status {
				fmt.Fprintf(&b, "%s %s %s [%s] %s\n", x.Ref, x.Label, okrcore.Percent(x.Progress), x.Status, x.Detail)
			} else {
				fmt.Fprintf(&b, "%s %s %s %s\n", x.Ref, x.Label, okrcore.Percent(x.Progress), x.Detail)
			}
		case chat.Actions:
			for _, btn := range x.Buttons {
				b.WriteString("[" + btn.Label + "=" + btn.Value + "] ")
			}
			b.WriteString("\n")
		case chat.Context:
			b.WriteString(x.Text + "\n")
		}
	}
	return b.String()
}

// read runs fn in a read transaction and fails the test, saying what it
// read, on an error.
func (h *harness) read(what string, fn func(tx okrcore.Tx) error) {
	h.t.Helper()
	if err := h.db.View(context.Background(), fn); err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// snapshot captures every stored key result, objective, KPI and check-in
// count, to show that bad input changes nothing.
func (h *harness) snapshot() string {
	h.t.Helper()
	var out []any
	h.read("snapshot", func(tx okrcore.Tx) error {
		cs, err := tx.Cycles(h.ws)
		if err != nil {
			return err
		}
		for _, c := range cs {
			objs, err := tx.ObjectivesByCycle(h.ws, c.ID)
			if err != nil {
				return err
			}
			krs, err := tx.KeyResultsByCycle(h.ws, c.ID)
			if err != nil {
				return err
			}
			out = append(out, c, objs, krs)
			for _, k := range krs {
				cis, err := tx.CheckIns(h.ws, okrcore.TargetKR, k.ID, time.Time{}, 0)
				if err != nil {
					return err
				}
				out = append(out, len(cis))
			}
		}
		kpis, err := tx.KPIs(h.ws)
		out = append(out, kpis)
		return err
	})
	b, _ := json.Marshal(out)
	return string(b)
}

func (h *harness) kr(id okrcore.ID) *okrcore.KeyResult {
	h.t.Helper()
	var k *okrcore.KeyResult
	h.read(fmt.Sprintf("load KR%d", id), func(tx okrcore.Tx) error {
		var err error
		k, err = tx.KeyResult(h.ws, id)
		return err
	})
	return k
}

func (h *harness) objective(id okrcore.ID) *okrcore.Objective {
	h.t.Helper()
	var o *okrcore.Objective
	h.read(fmt.Sprintf("load O%d", id), func(tx okrcore.Tx) error {
		var err error
		o, err = tx.Objective(h.ws, id)
		return err
	})
	return o
}

func (h *harness) team(name string) *okrcore.Team {
	h.t.Helper()
	var t *okrcore.Team
	h.read("team "+name, func(tx okrcore.Tx) error {
		var err error
		t, err = tx.TeamByName(h.ws, name)
		return err
	})
	return t
}

// wantContains fails the test for each of wants that got lacks.
func wantContains(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
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
