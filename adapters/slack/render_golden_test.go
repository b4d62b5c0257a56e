package slack

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
	"github.com/okrbot/okrbot/chat"
)

var update = flag.Bool("update", false, "rewrite the golden renderings in testdata/golden")

// scriptPath lists the messages of the golden renderings; adapters/teams
// reads the same file.
const scriptPath = "testdata/golden/script.txt"

// rendering is what Slack receives for a message: its messages, and the
// modal of its form.
type rendering struct {
	Messages []wireMessage `json:"messages"`
	Modal    any           `json:"modal,omitempty"`
}

// wireMessage is a Rendered message as chat.postMessage sends it.
type wireMessage struct {
	Text   string `json:"text"`
	Blocks any    `json:"blocks"`
	r      Rendered
}

func renderAll(t *testing.T, m chat.Message) rendering {
	t.Helper()
	var r rendering
	for _, msg := range Render(m) {
		r.Messages = append(r.Messages, wireMessage{Text: msg.Text, Blocks: msg.Blocks, r: msg})
	}
	if m.Form != nil {
		v, err := renderForm(m.Form, formMeta{Channel: "D1", Message: "1.2"})
		if err != nil {
			t.Fatalf("form: %v", err)
		}
		r.Modal = v
	}
	return r
}

// TestGoldenRenderings holds what Slack receives for every kind of
// message, from the script on the demo organisation; -update rewrites them.
func TestGoldenRenderings(t *testing.T) {
	t.Run("own words", func(t *testing.T) { goldens(t, filepath.Join("testdata", "golden"), nil) })
	t.Run("custom words", func(t *testing.T) { goldens(t, filepath.Join("testdata", "golden", "words"), rendertest.CustomWords()) })
}

// goldens checks the renderings in dir, of the script after words.
func goldens(t *testing.T, dir string, words []string) {
	rendertest.Goldens{Script: scriptPath, Platform: Platform, Dir: dir, Update: *update, Words: words,
		Render: func(t *testing.T, m chat.Message) any {
			r := renderAll(t, m)
			checkRendering(t, r)
			return r
		}}.Run(t)
}
