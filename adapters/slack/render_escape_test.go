package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// TestAPersonsTextNeverMentionsLinksOrFormats walks every text object of
// the rendered message and modal: mrkdwn shows the hostile text with
// nothing Slack would read, plain_text as typed less control characters.
func TestAPersonsTextNeverMentionsLinksOrFormats(t *testing.T) {
	m := rendertest.HostileMessage(rendertest.Hostile)
	out := Render(m)
	if len(out) != 1 {
		t.Fatalf("%d messages", len(out))
	}
	modal, err := renderForm(m.Form, formMeta{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []map[string]any
	textObject := func(x map[string]any) {
		if typ, _ := x["type"].(string); (typ == "mrkdwn" || typ == "plain_text") && x["text"] != nil {
			texts = append(texts, x)
		}
	}
	rendertest.Walk(asJSON(struct {
		Blocks any `json:"blocks"`
	}{out[0].Blocks}), textObject)
	rendertest.Walk(asJSON(modal), textObject)
	texts = append(texts, map[string]any{"type": "mrkdwn", "text": out[0].Text})
	if len(texts) < 15 {
		t.Fatalf("only %d text objects: not every field rendered", len(texts))
	}
	typed := strings.NewReplacer("\x07", "", "\u202e", "", "\n", " ").Replace(rendertest.Hostile)
	for _, o := range texts {
		s := o["text"].(string)
		if o["type"] == "plain_text" {
			// Slack shows plain_text as it is: the person's text as typed
			// (cut to a title's length, say), less control characters.
			if i := strings.Index(s, "<@U123>"); i >= 0 && !strings.HasPrefix(typed, strings.TrimSuffix(s[i:], "…")) {
				t.Errorf("plain_text %q does not show the text as typed", s)
			}
			continue
		}
		for _, bad := range []string{"<", "*bold*", "_it_", "~s~", "`c`", "http://", "evil.example", "\x07", "\u202e", "\n>"} {
			if strings.Contains(s, bad) {
				t.Errorf("mrkdwn %q holds %q", s, bad)
			}
		}
		if !strings.Contains(s, "&amp;lt;@U123&amp;gt;") && !strings.Contains(s, "&lt;@U123&gt;") {
			t.Errorf("mrkdwn %q lost the mention's text", s)
		}
	}
}

// TestTeamsListSplitsByText: `/okr teams` at 2,000 teams is several
// messages, each within MaxMessageText and MaxBlocks, cut between lines,
// together holding every line once.
func TestTeamsListSplitsByText(t *testing.T) {
	var lines []string
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("T%d *%s*: 12 members, led by %s, part of %s", i+1,
			chat.User(fmt.Sprintf("Team number %d of the regional sales organisation", i+1)), chat.User("someone.long-named"), chat.User("Leadership")))
	}
	out := Render(chat.Text(strings.Join(lines, "\n")))
	if len(out) < 10 {
		t.Fatalf("%d messages for 2,000 teams", len(out))
	}
	seen := 0
	for i, msg := range out {
		for _, p := range blockKitProblems(msg) {
			t.Errorf("message %d: %s", i+1, p)
		}
		for _, b := range msg.Blocks {
			js, _ := json.Marshal(b)
			var sec struct {
				Text struct{ Text string } `json:"text"`
			}
			_ = json.Unmarshal(js, &sec)
			for _, l := range strings.Split(sec.Text.Text, "\n") {
				if !strings.HasPrefix(l, "T") || !strings.HasSuffix(l, "Leadership") {
					t.Fatalf("a line cut apart: %q", l)
				}
				seen++
			}
		}
	}
	if seen != len(lines) {
		t.Errorf("%d lines rendered, want %d", seen, len(lines))
	}
}

// FuzzEscapeOfAPersonsText: whatever a person writes, its mrkdwn holds no
// < (so no mention, link or command), no backtick, no emphasis mark that
// touches a word, and no control character.
func FuzzEscapeOfAPersonsText(f *testing.F) {
	for _, s := range rendertest.Seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := escape(chat.User(s))
		if strings.ContainsAny(out, "<>`") {
			t.Fatalf("escape of %q = %q", s, out)
		}
		rs := []rune(out)
		for i, r := range rs {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("escape of %q = %q holds %U", s, out, r)
			}
			if strings.ContainsRune("*_~", r) && (i == 0 || rs[i-1] != '\u200b' || i+1 == len(rs) || rs[i+1] != '\u200b') {
				t.Fatalf("escape of %q = %q: a %c touches a word", s, out, r)
			}
		}
		if strings.Contains(out, "://") {
			t.Fatalf("escape of %q = %q could link", s, out)
		}
	})
}

// TestTeamsOfALargeOrganisation: `/okr teams` of a generated organisation
// of 2,000 teams, as the engine answers it, renders as several messages
// within Block Kit's limits, with every team on one line.
func TestTeamsOfALargeOrganisation(t *testing.T) {
	if testing.Short() {
		t.Skip("generates an organisation")
	}
	db := bottest.Store(t)
	org, err := storagetest.GenerateOrg(t.Context(), db, storagetest.OrgSpec{Users: 2000, Teams: 2000, Objectives: 2000, KeyResults: 4000})
	if err != nil {
		t.Fatal(err)
	}
	now := org.Now
	e := bot.NewEngine(db, bot.Options{Now: func() time.Time { return now }})
	ev := chat.Event{Kind: chat.EventMessage, Platform: storagetest.BenchPlatform, Workspace: org.Workspace, UserID: "u1", UserName: "user1",
		Conversation: chat.Conversation{ID: "dm:u1", Direct: true}, Text: "teams"}
	m, ok := e.Process(t.Context(), ev)
	if !ok {
		t.Fatal("no answer")
	}
	out := Render(m)
	if len(out) < 2 {
		t.Fatalf("%d message(s) for 2,000 teams", len(out))
	}
	lines, chars := 0, 0
	for i, msg := range out {
		for _, p := range blockKitProblems(msg) {
			t.Errorf("message %d: %s", i+1, p)
		}
		for _, b := range msg.Blocks {
			chars += TextChars(b)
			js, _ := json.Marshal(b)
			var sec struct {
				Text struct{ Text string } `json:"text"`
			}
			_ = json.Unmarshal(js, &sec)
			for _, l := range strings.Split(sec.Text.Text, "\n") {
				if !strings.HasPrefix(l, "T") || !strings.Contains(l, "member") {
					t.Fatalf("message %d: a line cut apart: %q", i+1, l)
				}
				lines++
			}
		}
	}
	if lines != 2000 {
		t.Errorf("%d teams' lines, want 2,000", lines)
	}
	t.Logf("2,000 teams: %d messages, %d characters of text", len(out), chars)
}
