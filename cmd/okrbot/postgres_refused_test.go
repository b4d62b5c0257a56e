package main

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestServeRefusesWhatItCannotUse: okrbot serve on a PostgreSQL server that
// refuses its user and password, or whose schema a newer okrbot wrote,
// stops at once with one line saying so (no password in it) and exit 1,
// before it answers anyone; the newer schema is left as it was.
func TestServeRefusesWhatItCannotUse(t *testing.T) {
	good := postgrestest.URL(t)
	db, err := postgres.Open(context.Background(), good, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := postgrestest.URL(t)
	db, err = postgres.Open(context.Background(), newer, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	setSchemaVersion(t, newer, postgres.SchemaVersion+1)
	stranger, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	stranger.User = url.UserPassword("okrbot_nobody", "hunter2")
	slackEnv := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	for _, tt := range []struct {
		name, url, says string
	}{
		{"user and password refused", stranger.String(), "PostgreSQL refused the user name or password"},
		{"schema from a newer okrbot", newer, "upgrade okrbot"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			code := run(context.Background(), []string{"serve", "--database-url", tt.url, "--addr", "127.0.0.1:0"},
				strings.NewReader(""), io.Discard, &errOut, envOf(slackEnv))
			msg := strings.TrimSpace(errOut.String())
			t.Log(msg)
			if code != 1 || !strings.Contains(msg, tt.says) || strings.Contains(msg, "\n") || strings.Contains(msg, "hunter2") {
				t.Errorf("exit %d, stderr %q; want exit 1 and one line saying %q", code, msg, tt.says)
			}
		})
	}
	if v := schemaVersion(t, newer); v != postgres.SchemaVersion+1 {
		t.Errorf("the newer schema is at version %d after the refusal, want %d untouched", v, postgres.SchemaVersion+1)
	}
}

func setSchemaVersion(t *testing.T, u string, v int) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), "UPDATE okrbot_schema SET version = $1", v); err != nil {
		t.Fatal(err)
	}
}

func schemaVersion(t *testing.T, u string) int {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var v int
	if err := c.QueryRow(context.Background(), "SELECT version FROM okrbot_schema").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
