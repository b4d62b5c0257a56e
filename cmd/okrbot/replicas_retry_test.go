package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestRetryOnAnotherReplicaIsAnsweredOnce: two replicas of okrbot serve on
// one PostgreSQL database behind a load balancer. An event one replica
// acknowledged and handled reaches the other again (Slack's retry, Teams'
// redelivery), and an event reaches both at once: each is done once and
// answered once, because the mark that an event was handled is written
// in the database with its effect.
func TestRetryOnAnotherReplicaIsAnsweredOnce(t *testing.T) {
	url := postgrestest.URL(t)
	slack := newOrgSlack(t)
	ms := newOrgMicrosoft(t)
	env := map[string]string{
		"SLACK_BOT_TOKEN":                  orgSlackTk,
		"SLACK_SIGNING_SECRET":             orgSecret,
		"SLACK_API_URL":                    slack.srv.URL + "/api/",
		"MICROSOFT_APP_ID":                 orgAppID,
		"MICROSOFT_APP_PASSWORD":           orgAppPw,
		"MICROSOFT_APP_TENANT_ID":          orgTenant,
		"MICROSOFT_TOKEN_URL":              ms.tokenURL(),
		"BOTFRAMEWORK_OPENID_METADATA_URL": ms.metadataURL(),
	}
	orgSigningKey(t)
	args := []string{"serve", "--database-url", url, "--timezone", "Europe/Berlin"}
	a, b := startOrgServe(t, args, env), startOrgServe(t, args, env)
	svc := ms.serviceURL()
	slackAnswers := func(title string) int {
		n := 0
		for _, p := range slack.postList() {
			if strings.Contains(p.Text+p.Blocks, title) {
				n++
			}
		}
		return n
	}
	teamsAnswers := func(activity string) int {
		n := 0
		for _, c := range ms.callList() {
			if c.Method == http.MethodPost && c.ReplyTo == activity {
				n++
			}
		}
		return n
	}
	handled := func(s *orgServe, platform string, n int) {
		t.Helper()
		s.waitMetrics(t, 15*time.Second, `okrbot_event_duration_seconds_count{kind="message",platform="`+platform+`"} `+strconv.Itoa(n))
	}
	dump := func() string { return fmt.Sprint(slack.postList(), ms.callList()) }

	// Slack: handled on a, retried on b after a's answer.
	a.slackDM(t, 1, `new objective "Retried on Slack"`)
	orgWaitFor(t, 15*time.Second, "a's Slack answer", func() bool { return slackAnswers("Retried on Slack") > 0 }, dump)
	b.slackDM(t, 1, `new objective "Retried on Slack"`, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	handled(b, "slack", 1)

	// Teams: handled on a, delivered again to b.
	say := func(s *orgServe, id, text string) {
		t.Helper()
		if code := s.teams(t, orgActivity(svc, id, text), orgMint(t, svc)); code != http.StatusOK {
			t.Fatalf("Teams activity %q answered %d", text, code)
		}
	}
	say(a, "f:retry-1", `new objective "Retried on Teams"`)
	orgWaitFor(t, 15*time.Second, "a's Teams answer", func() bool { return teamsAnswers("f:retry-1") > 0 }, dump)
	say(b, "f:retry-1", `new objective "Retried on Teams"`)
	handled(b, "teams", 1)

	// Both at once: the retry comes while the first delivery is handled.
	var wg sync.WaitGroup
	for _, s := range []*orgServe{a, b} {
		wg.Go(func() { s.slackDM(t, 2, `new objective "Both on Slack"`) })
		wg.Go(func() { say(s, "f:both-2", `new objective "Both on Teams"`) })
	}
	wg.Wait()
	handled(a, "slack", 2)
	handled(b, "slack", 2)
	handled(a, "teams", 2)
	handled(b, "teams", 2)

	objectives := replicaObjectives(t, url)
	for _, c := range []struct {
		title   string
		answers int
	}{
		{"Retried on Slack", slackAnswers("Retried on Slack")},
		{"Retried on Teams", teamsAnswers("f:retry-1")},
		{"Both on Slack", slackAnswers("Both on Slack")},
		{"Both on Teams", teamsAnswers("f:both-2")},
	} {
		if n := objectives[c.title]; n != 1 || c.answers != 1 {
			t.Errorf("%q: %d objectives made and %d answers, want one of each", c.title, n, c.answers)
		}
	}
	a.stop(t)
	b.stop(t)
}

// replicaObjectives counts the objectives of the Slack workspace and the
// Teams tenant (those that exist) by title.
func replicaObjectives(t *testing.T, url string) map[string]int {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]int{}
	err = db.View(context.Background(), func(tx okrcore.Tx) error {
		for _, ws := range []string{"T1", orgTenant} {
			w, err := tx.Workspace(ws)
			if okrcore.IsNotFound(err) {
				continue // that platform was not used
			}
			if err != nil {
				return err
			}
			objs, err := tx.ObjectivesByCycle(ws, w.CurrentCycle)
			if err != nil {
				return err
			}
			for _, o := range objs {
				got[o.Title]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
