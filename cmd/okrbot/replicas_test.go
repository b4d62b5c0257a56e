//go:build unix

package main

// TestThreeReplicasSurviveTwoKills runs three real okrbot serve processes
// on one PostgreSQL schema and one fake Slack with a rate limit they are
// not told. The replicas' schedulers plan a Monday's check-in nudges for
// 2,000 people together; one replica sends for the deployment. At a moment
// drawn from a seed (logged; OKRBOT_REPLICAS_SEED repeats it) the sender is
// killed with SIGKILL, and a little later the one that took over. The last
// replica finishes: every nudge planned is delivered exactly once (what
// was in flight at a kill is found in Slack by its metadata, not sent
// again), and the fake's refusals stay a small share of the calls: the
// deployment kept to one pace.
//
// It takes about a minute after the build; -short skips it, and it needs
// OKRBOT_TEST_DATABASE_URL.

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
)

const (
	replicaPeople = 2000
	// replicaLimit is the fake's limit across the workspace: 2,000 nudges
	// in 20 s at best.
	replicaLimit = 100
	// replicaLease is the replicas' --outbox-lease: each kill costs about
	// that long before another replica sends.
	replicaLease = 4 * time.Second
)

// replicaMonday is 18:00 UTC on Monday 23 November 2026: 10:00 in the
// last of the generated time zones; with a day's grace every person's
// check-in window is due.
var replicaMonday = time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)

func TestThreeReplicasSurviveTwoKills(t *testing.T) {
	if testing.Short() {
		t.Skip("builds okrbot and runs three replicas through two SIGKILLs, about a minute")
	}
	url := postgrestest.URL(t)
	seed := testSeed(t, "OKRBOT_REPLICAS_SEED", "the kill moments")
	rng := rand.New(rand.NewPCG(seed, seed^0x3e91))
	bin := buildOkrbot(t)

	limit := slacktest.NewLimit(replicaLimit, replicaLimit/10, time.Second)
	fake := slacktest.New(slacktest.Options{Limit: limit})
	defer fake.Close()
	seedReplicas(t, url, fake)

	args := []string{"--database-url", url, "--clock", replicaMonday.Format(time.RFC3339), "--grace", "24h",
		"--outbox-lease", replicaLease.String(), "--slack-rate-ceiling", "1000"}
	procs := make([]*okrbotProcess, 3)
	for i := range procs {
		procs[i] = startOkrbotWith(t, bin, "", slacktest.BotToken, fake.APIURL(), args...)
	}
	for _, p := range procs {
		p.waitReady(t)
	}
	start := time.Now()
	waitFor(t, 60*time.Second, "the first nudge", func() bool { return fake.Deliveries().Total() > 0 })
	killed := map[*okrbotProcess]bool{}
	first := 500*time.Millisecond + time.Duration(rng.Int64N(int64(5*time.Second)))
	second := 2*time.Second + time.Duration(rng.Int64N(int64(4*time.Second)))
	time.Sleep(first)
	k1 := killSender(t, url, procs, killed)
	t.Logf("SIGKILL %d (the sender) %s after the first nudge, with %d delivered", k1, first.Round(time.Millisecond), fake.Deliveries().Total())
	// The second kill waits until another replica has taken over, so that
	// it too is of a sender in the middle of its sends.
	waitFor(t, 3*replicaLease, "a replica taking over", func() bool { pid, _ := sender(t, url); return pid != k1 && pid != 0 })
	time.Sleep(second)
	k2 := killSender(t, url, procs, killed)
	t.Logf("SIGKILL %d (the sender that took over) %s later, with %d delivered", k2, second.Round(time.Millisecond), fake.Deliveries().Total())

	waitFor(t, 120*time.Second, "every nudge sent", func() bool { open, total := outboxCounts(t, url); return total > 0 && open == 0 })
	took := time.Since(start)
	sent, skipped := closedKeys(t, url)
	got := map[string]int{}
	fake.Deliveries().Each(func(_, key string, n int) { got[key] += n })
	var dups, strays, missed int
	for key, n := range got {
		switch {
		case !sent[key]:
			strays++
		case n > 1:
			dups++
		}
	}
	for key := range sent {
		if got[key] == 0 {
			missed++
		}
	}
	calls, limited, perConv := limit.Stats()
	floor := float64(len(sent)) / replicaLimit
	t.Logf("%d nudges sent and %d skipped in %s (floor %.1f s, two kills); %d Slack calls, %d answered 429 (%d for a conversation); %d in doubt looked for in Slack",
		len(sent), len(skipped), took.Round(time.Millisecond), floor, calls, limited, perConv, len(fake.Calls("conversations.history")))
	if len(sent) < replicaPeople/2 {
		t.Fatalf("only %d of %d people nudged: the organisation or the schedule is not what the test means", len(sent), replicaPeople)
	}
	if dups > 0 || missed > 0 || strays > 0 {
		t.Errorf("%d nudges delivered twice, %d recorded sent but never delivered, %d delivered but not recorded sent", dups, missed, strays)
	}
	// One pace for the deployment: the sender finds the limit with a few
	// refusals and each new sender with a few more; three replicas each
	// pacing alone would be refused on every third call once they found it.
	if share := float64(limited) / float64(max(calls, 1)); share > 0.05 {
		t.Errorf("%d of %d calls answered 429 (%.1f%%): the replicas did not keep to one pace", limited, calls, 100*share)
	}
	for _, p := range procs {
		if !killed[p] {
			p.stop(t, 20*time.Second)
		}
	}
}

