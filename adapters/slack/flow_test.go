package slack

// End-to-end flow tests: the real engine on bbolt with the demo
// organisation, the real scheduler and dispatcher with this adapter as their
// sender, on a clock the test moves, against the fake Slack on loopback.
// One week of a check-in: Monday's nudge reaches alice's DM, she presses
// Update, the modal opens, her submission is stored, the nudge is replaced
// and her Home tab republished, and Friday's digest in #sales shows the new
// number. The same flow runs over HTTP mode (signed requests) and over
// Socket Mode (envelopes on the fake's websocket).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// The week of the flow (Q4 2026). alice, who leads Sales, lives in Berlin
// (UTC+1 in November): her Monday 10:00 nudge is due at 09:00 UTC, and
// Sales' Friday 16:00 digest at 15:00 UTC.
var (
	flowSeeded = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // Sunday
	flowMonday = time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
	flowFriday = time.Date(2026, 11, 27, 15, 5, 0, 0, time.UTC)
)

// slackProxy stands between the adapter and the fake Slack: it passes
// every request to the fake's handler, except chat.postMessage to a
// channel it was told to refuse (answered with a Slack error code, as
// Slack does for a channel the bot is not in) or to a channel string no
// Slack workspace has (an unresolved <#C…|name> mention: channel_not_found).
// Refused calls are recorded in the fake like the others.
type slackProxy struct {
	f   *fakeSlack
	srv *httptest.Server

	mu     sync.Mutex
	refuse map[string]string // channel → Slack error code
}

