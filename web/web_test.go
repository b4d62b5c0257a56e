package web

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/report/tally"
	"github.com/okrbot/okrbot/storage/storagetest"
)

func TestPagesNeedALink(t *testing.T) {
	s := newSite(t)
	c := s.browser()
	for _, path := range []string{"/okr/", "/okr/me", "/okr/team/1", "/okr/person/1", "/okr/objective/1", "/okr/kr/1", "/okr/adoption"} {
		resp, body := get(t, c, s.srv.URL+path)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "/okr web") {
			t.Errorf("%s without a session: %d %q", path, resp.StatusCode, body)
		}
		if strings.Contains(body, "alice") || strings.Contains(body, "KR1") {
			t.Errorf("%s without a session shows data", path)
		}
	}
}

// token rewrites a link's token, for forging one.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

func TestLinksRefused(t *testing.T) {
	s := newSite(t)
	good := tokenOf(t, s.link("alice"))
	p64, sig, _ := strings.Cut(good, ".")
	payload, _ := tokenEncoding.DecodeString(p64)
	bob := strconv.FormatUint(uint64(s.user("local", "bob").ID), 10)
	alice := strconv.FormatUint(uint64(s.user("local", "alice").ID), 10)
	asBob := tokenEncoding.EncodeToString([]byte(strings.Replace(string(payload), "|"+alice+"|", "|"+bob+"|", 1))) + "." + sig
	longer := tokenEncoding.EncodeToString([]byte(strings.Replace(string(payload), "|l", "|t", 1))) + "." + sig
	flipped := []byte(sig)
	flipped[3] ^= 1
	cases := []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "not-a-token"},
		{"no signature", p64},
		{"signature of another token", p64 + "." + tokenEncoding.EncodeToString([]byte("x"))},
		{"a flipped bit", p64 + "." + string(flipped)},
		{"another person", asBob},
		{"made a Teams session", longer},
		{"too long", strings.Repeat("a", 600) + "." + sig},
		{"bad base64", "!!!." + sig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, s.browser(), s.srv.URL+"/okr/login?t="+url.QueryEscape(tc.token))
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "/okr web") {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
		})
	}
}

func TestLinkExpiresAfter12Hours(t *testing.T) {
	s := newSite(t)
	link := s.link("alice")
	c := s.signedIn("alice")
	s.kit.Clock.Advance(LinkTTL - time.Minute)
	if resp, _ := get(t, c, s.srv.URL+"/okr/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("session before 12 h: %d", resp.StatusCode)
	}
	s.kit.Clock.Advance(time.Minute)
	for name, url := range map[string]string{"session": s.srv.URL + "/okr/", "link": link} {
		resp, body := get(t, s.browser(), url)
		if name == "session" {
			resp, body = get(t, c, url)
		}
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "expired") {
			t.Errorf("%s after 12 h: %d %q", name, resp.StatusCode, body)
		}
	}
}

func TestRevokeEndsEveryEarlierLink(t *testing.T) {
	s := newSite(t)
	link := s.link("bob")
	c := s.signedIn("alice")
	if err := s.links.Revoke(context.Background(), "local"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, c, s.srv.URL+"/okr/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session after revoke: %d", resp.StatusCode)
	}
	if resp, _ := get(t, s.browser(), link); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("link after revoke: %d", resp.StatusCode)
	}
	s.signedIn("bob") // a new link works
}

func TestPagesShowTheProgramme(t *testing.T) {
	s := newSite(t)
	c := s.signedIn("alice")
	ws := "local"
	team := firstID(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.Teams(ws) })
	obj := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective(ws, 1) })
	krs := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective(ws, obj.ID) })
	alice := s.user(ws, "alice")
	cases := []struct {
		path string
		want []string
	}{
		{"/okr/", []string{"Company tree", obj.Title, okrcore.Percent(obj.Progress)}},
		{"/okr/team/" + strconv.Itoa(int(team.ID)), []string{"Team " + team.Name, "checked in this week", `<svg role="img" aria-label="Weekly check-in rate of ` + team.Name}},
		{"/okr/person/" + strconv.Itoa(int(alice.ID)), []string{"alice", "OKRs in Q4 2026", `aria-label="Progress of KR`, `<span class="forecast">on pace for `}},
		{"/okr/objective/1", []string{obj.Title, krs[0].Title, okrcore.Percent(krs[0].Progress), "Forecast: at its key results&#39; recent pace it reaches"}},
		{"/okr/kr/" + strconv.Itoa(int(krs[0].ID)), []string{krs[0].Title, "History", "expected", "Forecast: at its recent pace it reaches"}},
	}
	for _, tc := range cases {
		resp, body := get(t, c, s.srv.URL+tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", tc.path, csp)
		}
	}
	resp, _ := get(t, c, s.srv.URL+"/okr/me")
	if resp.Request.URL.Path != "/okr/person/"+strconv.Itoa(int(alice.ID)) {
		t.Errorf("/okr/me went to %s", resp.Request.URL.Path)
	}
}

