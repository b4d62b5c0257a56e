package slack

import (
	"encoding/json"
	"errors"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// translator is an adapter that knows its bot user, as after auth.test.
func translator(t testing.TB) *Adapter {
	t.Helper()
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.setBotUser(testBotUser)
	return a
}

func TestTranslateEvent(t *testing.T) {
	tests := []struct {
		name   string
		body   []byte
		err    error
		want   chat.Event // ID, Kind, UserID, Text, Conversation are compared
		thread string     // where the answer goes
	}{
		{"DM", eventBody("Ev1", dmEvent("U1", "D1", "1700000001.000100", "KR4 30")), nil,
			chat.Event{ID: "msg:T1:D1:1700000001.000100", Kind: chat.EventMessage, UserID: "U1", Text: "KR4 30", Conversation: chat.Conversation{ID: "D1", Direct: true}}, ""},
		{"DM in a thread", eventBody("Ev2", func() map[string]any {
			e := dmEvent("U1", "D1", "1700000001.000200", "same")
			e["thread_ts"] = "1700000000.000001"
			return e
		}()), nil,
			chat.Event{ID: "msg:T1:D1:1700000001.000200", Kind: chat.EventMessage, UserID: "U1", Text: "same", Conversation: chat.Conversation{ID: "D1", Direct: true, Thread: "1700000000.000001"}}, "1700000000.000001"},
		{"DM mentioning the bot", eventBody("Ev3", dmEvent("U1", "D1", "1.3", "<@UBOT> mine")), nil,
			chat.Event{ID: "msg:T1:D1:1.3", Kind: chat.EventMessage, UserID: "U1", Text: "mine", Conversation: chat.Conversation{ID: "D1", Direct: true}}, ""},
		{"mention in a channel", eventBody("Ev4", mentionEvent("U1", "C1", "1.4", "<@UBOT>: role <@U2|bob> admin")), nil,
			chat.Event{ID: "msg:T1:C1:1.4", Kind: chat.EventMessage, UserID: "U1", Text: "role <@U2|bob> admin", Conversation: chat.Conversation{ID: "C1"}}, "1.4"},
		{"mention in a thread", eventBody("Ev5", func() map[string]any {
			e := mentionEvent("U1", "C1", "1.5", "hey <@UBOT> team Sales")
			e["thread_ts"] = "1.0"
			return e
		}()), nil,
			chat.Event{ID: "msg:T1:C1:1.5", Kind: chat.EventMessage, UserID: "U1", Text: "hey team Sales", Conversation: chat.Conversation{ID: "C1", Thread: "1.0"}}, "1.0"},
		{"message without ts uses client_msg_id", eventBody("Ev6", map[string]any{"type": "message", "channel": "D1", "user": "U1", "text": "x", "channel_type": "im", "client_msg_id": "abc"}), nil,
			chat.Event{ID: "msg:T1:abc", Kind: chat.EventMessage, UserID: "U1", Text: "x", Conversation: chat.Conversation{ID: "D1", Direct: true}}, ""},
		{"Home tab", eventBody("Ev7", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}), nil,
			chat.Event{ID: "Ev7", Kind: chat.EventHomeOpened, UserID: "U1", Conversation: chat.Conversation{ID: "D1", Direct: true}}, ""},
		{"Messages tab", eventBody("Ev8", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}), errIgnored, chat.Event{}, ""},
		{"bot message", eventBody("Ev9", map[string]any{"type": "message", "subtype": "bot_message", "bot_id": "B9", "channel": "D1", "text": "x", "ts": "1.9", "channel_type": "im"}), errIgnored, chat.Event{}, ""},
		{"our own message", eventBody("Ev10", dmEvent(testBotUser, "D1", "1.10", "Checked in")), errIgnored, chat.Event{}, ""},
		{"a bot's message without subtype", eventBody("Ev11", func() map[string]any {
			e := dmEvent("U5", "D1", "1.11", "x")
			e["bot_id"] = "B5"
			return e
		}()), errIgnored, chat.Event{}, ""},
		{"edit", eventBody("Ev12", map[string]any{"type": "message", "subtype": "message_changed", "channel": "D1", "channel_type": "im", "ts": "1.12",
			"message": map[string]any{"type": "message", "user": "U1", "text": "KR4 31", "ts": "1.1"}}), errIgnored, chat.Event{}, ""},
		{"deletion", eventBody("Ev13", map[string]any{"type": "message", "subtype": "message_deleted", "channel": "D1", "channel_type": "im", "ts": "1.13", "deleted_ts": "1.1"}), errIgnored, chat.Event{}, ""},
		{"edited mention", eventBody("Ev14", func() map[string]any {
			e := mentionEvent("U1", "C1", "1.14", "<@UBOT> mine")
			e["edited"] = map[string]any{"user": "U1", "ts": "1.15"}
			return e
		}()), errIgnored, chat.Event{}, ""},
		{"channel message not addressed to the bot", eventBody("Ev15", func() map[string]any {
			e := dmEvent("U1", "C1", "1.16", "lunch?")
			e["channel_type"] = "channel"
			return e
		}()), errIgnored, chat.Event{}, ""},
		{"unknown event", eventBody("Ev16", map[string]any{"type": "reaction_added", "user": "U1"}), errIgnored, chat.Event{}, ""},
		{"app rate limited", []byte(`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`), errIgnored, chat.Event{}, ""},
		{"not JSON", []byte(`{`), errMalformed, chat.Event{}, ""},
		{"JSON array", []byte(`[1,2]`), errMalformed, chat.Event{}, ""},
		{"no inner event", []byte(`{"type":"event_callback","team_id":"T1"}`), errMalformed, chat.Event{}, ""},
		{"inner event of the wrong shape", []byte(`{"type":"event_callback","team_id":"T1","event":{"type":"app_mention","user":7}}`), errMalformed, chat.Event{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := translator(t)
			in, err := a.translateEvent(tc.body)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			ev := in.ev
			if ev.Platform != Platform || ev.Workspace != testTeam {
				t.Errorf("platform %q workspace %q", ev.Platform, ev.Workspace)
			}
			got := chat.Event{ID: ev.ID, Kind: ev.Kind, UserID: ev.UserID, Text: ev.Text, Conversation: ev.Conversation}
			if !sameEvent(got, tc.want) {
				t.Errorf("event = %+v\nwant    %+v", got, tc.want)
			}
			if in.replyThread != tc.thread {
				t.Errorf("answer thread %q, want %q", in.replyThread, tc.thread)
			}
		})
	}
}

