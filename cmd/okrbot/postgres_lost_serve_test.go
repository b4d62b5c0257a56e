package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestSlackWhileDatabaseLost: okrbot serve loses its PostgreSQL server
// while Slack delivers. What arrives while it is away is not acknowledged
// (so Slack retries it) unless it was kept, /readyz says the database does
// not answer, and once the server is back the retry is done, once; what
// was done before is all there.
func TestSlackWhileDatabaseLost(t *testing.T) {
	p := newCutProxy(t, postgrestest.URL(t))
	slack := newOrgSlack(t)
	env := map[string]string{"SLACK_BOT_TOKEN": orgSlackTk, "SLACK_SIGNING_SECRET": orgSecret, "SLACK_API_URL": slack.srv.URL + "/api/"}
	s := startOrgServe(t, []string{"serve", "--database-url", p.url}, env)
	dump := func() string { return s.log.String() }
	answered := func(title string) bool {
		for _, post := range slack.postList() {
			if strings.Contains(post.Text+post.Blocks, title) {
				return true
			}
		}
		return false
	}
	s.slackDM(t, 1, `new objective "Before the outage"`)
	orgWaitFor(t, 15*time.Second, "the answer before the outage", func() bool { return answered("Before the outage") }, dump)

	p.cut()
	code := s.slackDMStatus(t, 2, `new objective "During the outage"`)
	t.Logf("a delivery while the database is away answered %d", code)
	if code == http.StatusOK {
		t.Log("acknowledged: it must be done once the database is back")
	}
	orgWaitFor(t, 15*time.Second, "/readyz saying the database is away", func() bool {
		res, err := http.Get(s.url("/readyz"))
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusServiceUnavailable
	}, dump)

	p.restore()
	orgWaitFor(t, 30*time.Second, "/readyz ready again", func() bool {
		res, err := http.Get(s.url("/readyz"))
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, dump)
	// Slack's retry of the delivery, acknowledged or not: a request of its
	// own, signed at its own moment (a replay of the first is refused).
	s.slackDM(t, 2, `new objective "During the outage"`, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_error",
		"X-Slack-Request-Timestamp", strconv.FormatInt(time.Now().Unix()+1, 10))
	orgWaitFor(t, 15*time.Second, "the retry's answer", func() bool { return answered("During the outage") }, dump)
	s.stop(t)
	got := replicaObjectives(t, strings.Replace(p.url, p.addr, p.target, 1))
	for _, title := range []string{"Before the outage", "During the outage"} {
		if got[title] != 1 {
			t.Errorf("%q made %d times, want once", title, got[title])
		}
	}
}
