package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// orgHarness is one organisation served on Slack (team T1) and Teams
// (tenant tn-1) at once, with Options.Workspace joining them.
type orgHarness struct {
	*bottest.Kit
	t   *testing.T
	seq int
}

// person is someone on one platform.
type person struct {
	platform, id, name, email string
	verified                  bool
}

func newOrgHarness(t *testing.T) *orgHarness {
	t.Helper()
	return &orgHarness{Kit: bottest.New(t, bottest.Start(demoNow), bottest.EngineOptions(bot.Options{Workspace: "acme"})), t: t}
}

func (h *orgHarness) say(p person, text string) string {
	h.t.Helper()
	h.seq++
	workspace := map[string]string{"slack": "T1", "teams": "tn-1"}[p.platform]
	ev := chat.Event{Kind: chat.EventMessage, Platform: p.platform, Workspace: workspace, UserID: p.id, UserName: p.name,
		Email: p.email, EmailVerified: p.verified, Text: text,
		Conversation: chat.Conversation{ID: p.platform + "-dm-" + p.id, Direct: true, Ref: "ref-" + p.id}}
	m, ok := h.Engine.Process(context.Background(), ev)
	if !ok {
		h.t.Fatalf("%s on %s: %q got no answer", p.name, p.platform, text)
	}
	return render(m)
}

func (h *orgHarness) users() []*okrcore.User {
	h.t.Helper()
	return bottest.Read(h.t, h.DB, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users("acme") })
}

func wantIn(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, got)
		}
	}
}

var (
	aliceSlack = person{"slack", "U1", "Alice", "alice@acme.example", true}
	aliceTeams = person{"teams", "29:alice", "Alice Example", "ALICE@acme.example", true}
	bobSlack   = person{"slack", "U2", "Bob", "bob@acme.example", true}
	bobTeams   = person{"teams", "29:bob", "Bob B", "", false}
)

// TestVerifiedEmailJoinsAccounts: the same verified address on Slack and
// Teams is one person with one set of OKRs; an unverified address on either
// side never joins anyone.
func TestVerifiedEmailJoinsAccounts(t *testing.T) {
	tests := []struct {
		name  string
		teams person
		slack person
		same  bool
	}{
		{"both verified, address in another case", aliceTeams, aliceSlack, true},
		{"teams address not verified", person{"teams", "29:alice", "Alice", "alice@acme.example", false}, aliceSlack, false},
		{"slack address not verified", aliceTeams, person{"slack", "U1", "Alice", "alice@acme.example", false}, false},
		{"different addresses", person{"teams", "29:alice", "Alice", "alice@other.example", true}, aliceSlack, false},
		{"no address", person{"teams", "29:alice", "Alice", "", false}, aliceSlack, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newOrgHarness(t)
			wantIn(t, "create", h.say(tt.slack, `/okr new objective "Delight customers"`), "O1")
			got := h.say(tt.teams, "/okr mine")
			if us := h.users(); tt.same != (len(us) == 1) {
				t.Fatalf("%d users, want one person: %v", len(us), tt.same)
			}
			if tt.same {
				// The first account describes the person: writing from
				// Teams changes neither the name nor the address.
				if u := h.users()[0]; u.Name != tt.slack.name || u.Email != tt.slack.email || !u.EmailVerified {
					t.Errorf("after Teams: name %q, e-mail %q verified %v; want Slack's", u.Name, u.Email, u.EmailVerified)
				}
				wantIn(t, "mine on Teams", got, "Delight customers")
				wantIn(t, "whoami", h.say(tt.teams, "/okr whoami"), "Slack and Microsoft Teams", "nudges come on Slack", "workspace acme")
			} else if strings.Contains(got, "Delight customers") {
				t.Errorf("a separate person sees Alice's objective:\n%s", got)
			}
		})
	}
}