func sameEvent(a, b chat.Event) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.UserID == b.UserID && a.Text == b.Text && a.Conversation == b.Conversation
}

func TestURLVerificationTranslate(t *testing.T) {
	_, err := translator(t).translateEvent([]byte(`{"type":"url_verification","challenge":"abc","token":"x"}`))
	var ch *challengeError
	if !errors.As(err, &ch) || ch.challenge != "abc" {
		t.Fatalf("err = %v", err)
	}
}

func TestBotUserFromAuthorizations(t *testing.T) {
	a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Before auth.test answered, the event's authorizations name the bot.
	in, err := a.translateEvent(eventBody("E1", mentionEvent("U1", "C1", "1.1", "<@UBOT> mine")))
	if err != nil || in.ev.Text != "mine" || a.botUserID() != testBotUser {
		t.Fatalf("text %q bot %q err %v", in.ev.Text, a.botUserID(), err)
	}
	if _, err := a.translateEvent(eventBody("E2", dmEvent(testBotUser, "D1", "1.2", "hi"))); !errors.Is(err, errIgnored) {
		t.Errorf("the bot's own message: %v", err)
	}
}

func TestTranslateCommand(t *testing.T) {
	a := translator(t)
	a.learnDM(testTeam, "U1", "D1")
	tests := []struct {
		name string
		cmd  slackapi.SlashCommand
		err  error
		want chat.Event
	}{
		{"in a channel", slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Command: "/okr", Text: "  team Sales ", TriggerID: "tr1", ResponseURL: "https://hooks"},
			nil, chat.Event{ID: "cmd:T1:tr1", Kind: chat.EventCommand, UserID: "U1", Text: "team Sales", Conversation: chat.Conversation{ID: "C1"}}},
		{"in the bot's DM", slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "D1", Command: "/okr", Text: "mine", TriggerID: "tr2"},
			nil, chat.Event{ID: "cmd:T1:tr2", Kind: chat.EventCommand, UserID: "U1", Text: "mine", Conversation: chat.Conversation{ID: "D1", Direct: true}}},
		{"in another DM", slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "D9", Command: "/okr", Text: "", TriggerID: "tr3"},
			nil, chat.Event{ID: "cmd:T1:tr3", Kind: chat.EventCommand, UserID: "U1", Conversation: chat.Conversation{ID: "D9"}}},
		{"no team", slackapi.SlashCommand{UserID: "U1", Text: "mine"}, errMalformed, chat.Event{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := a.translateCommand(tc.cmd)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			got := chat.Event{ID: in.ev.ID, Kind: in.ev.Kind, UserID: in.ev.UserID, Text: in.ev.Text, Conversation: in.ev.Conversation}
			if !sameEvent(got, tc.want) {
				t.Errorf("event = %+v\nwant    %+v", got, tc.want)
			}
			if in.triggerID != tc.cmd.TriggerID || in.responseURL != tc.cmd.ResponseURL {
				t.Errorf("trigger %q response_url %q", in.triggerID, in.responseURL)
			}
		})
	}
}

