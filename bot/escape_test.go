package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// hostile is a person's text that would format, link or mention if it
// reached a platform as the bot's own markup.
const hostile = "*bold* _it_ ~s~ `c` [x](http://evil.example) <@U123>"

// format stands for a platform's reading of the bot's own markup: each
// character it would read as emphasis, code, a link's text or a link
// becomes a tag. A person's text, which MapText hands over apart, keeps
// them.
var format = strings.NewReplacer("*", "<b>", "_", "<i>", "~", "<s>", "`", "<code>", "[", "<a>", "]", "</a>", "://", "<colon>//", ".", "<dot>").Replace

// formatted are the parts of hostile read as the bot's markup.
var formatted = []string{"<b>bold", "<i>it", "<s>s", "<code>c", "<a>x", "http<colon>", "evil<dot>"}

// markupOf is every text of m that a platform reads as neutral markup:
// not a button's value or an input's initial value, which are values.
func markupOf(m chat.Message) []string {
	out := []string{m.Text}
	for _, b := range m.Blocks {
		switch x := b.(type) {
		case chat.Header:
			out = append(out, x.Text)
		case chat.Section:
			out = append(out, x.Text)
			for _, f := range x.Fields {
				out = append(out, f.Label, f.Value)
			}
		case chat.ProgressBar:
			out = append(out, x.Label, x.StatusNote, x.Detail)
		case chat.Context:
			out = append(out, x.Text)
		case chat.Actions:
			for _, btn := range x.Buttons {
				out = append(out, btn.Label)
			}
		}
	}
	if f := m.Form; f != nil {
		out = append(out, f.Title, f.Submit)
		for _, in := range f.Inputs {
			out = append(out, in.Label, in.Placeholder, in.Hint, in.Error)
			for _, o := range in.Options {
				out = append(out, o.Label)
			}
		}
	}
	return out
}

// wantLiteral checks that a person's text in m went in through chat.User:
// read as a platform reads markup, no part of hostile formats or links,
// and hostile shows somewhere as typed.
func wantLiteral(t *testing.T, what string, m chat.Message) {
	t.Helper()
	if !wantUnformatted(t, what, m, hostile) {
		t.Errorf("%s: the person's text is not shown as typed:\n%s", what, render(m))
	}
}

// wantUnformatted checks that no part of hostile in m is read as markup,
// and reports whether shown appears in it as typed.
func wantUnformatted(t *testing.T, what string, m chat.Message, shown string) bool {
	t.Helper()
	found := false
	for _, s := range markupOf(m) {
		read := chat.MapText(s, format, func(lit string) string { return lit })
		for _, p := range formatted {
			if strings.Contains(read, p) {
				t.Errorf("%s: a person's text is read as markup (%q): %q", what, p, s)
			}
		}
		found = found || strings.Contains(read, shown)
	}
	return found
}