// TestSettingsChooseNudgePlatform: a person on both platforms chooses where
// direct messages go; the dispatcher sends a nudge through that platform's
// sender, and a team digest to the platform its channel was set from.
func TestSettingsChooseNudgePlatform(t *testing.T) {
	h := newOrgHarness(t)
	h.say(aliceSlack, `/okr new objective "Delight customers"`)
	wantIn(t, "new kr", h.say(aliceSlack, `/okr new kr O1 "NPS" from 20 to 50`), "KR1")
	wantIn(t, "settings, one platform", h.say(aliceSlack, "/okr settings"), "come on: *Slack*", "say hi to it there")
	wantIn(t, "no teams account yet", h.say(aliceSlack, "/okr settings nudges teams"), "don't use okrbot on Microsoft Teams yet")
	h.say(aliceTeams, "hi")
	wantIn(t, "settings, two platforms", h.say(aliceTeams, "/okr settings"), "come on: *Slack*", "[Nudge me on Microsoft Teams=settings nudges teams]")
	wantIn(t, "bad platform", h.say(aliceTeams, "/okr settings nudges carrier-pigeon"), "not a chat platform")
	wantIn(t, "choose teams", h.say(aliceTeams, "/okr settings nudges teams"), "now come on Microsoft Teams")

	us := h.users()
	if len(us) != 1 {
		t.Fatalf("%d users", len(us))
	}
	to := chat.DirectTo(us[0])
	if to.Platform != "teams" || to.ID != "teams-dm-29:alice" || to.Ref != "ref-29:alice" {
		t.Errorf("direct messages go to %+v", to)
	}

	wantIn(t, "team", h.say(aliceSlack, "/okr team create Growth"), "Growth")
	wantIn(t, "member", h.say(aliceSlack, "/okr team add Growth Alice"), "Alice")
	wantIn(t, "channel from teams", h.say(aliceTeams, "/okr team channel Growth 19:growth@thread.tacv2"), `19:growth@thread\.tacv2`)

	slack, teams := bottest.NewPlatform(h.Clock.Now), bottest.NewPlatform(h.Clock.Now)
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		for _, it := range []*okrcore.OutboxItem{
			{Workspace: "acme", Key: "checkin:u1:2026-W47", Kind: okrcore.OutboxCheckIn, User: us[0].ID, Period: "2026-W47", DueAt: h.Clock.Now(), State: okrcore.OutboxPending, CreatedAt: h.Clock.Now()},
			{Workspace: "acme", Key: "digest:t1:2026-W47", Kind: okrcore.OutboxDigest, Team: 1, Period: "2026-W47", DueAt: h.Clock.Now(), State: okrcore.OutboxPending, CreatedAt: h.Clock.Now()},
		} {
			if _, err := tx.AddOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := h.DispatcherTo(outbox.ByPlatform(map[string]chat.Sender{"slack": slack, "teams": teams}), outbox.Options{})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slack.Sent()) != 0 {
		t.Errorf("Slack got %d messages: %+v", len(slack.Sent()), slack.Sent())
	}
	got := map[string]string{}
	for _, s := range teams.Sent() {
		got[s.Key] = s.To.ID
	}
	if got["checkin:u1:2026-W47"] != "teams-dm-29:alice" || got["digest:t1:2026-W47"] != "19:growth@thread.tacv2" {
		t.Errorf("Teams got %v", got)
	}
	st := d.StatsByPlatform()
	if st["teams"].Sent != 2 || st["slack"].Sent != 0 || d.Stats().Sent != 2 {
		t.Errorf("stats by platform %+v, total %+v", st, d.Stats())
	}
}

