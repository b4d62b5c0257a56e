package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
)

// memDirectory is a chat.Directory in memory: the adapters' own tests read
// the platforms' wire formats; these read what the engine does with the
// answer.
type memDirectory struct {
	mu     sync.Mutex
	roster chat.Roster
	err    error
	asked  []string // addresses looked up
	in     [][]chat.Conversation
}

func (d *memDirectory) People(_ context.Context, in []chat.Conversation) (chat.Roster, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.in = append(d.in, in)
	return d.roster, d.err
}

func (d *memDirectory) PersonByEmail(_ context.Context, email string, _ []chat.Conversation) (chat.DirectoryPerson, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, email)
	if d.err != nil {
		return chat.DirectoryPerson{}, false, d.err
	}
	for _, p := range d.roster.People {
		if strings.EqualFold(p.Email, email) && !p.Left {
			return p, true, nil
		}
	}
	return chat.DirectoryPerson{}, false, nil
}

// slackDirectory is the demo organisation (on Slack, ids as names) with
// a directory: the demo's people, Zoe and Yann who never wrote, a
// deactivated erin, and hank missing.
func slackDirectory(t *testing.T) (*harness, *memDirectory) {
	t.Helper()
	dir := &memDirectory{roster: chat.Roster{Complete: true, People: []chat.DirectoryPerson{
		{ID: "UZOE", Name: "Zoe Zed", Email: "zoe@acme.example", EmailVerified: true, TimeZone: "Europe/Berlin"},
		{ID: "UYANN", Name: "Yann", Email: "yann@acme.example", EmailVerified: true},
		{ID: "erin", Name: "erin", Left: true},
	}}}
	for _, n := range []string{"dana", "alice", "bob", "carol", "frank", "gina", "olga"} {
		dir.roster.People = append(dir.roster.People, chat.DirectoryPerson{ID: n, Name: n, Email: n + "@acme.example"})
	}
	k := bottest.New(t, bottest.Start(demoNow), bottest.Workspace("T1", "slack"), bottest.Demo(),
		bottest.EngineOptions(bot.Options{Directories: map[string]chat.Directory{"slack": dir}, DefaultTimeZone: "America/Chicago"}))
	return &harness{Kit: k, t: t}, dir
}

func (h *harness) userOn(platform, id string) *okrcore.User {
	h.t.Helper()
	var u *okrcore.User
	h.read("user "+id, func(tx okrcore.Tx) (err error) { u, err = tx.UserByPlatform(h.Workspace, platform, id); return err })
	return u
}

func TestPeopleSync(t *testing.T) {
	h, _ := slackDirectory(t)
	if got, want := h.say("dana", "okr people sync"), "Synced 9 people from Slack: 2 new, 0 updated, 2 left."; !strings.Contains(got, want) {
		t.Fatalf("sync: %q, want %q", got, want)
	}
	zoe := h.userOn("slack", "UZOE")
	if zoe.Name != "Zoe Zed" || zoe.TimeZone != "Europe/Berlin" || zoe.DM != "" || zoe.Left {
		t.Errorf("Zoe %+v", zoe)
	}
	if y := h.userOn("slack", "UYANN"); y.TimeZone != "America/Chicago" {
		t.Errorf("Yann %+v, want the default time zone", y)
	}
	for _, id := range []string{"erin", "hank"} {
		if u := h.userOn("slack", id); !u.Left {
			t.Errorf("%s %+v, want left", id, u)
		}
	}
	if got := h.say("dana", "okr people sync"); !strings.Contains(got, "0 new, 0 updated, 0 left") {
		t.Errorf("second sync: %q", got)
	}
	if got := h.say("dana", "okr users"); !strings.Contains(got, "erin (member) · Slack · Europe/Berlin · left (the chat directory says so)") || strings.Contains(got, "alice (member) · Slack · Europe/Berlin · left") {
		t.Errorf("users: %q", got)
	}
}

