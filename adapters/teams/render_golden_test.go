package teams

import (
	"bufio"
	"bytes"
	"encoding/json"
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

// scriptPath lists the messages of the golden renderings: the Slack
// adapter's list, so that both platforms render the same messages.
const scriptPath = "../slack/testdata/golden/script.txt"

// goldenMessage is one message of the script and its name.
type goldenMessage struct {
	name string
	msg  chat.Message
}

// scriptMessages plays the script on the demo organisation, as a Teams
// tenant, and returns each line's message (as adapters/slack does).
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

// TestGoldenRenderings holds what Teams receives for every kind of
// message, from adapters/slack's script on the demo organisation; -update
// (pack_test.go's flag) rewrites them.
func TestGoldenRenderings(t *testing.T) {
	for _, gm := range scriptMessages(t) {
		t.Run(gm.name, func(t *testing.T) {
			acts := RenderActivities(gm.msg)
			for i, a := range acts {
				for _, p := range activityProblems(a) {
					t.Errorf("activity %d: %s", i+1, p)
				}
			}
			got, err := json.MarshalIndent(acts, "", "  ")
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
				t.Fatalf("%v (run go test -run TestGoldenRenderings ./adapters/teams -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what Teams received before; if the change is meant, rerun with -update and read the diff\n%s", path, got)
			}
		})
	}
}