func TestBadAddresses(t *testing.T) {
	s := newSite(t)
	c := s.signedIn("alice")
	for _, path := range []string{"/okr/team/abc", "/okr/team/0", "/okr/person/99999", "/okr/objective/-1", "/okr/kr/18446744073709551616", "/okr/nothing", "/okr/objective/1/more"} {
		resp, body := get(t, c, s.srv.URL+path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "There is no such") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	// A link's next is kept inside the web view.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/okr/\\evil", "/other"} {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, _ := get(t, c, s.link("alice")+"&next="+url.QueryEscape(next))
		if loc := resp.Header.Get("Location"); loc != "/okr/" {
			t.Errorf("next %q went to %q", next, loc)
		}
	}
}

func TestAdoptionIsForAdmins(t *testing.T) {
	s := newSite(t)
	if resp, body := get(t, s.signedIn("alice"), s.srv.URL+"/okr/adoption"); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "check-in rate") {
		t.Errorf("a member: %d", resp.StatusCode)
	}
	resp, body := get(t, s.signedIn("dana"), s.srv.URL+"/okr/adoption")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Adoption") {
		t.Errorf("the admin: %d %q", resp.StatusCode, body)
	}
	if _, body := get(t, s.signedIn("dana"), s.srv.URL+"/okr/"); !strings.Contains(body, `href="/okr/adoption"`) {
		t.Error("the admin's pages do not link the adoption page")
	}
}

// TestAnotherWorkspaceStaysHidden: a session of one workspace reads
// nothing of another's, even by the IDs only the other has.
func TestAnotherWorkspaceStaysHidden(t *testing.T) {
	s := newSite(t)
	org, err := storagetest.GenerateOrg(context.Background(), s.kit.DB, storagetest.OrgSpec{Workspace: "other", Users: 200, Teams: 20, Objectives: 300, KeyResults: 900})
	if err != nil {
		t.Fatal(err)
	}
	far := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective("other", 290) })
	c := s.signedIn("alice")
	for _, path := range []string{"/okr/objective/290", "/okr/person/150", "/okr/team/19", "/okr/kr/850"} {
		resp, body := get(t, c, s.srv.URL+path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, far.Title) || strings.Contains(body, "user150") {
			t.Errorf("%s from workspace local: %d", path, resp.StatusCode)
		}
	}
	// Its own link shows its own.
	admin := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform("other", org.Platform, org.Admin) })
	link, err := s.links.Link(context.Background(), "other", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	oc := s.browser()
	get(t, oc, link)
	if resp, body := get(t, oc, s.srv.URL+"/okr/objective/290"); resp.StatusCode != http.StatusOK || !strings.Contains(body, far.Title) {
		t.Errorf("other's own objective: %d", resp.StatusCode)
	}
	// Revoking one workspace leaves the other's links alone.
	if err := s.links.Revoke(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, c, s.srv.URL+"/okr/"); resp.StatusCode != http.StatusOK {
		t.Errorf("local after other's revoke: %d", resp.StatusCode)
	}
}

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"https://okrbot.example.com", true},
		{"https://okrbot.example.com/", true},
		{"http://10.0.0.5:8080", true},
		{"okrbot.example.com", false},
		{"ftp://okrbot.example.com", false},
		{"https://", false},
		{"https://x.example/?a=1", false},
		{" ", false},
	} {
		if _, err := ParsePublicURL(tc.in); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.in, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	k := bottest.New(f, bottest.Demo())
	links, err := NewLinks(k.DB, "https://okr.example.test", k.Clock.Now)
	if err != nil {
		f.Fatal(err)
	}
	good, err := links.Link(context.Background(), "local", 1)
	if err != nil {
		f.Fatal(err)
	}
	u, _ := url.Parse(good)
	tok := u.Query().Get("t")
	f.Add(tok)
	f.Add("MXxsb2NhbHwxfDF8MXxs.AAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := links.verify(context.Background(), s)
		if err == nil && s != tok {
			t.Fatalf("a changed token %q verified as %+v", s, c)
		}
	})
}

// TestLinkIsPlainText: a link goes into a chat message as it is, so none of
// its characters may be markup (* _ ` ~ \ < >) on any platform.
func TestLinkIsPlainText(t *testing.T) {
	s := newSite(t)
	for _, who := range []string{"alice", "dana", "olga"} {
		link := s.link(who)
		tok := tokenOf(t, link)
		if strings.TrimLeft(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567.") != "" || strings.Count(tok, ".") != 1 {
			t.Errorf("token %q has other characters", tok)
		}
		if !strings.HasPrefix(link, s.srv.URL+"/okr/login?t=") || strings.ContainsAny(link, "*_`~\\<> ") {
			t.Errorf("link %q", link)
		}
	}
}

