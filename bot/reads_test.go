package bot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/storage/bolt"
)

// readCases are the events keeps lets go unrecorded, one or more for each
// command readOnly names, with the arguments people give them.
var readCases = []struct {
	kind chat.EventKind
	text string
}{
	{chat.EventCommand, "help"}, {chat.EventCommand, "help new"}, {chat.EventCommand, "help checkin"}, {chat.EventCommand, "help team"}, {chat.EventCommand, "help rules"},
	{chat.EventCommand, "mine"}, {chat.EventCommand, "me"}, {chat.EventCommand, "my okrs"},
	{chat.EventCommand, "teams"}, {chat.EventCommand, "tree"}, {chat.EventCommand, "tree Sales"}, {chat.EventCommand, "tree O1"},
	{chat.EventCommand, "history KR4"}, {chat.EventCommand, "log KR1"}, {chat.EventCommand, "history"}, {chat.EventCommand, "history O1"},
	{chat.EventCommand, "digest"}, {chat.EventCommand, "digest Engineering"}, {chat.EventCommand, "digest Nowhere"},
	{chat.EventCommand, "whoami"}, {chat.EventCommand, "users"},
	{chat.EventCommand, "team"}, {chat.EventCommand, "team Sales"}, {chat.EventCommand, "team Nowhere"},
	{chat.EventCommand, "show"}, {chat.EventCommand, "show KR4"}, {chat.EventCommand, "show O1"}, {chat.EventCommand, "show Sales"}, {chat.EventCommand, "show O999"}, {chat.EventCommand, "show O0"},
	{chat.EventCommand, "settings"}, {chat.EventCommand, "rules"}, {chat.EventCommand, "schedule"}, {chat.EventCommand, "cycle"}, {chat.EventCommand, "wording"},
	{chat.EventCommand, "KR4"}, {chat.EventCommand, "O2"}, {chat.EventCommand, "\"mine\""},
	{chat.EventMessage, "/okr mine"}, {chat.EventMessage, "okr tree"}, {chat.EventMessage, "OKR team Sales"},
	{chat.EventHomeOpened, ""},
}

// TestReadsWriteNothing: every event the inbox does not keep changes
// nothing stored but its dedupe mark, handled through the engine on the
// demo organisation for a member and an admin, the whole bbolt file
// compared before and after. Each read command of readOnly has a case.
func TestReadsWriteNothing(t *testing.T) {
	r := newInboxRig(t)
	e, _ := r.start()
	ctx := context.Background()
	covered := map[string]bool{}
	for i, c := range readCases {
		for _, who := range []string{"alice", "dana"} {
			ev := chat.Event{ID: fmt.Sprint("Ev", i, who), Kind: c.kind, Platform: "slack", Workspace: "T1", UserID: who, UserName: who,
				Conversation: chat.Conversation{ID: "D" + who, Direct: true}, Text: c.text}
			if e.keeps(ev) {
				t.Errorf("%s %q is kept, want it read only", c.kind, c.text)
				continue
			}
			if who == "alice" && i == 0 {
				// The first contact of each writes their conversation.
				warm := ev
				warm.ID = "warm-alice"
				e.Process(ctx, warm)
				warm.ID, warm.UserID, warm.UserName, warm.Conversation.ID = "warm-dana", "dana", "dana", "Ddana"
				e.Process(ctx, warm)
				e.Wait()
			}
			before := dump(t, r.db)
			if _, ok := e.Process(ctx, ev); !ok {
				t.Errorf("%s %q by %s got no answer", c.kind, c.text, who)
			}
			e.Wait()
			if diff := diffDumps(before, dump(t, r.db), ev.ID); diff != "" {
				t.Errorf("%s %q by %s changed the store: %s", c.kind, c.text, who, diff)
			}
		}
		if line, ok := stripPrefix(c.text); ok || c.kind == chat.EventCommand {
			if toks, _ := reply.Tokenize(line); len(toks) > 0 {
				covered[lower(toks[0].Text)] = true
			}
		}
	}
	for _, name := range []string{"help", "mine", "me", "my", "teams", "tree", "history", "log", "digest", "whoami", "users", "team", "show", "settings", "rules", "schedule", "cycle", "wording"} {
		if !covered[name] {
			t.Errorf("no case of the read %q", name)
		}
	}
	for name := range e.commands() {
		if readOnly([]reply.Token{{Text: name}}) && !covered[name] {
			t.Errorf("%q is read only, and no case of readCases holds it to that", name)
		}
	}
}

