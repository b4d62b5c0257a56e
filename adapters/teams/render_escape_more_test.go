package teams

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
)

// TestAPersonsTextInEveryAnswer: the script's hostile messages (the edit
// confirmation, a new objective and key result, a team created and joined,
// a check-in's blocker, the nudge, the team and manager digests, adoption
// and the retro's results) hold the hostile text in Markdown with nothing
// Teams would read as formatting, a link, a heading or a list.
func TestAPersonsTextInEveryAnswer(t *testing.T) {
	played := 0
	for _, m := range rendertest.Play(t, scriptPath, Platform) {
		if !strings.HasPrefix(m.Name, "hostile-") {
			continue
		}
		played++
		var texts []string
		for _, a := range RenderActivities(m.Msg) {
			for _, p := range activityProblems(a) {
				t.Errorf("%s: %s", m.Name, p)
			}
			if a.TextFormat == "markdown" {
				texts = append(texts, a.Text)
			}
			rendertest.Walk(rendertest.Generic(t, a), func(x map[string]any) {
				// What Teams reads as Markdown in a card: a TextBlock's
				// text and a fact.
				if s, ok := x["text"].(string); ok && x["type"] == "TextBlock" {
					texts = append(texts, s)
				}
				if facts, ok := x["facts"].([]any); ok && x["type"] == "FactSet" {
					for _, f := range facts {
						f := f.(map[string]any)
						texts = append(texts, f["title"].(string), f["value"].(string))
					}
				}
			})
		}
		shown := false
		for _, s := range texts {
			if !strings.Contains(s, "bold") {
				continue // not one holding the hostile text
			}
			shown = true
			for _, bad := range []string{"*bold*", "**bold**", "_it_", "~s~", "`c`", "](", "http://", "evil.example", "\n# ", "\n1. "} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: %q holds %q", m.Name, s, bad)
				}
			}
		}
		if !shown {
			t.Errorf("%s: no text shows the person's text", m.Name)
		}
	}
	if played < 10 {
		t.Fatalf("only %d hostile messages in the script", played)
	}
}
