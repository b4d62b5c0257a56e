package teams

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// waitCall waits for a Bot Connector call that match accepts, among those
// after the first skip calls.
func (f *fakeConnector) waitCall(skip int, what string, match func(connCall) bool) connCall {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		cs := f.callList()
		for _, c := range cs[min(skip, len(cs)):] {
			if match(c) {
				return c
			}
		}
		if time.Now().After(deadline) {
			var paths []string
			for _, c := range cs {
				paths = append(paths, c.Method+" "+c.Path)
			}
			f.t.Fatalf("no Bot Connector call %s among %d:\n%s", what, len(cs), strings.Join(paths, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// card is the Adaptive Card of a posted activity.
func (c connCall) card(t *testing.T) map[string]any {
	t.Helper()
	atts, _ := c.Body["attachments"].([]any)
	if len(atts) != 1 {
		t.Fatalf("%s %s is not a card: %s", c.Method, c.Path, c.Raw)
	}
	att := atts[0].(map[string]any)
	if att["contentType"] != CardContentType {
		t.Fatalf("attachment %v", att["contentType"])
	}
	return att["content"].(map[string]any)
}

// shownCard is the card the Action.ShowCard titled title unfolds.
func shownCard(t *testing.T, card map[string]any, title string) map[string]any {
	t.Helper()
	for _, el := range card["body"].([]any) {
		acts, _ := el.(map[string]any)["actions"].([]any)
		for _, a := range acts {
			a := a.(map[string]any)
			if a["type"] == "Action.ShowCard" && a["title"] == title {
				return a["card"].(map[string]any)
			}
		}
	}
	t.Fatalf("no %q behind a button in %v", title, card)
	return nil
}

// submit is what a Teams client posts for the Action.Submit of card whose
// data has key: the action's data with every input's value, changed by
// set.
func submit(t *testing.T, card map[string]any, key string, set map[string]any) map[string]any {
	t.Helper()
	vals := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if typ, _ := x["type"].(string); strings.HasPrefix(typ, "Input.") {
				if v, ok := x["value"]; ok {
					vals[x["id"].(string)] = v
				} else {
					vals[x["id"].(string)] = ""
				}
			}
			if typ, _ := x["type"].(string); typ == "Action.Submit" {
				if d, ok := x["data"].(map[string]any); ok {
					if _, ok := d[key]; ok && vals["#data"] == nil {
						vals["#data"] = d
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(card)
	data, _ := vals["#data"].(map[string]any)
	if data == nil {
		t.Fatalf("no Action.Submit with %q in %v", key, card)
	}
	delete(vals, "#data")
	out := map[string]any{}
	for k, v := range data {
		out[k] = v
	}
	if key == "form_id" {
		for k, v := range vals {
			out[k] = v
		}
	}
	for k, v := range set {
		if _, ok := out[k]; !ok {
			t.Fatalf("the card has no input %q: %v", k, out)
		}
		out[k] = v
	}
	return out
}

// TestEndToEndWeek installs the bot in a team channel and a personal chat,
// runs the real scheduler and dispatcher (through bot.Senders, with the
// adapter's pacing) on a moved clock against the fake Bot Connector, and
// follows one check-in: the Monday nudge arrives as a card in alice's
// chat, she opens the form and submits it, the check-in is stored and the
// card replaced, and Friday's Sales digest in the channel shows it.
func TestEndToEndWeek(t *testing.T) {
	k := bottest.New(t, bottest.Start(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)), // a Sunday
		bottest.Workspace(testTenant, Platform), bottest.Demo())
	clk, db := k.Clock, k.DB
	hs := startHarness(t, k.Engine, nil)
	hs.a.opts.ServiceURL = hs.conn.serviceURL()
	disp := k.DispatcherTo(outbox.ByPlatform(map[string]chat.Sender{Platform: hs.a}), outbox.Options{Workers: 8,
		Pacings: map[string]chat.Pacing{Platform: hs.a.Pacing()}})
	runUntil := k.Rhythm(disp).RunUntil
	const channel = "19:sales@thread.tacv2"
	from := func(who string) map[string]any {
		return map[string]any{"id": "29:" + who, "aadObjectId": who, "name": who}
	}
	personal := func(typ, id string) map[string]any {
		act := hs.activity(typ, id, "")
		act["from"] = from("alice")
		act["timestamp"] = clk.Now().Format(time.RFC3339)
		return act
	}
	inChannel := func(typ, id, text string) map[string]any {
		act := hs.activity(typ, id, text)
		act["from"] = from("dana")
		act["localTimezone"] = "America/New_York"
		act["conversation"] = map[string]any{"id": channel, "conversationType": "channel", "tenantId": testTenant}
		act["channelData"] = map[string]any{"tenant": map[string]any{"id": testTenant}, "team": map[string]any{"id": "19:team@thread.tacv2"},
			"channel": map[string]any{"id": channel}}
		return act
	}
	post := func(act map[string]any) {
		t.Helper()
		if status, body := hs.post(act); status != 200 {
			t.Fatalf("%s: status %d %s", act["type"], status, body)
		}
	}

	// Installed in the team (dana adds it to the Sales channel) and in
	// alice's personal scope.
	up := inChannel("conversationUpdate", "inst-team", "")
	up["membersAdded"] = []any{map[string]any{"id": "28:" + testAppID}}
	post(up)
	inst := personal("installationUpdate", "inst-alice")
	inst["action"] = "add"
	post(inst)
	welcome := hs.conn.waitCall(0, "welcoming alice", func(c connCall) bool { return c.Conversation == "a:dm-alice" })
	if !strings.Contains(welcome.Raw, "okr mine") {
		t.Errorf("welcome: %s", welcome.Raw)
	}
	// dana points the Sales digest at the channel, with a mention.
	post(inChannel("message", "cmd-channel", "<at>okrbot</at> okr team channel Sales "+channel))
	ans := hs.conn.waitCall(0, "answering dana", func(c connCall) bool { return c.Conversation == channel })
	// The channel is what dana typed, shown as text: its dot is broken so
	// that it cannot link.
	if !strings.Contains(ans.Raw, "digest goes to 19:sales@thread.\u200btacv2") || ans.ActivityID != "cmd-channel" {
		t.Fatalf("team channel: %s %s", ans.Path, ans.Raw)
	}

	// Monday 10:00 in Berlin: the nudge reaches alice's chat as a card.
	mark := len(hs.conn.callList())
	runUntil(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC), 15*time.Minute)
	nudge := hs.conn.waitCall(mark, "nudging alice", func(c connCall) bool {
		return c.Method == "POST" && c.Conversation == "a:dm-alice" && strings.Contains(c.Raw, "weekly check-in")
	})
	if !strings.HasSuffix(nudge.Path, "/activities") || nudge.Auth != "Bearer tok-1" {
		t.Errorf("nudge call %s %s", nudge.Path, nudge.Auth)
	}
	var nudgeID string
	for i, c := range hs.conn.callList() {
		if c.Raw == nudge.Raw {
			nudgeID = "act-" + strconv.Itoa(i+1)
		}
	}
	// She presses "Update", which unfolds the form in the nudge itself
	// (Action.ShowCard: no round trip) …
	clk.Set(time.Date(2026, 11, 23, 9, 40, 0, 0, time.UTC))
	form := shownCard(t, nudge.card(t), "Update")
	formID := nudgeID
	// … and submits the form with a new value for her first key result.
	var krInput string
	var initial float64
	for _, el := range form["body"].([]any) {
		el := el.(map[string]any)
		if el["type"] == "Input.Number" && strings.HasSuffix(el["id"].(string), ".value") && krInput == "" {
			krInput, _ = el["id"].(string)
			initial, _ = el["value"].(float64)
		}
	}
	if krInput == "" {
		t.Fatalf("no key result input in %v", form)
	}
	newValue := initial + 3
	mark = len(hs.conn.callList())
	sub := personal("message", "submit-form")
	sub["replyToId"] = formID
	sub["value"] = submit(t, form, "form_id", map[string]any{krInput: strconv.FormatFloat(newValue, 'f', -1, 64)})
	post(sub)
	upd := hs.conn.waitCall(mark, "replacing the form", func(c connCall) bool { return c.Method == "PUT" })
	if upd.ActivityID != formID || upd.Conversation != "a:dm-alice" || !strings.Contains(upd.Raw, "Checked in") {
		t.Fatalf("update: %s %s", upd.Path, upd.Raw)
	}
	// The check-in is in the store.
	krID, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(krInput, "KR"), ".value"), 10, 64)
	if err != nil {
		t.Fatalf("input %q: %v", krInput, err)
	}
	var kr *okrcore.KeyResult
	var cis []*okrcore.CheckIn
	err = db.View(t.Context(), func(tx okrcore.Tx) error {
		if kr, err = tx.KeyResult(testTenant, okrcore.ID(krID)); err != nil {
			return err
		}
		cis, err = tx.CheckIns(testTenant, okrcore.TargetKR, kr.ID, clk.Now().Add(-time.Hour), 10)
		return err
	})
	if err != nil || kr.Current != newValue || len(cis) != 1 || cis[0].Value != newValue {
		t.Fatalf("stored %s: current %v, check-ins %+v, %v; want %v", krInput, kr.Current, cis, err, newValue)
	}

	// Friday 16:00 in Berlin (the Sales lead's zone): the digest in the
	// channel shows the new value.
	clk.Set(time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC))
	mark = len(hs.conn.callList())
	runUntil(time.Date(2026, 11, 27, 15, 15, 0, 0, time.UTC), 15*time.Minute)
	digest := hs.conn.waitCall(mark, "posting the Sales digest", func(c connCall) bool {
		return c.Conversation == channel && c.Method == "POST" && strings.HasSuffix(c.Path, "/activities")
	})
	card := digest.card(t)
	text, _ := json.Marshal(card)
	ref := strings.TrimSuffix(krInput, ".value")
	if !strings.Contains(string(text), "Sales") || !strings.Contains(string(text), ref) {
		t.Fatalf("digest: %s", text)
	}
	// The highlights name the key result's move to its new value.
	var line string
	want := strconv.FormatFloat(newValue, 'f', -1, 64)
	for _, el := range card["body"].([]any) {
		if s, _ := el.(map[string]any)["text"].(string); strings.Contains(s, ref+" ") && strings.Contains(s, "→ "+want) {
			line = s
		}
	}
	if line == "" {
		t.Errorf("the digest does not show %s at %s: %s", ref, want, text)
	}
	if len(digest.Raw) >= teamsLimit {
		t.Errorf("digest of %d bytes", len(digest.Raw))
	}
	t.Logf("digest line: %s; %d Bot Connector calls; %+v", line, len(hs.conn.callList()), disp.Stats())
}