func newSlackProxy(t testing.TB, f *fakeSlack) *slackProxy {
	t.Helper()
	p := &slackProxy{f: f, refuse: map[string]string{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *slackProxy) apiURL() string { return p.srv.URL + "/api/" }

func (p *slackProxy) refuseChannel(channel, code string) {
	p.mu.Lock()
	p.refuse[channel] = code
	p.mu.Unlock()
}

// badChannel matches channel strings Slack cannot resolve: mentions and
// anything with spaces or markup.
var badChannel = regexp.MustCompile(`[<>| ]`)

func (p *slackProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/chat.postMessage" {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			ch := form.Get("channel")
			p.mu.Lock()
			code := p.refuse[ch]
			p.mu.Unlock()
			if code == "" && badChannel.MatchString(ch) {
				code = "channel_not_found"
			}
			if code != "" {
				p.f.record(call{Method: "chat.postMessage", Form: form, Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")})
				writeSlack(w, map[string]any{"ok": false, "error": code})
				return
			}
		}
	}
	p.f.srv.Config.Handler.ServeHTTP(w, r)
}

// flowEnv is okrbot as `okrbot serve` wires it, on a moved clock: the
// kit's store, engine and clock, with the scheduler and a dispatcher
// sending through this adapter.
type flowEnv struct {
	*bottest.Kit
	t      *testing.T
	fake   *fakeSlack
	proxy  *slackProxy
	a      *Adapter
	rhythm *bottest.Rhythm
	socket bool
	hs     *harness // HTTP mode: signed requests to the adapter's Handler
	seq    int
}

// The demo's people as Slack's users.info knows them (their user ids are
// their names in the demo).
var demoPeople = []fakeUser{
	{ID: "dana", TZ: "America/New_York"}, {ID: "alice", TZ: "Europe/Berlin"}, {ID: "bob", TZ: "America/Los_Angeles"},
	{ID: "carol", TZ: "Europe/London"}, {ID: "erin", TZ: "Europe/Berlin"}, {ID: "frank", TZ: "Asia/Kolkata"},
	{ID: "gina", TZ: "America/Chicago"}, {ID: "hank", TZ: "America/Chicago"}, {ID: "olga", TZ: "Europe/Paris"},
}

func newFlowEnv(t *testing.T, socket bool) *flowEnv {
	t.Helper()
	// The store expires state by the wall clock, as `okrbot serve --clock`
	// has it: only the engine, scheduler and dispatcher run on the moved one.
	kit := bottest.New(t, bottest.Start(flowSeeded), bottest.Workspace(testTeam, Platform), bottest.Demo(),
		bottest.StoreOptions(bottest.ExpireBy(time.Now)))
	env := &flowEnv{Kit: kit, t: t, socket: socket}
	env.fake = newFakeSlack(t)
	for _, u := range demoPeople {
		u.Name, u.Display, u.Email = u.ID, u.ID, u.ID+"@acme.example"
		env.fake.addUser(u)
	}
	env.proxy = newSlackProxy(t, env.fake)

	cfg := Config{BotToken: testBotToken, APIURL: env.proxy.apiURL()}
	if socket {
		cfg.AppToken = testAppToken
	} else {
		cfg.SigningSecret = testSecret
	}
	a := start(t, env.fake, cfg, Options{Now: env.Clock.Now}, env.Engine)
	env.a = a
	if !socket {
		srv := httptest.NewServer(a.Handler())
		t.Cleanup(srv.Close)
		env.hs = &harness{t: t, fake: env.fake, a: a, srv: srv}
	}
	env.rhythm = env.Rhythm(env.DispatcherTo(outbox.Only(a), outbox.Options{Pacing: a.Pacing()}))
	return env
}

// interact delivers an interaction payload as Slack would in this mode: a
// signed POST to /slack/interactions, or a Socket Mode envelope. Either is
// acknowledged at once with nothing in it (which closes a submitted modal).
func (env *flowEnv) interact(payload map[string]any) {
	env.t.Helper()
	env.seq++
	if env.socket {
		id := fmt.Sprintf("env-flow-%d", env.seq)
		env.fake.sendEnvelope(id, "interactive", 0, payload)
		env.fake.waitAck(id)
		return
	}
	if status, body := env.hs.postInteraction(payload); status != http.StatusOK || body != "" {
		env.t.Fatalf("interaction ack: %d %q", status, body)
	}
}

// command delivers /okr text from user in channel.
func (env *flowEnv) command(user, channel, text string) {
	env.t.Helper()
	env.seq++
	trigger := fmt.Sprintf("trig-cmd-%d", env.seq)
	form := commandForm(user, channel, text, trigger, env.fake.responseURL(trigger))
	if env.socket {
		payload := map[string]any{}
		for k := range form {
			payload[k] = form.Get(k)
		}
		id := fmt.Sprintf("env-flow-%d", env.seq)
		env.fake.sendEnvelope(id, "slash_commands", 0, payload)
		env.fake.waitAck(id)
		return
	}
	if status, body := env.hs.postForm("/slack/commands", form); status != http.StatusOK || body != "" {
		env.t.Fatalf("command ack: %d %q", status, body)
	}
}

// waitResponse waits for the answer sent to a command's response_url.
func (env *flowEnv) waitResponse(trigger string) call {
	env.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, c := range env.fake.callsOf("response_url") {
			if c.get("url_id") == trigger {
				return c
			}
		}
		if time.Now().After(deadline) {
			env.t.Fatalf("no answer at response_url %s; calls %v", trigger, env.fake.methods())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// postsTo returns the chat.postMessage calls to a channel.
func (env *flowEnv) postsTo(channel string) []call {
	var out []call
	for _, c := range env.fake.callsOf("chat.postMessage") {
		if c.get("channel") == channel {
			out = append(out, c)
		}
	}
	return out
}

func (env *flowEnv) outbox(key string) *okrcore.OutboxItem {
	env.t.Helper()
	return bottest.Read(env.t, env.DB, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) { return tx.OutboxByKey(testTeam, key) })
}

func (env *flowEnv) user(name string) *okrcore.User {
	env.t.Helper()
	return bottest.Read(env.t, env.DB, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform(testTeam, Platform, name) })
}

func (env *flowEnv) kr(ref string) *okrcore.KeyResult {
	env.t.Helper()
	r, ok := okrcore.ParseRef(ref)
	if !ok {
		env.t.Fatalf("bad ref %s", ref)
	}
	return bottest.Read(env.t, env.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(testTeam, r.ID) })
}

// slackButton is a button as rendered in a message's blocks.
type slackButton struct {
	ActionID string `json:"action_id"`
	Value    string `json:"value"`
	Text     struct {
		Text string `json:"text"`
	} `json:"text"`
}

// buttonsOf returns the buttons of a chat.postMessage call's blocks.
func buttonsOf(t *testing.T, c call) []slackButton {
	t.Helper()
	var blocks []struct {
		Type     string          `json:"type"`
		Elements json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal([]byte(c.get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks: %v: %s", err, c.get("blocks"))
	}
	var out []slackButton
	for _, b := range blocks {
		if b.Type != "actions" {
			continue
		}
		var els []slackButton
		if err := json.Unmarshal(b.Elements, &els); err != nil {
			t.Fatalf("actions: %v", err)
		}
		out = append(out, els...)
	}
	return out
}

func wantIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

// runCheckInWeek is the flow of the issue, step by step.
func runCheckInWeek(t *testing.T, env *flowEnv) {
	alice := env.user("alice")
	before := env.kr("KR4")
	if before.Current == 37 {
		t.Fatalf("the demo already has KR4 at 37")
	}

	// Monday 10:00 in Berlin: the scheduler enqueues alice's nudge, the
	// dispatcher posts it to her user id (one call, no conversations.open),
	// tagged with its outbox key.
	env.Clock.Set(flowMonday)
	env.rhythm.Tick()
	nudges := env.postsTo("alice")
	if len(nudges) != 1 {
		t.Fatalf("alice got %d nudges; posts: %v", len(nudges), env.fake.methods())
	}
	nudge := nudges[0]
	period := okrcore.PeriodKey(okrcore.Weekly, flowMonday, time.UTC)
	key := fmt.Sprintf("checkin:u%d:%s", alice.ID, period)
	wantIn(t, "the nudge's metadata", nudge.get("metadata"), `"event_type":"okrbot_outbox"`, `"key":"`+key+`"`)
	wantIn(t, "the nudge", nudge.get("blocks"), "weekly check-in", "KR4", "New mid-market customers")
	if n := len(env.fake.callsOf("conversations.open")); n != 0 {
		t.Errorf("%d conversations.open calls: a DM should be posted to the user id", n)
	}
	item := env.outbox(key)
	if item.State != okrcore.OutboxSent || item.SentRef == "" {
		t.Fatalf("the nudge's outbox item: %+v", item)
	}
	var update slackButton
	for _, b := range buttonsOf(t, nudge) {
		if b.Text.Text == "Update" {
			update = b
		}
	}
	if update.ActionID == "" || update.Value != "form" {
		t.Fatalf("no Update button in the nudge: %+v", buttonsOf(t, nudge))
	}

	// Alice presses Update on the nudge in her DM (DALICE in the fake):
	// the modal opens with the trigger of that press.
	env.interact(buttonPayload("alice", "DALICE", item.SentRef, update.ActionID, update.Value, "trig-update", env.fake.responseURL("update")))
	open := env.fake.waitCalls("views.open", 1)[0]
	if open.get("trigger_id") != "trig-update" {
		t.Errorf("views.open with trigger %q", open.get("trigger_id"))
	}
	view := open.get("view")
	wantIn(t, "the modal", view, `"callback_id":"okr:form"`, `"block_id":"KR4.value"`, `"block_id":"confidence"`)
	var v struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal([]byte(view), &v); err != nil {
		t.Fatal(err)
	}
	var meta formMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil {
		t.Fatalf("private_metadata %q: %v", v.PrivateMetadata, err)
	}
	if meta.Channel != "DALICE" || meta.Message != item.SentRef {
		t.Errorf("the modal will answer in %q replacing %q; want DALICE and the nudge %q", meta.Channel, meta.Message, item.SentRef)
	}

	// She submits 37 customers, confidence 8.
	env.interact(submissionPayload("alice", "VFLOW1", v.PrivateMetadata, map[string]map[string]any{
		"KR4.value":  {"type": "number_input", "value": "37"},
		"KR4.note":   {"type": "plain_text_input", "value": "two deals closed"},
		"confidence": {"type": "number_input", "value": "8"},
	}))
	// The nudge is replaced with what was recorded…
	up := env.fake.waitCalls("chat.update", 1)[0]
	if up.get("channel") != "DALICE" || up.get("ts") != item.SentRef {
		t.Errorf("chat.update of %s %s; want the nudge DALICE %s", up.get("channel"), up.get("ts"), item.SentRef)
	}
	wantIn(t, "the updated nudge", up.get("blocks"), "Checked in", "KR4", "37")
	// …and her Home tab is republished with the new value.
	pub := env.fake.waitCalls("views.publish", 1)[0]
	if pub.get("user_id") != "alice" {
		t.Errorf("views.publish for %q", pub.get("user_id"))
	}
	wantIn(t, "the Home view", pub.get("view"), `"type":"home"`, "KR4", "37")
	// It is stored.
	after := env.kr("KR4")
	if after.Current != 37 || !after.LastCheckIn.Equal(flowMonday) {
		t.Errorf("KR4 after the form: current %v, last check-in %v; want 37 at %v", after.Current, after.LastCheckIn, flowMonday)
	}
	// No answer went anywhere else: the modal's answer replaced the nudge.
	if n := len(env.postsTo("alice")) + len(env.postsTo("DALICE")); n != 1 {
		t.Errorf("%d messages in alice's DM, want the nudge only", n)
	}

	// /okr mine in a channel shows the new value to her only.
	env.command("alice", "C0GENERAL", "mine")
	mine := env.waitResponse(fmt.Sprintf("trig-cmd-%d", env.seq))
	if mine.get("response_type") != "ephemeral" {
		t.Errorf("/okr mine answered %q", mine.get("response_type"))
	}
	wantIn(t, "/okr mine", mine.body(), "KR4", "37")

	// Friday 16:00 in Berlin: Sales' digest in #sales has the new number.
	env.Clock.Set(flowFriday)
	env.rhythm.Tick()
	digests := env.postsTo("#sales")
	if len(digests) != 1 {
		t.Fatalf("%d posts to #sales; all calls: %v", len(digests), env.fake.methods())
	}
	d := digests[0]
	wantIn(t, "the Sales digest", d.get("text")+d.get("blocks"), "Team Sales", "KR4 New mid-market customers", "→ 37 customers", "*1 of 2*")
	dkey := fmt.Sprintf("digest:t%d:%s", env.team("Sales").ID, okrcore.PeriodKey(okrcore.Weekly, flowFriday, time.UTC))
	wantIn(t, "the digest's metadata", d.get("metadata"), `"key":"`+dkey+`"`)
	if it := env.outbox(dkey); it.State != okrcore.OutboxSent {
		t.Errorf("the digest's outbox item: %+v", it)
	}
	// A second tick within the hour sends nothing again.
	env.Clock.Set(flowFriday.Add(10 * time.Minute))
	env.rhythm.Tick()
	if n := len(env.postsTo("#sales")); n != 1 {
		t.Errorf("%d digests in #sales after a second tick", n)
	}
	if n := len(env.postsTo("alice")); n != 1 {
		t.Errorf("alice was nudged %d times", n)
	}
}

func (env *flowEnv) team(name string) *okrcore.Team {
	env.t.Helper()
	return bottest.Read(env.t, env.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(testTeam, name) })
}

func TestFlowHTTP(t *testing.T) {
	runCheckInWeek(t, newFlowEnv(t, false))
}

func TestFlowSocketMode(t *testing.T) {
	env := newFlowEnv(t, true)
	runCheckInWeek(t, env)
	if n := env.fake.opened.Load(); n != 1 {
		t.Errorf("%d websocket connections", n)
	}
}

// A digest channel the bot was never invited to: Slack answers
// not_in_channel. The digest is not retried (it cannot succeed until
// someone acts), and the workspace's admin (dana) gets a DM that says how
// to invite the bot.
func TestFlowDigestNotInChannel(t *testing.T) {
	for _, socket := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "socket"}[socket], func(t *testing.T) {
			env := newFlowEnv(t, socket)
			env.proxy.refuseChannel("#sales", "not_in_channel")
			env.Clock.Set(flowFriday)
			env.rhythm.Tick()
			if n := len(env.postsTo("#sales")); n != 1 {
				t.Fatalf("%d attempts at #sales; want 1", n)
			}
			dkey := fmt.Sprintf("digest:t%d:%s", env.team("Sales").ID, okrcore.PeriodKey(okrcore.Weekly, flowFriday, time.UTC))
			it := env.outbox(dkey)
			if it.State != okrcore.OutboxFailed || !strings.Contains(it.LastError, "not_in_channel") {
				t.Errorf("the digest's outbox item: state %s, error %q; want failed with not_in_channel", it.State, it.LastError)
			}
			// Later ticks (even days later) do not try again.
			for _, at := range []time.Time{flowFriday.Add(5 * time.Minute), flowFriday.Add(3 * time.Hour), flowFriday.Add(50 * time.Hour)} {
				env.Clock.Set(at)
				env.rhythm.Tick()
			}
			if n := len(env.postsTo("#sales")); n != 1 {
				t.Errorf("%d attempts at #sales after more ticks; a permanent error must not be retried", n)
			}
			// The admin is told, in a DM, what to do.
			told := env.postsTo("dana")
			var advice []call
			for _, c := range told {
				if strings.Contains(c.get("text"), "invite") {
					advice = append(advice, c)
				}
			}
			if len(advice) != 1 {
				t.Fatalf("dana got %d DMs about the digest (%d DMs in all); want 1", len(advice), len(told))
			}
			wantIn(t, "the admin's DM", advice[0].get("text")+advice[0].get("blocks"), "Sales", "/invite @okrbot")
			t.Logf("dana was told: %s", advice[0].get("text"))
			// Nobody else was told: the other people are members.
			for _, u := range demoPeople[1:] {
				for _, c := range env.postsTo(u.ID) {
					if strings.Contains(c.get("text"), "/invite") {
						t.Errorf("%s, not an admin, was told: %s", u.ID, c.get("text"))
					}
				}
			}
		})
	}
}

// A lead points the digest at a channel with `/okr team channel Sales
// #sales`. Slack escapes channel names in slash commands (the manifest sets
// should_escape), so the engine receives "<#C0SALES|sales>"; the digest
// must then go to C0SALES.
func TestFlowDigestChannelSetInSlack(t *testing.T) {
	env := newFlowEnv(t, false)
	env.Clock.Set(flowMonday)
	env.command("alice", "C0SALES", "team channel Sales <#C0SALES|sales>")
	answer := env.waitResponse(fmt.Sprintf("trig-cmd-%d", env.seq))
	// The mention is kept as typed (it renders as a link in Slack); Send
	// turns it into the channel id.
	if got := env.team("Sales").DigestChannel; got != "C0SALES" && got != "<#C0SALES|sales>" {
		t.Fatalf("Sales' digest channel is %q after %q", got, answer.get("text"))
	}
	env.Clock.Set(flowFriday)
	env.rhythm.Tick()
	if n := len(env.postsTo("C0SALES")); n != 1 {
		t.Errorf("%d digests in C0SALES; calls %v", n, env.fake.methods())
	}
}
