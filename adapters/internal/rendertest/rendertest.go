// Package rendertest is the adapters' test kit for renderings: the golden
// script played on the demo organisation and each message's rendering
// compared with its file, the hostile text a person could type, and a walk
// over rendered JSON. Imported by tests only.
package rendertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Message is one message of the script and its name.
type Message struct {
	Name string
	Msg  chat.Message
}

// Goldens is how an adapter's golden renderings are checked.
type Goldens struct {
	// Script is the path of the script (adapters/slack's
	// testdata/golden/script.txt, so that both platforms render the same
	// messages).
	Script string
	// Platform is the workspace's platform the script plays on.
	Platform string
	// Dir holds the renderings, one NAME.json a message.
	Dir string
	// Render is what the platform receives for a message, checked against
	// the platform's limits by the adapter; it is kept as indented JSON.
	Render func(t *testing.T, m chat.Message) any
	// Update rewrites the files instead of comparing (the adapter's -update
	// flag).
	Update bool
	// Words are commands an admin types before the script (not recorded):
	// CustomWords, for the renderings of a workspace in its own words.
	Words []string
}

// CustomWords rename the bot's terms as many programmes do: Goal, Measure
// and update.
func CustomWords() []string {
	return []string{"wording objective Goal", "wording key-result Measure Measures", "wording check-in update"}
}

// Run plays the script and checks (or, with Update, rewrites) each
// message's rendering in a subtest of its name.
func (g Goldens) Run(t *testing.T) {
	t.Helper()
	for _, m := range PlayWith(t, g.Script, g.Platform, g.Words) {
		t.Run(m.Name, func(t *testing.T) {
			got, err := json.MarshalIndent(g.Render(t, m.Msg), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(g.Dir, m.Name+".json")
			if g.Update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (rerun the test with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what %s received before; if the change is meant, rerun with -update and read the diff\n%s", path, g.Platform, got)
			}
		})
	}
}

// Play plays the script at path on the demo organisation, as a workspace of
// platform, on a Monday morning, and returns each line's message.
func Play(t *testing.T, path, platform string) []Message {
	t.Helper()
	return PlayWith(t, path, platform, nil)
}

// PlayWith is Play after the demo's admin (dana) typed each of prelude.
func PlayWith(t *testing.T, path, platform string, prelude []string) []Message {
	t.Helper()
	k := bottest.New(t, bottest.Demo(), bottest.Workspace("T1", platform))
	k.Clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	k.Engine.UseWebLinks(webLinks{}) // digests link to their team's page
	for _, line := range prelude {
		if m := k.Ask("dana", line); !strings.HasPrefix(m.Text, "Done") {
			t.Fatalf("%s: %s", line, m.Text)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Message
	var last chat.Message
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		if len(w) < 3 {
			t.Fatalf("script line %q", line)
		}
		name, verb, who := w[0], w[1], w[2]
		rest := strings.Join(w[3:], " ")
		var m chat.Message
		switch verb {
		case "ask":
			m = k.Ask(who, rest)
		case "press":
			m = k.Press(who, rest)
		case "compose":
			m = composeDue(t, k, okrcore.OutboxKind(who), rest)
		case "submit":
			if last.Form == nil {
				t.Fatalf("%s: the line before has no form", name)
			}
			ev := k.Event(who, chat.EventFormSubmit)
			ev.FormID, ev.FormState, ev.Values = last.Form.ID, last.Form.State, Values(rest)
			m = k.Process(ev)
		default:
			t.Fatalf("script line %q: no verb %s", line, verb)
		}
		last = m
		out = append(out, Message{name, m})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var valueRE = regexp.MustCompile(`(?:^| )([A-Za-z0-9.]+)=`)

// Values reads "KR4.value=12 KR4.note=two deals" into its inputs' answers;
// an answer runs to the next ID=.
func Values(s string) map[string]string {
	vals := map[string]string{}
	locs := valueRE.FindAllStringSubmatchIndex(s, -1)
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		vals[s[l[2]:l[3]]] = s[l[1]:end]
	}
	return vals
}

// composeDue composes a scheduled message of kind for a person (or a team,
// for digests, the planning digest and the ladder's thread reply), due now; "alice O6" gives the item
// a period (O6) too.
func composeDue(t *testing.T, k *bottest.Kit, kind okrcore.OutboxKind, who string) chat.Message {
	t.Helper()
	it := &okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: kind, DueAt: k.Clock.Now(), State: okrcore.OutboxPending, Key: string(kind) + ":" + who}
	if name, period, ok := strings.Cut(who, " "); ok {
		who, it.Period = name, period
	}
	bottest.Read(t, k.DB, func(tx okrcore.Tx) (struct{}, error) {
		if kind == okrcore.OutboxDigest || kind == okrcore.OutboxManagerDigest || kind == okrcore.OutboxPlanning || kind == okrcore.OutboxEscalation {
			tm, err := tx.TeamByName(k.Workspace, who)
			if err == nil {
				it.Team = tm.ID
			}
			return struct{}{}, err
		}
		u, err := tx.UserByName(k.Workspace, who)
		if err == nil {
			it.User = u.ID
		}
		if w, werr := tx.Workspace(k.Workspace); werr == nil && kind == okrcore.OutboxCarry {
			it.Period = fmt.Sprintf("c%d", w.CurrentCycle) // the cycle the script closed
		}
		return struct{}{}, err
	})
	d := k.Compose(it)
	if d.Skip != "" {
		t.Fatalf("%s for %s skipped: %s", kind, who, d.Skip)
	}
	return d.Message
}

// webLinks are the web view's links as a public URL of
// https://okrbot.example.test makes them, for the digests' team links.
type webLinks struct{}

func (webLinks) Link(_ context.Context, _ string, person okrcore.ID) (string, error) {
	return fmt.Sprintf("https://okrbot.example.test/okr/login?t=P%d", person), nil
}

func (webLinks) Revoke(context.Context, string) error { return nil }

func (webLinks) TeamLink(team okrcore.ID) string {
	return fmt.Sprintf("https://okrbot.example.test/okr/team/%d", team)
}
