package slack

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestManifest checks that deploy/slack/manifest.yaml asks for what the
// adapter relies on: its scopes, events, slash command, Home tab and
// interactivity.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Comments aside.
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "#"); i >= 0 && !strings.Contains(l[:i], `"`) {
			l = l[:i]
		}
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, " "))
		}
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"- app_mentions:read", "- chat:write", "- commands", "- files:write", "- im:history", "- im:write", "- users:read", "- users:read.email",
		"- app_home_opened", "- app_mention", "- message.im",
		"- command: /okr", "url: https://okrbot.example.com/slack/commands", "should_escape: true",
		"home_tab_enabled: true", "messages_tab_enabled: true", "messages_tab_read_only_enabled: false",
		"is_enabled: true", "socket_mode_enabled: true", "major_version: 2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the manifest lacks %q", want)
		}
	}
	// Nothing beyond the fewest scopes that work.
	bot := text[strings.Index(text, "    bot:"):strings.Index(text, "settings:")]
	scopes := regexp.MustCompile(`(?m)^      - ([a-z_.:]+)$`).FindAllStringSubmatch(bot, -1)
	if len(scopes) != 8 {
		t.Errorf("%d bot scopes, want 8: %v", len(scopes), scopes)
	}
	if strings.Contains(string(b), "\t") {
		t.Errorf("the manifest has tabs")
	}
}