// seedReplicas generates the organisation of replicaPeople people into the
// database, as Slack users the fake knows.
func seedReplicas(t *testing.T, url string, fake *slacktest.Fake) {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	spec := storagetest.OrgSpec{Workspace: slacktest.Team, Users: replicaPeople, Teams: replicaPeople / 10,
		Objectives: replicaPeople + replicaPeople/5, KeyResults: 3 * replicaPeople}
	if _, err := storagetest.GenerateOrg(ctx, db, spec); err != nil {
		t.Fatal(err)
	}
	if err := slacktest.MoveToSlack(ctx, db, slacktest.Team); err != nil {
		t.Fatal(err)
	}
	// Each person's direct message channel, as a first message from them
	// records it: the fake keeps a channel's history under it, which is
	// where a new sender looks for a nudge the dead one may have posted.
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		users, err := tx.Users(slacktest.Team)
		if err != nil {
			return err
		}
		for _, u := range users {
			u.DM = "D" + strings.ToUpper(u.PlatformID)
			if err := tx.PutUser(u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slacktest.AddPeople(ctx, db, slacktest.Team, fake); err != nil {
		t.Fatal(err)
	}
}

// sender is the process id of the replica that holds the outbox's term,
// from its owner name (host-pid-random), and whether the term is live.
func sender(t *testing.T, url string) (int, bool) {
	t.Helper()
	var owner []byte
	var until int64
	err := withConn(t, url, func(c *pgx.Conn) error {
		return c.QueryRow(context.Background(), "SELECT owner, until_ns FROM leaders WHERE name = 'outbox'").Scan(&owner, &until)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false
	}
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(owner), "-")
	if len(parts) < 3 {
		t.Fatalf("the outbox's sender %q is not named host-pid-random", owner)
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil {
		t.Fatalf("the outbox's sender %q: %v", owner, err)
	}
	return pid, time.Now().UnixNano() < until
}

// killSender kills the replica that sends with SIGKILL, and returns its
// process id.
func killSender(t *testing.T, url string, procs []*okrbotProcess, killed map[*okrbotProcess]bool) int {
	t.Helper()
	pid, live := sender(t, url)
	for _, p := range procs {
		if p.cmd.Process.Pid != pid || killed[p] {
			continue
		}
		if !live {
			t.Logf("replica %d's term had ended; it is killed all the same", pid)
		}
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatalf("SIGKILL: %v", err)
		}
		<-p.exited
		killed[p] = true
		return pid
	}
	t.Fatalf("no live replica is the sender (%d)", pid)
	return 0
}

func withConn(t *testing.T, url string, fn func(*pgx.Conn) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	return fn(c)
}

// outboxCounts are the open and all items of the outbox.
func outboxCounts(t *testing.T, url string) (open, total int) {
	t.Helper()
	err := withConn(t, url, func(c *pgx.Conn) error {
		return c.QueryRow(context.Background(), "SELECT count(*) FILTER (WHERE open), count(*) FROM outbox").Scan(&open, &total)
	})
	if err != nil {
		t.Fatal(err)
	}
	return open, total
}

// closedKeys are the keys of the items recorded sent and skipped; any
// other closed state fails the test.
func closedKeys(t *testing.T, url string) (sent, skipped map[string]bool) {
	t.Helper()
	sent, skipped = map[string]bool{}, map[string]bool{}
	err := withConn(t, url, func(c *pgx.Conn) error {
		rows, err := c.Query(context.Background(), "SELECT body FROM outbox")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body []byte
			if err := rows.Scan(&body); err != nil {
				return err
			}
			var it okrcore.OutboxItem
			if err := json.Unmarshal(body, &it); err != nil {
				return err
			}
			switch it.State {
			case okrcore.OutboxSent:
				sent[it.Key] = true
			case okrcore.OutboxSkipped:
				skipped[it.Key] = true
			default:
				t.Errorf("%s is %s (%s), want sent or skipped", it.Key, it.State, it.LastError)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return sent, skipped
}

// waitFor polls cond until it holds, failing the test after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
