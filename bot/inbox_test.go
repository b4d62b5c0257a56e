package bot

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/demo"
	"github.com/okrbot/okrbot/inbox"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// inboxRig is the demo organisation on a store that a test "restarts":
// each start is a new engine and inbox on the same file, as a new process
// would make them.
type inboxRig struct {
	t      *testing.T
	db     *bolt.DB
	now    time.Time
	fault  *faultStore
	seeded int     // the demo's own check-ins on KR4
	last   *Engine // of the last start
}

func newInboxRig(t *testing.T) *inboxRig {
	t.Helper()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	r := &inboxRig{t: t, now: now}
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true, Now: func() time.Time { return r.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := demo.Seed(context.Background(), db, "T1", "slack", now); err != nil {
		t.Fatal(err)
	}
	r.db, r.fault = db, &faultStore{Store: db}
	r.seeded = len(r.values())
	return r
}

// start is a process starting on the store.
func (r *inboxRig) start() (*Engine, *inbox.Inbox) {
	if r.last != nil {
		// What the process before was still writing ends with it (and
		// fails, if it was killed).
		r.last.Wait()
	}
	r.fault.dead.Store(false)
	e := NewEngine(r.fault, Options{Now: func() time.Time { return r.now }})
	r.last = e
	return e, e.NewInbox()
}

// checkIn is alice's check-in "KR4 <value>" in her DM, delivered as id.
func checkIn(id string, value int) chat.Event {
	return chat.Event{ID: id, Kind: chat.EventMessage, Platform: "slack", Workspace: "T1", UserID: "alice", At: time.Now(),
		Conversation: chat.Conversation{ID: "DALICE", Direct: true}, Text: fmt.Sprintf("KR4 %d", value)}
}

// values are the values of KR4's check-ins since the seed, oldest first.
func (r *inboxRig) values() []float64 {
	r.t.Helper()
	var vs []float64
	err := r.db.View(context.Background(), func(tx okrcore.Tx) error {
		cs, err := tx.CheckIns("T1", okrcore.TargetKR, 4, time.Time{}, 0)
		for i := len(cs) - 1; i >= 0; i-- {
			vs = append(vs, cs[i].Value)
		}
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return vs[r.seeded:]
}

func (r *inboxRig) wantValues(when string, want ...float64) {
	r.t.Helper()
	got := r.values()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		r.t.Errorf("%s: KR4's check-ins %v, want %v", when, got, want)
	}
}

func ids(evs []chat.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

// faultStore kills the process at the next check-in: its transaction
// fails, and so does every write after it until the next start, as a
// process killed before the commit leaves the store.
type faultStore struct {
	okrcore.Store
	failCheckIn atomic.Bool
	dead        atomic.Bool
}

var errKilled = errors.New("killed before the commit")

func (s *faultStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.Store.Update(ctx, func(tx okrcore.Tx) error { return fn(faultTx{Tx: tx, s: s}) })
}

type faultTx struct {
	okrcore.Tx
	s *faultStore
}

func (t faultTx) AddCheckIn(c *okrcore.CheckIn) error {
	if t.s.failCheckIn.CompareAndSwap(true, false) {
		t.s.dead.Store(true)
		return errKilled
	}
	return t.Tx.AddCheckIn(c)
}

// TestReplayOfAnEventCutOffBeforeItsEffect: the delivery of a check-in
// dies after the engine began and before the check-in committed; the
// replay of the same event records it. (The dedupe mark used to be written
// first, in a transaction of its own, and the replay was dropped as a
// duplicate.)
func TestReplayOfAnEventCutOffBeforeItsEffect(t *testing.T) {
	r := newInboxRig(t)
	e, _ := r.start()
	ctx := context.Background()
	r.fault.failCheckIn.Store(true)
	e.Process(ctx, checkIn("Ev1", 30))
	r.wantValues("after the cut-off delivery")

	e, _ = r.start()
	msg, ok := e.Process(ctx, checkIn("Ev1", 30))
	if !ok {
		t.Fatal("the replayed event was dropped as a duplicate")
	}
	r.wantValues("after the replay", 30)
	if _, ok := e.Process(ctx, checkIn("Ev1", 30)); ok {
		t.Errorf("a third delivery of a handled event was processed (first answer: %q)", msg.Text)
	}
	r.wantValues("after a third delivery", 30)
}

// TestHandledEventIsNotRedone: a handled event is dropped by the dedupe
// whoever delivers it again, and a refusal, which writes nothing, is
// marked too; a read is not marked (bot/inbox.go) and is answered again,
// changing nothing.
func TestHandledEventIsNotRedone(t *testing.T) {
	r := newInboxRig(t)
	e, _ := r.start()
	ctx := context.Background()
	if _, ok := e.Process(ctx, checkIn("Ev1", 30)); !ok {
		t.Fatal("the first delivery was dropped")
	}
	refusal := chat.Event{ID: "Ev2", Kind: chat.EventCommand, Platform: "slack", Workspace: "T1", UserID: "alice", Text: "frobnicate"}
	view := chat.Event{ID: "Ev3", Kind: chat.EventCommand, Platform: "slack", Workspace: "T1", UserID: "alice", Text: "mine"}
	for _, ev := range []chat.Event{refusal, view} {
		if _, ok := e.Process(ctx, ev); !ok {
			t.Fatalf("%s (%q) was dropped", ev.ID, ev.Text)
		}
	}
	e.marks.Wait()
	e, _ = r.start()
	for _, ev := range []chat.Event{checkIn("Ev1", 30), refusal} {
		if m, ok := e.Process(ctx, ev); ok {
			t.Errorf("%s delivered again after a restart was processed: %q", ev.ID, m.Text)
		}
	}
	if m, ok := e.Process(ctx, view); !ok || !strings.Contains(m.Text, "Your OKRs") {
		t.Errorf("the read delivered again answered %q (%v), want the view again", m.Text, ok)
	}
	r.wantValues("after the second deliveries", 30)
}

// TestConcurrentDeliveriesHandledOnce: two deliveries of one event at once
// give one check-in and one answer.
func TestConcurrentDeliveriesHandledOnce(t *testing.T) {
	for round := range 20 {
		r := newInboxRig(t)
		e, _ := r.start()
		var wg sync.WaitGroup
		var answered atomic.Int32
		for range 2 {
			wg.Go(func() {
				if _, ok := e.Process(context.Background(), checkIn("Ev1", 30)); ok {
					answered.Add(1)
				}
			})
		}
		wg.Wait()
		if n := answered.Load(); n != 1 {
			t.Errorf("round %d: %d answers, want 1", round, n)
		}
		r.wantValues(fmt.Sprint("round ", round), 30)
	}
}

// TestInboxAcrossRestarts: what a process recorded and did not handle is
// pending for the next one, oldest first; what it handled is not, whether
// or not Done was said before the crash; a recorded event is kept once.
func TestInboxAcrossRestarts(t *testing.T) {
	r := newInboxRig(t)
	ctx := context.Background()
	e, in := r.start()
	for i, id := range []string{"Ev1", "Ev2", "Ev3", "Ev4"} {
		r.now = r.now.Add(time.Second)
		if err := in.Record(ctx, checkIn(id, 10*(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Record(ctx, checkIn("Ev2", 20)); err != nil {
		t.Fatal(err)
	}
	if err := in.Record(ctx, chat.Event{Kind: chat.EventMessage, Platform: "slack", Text: "no id"}); err != nil {
		t.Fatal(err)
	}
	// Ev1 handled and done; Ev2 handled, the crash before its Done.
	for _, ev := range []chat.Event{checkIn("Ev1", 10), checkIn("Ev2", 20)} {
		e.Process(ctx, ev)
	}
	if err := in.Done(ctx, checkIn("Ev1", 10)); err != nil {
		t.Fatal(err)
	}
	if p, _ := in.Pending(ctx); len(p) != 0 {
		t.Errorf("Pending of the recording process lists %v, want none of its own", ids(p))
	}

	e, in = r.start()
	pending, err := in.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(pending)); got != "[Ev3 Ev4]" {
		t.Fatalf("pending after the crash: %s, want [Ev3 Ev4]", got)
	}
	if pending[0].Text != "KR4 30" || pending[0].UserID != "alice" || !pending[0].Conversation.Direct {
		t.Errorf("the pending event came back as %+v", pending[0])
	}
	for _, ev := range pending {
		if _, ok := e.Process(ctx, ev); !ok {
			t.Errorf("replayed %s was dropped", ev.ID)
		}
		if err := in.Done(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := in.Pending(ctx); len(p) != 0 {
		t.Errorf("still pending after the replay: %v", ids(p))
	}
	r.wantValues("after the replay", 10, 20, 30, 40)

	_, in = r.start()
	if p, _ := in.Pending(ctx); len(p) != 0 {
		t.Errorf("pending after a second restart: %v", ids(p))
	}
}

// TestInboxRecordsExpireWithTheDedupe: a record lives as long as a dedupe
// mark, so that no record of a handled event outlives its mark.
func TestInboxRecordsExpireWithTheDedupe(t *testing.T) {
	r := newInboxRig(t)
	ctx := context.Background()
	_, in := r.start()
	if err := in.Record(ctx, checkIn("Ev1", 10)); err != nil {
		t.Fatal(err)
	}
	r.now = r.now.Add(24*time.Hour - time.Second)
	_, in = r.start()
	if p, _ := in.Pending(ctx); len(p) != 1 {
		t.Errorf("pending a second before the dedupe TTL: %v, want Ev1", ids(p))
	}
	r.now = r.now.Add(time.Second)
	_, in = r.start()
	if p, _ := in.Pending(ctx); len(p) != 0 {
		t.Errorf("pending at the dedupe TTL: %v, want none", ids(p))
	}
}

// gateStore holds every write until its gate opens.
type gateStore struct {
	okrcore.Store
	gate chan struct{}
}

func (s gateStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	<-s.gate
	return s.Store.Update(ctx, fn)
}

// TestViewAnswersBeforeItsMark: a kept event whose handling writes
// nothing (a refusal) is answered without waiting for its dedupe mark to
// be written; once the mark is stored, a redelivery is dropped.
func TestViewAnswersBeforeItsMark(t *testing.T) {
	r := newInboxRig(t)
	g := gateStore{Store: r.db, gate: make(chan struct{})}
	e := NewEngine(g, Options{Now: func() time.Time { return r.now }})
	view := chat.Event{ID: "Ev9", Kind: chat.EventCommand, Platform: "slack", Workspace: "T1", UserID: "alice", Text: "frobnicate"}
	m, ok := e.Process(context.Background(), view)
	if !ok || !strings.Contains(m.Text, "frobnicate") {
		t.Fatalf("the refusal, with its write held, answered %q (%v)", m.Text, ok)
	}
	close(g.gate)
	e.marks.Wait()
	if m, ok := e.Process(context.Background(), view); ok {
		t.Errorf("a redelivery after the mark was stored was answered: %q", m.Text)
	}
}

// TestViewReplayedAfterACrashBeforeItsMark: a view answered while every
// write fails (a read writes no mark in any case); delivered again after
// a restart it answers again and changes nothing, and a check-in's replay
// after its mark was stored with it is still dropped.
func TestViewReplayedAfterACrashBeforeItsMark(t *testing.T) {
	r := newInboxRig(t)
	e, _ := r.start()
	ctx := context.Background()
	if _, ok := e.Process(ctx, checkIn("Ev1", 30)); !ok {
		t.Fatal("the check-in was dropped")
	}
	view := chat.Event{ID: "Ev2", Kind: chat.EventCommand, Platform: "slack", Workspace: "T1", UserID: "alice", Text: "mine"}
	r.fault.dead.Store(true) // every write from here fails, the mark's too
	first, ok := e.Process(ctx, view)
	if !ok {
		t.Fatal("the view was dropped")
	}
	e.marks.Wait()
	e, _ = r.start()
	again, ok := e.Process(ctx, view)
	if !ok || again.Text != first.Text {
		t.Errorf("the replayed view answered %q (%v), want the first answer again", again.Text, ok)
	}
	if m, ok := e.Process(ctx, checkIn("Ev1", 30)); ok {
		t.Errorf("the check-in's replay was processed: %q", m.Text)
	}
	e.marks.Wait()
	r.wantValues("after the replays", 30)
}

// TestInboxKeepsWhatChanges: the engine's inbox keeps a check-in and lets
// a view go, so that after a crash only the check-in is replayed.
func TestInboxKeepsWhatChanges(t *testing.T) {
	r := newInboxRig(t)
	ctx := context.Background()
	_, in := r.start()
	view := chat.Event{ID: "Ev1", Kind: chat.EventCommand, Platform: "slack", Workspace: "T1", UserID: "alice", Text: "mine"}
	for _, ev := range []chat.Event{view, checkIn("Ev2", 30)} {
		if err := in.Record(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	_, in = r.start()
	if p, _ := in.Pending(ctx); fmt.Sprint(ids(p)) != "[Ev2]" {
		t.Errorf("pending after the crash: %v, want the check-in alone", ids(p))
	}
}
