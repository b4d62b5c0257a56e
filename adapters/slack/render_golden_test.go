package slack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
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

var update = flag.Bool("update", false, "rewrite the golden renderings in testdata/golden")

// scriptPath lists the messages of the golden renderings; adapters/teams
// reads the same file.
const scriptPath = "testdata/golden/script.txt"

// goldenMessage is one message of the script and its name.
type goldenMessage struct {
	name string
	msg  chat.Message
}

// scriptMessages plays the script on the demo organisation, as a Slack
// workspace, and returns each line's message.
func scriptMessages(t *testing.T) []goldenMessage {
	t.Helper()
	k := bottest.New(t, bottest.Demo(), bottest.Workspace("T1", Platform))
	k.Clock.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)) // a Monday morning
	f, err := os.Open(scriptPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []goldenMessage
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
			ev.FormID, ev.FormState, ev.Values = last.Form.ID, last.Form.State, scriptValues(rest)
			m = k.Process(ev)
		default:
			t.Fatalf("script line %q: no verb %s", line, verb)
		}
		last = m
		out = append(out, goldenMessage{name, m})
	}
	return out
}

var valueRE = regexp.MustCompile(`(?:^| )([A-Za-z0-9.]+)=`)

// scriptValues reads "KR4.value=12 KR4.note=two deals" into its inputs'
// answers; an answer runs to the next ID=.
func scriptValues(s string) map[string]string {
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
// for digests), due now.
func composeDue(t *testing.T, k *bottest.Kit, kind okrcore.OutboxKind, who string) chat.Message {
	t.Helper()
	it := &okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: kind, DueAt: k.Clock.Now(), State: okrcore.OutboxPending, Key: string(kind) + ":" + who}
	bottest.Read(t, k.DB, func(tx okrcore.Tx) (struct{}, error) {
		if kind == okrcore.OutboxDigest || kind == okrcore.OutboxManagerDigest {
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
		return struct{}{}, err
	})
	d := k.Compose(it)
	if d.Skip != "" {
		t.Fatalf("%s for %s skipped: %s", kind, who, d.Skip)
	}
	return d.Message
}

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
	for _, gm := range scriptMessages(t) {
		t.Run(gm.name, func(t *testing.T) {
			r := renderAll(t, gm.msg)
			checkRendering(t, r)
			got, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", gm.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenRenderings ./adapters/slack -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what Slack received before; if the change is meant, rerun with -update and read the diff\n%s", path, got)
			}
		})
	}
}