// rename sets what a person or an import may name: the current cycle to
// hostile, and the team called team to name.
func rename(t *testing.T, h *harness, team, name string) {
	t.Helper()
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		c, err := okrcore.CurrentCycle(tx, h.Workspace)
		if err != nil {
			return err
		}
		c.Name = hostile
		if err := tx.PutCycle(c); err != nil {
			return err
		}
		if team == "" {
			return nil
		}
		tm := h.team(team)
		tm.Name = name
		return tx.PutTeam(tm)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAPersonsTextInConfirmations: the answers to commands that change
// something quote titles, names, notes and blockers as a person's text.
func TestAPersonsTextInConfirmations(t *testing.T) {
	h := newHarness(t, true)
	q := `"` + hostile + `"`
	// mallory's chat display name is hostile.
	ev := h.Event("mallory", chat.EventMessage)
	ev.UserName, ev.Text = hostile, "/okr whoami"
	wantLiteral(t, "whoami", h.Process(ev))
	for _, c := range []struct{ who, text, want string }{
		{"alice", "/okr edit KR4 title " + q, "Updated KR4"},
		{"alice", "/okr new objective " + q, "Created O6"},
		{"alice", "/okr new kr O6 " + q + " from 0 to 10", "Added KR13"},
		{"alice", "/okr edit O6 title " + q, "Updated O6"},
		{"alice", "KR4 5, note: " + hostile + ", blocked: " + hostile, "Checked in"},
		{"alice", "/okr grade KR4 0.5", "Graded KR4"},
		{"dana", "/okr team create " + q + " under Leadership", "Created team"},
		{"dana", "/okr team add " + q + " @mallory", "Added"},
		{"dana", "/okr team lead " + q + " @mallory", "now leads"},
		{"dana", "/okr team parent " + q + " none", "top-level team"},
		{"dana", "/okr users", "people"},
		{"dana", "/okr adoption", "OKR adoption"},
	} {
		m := h.Ask(c.who, c.text)
		wantContains(t, render(m), c.want)
		wantLiteral(t, c.text, m)
	}
	// The parser quotes the words it could not read.
	for _, text := range []string{"KR4 " + hostile, "KR4 12, [x](http://evil.example) note"} {
		if !wantUnformatted(t, text, h.Ask("alice", text), "evil.example") {
			t.Errorf("%s: the answer does not quote it", text)
		}
	}
	rename(t, h, "", "")
	for _, c := range []struct{ who, text, want string }{
		{"dana", "/okr cycle", "Current cycle"},
		{"dana", "/okr adoption", "OKR adoption"},
		{"alice", "/okr mine", "Your OKRs"},
		{"dana", "/okr cycle close now", "Closed"},
	} {
		m := h.Ask(c.who, c.text)
		wantContains(t, render(m), c.want)
		wantLiteral(t, c.text, m)
	}
}

// TestAPersonsTextInReports: the manager digest, adoption and the retro
// messages name teams and cycles, and quote answers, as a person's text.
func TestAPersonsTextInReports(t *testing.T) {
	h := newHarness(t, true)
	rename(t, h, "Engineering", hostile)
	wantContains(t, h.say("alice", `/okr edit KR4 title "`+hostile+`"`), "Updated KR4")
	d := h.composeWeek(okrcore.OutboxManagerDigest, h.team("Leadership").ID, "2026-W47", demoFriday)
	wantContains(t, render(d.Message), "Leadership and the teams under it", "Worst key results")
	wantLiteral(t, "manager digest", d.Message)
	wantLiteral(t, "adoption", h.Ask("dana", "/okr adoption"))
	wantLiteral(t, "team digest", h.composeWeek(okrcore.OutboxDigest, h.team(hostile).ID, "2026-W47", demoFriday).Message)
	lead := hostile + " leads"
	rename(t, h, "Leadership", lead)
	d = h.composeWeek(okrcore.OutboxManagerDigest, h.team(lead).ID, "2026-W47", demoFriday)
	wantContains(t, render(d.Message), "and the teams under it")
	wantLiteral(t, "manager digest of a hostile team", d.Message)
	wantLiteral(t, "adoption of a hostile team", h.Ask("dana", `/okr adoption "`+lead+`"`))

	e := newEndHarness(t)
	rename(t, e, "Engineering", hostile)
	wantLiteral(t, "grading nudge", e.composeCycle(okrcore.OutboxGrading, e.userID("erin"), 0).Message)
	wantLiteral(t, "grades form", e.Ask("erin", "/okr grades"))
	endRetro(t, e, "erin", "4", "5", "skip", "4", hostile, "skip", "skip")
	wantLiteral(t, "retro withheld", e.Ask("carol", "/okr retro results"))
	endRetro(t, e, "carol", "5", "3", "2", "5", "skip", "skip", "skip")
	endRetro(t, e, "frank", "3", "2", "1", "skip", "skip", "skip", "skip")
	e.Clock.Set(retroCloses)
	m := e.Ask("carol", "/okr retro results")
	wantContains(t, render(m), "3 of 3 people in")
	wantLiteral(t, "retro results", m)
}

// TestAPersonsTextInRefusals: okrcore's refusals and the command parser's
// name a team or a cycle, or quote a title and typed words, as a
// person's text inside sentences that also hold the bot's markup.
func TestAPersonsTextInRefusals(t *testing.T) {
	h := newHarness(t, true)
	rename(t, h, "Engineering", hostile)
	eng := bottest.Read(t, h.DB, func(tx okrcore.Tx) ([]*okrcore.Objective, error) {
		c, err := okrcore.CurrentCycle(tx, h.Workspace)
		if err != nil {
			return nil, err
		}
		return tx.ObjectivesByOwner(h.Workspace, okrcore.TeamOwner(h.team(hostile).ID), c.ID)
	})
	if len(eng) == 0 {
		t.Fatal("the team owns no objective")
	}
	// shown is what must appear as typed: a clipped quote shows its start.
	for _, c := range []struct{ who, text, want, shown string }{
		{"bob", "/okr edit " + eng[0].Ref().String() + ` title "Ship it"`, "Only members of", hostile},
		{"alice", `/okr new objective "` + hostile + `" ` + hostile, "after the quoted title", hostile},
		{"alice", `/okr new kr O2 "Calls" from 0 to 10 weight ` + hostile, "after the quoted title", "*bold*"},
		{"alice", `/okr new objective "` + hostile, "is never closed", "*bold* _it_"},
		{"dana", "/okr cycle close now", "Closed", hostile},
		{"alice", `/okr edit KR4 title "Calls"`, "is closed", hostile},
	} {
		m := h.Ask(c.who, c.text)
		wantContains(t, render(m), c.want)
		if !wantUnformatted(t, c.text, m, c.shown) {
			t.Errorf("%s: the answer does not quote %q as typed:\n%s", c.text, c.shown, render(m))
		}
	}
}