// The team page's rate counts a check-in that counts: one taken back with
// `undo` counts for nobody, nor does the undo.
func TestTeamRateLeavesUndoneOut(t *testing.T) {
	s := newSite(t)
	ws := s.kit.Workspace
	alice := s.user(ws, "alice")
	team := firstID(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.TeamsOfUser(ws, alice.ID) })
	kr := firstID(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) {
		c, err := okrcore.CurrentCycle(tx, ws)
		if err != nil {
			return nil, err
		}
		return tx.KeyResultsByOwner(ws, okrcore.UserOwner(alice.ID), c.ID)
	})
	c := s.signedIn("alice")
	page := "/okr/team/" + strconv.Itoa(int(team.ID))
	rate := func() string {
		t.Helper()
		_, body := get(t, c, s.srv.URL+page)
		i := strings.Index(body, " checked in this week (")
		if i < 0 {
			t.Fatalf("%s shows no rate of this week", page)
		}
		return body[i+len(" checked in this week (") : i+strings.Index(body[i:], ")")]
	}
	before := rate()
	// A check-in a minute later than the demo's, then taken back.
	s.kit.Clock.Advance(time.Minute)
	if m := s.kit.Ask("alice", kr.Ref().String()+" "+strconv.FormatFloat(kr.Target, 'f', -1, 64)); !strings.Contains(m.Text, kr.Ref().String()) {
		t.Fatalf("check-in: %q", m.Text)
	}
	s.kit.Clock.Advance(time.Minute)
	if m := s.kit.Ask("alice", "undo"); !strings.Contains(strings.ToLower(m.Text), "undo") {
		t.Fatalf("undo: %q", m.Text)
	}
	if got := rate(); got != before {
		t.Errorf("after a check-in and its undo the page says %q checked in this week, before both %q", got, before)
	}
}

// TestTeamRateLeavesAwayOut: someone away this week (okrcore/away) is in
// neither count of the team page's rate, as in the digests, is counted
// as away in its words and its chart's, and is shown away among the
// team's people; a team whose people are all away says so instead of a
// rate.
func TestTeamRateLeavesAwayOut(t *testing.T) {
	s := newSite(t)
	ws := s.kit.Workspace
	team := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(ws, "Sales") }) // alice leads, bob
	c := s.signedIn("alice")
	page := s.srv.URL + "/okr/team/" + strconv.Itoa(int(team.ID))
	_, body := get(t, c, page)
	if !strings.Contains(body, " of 2)") || strings.Contains(body, "away") {
		t.Fatalf("before anyone is away the page counts 2 and shows nobody away:\n%s", body)
	}
	tests := []struct {
		who, line string
		want      []string
		awayShown int
	}{
		{"bob", "away 2 weeks", []string{" of 1; 1 away, not counted)", "this week ", " of 1 people (", "%), 1 away.\""}, 1},
		{"alice", "away until 2026-12-31", []string{"Everyone on the team is away this week, so nobody was asked to check in.", ", everyone away, this week everyone is away.\""}, 2},
	}
	for _, tc := range tests {
		if m := s.kit.Ask(tc.who, tc.line); !strings.Contains(bottest.Text(m), "away") {
			t.Fatalf("%s %q: %q", tc.who, tc.line, bottest.Text(m))
		}
		resp, body := get(t, c, page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("after %s %q: %d", tc.who, tc.line, resp.StatusCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("after %s %q the page lacks %q:\n%s", tc.who, tc.line, w, body)
			}
		}
		if got := strings.Count(body, `<span class="away">away until the end of `); got != tc.awayShown {
			t.Errorf("after %s %q the page shows %d people away, want %d", tc.who, tc.line, got, tc.awayShown)
		}
	}
}