// writeCommands are the commands of the table that may write, whatever
// their arguments; settings, rules, schedule, cycle and wording write only
// with some, team and show with a team's subcommand.
var writeCommands = []string{"checkin", "check-in", "update", "form", "new", "initiative", "edit", "done", "undone", "grade", "grades",
	"retro", "adoption", "web", "role", "people", "undo", "skip", "away", "mute", "unmute", "nudge", "timezone", "link", "unlink"}

// TestWritesAreKept: every command that may write is kept, with or without
// arguments, and so is every event that is not a command addressed as one,
// and what does not parse. A command added to the table is in readOnly or
// in writeCommands.
func TestWritesAreKept(t *testing.T) {
	e := NewEngine(nil, Options{})
	ev := func(kind chat.EventKind, text string) chat.Event {
		return chat.Event{ID: "Ev1", Kind: kind, Platform: "slack", Workspace: "T1", UserID: "alice", Text: text, Value: text}
	}
	var kept []chat.Event
	for _, name := range writeCommands {
		if _, ok := e.commands()[name]; !ok {
			t.Errorf("%q of writeCommands is no command", name)
		}
		for _, line := range []string{name, strings.ToUpper(name), name + " KR4 45%", name + " @bob until Jan 10"} {
			kept = append(kept, ev(chat.EventCommand, line), ev(chat.EventMessage, "/okr "+line), ev(chat.EventMessage, "okr "+line))
		}
	}
	for name := range e.commands() {
		if !readOnly([]reply.Token{{Text: name}}) && !slices.Contains(writeCommands, name) {
			t.Errorf("the command %q is neither read only nor in writeCommands", name)
		}
	}
	for _, name := range []string{"settings", "rules", "schedule", "cycle", "wording"} {
		kept = append(kept, ev(chat.EventCommand, name+" x"))
	}
	for sub := range teamSubcommands {
		kept = append(kept, ev(chat.EventCommand, "team "+sub+" Sales @bob"), ev(chat.EventCommand, "show "+sub+" Sales @bob"), ev(chat.EventCommand, "team "+strings.ToUpper(sub)+" Sales"))
	}
	kept = append(kept,
		ev(chat.EventCommand, ""), ev(chat.EventCommand, "   "), ev(chat.EventCommand, "\"unclosed"), ev(chat.EventCommand, "mnie"), ev(chat.EventCommand, "\x00\xff garbage"),
		ev(chat.EventCommand, "rules objectives 3-5"), ev(chat.EventCommand, "settings nudges teams"), ev(chat.EventCommand, "schedule checkin mon 10:00"),
		ev(chat.EventCommand, "cycle next"), ev(chat.EventCommand, "wording objective Goal"), ev(chat.EventCommand, "team create Ops"),
		ev(chat.EventMessage, "mine"), ev(chat.EventMessage, "team Sales 45%"), ev(chat.EventMessage, "KR4 45%"), ev(chat.EventMessage, "stop"), ev(chat.EventMessage, "okr"), ev(chat.EventMessage, "okrmine"),
		ev(chat.EventButton, "mine"), ev(chat.EventButton, "show KR4"), ev(chat.EventFormSubmit, ""), ev(chat.EventInstalled, ""), ev(chat.EventRemoved, ""), ev("unknown", "mine"),
	)
	for _, k := range kept {
		if !e.keeps(k) {
			t.Errorf("%s %q is not kept", k.Kind, k.Text)
		}
	}
}