func TestTranslateInteraction(t *testing.T) {
	parse := func(v map[string]any) slackapi.InteractionCallback {
		var cb slackapi.InteractionCallback
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, &cb); err != nil {
			t.Fatal(err)
		}
		return cb
	}
	home := buttonPayload("U1", "", "", actionPrefix+"1", "checkin", "trH", "")
	home["container"] = map[string]any{"type": "view", "view_id": "V1"}
	delete(home, "channel")
	ephemeralDM := buttonPayload("U1", "D5", "1.1", actionPrefix+"1", "mine", "trE", "https://r")
	ephemeralDM["container"].(map[string]any)["is_ephemeral"] = true
	meta := mustJSON(t, formMeta{Form: "checkin", State: "KR4,KR5", Channel: "C1", Thread: "1.0"})
	tests := []struct {
		name    string
		payload map[string]any
		err     error
		want    chat.Event
		unknown bool
	}{
		{"button in the DM", buttonPayload("U1", "D1", "1.1", actionPrefix+"1", "form", "tr1", "https://r"), nil,
			chat.Event{ID: "act:T1:tr1", Kind: chat.EventButton, UserID: "U1", Conversation: chat.Conversation{ID: "D1", Direct: true}}, false},
		{"button in a channel", buttonPayload("U1", "C1", "1.1", actionPrefix+"3", "digest Sales", "tr2", "https://r"), nil,
			chat.Event{ID: "act:T1:tr2", Kind: chat.EventButton, UserID: "U1", Conversation: chat.Conversation{ID: "C1"}}, false},
		{"button on the Home tab", home, nil,
			chat.Event{ID: "act:T1:trH", Kind: chat.EventButton, UserID: "U1", Conversation: chat.Conversation{ID: "U1"}}, false},
		{"button on an ephemeral message in someone's DM", ephemeralDM, nil,
			chat.Event{ID: "act:T1:trE", Kind: chat.EventButton, UserID: "U1", Conversation: chat.Conversation{ID: "D5"}}, false},
		{"someone else's action", buttonPayload("U1", "C1", "1.1", "other", "x", "tr3", "https://r"), nil, chat.Event{}, true},
		{"modal", submissionPayload("U1", "V9", meta, map[string]map[string]any{"KR4.value": {"type": "number_input", "value": "30"}}), nil,
			chat.Event{ID: "view:T1:V9:trig-V9", Kind: chat.EventFormSubmit, UserID: "U1", Conversation: chat.Conversation{ID: "C1", Thread: "1.0"}}, false},
		{"view closed", map[string]any{"type": "view_closed", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"}}, errIgnored, chat.Event{}, false},
		{"shortcut", map[string]any{"type": "shortcut", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"}}, errIgnored, chat.Event{}, false},
		{"no user", map[string]any{"type": "block_actions", "team": map[string]any{"id": "T1"}}, errMalformed, chat.Event{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := translator(t)
			in, err := a.translateInteraction(parse(tc.payload))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if in.unknownAction != tc.unknown {
				t.Fatalf("unknownAction = %v", in.unknownAction)
			}
			if tc.unknown {
				return
			}
			got := chat.Event{ID: in.ev.ID, Kind: in.ev.Kind, UserID: in.ev.UserID, Conversation: in.ev.Conversation}
			if !sameEvent(got, tc.want) {
				t.Errorf("event = %+v\nwant    %+v", got, tc.want)
			}
			if in.ev.Kind == chat.EventFormSubmit && (in.ev.FormID != "checkin" || in.ev.FormState != "KR4,KR5" || in.ev.Values["KR4.value"] != "30") {
				t.Errorf("form event = %+v", in.ev)
			}
			if in.ev.Kind == chat.EventButton && in.ev.Value != tc.payload["actions"].([]map[string]any)[0]["value"] {
				t.Errorf("value %q", in.ev.Value)
			}
		})
	}
}

// FuzzTranslate feeds arbitrary bytes to the translators: nothing may
// panic, and whatever is accepted must be a complete event.
func FuzzTranslate(f *testing.F) {
	f.Add(eventBody("E1", dmEvent("U1", "D1", "1.1", "KR4 30")))
	f.Add(eventBody("E2", mentionEvent("U1", "C1", "1.2", "<@UBOT> <@U2|bob> mine")))
	f.Add(eventBody("E3", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}))
	f.Add(eventBody("E4", map[string]any{"type": "message", "subtype": "message_changed", "channel": "D1", "message": map[string]any{"text": "x"}}))
	f.Add([]byte(`{"type":"url_verification","challenge":"c"}`))
	f.Add([]byte(`{"type":"event_callback","event":{"type":"message","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"user"}]}]}]}}`))
	f.Add([]byte(`{"type":"event_callback","event":null}`))
	f.Add([]byte(`{"type":"event_callback","event":{"type":"app_mention","edited":{},"files":[{}],"attachments":[{"blocks":[{}]}]}}`))
	f.Add([]byte(mustJSONF(buttonPayload("U1", "D1", "1.1", actionPrefix+"1", "form", "t", "u"))))
	f.Add([]byte(mustJSONF(submissionPayload("U1", "V1", `{"f":"checkin"}`, map[string]map[string]any{"a": {"type": "static_select", "selected_option": map[string]any{"value": noneValue}}}))))
	f.Add([]byte(`{"type":"block_actions","team":{"id":"T"},"user":{"id":"U"},"actions":[null,{"action_id":"okr:btn:1"}],"state":{"values":{"b":{"a":{}}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a := translator(t)
		check := func(in *inbound, err error) {
			if err != nil {
				return
			}
			if in == nil || in.ev.Platform != Platform || in.ev.Workspace == "" || in.ev.UserID == "" {
				t.Fatalf("accepted an incomplete event: %+v", in)
			}
			if !in.unknownAction && in.ev.Kind == "" {
				t.Fatalf("accepted an event without a kind: %+v", in.ev)
			}
		}
		check(a.translateEvent(body))
		var cb slackapi.InteractionCallback
		if json.Unmarshal(body, &cb) == nil {
			check(a.translateInteraction(cb))
		}
		var cmd slackapi.SlashCommand
		if json.Unmarshal(body, &cmd) == nil {
			check(a.translateCommand(cmd))
		}
	})
}

func mustJSONF(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