func TestPeopleSyncRefusals(t *testing.T) {
	cases := []struct {
		name, user string
		err        error
		want       string
	}{
		{"a member", "alice", nil, "Only an admin can sync people"},
		{"an observer", "olga", nil, "Only an admin"},
		{"rate limited", "dana", &chat.RateLimitError{RetryAfter: 30 * time.Second}, "Slack asks me to slow down, so I read nobody and nothing changed. Try again in 30s."},
		{"a failing directory", "dana", errors.New("slack users.list: status 500"), "I couldn't read the people of Slack just now"},
		{"no roster", "dana", chat.ErrNoRoster, "I'm in no team or group chat on Slack yet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, dir := slackDirectory(t)
			dir.err = c.err
			before := h.people()
			if got := h.say(c.user, "okr people sync"); !strings.Contains(got, c.want) || strings.Contains(got, "status 500") {
				t.Errorf("answer %q, want %q", got, c.want)
			}
			if after := h.people(); after != before {
				t.Errorf("people changed:\n%s\n%s", before, after)
			}
		})
	}
	h, _ := slackDirectory(t)
	if got := h.say("dana", "okr people"); !strings.Contains(got, "Try `/okr people sync`") {
		t.Errorf("usage: %q", got)
	}
	shell := newHarness(t, true)
	if got := shell.say("dana", "okr people sync"); !strings.Contains(got, "I can't read a directory of people on the terminal") {
		t.Errorf("on the shell: %q", got)
	}
}

// people is every stored person, to show a refusal changed nobody.
func (h *harness) people() string {
	h.t.Helper()
	var b strings.Builder
	h.read("people", func(tx okrcore.Tx) error {
		us, err := tx.Users(h.Workspace)
		for _, u := range us {
			b.WriteString(u.Name + "|" + u.Email + "|" + u.PlatformID + "|" + map[bool]string{true: "left"}[u.Left] + "\n")
		}
		return err
	})
	return b.String()
}

func TestTeamAddLooksUpTheDirectory(t *testing.T) {
	h, dir := slackDirectory(t)
	cases := []struct {
		say, want string
	}{
		{"okr team add Sales zoe@acme.example", "Added Zoe Zed to Sales."},
		// Slack links an address typed in a command.
		{"okr team add Sales <mailto:yann@acme.example|yann@acme.example>", "Added Yann to Sales."},
		{"okr team add Sales nobody@acme.example", "Nobody okrbot knows, nor anyone in the chat directory, has the address " + chat.Unmarked(chat.User("nobody@acme.example")) + "."},
		{"okr team lead Sales zoe@acme.example", "Zoe Zed now leads Sales."},
		{"okr team add Sales Quentin", "I don't know anyone called Quentin"},
	}
	for _, c := range cases {
		if got := h.say("dana", c.say); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.say, got, c.want)
		}
	}
	// Zoe is known now: the directory isn't asked about her again.
	if n := strings.Count(strings.Join(dir.asked, " "), "zoe@"); n != 1 {
		t.Errorf("asked about zoe %d times (%v)", n, dir.asked)
	}
	zoe := h.userOn("slack", "UZOE")
	h.read("Sales", func(tx okrcore.Tx) error {
		ts, err := tx.TeamsOfUser(h.Workspace, zoe.ID)
		if err == nil && (len(ts) != 1 || ts[0].Name != "Sales" || ts[0].Lead != zoe.ID) {
			t.Errorf("Zoe's teams %+v, want Sales, as its lead", ts)
		}
		return err
	})
	// A member may not add people: the directory changes nothing.
	before := h.people()
	if got := h.say("alice", "okr team add Engineering zoe2@acme.example"); !strings.Contains(got, "lead or an admin") && !strings.Contains(got, "Only") {
		t.Errorf("a member's team add: %q", got)
	}
	if h.people() != before {
		t.Error("a refused team add placed someone")
	}
	// A directory that can't answer now: a sentence, and nobody placed.
	dir.err = &chat.RateLimitError{RetryAfter: 20 * time.Second}
	if got := h.say("dana", "okr team add Sales newbie@acme.example"); !strings.Contains(got, "Slack asks me to slow down") {
		t.Errorf("team add while rate limited: %q", got)
	}
	if h.people() != before {
		t.Error("a team add that could not look up placed someone")
	}
}

