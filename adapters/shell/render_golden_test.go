package shell

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/adapters/internal/rendertest"
	"github.com/okrbot/okrbot/chat"
)

var update = flag.Bool("update", false, "rewrite the golden renderings in testdata/golden")

// TestGoldenRenderings holds what the terminal prints for every kind of
// message of adapters/slack's script, in the bot's own words and in a
// workspace's (Goal, Measure, update); -update rewrites them.
func TestGoldenRenderings(t *testing.T) {
	for _, v := range []struct {
		name, dir string
		words     []string
	}{
		{"own words", filepath.Join("testdata", "golden"), nil},
		{"custom words", filepath.Join("testdata", "golden", "words"), rendertest.CustomWords()},
	} {
		t.Run(v.name, func(t *testing.T) {
			rendertest.Goldens{Script: "../slack/testdata/golden/script.txt", Platform: "shell", Dir: v.dir, Update: *update, Words: v.words,
				Render: func(t *testing.T, m chat.Message) any {
					text, buttons := Render(m)
					out := struct {
						Lines   []string
						Buttons []string `json:",omitempty"`
						Form    []string `json:",omitempty"`
					}{Lines: strings.Split(strings.TrimRight(text, "\n"), "\n")}
					for _, b := range buttons {
						out.Buttons = append(out.Buttons, chat.PlainText(b.Label))
					}
					if f := m.Form; f != nil {
						out.Form = append(out.Form, chat.PlainText(f.Title))
						for _, in := range f.Inputs {
							out.Form = append(out.Form, chat.PlainText(in.Label)+" · "+chat.PlainText(in.Hint))
						}
					}
					return out
				}}.Run(t)
		})
	}
}
