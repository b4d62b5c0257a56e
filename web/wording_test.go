package web

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
)

// TestPagesInTheWorkspacesWords: once an admin chose Goal, Measure and
// update, the pages' own text, headings and titles say them, and a
// person's title that says "objective" and the pages' paths are kept.
func TestPagesInTheWorkspacesWords(t *testing.T) {
	s := newSite(t)
	title := "Improve objective setting with key results"
	for _, say := range []string{"/okr wording objective Goal", "/okr wording key-result Measure", "/okr wording check-in update", "/okr edit O1 title " + title} {
		if got := bottest.Text(s.kit.Ask("dana", say)); !strings.HasPrefix(got, "Done") && !strings.Contains(got, title) {
			t.Fatalf("%s: %s", say, got)
		}
	}
	c := s.signedIn("alice")
	krs := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("local", 1) })
	for _, tc := range []struct {
		path        string
		want, lacks []string
	}{
		{"/okr/", []string{"Every goal aligned to nothing", "open a goal for what is aligned", title}, []string{"Every objective"}},
		{"/okr/objective/1", []string{"<h2>Measures</h2>", "<title>O1 " + title + " · okrbot</title>", "<h1>O1 " + title + "</h1>", `href="/okr/kr/`}, []string{"<h2>Key results</h2>"}},
		{"/okr/kr/" + strconv.Itoa(int(krs[0].ID)), []string{"Of <a href=\"/okr/objective/1\">O1 " + title}, nil},
		{"/okr/adoption", nil, nil},
	} {
		resp, body := get(t, c, s.srv.URL+tc.path)
		if resp.StatusCode != http.StatusOK && tc.path != "/okr/adoption" {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
			continue
		}
		body = html.UnescapeString(body)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", tc.path, w, body)
			}
		}
		for _, w := range tc.lacks {
			if strings.Contains(body, w) {
				t.Errorf("%s still says %q", tc.path, w)
			}
		}
	}
	admin := s.signedIn("dana")
	if _, body := get(t, admin, s.srv.URL+"/okr/adoption"); !strings.Contains(body, "goal") && !strings.Contains(body, "update") {
		t.Errorf("the adoption page is in the bot's own words:\n%s", body)
	}
	// Reset: the pages are in the bot's words again.
	s.kit.Ask("dana", "/okr wording reset")
	if _, body := get(t, c, s.srv.URL+"/okr/objective/1"); !strings.Contains(body, "<h2>Key results</h2>") {
		t.Errorf("after reset:\n%s", body)
	}
}

func TestReword(t *testing.T) {
	src := `{{define "content"}}<a href="/okr/objective/{{.ID}}" class="objective">Objective {{.Title}}</a> no key results {{if .Objectives}}x{{end}} {single brace} objectives`
	p := passFor(t)
	want := `{{define "content"}}<a href="/okr/objective/{{.ID}}" class="objective">Goal {{.Title}}</a> no measures {{if .Objectives}}x{{end}} {single brace} goals`
	if got := reword(src, p); got != want {
		t.Errorf("reword:\n got %s\nwant %s", got, want)
	}
}

func passFor(t *testing.T) wordpass.Pass {
	t.Helper()
	return wordpass.ForWorkspace(&okrcore.Workspace{Words: map[string]string{"objective": "Goal", "objectives": "Goals", "key result": "Measure", "key results": "Measures"}})
}

// TestForecastsInTheWorkspacesWords: a forecast is the page's data, not
// its template's text, and is in the workspace's words too: a new key
// result's page says it takes updates, and its objective's forecast
// speaks of measures.
func TestForecastsInTheWorkspacesWords(t *testing.T) {
	s := newSite(t)
	for _, say := range []string{"/okr wording objective Goal", "/okr wording key-result Measure", "/okr wording check-in update"} {
		if got := bottest.Text(s.kit.Ask("dana", say)); !strings.HasPrefix(got, "Done") {
			t.Fatalf("%s: %s", say, got)
		}
	}
	if got := bottest.Text(s.kit.Ask("dana", `/okr new measure O1 "Signed partners" from 0 to 10`)); !strings.Contains(got, "Added") {
		t.Fatalf("new measure: %s", got)
	}
	krs := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective("local", 1) })
	fresh := krs[len(krs)-1]
	c := s.signedIn("alice")
	for _, tc := range []struct {
		path, want string
	}{
		{"/okr/kr/" + strconv.Itoa(int(fresh.ID)), "No forecast yet: it takes updates on 3 separate days to read a pace."},
		{"/okr/objective/1", "measures"},
		{"/okr/person/" + strconv.Itoa(int(fresh.Owner.ID)), "Progress of KR"},
		// The rate chart's words, and its line's: the verb stays ("checked
		// in"), the noun is the workspace's.
		{"/okr/team/2", "Weekly update rate of"},
		{"/okr/team/2", "checked in this week"},
	} {
		_, body := get(t, c, s.srv.URL+tc.path)
		body = html.UnescapeString(body)
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s lacks %q:\n%s", tc.path, tc.want, body)
		}
		for _, bad := range []string{"key result", "check-in"} {
			if i := strings.Index(strings.ToLower(body), bad); i >= 0 {
				t.Errorf("%s says %q: …%s…", tc.path, bad, body[max(0, i-80):min(len(body), i+80)])
			}
		}
	}
}

// TestRateChartKeepsTeamsName: the rate chart's words are the workspace's
// and a team's name that says them is shown as typed.
func TestRateChartKeepsTeamsName(t *testing.T) {
	p := wordpass.ForWorkspace(&okrcore.Workspace{Words: map[string]string{"check-in": "update", "check-ins": "updates"}})
	name := "Key result *check-in* [team]_x"
	ch := rateChart(name, []weekRate{{In: 1, Of: 2, Rate: 0.5, RateText: "50%"}}, p)
	want := "Weekly update rate of " + name + " over 1 week: 50%, this week 1 of 2 people (50%)."
	if ch.Alt != want {
		t.Errorf("alt:\n got %s\nwant %s", ch.Alt, want)
	}
	if got := rateChart(name, []weekRate{{In: 1, Of: 2, Rate: 0.5, RateText: "50%"}}, wordpass.Pass{}).Alt; got != strings.Replace(want, "update", "check-in", 1) {
		t.Errorf("alt in the bot's words: %s", got)
	}
}