// A person placed from the directory, who never wrote, is nudged in
// their direct messages on Monday: the platform opens the conversation
// with their user id.
func TestSyncedPersonIsNudged(t *testing.T) {
	h, _ := slackDirectory(t)
	h.say("dana", "okr people sync")
	if got := h.say("dana", `okr new objective "Open Berlin" for <@UZOE>`); !strings.Contains(got, "O") {
		t.Fatalf("objective: %q", got)
	}
	var obj okrcore.ID
	zoe := h.userOn("slack", "UZOE")
	h.read("Zoe's objective", func(tx okrcore.Tx) error {
		os, err := tx.ObjectivesByOwner(h.Workspace, okrcore.UserOwner(zoe.ID), 0)
		if err == nil && len(os) == 1 {
			obj = os[0].ID
		}
		return err
	})
	if got := h.say("dana", "okr new kr O"+itoa(obj)+` "Ten customers" from 0 to 10 owner <@UZOE>`); !strings.Contains(got, "KR") {
		t.Fatalf("key result: %q", got)
	}
	r := h.Rhythm(h.Dispatcher(outbox.Options{Workers: 2}))
	// Monday 10:00 in Berlin.
	h.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r.Tick()
	got := bottest.Recipients(h.Platform.Kind("checkin"))
	if !slices.Contains(got, "UZOE") || slices.Contains(got, "erin") {
		t.Errorf("nudged %v, want UZOE and not erin, who left", got)
	}
}

func itoa(id okrcore.ID) string {
	return strings.TrimPrefix(okrcore.Ref{Kind: okrcore.RefObjective, ID: id}.String(), "O")
}

// On Teams the rosters read are those of the conversations the bot was
// added to: kept from their events, forgotten when it is removed.
func TestSyncReadsTheRostersOfTheBotsConversations(t *testing.T) {
	dir := &memDirectory{}
	k := bottest.New(t, bottest.Start(demoNow), bottest.Workspace("tenant-1", "teams"), bottest.Demo(),
		bottest.EngineOptions(bot.Options{Directories: map[string]chat.Directory{"teams": dir}}))
	h := &harness{Kit: k, t: t}
	in := func(conv, ref string, kind chat.EventKind) {
		ev := h.Event("dana", kind)
		ev.Conversation = chat.Conversation{ID: conv, Ref: ref}
		ev.Text = "okr help"
		h.Engine.Process(context.Background(), ev)
	}
	in("19:sales", `{"conversation":{"id":"19:sales"},"serviceUrl":"https://smba.example/"}`, chat.EventInstalled)
	in("19:eng", `{"conversation":{"id":"19:eng"},"serviceUrl":"https://smba.example/"}`, chat.EventMessage)
	in("19:eng", `{"conversation":{"id":"19:eng"},"serviceUrl":"https://smba.example/","user":{"id":"29:carol"}}`, chat.EventMessage)
	in("19:old", `{"conversation":{"id":"19:old"},"serviceUrl":"https://smba.example/"}`, chat.EventInstalled)
	in("19:old", "", chat.EventRemoved)
	h.say("dana", "okr people sync")
	if len(dir.in) != 1 {
		t.Fatalf("the directory was read %d times", len(dir.in))
	}
	var ids []string
	for _, c := range dir.in[0] {
		ids = append(ids, c.ID)
		if c.ID == "19:eng" && !strings.Contains(c.Ref, "29:carol") {
			t.Errorf("19:eng's reference %s, want the latest", c.Ref)
		}
	}
	if strings.Join(ids, ",") != "19:eng,19:sales" {
		t.Errorf("rosters of %v, want 19:eng and 19:sales", ids)
	}
}