// TestLinkAndUnlink: an admin joins accounts an e-mail address could not,
// with clear refusals, and can split them again.
func TestLinkAndUnlink(t *testing.T) {
	h := newOrgHarness(t)
	h.say(aliceSlack, "hi") // #1, the first person: admin
	h.say(bobSlack, "hi")   // #2
	h.say(bobTeams, "hi")   // #3: no e-mail from Teams, so a separate person
	wantIn(t, "team", h.say(aliceSlack, "/okr team create Growth"), "Growth")
	wantIn(t, "add", h.say(aliceSlack, "/okr team add Growth #3"), "Bob B")
	wantIn(t, "users", h.say(aliceSlack, "/okr users"), "#2 Bob (member) · Slack", "#3 Bob B (member) · Microsoft Teams")

	tests := []struct {
		who  person
		cmd  string
		want string
	}{
		{bobSlack, "/okr link #2 #3", "Only an admin can link accounts"},
		{aliceSlack, "/okr link #2", "Try `/okr link PERSON OTHER`"},
		{aliceSlack, "/okr link #2 #2", "same person twice"},
		{aliceSlack, "/okr link #2 #99", "Nobody is number #99"},
		{aliceSlack, "/okr link #2 nobody", "don't know anyone called nobody"},
		{aliceSlack, "/okr link #1 #2", "already has a Slack account"},
		{aliceSlack, "/okr unlink #2 teams", "has no Microsoft Teams account"},
		{aliceSlack, "/okr unlink #2 fax", "not a chat platform"},
	}
	for _, tt := range tests {
		wantIn(t, tt.cmd, h.say(tt.who, tt.cmd), tt.want)
	}
	if n := len(h.users()); n != 3 {
		t.Fatalf("refused links changed the people: %d", n)
	}

	// Bob-on-Teams owns an objective: folding him would lose track of it.
	wantIn(t, "objective", h.say(bobTeams, `/okr new objective "Ship it"`), "O1")
	wantIn(t, "owns things", h.say(aliceSlack, "/okr link #2 #3"), "#3 already has 1 objective", "/okr link #3 #2")
	wantIn(t, "hand over", h.say(aliceSlack, "/okr edit O1 owner #2"), "O1")

	wantIn(t, "link", h.say(aliceSlack, "/okr link #2 #3"), "Linked: Bob now uses okrbot on Slack and Microsoft Teams")
	us := h.users()
	if len(us) != 2 {
		t.Fatalf("%d users after link", len(us))
	}
	wantIn(t, "bob on teams is bob", h.say(bobTeams, "/okr mine"), "Ship it")
	wantIn(t, "team moved", h.say(bobTeams, "/okr team Growth"), "Bob")
	var growth *okrcore.Team
	_ = h.DB.View(context.Background(), func(tx okrcore.Tx) error {
		growth, _ = tx.TeamByName("acme", "Growth")
		return nil
	})
	if growth == nil || len(growth.Members) != 1 || growth.Members[0] != 2 {
		t.Errorf("Growth after link: %+v", growth)
	}

	// A nudge scheduled for the folded user before the link is skipped,
	// not retried for days.
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		_, err := tx.AddOutbox(&okrcore.OutboxItem{Workspace: "acme", Key: "checkin:u3:2026-W47", Kind: okrcore.OutboxCheckIn, User: 3,
			Period: "2026-W47", DueAt: h.Clock.Now(), CreatedAt: h.Clock.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	plat := h.Platform
	d := h.Dispatcher(outbox.Options{})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Skipped != 1 || st.Retried != 0 || st.Failed != 0 || len(plat.Sent()) != 0 {
		t.Errorf("nudge for a folded user: %+v, %d sent", st, len(plat.Sent()))
	}

	wantIn(t, "unlink", h.say(aliceSlack, "/okr unlink #2 teams"), "is now Bob (Microsoft Teams) (#4)", "Bob keeps every OKR")
	wantIn(t, "teams bob is new", h.say(bobTeams, "/okr whoami"), "#4")
	if strings.Contains(h.say(bobTeams, "/okr mine"), "Ship it") {
		t.Error("the split-off account still sees Bob's OKRs")
	}
	wantIn(t, "slack bob keeps", h.say(bobSlack, "/okr mine"), "Ship it")
	wantIn(t, "nothing left", h.say(aliceSlack, "/okr unlink #2 slack"), "only on Slack")
}

// TestSchedulerServesOnlyTheOrganisation: with one workspace for every
// platform, a workspace left in the database from before is not nudged.
func TestSchedulerServesOnlyTheOrganisation(t *testing.T) {
	h := newOrgHarness(t)
	h.say(aliceSlack, "hi")
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		if err := bot.EnsureWorkspace(tx, "T-old", "slack", h.Clock.Now()); err != nil {
			return err
		}
		return tx.PutUser(&okrcore.User{Workspace: "T-old", Platform: "slack", PlatformID: "U9", Name: "Old", TimeZone: "UTC", Role: okrcore.RoleAdmin})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2026-11-23 12:00 UTC: the default 10:00 check-in has passed
	// everywhere in UTC.
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	tick := func(only string) map[string]int {
		t.Helper()
		s := h.Scheduler(schedule.Options{Workspace: only})
		if _, err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		return outboxByWorkspace(t, h.DB)
	}
	if got := tick("acme"); got["acme"] != 1 || got["T-old"] != 0 {
		t.Errorf("serving acme only: items by workspace %v, want acme 1, T-old 0", got)
	}
	if got := tick(""); got["acme"] != 1 || got["T-old"] != 1 {
		t.Errorf("serving every workspace: items by workspace %v, want one each", got)
	}
}

func outboxByWorkspace(t *testing.T, db okrcore.Store) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := db.View(context.Background(), func(tx okrcore.Tx) error {
		its, err := tx.DueOutbox(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
		for _, it := range its {
			n[it.Workspace]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUnservedPlatform: when the platform a person chose is not served any
// more (Teams' credentials removed), nudges reach them on one that is; a
// digest channel on the unserved platform fails at once, and the admins
// are told how to fix it.
func TestUnservedPlatform(t *testing.T) {
	h := newOrgHarness(t)
	h.say(aliceSlack, `/okr new objective "Delight customers"`)
	h.say(aliceSlack, `/okr new kr O1 "NPS" from 20 to 50`)
	h.say(aliceTeams, "/okr settings nudges teams")
	h.say(aliceSlack, "/okr team create Growth")
	h.say(aliceSlack, "/okr team add Growth Alice")
	h.say(aliceTeams, "/okr team channel Growth 19:growth@thread.tacv2")

	slackOnly := bot.NewEngine(h.DB, bot.Options{Now: h.Clock.Now, Workspace: "acme", Platforms: []string{"slack"}})
	err := h.DB.Update(context.Background(), func(tx okrcore.Tx) error {
		for _, it := range []*okrcore.OutboxItem{
			{Workspace: "acme", Key: "checkin:u1:2026-W47", Kind: okrcore.OutboxCheckIn, User: 1, Period: "2026-W47", DueAt: h.Clock.Now(), CreatedAt: h.Clock.Now()},
			{Workspace: "acme", Key: "digest:t1:2026-W47", Kind: okrcore.OutboxDigest, Team: 1, Period: "2026-W47", DueAt: h.Clock.Now(), CreatedAt: h.Clock.Now()},
		} {
			if _, err := tx.AddOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slack := bottest.NewPlatform(h.Clock.Now)
	d := outbox.NewDispatcher(h.DB, slackOnly, outbox.ByPlatform(map[string]chat.Sender{"slack": slack}), outbox.Options{Now: h.Clock.Now})
	if err := d.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range slack.Sent() {
		got[s.To.ID] += s.Key + " " + s.Text
	}
	if !strings.Contains(got["slack-dm-U1"], "checkin:u1:2026-W47") {
		t.Errorf("the nudge did not reach Alice on Slack: %v", got)
	}
	if strings.Contains(got["19:growth@thread.tacv2"], "digest") {
		t.Errorf("a Teams channel id was posted to through Slack")
	}
	if !strings.Contains(got["slack-dm-U1"], "its channel is on Microsoft Teams, which this okrbot does not serve") {
		t.Errorf("the admin was not told about the digest: %v", got)
	}
	if st := d.StatsByPlatform(); st["teams"].Failed != 1 || st["teams"].Retried != 0 || st["slack"].Sent != 1 {
		t.Errorf("stats %+v: want the digest failed at once (no retries), the nudge sent", st)
	}
}

// TestEventIDsArePerPlatform: Slack and Teams number their deliveries
// independently; in one workspace the same id from each is two events, the
// same id twice from one is a redelivery.
func TestEventIDsArePerPlatform(t *testing.T) {
	h := newOrgHarness(t)
	deliver := func(p person, id string) bool {
		t.Helper()
		ev := chat.Event{ID: id, Kind: chat.EventMessage, Platform: p.platform, Workspace: "x", UserID: p.id, UserName: p.name, Text: "whoami",
			Conversation: chat.Conversation{ID: p.platform + "-dm-" + p.id, Direct: true}}
		_, ok := h.Engine.Process(context.Background(), ev)
		return ok
	}
	if !deliver(aliceSlack, "1700") || !deliver(bobTeams, "1700") {
		t.Error("the same id from another platform was taken for a redelivery")
	}
	h.Engine.Wait() // the marks of "whoami", which writes nothing, are written after it answers
	if deliver(aliceSlack, "1700") {
		t.Error("a redelivery from the same platform was handled twice")
	}
}

// TestLateVerifiedAddressJoins: an account okrbot met without a verified
// address (the platform's profile could not be read) joins its person when
// the address arrives, if it has nothing of its own yet.
func TestLateVerifiedAddressJoins(t *testing.T) {
	noAddress := aliceTeams
	noAddress.email, noAddress.verified = "", false
	t.Run("nothing of its own: joins", func(t *testing.T) {
		h := newOrgHarness(t)
		h.say(aliceSlack, `/okr new objective "Delight customers"`)
		h.say(noAddress, "hi") // roster lookup failed: a separate person
		h.say(aliceSlack, "/okr team create Growth")
		h.say(aliceSlack, "/okr team add Growth #2")
		if n := len(h.users()); n != 2 {
			t.Fatalf("%d people before the address arrived, want 2", n)
		}
		wantIn(t, "joined", h.say(aliceTeams, "/okr mine"), "Delight customers")
		us := h.users()
		if len(us) != 1 || len(us[0].Linked) != 1 || us[0].Name != aliceSlack.name {
			t.Fatalf("after the address arrived: %d people, %+v", len(us), us)
		}
		wantIn(t, "team place moved", h.say(aliceTeams, "/okr team Growth"), aliceSlack.name)
	})
	t.Run("owns an objective: stays apart", func(t *testing.T) {
		h := newOrgHarness(t)
		h.say(aliceSlack, `/okr new objective "Delight customers"`)
		h.say(noAddress, `/okr new objective "Teams things"`)
		got := h.say(aliceTeams, "/okr mine")
		if strings.Contains(got, "Delight customers") || len(h.users()) != 2 {
			t.Errorf("an account with OKRs of its own was folded:\n%s", got)
		}
	})
}
