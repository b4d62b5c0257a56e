package slack

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
)

// TestAPersonsTextInEveryAnswer: the script's hostile messages (the edit
// confirmation, a new objective and key result, a team created and joined,
// a check-in's blocker, the nudge, the team and manager digests, adoption
// and the retro's results) hold the hostile text in mrkdwn with nothing
// Slack would read as a mention, a link or formatting.
func TestAPersonsTextInEveryAnswer(t *testing.T) {
	played := 0
	for _, m := range rendertest.Play(t, scriptPath, Platform) {
		if !strings.HasPrefix(m.Name, "hostile-") {
			continue
		}
		played++
		var texts []string
		for _, r := range Render(m.Msg) {
			texts = append(texts, r.Text)
			rendertest.Walk(rendertest.Generic(t, r.Blocks), func(x map[string]any) {
				if s, ok := x["text"].(string); ok && x["type"] == "mrkdwn" {
					texts = append(texts, s)
				}
			})
		}
		shown := false
		for _, s := range texts {
			if !strings.Contains(s, "bold") {
				continue // not one holding the hostile text
			}
			shown = true
			for _, bad := range []string{"<@", "<!", "<http", "*bold*", "_it_", "~s~", "`c`", "http://", "evil.example"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: mrkdwn %q holds %q", m.Name, s, bad)
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