// Someone who left keeps their OKRs in the team's digest, but the digest
// and the adoption report no longer count them among those to check in.
func TestWhoLeftIsNotCountedInTeams(t *testing.T) {
	h, _ := slackDirectory(t)
	notChecked := func() string {
		for _, l := range strings.Split(h.say("dana", "okr digest Engineering"), "\n") {
			if strings.Contains(l, "Not checked in") {
				return l
			}
		}
		return ""
	}
	if got := notChecked(); !strings.Contains(got, "erin") {
		t.Fatalf("before: %q, want erin not checked in", got)
	}
	h.say("dana", "okr people sync")
	if got := notChecked(); strings.Contains(got, "erin") {
		t.Errorf("after erin left: %q", got)
	}
	if digest := h.say("dana", "okr digest Engineering"); !strings.Contains(digest, "Teams integration launched") {
		t.Errorf("erin's key result left the digest:\n%s", digest)
	}
	// erin and hank left; Zoe and Yann, new, have no OKRs yet.
	if got := h.say("dana", "okr adoption"); !strings.Contains(got, "6 of 8 own an objective") || !strings.Contains(got, "*Engineering*: *0%* this week (0 of 2)") {
		t.Errorf("adoption still counts those who left:\n%s", got)
	}
}

// A nudge scheduled before its person left is not sent once they have.
func TestNudgeScheduledBeforeLeavingIsSkipped(t *testing.T) {
	h, dir := slackDirectory(t)
	dir.roster.People = slices.DeleteFunc(dir.roster.People, func(p chat.DirectoryPerson) bool { return p.ID == "erin" })
	dir.roster.People = append(dir.roster.People, chat.DirectoryPerson{ID: "erin", Name: "erin", Email: "erin@acme.example"}, chat.DirectoryPerson{ID: "hank", Name: "hank"})
	r := h.Rhythm(h.Dispatcher(outbox.Options{Workers: 2}))
	// Monday 10:00 in Berlin: erin's nudge is recorded, then she leaves
	// before it goes.
	h.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	if _, err := r.Scheduler.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	dir.roster.People = slices.DeleteFunc(dir.roster.People, func(p chat.DirectoryPerson) bool { return p.ID == "erin" })
	if got := h.say("dana", "okr people sync"); !strings.Contains(got, "1 left") {
		t.Fatalf("sync: %q", got)
	}
	if err := r.Dispatcher.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := bottest.Recipients(h.Platform.Kind("checkin")); slices.Contains(got, "erin") || !slices.Contains(got, "alice") {
		t.Errorf("nudged %v, want alice and not erin", got)
	}
}

// The manager digest rolls up who checked in among those still there.
func TestManagerDigestLeavesOutWhoLeft(t *testing.T) {
	h, _ := slackDirectory(t)
	h.say("dana", "okr people sync") // erin and hank left
	d := h.composeWeek(okrcore.OutboxManagerDigest, h.team("Leadership").ID, "2026-W47", demoFriday)
	wantContains(t, renderStatus(d.Message),
		"*Engineering*: 1 objective ", "checked in 0 of 2 (0%)",
		"*Customer Success*: 1 objective ", "checked in 0 of 1 (0%)",
		// erin's key result is still hers, and still behind.
		"KR9 Teams integration launched 0% [off_track] milestone · erin · Engineering")
}

// A team's view no longer lists, among those without OKRs, who left.
func TestTeamViewLeavesOutWhoLeft(t *testing.T) {
	h, dir := slackDirectory(t)
	h.say("dana", "okr people sync")
	h.say("dana", "okr team add Sales zoe@acme.example")
	if got := h.say("dana", "okr team Sales"); !strings.Contains(got, "Zoe Zed") {
		t.Fatalf("Sales: %q, want Zoe without OKRs", got)
	}
	dir.roster.People = slices.DeleteFunc(dir.roster.People, func(p chat.DirectoryPerson) bool { return p.ID == "UZOE" })
	if got := h.say("dana", "okr people sync"); !strings.Contains(got, "1 left") {
		t.Fatalf("sync: %q", got)
	}
	if got := h.say("dana", "okr team Sales"); strings.Contains(got, "Zoe Zed") {
		t.Errorf("Sales lists Zoe, who left: %q", got)
	}
}
