package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/okrbot/okrbot/storage/postgres"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestOpenRefuses checks the one-line errors of a server okrbot cannot use.
func TestOpenRefuses(t *testing.T) {
	u := postgrestest.URL(t)
	newer := func(t *testing.T) string {
		t.Helper()
		db, err := postgres.Open(context.Background(), u, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		setVersion(t, u, postgres.SchemaVersion+1)
		return u
	}
	tests := []struct {
		name string
		url  func(t *testing.T) string
		want error
		says string
	}{
		{"unreachable", func(*testing.T) string { return "postgres://postgres@127.0.0.1:1/test" }, postgres.ErrUnreachable, "127.0.0.1:1/test"},
		{"unknown role", func(*testing.T) string { return withUser(u, "okrbot_nobody:secret") }, postgres.ErrCredentials, "okrbot_nobody"},
		{"no database", func(*testing.T) string { return withDatabase(u, "okrbot_no_such_db") }, postgres.ErrNoDatabase, "okrbot_no_such_db"},
		{"newer schema", newer, postgres.ErrNewerSchema, "upgrade okrbot"},
		{"not a URL", func(*testing.T) string { return "postgres://a b:x@/%zz" }, nil, "not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			db, err := postgres.Open(ctx, tc.url(t), postgres.Options{ConnectTimeout: 2 * time.Second})
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %q does not match %v", err, tc.want)
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.Contains(msg, tc.says) || strings.Contains(msg, "\n") || strings.Contains(msg, "secret") {
				t.Fatalf("error %q: want one line saying %q, and no password", msg, tc.says)
			}
		})
	}
}

// TestReplicasMigrateOnce starts several stores on one empty database at
// once: the advisory lock lets one create the schema, the others find it.
func TestReplicasMigrateOnce(t *testing.T) {
	u := postgrestest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), u, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	conn := connect(t, u)
	var n, v int
	if err := conn.QueryRow(context.Background(), "SELECT count(*), max(version) FROM okrbot_schema").Scan(&n, &v); err != nil {
		t.Fatal(err)
	}
	if n != 1 || v != postgres.SchemaVersion {
		t.Fatalf("okrbot_schema has %d rows, version %d; want 1 row of version %d", n, v, postgres.SchemaVersion)
	}
}

func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func setVersion(t *testing.T, u string, v int) {
	t.Helper()
	if _, err := connect(t, u).Exec(context.Background(), "UPDATE okrbot_schema SET version = $1", v); err != nil {
		t.Fatal(err)
	}
}

func withUser(u, userinfo string) string {
	i := strings.Index(u, "://")
	j := strings.Index(u, "@")
	return u[:i+3] + userinfo + u[j:]
}

func withDatabase(u, name string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return u
	}
	i := strings.Index(u, "/"+cfg.Database)
	return u[:i+1] + name + u[i+1+len(cfg.Database):]
}
