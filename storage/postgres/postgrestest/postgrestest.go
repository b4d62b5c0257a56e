// Package postgrestest gives tests a PostgreSQL of their own: a schema
// with a random name in the server OKRBOT_TEST_DATABASE_URL names, dropped
// when the test ends, so that runs never see each other's data. Without
// the variable the test is skipped, saying so. cmd/okrload makes its runs'
// schemas with the same New.
package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable that enables the tests on PostgreSQL.
const Env = "OKRBOT_TEST_DATABASE_URL"

// URL returns the address of a new, empty schema (its search_path set in
// the URL) and drops it with everything in it when t ends. It skips t
// when Env is not set.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("no PostgreSQL to test on: set %s (for example postgres://postgres@127.0.0.1:5432/test)", Env)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, drop, err := New(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Error(err)
		}
	})
	return u
}

// New creates a schema with a random name in the database base names and
// returns its address (base with the schema as its search_path) and what
// drops it with everything in it.
func New(ctx context.Context, base string) (string, func(context.Context) error, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("the database URL is not valid: %w", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	schema := "okrbot_test_" + hex.EncodeToString(b[:])
	if err := run(ctx, base, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func(ctx context.Context) error {
		if err := run(ctx, base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

func run(ctx context.Context, base, sql string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