// dump is every key and value of the store's bbolt file, nested buckets
// included, by "bucket/…/key".
func dump(t *testing.T, db *bolt.DB) map[string][]byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := db.Backup(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	out := map[string][]byte{}
	var walk func(prefix string, bk *bbolt.Bucket) error
	walk = func(prefix string, bk *bbolt.Bucket) error {
		return bk.ForEach(func(k, v []byte) error {
			name := prefix + "/" + string(k)
			if v == nil {
				return walk(name, bk.Bucket(k))
			}
			out[name] = bytes.Clone(v)
			return nil
		})
	}
	err = b.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bbolt.Bucket) error { return walk(string(name), bk) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffDumps names what changed from before to after, leaving out the
// entries of the event's dedupe mark (the state and its expiry index).
func diffDumps(before, after map[string][]byte, eventID string) string {
	mark := eventKey("slack", eventID)
	var diffs []string
	for k, v := range after {
		if strings.Contains(k, mark) {
			continue
		}
		if w, ok := before[k]; !ok {
			diffs = append(diffs, "added "+fmt.Sprintf("%q", k))
		} else if !bytes.Equal(v, w) {
			diffs = append(diffs, "changed "+fmt.Sprintf("%q", k))
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && !strings.Contains(k, mark) {
			diffs = append(diffs, "deleted "+fmt.Sprintf("%q", k))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, ", ")
}

// heldStore holds every write until its gate opens, and says on entered
// that one is waiting.
type heldStore struct {
	okrcore.Store
	gate    chan struct{}
	entered chan struct{}
}

func (s heldStore) Update(ctx context.Context, fn func(okrcore.Tx) error) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.gate
	return s.Store.Update(ctx, fn)
}

// TestFirstContactReadAnswersBeforeItsAccount: a read from a Teams account
// met for the first time, whose verified address is alice's, answers as
// alice while every write is held, and her Teams account is stored once
// they are let through; a write command at first contact waits for its
// account, as it waits for its effect.
func TestFirstContactReadAnswersBeforeItsAccount(t *testing.T) {
	r := newInboxRig(t)
	ctx := context.Background()
	err := r.db.Update(ctx, func(tx okrcore.Tx) error {
		for _, name := range []string{"alice", "bob"} {
			u, err := tx.UserByPlatform("T1", "slack", name)
			if err != nil {
				return err
			}
			u.EmailVerified = true // as a directory sync leaves them
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := heldStore{Store: r.db, gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	e := NewEngine(s, Options{Now: func() time.Time { return r.now }})
	ev := chat.Event{ID: "Ev1", Kind: chat.EventCommand, Platform: "teams", Workspace: "T1", UserID: "29:alice", UserName: "Alice",
		Email: "alice@acme.example", EmailVerified: true, Conversation: chat.Conversation{ID: "a:alice", Direct: true}, Text: "whoami"}
	var open sync.Once
	release := func() { open.Do(func() { close(s.gate) }) }
	t.Cleanup(func() { release(); e.Wait() })
	m, ok := e.Process(ctx, ev)
	if !ok || !strings.Contains(m.Text, chat.User("alice")+"* (member, #2)") || !strings.Contains(m.Text, "You use okrbot on Slack and Microsoft Teams") {
		t.Fatalf("the first contact's read, its writes held, answered %q (%v)", m.Text, ok)
	}
	write := ev
	write.ID, write.UserID, write.Email, write.Text = "Ev2", "29:bob", "bob@acme.example", "timezone Europe/Paris"
	answered := make(chan chat.Message, 1)
	go func() { m, _ := e.Process(ctx, write); answered <- m }()
	<-s.entered // the write command's registration waits at the gate
	select {
	case m := <-answered:
		t.Errorf("a write command at first contact answered before its account was stored: %q", m.Text)
	default:
	}
	release()
	if m := <-answered; !strings.Contains(m.Text, "Europe/Paris") {
		t.Errorf("the write command answered %q", m.Text)
	}
	e.Wait()
	err = r.db.View(ctx, func(tx okrcore.Tx) error {
		u, err := tx.UserByPlatform("T1", "teams", "29:alice")
		if err == nil && u.Name != "alice" {
			err = fmt.Errorf("the Teams account is %s's", u.Name)
		}
		return err
	})
	if err != nil {
		t.Errorf("alice's Teams account after the read: %v", err)
	}
}
