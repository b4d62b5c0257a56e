package teams

import (
	"path/filepath"
	"testing"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
	"github.com/okrbot/okrbot/chat"
)

// scriptPath lists the messages of the golden renderings: the Slack
// adapter's list, so that both platforms render the same messages.
const scriptPath = "../slack/testdata/golden/script.txt"

// TestGoldenRenderings holds what Teams receives for every kind of
// message, from adapters/slack's script on the demo organisation; -update
// (pack_test.go's flag) rewrites them.
func TestGoldenRenderings(t *testing.T) {
	t.Run("own words", func(t *testing.T) { goldens(t, filepath.Join("testdata", "golden"), nil) })
	t.Run("custom words", func(t *testing.T) { goldens(t, filepath.Join("testdata", "golden", "words"), rendertest.CustomWords()) })
}

// goldens checks the renderings in dir, of the script after words.
func goldens(t *testing.T, dir string, words []string) {
	rendertest.Goldens{Script: scriptPath, Platform: Platform, Dir: dir, Update: *update, Words: words,
		Render: func(t *testing.T, m chat.Message) any {
			acts := RenderActivities(m)
			for i, a := range acts {
				for _, p := range activityProblems(a) {
					t.Errorf("activity %d: %s", i+1, p)
				}
			}
			return acts
		}}.Run(t)
}