// TestPagesShowEveryCurrentCycle: with the company's year current beside
// the quarter, the tree, a team's and a person's page have a section for
// each, the quarter's first, the year's objectives in the year's; a
// quarter's objective aligned under the year's shows once, beneath it.
func TestPagesShowEveryCurrentCycle(t *testing.T) {
	s := newSite(t)
	ws := s.kit.Workspace
	for _, step := range []struct{ who, say, want string }{
		{"dana", "/okr cycle new 2026", "Created cycle 2026"},
		{"dana", `/okr new objective "Be the default for mid-market" in 2026`, "Created O6"},
		{"alice", `/okr new objective "Double the pipeline" in 2026`, "Created O7"},
		{"alice", `/okr new kr O7 "Pipeline in deals" from 0 to 100`, "Added KR13"},
		{"dana", "/okr edit O2 under O6", "O2"},
	} {
		if m := s.kit.Ask(step.who, step.say); !strings.Contains(bottest.Text(m), step.want) {
			t.Fatalf("%s %q: %q", step.who, step.say, bottest.Text(m))
		}
	}
	team := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(ws, "Sales") })
	alice := s.user(ws, "alice")
	c := s.signedIn("alice")
	tests := []struct {
		path  string
		order []string // each after the one before
	}{
		{"/okr/", []string{"<h2>Q4 2026</h2>", "Q4 2026 · day", "<h2>2026</h2>", "2026 · day", "Be the default for mid-market", "Win the mid-market", "Double the pipeline"}},
		{"/okr/team/" + strconv.Itoa(int(team.ID)), []string{"Objectives in Q4 2026", "Win the mid-market", "Objectives in 2026", "Double the pipeline"}},
		{"/okr/person/" + strconv.Itoa(int(alice.ID)), []string{"OKRs in Q4 2026", "Build a repeatable sales playbook", "OKRs in 2026", "Double the pipeline", "Pipeline in deals"}},
	}
	for _, tc := range tests {
		resp, body := get(t, c, s.srv.URL+tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.path, resp.StatusCode)
		}
		at := 0
		for _, w := range tc.order {
			i := strings.Index(body[at:], w)
			if i < 0 {
				t.Fatalf("%s lacks %q after byte %d:\n%s", tc.path, w, at, body)
			}
			at += i + len(w)
		}
		// Listed once; the team page's burn-up names it in its own words too.
		listed := body
		if i := strings.Index(body, `<figure class="chart burnup">`); i >= 0 {
			end := strings.Index(body[i:], "</figure>")
			listed = body[:i] + body[i+end:]
		}
		if n := strings.Count(listed, "Win the mid-market"); n != 1 {
			t.Errorf("%s shows Win the mid-market %d times, want once", tc.path, n)
		}
	}
	_, body := get(t, c, s.srv.URL+"/okr/")
	if !strings.Contains(body, "Q4 2026 and 2026") {
		t.Errorf("the page's top line does not name both cycles:\n%s", body)
	}
}

// TestTeamPageReadsTheTallyItFinds: a team page writes nothing (the
// check-in tally is okrbot serve's to build at start), and counts its
// people's weeks the same from their histories, where their blocks are not
// built yet, as from the tally once serve's fill has built them.
func TestTeamPageReadsTheTallyItFinds(t *testing.T) {
	s := newSite(t)
	ws := s.kit.Workspace
	team := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(ws, "Sales") })
	ids := team.People()
	built := func() bool {
		t.Helper()
		return bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (bool, error) {
			for _, id := range ids {
				if _, err := tx.State(ws, okrcore.TallyKey(id/okrcore.TallyBlock, -1)); okrcore.IsNotFound(err) {
					return false, nil
				} else if err != nil {
					return false, err
				}
			}
			return true, nil
		})
	}
	weeks := func() []weekRate {
		t.Helper()
		return bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]weekRate, error) {
			cs, err := okrcore.CurrentCycles(tx, ws)
			if err != nil {
				return nil, err
			}
			people, err := teamUsers(tx, ws, ids)
			if err != nil {
				return nil, err
			}
			book, err := away.ReadPeople(tx, ws, ids)
			if err != nil {
				return nil, err
			}
			return checkinRates(tx, ws, cs[0], people, book, s.kit.Clock.Now())
		})
	}
	if built() {
		t.Fatal("the demo's tally is built already: the test tries nothing")
	}
	var wantBuilt bool
	fromHistory := weeks()
	c := s.signedIn("alice")
	if resp, _ := get(t, c, s.srv.URL+"/okr/team/999999"); resp.StatusCode != http.StatusNotFound || built() {
		t.Fatalf("an unknown team: %d, tally built %v", resp.StatusCode, built())
	}
	page := func() string {
		t.Helper()
		resp, body := get(t, c, s.srv.URL+"/okr/team/"+strconv.Itoa(int(team.ID)))
		if resp.StatusCode != http.StatusOK || built() != wantBuilt {
			t.Fatalf("the team page: %d, tally built %v, want %v", resp.StatusCode, built(), wantBuilt)
		}
		return body
	}
	wantBuilt = false
	before := page()
	if f, err := tally.FillEveryone(context.Background(), s.kit.DB); err != nil || f.Blocks == 0 {
		t.Fatalf("serve's fill: %+v, %v", f, err)
	}
	wantBuilt = true
	if fromTally := weeks(); !reflect.DeepEqual(fromTally, fromHistory) {
		t.Errorf("counted from the tally\n%+v\nfrom the histories\n%+v", fromTally, fromHistory)
	}
	line := rateLine(fromHistory[len(fromHistory)-1])
	for name, body := range map[string]string{"before serve's fill": before, "after it": page()} {
		if !strings.Contains(body, line) {
			t.Errorf("the page %s lacks %q", name, line)
		}
	}
}
