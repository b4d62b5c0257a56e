package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// wordedWorld is the demo organisation after its admin (dana) chose Goal,
// Measure and update.
func wordedWorld(t *testing.T) *bottest.Kit {
	t.Helper()
	k := bottest.New(t, bottest.Demo(), bottest.Workspace("T1", "slack"))
	k.Clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	for _, c := range []string{"/okr wording objective Goal", "/okr wording key-result Measure Measures", "/okr wording check-in update"} {
		if got := bottest.Text(k.Ask("dana", c)); !strings.HasPrefix(got, "Done") {
			t.Fatalf("%s: %s", c, got)
		}
	}
	return k
}

func wantWords(t *testing.T, what, got string, wants []string, lacks []string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
	for _, w := range lacks {
		if strings.Contains(got, w) {
			t.Errorf("%s still says %q:\n%s", what, w, got)
		}
	}
}

// TestWordingInEveryAnswer: answers, help and scheduled messages say the
// workspace's words, singular and plural, capitalised where the bot's were.
func TestWordingInEveryAnswer(t *testing.T) {
	k := wordedWorld(t)
	for _, c := range []struct {
		who, say    string
		wants, lack []string
	}{
		{"alice", "/okr help", []string{"one goal, measure, KPI", "grade your measures", "skip this week's update", "`/okr new goal|kr|kpi|initiative …`"}, []string{"objective,", "key results", "check-ins"}},
		{"alice", "/okr show KR4", []string{"Goal: O2 Win the mid-market", "Recent updates"}, []string{"Objective:", "check-ins"}},
		{"dana", "/okr digest Sales", []string{"2 goals, average progress", "people with measures checked in"}, []string{"objectives", "key results"}},
		{"dana", "/okr wording", []string{"objective: Goal / Goals", "key-result: Measure / Measures", "check-in: update / updates"}, nil},
		{"alice", "/okr frobnicate", []string{"I don't know the command"}, nil},
	} {
		wantWords(t, c.say, bottest.Text(k.Ask(c.who, c.say)), c.wants, c.lack)
	}
	var alice okrcore.ID
	bottest.Read(t, k.DB, func(tx okrcore.Tx) (struct{}, error) {
		u, err := tx.UserByName(k.Workspace, "alice")
		if err == nil {
			alice = u.ID
		}
		return struct{}{}, err
	})
	d := k.Compose(&okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: okrcore.OutboxCheckIn, User: alice, DueAt: k.Clock.Now(), State: okrcore.OutboxPending, Key: "checkin:alice"})
	wantWords(t, "the nudge", bottest.Text(d.Message), []string{"Time for your weekly update", "[Update=form]"}, []string{"check-in"})
	if f := d.Message.Form; f == nil || chat.Unmarked(f.Title) != "Update · Q4 2026" {
		t.Errorf("the nudge's form: %+v", f)
	}
}

// TestCommandsInBothVocabularies: the chosen words work in commands, the
// bot's own keep working, and a person's title that says "objective" is
// stored and shown as typed.
func TestCommandsInBothVocabularies(t *testing.T) {
	k := wordedWorld(t)
	title := "Improve objective setting for key results"
	got := bottest.Text(k.Ask("alice", `/okr new goal "`+title+`"`))
	wantWords(t, "new goal", got, []string{title}, nil)
	id := strings.Fields(got[strings.Index(got, "O"):])[0]
	id = strings.TrimRight(id, ":.,")
	wantWords(t, "new measure", bottest.Text(k.Ask("alice", "/okr new measure "+id+` "Objective reviews held" from 0 to 10`)), []string{"Objective reviews held"}, nil)
	wantWords(t, "new objective", bottest.Text(k.Ask("alice", `/okr new objective "Old words still work"`)), []string{"Old words still work"}, nil)
	wantWords(t, "new kr", bottest.Text(k.Ask("alice", "/okr new kr "+id+` "Second one" from 0 to 5`)), []string{"Second one"}, nil)
	wantWords(t, "show", bottest.Text(k.Ask("alice", "/okr show "+id)), []string{title, "Objective reviews held", "Second one"}, nil)
	wantWords(t, "help goal", bottest.Text(k.Ask("alice", "/okr help new")), []string{"/okr new goal"}, nil)
	wantWords(t, "rules goals", bottest.Text(k.Ask("dana", "/okr rules goals 2-4")), []string{"2–4", "goals"}, nil)
	for _, say := range []string{"/okr update", "/okr checkin", "update", "/okr Update"} {
		wantWords(t, say, bottest.Text(k.Ask("alice", say)), []string{"KR4"}, []string{"I don't know the command"})
		k.Ask("alice", "stop")
	}
	var stored string
	bottest.Read(t, k.DB, func(tx okrcore.Tx) (struct{}, error) {
		w, err := tx.Workspace(k.Workspace)
		if err != nil {
			return struct{}{}, err
		}
		objs, err := tx.ObjectivesByCycle(k.Workspace, w.CurrentCycle)
		for _, o := range objs {
			if strings.HasPrefix(o.Title, "Improve") {
				stored = o.Title
			}
		}
		return struct{}{}, err
	})
	if stored != title {
		t.Errorf("the stored title is %q, want %q", stored, title)
	}
}

// TestWordingRefusalsAndReset: members may look but not change; bad words
// are refused with a sentence and change nothing; reset brings the bot's
// own words back.
func TestWordingRefusalsAndReset(t *testing.T) {
	k := wordedWorld(t)
	for _, c := range []struct{ who, say, want string }{
		{"alice", "/okr wording objective Target", "Only an admin"},
		{"alice", "/okr wording reset", "Only an admin"},
		{"dana", "/okr wording objective", "Give the word"},
		{"dana", `/okr wording objective ""`, "Give the word"},
		{"dana", "/okr wording objective " + strings.Repeat("x", 30), "characters long"},
		{"dana", "/okr wording objective Goal*", "no markup"},
		{"dana", "/okr wording objective <@U123>", "starts with a letter"},
		{"dana", "/okr wording objective Go<!channel>", "no markup, mentions or links"},
		{"dana", "/okr wording objective Measure", "already means key result"},
		{"dana", "/okr wording objective show", "one of my commands"},
		{"dana", "/okr wording vision Goal", "I can rename objective, key-result and check-in"},
		{"dana", "/okr wording objective a b c d", "Give a term, its word"},
	} {
		wantWords(t, c.say, bottest.Text(k.Ask(c.who, c.say)), []string{c.want}, nil)
	}
	wantWords(t, "after refusals", bottest.Text(k.Ask("alice", "/okr wording")), []string{"objective: Goal / Goals", "check-in: update / updates"}, nil)
	wantWords(t, "reset one", bottest.Text(k.Ask("dana", "/okr wording reset check-in")), []string{"check-in: check-in / check-ins (my own)", "objective: Goal / Goals"}, nil)
	wantWords(t, "reset", bottest.Text(k.Ask("dana", "/okr wording reset")), []string{"objective: objective / objectives (my own)"}, nil)
	wantWords(t, "help after reset", bottest.Text(k.Ask("alice", "/okr help")), []string{"one objective, key result, KPI"}, []string{"goal", "measure"})
	wantWords(t, "new goal after reset", bottest.Text(k.Ask("alice", `/okr new goal "x"`)), []string{"I can create an objective"}, nil)
}
